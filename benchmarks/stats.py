"""Small measuring helpers: percentiles, a timer, a profiler that names the top functions."""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["Timer", "peak_rss_mib", "percentile", "profile_top", "summarise_latencies"]

T = TypeVar("T")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summarise_latencies(seconds: list[float]) -> dict[str, float]:
    """p50/p99/max in milliseconds, and the mean rate per second."""
    total = sum(seconds)
    return {
        "count": len(seconds),
        "p50_ms": percentile(seconds, 50) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "max_ms": max(seconds, default=0.0) * 1000,
        "per_second": len(seconds) / total if total else 0.0,
    }


class Timer:
    """Wall-clock and this process's CPU time of the blocks it runs. On a busy machine the
    CPU figure is the steadier one; the wall figure is what a user waits."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    @contextmanager
    def run(self) -> Iterator[None]:
        t, c = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - t
            self.cpu_seconds += time.process_time() - c


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def profile_top(fn: Callable[[], T], top: int = 10) -> tuple[T, list[dict[str, Any]]]:
    """Run ``fn`` under cProfile; return its result and the top functions by own time."""
    profiler = cProfile.Profile()
    result = profiler.runcall(fn)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    rows = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({name})",
                "calls": calls,
                "own_s": round(tottime, 4),
                "cumulative_s": round(cumtime, 4),
            }
        )
    rows.sort(key=lambda r: r["own_s"], reverse=True)
    return result, rows[:top]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "src/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
