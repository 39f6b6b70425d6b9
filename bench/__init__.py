"""Benchmarks: numbers for the notes, not assertions (CI does not run them)."""
