"""Benchmarks at scale: the data generator and the timing runner (see README.md)."""
