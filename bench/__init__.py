"""Benchmarks. `make bench` runs `python -m bench`: every bench/<name>.py with a main() function."""
