"""Benchmarks (never published): a synthetic corpus and timed publishes."""
