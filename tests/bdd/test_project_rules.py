"""The 共建/共管 rules as policy owners read them (features/共建共管): 以奖代补 ratio, cap and
timing, monthly progress and fund reports, and the election of a residents' council."""

from __future__ import annotations

import re
from decimal import Decimal
from uuid import UUID

from pytest_bdd import given, parsers, scenarios, then, when

from cogov import (
    BodyKind,
    BodyStatus,
    ContributionKind,
    Contributor,
    ContributorKind,
    MeetingKind,
    ProjectStatus,
    Scale,
)
from cogov.calendar import BEIJING
from tests.bdd.conftest import World

scenarios("共建共管")

PROJECT = "修桥项目"
COUNCIL = "修桥理事会"
RESIDENT = "居民[甲乙丙丁]"
PARTNERS: dict[str, Contributor] = {
    "白羊社区": Contributor(kind=ContributorKind.COMMUNITY, id="baiyang", name="白羊社区"),
    "建材公司": Contributor(kind=ContributorKind.FIRM, id="jiancai", name="建材公司"),
    "县财政": Contributor(kind=ContributorKind.GOVERNMENT, id="county-finance", name="县财政"),
}
KIND_ZH = {
    "捐资": ContributionKind.MONEY,
    "投工": ContributionKind.LABOUR,
    "物资折价": ContributionKind.MATERIALS,
}
VOTE = re.compile(r"(?P<name>[^、：，\d]+)(?P<votes>\d+)票")


def _project(world: World) -> UUID:
    return world.others[PROJECT]


def _council(world: World) -> UUID:
    return world.others[COUNCIL]


def _month(world: World) -> str:
    """The month of today's date in Beijing, "YYYY-MM"."""
    return world.clock.now().astimezone(BEIJING).strftime("%Y-%m")


# -- 假如: the project ----------------------------------------------------------------------
@given("渡河村有一个已批准的修桥项目")
def an_approved_bridge_project(world: World) -> None:
    """A major issue, a project solving it, adopted at the representatives' meeting."""
    world.issue_id = world.collect(Scale.MAJOR)
    project_id = world.app.propose_project(
        world.cadre,
        unit_id=world.group,
        title="渡河村1组修桥",
        budget=Decimal(300000),
        issue_ids=[world.issue],
    )
    world.meeting_id = world.hold(MeetingKind.REPRESENTATIVES, issue_id=world.issue, unanimous=True)
    world.app.approve_project(world.cadre, project_id, meeting_id=world.meeting, item_no=1)
    world.others[PROJECT] = project_id
    assert world.app.project(project_id).status is ProjectStatus.APPROVED


@given(
    parsers.re(
        rf"修桥项目已收到(?P<who>{RESIDENT}|白羊社区|建材公司|县财政)"
        r"(?P<what>捐资|投工|物资折价)(?P<amount>\d+(?:\.\d+)?)(?:元|天)"
    )
)
def a_contribution_arrived(world: World, who: str, what: str, amount: str) -> None:
    """Pledged (a resident in their own name, a partner through the cadre) and received."""
    if who in PARTNERS:
        actor, contributor = world.cadre, PARTNERS[who]
    else:
        actor = world.residents[who]
        contributor = Contributor(kind=ContributorKind.RESIDENT, id=actor.id, name=who)
    project_id = _project(world)
    before = world.app.project(project_id).received
    pledge_id = world.app.pledge_contribution(
        actor, project_id, contributor=contributor, kind=KIND_ZH[what], amount=Decimal(amount)
    )
    world.app.receive_contribution(
        world.cadre, project_id, pledge_id=pledge_id, amount=Decimal(amount)
    )
    after = world.app.project(project_id).received
    assert after == before.plus(KIND_ZH[what], Decimal(amount))


@given(parsers.re(r"修桥项目已报告(?P<m>\d{1,2})月进度(?P<p>\d+)%，累计使用资金(?P<x>\d+)元"))
def progress_was_reported(world: World, m: str, p: str, x: str) -> None:
    month = f"{world.clock.now().year}-{int(m):02d}"
    assert month == _month(world), "the scenario reports the current month"
    world.app.report_progress(
        world.cadre, _project(world), month=month, funds_used=Decimal(x), percent_done=int(p)
    )


@given("修桥项目已完工")
def the_project_was_completed(world: World) -> None:
    _complete(world)


@given("修桥项目已完工并经居民验收")
def the_project_was_completed_and_accepted(world: World) -> None:
    _complete(world)
    meeting_id = world.hold(MeetingKind.REPRESENTATIVES, issue_id=None, unanimous=True)
    world.app.accept_project(
        world.cadre,
        _project(world),
        summary="村民代表会议验收合格",
        meeting_id=meeting_id,
        item_no=1,
    )
    assert world.app.project(_project(world)).status is ProjectStatus.ACCEPTED


def _complete(world: World) -> None:
    world.app.report_progress(
        world.cadre,
        _project(world),
        month=_month(world),
        funds_used=Decimal(0),
        percent_done=100,
    )
    world.app.complete_project(world.cadre, _project(world))


@given("修桥项目已发放以奖代补奖励")
def the_reward_was_granted(world: World) -> None:
    assert world.app.grant_reward(world.workers["住建部门"][0], _project(world)) > 0


# -- 当: the project ------------------------------------------------------------------------
@when("县住建部门为修桥项目发放以奖代补奖励")
def grant_the_reward(world: World) -> None:
    world.attempt(lambda: world.app.grant_reward(world.workers["住建部门"][0], _project(world)))


@when(parsers.re(r"理事会报告修桥项目本月进度(?P<p>\d+)%，累计使用资金(?P<x>\d+(?:\.\d+)?)元"))
def report_this_month(world: World, p: str, x: str) -> None:
    world.attempt(
        lambda: world.app.report_progress(
            world.workers["修桥理事会"][0],
            _project(world),
            month=_month(world),
            funds_used=Decimal(x),
            percent_done=int(p),
        )
    )


# -- 那么: the project ----------------------------------------------------------------------
@then(parsers.re(r"以奖代补奖励为(?P<amount>\d+\.\d{2})元"))
def the_reward_is(world: World, amount: str) -> None:
    world.succeeded()
    assert world.result == Decimal(amount)
    assert world.app.project(_project(world)).reward == Decimal(amount)


@then(parsers.re(r"修桥项目可用资金为(?P<amount>\d+\.\d{2})元"))
def the_funds_available_are(world: World, amount: str) -> None:
    assert world.app.project(_project(world)).funds_available == Decimal(amount)


@then(parsers.re(r"修桥项目当前进度为(?P<p>\d+)%，累计使用资金(?P<x>\d+)元"))
def the_progress_is(world: World, p: str, x: str) -> None:
    world.succeeded()
    record = world.app.project(_project(world))
    assert (record.percent_done, record.funds_used) == (int(p), Decimal(x))
    assert record.reports[-1].month == _month(world)


# -- the council ----------------------------------------------------------------------------
@given(parsers.re(r"渡河村1组成立(?P<seats>\d+)个席位的修桥理事会，居民提名了(?P<names>.+)"))
def a_council_with_candidates(world: World, seats: str, names: str) -> None:
    body_id = world.app.form_body(
        world.cadre,
        unit_id=world.group,
        kind=BodyKind.COUNCIL,
        name="渡河村修桥理事会",
        purpose="组织修桥、管护新桥",
        seats=int(seats),
    )
    nominators = list(world.residents.values())
    candidates = names.split("、")
    for n, name in enumerate(candidates):
        world.app.nominate_candidate(
            nominators[n % len(nominators)], body_id, candidate_id=name, name=name
        )
    world.others[COUNCIL] = body_id
    assert list(world.app.body(body_id).candidates) == candidates


def _tally(world: World, text: str) -> list[str]:
    ballots_text, _, _ = text.rpartition("，共")
    ballots = int(text.rsplit("共", 1)[1].removesuffix("张选票"))
    votes = {m["name"]: int(m["votes"]) for m in VOTE.finditer(ballots_text)}
    return world.app.tally_election(world.cadre, _council(world), ballots=ballots, votes=votes)


@given("修桥理事会已选出并推选张一为理事长、王二为副理事长")
def the_council_was_elected_with_officers(world: World) -> None:
    elected = _tally(
        world, "张一90票、王二85票、李三80票、赵四72票、陈五66票、刘六40票、周七21票，共96张选票"
    )
    assert elected[:2] == ["张一", "王二"]
    world.app.choose_officers(world.cadre, _council(world), chair_id="张一", vice_chair_id="王二")


@given("修桥理事会的选举结果已公示")
def the_result_was_posted(world: World) -> None:
    world.app.post_election_result(
        world.cadre, _council(world), notice="修桥理事会选举结果公示：理事长张一，副理事长王二"
    )
    assert world.app.body(_council(world)).status is BodyStatus.POSTED


@when(parsers.re(r"修桥理事会计票：(?P<text>.+)"))
def tally_the_votes(world: World, text: str) -> None:
    world.attempt(lambda: _tally(world, text))


@when("修桥理事会就职")
def the_council_takes_office(world: World) -> None:
    world.attempt(lambda: world.app.take_office(world.cadre, _council(world)))


@then(parsers.re(r"修桥理事会当选成员为(?P<names>.+)"))
def the_elected_members_are(world: World, names: str) -> None:
    world.succeeded()
    expected = names.split("、")
    assert world.result == expected
    assert world.app.body(_council(world)).members == expected


@then(parsers.re(r"修桥理事会已履职，理事长为(?P<chair>.+)"))
def the_council_is_in_office(world: World, chair: str) -> None:
    world.succeeded()
    record = world.app.body(_council(world))
    assert (record.status, record.in_office, record.chair_id) == (
        BodyStatus.IN_OFFICE,
        True,
        chair,
    )
