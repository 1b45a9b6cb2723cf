"""How fast this machine is at the time of the run, printed first so figures from different machines
and days can be compared: one core's Python speed on a fixed loop, and the load average. On a shared
VM the same code has measured 2-3x apart on different days; every absolute figure moves with these,
ratios measured in the same run much less."""

from __future__ import annotations

import os
import timeit

from bench._report import line


def main() -> None:
    best = min(timeit.repeat("sum(range(10**7))", number=1, repeat=7))
    line("machine.python_loop", best * 1000, "ms", note="sum(range(10**7)), best of 7; lower is faster")
    line("machine.cpus", os.cpu_count() or 0, "CPUs", note=f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
