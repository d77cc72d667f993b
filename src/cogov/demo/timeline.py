"""Several scripts living through the same weeks: each story (and the generated month) is
written as if it had the clock to itself — ``clock.advance(days=3)``, ``clock.set(when)`` —
and a :class:`SharedClock` interleaves them in time order, so the bridge is being built while
the 自管委 holds its meetings and the month's concerns come in.

Only one script runs at a time (a baton passed between threads), so commands never run
concurrently; the history is ordered by time and repeatable.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from cogov.clock import ManualClock

__all__ = ["SharedClock", "interleave"]


class _Aborted(Exception):
    """Raised in a waiting script when another script failed."""


class SharedClock(ManualClock):
    """A manual clock shared by interleaved scripts: moving it forward from inside a script
    means "wake me then", and the earliest sleeper runs next. Outside :func:`interleave` it
    is a plain :class:`ManualClock`."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._lock = threading.Lock()
        self._queue: list[tuple[datetime, int, threading.Event]] = []
        self._seq = itertools.count()
        self._turn_over = threading.Event()
        self._scripts: dict[int, threading.Event] = {}
        self._aborted = False

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware times")
        wake = self._scripts.get(threading.get_ident())
        if wake is None:  # not inside a script: an ordinary manual clock
            super().set(moment)
            return
        self._sleep_until(max(moment, self.now()), wake)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.set(self.now() + (delta if delta is not None else timedelta(**kwargs)))
        return self.now()

    def _sleep_until(self, moment: datetime, wake: threading.Event) -> None:
        with self._lock:
            heapq.heappush(self._queue, (moment, next(self._seq), wake))
            wake.clear()
        self._turn_over.set()
        wake.wait()
        if self._aborted:
            raise _Aborted


def interleave(clock: SharedClock, scripts: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run the scripts on the shared clock, interleaved in time order from ``clock.now()``;
    return their results in order. The first failure is raised after the others stop."""
    results: list[Any] = [None] * len(scripts)
    errors: list[BaseException] = []
    done = threading.Semaphore(0)
    start = clock.now()

    def runner(n: int, script: Callable[[], Any], wake: threading.Event) -> None:
        clock._scripts[threading.get_ident()] = wake
        try:
            clock._sleep_until(start, wake)  # wait for the first turn
            results[n] = script()
        except _Aborted:
            pass
        except BaseException as e:  # noqa: BLE001 - handed to the caller below
            errors.append(e)
        finally:
            clock._scripts.pop(threading.get_ident(), None)
            done.release()
            clock._turn_over.set()

    threads = []
    for n, script in enumerate(scripts):
        wake = threading.Event()
        clock._turn_over.clear()
        thread = threading.Thread(target=runner, args=(n, script, wake), daemon=True)
        thread.start()
        clock._turn_over.wait()  # the script is queued for its first turn
        threads.append(thread)
    finished = 0
    while finished < len(scripts):
        with clock._lock:
            if errors and not clock._aborted:
                clock._aborted = True
                for _, _, sleeper in clock._queue:
                    sleeper.set()
                clock._queue.clear()
            nxt = heapq.heappop(clock._queue) if clock._queue and not clock._aborted else None
        if nxt is None:
            done.acquire()
            finished += 1
            continue
        moment, _, wake = nxt
        if moment > clock.now():
            ManualClock.set(clock, moment)
        clock._turn_over.clear()
        wake.set()
        clock._turn_over.wait()  # the script slept again or ended
        while done.acquire(blocking=False):
            finished += 1
    for thread in threads:
        thread.join()
    clock._aborted = False
    if errors:
        raise errors[0]
    return results
