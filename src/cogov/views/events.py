"""What a projection sees: a stored event decoded only as far as the views need.

The runner does not build pydantic models (that costs more than the projections): it
decodes the stored JSON with orjson, upcasts it (:func:`cogov.persistence.mapper.upcast`),
and hands the projections a :class:`ViewEvent` with the state as a plain ``dict``.

Identifiers stay text: the originator id is carried in its canonical form (``str(UUID)``,
lowercase with dashes — how PostgreSQL prints a uuid and how pydantic writes the ids in the
state; the runner adds the dashes to SQLite's 32 hex digits), so the projections key their
dicts by strings, which hash in C, instead of building and hashing a :class:`~uuid.UUID` per
event. ``originator_id`` still gives the UUID.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

__all__ = ["BEIJING_OFFSET", "ViewEvent", "month_bounds", "month_of", "parse_ts", "uuid_of"]

#: China Standard Time has had no daylight saving since 1991: a fixed UTC+8 is exact.
BEIJING_OFFSET = timezone(timedelta(hours=8))


class ViewEvent(NamedTuple):
    position: int  # the notification id: the event's place in the global log
    topic: str
    originator_key: str  # the originator id in canonical text form, str(UUID)
    originator_version: int
    state: dict[str, Any]

    @property
    def originator_id(self) -> UUID:
        return uuid_of(self.originator_key)

    @property
    def timestamp(self) -> datetime:
        return parse_ts(self.state["timestamp"])

    @property
    def unit_id(self) -> UUID:
        return uuid_of(self.state["unit_id"])


@lru_cache(maxsize=16384)  # the events of one command share their timestamp
def parse_ts(value: str) -> datetime:
    """An ISO timestamp from stored JSON, as an aware UTC datetime."""
    return datetime.fromisoformat(value).astimezone(UTC)


@lru_cache(maxsize=65536)
def uuid_of(value: str) -> UUID:
    return UUID(value)


@lru_cache(maxsize=16384)
def month_of(moment: datetime) -> str:
    """The month (``YYYY-MM``, Beijing time) a moment falls in."""
    local = moment.astimezone(BEIJING_OFFSET)
    return f"{local.year:04d}-{local.month:02d}"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first moment of ``month`` and of the month after (Beijing time), in UTC."""
    year, mon = (int(p) for p in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=BEIJING_OFFSET)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=BEIJING_OFFSET)
    return start.astimezone(UTC), end.astimezone(UTC)
