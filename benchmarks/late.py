"""Sections over pieces built alongside the benchmark: the view rebuild (a child process, for
its peak memory), the view queries, and the audit verification. A piece that is not there
reports ``{"available": False, "reason": …}`` and the suite goes on."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from benchmarks.backends import Backend

__all__ = ["audit", "queries", "rebuild"]

ROOT = Path(__file__).resolve().parent.parent


def _missing(module: str) -> str | None:
    try:
        found = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        found = None
    return None if found is not None else f"{module} does not exist in this build"


def _child(task: str, url: str, *extra: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", task, url, *extra],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        return {
            "available": False,
            "reason": f"child failed: {proc.stderr.decode(errors='replace')[-800:]}",
        }
    result: dict[str, Any] = orjson.loads(proc.stdout)
    return result


# -- 3. rebuild --------------------------------------------------------------------------------
def rebuild(backend: Backend, *, profile: bool = False) -> dict[str, Any]:
    """Drop every view and replay the whole history (ViewRunner.rebuild) in a fresh process."""
    reason = _missing("cogov.views")
    if reason:
        return {"available": False, "reason": reason}
    result = _child("rebuild", backend.url())
    if profile and result.get("available"):
        profiled = _child("rebuild", backend.url(), "--profile")
        result["profile_top"] = profiled.get("profile_top", [])
    return result


# -- 4. queries ---------------------------------------------------------------------------------
#: the month the query sample asks about (the synthetic history spans March–December 2026)
QUERY_MONTH = "2026-05"


def queries(backend: Backend, *, repeat: int = 15) -> dict[str, Any]:
    """Latency of each view query (CoGov's ViewQueries) on the whole imported store, asked of
    the county (the biggest roll-up), a township, a village and a group."""
    reason = _missing("cogov.app.queries")
    if reason:
        return {"available": False, "reason": reason}
    from benchmarks.stats import summarise_latencies
    from benchmarks.workload import EPOCH, SIZES, plan_hierarchy
    from cogov import CoGov, ManualClock
    from cogov.views.models import RankBy, RateKind

    clock = ManualClock(EPOCH + timedelta(days=120))
    app = CoGov(backend.url(), clock=clock, views="off")
    try:
        h = plan_hierarchy(SIZES[backend.size_name], backend.seed)
        village = h.villages[0]
        units = {
            "county": h.county[0],
            "township": h.townships[0][0],
            "village": village.id,
            "group": village.groups[0],
        }
        month = QUERY_MONTH
        asks: dict[str, Callable[[UUID], object]] = {
            "five_co_status": lambda u: app.five_co_status(u),
            "five_co_status(month)": lambda u: app.five_co_status(u, month),
            "problem_list": lambda u: app.problem_list(u),
            "task_list": lambda u: app.task_list(u),
            "task_list(overdue)": lambda u: app.task_list(u, overdue_only=True),
            "responsibility_list": lambda u: app.responsibility_list(u),
            "rates": lambda u: app.rates(u),
            "rates(month)": lambda u: app.rates(u, month),
            "assignee_rates": lambda u: app.assignee_rates(u),
            "ranking(units)": lambda u: app.ranking(u, rate=RateKind.SATISFACTION),
            "ranking(assignees)": lambda u: app.ranking(u, by=RankBy.ASSIGNEE),
            "meeting_register": lambda u: app.meeting_register(u),
            "monthly_schedule": lambda u: app.monthly_schedule(u, month),
        }
        results: dict[str, Any] = {}
        for name, ask in asks.items():
            samples: list[float] = []
            by_level: dict[str, float] = {}
            for level, unit in units.items():
                ask(unit)  # warm the cache of this statement
                level_samples = []
                for _ in range(repeat):
                    t = time.perf_counter()
                    ask(unit)
                    level_samples.append(time.perf_counter() - t)
                by_level[level] = max(level_samples) * 1000
                samples.extend(level_samples)
            summary = summarise_latencies(samples)
            results[name] = {
                "p50_ms": summary["p50_ms"],
                "p99_ms": summary["p99_ms"],
                "max_ms_by_level": by_level,
            }
        worst = max(results, key=lambda k: results[k]["p99_ms"])
        return {
            "available": True,
            "queries": results,
            "samples_per_query": repeat * len(units),
            "worst_query": worst,
            "worst_p99_ms": results[worst]["p99_ms"],
            "events_in_store": app.max_position(),
        }
    finally:
        app.close()


# -- 5. audit -----------------------------------------------------------------------------------
def audit(backend: Backend, *, profile: bool = False) -> dict[str, Any]:
    """Chain the imported history (the bulk import bypasses the after-save hook), then
    verify it: recompute every hash from the stored bytes and compare with the links."""
    reason = _missing("cogov.audit.offline")
    if reason:
        return {"available": False, "reason": reason}
    from benchmarks.stats import profile_top
    from cogov.audit.offline import open_chain, verify_database

    chain = open_chain(backend.url())
    try:
        t = time.perf_counter()
        head = chain.catch_up()
        chain_seconds = time.perf_counter() - t
    finally:
        chain.close()
    report = verify_database(backend.url())
    out: dict[str, Any] = {
        "available": True,
        "chained_events": head,
        "chain_seconds": chain_seconds,
        "chain_events_per_second": head / chain_seconds if chain_seconds else 0.0,
        "intact": report.intact,
        "events": report.events,
        "seconds": report.seconds,
        "cpu_seconds": report.cpu_seconds,
        "events_per_second": report.events_per_second,
        "events_per_cpu_second": report.events / report.cpu_seconds if report.cpu_seconds else 0,
    }
    if profile:
        _, top = profile_top(lambda: verify_database(backend.url()))
        out["profile_top"] = top
    return out
