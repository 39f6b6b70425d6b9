"""Kyodo's write path: read documents, chunk them by language, embed, store in Chroma."""
