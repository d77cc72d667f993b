"""The event feed: typed events from a position onward, and a JSON Schema per stored TOPIC."""

from __future__ import annotations

import pytest

from cogov import InvalidInputError, Issue, event_json_schemas
from cogov.domain.unit import GovernanceUnit
from cogov.feed import event_types
from tests.views.support import District


def test_the_feed_serves_typed_events_from_a_position_onward(store_url: str | None) -> None:
    d = District.build(store_url)
    issue = d.urgent(d.group_a)
    last = d.app.max_position()

    page = d.app.events_since(last - 4, limit=3)

    assert [position for position, _ in page] == [last - 3, last - 2, last - 1]
    assert [type(event) for _, event in page] == [
        Issue.Collected,
        Issue.Triaged,
        Issue.FastTracked,
    ]
    assert all(event.originator_id == issue for _, event in page)
    assert d.app.events_since(last, limit=10) == []
    first = d.app.events_since(0, limit=1000)
    assert len(first) == last
    assert sum(isinstance(e, GovernanceUnit.Established) for _, e in first) == 6
    with pytest.raises(InvalidInputError) as refused:
        d.app.events_since(-1)
    assert refused.value.rule == "input.position"
    with pytest.raises(InvalidInputError) as too_many:
        d.app.events_since(0, limit=1001)
    assert too_many.value.rule == "input.limit"
    d.close()


def test_every_stored_topic_has_a_json_schema_from_its_model() -> None:
    schemas = event_json_schemas()

    collected = schemas["cogov:Issue.Collected"]
    assert collected["x-cogov-topic"] == "cogov:Issue.Collected"
    assert {"title", "channel", "raised_by", "timestamp", "actor", "unit_id"} <= set(
        collected["properties"]
    )
    assert "title" in collected["required"]
    assert schemas["cogov:Issue.Dispatched"]["properties"]["deadline"]["format"] == "date-time"
    assert "cogov:Project.RewardGranted" in schemas
    assert "cogov:Meeting.Decided" in schemas
    assert set(schemas) == set(event_types())
    ours = [topic for topic, cls in event_types().items() if cls.__module__.startswith("cogov.")]
    assert len(ours) > 40
    assert all(topic.startswith("cogov:") and "." in topic for topic in ours)


def test_every_event_in_a_history_has_a_published_schema(store_url: str | None) -> None:
    d = District.build(store_url)
    d.resolve(d.urgent(d.group_b))
    schemas = event_json_schemas()
    topics = {type(event).TOPIC for _, event in d.app.events_since(0, limit=1000)}
    assert topics <= set(schemas)
    assert topics == {
        "cogov:PolicyBook.Adopted",
        "cogov:GovernanceUnit.Established",
        "cogov:Issue.Collected",
        "cogov:Issue.Triaged",
        "cogov:Issue.FastTracked",
        "cogov:Issue.Dispatched",
        "cogov:Issue.Resolved",
    }
    d.close()
