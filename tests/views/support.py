"""A small district to build histories in, and helpers to compare view tables row for row.

The application runs in the trusted-caller mode (``enforce_grants=False``): these tests are
about the views, not about who may act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select

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
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.views import tables as t

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 Beijing

ADMIN = Actor(id="admin", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)
ZHUJIAN = Assignee(kind=AssigneeKind.DEPARTMENT, id="zhujian", name="县住建局")
MINZHENG = Assignee(kind=AssigneeKind.DEPARTMENT, id="minzheng", name="县民政局")


@dataclass
class District:
    """黄梅县 → 某镇 → 渡河村 (组: 渡河村1组) and 白羊社区 (组: 白羊1组)."""

    app: CoGov
    clock: ManualClock
    county: UUID
    town: UUID
    village_a: UUID
    group_a: UUID
    village_b: UUID
    group_b: UUID

    @classmethod
    def build(cls, url: str | None, clock: ManualClock | None = None, **options: Any) -> District:
        clock = clock or ManualClock(START)
        app = CoGov(url, clock=clock, enforce_grants=False, **options)
        county = app.establish_unit(ADMIN, name="黄梅县", level=UnitLevel.COUNTY)
        town = app.establish_unit(ADMIN, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
        village_a = app.establish_unit(
            ADMIN, name="渡河村", level=UnitLevel.VILLAGE, parent_id=town
        )
        group_a = app.establish_unit(
            ADMIN, name="渡河村1组", level=UnitLevel.GROUP, parent_id=village_a, households=120
        )
        village_b = app.establish_unit(
            ADMIN, name="白羊社区", level=UnitLevel.VILLAGE, parent_id=town
        )
        group_b = app.establish_unit(
            ADMIN, name="白羊1组", level=UnitLevel.GROUP, parent_id=village_b
        )
        return cls(app, clock, county, town, village_a, group_a, village_b, group_b)

    # -- people -------------------------------------------------------------------------
    @property
    def cadre(self) -> Actor:
        return Actor(id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=self.county)

    @property
    def grid(self) -> Actor:
        return Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=self.county)

    def staff(self, assignee: Assignee) -> Actor:
        return Actor(
            id=f"{assignee.id}-1",
            role=Role.DEPARTMENT_STAFF,
            unit_id=self.county,
            organisation=assignee.id,
        )

    def resident(self, unit: UUID) -> Actor:
        return Actor(id=str(uuid4()), role=Role.RESIDENT, unit_id=unit)

    # -- the loop -------------------------------------------------------------------------
    def collect(self, unit: UUID, title: str = "路灯不亮") -> UUID:
        return self.app.collect_issue(
            self.grid,
            unit_id=unit,
            channel=Channel.GRID_WORKER,
            raised_by=uuid4(),
            title=title,
            description=f"{title}，请处理",
        )

    def urgent(self, unit: UUID, assignee: Assignee = ZHUJIAN, title: str = "燃气泄漏") -> UUID:
        """急事快议: collected, triaged 急事, fast-tracked and dispatched (24 hours)."""
        issue = self.collect(unit, title)
        self.app.triage_issue(self.cadre, issue, scale=Scale.URGENT, category="安全")
        self.app.fast_track_issue(self.cadre, issue, reason="情况紧急，先行处置")
        self.app.dispatch_issue(self.cadre, issue, assignee=assignee)
        return issue

    def resolve(self, issue: UUID, assignee: Assignee = ZHUJIAN) -> None:
        self.app.resolve_issue(self.staff(assignee), issue, summary="已处置完毕")

    def publish(self, issue: UUID, households: int = 0) -> None:
        self.app.publish_result(
            self.cadre, issue, summary="处置结果公开", households_benefiting=households
        )

    def rate(self, issue: UUID, unit: UUID, *scores: int) -> None:
        for score in scores:
            self.app.evaluate_issue(self.resident(unit), issue, score=score)

    def close(self) -> None:
        self.app.close()


def dump(runner: ViewRunner) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table (tracking positions aside), sorted: for comparing a live
    view with a rebuilt one row for row."""
    tables = [table for p in runner.projections for table in p.tables]
    result: dict[str, list[tuple[Any, ...]]] = {}
    with runner.engine.connect() as conn:
        for table in tables:
            rows = conn.execute(select(table)).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result


def tracked(runner: ViewRunner) -> dict[str, int]:
    with runner.engine.connect() as conn:
        rows = conn.execute(select(t.tracking.c.projection, t.tracking.c.position)).all()
    return {str(name): int(position) for name, position in rows}
