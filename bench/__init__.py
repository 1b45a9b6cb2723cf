"""Benchmarks. `make bench` runs `python -m bench`: every bench/<name>.py that has ``main()`` (prints
its own lines) or ``run()`` (returns them). Lines read ``name: value unit (ratio X vs baseline)``."""
