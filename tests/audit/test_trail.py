"""Audit trails: who did what, when, on which decision, under which policy version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cogov import DecisionRef, InvalidInputError, PermissionDeniedError, Role, TrailEntry

from .support import History, run_matter

CONVENED = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)


def test_an_issue_trail_tells_who_did_what_when_and_on_which_decision(history: History) -> None:
    app, issue_id, meeting_id = history.app, history.issues[0], history.meetings[0]
    trail = list(app.audit_trail(history.auditor, aggregate_id=issue_id))
    assert [(e.event_type, e.version, e.actor_id, e.actor_role) for e in trail] == [
        ("Issue.Collected", 1, "gw-1", Role.GRID_WORKER),
        ("Issue.Triaged", 2, "sec-1", Role.COMMITTEE_MEMBER),
        ("Issue.PutOnAgenda", 3, "sec-1", Role.COMMITTEE_MEMBER),
        ("Issue.Deliberated", 4, "sec-1", Role.COMMITTEE_MEMBER),
        ("Issue.Dispatched", 5, "sec-1", Role.COMMITTEE_MEMBER),
        ("Issue.Resolved", 6, "c-1", Role.COUNCIL_MEMBER),
    ]
    positions = [e.position for e in trail]
    assert positions == sorted(positions)
    assert {e.aggregate_type for e in trail} == {"Issue"}
    assert {e.unit_id for e in trail} == {history.group}
    assert {e.policy_version for e in trail} == {1}
    deliberated = trail[3]
    assert deliberated.decision == DecisionRef(
        meeting_id=meeting_id, item_no=1, decided_at=CONVENED
    )
    assert deliberated.timestamp == CONVENED
    assert [e.decision for e in trail if e is not deliberated] == [None] * 5
    assert trail[1].changes == {"scale": "major", "category": "交通"}
    assert trail[5].changes == {"summary": "新桥建成", "project_id": None}
    assert trail[5].actor_organisation == "bridge-council"


def test_an_actor_trail_lists_only_that_actors_acts(history: History) -> None:
    trail = list(history.app.audit_trail(history.auditor, actor_id="c-1"))
    assert [(e.event_type, e.aggregate_id) for e in trail] == [
        ("Issue.Resolved", history.issues[0])
    ]


def test_a_unit_trail_keeps_its_own_events_or_its_whole_subtree(history: History) -> None:
    app, auditor = history.app, history.auditor
    own = [e.event_type for e in app.audit_trail(auditor, unit_id=history.group)]
    assert own == [
        "GovernanceUnit.Established",
        "Issue.Collected",
        "Issue.Triaged",
        "Issue.PutOnAgenda",
        "Issue.Deliberated",
        "Issue.Dispatched",
        "Issue.Resolved",
    ]
    village = list(app.audit_trail(auditor, unit_id=history.village))
    assert {e.unit_id for e in village} == {history.village}
    subtree = list(app.audit_trail(auditor, unit_id=history.village, include_subunits=True))
    assert {e.unit_id for e in subtree} == {history.village, history.group}
    assert len(subtree) == len(village) + len(own)
    assert not list(app.audit_trail(auditor, unit_id=history.other_village, actor_id="sec-1"))


def test_a_time_range_keeps_the_acts_inside_it_inclusively(history: History) -> None:
    trail = list(
        history.app.audit_trail(
            history.auditor, aggregate_id=history.meetings[0], since=CONVENED, until=CONVENED
        )
    )
    assert [e.event_type for e in trail] == [
        "Meeting.Convened",
        "Meeting.Voted",
        "Meeting.Decided",
        "Meeting.MinutesPublished",
    ]


def test_the_trail_streams_the_same_entries_whatever_the_batch(history: History) -> None:
    run_matter(history, title="水渠")
    whole: list[TrailEntry] = list(history.app.audit_trail(history.auditor))
    small = list(history.app.audit_trail(history.auditor, batch=3))
    assert small == whole
    assert [e.position for e in whole] == list(range(1, history.app.max_position() + 1))


def test_a_village_auditor_sees_the_village_and_below_and_nothing_else(history: History) -> None:
    app, auditor = history.app, history.village_auditor
    seen = {e.unit_id for e in app.audit_trail(auditor)}
    assert seen == {history.village, history.group}
    assert next(e.event_type for e in app.audit_trail(auditor, aggregate_id=history.issues[0])) == (
        "Issue.Collected"
    )
    with pytest.raises(PermissionDeniedError) as denied:
        app.audit_trail(auditor, unit_id=history.other_village)
    assert denied.value.rule == "permission.audit.read.scope"
    with pytest.raises(PermissionDeniedError) as no_role:
        app.audit_trail(history.grid, aggregate_id=history.issues[0])
    assert no_role.value.rule == "permission.audit.read"


def test_a_trail_needs_timezone_aware_times_and_a_known_aggregate(history: History) -> None:
    with pytest.raises(InvalidInputError) as naive:
        history.app.audit_trail(history.auditor, since=datetime(2026, 3, 2))
    assert naive.value.rule == "input.since"
    from uuid import uuid4

    from cogov import NotFoundError

    with pytest.raises(NotFoundError) as unknown:
        history.app.audit_trail(history.auditor, aggregate_id=uuid4())
    assert unknown.value.rule == "audit.aggregate.exists"
