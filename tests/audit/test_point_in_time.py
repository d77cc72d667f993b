"""State as of any moment: one aggregate by version or time, the whole store by position or
time, the difference between two moments — and a replay stopped in the past then carried
forward gives exactly today's state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from cogov import InvalidInputError, NotFoundError, PermissionDeniedError
from cogov.audit.replay import state_of
from cogov.domain.base import Aggregate, project
from cogov.domain.policybook import POLICY_BOOK_ID

from .support import History, run_matter

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CONVENED = START + timedelta(days=5)


def _today(h: History) -> dict[Any, Any]:
    """Every aggregate's current state, loaded through the repository."""
    ids = {n.originator_id for n in h.app.store.recorder.select_notifications(1, 100_000)}
    return {
        i: state_of(
            cast(Aggregate, h.app.store.repository.get(i, projector_func=cast(Any, project)))
        )
        for i in ids
    }


def test_an_issue_as_of_a_version_or_a_time(history: History) -> None:
    app, issue_id = history.app, history.issues[0]
    v2 = app.aggregate_as_of(history.auditor, issue_id, version=2)
    assert (v2.aggregate_type, v2.version, v2.state["status"], v2.state["scale"]) == (
        "Issue",
        2,
        "triaged",
        "major",
    )
    before_vote = app.aggregate_as_of(history.auditor, issue_id, at=CONVENED - timedelta(hours=1))
    assert (before_vote.version, before_vote.state["status"]) == (3, "on_agenda")
    at_vote = app.aggregate_as_of(history.auditor, issue_id, at=CONVENED)
    assert (at_vote.version, at_vote.state["status"]) == (5, "dispatched")
    now = app.aggregate_as_of(history.auditor, issue_id)
    assert (now.version, now.state["status"]) == (6, "resolved")
    assert now.state == app.aggregate_as_of(history.auditor, issue_id, version=6).state


def test_deployment_wide_records_are_read_by_deployment_wide_auditors_only(
    history: History,
) -> None:
    book = history.app.aggregate_as_of(history.auditor, POLICY_BOOK_ID)
    assert (book.aggregate_type, book.version) == ("PolicyBook", 1)
    with pytest.raises(PermissionDeniedError) as denied:
        history.app.aggregate_as_of(history.village_auditor, POLICY_BOOK_ID)
    assert denied.value.rule == "permission.audit.read.scope"
    issue = history.app.aggregate_as_of(history.village_auditor, history.issues[0], version=1)
    assert issue.state["status"] == "collected"


def test_before_its_first_event_an_aggregate_did_not_exist(history: History) -> None:
    app, issue_id = history.app, history.issues[0]
    with pytest.raises(NotFoundError) as before:
        app.aggregate_as_of(history.auditor, issue_id, at=START - timedelta(seconds=1))
    assert before.value.rule == "audit.as_of.exists"
    with pytest.raises(NotFoundError) as beyond:
        app.aggregate_as_of(history.auditor, issue_id, version=99)
    assert beyond.value.rule == "audit.as_of.exists"
    with pytest.raises(InvalidInputError) as both:
        app.aggregate_as_of(history.auditor, issue_id, version=1, at=START)
    assert both.value.rule == "input.as_of"
    with pytest.raises(InvalidInputError) as naive:
        app.store_as_of(history.auditor, at=datetime(2026, 3, 2))
    assert naive.value.rule == "input.at"


def test_the_store_as_of_a_position_holds_what_existed_then(history: History) -> None:
    app = history.app
    trail = list(app.audit_trail(history.auditor, aggregate_id=history.issues[0]))
    collected, triaged = trail[0].position, trail[1].position
    then = app.store_as_of(history.auditor, position=collected)
    assert then.position == collected
    assert then.aggregates[history.issues[0]].state["status"] == "collected"
    assert history.meetings[0] not in then.aggregates
    assert len(then.aggregates) == len(
        {n.originator_id for n in app.store.recorder.select_notifications(1, collected)}
    )
    diff = app.store_diff(history.auditor, from_position=collected, to_position=triaged)
    assert [(c.id, c.from_version, c.to_version) for c in diff.changes] == [
        (history.issues[0], 1, 2)
    ]
    fields = diff.changes[0].fields
    assert {k: (v.before, v.after) for k, v in fields.items()} == {
        "status": ("collected", "triaged"),
        "scale": (None, "major"),
        "category": (None, "交通"),
    }


def test_the_store_as_of_a_time_agrees_with_each_aggregate_as_of_that_time(
    history: History,
) -> None:
    app = history.app
    moment = CONVENED - timedelta(hours=1)
    store = app.store_as_of(history.auditor, at=moment)
    assert store.as_of == moment
    for aggregate_id in (history.issues[0], history.meetings[0]):
        assert store.aggregates[aggregate_id] == app.aggregate_as_of(
            history.auditor, aggregate_id, at=moment
        )
    diff = app.store_diff(history.auditor, from_time=moment)
    assert {c.id for c in diff.changes} == {history.issues[0], history.meetings[0]}
    meeting = next(c for c in diff.changes if c.id == history.meetings[0])
    assert meeting.fields["status"].before == "agenda_published"
    assert meeting.fields["status"].after == "minutes_published"


def test_a_replay_stopped_at_a_past_position_then_carried_forward_is_todays_state(
    history: History,
) -> None:
    run_matter(history, title="水渠")
    app = history.app
    replayer = app.replayer(history.auditor)
    middle = app.max_position() // 2
    replayer.advance(to_position=middle)
    past = replayer.state()
    assert past.position == middle
    assert past == app.store_as_of(history.auditor, position=middle)
    replayer.advance()
    today = replayer.state()
    assert today.position == app.max_position()
    assert today.aggregates == _today(history)
    assert today == app.store_as_of(history.auditor)


def test_a_replay_stopped_at_a_past_moment_then_carried_forward_is_todays_state(
    history: History,
) -> None:
    run_matter(history, title="水渠")
    app = history.app
    replayer = app.replayer(history.auditor)
    replayer.advance(until=CONVENED - timedelta(hours=1))
    past = replayer.state()
    assert past.aggregates[history.issues[0]].state["status"] == "on_agenda"
    assert history.issues[1] not in past.aggregates
    replayer.advance(until=CONVENED + timedelta(days=8))  # a later moment, then the end
    replayer.advance()
    assert replayer.state().aggregates == _today(history)
