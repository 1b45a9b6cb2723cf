"""Factory fixtures: a fixture that hands a test a function making things (browser contexts, worker
processes) and closes every one of them when the test ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

Made = TypeVar("Made")


def closing_each(
    make: Callable[..., Made], *, close: Callable[[Made], object]
) -> Iterator[Callable[..., Made]]:
    """The body of a factory fixture (``yield from closing_each(make, close=...)``): yields a function
    that calls ``make`` and keeps what it made; after the test, ``close`` is called on each in turn."""
    made: list[Made] = []

    def make_and_keep(**kwargs) -> Made:
        thing = make(**kwargs)
        made.append(thing)
        return thing

    yield make_and_keep
    for thing in made:
        close(thing)
