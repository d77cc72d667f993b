"""A seeded synthetic workload modelled on DOMAIN.md.

A county split into townships, villages/communities and groups; residents with pseudonymous
UUIDs; issues that run the closed loop 民情收集 → 党群合议 → 协同破题 → 落实反馈 → 群众评判
with the scale mix of 小事/大事/急事 (60/25/15 %), meetings under quorum (两委会议 weekly for
small matters, 党员群众代表会议 with 1–2 topics for big ones, 急事 fast-tracked and reported to
the next meeting), returned dispatches (退单), chased orders (催办), reopenings after
dissatisfaction (重办), withdrawals and items rejected by the vote.

The workload is written once, as :func:`run_wave` over the :class:`Ops` protocol. Three
implementations play it: through :class:`cogov.CoGov` commands (the command path), straight
on the domain aggregates with many aggregates per save (bulk import), and on plain
eventsourcing (the comparison). The same seed gives the same decisions on every path.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from cogov.domain.values import Actor, Assignee, AssigneeKind, Channel, MeetingKind, Role, Scale

__all__ = [
    "SIZES",
    "Hierarchy",
    "IssuePlan",
    "Ops",
    "Size",
    "Village",
    "WaveStats",
    "plan_hierarchy",
    "plan_wave",
    "resolve_size",
    "run_wave",
    "waves",
]

#: Monday 2 March 2026, 09:00 Beijing time: the first day of the synthetic history.
EPOCH = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Size:
    """How big a run is. ``issues`` is the bulk-imported history; ``command_waves`` the sample
    played through the command path (one wave = one village's batch of issues + meetings)."""

    name: str
    townships: int
    villages_per_township: int
    groups_per_village: int
    issues: int
    command_waves: int
    raw_single_rows: int  # rows for the one-row-per-transaction physical baseline
    raw_batch_rows: int  # cap on rows for the one-transaction physical baseline
    plain_projection_events: int  # cap on events for the per-event projection baseline
    issues_per_wave: int = 6


SIZES: dict[str, Size] = {
    "ci": Size("ci", 2, 2, 2, 120, 3, 200, 2_000, 1_000),
    "small": Size("small", 5, 8, 4, 8_000, 25, 2_000, 100_000, 10_000),
    "1m": Size("1m", 12, 20, 6, 64_000, 25, 2_000, 200_000, 10_000),
    "10m": Size("10m", 30, 30, 8, 640_000, 25, 2_000, 200_000, 10_000),
}


def resolve_size(requested: str | None) -> Size:
    """``COGOV_BENCH_SIZE`` overrides the command line (so CI and ``make bench`` agree)."""
    name = os.environ.get("COGOV_BENCH_SIZE") or requested or "small"
    if name not in SIZES:
        raise SystemExit(f"unknown size {name!r}; choose one of {', '.join(SIZES)}")
    return SIZES[name]


# -- the hierarchy ----------------------------------------------------------------------
@dataclass
class Village:
    id: UUID
    name: str
    township_id: UUID
    county_id: UUID
    groups: list[UUID]
    residents: dict[UUID, list[UUID]]  # group → resident ids (pseudonymous)
    wave_no: int = 0


@dataclass
class Hierarchy:
    county: tuple[UUID, str]
    townships: list[tuple[UUID, str]]
    villages: list[Village]

    @property
    def unit_count(self) -> int:
        return 1 + len(self.townships) + sum(1 + len(v.groups) for v in self.villages)


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def plan_hierarchy(size: Size, seed: int) -> Hierarchy:
    rng = random.Random(f"{seed}-hierarchy")
    county = (_uuid(rng), "示范县")
    townships = [(_uuid(rng), f"第{t + 1}镇") for t in range(size.townships)]
    villages = []
    for t_id, t_name in townships:
        for v in range(size.villages_per_township):
            groups = [_uuid(rng) for _ in range(size.groups_per_village)]
            villages.append(
                Village(
                    id=_uuid(rng),
                    name=f"{t_name}{v + 1}村",
                    township_id=t_id,
                    county_id=county[0],
                    groups=groups,
                    residents={g: [_uuid(rng) for _ in range(20)] for g in groups},
                )
            )
    return Hierarchy(county=county, townships=townships, villages=villages)


# -- one issue's fate ---------------------------------------------------------------------
CATEGORIES = ["道路交通", "环境卫生", "水电气暖", "邻里纠纷", "公共设施", "养老托幼", "治安"]
CHANNELS = [
    Channel.GRID_WORKER,
    Channel.PARTY_HOUSEHOLD,
    Channel.ONLINE_GROUP,
    Channel.EVENING_TALK,
    Channel.HOTLINE,
    Channel.VISIT,
]
DEPARTMENTS = [("zhujian", "住建局"), ("minzheng", "民政局"), ("gongan", "公安局")]


@dataclass(frozen=True)
class IssuePlan:
    scale: Scale
    group: UUID
    raised_by: UUID
    channel: Channel
    category: str
    withdrawn: bool  # 撤回 before any meeting
    rejected_by_vote: bool  # the meeting votes it down → 不予受理
    returned: bool  # 退单 once, then re-dispatched
    chased: bool  # 催办 once before it is resolved
    reopen_rounds: int  # rounds of 重办 after dissatisfied ratings
    households: int


def _plan_issue(rng: random.Random, village: Village) -> IssuePlan:
    roll = rng.random()
    scale = Scale.MINOR if roll < 0.60 else Scale.MAJOR if roll < 0.85 else Scale.URGENT
    group = rng.choice(village.groups)
    return IssuePlan(
        scale=scale,
        group=group,
        raised_by=rng.choice(village.residents[group]),
        channel=rng.choice(CHANNELS),
        category=rng.choice(CATEGORIES),
        withdrawn=rng.random() < 0.02,
        rejected_by_vote=scale is not Scale.URGENT and rng.random() < 0.03,
        returned=rng.random() < 0.10,
        chased=rng.random() < 0.05,
        reopen_rounds=1 if rng.random() < 0.08 else 0,
        households=rng.randint(1, 300),
    )


@dataclass
class Wave:
    village: Village
    start: datetime
    issues: list[IssuePlan]
    rng_seed: int


def plan_wave(village: Village, rng: random.Random, issues: int) -> Wave:
    start = EPOCH + timedelta(days=7 * (village.wave_no % 40))
    village.wave_no += 1
    plans = [_plan_issue(rng, village) for _ in range(issues)]
    return Wave(village=village, start=start, issues=plans, rng_seed=rng.getrandbits(32))


def waves(hierarchy: Hierarchy, size: Size, seed: int, count: int) -> Iterator[Wave]:
    """``count`` waves, round-robin over the villages, each with ``issues_per_wave`` issues."""
    rng = random.Random(f"{seed}-waves")
    for n in range(count):
        village = hierarchy.villages[n % len(hierarchy.villages)]
        yield plan_wave(village, rng, size.issues_per_wave)


# -- what a player must offer -------------------------------------------------------------
class Ops(Protocol):
    """The commands of the workload, each at an explicit moment ``at``."""

    def collect(
        self,
        at: datetime,
        actor: Actor,
        *,
        unit_id: UUID,
        channel: Channel,
        raised_by: UUID,
        title: str,
        description: str,
    ) -> UUID: ...

    def triage(
        self, at: datetime, actor: Actor, issue_id: UUID, *, scale: Scale, category: str
    ) -> None: ...

    def withdraw(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None: ...

    def fast_track(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None: ...

    def schedule_meeting(
        self,
        at: datetime,
        actor: Actor,
        *,
        unit_id: UUID,
        kind: MeetingKind,
        title: str,
        roster_size: int,
        scheduled_for: datetime,
        chair_id: str,
    ) -> UUID: ...

    def publish_agenda(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, topics: list[tuple[str, UUID]]
    ) -> None: ...

    def convene(self, at: datetime, actor: Actor, meeting_id: UUID, *, present: int) -> None: ...

    def record_vote(
        self,
        at: datetime,
        actor: Actor,
        meeting_id: UUID,
        *,
        item_no: int,
        votes_for: int,
        votes_against: int,
        abstentions: int,
    ) -> bool: ...

    def deliberate(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None: ...

    def report_fast_track(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None: ...

    def reject(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None: ...

    def publish_minutes(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, summary: str
    ) -> None: ...

    def close_meeting(self, at: datetime, actor: Actor, meeting_id: UUID) -> None: ...

    def dispatch(
        self, at: datetime, actor: Actor, issue_id: UUID, *, assignee: Assignee
    ) -> datetime: ...

    def return_issue(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None: ...

    def chase(self, at: datetime, actor: Actor, issue_id: UUID) -> None: ...

    def resolve(self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str) -> None: ...

    def publish_result(
        self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str, households: int
    ) -> None: ...

    def evaluate(self, at: datetime, actor: Actor, issue_id: UUID, *, score: int) -> None: ...


@dataclass
class WaveStats:
    issues: int = 0
    meetings: int = 0
    commands: int = 0
    by_scale: dict[str, int] = field(default_factory=dict)


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def run_wave(ops: Ops, wave: Wave, stats: WaveStats) -> None:
    """Play one village's batch: collect and triage, deliberate at the meetings the scale
    calls for (急事 fast-tracked and reported), dispatch, return, chase, resolve, publish,
    rate, reopen."""
    v = wave.village
    rng = random.Random(wave.rng_seed)
    t0 = wave.start
    grid = Actor(id=f"gw-{v.id.hex[:8]}", role=Role.GRID_WORKER, unit_id=v.id)
    cadre = Actor(id=f"sec-{v.id.hex[:8]}", role=Role.COMMITTEE_MEMBER, unit_id=v.id)
    n = 0

    def count(k: int = 1) -> None:
        nonlocal n
        n += k

    ids: list[UUID] = []
    for i, plan in enumerate(wave.issues):
        at = t0 + timedelta(minutes=10 * i)
        issue_id = ops.collect(
            at,
            grid,
            unit_id=plan.group,
            channel=plan.channel,
            raised_by=plan.raised_by,
            title=f"{plan.category}问题",
            description=f"{v.name}群众反映{plan.category}方面的问题，请求协调解决。",
        )
        ops.triage(at + HOUR, cadre, issue_id, scale=plan.scale, category=plan.category)
        count(2)
        ids.append(issue_id)
        stats.by_scale[plan.scale.value] = stats.by_scale.get(plan.scale.value, 0) + 1
    stats.issues += len(ids)

    live: list[tuple[UUID, IssuePlan]] = []
    for issue_id, plan in zip(ids, wave.issues, strict=True):
        if plan.withdrawn:
            ops.withdraw(t0 + 2 * HOUR, grid, issue_id, reason="群众已自行解决，撤回")
            count()
        else:
            live.append((issue_id, plan))

    # 急事快议: act at once, report to the next two-committee meeting
    urgent = [(i, p) for i, p in live if p.scale is Scale.URGENT]
    for issue_id, _ in urgent:
        ops.fast_track(t0 + 2 * HOUR, cadre, issue_id, reason="涉及群众安全，先行处置")
        count()

    # 小事小议 at the weekly 两委会议 (with urgent reports); 大事大议 at 代表会议 (1–2 topics)
    minor = [(i, p) for i, p in live if p.scale is Scale.MINOR]
    major = [(i, p) for i, p in live if p.scale is Scale.MAJOR]
    sittings: list[tuple[MeetingKind, list[tuple[UUID, IssuePlan]], int]] = []
    if minor or urgent:
        sittings.append((MeetingKind.TWO_COMMITTEES, minor + urgent, 7))
    for k in range(0, len(major), 2):
        sittings.append((MeetingKind.REPRESENTATIVES, major[k : k + 2], 30))

    outcome: dict[UUID, bool] = {}
    for kind, items, roster in sittings:
        meet_at = t0 + 5 * DAY
        meeting_id = ops.schedule_meeting(
            t0 + 3 * HOUR,
            cadre,
            unit_id=v.id,
            kind=kind,
            title=f"{v.name}{kind.label_zh}",
            roster_size=roster,
            scheduled_for=meet_at,
            chair_id=cadre.id,
        )
        ops.publish_agenda(
            t0 + 3 * HOUR,
            cadre,
            meeting_id,
            topics=[(f"议题：{p.category}", i) for i, p in items],
        )
        present = roster - rng.randint(0, roster // 4)
        ops.convene(meet_at, cadre, meeting_id, present=present)
        count(3)
        for item_no, (issue_id, plan) in enumerate(items, 1):
            if plan.scale is Scale.URGENT:
                ops.record_vote(
                    meet_at,
                    cadre,
                    meeting_id,
                    item_no=item_no,
                    votes_for=present,
                    votes_against=0,
                    abstentions=0,
                )
                ops.report_fast_track(
                    meet_at, cadre, issue_id, meeting_id=meeting_id, item_no=item_no
                )
                count(2)
                continue
            against = present if plan.rejected_by_vote else rng.randint(0, present // 4)
            adopted = ops.record_vote(
                meet_at,
                cadre,
                meeting_id,
                item_no=item_no,
                votes_for=present - against,
                votes_against=against,
                abstentions=0,
            )
            count()
            outcome[issue_id] = adopted
            if adopted:
                ops.deliberate(meet_at, cadre, issue_id, meeting_id=meeting_id, item_no=item_no)
            else:
                ops.reject(meet_at, cadre, issue_id, reason="会议表决未通过，不予受理")
            count()
        ops.publish_minutes(meet_at + HOUR, cadre, meeting_id, summary="会议决定已公开")
        ops.close_meeting(meet_at + 2 * HOUR, cadre, meeting_id)
        count(2)
        stats.meetings += 1

    # 协同破题 → 落实反馈 → 群众评判
    for issue_id, plan in live:
        if plan.scale is not Scale.URGENT and not outcome.get(issue_id, False):
            continue
        start = t0 + 3 * HOUR if plan.scale is Scale.URGENT else t0 + 5 * DAY + 3 * HOUR
        n += _carry_out(ops, rng, v, cadre, issue_id, plan, start)
    stats.commands += n


def _carry_out(
    ops: Ops,
    rng: random.Random,
    v: Village,
    cadre: Actor,
    issue_id: UUID,
    plan: IssuePlan,
    start: datetime,
) -> int:
    n = 0
    code, name = rng.choice(DEPARTMENTS)
    staff = Actor(
        id=f"{code}-1", role=Role.DEPARTMENT_STAFF, unit_id=v.county_id, organisation=code
    )
    council = Actor(
        id=f"council-{v.id.hex[:6]}",
        role=Role.COUNCIL_MEMBER,
        unit_id=v.id,
        organisation=f"council-{v.id.hex[:6]}",
    )
    committee = Assignee(kind=AssigneeKind.COUNCIL, id=council.id, name=f"{v.name}理事会")
    department = Assignee(kind=AssigneeKind.DEPARTMENT, id=code, name=name)
    at = start
    for round_no in range(plan.reopen_rounds + 1):
        first, handler = (department, staff) if round_no == 0 else (committee, council)
        if round_no == 0 and plan.returned:
            ops.dispatch(at, cadre, issue_id, assignee=first)
            at += 4 * HOUR
            ops.return_issue(at, handler, issue_id, reason="不属于本部门职责，退回重派")
            at += HOUR
            first, handler = committee, council
            n += 2
        deadline = ops.dispatch(at, cadre, issue_id, assignee=first)
        n += 1
        if plan.chased and round_no == 0:
            at = deadline + HOUR
            ops.chase(at, cadre, issue_id)
            n += 1
        at += timedelta(hours=rng.randint(2, 40)) if at < deadline else HOUR
        ops.resolve(at, handler, issue_id, summary="已协调处理完毕")
        at += HOUR
        ops.publish_result(
            at, cadre, issue_id, summary="处理结果已公示", households=plan.households
        )
        n += 2
        unhappy = round_no < plan.reopen_rounds
        raters = rng.sample(v.residents[plan.group], 3)
        for k, resident in enumerate(raters):
            at += HOUR
            score = 2 if unhappy and k == 0 else rng.choice((4, 5, 5))
            ops.evaluate(
                at,
                Actor(id=str(resident), role=Role.RESIDENT, unit_id=plan.group),
                issue_id,
                score=score,
            )
            n += 1
        at += DAY
    return n
