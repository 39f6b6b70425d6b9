"""Kyodo's evaluation suite: gold questions in four languages, run through Kyodo and its baselines side by side."""
