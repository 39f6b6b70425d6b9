"""Kyodo's knowledge base: the read path (detect language, retrieve, answer with citations)."""
