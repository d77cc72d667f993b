"""Work that must be measured in a fresh process (its peak memory is the whole story):
``python -m benchmarks.child rebuild <database-url>`` prints one JSON object.

A sampling thread reads the resident set size every 50 ms, so "memory flat" is shown by the
curve (RSS after the first tenth of the work vs at the end), not only by the peak.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from benchmarks.stats import peak_rss_mib, profile_top

__all__ = ["main", "rebuild"]


def _rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1024 / 1024


def _high_water_mib() -> float:
    """VmHWM: the peak RSS of this process image. (``ru_maxrss`` would not do: Linux carries
    the parent's RSS at fork over an ``exec``, so a child of a big parent reports its size.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    def __init__(self, every: float = 0.05) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._every = every
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        t0 = time.perf_counter()
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - t0, _rss_mib()))
            self._stop.wait(self._every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        if not self.samples:
            return {}
        end = self.samples[-1][0]
        early = [m for t, m in self.samples if t <= end * 0.1] or [self.samples[0][1]]
        return {
            "rss_at_10pct_mib": max(early),
            "rss_at_end_mib": self.samples[-1][1],
            "rss_max_sampled_mib": max(m for _, m in self.samples),
            "samples": len(self.samples),
        }


def rebuild(url: str, profile: bool) -> dict[str, Any]:
    from cogov.views import ViewRunner

    runner = ViewRunner(url)
    try:
        base = _rss_mib()
        with RssSampler() as sampler:
            t, cpu = time.perf_counter(), time.process_time()
            if profile:
                events, top = profile_top(runner.rebuild)
            else:
                events, top = runner.rebuild(), []
            seconds = time.perf_counter() - t
            cpu = time.process_time() - cpu
        out: dict[str, Any] = {
            "available": True,
            "events": events,
            "seconds": seconds,
            "events_per_second": events / seconds if seconds else 0.0,
            "cpu_seconds": cpu,
            "events_per_cpu_second": events / cpu if cpu else 0.0,
            "rss_before_mib": base,
            "peak_rss_mib": _high_water_mib(),
            "ru_maxrss_mib": peak_rss_mib(),
            "batch_size": runner.batch_size,
            "projections": [p.name for p in runner.projections],
            **sampler.summary(),
        }
        if top:
            out["profile_top"] = top
        return out
    finally:
        runner.close()


def main(argv: list[str]) -> int:
    what, url = argv[0], argv[1]
    profile = "--profile" in argv
    if what == "rebuild":
        result = rebuild(url, profile)
    else:
        raise SystemExit(f"unknown child task {what!r}")
    sys.stdout.write(orjson.dumps(result).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
