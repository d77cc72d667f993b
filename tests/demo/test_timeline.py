"""The shared clock interleaves scripts in time order, each living its own timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cogov.demo.timeline import SharedClock, interleave

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def test_scripts_take_turns_in_time_order_and_see_their_own_time() -> None:
    clock = SharedClock(START)
    log: list[tuple[str, int]] = []

    def script(name: str, step: int, steps: int) -> str:
        for _ in range(steps):
            log.append((name, int((clock.now() - START).total_seconds() // 3600)))
            clock.advance(hours=step)
        return name

    results = interleave(clock, [lambda: script("a", 3, 3), lambda: script("b", 2, 4)])
    assert results == ["a", "b"]
    # at hour 6 both wake: the one that went to sleep first (a, at hour 3) goes first
    assert log == [("a", 0), ("b", 0), ("b", 2), ("a", 3), ("b", 4), ("a", 6), ("b", 6)]
    assert clock.now() == START + timedelta(hours=9)


def test_a_script_never_moves_time_backwards() -> None:
    clock = SharedClock(START)
    seen: list[datetime] = []

    def late() -> None:
        clock.advance(days=2)
        seen.append(clock.now())

    def early() -> None:
        clock.advance(days=3)
        clock.set(START + timedelta(days=1))  # asks for the past: stays at day 3
        seen.append(clock.now())

    interleave(clock, [late, early])
    assert seen == [START + timedelta(days=2), START + timedelta(days=3)]


def test_a_failing_script_stops_the_others_and_raises() -> None:
    clock = SharedClock(START)
    finished: list[str] = []

    def fails() -> None:
        clock.advance(hours=1)
        raise RuntimeError("broken story")

    def long() -> None:
        for _ in range(10):
            clock.advance(hours=1)
        finished.append("long")

    with pytest.raises(RuntimeError, match="broken story"):
        interleave(clock, [fails, long])
    assert finished == []


def test_outside_a_script_it_is_a_manual_clock() -> None:
    clock = SharedClock(START)
    clock.advance(hours=5)
    assert clock.now() == START + timedelta(hours=5)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 1, 1))
