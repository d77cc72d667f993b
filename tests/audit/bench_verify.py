"""Verification speed on a large SQLite store (not collected by pytest).

    .venv/bin/python -m tests.audit.bench_verify [EVENTS]   (default 1,000,000)

Builds a store through the application (a county's units, officials and matters), then
multiplies its stored events — the exact bytes, each copy under a fresh originator id — to
EVENTS rows, chains them with the chainer, and times a full verification (median of 3) next
to raw SHA-256 over the same state bytes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cogov import CoGov, ManualClock
from cogov.audit.chain import HashChain
from cogov.audit.offline import verify_database
from cogov.persistence.store import parse_database_url

from .support import open_history, run_matter


def build(path: Path, events: int) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    app = CoGov(f"sqlite:///{path}", clock=clock)
    h = open_history(app, clock)
    for n in range(5):
        run_matter(h, title=f"危桥{n}")
    app.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    rows = conn.execute(
        "SELECT originator_version, topic, state FROM stored_events ORDER BY rowid"
    ).fetchall()
    have = len(rows)
    with conn:
        while have < events:
            batch = []
            for version, topic, state in rows[: events - have]:
                batch.append((uuid.uuid4().hex, version, topic, state))
            conn.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", batch)
            have += len(batch)
    conn.close()
    chain = HashChain(parse_database_url(f"sqlite:///{path}"))
    started = time.perf_counter()
    chain.catch_up()
    print(f"chained {events:,} events in {time.perf_counter() - started:.2f}s")
    chain.close()


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.db"
        build(path, events)
        url = f"sqlite:///{path}"
        runs, cpu_runs = [], []
        for _ in range(3):
            report = verify_database(url)
            if not report.intact or report.events != events:
                raise SystemExit(f"the benchmark store does not verify: {report}")
            runs.append(report.events_per_second)
            cpu_runs.append(report.events / report.cpu_seconds)
        conn = sqlite3.connect(path)
        states = [s for (s,) in conn.execute("SELECT state FROM stored_events")]
        conn.close()
        started, cpu = time.perf_counter(), time.process_time()
        for s in states:
            hashlib.sha256(s).digest()
        raw = events / (time.perf_counter() - started)
        raw_cpu = events / (time.process_time() - cpu)
        size = sum(map(len, states)) / events
        print(
            f"verify: median {statistics.median(runs):,.0f} events/s wall-clock "
            f"(runs: {', '.join(f'{r:,.0f}' for r in runs)}), "
            f"{statistics.median(cpu_runs):,.0f} events per CPU-second; "
            f"raw SHA-256 of the state bytes alone: {raw:,.0f} events/s wall-clock, "
            f"{raw_cpu:,.0f} per CPU-second; mean state {size:.0f} bytes; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
