"""Run every section on each backend, compute the ratios and targets, print and save."""

from __future__ import annotations

import os
import platform
import sqlite3
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from benchmarks import late, sections
from benchmarks.backends import Backend, open_backend, postgres_base_url
from benchmarks.workload import Size, plan_hierarchy

__all__ = ["SECTIONS", "machine", "run_suite", "targets"]

#: every section the JSON carries for each backend
SECTIONS = (
    "bulk_import",
    "command_path",
    "physical",
    "plain_eventsourcing",
    "rebuild",
    "queries",
    "audit",
    "point_in_time",
)


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kib = 0
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": version("eventsourcing"),
        "pydantic": version("pydantic"),
        "orjson": version("orjson"),
        "psycopg": version("psycopg"),
    }


def _timed_step(console: Console, name: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    console.log(f"{name} …")
    t = time.perf_counter()
    result: dict[str, Any] = fn(*args, **kwargs)
    result.setdefault("wall_seconds", time.perf_counter() - t)
    console.log(f"{name} done in {time.perf_counter() - t:.1f}s")
    return result


def run_backend(
    backend: Backend,
    size: Size,
    seed: int,
    *,
    profile: bool,
    console: Console,
    out: dict[str, Any],
    saved: Callable[[], None],
) -> dict[str, Any]:
    """Run every section on one backend, filling ``out`` and calling ``saved`` after each
    section (so a long run that is interrupted keeps what it measured)."""
    h = plan_hierarchy(size, seed)
    out["load_average_at_start"] = os.getloadavg()

    def _step(
        dest: dict[str, Any], key: str, name: str, fn: Any, *args: Any, **kwargs: Any
    ) -> None:
        dest[key] = _timed_step(console, f"[{backend.name}] {name}", fn, *args, **kwargs)
        saved()

    _step(
        out,
        "bulk_import",
        "bulk import",
        sections.bulk_import,
        backend,
        h,
        size,
        seed,
        profile=profile,
    )
    _step(out, "rebuild", "rebuild", late.rebuild, backend, profile=profile)
    _step(out, "queries", "queries", late.queries, backend)
    _step(out, "audit", "audit", late.audit, backend, profile=profile)
    paths: dict[str, Any] = {}
    out["command_path"] = paths
    # (key, label, URL options, views kept current after every save)
    modes: list[tuple[str, str, dict[str, str], bool]] = (
        [
            ("full", "FULL", {}, True),
            ("normal", "NORMAL", {"synchronous": "NORMAL"}, True),
            ("full_views_off", "FULL, views off", {}, False),
        ]
        if backend.name == "sqlite"
        else [("server", "server", {}, True), ("server_views_off", "server, views off", {}, False)]
    )
    for n, (key, label, options, views) in enumerate(modes):
        _step(
            paths,
            key,
            f"command path ({label})",
            sections.command_path,
            backend,
            h,
            size,
            seed + n,
            url=backend.url(**options),
            label=label,
            views=views,
            profile=profile and n == 0,
        )
    _step(out, "physical", "physical baseline", sections.physical, backend, size)
    _step(
        out,
        "plain_eventsourcing",
        "plain eventsourcing",
        sections.plain_eventsourcing,
        backend,
        h,
        size,
        seed,
    )
    _step(out, "point_in_time", "point-in-time", sections.point_in_time, backend, seed)
    out["durability"] = backend.durability()
    out["load_average_at_end"] = os.getloadavg()
    saved()
    return out


def run_suite(
    size: Size,
    backends: list[str],
    *,
    seed: int = 20260302,
    profile: bool = False,
    workdir: Path | None = None,
    keep: bool = False,
    console: Console | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the suite; ``on_progress(report)`` is called after every section."""
    console = console or Console(stderr=True)
    report: dict[str, Any] = {
        "size": size.name,
        "seed": seed,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "workload": {
            "townships": size.townships,
            "villages": size.townships * size.villages_per_township,
            "groups": size.townships * size.villages_per_township * size.groups_per_village,
            "issues": size.issues,
            "command_waves": size.command_waves,
            "issues_per_wave": size.issues_per_wave,
        },
        "backends": {},
    }
    for name in backends:
        backend = open_backend(name, workdir=workdir, keep=keep)
        backend.size_name, backend.seed = size.name, seed
        out: dict[str, Any] = {}
        report["backends"][name] = out

        def saved() -> None:
            if on_progress is not None:
                on_progress(report)

        try:
            run_backend(backend, size, seed, profile=profile, console=console, out=out, saved=saved)
        finally:
            backend.close()
    report["targets"] = targets(report)
    return report


def _get(d: dict[str, Any], *path: str) -> float | None:
    cur: Any = d
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    return float(cur) if isinstance(cur, int | float) else None


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: what was achieved, against what, the ratio and whether it is met."""
    rows: list[dict[str, Any]] = []

    def add(
        backend: str,
        name: str,
        achieved: float | None,
        target: float | None,
        unit: str,
        *,
        lower_is_better: bool = False,
        basis: str = "",
    ) -> None:
        if achieved is None or target is None or target == 0:
            rows.append({"backend": backend, "target": name, "available": False, "basis": basis})
            return
        ratio = (target / achieved if achieved else 0.0) if lower_is_better else achieved / target
        rows.append(
            {
                "backend": backend,
                "target": name,
                "available": True,
                "achieved": achieved,
                "goal": target,
                "unit": unit,
                "ratio": ratio,
                "met": ratio >= 1.0,
                "basis": basis,
            }
        )

    for b, r in report["backends"].items():
        phys = r.get("physical", {})
        cmd = r.get("command_path", {})
        if b == "sqlite":
            for mode in ("full", "normal"):
                raw = _get(phys, f"insert_row_per_tx_{mode}", "per_second")
                add(
                    b,
                    f"command path ({mode.upper()}) ≥ 0.5 × raw row-per-tx",
                    _get(cmd, mode, "commands_per_second"),
                    raw * 0.5 if raw else None,
                    "commands/s",
                    basis=f"raw one row per transaction, synchronous={mode.upper()}",
                )
            raw_batch = _get(phys, "insert_one_tx_full", "per_second")
        else:
            raw = _get(phys, "insert_row_per_tx", "per_second")
            add(
                b,
                "command path ≥ 0.5 × raw row-per-tx",
                _get(cmd, "server", "commands_per_second"),
                raw * 0.5 if raw else None,
                "commands/s",
                basis="raw one row per transaction (psycopg)",
            )
            raw_batch = _get(phys, "insert_one_tx", "per_second")
        add(
            b,
            "bulk import ≥ 0.5 × raw batched inserts",
            _get(r, "bulk_import", "events_per_second"),
            raw_batch * 0.5 if raw_batch else None,
            "events/s",
            basis="raw inserts, one transaction for all rows",
        )
        if b == "sqlite":
            add(
                b,
                "rebuild ≥ 100,000 events/s",
                _get(r, "rebuild", "events_per_second"),
                100_000,
                "events/s",
            )
        plain_proj = _get(r, "plain_eventsourcing", "projection", "events_per_second")
        add(
            b,
            "rebuild ≥ 40 × plain per-event projection",
            _get(r, "rebuild", "events_per_second"),
            plain_proj * 40 if plain_proj else None,
            "events/s",
            basis="eventsourcing Projection, one transaction per event",
        )
        add(
            b,
            "view query p99 ≤ 10 ms",
            _get(r, "queries", "worst_p99_ms"),
            10,
            "ms",
            lower_is_better=True,
        )
        add(
            b,
            "verification ≥ 300,000 events/s",
            _get(r, "audit", "events_per_second"),
            300_000,
            "events/s",
        )
        add(
            b,
            "point-in-time load ≤ 2 ms with snapshot",
            _get(r, "point_in_time", "load_ms_with_snapshot"),
            2,
            "ms",
            lower_is_better=True,
        )
    return rows


# -- output ------------------------------------------------------------------------------------
def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    if abs(x) >= 100:
        s = f"{x:,.0f}"
    elif abs(x) >= 10:
        s = f"{x:.1f}"
    else:
        s = f"{x:.2f}"
    return f"{s} {unit}".strip()


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    for b, r in report["backends"].items():
        t = Table(title=f"cogov benchmark — {b}, size {report['size']}", show_lines=False)
        t.add_column("section")
        t.add_column("figure")
        t.add_column("cogov", justify="right")
        t.add_column("baseline", justify="right")
        t.add_column("ratio", justify="right")
        phys = r["physical"]
        plain = r["plain_eventsourcing"]
        bi = r["bulk_import"]
        raw_batch = _get(
            phys, "insert_one_tx_full" if b == "sqlite" else "insert_one_tx", "per_second"
        )
        t.add_row(
            "bulk import",
            f"events/s ({bi['events']:,} events)",
            _fmt(bi["events_per_second"]),
            f"raw {_fmt(raw_batch)}",
            _ratio(bi["events_per_second"], raw_batch),
        )
        t.add_row(
            "",
            "events/s vs plain eventsourcing",
            _fmt(bi["events_per_second"]),
            f"plain {_fmt(plain['bulk_import']['events_per_second'])}",
            _ratio(bi["events_per_second"], plain["bulk_import"]["events_per_second"]),
        )
        for mode, c in r["command_path"].items():
            sync = "normal" if mode == "normal" else "full"
            raw_key = f"insert_row_per_tx_{sync}" if b == "sqlite" else "insert_row_per_tx"
            raw = _get(phys, raw_key, "per_second")
            t.add_row(
                f"command path ({mode})",
                "commands/s",
                _fmt(c["commands_per_second"]),
                f"raw rows {_fmt(raw)}",
                _ratio(c["commands_per_second"], raw),
            )
            t.add_row("", "p50 / p99 ms", f"{_fmt(c['p50_ms'])} / {_fmt(c['p99_ms'])}", "", "")
        pc = plain["command_path"]
        t.add_row(
            "plain eventsourcing",
            "commands/s (default durability)",
            _fmt(pc["commands_per_second"]),
            "",
            "",
        )
        t.add_row(
            "",
            "per-event projection events/s",
            _fmt(plain["projection"]["events_per_second"]),
            "",
            "",
        )
        t.add_row(
            "physical",
            "read + orjson decode rows/s",
            _fmt(phys["read_decode"]["per_second"]),
            "",
            "",
        )
        rb = r["rebuild"]
        if rb.get("available"):
            t.add_row(
                "rebuild",
                "events/s",
                _fmt(rb["events_per_second"]),
                f"plain proj {_fmt(plain['projection']['events_per_second'])}",
                _ratio(rb["events_per_second"], plain["projection"]["events_per_second"]),
            )
            t.add_row("", "peak RSS MiB (child)", _fmt(rb.get("peak_rss_mib")), "", "")
        else:
            t.add_row("rebuild", "not available", "", rb.get("reason", ""), "")
        q = r["queries"]
        if q.get("available"):
            for name, s in q["queries"].items():
                t.add_row(
                    "query",
                    f"{name} p50/p99 ms",
                    f"{_fmt(s['p50_ms'])} / {_fmt(s['p99_ms'])}",
                    "",
                    "",
                )
        else:
            t.add_row("queries", "not available", "", q.get("reason", ""), "")
        a = r["audit"]
        if a.get("available"):
            t.add_row(
                "audit",
                "verification events/s",
                _fmt(a["events_per_second"]),
                f"read+decode {_fmt(phys['read_decode']['per_second'])}",
                _ratio(a["events_per_second"], phys["read_decode"]["per_second"]),
            )
        else:
            t.add_row("audit", "not available", "", a.get("reason", ""), "")
        p = r["point_in_time"]
        t.add_row(
            "point-in-time",
            f"{p['events']:,}-event issue, ms no snapshot",
            _fmt(p["load_ms_no_snapshot"]),
            "",
            "",
        )
        t.add_row("", "ms with snapshot", _fmt(p["load_ms_with_snapshot"]), "", "")
        t.add_row("", "as of half-way (time, replayed) ms", _fmt(p["as_of_half_way_ms"]), "", "")
        console.print(t)
    tt = Table(title="targets")
    for col in ("backend", "target", "achieved", "goal", "ratio", "met"):
        tt.add_column(col)
    for row in report["targets"]:
        if not row["available"]:
            tt.add_row(row["backend"], row["target"], "not available", "", "", "")
            continue
        tt.add_row(
            row["backend"],
            row["target"],
            _fmt(row["achieved"], row["unit"]),
            _fmt(row["goal"], row["unit"]),
            f"{row['ratio']:.2f}",
            "yes" if row["met"] else "[red]no[/red]",
        )
    console.print(tt)


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.2f}×"


def write_json(report: dict[str, Any], path: Path) -> None:
    path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))


def default_backends(choice: str) -> list[str]:
    if choice == "both":
        return ["sqlite", "postgres"]
    if choice == "auto":
        return ["sqlite", "postgres"] if postgres_base_url() else ["sqlite"]
    return [choice]
