"""Shared ground of the policy scenarios in ``features/``: a governance tree, its people, and
the few steps every capability's scenarios use.

Step modules (``tests/bdd/test_*.py``) attempt the command under test with
:meth:`World.attempt`, which keeps a refusal for the ``那么`` steps and remembers the log
position and aggregate versions just before the attempt, so a scenario can prove a refused
command stored nothing.

The shared steps (each phrase is defined here once; other step modules reuse them):

==============================================================  ==========================
``假如 渡河村的四级治理单元已建立``                              builds the :class:`World`
``假如 今天是2026年9月18日（星期五）`` / ``当 到了…[ HH:MM]``    sets the clock (Beijing)
``假如 一件大事|小事|急事已收集并分级``                          the scenario's issue
``当 据该会议第N项的决定对事项作出决议``                         cites a meeting decision
``那么 事项状态为"已派单"``                                      the issue's status
``那么 该命令被拒绝，错误为 X，规则为 y``                        the refusal, exactly
``而且 没有记录任何事件``                                        nothing was stored
==============================================================  ==========================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from uuid import UUID

import pytest
from pytest_bdd import given, parsers, then, when

from cogov import (
    Actor,
    AgendaTopic,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    CogovError,
    IssueStatus,
    ManualClock,
    MeetingKind,
    Role,
    Scale,
    UnitLevel,
)
from cogov.calendar import BEIJING

T = TypeVar("T")

#: the words policy owners use for an issue's status (IssueStatus)
STATUS_ZH: dict[str, IssueStatus] = {
    "已收集": IssueStatus.COLLECTED,
    "已分级": IssueStatus.TRIAGED,
    "已列入议程": IssueStatus.ON_AGENDA,
    "已合议决定": IssueStatus.DELIBERATED,
    "急事快办": IssueStatus.FAST_TRACKED,
    "已派单": IssueStatus.DISPATCHED,
    "已退单": IssueStatus.RETURNED,
    "已上报上级": IssueStatus.ESCALATED,
    "已办结": IssueStatus.RESOLVED,
    "已公开结果": IssueStatus.PUBLISHED,
    "已关闭": IssueStatus.CLOSED,
    "已重办": IssueStatus.REOPENED,
    "已合并": IssueStatus.MERGED,
    "已撤回": IssueStatus.WITHDRAWN,
    "不予受理": IssueStatus.REJECTED,
}

SCALE_ZH: dict[str, Scale] = {"大事": Scale.MAJOR, "小事": Scale.MINOR, "急事": Scale.URGENT}

MEETING_ZH: dict[str, MeetingKind] = {kind.label_zh: kind for kind in MeetingKind}

#: roster sizes (应到) used when a scenario does not name one
DEFAULT_ROSTER: dict[MeetingKind, int] = {
    MeetingKind.TWO_COMMITTEES: 7,
    MeetingKind.REPRESENTATIVES: 30,
    MeetingKind.VILLAGERS: 120,
    MeetingKind.PARTY_MEMBERS: 40,
    MeetingKind.RESIDENTS_COUNCIL: 9,
    MeetingKind.EVENING_TALK: 25,
}

#: what each scale is about in the scenarios (title, category)
ISSUE_OF_SCALE: dict[Scale, tuple[str, str]] = {
    Scale.MAJOR: ("渡河村1组危桥改造", "交通"),
    Scale.MINOR: ("村口路灯不亮", "公共设施"),
    Scale.URGENT: ("燃气管道泄漏", "安全"),
}

WEEKDAY_ZH = "一二三四五六日"

DATE = re.compile(
    r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"
    r"(?:（星期(?P<wd>[一二三四五六日])）)?(?: ?(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2}))?)?"
)


def parse_day(text: str, default_time: time = time(10, 0)) -> datetime:
    """``2026年9月18日（星期五） 18:00`` → an aware Beijing datetime. A stated weekday must be
    the real one, so a scenario cannot say 星期五 of a Thursday."""
    found = DATE.fullmatch(text.strip())
    assert found is not None, f"not a date: {text!r}"
    day = date(int(found["y"]), int(found["m"]), int(found["d"]))
    if found["wd"] is not None:
        assert WEEKDAY_ZH[day.weekday()] == found["wd"], f"{day} is not 星期{found['wd']}"
    at = default_time
    if found["hh"] is not None:
        at = time(int(found["hh"]), int(found["mm"]), int(found["ss"] or 0))
    return datetime.combine(day, at, tzinfo=BEIJING)


@dataclass
class World:
    """The application under test, the governance tree, the people, and what happened."""

    app: CoGov
    clock: ManualClock
    county: UUID
    town: UUID
    village: UUID
    group: UUID
    admin: Actor
    cadre: Actor  # 两委委员 of the village; chairs the village's meetings
    other_cadre: Actor  # 另一名两委委员
    town_cadre: Actor
    county_cadre: Actor
    grid_worker: Actor
    residents: dict[str, Actor]
    workers: dict[str, tuple[Actor, Assignee]]  # 承办单位: who acts for it, and as assignee
    issue_id: UUID | None = None
    meeting_id: UUID | None = None
    others: dict[str, UUID] = field(default_factory=dict)
    error: CogovError | None = None
    result: Any = None
    position_before: int = 0
    versions_before: dict[UUID, int] = field(default_factory=dict)

    # -- attempting a command -------------------------------------------------------------
    def attempt(self, command: Callable[[], T]) -> T | None:
        """Run the command under test; keep a refusal (typed error) for the ``那么`` steps."""
        self.position_before = self.app.max_position()
        self.versions_before = {i: self.version_of(i) for i in self.known_ids()}
        self.error = None
        try:
            self.result = command()
        except CogovError as refusal:
            self.error = refusal
            return None
        return self.result

    def succeeded(self) -> None:
        """A ``那么`` step about an allowed command first checks it was not refused."""
        if self.error is not None:
            raise AssertionError(f"the command was refused: {self.error}")

    def known_ids(self) -> list[UUID]:
        ids = [self.issue_id, self.meeting_id, *self.others.values()]
        return [i for i in ids if i is not None]

    def version_of(self, aggregate_id: UUID) -> int:
        history = self.app.history(aggregate_id)
        return int(history[-1].originator_version) if history else 0

    # -- the scenario's issue and meeting -------------------------------------------------
    @property
    def issue(self) -> UUID:
        assert self.issue_id is not None, "no issue in this scenario yet"
        return self.issue_id

    @property
    def meeting(self) -> UUID:
        assert self.meeting_id is not None, "no meeting in this scenario yet"
        return self.meeting_id

    def collect(self, scale: Scale, *, resident: str = "居民甲", title: str | None = None) -> UUID:
        """A grid worker collects a resident's concern in 渡河村1组; a cadre triages it."""
        default_title, category = ISSUE_OF_SCALE[scale]
        issue_id = self.app.collect_issue(
            self.grid_worker,
            unit_id=self.group,
            channel=Channel.GRID_WORKER,
            raised_by=UUID(self.residents[resident].id),
            title=title or default_title,
            description=f"{resident}反映：{title or default_title}",
        )
        self.app.triage_issue(self.cadre, issue_id, scale=scale, category=category)
        return issue_id

    def topic(self, issue_id: UUID | None, title: str = "议题一") -> AgendaTopic:
        """An agenda topic; about an issue, it carries the issue's title."""
        if issue_id is None:
            return AgendaTopic(topic=title)
        return AgendaTopic(topic=self.app.issue(issue_id).title, issue_id=issue_id)

    def schedule(
        self, kind: MeetingKind, *, roster: int | None = None, at: datetime | None = None
    ) -> UUID:
        """The village schedules a meeting, chaired by the village cadre; by default just
        far enough ahead for the agenda notice the policy asks of that kind of meeting."""
        notice = self.app.policy.agenda_notice_days.get(kind, 0)
        when_ = at or self.clock.now() + timedelta(days=notice, hours=1)
        return self.app.schedule_meeting(
            self.cadre,
            unit_id=self.village,
            kind=kind,
            title=f"渡河村{kind.label_zh}",
            roster_size=roster or DEFAULT_ROSTER[kind],
            scheduled_for=when_,
            chair_id=self.cadre.id,
        )

    def hold(
        self,
        kind: MeetingKind,
        *,
        issue_id: UUID | None,
        roster: int | None = None,
        present: int | None = None,
        vote: tuple[int, int, int] | None = None,
        unanimous: bool = False,
    ) -> UUID:
        """Schedule, publish the agenda (item 1: the issue), meet on the day, take the roll
        and — when ``vote`` is given, or ``unanimous`` — vote on item 1. Returns its id."""
        meeting_id = self.schedule(kind, roster=roster)
        self.app.publish_agenda(self.cadre, meeting_id, topics=[self.topic(issue_id)])
        record = self.app.meeting(meeting_id)
        self.clock.set(record.scheduled_for)
        attending = record.roster_size if present is None else present
        self.app.convene_meeting(self.cadre, meeting_id, present=attending)
        if unanimous:
            vote = (attending, 0, 0)
        if vote is not None:
            votes_for, against, abstain = vote
            self.app.record_vote(
                self.cadre,
                meeting_id,
                item_no=1,
                votes_for=votes_for,
                votes_against=against,
                abstentions=abstain,
            )
        return meeting_id

    def decide(self, issue_id: UUID, kind: MeetingKind | None = None) -> UUID:
        """The meeting the scale calls for adopts item 1 unanimously; the issue rests on it."""
        issue = self.app.issue(issue_id)
        assert issue.scale is not None
        if kind is None:
            kind = (
                MeetingKind.REPRESENTATIVES
                if issue.scale is Scale.MAJOR
                else (MeetingKind.TWO_COMMITTEES)
            )
        meeting_id = self.hold(kind, issue_id=issue_id, unanimous=True)
        self.app.deliberate_issue(self.cadre, issue_id, meeting_id=meeting_id, item_no=1)
        return meeting_id


def _build_world(clock: ManualClock) -> World:
    """The deployment as a host would set it up: the first administrator, the units, every
    official's role granted on their unit, residents registered in 渡河村1组."""
    app = CoGov(clock=clock)
    admin = app.bootstrap_administrator("admin")
    county = app.establish_unit(admin, name="黄梅县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    village = app.establish_unit(admin, name="渡河村", level=UnitLevel.VILLAGE, parent_id=town)
    group = app.establish_unit(
        admin, name="渡河村1组", level=UnitLevel.GROUP, parent_id=village, households=120
    )

    def grant(actor_id: str, role: Role, unit: UUID, organisation: str | None = None) -> Actor:
        return app.grant_role(
            admin, grantee_id=actor_id, role=role, unit_id=unit, organisation=organisation
        )

    def worker(actor_id: str, org: str, kind: AssigneeKind, name: str, unit: UUID) -> Any:
        role = Role.COUNCIL_MEMBER if kind is AssigneeKind.COUNCIL else Role.DEPARTMENT_STAFF
        return grant(actor_id, role, unit, org), Assignee(kind=kind, id=org, name=name)

    grid_worker = grant("gw-1", Role.GRID_WORKER, village)
    residents = {}
    for n, name in enumerate(("居民甲", "居民乙", "居民丙", "居民丁"), 1):
        resident_id = app.register_resident(
            grid_worker,
            unit_id=group,
            name=name,
            phone=f"1380000000{n}",
            address=f"渡河村1组{n}号",
            household=f"户{n}",
        )
        residents[name] = Actor(id=str(resident_id), role=Role.RESIDENT, unit_id=group)
    return World(
        app=app,
        clock=clock,
        county=county,
        town=town,
        village=village,
        group=group,
        admin=admin,
        cadre=grant("sec-1", Role.COMMITTEE_MEMBER, village),
        other_cadre=grant("cadre-2", Role.COMMITTEE_MEMBER, village),
        town_cadre=grant("town-1", Role.COMMITTEE_MEMBER, town),
        county_cadre=grant("county-1", Role.COMMITTEE_MEMBER, county),
        grid_worker=grid_worker,
        residents=residents,
        workers={
            "住建部门": worker("zj-1", "zhujian", AssigneeKind.DEPARTMENT, "县住建局", county),
            "民政部门": worker("mz-1", "minzheng", AssigneeKind.DEPARTMENT, "县民政局", county),
            "修桥理事会": worker(
                "c-1", "bridge-council", AssigneeKind.COUNCIL, "渡河村修桥理事会", village
            ),
        },
    )


@pytest.fixture
def world_clock() -> ManualClock:
    """Scenarios start on Monday 2 March 2026, 09:00 Beijing time, unless they say a day."""
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING))


# -- the shared steps ---------------------------------------------------------------------
@given("渡河村的四级治理单元已建立", target_fixture="world")
def the_governance_tree(world_clock: ManualClock) -> World:
    """黄梅县 → 某镇 → 渡河村 → 渡河村1组 (120 households), with its people."""
    world = _build_world(world_clock)
    assert world.app.ancestry(world.group) == [world.group, world.village, world.town, world.county]
    return world


@given(parsers.parse("今天是{day}"))
@when(parsers.parse("到了{day}"))
def the_day_is(world: World, day: str) -> None:
    """The clock moves to that day (10:00 Beijing time unless a time is given)."""
    moment = parse_day(day)
    world.clock.set(moment)
    assert world.clock.now() == moment


@given(parsers.re(r"一件(?P<scale>大事|小事|急事)已收集并分级"))
def an_issue_of_scale(world: World, scale: str) -> None:
    world.issue_id = world.collect(SCALE_ZH[scale])
    assert world.app.issue(world.issue).status is IssueStatus.TRIAGED


@when(parsers.parse("据该会议第{item_no:d}项的决定对事项作出决议"))
def deliberate_on_the_decision(world: World, item_no: int) -> None:
    world.attempt(
        lambda: world.app.deliberate_issue(
            world.cadre, world.issue, meeting_id=world.meeting, item_no=item_no
        )
    )


@then(parsers.parse('事项状态为"{label}"'))
def the_issue_status_is(world: World, label: str) -> None:
    world.succeeded()
    assert world.app.issue(world.issue).status is STATUS_ZH[label]


@then(parsers.parse("该命令被拒绝，错误为 {error}，规则为 {rule}"))
def the_command_is_refused(world: World, error: str, rule: str) -> None:
    assert world.error is not None, "the command was not refused"
    assert type(world.error).__name__ == error, world.error
    assert world.error.rule == rule, world.error


@then("没有记录任何事件")
def nothing_was_recorded(world: World) -> None:
    assert world.error is not None, "the command was not refused"
    assert world.app.max_position() == world.position_before
    assert {i: world.version_of(i) for i in world.versions_before} == world.versions_before
