"""Render a results JSON as the Markdown tables of docs/benchmarks.md:
``python -m benchmarks.render results.json``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

__all__ = ["render"]


def _n(x: Any, digits: int = 0) -> str:
    if not isinstance(x, int | float):
        return "—"
    if digits == 0 and abs(x) >= 10:
        return f"{x:,.0f}"
    return f"{x:,.{max(digits, 2)}f}"


def _ratio(a: Any, b: Any) -> str:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b:
        return "—"
    return f"{a / b:.2f}×"


def render(report: dict[str, Any]) -> str:
    lines: list[str] = []
    m = report["machine"]
    w = report["workload"]
    lines.append(
        f"Size **{report['size']}**, seed {report['seed']}, started {report['started_utc']}: "
        f"{w['townships']} townships, {w['villages']} villages, {w['groups']} groups, "
        f"{w['issues']:,} issues imported; {w['command_waves']} waves of "
        f"{w['issues_per_wave']} issues through the command path. "
        f"{m['nproc']} × {m['cpu']}, {m['ram_gib']} GiB, Python {m['python']}, "
        f"SQLite {m['sqlite']}."
    )
    lines.append("")
    for b, r in report["backends"].items():
        phys, plain, bulk = r["physical"], r["plain_eventsourcing"], r["bulk_import"]
        load = r.get("load_average_at_start")
        load_end = r.get("load_average_at_end")
        lines.append(
            f"**{b}** (1-minute load average {load[0]:.1f} at the start, "
            f"{load_end[0]:.1f} at the end)"
            if load and load_end
            else f"**{b}**"
        )
        lines.append("")
        lines.append("| section | figure | cogov | baseline | ratio |")
        lines.append("|---|---|---:|---:|---:|")
        sq = b == "sqlite"
        raw_batch = phys["insert_one_tx_full" if sq else "insert_one_tx"]["per_second"]
        lines.append(
            f"| bulk import | events/s, {bulk['events']:,} events, "
            f"{bulk['events_per_save']:,.0f} per save | {_n(bulk['events_per_second'])} | "
            f"raw one-tx inserts {_n(raw_batch)} | {_ratio(bulk['events_per_second'], raw_batch)} |"
        )
        pb = plain["bulk_import"]["events_per_second"]
        lines.append(
            f"| | same, vs plain eventsourcing (many aggregates per save) | "
            f"{_n(bulk['events_per_second'])} | plain {_n(pb)} | "
            f"{_ratio(bulk['events_per_second'], pb)} |"
        )
        if "events_per_cpu_second" in bulk:
            lines.append(
                f"| | events per CPU-second of the saving process | "
                f"{_n(bulk['events_per_cpu_second'])} | | |"
            )
        for mode, c in r["command_path"].items():
            sync = "normal" if mode == "normal" else "full"
            raw = phys[f"insert_row_per_tx_{sync}" if sq else "insert_row_per_tx"]["per_second"]
            label = c.get("durability", mode)
            lines.append(
                f"| command path ({label}) | commands/s; p50 / p99 ms | "
                f"{_n(c['commands_per_second'])}; {_n(c['p50_ms'], 2)} / {_n(c['p99_ms'], 2)} | "
                f"raw row-per-tx {_n(raw)} rows/s | {_ratio(c['commands_per_second'], raw)} |"
            )
        pc = plain["command_path"]
        lines.append(
            f"| plain eventsourcing command path | commands/s; p50 / p99 ms "
            f"(library defaults) | {_n(pc['commands_per_second'])}; {_n(pc['p50_ms'], 2)} / "
            f"{_n(pc['p99_ms'], 2)} | | |"
        )
        rb = r["rebuild"]
        pp = plain["projection"]["events_per_second"]
        if rb.get("available"):
            lines.append(
                f"| rebuild (all views) | events/s, {rb['events']:,} events | "
                f"{_n(rb['events_per_second'])} | plain per-event Projection {_n(pp)} | "
                f"{_ratio(rb['events_per_second'], pp)} |"
            )
            if "events_per_cpu_second" in rb:
                lines.append(
                    f"| | events per CPU-second (child process) | "
                    f"{_n(rb['events_per_cpu_second'])} | | |"
                )
            # runs before VmHWM was recorded carry ru_maxrss, which includes the parent's
            # RSS at fork: show the sampled maximum for them instead
            peak = rb["peak_rss_mib"] if "ru_maxrss_mib" in rb else rb.get("rss_max_sampled_mib")
            lines.append(
                f"| | RSS MiB: before / after 10 % / end / peak (child) | "
                f"{_n(rb['rss_before_mib'])} / {_n(rb.get('rss_at_10pct_mib'))} / "
                f"{_n(rb.get('rss_at_end_mib'))} / {_n(peak)} | | |"
            )
        else:
            lines.append(f"| rebuild | not available: {rb.get('reason', '')} | | | |")
        q = r["queries"]
        if q.get("available"):
            lines.append(
                f"| view queries | worst p99 ms ({q['worst_query']}), "
                f"{q['samples_per_query']} samples each | {_n(q['worst_p99_ms'], 2)} | "
                f"target 10 ms | |"
            )
        else:
            lines.append(f"| view queries | not available: {q.get('reason', '')} | | | |")
        a = r["audit"]
        rd = phys["read_decode"]["per_second"]
        if a.get("available"):
            lines.append(
                f"| audit | verify events/s ({'intact' if a['intact'] else 'BROKEN'}); "
                f"per CPU-second | {_n(a['events_per_second'])}; "
                f"{_n(a['events_per_cpu_second'])} | raw read + orjson decode {_n(rd)} | "
                f"{_ratio(a['events_per_second'], rd)} |"
            )
            lines.append(
                f"| | chain the imported history, events/s | "
                f"{_n(a['chain_events_per_second'])} | | |"
            )
        else:
            lines.append(f"| audit | not available: {a.get('reason', '')} | | | |")
        p = r["point_in_time"]
        lines.append(
            f"| point-in-time | {p['events']:,}-event issue: load ms without / with snapshot | "
            f"{_n(p['load_ms_no_snapshot'], 2)} / {_n(p['load_ms_with_snapshot'], 2)} | | |"
        )
        lines.append(
            f"| | as of a moment half-way (replayed) ms; audit aggregate_as_of(version) ms | "
            f"{_n(p['as_of_half_way_ms'], 2)}; "
            f"{_n(p.get('audit_aggregate_as_of_version_half_way_ms'), 2)} | | |"
        )
        lines.append("")
        if q.get("available"):
            lines.append(
                f"View queries on {b} (ms; max by level: county / township / village / group):"
            )
            lines.append("")
            lines.append(
                "| query | p50 | p99 | max county | max township | max village | max group |"
            )
            lines.append("|---|---:|---:|---:|---:|---:|---:|")
            for name, s in q["queries"].items():
                lv = s["max_ms_by_level"]
                lines.append(
                    f"| {name} | {_n(s['p50_ms'], 2)} | {_n(s['p99_ms'], 2)} | "
                    f"{_n(lv['county'], 2)} | {_n(lv['township'], 2)} | {_n(lv['village'], 2)} | "
                    f"{_n(lv['group'], 2)} |"
                )
            lines.append("")
    lines.append("| backend | target | achieved | goal | ratio | met |")
    lines.append("|---|---|---:|---:|---:|---|")
    for t in report["targets"]:
        if not t["available"]:
            lines.append(f"| {t['backend']} | {t['target']} | not available | | | |")
            continue
        lines.append(
            f"| {t['backend']} | {t['target']} | {_n(t['achieved'], 2)} {t['unit']} | "
            f"{_n(t['goal'], 2)} | {t['ratio']:.2f} | {'yes' if t['met'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(orjson.loads(Path(sys.argv[1]).read_bytes())))
