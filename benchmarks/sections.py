"""The measured sections. Each returns a JSON-able dict; a section whose piece of cogov is
missing returns ``{"available": False, "reason": …}``."""

from __future__ import annotations

import math
import statistics
import time
from datetime import timedelta
from typing import Any

from benchmarks import baseline
from benchmarks.backends import Backend
from benchmarks.plain import PlainApp, PlainOps, plain_projection_rate
from benchmarks.players import ADMIN, CommandOps, DomainOps, hierarchy_aggregates
from benchmarks.stats import Timer, profile_top, summarise_latencies
from benchmarks.workload import EPOCH, Hierarchy, Size, WaveStats, run_wave, waves
from cogov import CoGov, ManualClock
from cogov.domain.base import Context, project
from cogov.domain.issue import Issue
from cogov.domain.policy import Policy
from cogov.domain.values import Actor, Assignee, AssigneeKind, Channel, Role, Scale

__all__ = [
    "bulk_import",
    "command_path",
    "physical",
    "plain_eventsourcing",
    "point_in_time",
]

#: aggregates per ``store.save`` in the bulk import (≈ 10,000 events per transaction)
AGGREGATES_PER_SAVE = 1_000
#: the frame (units, grants, residents: one or two events each) is saved in chunks this big.
#: One save of the whole 1m frame (≈ 29,000 events, ≈ 40 MB) never completed on PostgreSQL
#: here (server in ClientRead, client in poll, 10 minutes); chunks of ≈ 5,000 events do.
FRAME_AGGREGATES_PER_SAVE = 5_000


def _wave_count(size: Size, issues: int) -> int:
    return math.ceil(issues / size.issues_per_wave)


# -- 2. bulk import --------------------------------------------------------------------------
def bulk_import(
    backend: Backend, h: Hierarchy, size: Size, seed: int, *, profile: bool = False
) -> dict[str, Any]:
    """Import the whole synthetic history: rules run on the aggregates, then many aggregates
    are saved per ``store.save`` (one transaction each)."""
    app = CoGov(backend.url())
    try:
        store = app.store
        ops = DomainOps(seed)
        stats = WaveStats()
        generate, save = Timer(), Timer()
        events = saves = 0
        frame = hierarchy_aggregates(h)
        batch: list[Any] = []

        def flush() -> None:
            nonlocal events, saves, batch
            n = sum(len(a.pending_events) for a in batch)
            with save.run():
                store.save(*batch)
            events += n
            saves += 1
            batch = []

        def play() -> None:
            nonlocal batch
            for k in range(0, len(frame), FRAME_AGGREGATES_PER_SAVE):
                batch = frame[k : k + FRAME_AGGREGATES_PER_SAVE]
                flush()
            for wave in waves(h, size, seed, _wave_count(size, size.issues)):
                with generate.run():
                    run_wave(ops, wave, stats)
                    batch.extend(ops.take())
                if len(batch) >= AGGREGATES_PER_SAVE:
                    flush()
            if batch:
                flush()

        top: list[dict[str, Any]] = []
        if profile:
            _, top = profile_top(play)
        else:
            play()
        result: dict[str, Any] = {
            "available": True,
            "events": events,
            "issues": stats.issues,
            "meetings": stats.meetings,
            "units": h.unit_count,
            "scale_mix": stats.by_scale,
            "saves": saves,
            "events_per_save": events / saves if saves else 0,
            "save_seconds": save.seconds,
            "decide_seconds": generate.seconds,
            "events_per_second": events / save.seconds if save.seconds else 0.0,
            "save_cpu_seconds": save.cpu_seconds,
            "events_per_cpu_second": events / save.cpu_seconds if save.cpu_seconds else 0.0,
            "end_to_end_events_per_second": events / (save.seconds + generate.seconds),
            "max_position": app.max_position(),
        }
        if top:
            result["profile_top"] = top
        return result
    finally:
        app.close()


# -- 1. command path -------------------------------------------------------------------------
def command_path(
    backend: Backend,
    h: Hierarchy,
    size: Size,
    seed: int,
    *,
    url: str,
    label: str,
    views: bool = True,
    profile: bool = False,
) -> dict[str, Any]:
    """Each command through CoGov: validate, authorise, load, decide, save (one transaction),
    after-save hooks (views, when installed) — single process, on the imported store."""
    clock = ManualClock(EPOCH)
    app = CoGov(url, clock=clock, views="sync" if views else "off")
    try:
        # start from current views and a current audit chain (the rebuild and audit sections
        # normally built them), so no command pays for the bulk-imported history
        if views:
            app.views.catch_up()
        app.audit_chain.catch_up()
        ops = CommandOps(app, clock)
        stats = WaveStats()
        before = app.max_position()

        def play() -> None:
            for wave in waves(h, size, seed + 1, size.command_waves):
                run_wave(ops, wave, stats)

        t, cpu = time.perf_counter(), time.process_time()
        top: list[dict[str, Any]] = []
        if profile:
            _, top = profile_top(play)
        else:
            play()
        wall = time.perf_counter() - t
        cpu = time.process_time() - cpu
        events = app.max_position() - before
        lat = summarise_latencies(ops.latencies)
        result: dict[str, Any] = {
            "available": True,
            "durability": label,
            "commands": len(ops.latencies),
            "events": events,
            "events_per_command": events / len(ops.latencies) if ops.latencies else 0,
            "commands_per_second": len(ops.latencies) / wall if wall else 0.0,
            "p50_ms": lat["p50_ms"],
            "p99_ms": lat["p99_ms"],
            "max_ms": lat["max_ms"],
            "cpu_ms_per_command": cpu / len(ops.latencies) * 1000 if ops.latencies else 0.0,
            "views_current": views,
        }
        if top:
            result["profile_top"] = top
        return result
    finally:
        app.close()


# -- physical baseline -------------------------------------------------------------------------
def physical(backend: Backend, size: Size) -> dict[str, Any]:
    """Raw driver figures on the same rows, same table shape, same durability."""
    out: dict[str, Any] = {"available": True}
    if backend.name == "sqlite":
        rows = baseline.sqlite_rows(backend.sqlite_path, size.raw_batch_rows)
        single = rows[: size.raw_single_rows]
        raw_db = backend.workdir / "raw.db"
        for sync in ("FULL", "NORMAL"):
            r = baseline.sqlite_write(raw_db, single, synchronous=sync, per_row=True)
            out[f"insert_row_per_tx_{sync.lower()}"] = _raw(r)
        r = baseline.sqlite_write(raw_db, rows, synchronous="FULL", per_row=False)
        out["insert_one_tx_full"] = _raw(r)
        out["read_decode"] = _raw(baseline.sqlite_read_decode(backend.sqlite_path))
        out["mean_state_bytes"] = statistics.fmean(len(r[3]) for r in rows) if rows else 0
        return out
    assert backend.pg_base is not None
    table = _pg_table(backend)
    rows = baseline.pg_rows(backend.pg_base, backend.cogov_schema, table, size.raw_batch_rows)
    raw_schema = f"{backend.cogov_schema}_raw"
    backend.schemas.append(raw_schema)
    single = rows[: size.raw_single_rows]
    out["insert_row_per_tx"] = _raw(
        baseline.pg_write(backend.pg_base, raw_schema, single, per_row=True)
    )
    out["insert_one_tx"] = _raw(baseline.pg_write(backend.pg_base, raw_schema, rows, per_row=False))
    out["read_decode"] = _raw(baseline.pg_read_decode(backend.pg_base, backend.cogov_schema, table))
    out["mean_state_bytes"] = statistics.fmean(len(r[3]) for r in rows) if rows else 0
    out["postgres_settings"] = baseline.pg_settings(backend.pg_base)
    return out


def _pg_table(backend: Backend) -> str:
    app = CoGov(backend.url())
    try:
        name: str = app.store.recorder.events_table_name  # type: ignore[attr-defined]
        return name
    finally:
        app.close()


def _raw(r: baseline.RawResult) -> dict[str, float]:
    return {"rows": r.rows, "seconds": r.seconds, "per_second": r.per_second}


# -- plain eventsourcing -----------------------------------------------------------------------
def plain_eventsourcing(backend: Backend, h: Hierarchy, size: Size, seed: int) -> dict[str, Any]:
    """The same workload on eventsourcing's defaults: bulk (many aggregates per save, capped),
    the command path (one save per command), the library's per-event projection."""
    app = PlainApp(env=backend.plain_env)
    try:
        ops = PlainOps(app, bulk=True)
        stats = WaveStats()
        issues = min(size.issues, PLAIN_BULK_ISSUES)
        save, generate = Timer(), Timer()
        events = 0
        batch: list[Any] = []
        for wave in waves(h, size, seed, _wave_count(size, issues)):
            with generate.run():
                run_wave(ops, wave, stats)
                batch.extend(ops.take())
            if len(batch) >= AGGREGATES_PER_SAVE:
                n = sum(len(a.pending_events) for a in batch)
                with save.run():
                    app.save(*batch)
                events += n
                batch = []
        if batch:
            n = sum(len(a.pending_events) for a in batch)
            with save.run():
                app.save(*batch)
            events += n
        bulk = {
            "events": events,
            "issues": stats.issues,
            "events_per_second": events / save.seconds if save.seconds else 0.0,
            "decide_seconds": generate.seconds,
        }
        cmd_ops = PlainOps(app)
        cmd_stats = WaveStats()
        t = time.perf_counter()
        for wave in waves(h, size, seed + 1, size.command_waves):
            run_wave(cmd_ops, wave, cmd_stats)
        wall = time.perf_counter() - t
        lat = summarise_latencies(cmd_ops.latencies)
        command = {
            "commands": len(cmd_ops.latencies),
            "commands_per_second": len(cmd_ops.latencies) / wall if wall else 0.0,
            "p50_ms": lat["p50_ms"],
            "p99_ms": lat["p99_ms"],
        }
        n_events, seconds = plain_projection_rate(app, size.plain_projection_events)
        projection = {
            "events": n_events,
            "seconds": seconds,
            "events_per_second": n_events / seconds if seconds else 0.0,
            "how": "eventsourcing.projection.Projection.process_event, one transaction "
            "(view row + tracking row) per event",
        }
        return {
            "available": True,
            "bulk_import": bulk,
            "command_path": command,
            "projection": projection,
        }
    finally:
        app.close()


#: the plain bulk import is capped (its rate does not depend on the store's size)
PLAIN_BULK_ISSUES = 15_000


# -- 6. point-in-time load ----------------------------------------------------------------------
def point_in_time(backend: Backend, seed: int, *, events_wanted: int = 2_000) -> dict[str, Any]:
    """An issue with ≥ 2,000 events (a long-disputed matter reopened round after round):
    load it whole, as of a moment half-way, and from a snapshot."""
    clock = ManualClock(EPOCH)
    app = CoGov(backend.url(), clock=clock, env={"IS_SNAPSHOTTING_ENABLED": "y"})
    try:
        issue_id, middle = _long_issue(app, events_wanted, seed)
        version = len(app.history(issue_id))
        store = app.store

        def timed(fn: Any, repeat: int = 15) -> float:
            fn()  # warm
            samples = []
            for _ in range(repeat):
                t = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t)
            return statistics.median(samples) * 1000

        def load() -> Any:
            return store.repository.get(issue_id, projector_func=project)  # type: ignore[arg-type]

        full_ms = timed(load)
        record_ms = timed(lambda: app.issue(issue_id))
        as_of_ms = timed(lambda: app.issue(issue_id, as_of=middle))
        half_version_ms = timed(
            lambda: store.repository.get(
                issue_id,
                version=version // 2,
                projector_func=project,  # type: ignore[arg-type]
            )
        )
        as_of_version_ms = timed(
            lambda: app.aggregate_as_of(ADMIN, issue_id, version=version // 2), repeat=5
        )
        store.take_snapshot(issue_id)
        snap_ms = timed(load, repeat=50)
        snap_record_ms = timed(lambda: app.issue(issue_id), repeat=50)
        restored = load()
        assert restored.version == version
        return {
            "available": True,
            "events": version,
            "load_ms_no_snapshot": full_ms,
            "issue_record_ms_no_snapshot": record_ms,
            "as_of_half_way_ms": as_of_ms,
            "version_half_way_ms": half_version_ms,
            "audit_aggregate_as_of_version_half_way_ms": as_of_version_ms,
            "load_ms_with_snapshot": snap_ms,
            "issue_record_ms_with_snapshot": snap_record_ms,
        }
    finally:
        app.close()


def _long_issue(app: CoGov, events_wanted: int, seed: int) -> tuple[Any, Any]:
    """Build and save (one transaction) an issue reopened until it has ``events_wanted``."""
    import uuid

    policy = app.policy
    unit = next(iter(_any_group(app)))
    cadre = Actor(id="sec-long", role=Role.COMMITTEE_MEMBER, unit_id=unit)
    staff = Actor(id="zhujian-1", role=Role.DEPARTMENT_STAFF, unit_id=unit, organisation="zhujian")
    at = EPOCH

    def ctx(actor: Actor) -> Context:
        return Context(actor=actor, now=at, policy=policy)

    issue = Issue.collect(
        ctx(cadre),
        id=uuid.UUID(int=seed, version=4),
        unit_id=unit,
        channel=Channel.HOTLINE,
        raised_by=uuid.uuid4(),
        title="长期争议的噪声问题",
        description="商户夜间噪声，多轮处理仍不满意",
    )
    issue.triage(ctx(cadre), scale=Scale.URGENT, category="环境卫生")
    issue.fast_track(ctx(cadre), reason="影响居民休息")
    dept = Assignee(kind=AssigneeKind.DEPARTMENT, id="zhujian", name="住建局")
    middle = at
    k = 0
    while issue.version < events_wanted:
        at += timedelta(hours=1)
        issue.dispatch(
            ctx(cadre), assignee=dept, deadline=at + timedelta(days=1), time_limit=_limit(policy)
        )
        at += timedelta(hours=1)
        issue.resolve(ctx(staff), summary=f"第{k + 1}轮处理")
        issue.publish_result(ctx(cadre), summary="结果公示", decision_published=True)
        for r in range(3):
            at += timedelta(minutes=10)
            resident = Actor(id=f"r-{k}-{r}", role=Role.RESIDENT, unit_id=unit)
            issue.evaluate(ctx(resident), score=2 if r == 0 else 5)
        k += 1
        if issue.version <= events_wanted // 2:
            middle = at
    app.store.save(issue)
    return issue.id, middle


def _limit(policy: Policy) -> Any:
    return policy.deadline_for(Scale.URGENT, None)


def _any_group(app: CoGov) -> list[Any]:
    from cogov.domain.unit import GovernanceUnit

    page = app.store.recorder.select_notifications(
        None, 50, topics=[GovernanceUnit.Established.TOPIC]
    )
    return [n.originator_id for n in page][-1:]
