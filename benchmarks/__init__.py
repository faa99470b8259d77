"""Benchmarks for tipbot: `python -m benchmarks` runs them all and prints a table for each."""
