"""What the report shows, asked of the views through the public queries (五共, 三率, 三张清单,
每月调度) — the report adds no figure of its own, it only arranges them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from cogov.app.records import UnitRecord
from cogov.application import CoGov
from cogov.domain.values import UnitLevel
from cogov.report.directory import UnitDirectory, unit_directory
from cogov.views.models import (
    FiveCoStatus,
    MonthlySchedule,
    Rate,
    ResponsibilityItem,
    TaskItem,
    ThreeRates,
)

__all__ = ["ReportData", "Row", "collect_report", "months_between"]

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Row:
    """One unit (a township, a county) with its figures."""

    unit: UnitRecord
    label: str
    five_co: FiveCoStatus
    rates: ThreeRates
    monthly: dict[str, MonthlySchedule]
    monthly_rates: dict[str, ThreeRates]

    def flow(self, key: str) -> int:
        return sum(int(getattr(m, key)) for m in self.monthly.values())


@dataclass(frozen=True)
class DepartmentRow:
    key: str
    name: str
    rates: ThreeRates
    monthly_rates: dict[str, ThreeRates]
    load: ResponsibilityItem


@dataclass
class ReportData:
    title: str
    as_of: datetime
    events: int
    labour_day_value: Decimal
    months: list[str]
    counties: list[Row]
    townships: list[Row]
    departments: list[DepartmentRow]
    overdue: list[tuple[str, TaskItem]] = field(default_factory=list)  # (unit path, task)
    directory: UnitDirectory | None = None

    @property
    def district(self) -> dict[str, int | Decimal]:
        """The whole store at a glance (sums over the top units)."""
        rows = self.counties

        def total(get: Callable[[FiveCoStatus], int | Decimal]) -> int | Decimal:
            return sum((get(r.five_co) for r in rows), 0)

        return {
            "collected": total(lambda f: f.co_planning.collected),
            "decided": total(lambda f: f.co_planning.deliberated + f.co_planning.fast_tracked),
            "meetings": total(lambda f: f.co_planning.meetings_held),
            "dispatched": total(lambda f: f.co_building.dispatched),
            "projects": total(lambda f: f.co_building.projects),
            "money": total(lambda f: f.co_building.money_received),
            "rewards": total(lambda f: f.co_building.rewards),
            "inspections": total(lambda f: f.co_managing.inspections),
            "conventions": total(lambda f: f.co_managing.conventions),
            "overdue": total(lambda f: f.co_managing.overdue),
            "ratings": total(lambda f: f.co_evaluating.ratings),
            "satisfied": total(lambda f: f.co_evaluating.satisfied),
            "reopened": total(lambda f: f.co_evaluating.reopened),
            "published": total(lambda f: f.co_sharing.results_published),
            "households": total(lambda f: f.co_sharing.households_benefiting),
        }

    def district_rates(self) -> tuple[Rate, Rate, Rate]:
        def combine(pick: Callable[[ThreeRates], Rate]) -> Rate:
            return Rate(
                numerator=sum(pick(r.rates).numerator for r in self.counties),
                denominator=sum(pick(r.rates).denominator for r in self.counties),
            )

        return (
            combine(lambda r: r.response),
            combine(lambda r: r.resolution),
            combine(lambda r: r.satisfaction),
        )


def months_between(first: datetime, last: datetime) -> list[str]:
    """Every month "YYYY-MM" (Beijing) from ``first`` to ``last`` inclusive."""
    a, b = first.astimezone(BEIJING), last.astimezone(BEIJING)
    year, month = a.year, a.month
    found = []
    while (year, month) <= (b.year, b.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _sum_rates(parts: list[ThreeRates], key: str, name: str, month: str | None) -> ThreeRates:
    def add(pick: Callable[[ThreeRates], Rate]) -> Rate:
        return Rate(
            numerator=sum(pick(p).numerator for p in parts),
            denominator=sum(pick(p).denominator for p in parts),
        )

    return ThreeRates(
        key=key,
        name=name,
        month=month,
        response=add(lambda r: r.response),
        resolution=add(lambda r: r.resolution),
        satisfaction=add(lambda r: r.satisfaction),
    )


def collect_report(
    app: CoGov,
    *,
    title: str = "共同缔造 · 治理一览",
    overdue_limit: int = 30,
    on_step: Callable[[str], None] | None = None,
) -> ReportData:
    """Ask the views for every figure the report shows."""
    directory = unit_directory(app)
    now = app.clock.now()
    first = app.events_since(0, 1)
    last = app.events_since(max(app.max_position() - 1, 0), 1)
    months = months_between(first[0][1].timestamp, min(now, last[0][1].timestamp)) if last else []

    def row(unit: UnitRecord) -> Row:
        row = Row(
            unit=unit,
            label=_label(directory, unit),
            five_co=app.five_co_status(unit.id),
            rates=app.rates(unit.id),
            monthly={m: app.monthly_schedule(unit.id, m) for m in months},
            monthly_rates={m: app.rates(unit.id, m) for m in months},
        )
        if on_step is not None:
            on_step(unit.name)
        return row

    counties = [row(u) for u in directory.roots()]
    townships = [row(u) for u in directory.at_level(UnitLevel.TOWNSHIP)]

    loads: dict[str, list[ResponsibilityItem]] = {}
    for county in directory.roots():
        offset: int | None = 0
        items: list[ResponsibilityItem] = []
        while offset is not None:
            page = app.responsibility_list(county.id, offset=offset, limit=200)
            items.extend(page.items)
            offset = page.next_offset
        for item in items:
            if item.assignee_kind == "department":
                loads.setdefault(item.assignee_id, []).append(item)
    departments: list[DepartmentRow] = []
    for key in sorted(loads):
        parts = loads[key]
        name = parts[0].assignee_name
        load = ResponsibilityItem(
            assignee_id=key,
            assignee_name=name,
            assignee_kind="department",
            owned=sum(i.owned for i in parts),
            open=sum(i.open for i in parts),
            done=sum(i.done for i in parts),
            done_late=sum(i.done_late for i in parts),
            returned=sum(i.returned for i in parts),
            overdue=sum(i.overdue for i in parts),
        )
        per_county = [
            r for c in directory.roots() for r in app.assignee_rates(c.id) if r.key == key
        ]
        monthly = {
            m: _sum_rates(
                [r for c in directory.roots() for r in app.assignee_rates(c.id, m) if r.key == key],
                key,
                name,
                m,
            )
            for m in months
        }
        departments.append(
            DepartmentRow(
                key=key,
                name=name,
                rates=_sum_rates(per_county, key, name, None),
                monthly_rates=monthly,
                load=load,
            )
        )
        if on_step is not None:
            on_step(name)

    overdue: list[tuple[str, TaskItem]] = []
    for county in directory.roots():
        tasks = app.task_list(county.id, overdue_only=True, limit=overdue_limit)
        overdue.extend((directory.path(directory.by_id(t.unit_id)), t) for t in tasks.items)
    overdue.sort(key=lambda pair: pair[1].deadline)
    return ReportData(
        title=title,
        as_of=now,
        events=app.max_position(),
        labour_day_value=app.policy.labour_day_value,
        months=months,
        counties=counties,
        townships=townships,
        departments=departments,
        overdue=overdue[:overdue_limit],
        directory=directory,
    )


def _label(directory: UnitDirectory, unit: UnitRecord) -> str:
    county = directory.ancestor_at(unit, UnitLevel.COUNTY)
    if county is None or county.id == unit.id:
        return unit.name
    return f"{county.name}·{unit.name}"
