"""The demo plays the seeds' stories (DOMAIN.md) through the public API; the figures the
stories promise are in the stored history and in the views.

The generated month's size comes from ``COGOV_DEMO_ISSUES`` (small by default)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cogov import CoGov, ManualClock
from cogov.demo import DEMO_START, DemoFacts, SharedClock, play_demo
from cogov.demo.month import generate_month
from cogov.domain.values import BodyKind, ContributorKind, MeetingKind
from cogov.report.directory import unit_directory

ISSUES = int(os.environ.get("COGOV_DEMO_ISSUES", "60"))
STORY_ISSUES = 11  # jiyuan: 4; bridge, guoshui, tanhualin, gas, canteen, datang, duanmu: 1


@dataclass
class Played:
    app: CoGov
    facts: DemoFacts
    topics: Counter[str]
    events: list[Any]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
    app = CoGov(f"sqlite:///{path}", clock=SharedClock(DEMO_START), views="off")
    facts = play_demo(app, seed=11, issues=ISSUES)
    app.views.catch_up()
    events = [e for _, e in _all_events(app)]
    yield Played(app, facts, Counter(type(e).TOPIC for e in events), events)
    app.close()


def _all_events(app: CoGov) -> list[tuple[int, Any]]:
    found: list[tuple[int, Any]] = []
    while page := app.events_since(found[-1][0] if found else 0, 1000):
        found += page
    return found


def _names(app: CoGov, aggregate_id: Any) -> list[str]:
    return [type(e).__name__ for e in app.history(aggregate_id)]


def test_gas_reaches_96_households_in_two_months_after_both_meetings(played: Played) -> None:
    app, gas = played.app, played.facts.gas
    issue = app.issue(gas.issue_id)
    assert gas.households_benefiting == 96
    published = [e for e in app.history(gas.issue_id) if type(e).__name__ == "ResultPublished"]
    assert [e.households_benefiting for e in published] == [96]
    assert published[0].timestamp - gas.collected_at <= timedelta(days=61)
    agenda = [
        e.meeting_kind for e in app.history(gas.issue_id) if type(e).__name__ == "PutOnAgenda"
    ]
    assert agenda == [MeetingKind.TWO_COMMITTEES, MeetingKind.REPRESENTATIVES]
    assert issue.decided_by is MeetingKind.REPRESENTATIVES
    assert issue.decision is not None
    assert issue.decision.meeting_id == gas.representatives_meeting
    assert issue.status.value == "closed"


def test_the_self_management_committee_has_five_members_and_held_six_meetings(
    played: Played,
) -> None:
    app, gs = played.app, played.facts.guoshui
    body = app.body(gs.body_id)
    assert body.kind is BodyKind.SELF_MANAGEMENT
    assert len(body.members) == 5
    assert body.members == ["gs-0", "gs-1", "gs-2", "gs-3", "gs-4"]
    assert (body.chair_id, body.vice_chair_id) == ("gs-0", "gs-1")
    assert body.in_office
    assert body.posted_at is not None
    assert body.took_office_at is not None
    assert body.posted_at < body.took_office_at
    meetings = [app.meeting(m) for m in gs.residents_meetings]
    assert len(meetings) == 6
    assert {m.kind for m in meetings} == {MeetingKind.RESIDENTS_COUNCIL}
    assert all(m.minutes_published_at is not None for m in meetings)
    project = app.project(gs.project_id)
    assert project.received.money == Decimal(86_400) + Decimal(300_000)
    assert project.received.labour_days == Decimal(210)
    assert project.acceptance_body_id == gs.body_id


def test_the_bridge_is_rewarded_half_of_what_residents_and_partners_gave(played: Played) -> None:
    app, bridge = played.app, played.facts.bridge
    project = app.project(bridge.project_id)
    # 以奖代补 = 0.5 × (38,000 money + 120 days × ¥150 + 30,000 from 白羊社区 + 12,000
    # materials); the township's ¥20,000 is government money and earns no reward.
    assert bridge.reward == Decimal("49000.00")
    assert project.reward == Decimal("49000.00")
    assert project.reward_base == Decimal("98000.00")
    assert project.received_by_kind[ContributorKind.COMMUNITY].money == Decimal(30_000)
    assert project.received.labour_days == Decimal(120)
    assert project.households_benefiting == 236
    assert project.status.value == "managed"
    assert app.body(bridge.council_id).kind is BodyKind.COUNCIL
    assert len(bridge.council_members) == 5
    assert app.issue(bridge.issue_id).project_id == bridge.project_id


def test_tanhualin_adopts_the_quiet_convention_and_patrols_every_night(played: Played) -> None:
    app, street = played.app, played.facts.tanhualin
    project = app.project(street.project_id)
    assert [c.title for c in project.conventions] == ["昙华林街区夜间静音公约"]
    assert "22:00" in project.conventions[0].text
    assert len(project.inspections) == 14
    assert [i.ok for i in project.inspections].count(False) == 1
    days = {i.inspected_at.date() for i in project.inspections}
    assert len(days) == 14  # one patrol a night


def test_the_canteen_is_built_in_two_weeks_with_donated_materials_and_labour(
    played: Played,
) -> None:
    app, canteen = played.app, played.facts.canteen
    project = app.project(canteen.project_id)
    assert canteen.completed_at - canteen.decided_at <= timedelta(days=14)
    assert project.received.materials == Decimal(26_500)
    assert project.received.labour_days == Decimal(85)
    assert project.approved_by is MeetingKind.REPRESENTATIVES


def test_jiyuan_dispatches_to_three_departments_with_a_return_and_a_chase(
    played: Played,
) -> None:
    app, jy = played.app, played.facts.jiyuan
    returned = [e for e in app.history(jy.buildings_issue) if type(e).__name__ == "Returned"]
    assert len(returned) == 1
    assert returned[0].assignee_id == "民政局"
    assert returned[0].reason == jy.return_reason
    dispatched = [
        e.assignee.id for e in app.history(jy.buildings_issue) if type(e).__name__ == "Dispatched"
    ]
    assert dispatched == ["民政局", "住建局"]
    assert "Chased" in _names(app, jy.titles_issue)
    assert app.issue(jy.fraud_issue).assignee is not None
    assert set(jy.departments) == {"住建局", "民政局", "公安局"}
    assert app.issue(jy.titles_issue).status.value == "closed"


def test_datang_talks_until_it_agrees_then_villagers_donate_over_50000(played: Played) -> None:
    app, square = played.app, played.facts.datang
    assert square.talks_adopted == (False, True)
    assert {app.meeting(m).kind for m in square.evening_talks} == {MeetingKind.EVENING_TALK}
    project = app.project(square.project_id)
    assert project.received.money == Decimal(52_800)
    assert project.received.money > Decimal(50_000)
    assert project.approved_by is MeetingKind.REPRESENTATIVES
    assert app.issue(square.issue_id).decided_by is MeetingKind.REPRESENTATIVES


def test_duanmu_reports_progress_and_funds_every_month_until_the_road_opens(
    played: Played,
) -> None:
    app, road = played.app, played.facts.duanmu
    project = app.project(road.project_id)
    assert [r.month for r in project.reports] == list(road.months_reported)
    assert len(set(road.months_reported)) == 3
    assert [(r.funds_used, r.percent_done) for r in project.reports] == [
        (Decimal(22_000), 30),
        (Decimal(51_000), 75),
        (Decimal(63_500), 100),
    ]
    assert project.status.value == "accepted"
    assert app.issue(road.issue_id).status.value == "closed"


def test_the_generated_month_is_in_the_history_and_the_views(played: Played) -> None:
    app, month = played.app, played.facts.month
    topics = played.topics
    assert month.collected == ISSUES
    assert topics["cogov:Issue.Collected"] == ISSUES + STORY_ISSUES
    assert topics["cogov:Issue.Reopened"] == month.reopened
    assert topics["cogov:Issue.Returned"] == month.returned + 1  # + 济源's 退单
    assert topics["cogov:Issue.MergedInto"] == month.merged
    assert topics["cogov:Issue.Withdrawn"] == month.withdrawn
    assert topics["cogov:Issue.Chased"] == month.chased + 1  # + 济源's 催办
    directory = unit_directory(app)
    collected = sum(app.five_co_status(u.id).co_planning.collected for u in directory.roots())
    assert collected == ISSUES + STORY_ISSUES
    levels = Counter(u.level.value for u in directory.units)
    assert levels == {"county": 5, "township": 10, "village": 30, "group": 65}


def test_the_demo_history_verifies(played: Played) -> None:
    app = played.app
    admin = played.facts.district.admin
    app.extend_audit_chain(admin)
    report = app.verify_history(admin)
    assert report.intact
    assert report.events == app.max_position()


def test_the_same_seed_generates_the_same_month() -> None:
    def run(seed: int) -> tuple[int, ...]:
        app = CoGov(clock=ManualClock(DEMO_START), views="off")
        from cogov.demo.district import build_district

        facts = generate_month(
            app, build_district(app, residents_per_group=3), seed=seed, issues=40
        )
        app.close()
        return (
            facts.collected,
            facts.dispatched,
            facts.resolved,
            facts.reopened,
            facts.returned,
            facts.merged,
            facts.withdrawn,
            facts.meetings,
        )

    assert run(5) == run(5)
    assert run(5) != run(6)
