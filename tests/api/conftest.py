"""The schemathesis seed (tests/api/test_schemathesis.py): random per run unless OMOOC_FUZZ_SEED is
set. Run as `pytest tests/api/...`, it is chosen once in the main process, inherited by the xdist
workers and shown in the header; in a whole-suite run each worker picks its own. Either way every
failure message names the seed that replays it."""

from __future__ import annotations

import os
import random

SEED_VARIABLE = "OMOOC_FUZZ_SEED"


def pytest_configure(config) -> None:
    if not os.environ.get(SEED_VARIABLE):  # workers inherit the main process's environment
        os.environ[SEED_VARIABLE] = str(random.randrange(2**31))


def pytest_report_header(config) -> str:
    seed = os.environ[SEED_VARIABLE]
    return f"schemathesis seed {seed} (replay: {SEED_VARIABLE}={seed})"
