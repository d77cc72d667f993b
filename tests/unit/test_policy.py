"""Policy: the rules as versioned data, with the defaults DOMAIN.md gives them."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cogov import MeetingKind, Policy, Quorum, Scale, TimeLimit
from cogov.domain.policybook import PolicyBook
from cogov.errors import RuleViolationError
from tests.support import ctx

TWO_THIRDS = Quorum(numerator=2, denominator=3, inclusive=True)
OVER_HALF = Quorum(numerator=1, denominator=2, inclusive=False)


@pytest.mark.parametrize(
    ("present", "roster", "met"),
    [(20, 30, True), (19, 30, False), (30, 30, True), (2, 3, True), (1, 3, False), (0, 1, False)],
)
def test_two_thirds_or_more_includes_exactly_two_thirds(
    present: int, roster: int, met: bool
) -> None:
    assert TWO_THIRDS.met(present, roster) is met


@pytest.mark.parametrize(
    ("votes_for", "present", "met"), [(11, 20, True), (10, 20, False), (2, 3, True), (1, 2, False)]
)
def test_more_than_half_excludes_exactly_half(votes_for: int, present: int, met: bool) -> None:
    assert OVER_HALF.met(votes_for, present) is met


@given(
    numerator=st.integers(0, 10),
    denominator=st.integers(1, 10),
    inclusive=st.booleans(),
    whole=st.integers(1, 10_000),
    data=st.data(),
)
def test_a_quorum_is_exact_rational_arithmetic(
    numerator: int, denominator: int, inclusive: bool, whole: int, data: st.DataObject
) -> None:
    part = data.draw(st.integers(0, whole))
    quorum = Quorum(numerator=numerator, denominator=denominator, inclusive=inclusive)
    share, needed = Fraction(part, whole), Fraction(numerator, denominator)
    assert quorum.met(part, whole) is (share >= needed if inclusive else share > needed)


def test_quorums_describe_themselves() -> None:
    assert (TWO_THIRDS.describe(), OVER_HALF.describe()) == ("≥ 2/3", "> 1/2")


def test_a_time_limit_is_hours_or_working_days_never_both() -> None:
    assert TimeLimit(hours=2).as_timedelta == timedelta(hours=2)
    assert TimeLimit(working_days=7).as_timedelta is None
    assert (TimeLimit(hours=24).describe(), TimeLimit(working_days=7).describe()) == (
        "24 小时",
        "7 个工作日",
    )
    with pytest.raises(ValidationError):
        TimeLimit(hours=2, working_days=1)
    with pytest.raises(ValidationError):
        TimeLimit()


def test_the_default_policy_follows_the_domain() -> None:
    policy = Policy()
    assert policy.version == 1
    assert policy.decision_bodies[Scale.MAJOR] == {
        MeetingKind.REPRESENTATIVES,
        MeetingKind.VILLAGERS,
    }
    assert MeetingKind.TWO_COMMITTEES in policy.decision_bodies[Scale.MINOR]
    assert policy.decision_bodies[Scale.URGENT] == frozenset(MeetingKind)
    assert policy.fast_track_scales == {Scale.URGENT}
    assert policy.quorum_for(MeetingKind.REPRESENTATIVES) == TWO_THIRDS
    assert policy.quorum_for(MeetingKind.PARTY_MEMBERS) == TWO_THIRDS
    assert policy.quorum_for(MeetingKind.VILLAGERS) == OVER_HALF
    assert policy.majority == OVER_HALF
    assert policy.agenda_max_topics == {MeetingKind.REPRESENTATIVES: 2}
    assert policy.agenda_notice_days[MeetingKind.REPRESENTATIVES] == 3
    assert policy.agenda_notice_days[MeetingKind.VILLAGERS] == 10
    assert policy.response_limit[Scale.URGENT] == TimeLimit(hours=2)
    assert policy.return_limit == TimeLimit(working_days=2)
    assert (policy.min_ratings_to_settle, policy.satisfaction_threshold) == (3, Decimal("0.8"))
    assert policy.publication_required == {Scale.MAJOR}


@pytest.mark.parametrize(
    ("scale", "category", "limit"),
    [
        (Scale.URGENT, None, TimeLimit(hours=24)),
        (Scale.MINOR, "公共设施", TimeLimit(working_days=7)),
        (Scale.MAJOR, None, TimeLimit(working_days=15)),
        (Scale.MAJOR, "水电气暖", TimeLimit(hours=24)),
    ],
)
def test_the_dispatch_deadline_follows_scale_and_category(
    scale: Scale, category: str | None, limit: TimeLimit
) -> None:
    assert Policy().deadline_for(scale, category) == limit


def test_a_meeting_kind_without_a_quorum_falls_back_to_the_majority_rule() -> None:
    assert Policy(quorum={}).quorum_for(MeetingKind.REPRESENTATIVES) == OVER_HALF


def test_a_policy_round_trips_through_json() -> None:
    policy = Policy(version=3, satisfaction_threshold=Decimal("0.75"))
    assert Policy.model_validate_json(policy.model_dump_json()) == policy


def test_a_policy_is_immutable() -> None:
    with pytest.raises(ValidationError):
        Policy().version = 2  # type: ignore[misc]


def test_the_policy_book_adopts_the_next_version_and_keeps_every_one() -> None:
    book = PolicyBook.open(ctx(), policy=Policy(), reason="初始规则")
    book.adopt(
        ctx(), policy=Policy(version=2, satisfaction_threshold=Decimal("0.9")), reason="提高"
    )
    assert book.current.version == 2
    assert book.versions[1] == Policy()
    assert book.versions[2].satisfaction_threshold == Decimal("0.9")


@pytest.mark.parametrize("version", [1, 3])
def test_the_policy_book_refuses_a_version_out_of_turn(version: int) -> None:
    book = PolicyBook.open(ctx(), policy=Policy(), reason="初始规则")
    book.collect_events()
    with pytest.raises(RuleViolationError) as error:
        book.adopt(ctx(), policy=Policy(version=version), reason="跳号")
    assert error.value.rule == "policy.version.next"
    assert (book.collect_events(), book.current_version) == ([], 1)


DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def test_the_policy_catalogue_lists_every_policy_field() -> None:
    catalogue = DOCS.read_text(encoding="utf-8")
    missing = [name for name in Policy.model_fields if f"`{name}`" not in catalogue]
    assert missing == []


def test_the_policy_catalogue_cites_feature_files_that_exist() -> None:
    cited = set(re.findall(r"`([^`\s]+\.feature)`", DOCS.read_text(encoding="utf-8")))
    features = DOCS.parents[1] / "features"
    assert len(cited) >= 8
    assert sorted(c for c in cited if not (features / c).exists()) == []
