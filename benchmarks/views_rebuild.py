"""Rebuild speed of the views on a SQLite file, in events per second.

    .venv/bin/python benchmarks/views_rebuild.py            # 10,000 issues ≈ 100,000 events
    COGOV_BENCH_ISSUES=20000 .venv/bin/python benchmarks/views_rebuild.py

The history is written straight through the aggregates (1,000 issues per save, views off),
then ``ViewRunner.rebuild()`` drops the view tables and replays the whole log. Each issue has
10 events: collected, triaged, fast-tracked, dispatched, resolved, result published, three
ratings, closed — across 50 groups in 10 villages. The events are real stored events; the
figure covers reading the log, decoding, projecting and writing the rows with the tracking
positions (one transaction per batch), on ``synchronous=NORMAL``. Wall time and this
process's CPU time are both printed: on a busy machine the CPU figure is the steadier one.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from cogov import (
    Actor,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    ManualClock,
    Role,
    Scale,
    UnitLevel,
    ViewRunner,
)
from cogov.domain.base import Context
from cogov.domain.issue import Issue
from cogov.domain.policybook import WHOLE_DEPLOYMENT


def build(url: str, issues: int) -> int:
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    app = CoGov(url, clock=clock, enforce_grants=False, views="off")
    admin = Actor(id="admin", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)
    county = app.establish_unit(admin, name="县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    groups = []
    for v in range(10):
        village = app.establish_unit(admin, name=f"村{v}", level=UnitLevel.VILLAGE, parent_id=town)
        for g in range(5):
            groups.append(
                app.establish_unit(
                    admin, name=f"村{v}组{g}", level=UnitLevel.GROUP, parent_id=village
                )
            )
    cadre = Actor(id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=county)
    staff = Actor(id="zj-1", role=Role.DEPARTMENT_STAFF, unit_id=county, organisation="zj")
    assignee = Assignee(kind=AssigneeKind.DEPARTMENT, id="zj", name="住建")
    policy = app.policy
    now = clock.now()
    batch: list[Issue] = []
    for n in range(issues):
        at = now + timedelta(minutes=n)
        ctx = Context(actor=cadre, now=at, policy=policy)
        issue = Issue.collect(
            ctx,
            id=uuid4(),
            unit_id=groups[n % len(groups)],
            channel=Channel.GRID_WORKER,
            raised_by=uuid4(),
            title=f"事项{n}",
            description="路灯不亮",
        )
        issue.triage(ctx, scale=Scale.URGENT, category="公共设施")
        issue.fast_track(ctx, reason="急事快办")
        issue.dispatch(
            ctx,
            assignee=assignee,
            deadline=at + timedelta(hours=24),
            time_limit=policy.deadline_for(Scale.URGENT, None),
        )
        later = Context(actor=staff, now=at + timedelta(hours=3), policy=policy)
        issue.resolve(later, summary="已修复")
        issue.publish_result(
            ctx, summary="已公开", households_benefiting=3, decision_published=True
        )
        for r in range(3):
            resident = Actor(id=f"r{n}-{r}", role=Role.RESIDENT, unit_id=groups[0])
            issue.evaluate(Context(actor=resident, now=at, policy=policy), score=5 - r % 2)
        batch.append(issue)
        if len(batch) == 1000:
            app.store.save(*batch)
            batch = []
    if batch:
        app.store.save(*batch)
    events = app.max_position()
    app.close()
    return events


def main() -> None:
    issues = int(os.environ.get("COGOV_BENCH_ISSUES", "10000"))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}?synchronous=NORMAL"
        started = time.perf_counter()
        events = build(url, issues)
        written = time.perf_counter() - started
        runner = ViewRunner(url)
        walls, cpus = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            replayed = runner.rebuild()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        runner.close()
    print(f"history: {events:,} events ({issues:,} issues) written in {written:.1f} s")
    for name, runs in (("wall", walls), ("cpu", cpus)):
        best, median = min(runs), sorted(runs)[1]
        print(
            f"rebuild on a SQLite file, {name} time: {replayed:,} events, best {best:.2f} s "
            f"({replayed / best:,.0f} events/s), median {median:.2f} s "
            f"({replayed / median:,.0f} events/s)"
        )


if __name__ == "__main__":
    sys.exit(main())
