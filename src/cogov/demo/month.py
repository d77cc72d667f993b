"""A generated month of ordinary activity across the whole district (seeded, repeatable).

Concerns arrive every day in every group (more on weekdays); cadres triage them; urgent
matters are fast-tracked (急事快议) and reported to the next meeting; small matters wait for
the village's weekly two-committee meeting (小事小议); big ones go to the monthly
representatives' meeting, two topics at most (大事大议). Decided matters are dispatched to a
responsible cadre (包干), a council or a department (派单); a few orders go to the wrong
department and come back (退单); late ones are chased (催办); results are published and
rated, and a dissatisfied verdict reopens the matter (重办). Some residents withdraw, some
concerns are duplicates (merged) or out of scope (rejected). Whatever is still in hand when
the window ends stays open — the lists show it.

Every step goes through the public commands, on a :class:`~cogov.clock.ManualClock` moved
forward event by event, so the history is exactly what a real month would have recorded.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from cogov.app.meetings import AgendaTopic
from cogov.application import CoGov
from cogov.demo.district import DEPARTMENTS, District, Village
from cogov.demo.loop import clock_of
from cogov.domain.issue import IssueStatus
from cogov.domain.values import (
    Actor,
    Assignee,
    AssigneeKind,
    Channel,
    MeetingKind,
    Role,
    Scale,
)

__all__ = ["CATALOGUE", "MonthFacts", "generate_month"]

BEIJING = ZoneInfo("Asia/Shanghai")

#: category → (titles, weights of (小事, 急事, 大事), who handles it: a department code or None)
CATALOGUE: dict[str, tuple[tuple[str, ...], tuple[int, int, int], str | None]] = {
    "环境卫生": (
        ("垃圾清运不及时", "楼道堆放杂物", "绿化带无人管护", "公厕卫生差", "河塘水面漂浮物"),
        (90, 5, 5),
        None,
    ),
    "道路交通": (
        ("路面坑洼积水", "路灯不亮", "停车位不足", "村道破损", "无障碍坡道缺失"),
        (70, 10, 20),
        "住建局",
    ),
    "水电气暖": (
        ("自来水水压低", "停水未提前通知", "燃气管道老化", "电线私拉乱接", "暖气不热"),
        (20, 75, 5),
        "水务局",
    ),
    "违章建筑": (("私搭乱建占用公共空间", "占道经营", "楼顶违建"), (80, 5, 15), "城管局"),
    "治安": (("电动车被盗", "夜间聚集喧哗", "电信诈骗风险", "楼道监控损坏"), (60, 35, 5), "公安局"),
    "邻里纠纷": (("宅基地边界纠纷", "楼上漏水纠纷", "宠物扰邻"), (85, 10, 5), "政法委"),
    "社会救助": (("低保申请咨询", "独居老人照护", "残疾人补贴未到账"), (80, 15, 5), "民政局"),
    "公共设施": (
        ("健身器材损坏", "缺少休闲座椅", "老旧小区加装电梯", "文化广场改造"),
        (60, 5, 35),
        None,
    ),
    "噪音": (("商铺音响扰民", "夜间施工噪音", "广场舞音量过大"), (80, 15, 5), "城管局"),
}

_SCALES = (Scale.MINOR, Scale.URGENT, Scale.MAJOR)
_CHANNELS = (
    (Channel.GRID_WORKER, 40),
    (Channel.PARTY_HOUSEHOLD, 15),
    (Channel.ONLINE_GROUP, 15),
    (Channel.HOTLINE, 15),
    (Channel.EVENING_TALK, 8),
    (Channel.VISIT, 7),
)


@dataclass
class MonthFacts:
    """What the generated month did, counted as it happened (the tests compare them with
    the stored history)."""

    seed: int
    start: datetime
    end: datetime
    collected: int = 0
    merged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    fast_tracked: int = 0
    deliberated: int = 0
    dispatched: int = 0
    returned: int = 0
    chased: int = 0
    resolved: int = 0
    published: int = 0
    closed: int = 0
    reopened: int = 0
    meetings: int = 0
    by_scale: Counter[str] = field(default_factory=Counter)
    by_department: Counter[str] = field(default_factory=Counter)


@dataclass
class _Case:
    id: UUID
    village: Village
    group: UUID
    category: str
    scale: Scale
    department: str | None
    handler: Assignee | None = None
    raised_by: UUID | None = None


class _Month:
    def __init__(self, app: CoGov, district: District, seed: int, issues: int, days: int) -> None:
        self.app = app
        self.district = district
        self.clock = clock_of(app)
        self.rng = random.Random(seed)
        self.issues = issues
        self.days = days
        self.start = _next_monday(self.clock.now())
        # concerns arrive for ``days`` days; the work on them goes on three weeks more
        self.end = self.start + timedelta(days=days + 21)
        self.facts = MonthFacts(seed=seed, start=self.start, end=self.end)
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.minor_queue: dict[str, list[_Case]] = defaultdict(list)
        self.major_queue: dict[str, list[_Case]] = defaultdict(list)
        self.reports: dict[str, list[_Case]] = defaultdict(list)
        self.recent: dict[UUID, list[UUID]] = defaultdict(list)  # group → recent issues
        self.council_members: dict[str, Actor] = {}

    # -- the scheduler -----------------------------------------------------------------
    def at(self, when: datetime, action: Callable[[], None]) -> None:
        if when <= self.end:
            heapq.heappush(self._queue, (when, next(self._seq), action))

    def run(self) -> MonthFacts:
        self._plan_arrivals()
        self._plan_meetings()
        while self._queue:
            when, _, action = heapq.heappop(self._queue)
            self.clock.set(max(self.clock.now(), when))
            action()
        self.clock.set(max(self.clock.now(), self.end))
        return self.facts

    # -- arrivals ----------------------------------------------------------------------
    def _plan_arrivals(self) -> None:
        weights = [3 if (self.start + timedelta(days=d)).weekday() < 5 else 1 for d in range(30)]
        weights = weights[: self.days]
        groups = [
            (village, gid)
            for village in self.district.villages.values()
            for gid in village.groups.values()
        ]
        days = self.rng.choices(range(self.days), weights=weights, k=self.issues)
        for n, day in enumerate(sorted(days)):
            village, group = self.rng.choice(groups)
            when = self.start + timedelta(days=day, hours=self.rng.uniform(-1, 11))
            self.at(when, self._arrival(n, village, group))

    def _arrival(self, n: int, village: Village, group: UUID) -> Callable[[], None]:
        def collect() -> None:
            rng = self.rng
            category = rng.choice(list(CATALOGUE))
            titles, scale_weights, department = CATALOGUE[category]
            title = rng.choice(titles)
            channel = rng.choices([c for c, _ in _CHANNELS], [w for _, w in _CHANNELS])[0]
            raised_by = self.district.resident_id(group, rng.randrange(6))
            collector = village.grid_worker
            if channel in (Channel.HOTLINE, Channel.ONLINE_GROUP, Channel.VISIT):
                collector = Actor(id=str(raised_by), role=Role.RESIDENT, unit_id=group)
            issue_id = self.app.collect_issue(
                collector,
                unit_id=group,
                channel=channel,
                raised_by=raised_by,
                title=title,
                description=f"{title}（{self.app.unit(group).name}居民反映）",
            )
            self.facts.collected += 1
            scale = rng.choices(_SCALES, scale_weights)[0]
            case = _Case(issue_id, village, group, category, scale, department, raised_by=raised_by)
            roll = rng.random()
            recent = [i for i in self.recent[group] if self.app.issue(i).status.is_open]
            if roll < 0.03 and recent:
                self.later(hours=rng.uniform(1, 6), action=lambda: self._merge(case, recent[-1]))
            elif roll < 0.05:
                self.later(hours=rng.uniform(2, 30), action=lambda: self._withdraw(case))
            else:
                self.recent[group].append(issue_id)
                slow = rng.random() < 0.08
                delay = rng.uniform(26, 60) if slow else rng.uniform(0.2, 6)
                if scale is Scale.URGENT and not slow:
                    delay = rng.uniform(0.1, 1.5)
                self.later(hours=delay, action=lambda: self._triage(case, reject=roll < 0.065))

        return collect

    def later(self, *, hours: float, action: Callable[[], None]) -> None:
        self.at(self.clock.now() + timedelta(hours=hours), action)

    def _merge(self, case: _Case, primary: UUID) -> None:
        if not self.app.issue(primary).status.is_open:
            self._triage(case, reject=False)
            return
        self.app.merge_issues(case.village.cadre, case.id, into=primary)
        self.facts.merged += 1

    def _withdraw(self, case: _Case) -> None:
        assert case.raised_by is not None
        resident = Actor(id=str(case.raised_by), role=Role.RESIDENT, unit_id=case.group)
        self.app.withdraw_issue(resident, case.id, reason="问题已自行解决，撤回诉求")
        self.facts.withdrawn += 1

    def _triage(self, case: _Case, *, reject: bool) -> None:
        cadre = case.village.cadre
        if reject:
            self.app.reject_issue(
                cadre, case.id, reason="属于民事合同纠纷，不属于社区受理范围，已告知司法途径"
            )
            self.facts.rejected += 1
            return
        self.app.triage_issue(cadre, case.id, scale=case.scale, category=case.category)
        self.facts.by_scale[str(case.scale)] += 1
        if case.scale is Scale.URGENT:
            self.later(hours=self.rng.uniform(0.1, 0.5), action=lambda: self._fast_track(case))
        elif case.scale is Scale.MAJOR:
            self.major_queue[case.village.name].append(case)
        else:
            self.minor_queue[case.village.name].append(case)

    def _fast_track(self, case: _Case) -> None:
        self.app.fast_track_issue(case.village.cadre, case.id, reason="急事快议：先处置、后报告")
        self.facts.fast_tracked += 1
        self.reports[case.village.name].append(case)
        self._dispatch(case)

    # -- meetings ----------------------------------------------------------------------
    def _plan_meetings(self) -> None:
        villages = sorted(self.district.villages.values(), key=lambda v: v.name)
        monday = self.start
        while monday < self.end:  # 两委 meet weekly
            for k, village in enumerate(villages):
                self.at(monday + timedelta(minutes=30 + k), self._weekly(village, monday, k))
            monday += timedelta(days=7)
        first = self.start + timedelta(days=18, hours=1)
        while first < self.end:  # the representatives monthly, agenda public days ahead
            for k, village in enumerate(villages):
                publish = first + timedelta(minutes=k)
                self.at(publish, self._monthly(village, publish))
            first += timedelta(days=28)

    def _weekly(self, village: Village, monday: datetime, k: int) -> Callable[[], None]:
        def publish() -> None:
            cases = self.minor_queue.pop(village.name, [])
            reports = self.reports.pop(village.name, [])
            if not cases and not reports:
                return
            meeting = self._open_meeting(
                village,
                kind=MeetingKind.TWO_COMMITTEES,
                title=f"两委例会 {monday.astimezone(BEIJING):%m月%d日}",
                when=monday + timedelta(hours=2, minutes=k),
                roster=village.committee_size,
                cases=cases + reports,
            )
            self.at(
                monday + timedelta(hours=2, minutes=k),
                lambda: self._decide(village, meeting, cases + reports, present=6),
            )

        return publish

    def _monthly(self, village: Village, publish_at: datetime) -> Callable[[], None]:
        def publish() -> None:
            queue = self.major_queue.get(village.name, [])
            cases, self.major_queue[village.name] = queue[:2], queue[2:]
            if not cases:
                return
            when = publish_at + timedelta(days=4, hours=10)  # an evening talk, 3+ days' notice
            meeting = self._open_meeting(
                village,
                kind=MeetingKind.REPRESENTATIVES,
                title=f"党员群众代表会议 {when.astimezone(BEIJING):%m月}",
                when=when,
                roster=village.representatives,
                cases=cases,
            )
            present = village.representatives - self.rng.randint(0, 4)
            self.at(when, lambda: self._decide(village, meeting, cases, present=present))

        return publish

    def _open_meeting(
        self,
        village: Village,
        *,
        kind: MeetingKind,
        title: str,
        when: datetime,
        roster: int,
        cases: list[_Case],
    ) -> UUID:
        cadre = village.cadre
        meeting = self.app.schedule_meeting(
            cadre,
            unit_id=village.id,
            kind=kind,
            title=title,
            roster_size=roster,
            scheduled_for=when,
            chair_id=cadre.id,
        )
        topics = [AgendaTopic(topic=self.app.issue(c.id).title, issue_id=c.id) for c in cases]
        self.app.publish_agenda(cadre, meeting, topics=topics)
        self.facts.meetings += 1
        return meeting

    def _decide(self, village: Village, meeting: UUID, cases: list[_Case], *, present: int) -> None:
        cadre = village.cadre
        self.app.convene_meeting(cadre, meeting, present=present)
        adopted: list[_Case] = []
        for item_no, case in enumerate(cases, 1):
            reject = self.rng.random() < 0.04
            votes_for = present // 2 if reject else present - self.rng.randint(0, 2)
            outcome = self.app.record_vote(
                cadre,
                meeting,
                item_no=item_no,
                votes_for=votes_for,
                votes_against=present - votes_for,
            )
            record = self.app.issue(case.id)
            if record.fast_track_pending_report:
                self.app.report_fast_track(cadre, case.id, meeting_id=meeting, item_no=item_no)
            elif outcome.adopted:
                self.app.deliberate_issue(cadre, case.id, meeting_id=meeting, item_no=item_no)
                self.facts.deliberated += 1
                adopted.append(case)
            else:  # not carried: back on next week's agenda
                queue = self.major_queue if case.scale is Scale.MAJOR else self.minor_queue
                queue[village.name].append(case)
        self.app.publish_minutes(
            cadre, meeting, summary=f"审议{len(cases)}项，通过{len(adopted)}项，结果公开"
        )
        self.app.close_meeting(cadre, meeting)
        for case in adopted:
            self._dispatch(case)

    # -- solving -----------------------------------------------------------------------
    def _dispatch(self, case: _Case, *, wrong_first: bool | None = None) -> None:
        rng = self.rng
        if case.handler is None:
            case.handler = self._handler(case)
        assignee = case.handler
        if wrong_first is None:
            wrong_first = assignee.kind is AssigneeKind.DEPARTMENT and rng.random() < 0.08
        if wrong_first:
            other = rng.choice([d for d in DEPARTMENTS if d != assignee.id])
            assignee = District.department(other)
        deadline = self.app.dispatch_issue(case.village.cadre, case.id, assignee=assignee)
        self.facts.dispatched += 1
        if assignee.kind is AssigneeKind.DEPARTMENT:
            self.facts.by_department[assignee.id] += 1
        if wrong_first:
            self.later(hours=rng.uniform(3, 20), action=lambda: self._return(case, assignee))
            return
        hours = self._handling_hours(case)
        done = self.clock.now() + timedelta(hours=hours)
        if done > deadline:
            chase_at = deadline + timedelta(hours=9, minutes=30)
            self.at(chase_at, lambda: self._chase(case))
        if rng.random() < 0.03:
            return  # still in hand when the month ends: an open, overdue order
        self.at(done, lambda: self._resolve(case))

    def _handler(self, case: _Case) -> Assignee:
        roll = self.rng.random()
        if case.department is not None and (case.scale is Scale.MAJOR or roll < 0.55):
            return District.department(case.department)
        if roll < 0.85:
            cadre = case.village.cadre
            return Assignee(
                kind=AssigneeKind.CADRE, id=cadre.id, name=f"{case.village.name}包干干部"
            )
        return Assignee(
            kind=AssigneeKind.COUNCIL,
            id=f"{case.village.name}-议事会",
            name=f"{case.village.name}居民议事会",
        )

    def _handling_hours(self, case: _Case) -> float:
        rng = self.rng
        if case.scale is Scale.URGENT or case.category == "水电气暖":
            return rng.uniform(1, 30)
        late = rng.random() < 0.2  # the long tail that runs past the deadline
        if case.scale is Scale.MAJOR:
            return 24 * (rng.uniform(20, 30) if late else rng.uniform(4, 18))
        return 24 * rng.uniform(9, 16) if late else rng.uniform(10, 24 * 6)

    def _actor_for(self, case: _Case, assignee: Assignee) -> Actor:
        if assignee.kind is AssigneeKind.DEPARTMENT:
            return self.district.department_staff(assignee.id, case.village.county)
        if assignee.kind is AssigneeKind.COUNCIL:
            member = self.council_members.get(assignee.id)
            if member is None:
                member = self.district.grant(
                    self.app,
                    f"{assignee.id}-成员",
                    Role.COUNCIL_MEMBER,
                    case.village.id,
                    organisation=assignee.id,
                )
                self.council_members[assignee.id] = member
            return member
        return case.village.cadre

    def _return(self, case: _Case, wrong: Assignee) -> None:
        self.app.return_issue(
            self._actor_for(case, wrong),
            case.id,
            reason=f"该事项不属于{wrong.name}职责范围，请改派",
        )
        self.facts.returned += 1
        self.later(
            hours=self.rng.uniform(1, 5), action=lambda: self._dispatch(case, wrong_first=False)
        )

    def _chase(self, case: _Case) -> None:
        record = self.app.issue(case.id)
        overdue = record.deadline is not None and self.clock.now() > record.deadline
        if record.status is IssueStatus.DISPATCHED and overdue:
            self.app.chase_issue(case.village.cadre, case.id)
            self.facts.chased += 1

    def _resolve(self, case: _Case) -> None:
        assert case.handler is not None
        self.app.resolve_issue(
            self._actor_for(case, case.handler), case.id, summary=f"{case.category}问题已处理到位"
        )
        self.facts.resolved += 1
        self.later(hours=self.rng.uniform(2, 30), action=lambda: self._publish(case))

    def _publish(self, case: _Case) -> None:
        households = self.app.unit(case.group).households
        benefiting = self.rng.randint(1, max(1, households // 3))
        self.app.publish_result(
            case.village.cadre,
            case.id,
            summary=f"{case.category}问题办结，结果已在公开栏公示",
            households_benefiting=benefiting,
        )
        self.facts.published += 1
        self.later(hours=self.rng.uniform(6, 72), action=lambda: self._rate(case))

    def _rate(self, case: _Case) -> None:
        record = self.app.issue(case.id)
        unhappy = self.rng.random() < (0.12 if record.round == 1 else 0.05)
        scores = [2, 3, 4] if unhappy else [self.rng.choice((4, 5, 5)) for _ in range(3)]
        for n, score in enumerate(scores):
            resident = self.district.resident(case.group, n)
            record = self.app.evaluate_issue(resident, case.id, score=score)
        if record.status is IssueStatus.CLOSED:
            self.facts.closed += 1
        elif record.status is IssueStatus.REOPENED:
            self.facts.reopened += 1
            self.later(
                hours=self.rng.uniform(4, 24),
                action=lambda: self._dispatch(case, wrong_first=False),
            )


def _next_monday(moment: datetime) -> datetime:
    """09:00 Beijing on the first Monday after ``moment``."""
    local = moment.astimezone(BEIJING)
    days = (7 - local.weekday()) % 7 or 7
    start = (local + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    return start


def generate_month(
    app: CoGov, district: District, *, seed: int = 2026, issues: int = 300, days: int = 30
) -> MonthFacts:
    """Play ``issues`` ordinary concerns over ``days`` days from the next Monday on."""
    if issues < 0 or not 1 <= days <= 30:
        raise ValueError("issues must be ≥ 0 and days between 1 and 30")
    return _Month(app, district, seed, issues, days).run()
