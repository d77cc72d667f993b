"""Residents' bodies without a database: nominate, elect the top seats, 公示, take office."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cogov.domain.body import BodyStatus, ResidentsBody
from cogov.domain.policy import Policy
from cogov.domain.values import AssigneeKind, BodyKind, Role
from cogov.errors import IllegalTransitionError, RuleViolationError
from tests.support import UNIT, ctx, given, new_id, refused, when

NAMES = ["张", "王", "李", "赵", "陈", "刘", "周"]


def formed(seats: int | None = None, policy: Policy | None = None) -> ResidentsBody:
    return ResidentsBody.form(
        ctx(policy=policy),
        id=new_id(),
        unit_id=UNIT,
        kind=BodyKind.SELF_MANAGEMENT,
        name="国税小区自管委",
        purpose="老旧小区改造",
        seats=seats,
    )


def nominated(candidates: int = 7, seats: int | None = None) -> ResidentsBody:
    body = formed(seats)
    for n in range(candidates):
        body.nominate(ctx(Role.RESIDENT, actor_id=f"r-{n}"), candidate_id=f"c{n}", name=NAMES[n])
    return body


#: 60 ballots; c0..c4 lead, c5 and c6 trail
VOTES = {"c0": 50, "c1": 44, "c2": 40, "c3": 38, "c4": 31, "c5": 30, "c6": 12}


def elected() -> ResidentsBody:
    body = nominated()
    body.tally(ctx(), ballots=60, votes=VOTES)
    return body


def with_officers() -> ResidentsBody:
    body = elected()
    body.choose_officers(ctx(), chair_id="c0", vice_chair_id="c1")
    return body


def posted() -> ResidentsBody:
    body = with_officers()
    body.post_result(ctx(), notice="选举结果公示七天")
    return body


def replayed(body: ResidentsBody) -> ResidentsBody:
    rebuilt = given(body.collect_events())
    assert isinstance(rebuilt, ResidentsBody)
    return rebuilt


def test_a_body_has_five_seats_unless_policy_or_the_founders_say_otherwise() -> None:
    assert replayed(formed()).seats == 5
    assert formed(seats=7).seats == 7
    assert formed(policy=Policy(body_default_seats=9)).seats == 9


def test_residents_nominate_each_candidate_once() -> None:
    body = nominated(candidates=2)
    body = replayed(body)
    assert body.candidates["c1"].nominated_by == "r-1"
    refused(
        body,
        lambda b: b.nominate(ctx(Role.RESIDENT), candidate_id="c1", name="王"),
        "body.nomination.unique",
        RuleViolationError,
    )


def test_the_top_five_by_votes_are_elected() -> None:
    body = nominated()
    assert when(body, lambda b: b.tally(ctx(), ballots=60, votes=VOTES)) == ["ElectionTallied"]
    body = replayed(elected())
    assert body.members == ["c0", "c1", "c2", "c3", "c4"]
    assert body.status is BodyStatus.ELECTED


def test_a_tie_at_the_cut_off_asks_for_a_run_off() -> None:
    tied = {**VOTES, "c5": 31}
    error = refused(
        nominated(),
        lambda b: b.tally(ctx(), ballots=60, votes=tied),
        "body.election.tie_at_cutoff",
        RuleViolationError,
    )
    assert error.details["tied"] == ["c4", "c5"]


def test_a_tie_above_the_cut_off_elects_both() -> None:
    body = nominated()
    body.tally(ctx(), ballots=60, votes={**VOTES, "c1": 50})
    assert sorted(body.members) == ["c0", "c1", "c2", "c3", "c4"]


@pytest.mark.parametrize(
    ("candidates", "ballots", "votes", "rule"),
    [
        (4, 60, {"c0": 1}, "body.election.enough_candidates"),
        (7, 60, {**VOTES, "stranger": 3}, "body.election.nominated_only"),
        (7, 40, VOTES, "body.election.tally"),  # 50 votes from 40 ballots
        (7, 60, {**VOTES, "c0": 60, "c1": 60, "c2": 60, "c3": 60, "c4": 60}, "body.election.tally"),
        (7, 60, {"c0": 5, "c1": 4, "c2": 3, "c3": 2}, "body.election.no_votes"),
    ],
)
def test_a_tally_that_cannot_be_right_is_refused(
    candidates: int, ballots: int, votes: Mapping[str, int], rule: str
) -> None:
    refused(
        nominated(candidates),
        lambda b: b.tally(ctx(), ballots=ballots, votes=votes),
        rule,
        RuleViolationError,
    )


def test_nominations_close_with_the_tally() -> None:
    refused(
        elected(),
        lambda b: b.nominate(ctx(), candidate_id="c9", name="孙"),
        "body.transition.nominate",
        IllegalTransitionError,
    )


def test_officers_are_two_of_the_elected() -> None:
    body = elected()
    refused(
        body,
        lambda b: b.choose_officers(ctx(), chair_id="c0", vice_chair_id="c5"),
        "body.officers.from_elected",
        RuleViolationError,
    )
    refused(
        body,
        lambda b: b.choose_officers(ctx(), chair_id="c0", vice_chair_id="c0"),
        "body.officers.distinct",
        RuleViolationError,
    )
    assert when(body, lambda b: b.choose_officers(ctx(), chair_id="c2", vice_chair_id="c0")) == [
        "OfficersChosen"
    ]
    assert (body.chair_id, body.vice_chair_id) == ("c2", "c0")


@pytest.mark.parametrize("before_posting", [elected, with_officers])
def test_no_body_takes_office_before_its_result_is_posted(before_posting: object) -> None:
    assert callable(before_posting)
    refused(
        before_posting(),
        lambda b: b.take_office(ctx()),
        "body.office.after_posting",
        RuleViolationError,
    )


def test_a_posted_body_takes_office() -> None:
    body = posted()
    assert when(body, lambda b: b.take_office(ctx())) == ["TookOffice"]
    assert body.in_office
    refused(body, lambda b: b.take_office(ctx()), "body.transition.take_office")


def test_the_result_is_posted_after_officers_are_chosen() -> None:
    refused(
        elected(),
        lambda b: b.post_result(ctx(), notice="公示"),
        "body.transition.post_result",
        IllegalTransitionError,
    )


def test_a_dissolved_body_is_not_in_office_and_cannot_dissolve_again() -> None:
    body = posted()
    body.take_office(ctx())
    body.dissolve(ctx(), reason="改造完成")
    body = replayed(body)
    assert (body.status, body.in_office, body.dissolved_reason) == (
        BodyStatus.DISSOLVED,
        False,
        "改造完成",
    )
    refused(body, lambda b: b.dissolve(ctx(), reason="x"), "body.transition.dissolve")


def test_a_body_is_an_assignee_of_kind_council_by_its_id() -> None:
    body = formed()
    assignee = body.as_assignee()
    assert (assignee.kind, assignee.id, assignee.name) == (
        AssigneeKind.COUNCIL,
        str(body.id),
        "国税小区自管委",
    )
