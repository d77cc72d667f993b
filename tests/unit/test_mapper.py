"""The stored form of an event is a contract: its TOPIC, its JSON, nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import orjson
import pytest
from eventsourcing.compressor import ZlibCompressor

from cogov import (
    AgendaItem,
    Assignee,
    AssigneeKind,
    Channel,
    DecisionRef,
    Issue,
    Meeting,
    MeetingKind,
    Role,
    Scale,
    TimeLimit,
)
from cogov.domain.base import DomainEvent
from cogov.domain.values import Actor
from cogov.persistence.mapper import OrjsonTranscoder, PydanticMapper, decode_state
from tests.support import T0, UNIT, ctx

ISSUE_ID = UUID("00000000-0000-4000-8000-0000000000a1")
MEETING_ID = UUID("00000000-0000-4000-8000-0000000000b1")
RAISER = UUID("00000000-0000-4000-8000-00000000000f")
MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())


def test_an_event_is_stored_as_its_topic_and_exact_json() -> None:
    event = Issue.Triaged(
        originator_id=ISSUE_ID,
        originator_version=2,
        timestamp=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        actor=Actor(id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=UNIT),
        unit_id=UNIT,
        policy_version=1,
        scale=Scale.MAJOR,
        category="交通",
    )
    stored = MAPPER.to_stored_event(event)
    assert (stored.originator_id, stored.originator_version, stored.topic) == (
        ISSUE_ID,
        2,
        "cogov:Issue.Triaged",
    )
    assert stored.state == (
        b'{"timestamp":"2026-03-02T01:00:00Z",'
        b'"actor":{"id":"sec-1","role":"committee_member",'
        b'"unit_id":"00000000-0000-4000-8000-000000000001","organisation":null},'
        b'"unit_id":"00000000-0000-4000-8000-000000000001","policy_version":1,'
        + '"scale":"major","category":"交通"}'.encode()
    )
    assert MAPPER.to_domain_event(stored) == event


def test_the_envelope_lives_in_its_columns_not_in_the_state() -> None:
    stored = MAPPER.to_stored_event(_history()[0])
    state = orjson.loads(stored.state)
    assert "originator_id" not in state
    assert "originator_version" not in state
    assert "class_version" not in state  # version 1 writes no class_version
    assert "TOPIC" not in state


def _history() -> list[DomainEvent]:
    """Every kind of Issue and Meeting event, with nested values, decimals and datetimes."""
    c = ctx()
    issue = Issue.collect(
        c,
        id=ISSUE_ID,
        unit_id=UNIT,
        channel=Channel.EVENING_TALK,
        raised_by=RAISER,
        title="危桥",
        description="桥宽不足2米",
    )
    issue.triage(c, scale=Scale.MAJOR, category="交通")
    decision = DecisionRef(meeting_id=MEETING_ID, item_no=1, decided_at=T0)
    issue.deliberate(c, decision=decision, meeting_kind=MeetingKind.REPRESENTATIVES)
    assignee = Assignee(kind=AssigneeKind.COUNCIL, id="bridge", name="修桥理事会")
    issue.dispatch(
        c,
        assignee=assignee,
        deadline=T0 + timedelta(days=21),
        time_limit=TimeLimit(working_days=15),
    )
    worker = ctx(Role.COUNCIL_MEMBER, actor_id="c-1", organisation="bridge")
    issue.resolve(worker, summary="新桥建成")
    issue.publish_result(c, summary="新桥通行", households_benefiting=120, decision_published=True)
    for n, score in enumerate((5, 2, 3)):
        issue.evaluate(ctx(Role.RESIDENT, actor_id=f"r-{n}"), score=score, comment="意见")
    meeting = Meeting.schedule(
        c,
        id=MEETING_ID,
        unit_id=UNIT,
        kind=MeetingKind.REPRESENTATIVES,
        title="三月代表会议",
        roster_size=30,
        scheduled_for=T0 + timedelta(days=5),
        chair_id="cadre-1",
    )
    meeting.publish_agenda(c, items=[AgendaItem(item_no=1, topic="修桥", issue_id=ISSUE_ID)])
    on_the_day = ctx(at=T0 + timedelta(days=5))
    meeting.convene(on_the_day, present=20)
    meeting.record_vote(on_the_day, item_no=1, votes_for=11, votes_against=9, abstentions=0)
    meeting.publish_minutes(on_the_day, summary="通过")
    meeting.close(on_the_day)
    return [*issue.collect_events(), *meeting.collect_events()]


def test_every_issue_and_meeting_event_round_trips_equal() -> None:
    events = _history()
    names = {type(e).__name__ for e in events}
    assert {"Reopened", "Evaluated", "Decided", "Voted", "AgendaPublished"} <= names
    for event in events:
        stored = MAPPER.to_stored_event(event)
        assert stored.topic == type(event).TOPIC
        back = MAPPER.to_domain_event(stored)
        assert type(back) is type(event)
        assert back == event


def test_the_stored_json_is_byte_for_byte_the_orjson_of_the_json_dump() -> None:
    envelope = {"originator_id", "originator_version"}
    for event in _history():
        expected = orjson.dumps(event.model_dump(mode="json", exclude=envelope))
        assert MAPPER.to_stored_event(event).state == expected


def test_a_reopening_keeps_its_decimal_share_exactly() -> None:
    (reopened,) = [e for e in _history() if isinstance(e, Issue.Reopened)]
    back = MAPPER.to_domain_event(MAPPER.to_stored_event(reopened))
    assert back.satisfied_share == Decimal("0.3333")


def test_a_compressed_store_round_trips_too() -> None:
    zipped = PydanticMapper(transcoder=OrjsonTranscoder(), compressor=ZlibCompressor())
    for event in _history():
        stored = zipped.to_stored_event(event)
        assert not stored.state.startswith(b"{")
        assert zipped.to_domain_event(stored) == event


def test_fast_readers_decode_the_state_without_building_the_model() -> None:
    stored = MAPPER.to_stored_event(_history()[1])
    assert decode_state(stored.topic, stored.state)["scale"] == "major"


def test_the_transcoder_takes_no_custom_transcodings() -> None:
    with pytest.raises(NotImplementedError):
        OrjsonTranscoder().register(None)  # type: ignore[arg-type]
