"""The Issue rules as policy owners read them (features/共谋, features/共评): scale routing,
急事快议, dispatch and working-day deadlines, 退单, escalation, who resolves, reasons,
duplicates, 四议两公开 and the residents' verdict."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from cogov import IssueStatus, Scale
from cogov.calendar import BEIJING
from tests.bdd.conftest import MEETING_ZH, World, parse_day

scenarios(
    "共谋/大事大议小事小议.feature",
    "共谋/急事快议.feature",
    "共谋/派单与办理.feature",
    "共谋/民情收集.feature",
    "共评/四议两公开.feature",
    "共评/群众评价.feature",
)

MEETING = "|".join(MEETING_ZH)
WORKER = "住建部门|民政部门|修桥理事会"
RESIDENT = "居民[甲乙丙丁]"
REASON = r'"(?P<reason>[^"]*)"'


def _dispatch(world: World, worker: str) -> Any:
    return world.app.dispatch_issue(world.cadre, world.issue, assignee=world.workers[worker][1])


def _resolve(world: World, worker: str, summary: str) -> None:
    world.app.resolve_issue(world.workers[worker][0], world.issue, summary=summary)


def _escalate(world: World, reason: str) -> Any:
    unit = world.app.issue(world.issue).unit_id
    actor = {world.town: world.town_cadre, world.county: world.county_cadre}.get(unit, world.cadre)
    return world.app.escalate_issue(actor, world.issue, reason=reason)


def _evaluate(world: World, resident: str, score: int) -> Any:
    return world.app.evaluate_issue(world.residents[resident], world.issue, score=score)


def _duplicate(world: World) -> Any:
    return world.others["居民乙反映的事项"]


# -- 假如 ----------------------------------------------------------------------------------
@given(
    parsers.re(
        rf"(?P<kind>{MEETING})已将该事项列为第1项议题(?P<stage>并表决通过|并召开|，但尚未召开)"
    )
)
def a_meeting_takes_up_the_issue(world: World, kind: str, stage: str) -> None:
    meeting_kind = MEETING_ZH[kind]
    if stage == "，但尚未召开":
        world.meeting_id = world.schedule(meeting_kind)
        world.app.publish_agenda(world.cadre, world.meeting, topics=[world.topic(world.issue)])
        return
    world.meeting_id = world.hold(
        meeting_kind, issue_id=world.issue, unanimous=stage == "并表决通过"
    )


@given("该事项已经会议决定")
def the_issue_was_decided(world: World) -> None:
    world.meeting_id = world.decide(world.issue)
    assert world.app.issue(world.issue).status is IssueStatus.DELIBERATED


@given("该事项已先行快办")
def the_issue_was_fast_tracked(world: World) -> None:
    world.app.fast_track_issue(world.cadre, world.issue, reason="险情紧急，先行处置")


@given(parsers.re(rf"该事项已派给(?P<worker>{WORKER})"))
def the_issue_was_dispatched(world: World, worker: str) -> None:
    _dispatch(world, worker)


@given(parsers.re(rf"该事项已派给(?P<worker>{WORKER})并办结"))
def the_issue_was_dispatched_and_resolved(world: World, worker: str) -> None:
    _dispatch(world, worker)
    _resolve(world, worker, "已按决议办理完毕")


@given("该事项已逐级上报至黄梅县")
def the_issue_went_up_to_the_county(world: World) -> None:
    for _ in range(3):  # 组 → 村 → 镇 → 县
        _escalate(world, "本级无力解决")
    assert world.app.issue(world.issue).unit_id == world.county


@given("会议决议已公开")
def the_minutes_were_published(world: World) -> None:
    world.app.publish_minutes(world.cadre, world.meeting, summary="会议决议：同意")


@given("居民乙随后反映了同一问题")
def a_second_resident_raises_the_same(world: World) -> None:
    title = world.app.issue(world.issue).title
    world.others["居民乙反映的事项"] = world.collect(Scale.MINOR, resident="居民乙", title=title)


@given("一件小事的办理结果已公开")
def a_minor_result_is_published(world: World) -> None:
    world.issue_id = world.collect(Scale.MINOR)
    world.meeting_id = world.decide(world.issue)
    _dispatch(world, "住建部门")
    _resolve(world, "住建部门", "路灯已修复")
    world.app.publish_result(
        world.cadre, world.issue, summary="路灯已修复", households_benefiting=30
    )
    assert world.app.issue(world.issue).status is IssueStatus.PUBLISHED


@given(parsers.re(rf"(?P<resident>{RESIDENT})已评价(?P<score>\d+)分"))
def a_resident_has_rated(world: World, resident: str, score: str) -> None:
    _evaluate(world, resident, int(score))


# -- 当 ------------------------------------------------------------------------------------
@when(parsers.re(rf"两委委员以{REASON}为由先行快办该事项"))
def fast_track(world: World, reason: str) -> None:
    world.attempt(lambda: world.app.fast_track_issue(world.cadre, world.issue, reason=reason))


@when(parsers.re(rf"将该事项派给(?P<worker>{WORKER})"))
def dispatch(world: World, worker: str) -> None:
    world.attempt(lambda: _dispatch(world, worker))


@when(parsers.parse("向该会议第{item_no:d}项报告快办情况"))
def report_the_fast_track(world: World, item_no: int) -> None:
    world.attempt(
        lambda: world.app.report_fast_track(
            world.cadre, world.issue, meeting_id=world.meeting, item_no=item_no
        )
    )


@when("催办该事项")
def chase(world: World) -> None:
    world.attempt(lambda: world.app.chase_issue(world.cadre, world.issue))


@when(parsers.re(rf"(?P<worker>{WORKER})以{REASON}为由退单"))
def return_the_order(world: World, worker: str, reason: str) -> None:
    actor = world.workers[worker][0]
    world.attempt(lambda: world.app.return_issue(actor, world.issue, reason=reason))


@when(parsers.re(rf"以{REASON}为由将该事项上报上一级"))
def escalate(world: World, reason: str) -> None:
    world.attempt(lambda: _escalate(world, reason))


@when(parsers.re(rf'(?P<worker>{WORKER})报告"(?P<summary>[^"]+)"并办结该事项'))
def resolve(world: World, worker: str, summary: str) -> None:
    world.attempt(lambda: _resolve(world, worker, summary))


@when(parsers.re(rf"(?P<resident>{RESIDENT})以{REASON}为由撤回该事项"))
def withdraw(world: World, resident: str, reason: str) -> None:
    actor = world.residents[resident]
    world.attempt(lambda: world.app.withdraw_issue(actor, world.issue, reason=reason))


@when(parsers.re(rf"两委委员以{REASON}为由不予受理该事项"))
def reject(world: World, reason: str) -> None:
    world.attempt(lambda: world.app.reject_issue(world.cadre, world.issue, reason=reason))


@when("将居民乙反映的事项合并到先收集的事项")
def merge_the_duplicate(world: World) -> None:
    world.attempt(lambda: world.app.merge_issues(world.cadre, _duplicate(world), into=world.issue))


@when("将该事项合并到它自己")
def merge_into_itself(world: World) -> None:
    world.attempt(lambda: world.app.merge_issues(world.cadre, world.issue, into=world.issue))


@when(parsers.parse('公开办理结果"{summary}"，受益{households:d}户'))
def publish_the_result(world: World, summary: str, households: int) -> None:
    world.attempt(
        lambda: world.app.publish_result(
            world.cadre, world.issue, summary=summary, households_benefiting=households
        )
    )


@when(parsers.re(rf"(?P<resident>{RESIDENT})评价(?P<score>\d+)分"))
def rate(world: World, resident: str, score: str) -> None:
    world.attempt(lambda: _evaluate(world, resident, int(score)))


# -- 那么 ----------------------------------------------------------------------------------
@then(parsers.re(rf"事项所依据的决定来自(?P<kind>{MEETING})第(?P<item_no>\d+)项"))
def the_decision_came_from(world: World, kind: str, item_no: str) -> None:
    world.succeeded()
    issue = world.app.issue(world.issue)
    assert issue.decided_by is MEETING_ZH[kind]
    assert issue.decision is not None
    assert issue.decision.meeting_id == world.meeting
    assert issue.decision.item_no == int(item_no)
    assert world.app.meeting(world.meeting).kind is MEETING_ZH[kind]


@then("该事项尚待向下一次会议报告")
def a_report_is_pending(world: World) -> None:
    world.succeeded()
    assert world.app.issue(world.issue).fast_track_pending_report is True


@then("该事项已向该会议报告，不再待报告")
def the_report_was_made(world: World) -> None:
    world.succeeded()
    issue = world.app.issue(world.issue)
    assert issue.fast_track_pending_report is False
    assert issue.decision is not None
    assert issue.decision.meeting_id == world.meeting
    assert type(world.app.history(world.issue)[-1]).__name__ == "FastTrackReported"


@then(parsers.re(rf"承办人为(?P<worker>{WORKER})"))
def the_assignee_is(world: World, worker: str) -> None:
    world.succeeded()
    assert world.app.issue(world.issue).assignee == world.workers[worker][1]


@then(parsers.parse("办理期限为{day}北京时间23:59:59"))
def the_deadline_is(world: World, day: str) -> None:
    world.succeeded()
    expected = datetime.combine(parse_day(day).date(), time(23, 59, 59), tzinfo=BEIJING)
    assert world.result == expected
    assert world.app.issue(world.issue).deadline == expected


@then(parsers.parse("该事项已被催办，逾期自{moment}起"))
def the_issue_was_chased(world: World, moment: str) -> None:
    world.succeeded()
    chased = world.app.history(world.issue)[-1]
    assert type(chased).__name__ == "Chased"
    assert chased.overdue_since == parse_day(moment)


@then("该事项没有承办人")
def no_assignee(world: World) -> None:
    world.succeeded()
    issue = world.app.issue(world.issue)
    assert issue.assignee is None
    assert issue.returns == 1


@then(parsers.re("该事项归属(?P<unit>黄梅县|某镇|渡河村|渡河村1组)"))
def the_issue_belongs_to(world: World, unit: str) -> None:
    world.succeeded()
    units = {"黄梅县": world.county, "某镇": world.town, "渡河村": world.village}
    expected = units.get(unit, world.group)
    assert world.result == expected
    assert world.app.issue(world.issue).unit_id == expected


@then('居民乙反映的事项状态为"已合并"，并指向先收集的事项')
def the_duplicate_is_merged(world: World) -> None:
    world.succeeded()
    duplicate = world.app.issue(_duplicate(world))
    assert duplicate.status is IssueStatus.MERGED
    assert duplicate.merged_into == world.issue


@then("先收集的事项记下了这件重复事项，居民乙成为共同反映人")
def the_primary_absorbed_it(world: World) -> None:
    world.succeeded()
    primary = world.app.issue(world.issue)
    assert primary.duplicates == [_duplicate(world)]
    assert [str(r) for r in primary.co_raisers] == [world.residents["居民乙"].id]
    assert primary.status is IssueStatus.TRIAGED


@then("居民乙反映的事项仍保留收集时的记录")
def the_duplicate_keeps_its_history(world: World) -> None:
    world.succeeded()
    history = world.app.history(_duplicate(world))
    assert [type(e).__name__ for e in history] == ["Collected", "Triaged", "MergedInto"]
    assert str(history[0].raised_by) == world.residents["居民乙"].id
    assert history[-1].primary_id == world.issue


@then(parsers.parse("公开的结果记载受益{households:d}户"))
def the_published_result_counts(world: World, households: int) -> None:
    world.succeeded()
    published = world.app.history(world.issue)[-1]
    assert type(published).__name__ == "ResultPublished"
    assert published.households_benefiting == households


@then(parsers.parse("该事项收到{count:d}个评价，尚未定论"))
def ratings_received(world: World, count: int) -> None:
    world.succeeded()
    issue = world.app.issue(world.issue)
    assert len(issue.ratings) == count
    assert issue.status is IssueStatus.PUBLISHED


@then(parsers.parse("定论时的满意率为{share}"))
def the_satisfied_share(world: World, share: str) -> None:
    world.succeeded()
    verdict = world.app.history(world.issue)[-1]
    assert type(verdict).__name__ in ("Closed", "Reopened")
    assert verdict.ratings == 3
    assert verdict.satisfied_share == Decimal(share)


@then(parsers.parse("这是该事项第{number:d}次派单，进入第{round_:d}轮评价"))
def the_nth_dispatch(world: World, number: int, round_: int) -> None:
    world.succeeded()
    issue = world.app.issue(world.issue)
    assert issue.dispatch_count == number
    assert issue.round == round_
    assert issue.ratings == {}
