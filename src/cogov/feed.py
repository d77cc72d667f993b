"""The event feed: typed events from a position onward, and a JSON Schema for every event type.

Other services follow cogov by reading the feed (``app.events_since(position, limit)``) and
remembering the last position they handled; the schemas (``event_json_schemas()``) are the
published contract of each stored ``TOPIC``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

import cogov.domain
from cogov.domain.base import DomainEvent
from cogov.errors import InvalidInputError

__all__ = ["MAX_FEED_PAGE", "event_json_schemas", "event_types", "events_since"]

MAX_FEED_PAGE = 1000


def event_types() -> dict[str, type[DomainEvent]]:
    """Every registered event class, by its stored ``TOPIC`` (the whole domain package is
    imported first, so aggregates added later are found without a list to maintain)."""
    for module in pkgutil.iter_modules(cogov.domain.__path__, "cogov.domain."):
        importlib.import_module(module.name)
    found: dict[str, type[DomainEvent]] = {}
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        topic = cls.__dict__.get("TOPIC")
        if topic:
            found[topic] = cls
    return dict(sorted(found.items()))


def event_json_schemas() -> dict[str, dict[str, Any]]:
    """A JSON Schema (draft 2020-12, from the pydantic model) for every event ``TOPIC``.

    The schema describes the event as stored and served: every field of the model, with
    ``originator_id``/``originator_version`` (the envelope) included."""
    schemas: dict[str, dict[str, Any]] = {}
    for topic, cls in event_types().items():
        schema = cls.model_json_schema(mode="serialization")
        schema["$id"] = f"urn:cogov:event:{topic}"
        schema["x-cogov-topic"] = topic
        schema["x-cogov-class-version"] = getattr(cls, "class_version", 1)
        schemas[topic] = schema
    return schemas


def events_since(
    recorder: ApplicationRecorder, mapper: Mapper[Any], position: int, limit: int
) -> list[tuple[int, Any]]:
    """Up to ``limit`` events after ``position`` (exclusive), oldest first, as
    ``(position, event)`` pairs; pass the last position back to read on."""
    if position < 0:
        raise InvalidInputError(f"a position is 0 or more, not {position}", rule="input.position")
    if not 1 <= limit <= MAX_FEED_PAGE:
        raise InvalidInputError(f"limit is 1 to {MAX_FEED_PAGE}, not {limit}", rule="input.limit")
    notifications = recorder.select_notifications(position + 1, limit=limit)
    return [(n.id, mapper.to_domain_event(n)) for n in notifications]
