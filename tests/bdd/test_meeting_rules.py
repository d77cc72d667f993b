"""The Meeting rules as policy owners read them (features/共谋/两个会议.feature, 规则版本.feature):
quorum 三分之二以上, majority 过半数, the agenda's topics and notice, the chair's vote, and a
new policy version that never rewrites a past decision."""

from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when

from cogov import MeetingKind, MeetingStatus, Quorum
from tests.bdd.conftest import MEETING_ZH, World, parse_day

scenarios("共谋/两个会议.feature", "共谋/规则版本.feature")

MEETING = "|".join(MEETING_ZH)
VOTE = r"就第(?P<item_no>\d+)项记录表决：赞成(?P<f>\d+)票，反对(?P<a>\d+)票，弃权(?P<b>\d+)票"
THREE_QUARTERS = Quorum(numerator=3, denominator=4, inclusive=True)


def _topics(text: str) -> list[str]:
    return [t for t in text.split("、") if t]


def _publish(world: World, text: str) -> None:
    topics = [world.topic(None, title) for title in _topics(text)]
    world.app.publish_agenda(world.cadre, world.meeting, topics=topics)


def _vote(world: World, who: str, item_no: str, f: str, a: str, b: str) -> None:
    actor = world.cadre if who == "主持人" else world.other_cadre
    world.app.record_vote(
        actor,
        world.meeting,
        item_no=int(item_no),
        votes_for=int(f),
        votes_against=int(a),
        abstentions=int(b),
    )


def _adopt(world: World, version: int) -> int:
    """The next policy: the representatives' meeting needs three quarters present."""
    current = world.app.policy
    policy = current.model_copy(
        update={
            "version": version,
            "title": "第2版：代表会议须四分之三以上出席",
            "quorum": {**current.quorum, MeetingKind.REPRESENTATIVES: THREE_QUARTERS},
        }
    )
    return world.app.adopt_policy(world.admin, policy, reason="提高代表会议出席要求")


# -- 假如 ----------------------------------------------------------------------------------
@given(
    parsers.re(
        rf"渡河村定于(?P<day>.+)召开(?P<kind>{MEETING})，应到(?P<roster>\d+)人，由两委委员主持"
    )
)
def a_meeting_is_scheduled(world: World, day: str, kind: str, roster: str) -> None:
    world.meeting_id = world.schedule(MEETING_ZH[kind], roster=int(roster), at=parse_day(day))
    assert world.app.meeting(world.meeting).chair_id == world.cadre.id


@given(parsers.parse("会议已公开议程：{topics}"))
def the_agenda_is_public(world: World, topics: str) -> None:
    _publish(world, topics)


@given("会议已公开议程，第1项议题为该事项")
def the_agenda_carries_the_issue(world: World) -> None:
    world.app.publish_agenda(world.cadre, world.meeting, topics=[world.topic(world.issue)])


@given(parsers.parse("会议召开，实到{present:d}人"))
def the_meeting_convenes(world: World, present: int) -> None:
    world.clock.set(world.app.meeting(world.meeting).scheduled_for)
    world.app.convene_meeting(world.cadre, world.meeting, present=present)


@given(parsers.re(rf"主持人已{VOTE}"))
def the_chair_has_recorded(world: World, item_no: str, f: str, a: str, b: str) -> None:
    _vote(world, "主持人", item_no, f, a, b)


@given(
    parsers.re(
        r"党员群众代表会议应到(?P<roster>\d+)人、实到(?P<present>\d+)人，"
        r"以(?P<f>\d+)票赞成通过了该事项"
    )
)
def the_representatives_adopted_the_issue(world: World, roster: str, present: str, f: str) -> None:
    votes_for, attending = int(f), int(present)
    world.meeting_id = world.hold(
        MeetingKind.REPRESENTATIVES,
        issue_id=world.issue,
        roster=int(roster),
        present=attending,
        vote=(votes_for, attending - votes_for, 0),
    )
    world.app.deliberate_issue(world.cadre, world.issue, meeting_id=world.meeting, item_no=1)


@given(
    parsers.re(r"党员群众代表会议应到(?P<roster>\d+)人、实到(?P<present>\d+)人，已就第1项议题开会")
)
def the_representatives_meet(world: World, roster: str, present: str) -> None:
    world.meeting_id = world.hold(
        MeetingKind.REPRESENTATIVES, issue_id=None, roster=int(roster), present=int(present)
    )


@given(parsers.parse("管理员已采用第{version:d}版规则：党员群众代表会议须四分之三以上成员出席"))
def a_policy_was_adopted(world: World, version: int) -> None:
    assert _adopt(world, version) == version


# -- 当 ------------------------------------------------------------------------------------
@when(parsers.re(rf"(?P<who>主持人|另一名两委委员){VOTE}"))
def record_the_vote(world: World, who: str, item_no: str, f: str, a: str, b: str) -> None:
    world.attempt(lambda: _vote(world, who, item_no, f, a, b))


@when(parsers.parse("主持人宣布会议召开，实到{present:d}人"))
def convene_now(world: World, present: int) -> None:
    world.attempt(lambda: world.app.convene_meeting(world.cadre, world.meeting, present=present))


@when(parsers.re("公开议程：(?P<topics>.*)"))
def publish_the_agenda(world: World, topics: str) -> None:
    world.attempt(lambda: _publish(world, topics))


@when(parsers.parse("管理员采用第{version:d}版规则：党员群众代表会议须四分之三以上成员出席"))
def adopt_a_policy(world: World, version: int) -> None:
    world.attempt(lambda: _adopt(world, version))


@then(parsers.parse("会议已召开，实到{present:d}人"))
def the_meeting_has_convened(world: World, present: int) -> None:
    record = world.app.meeting(world.meeting)
    assert record.status is MeetingStatus.CONVENED
    assert record.present == present


# -- 那么 ----------------------------------------------------------------------------------
@then(
    parsers.re(
        r"第(?P<item_no>\d+)项(?P<result>获得通过|未获通过)，"
        r"出席(?P<present>\d+)人，赞成(?P<f>\d+)票"
    )
)
def the_item_outcome(world: World, item_no: str, result: str, present: str, f: str) -> None:
    world.succeeded()
    outcome = world.app.meeting(world.meeting).outcomes[int(item_no)]
    assert outcome.adopted is (result == "获得通过")
    assert (outcome.present, outcome.votes_for) == (int(present), int(f))
    decided = world.app.history(world.meeting)[-1]
    assert type(decided).__name__ == "Decided"
    assert decided.adopted is outcome.adopted
    assert (decided.quorum_rule, decided.majority_rule) == ("≥ 2/3", "> 1/2")


@then(parsers.re("会议记录的出席人数(?P<met>已|未)达到法定人数"))
def the_quorum_is_recorded(world: World, met: str) -> None:
    meeting = world.app.meeting(world.meeting)
    assert meeting.status is MeetingStatus.CONVENED
    assert meeting.quorum_met is (met == "已")


@then(parsers.parse("议程已公开，共{count:d}项议题"))
def the_agenda_was_published(world: World, count: int) -> None:
    world.succeeded()
    meeting = world.app.meeting(world.meeting)
    assert meeting.status is MeetingStatus.AGENDA_PUBLISHED
    assert [item.item_no for item in meeting.items] == list(range(1, count + 1))


@then(parsers.parse("现行规则为第{version:d}版"))
def the_policy_in_force(world: World, version: int) -> None:
    world.succeeded()
    assert world.app.policy.version == version
    assert world.app.policy.quorum_for(MeetingKind.REPRESENTATIVES) == THREE_QUARTERS
    assert world.app.policy_version(1).quorum_for(MeetingKind.REPRESENTATIVES) == Quorum(
        numerator=2, denominator=3, inclusive=True
    )


@then(parsers.parse("该事项和该会议过去的每个事件都记着规则版本{version:d}"))
def past_events_keep_their_version(world: World, version: int) -> None:
    world.succeeded()
    events = [*world.app.history(world.issue), *world.app.history(world.meeting)]
    assert len(events) >= 8
    assert {e.policy_version for e in events} == {version}


@then(parsers.parse("该事项仍依据该会议第{item_no:d}项的决定"))
def the_decision_stands(world: World, item_no: int) -> None:
    world.succeeded()
    issue = world.app.issue(world.issue)
    assert issue.decision is not None
    assert (issue.decision.meeting_id, issue.decision.item_no) == (world.meeting, item_no)
    outcome = world.app.meeting(world.meeting).outcomes[item_no]
    assert outcome.adopted is True
    assert (outcome.present, outcome.votes_for) == (20, 11)
