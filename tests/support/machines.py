"""What the Hypothesis state machines over the database share: services called as a request calls
them, a machine whose every example runs in its own savepoint (rolled back afterwards) with a frozen
clock, and the run of a machine with the world its examples share and its mail server.
tests/production/speakers/scheduling_model.py and tests/production/scheduling/test_hold_state_machine.py
build on it."""

from __future__ import annotations

from datetime import datetime

import time_machine
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from omooc.exceptions import ApplicationError

REFUSED = None
# An index into whatever a rule picks from (taken modulo its length).
pick = st.integers(min_value=0, max_value=50)


def call(fn, **kwargs):
    """Call a service like a request does: its after-commit hooks (calendar sync, reminders) run.
    Returns what the service returned, or ``REFUSED`` (None) when it refused with a clear message
    (nothing changed). Services that return nothing return ``True`` here."""
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            result = fn(**kwargs)
    except ApplicationError:
        return REFUSED
    return True if result is None else result


class SavepointMachine(RuleBasedStateMachine):
    """Every example runs in its own savepoint, rolled back afterwards, with the clock frozen at
    ``start`` (the services read it through ``django.utils.timezone.now``); rules move ``self.clock``."""

    start: datetime

    def __init__(self) -> None:
        super().__init__()
        self.traveller = time_machine.travel(self.start, tick=False)
        self.clock = self.traveller.start()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.traveller.stop()


def run_machine(machine: type[SavepointMachine], *, server, examples: int, steps: int, **world) -> None:
    """Run ``machine`` for ``examples`` examples of up to ``steps`` steps, with what they all share set
    on its class (``world``: made once, before the first example), then stop its mail ``server``."""
    for name, value in world.items():
        setattr(machine, name, value)
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            ),
        )
    finally:
        server.stop()
