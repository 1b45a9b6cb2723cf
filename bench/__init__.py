"""Benchmarks (`make bench` = `python -m bench`). Each module exposes ``run() -> list[str]`` of lines
``name: value unit (ratio X vs baseline)``."""
