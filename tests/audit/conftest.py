"""Fixtures of the audit tests: a realistic history on every backend (see :mod:`.support`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cogov import CoGov, ManualClock

from .support import History, open_history, run_matter


@pytest.fixture
def history(store_url: str | None, clock: ManualClock) -> Iterator[History]:
    h = open_history(CoGov(store_url, clock=clock), clock)
    run_matter(h)
    yield h
    h.app.close()
