"""The read-model tables (``view_*``): plain SQL tables in the same database as the events.

Every table belongs to exactly one projection (see :mod:`cogov.views.projections`), except
``view_tracking``, which records, per projection, the last notification id applied. Times are
stored in UTC (``timestamp with time zone`` on PostgreSQL, ISO text on SQLite); months are
``YYYY-MM`` strings in Beijing time, so a month filter is one indexed equality.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "METADATA",
    "UTCDateTime",
    "counters",
    "issues",
    "meetings",
    "pledges",
    "policies",
    "project_facts",
    "projects",
    "ratings",
    "tasks",
    "tracking",
    "unit_ancestors",
    "units",
]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC, always read back aware (also on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


METADATA = MetaData()
TS = UTCDateTime

tracking = Table(
    "view_tracking",
    METADATA,
    Column("projection", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# -- units (治理单元) ------------------------------------------------------------------------
units = Table(
    "view_units",
    METADATA,
    Column("unit_id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("level", String(16), nullable=False),
    Column("depth", Integer, nullable=False),
    Column("parent_id", Uuid, nullable=True, index=True),
    Column("households", Integer, nullable=False),
    Column("established_at", TS, nullable=False),
)

#: closure table: one row per (ancestor, descendant) pair, the unit itself at distance 0,
#: so "everything under unit X" is one indexed lookup on ancestor_id.
unit_ancestors = Table(
    "view_unit_ancestors",
    METADATA,
    Column("ancestor_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, primary_key=True),
    Column("distance", Integer, nullable=False),
    Index("ix_view_unit_ancestors_unit", "unit_id"),
)

# -- issues, tasks, ratings, monthly counters ------------------------------------------------
policies = Table(
    "view_policies",
    METADATA,
    Column("version", Integer, primary_key=True),
    Column("response_limit", String(2000), nullable=False),  # JSON: scale → time limit
)

issues = Table(
    "view_issues",
    METADATA,
    Column("issue_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False, index=True),
    Column("origin_unit_id", Uuid, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("scale", String(8), nullable=True),
    Column("category", String(200), nullable=True),
    Column("title", String(200), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("collected_at", TS, nullable=False),
    Column("collected_month", String(7), nullable=False, index=True),
    Column("responded_at", TS, nullable=True),
    Column("response_due", TS, nullable=True),
    Column("responded_on_time", Boolean, nullable=True),
    Column("deliberated_at", TS, nullable=True),
    Column("fast_tracked_at", TS, nullable=True),
    Column("decision_meeting_id", Uuid, nullable=True, index=True),
    Column("dispatch_count", Integer, nullable=False),
    Column("assignee_kind", String(16), nullable=True),
    Column("assignee_id", String(120), nullable=True),
    Column("assignee_name", String(200), nullable=True),
    Column("dispatched_at", TS, nullable=True),
    Column("deadline", TS, nullable=True),
    Column("resolved_at", TS, nullable=True),
    Column("project_id", Uuid, nullable=True),
    Column("published_at", TS, nullable=True),
    Column("households_benefiting", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("ratings", Integer, nullable=False),
    Column("satisfied", Integer, nullable=False),
    Column("reopened", Integer, nullable=False),
    Column("closed_at", TS, nullable=True),
    Column("ended_at", TS, nullable=True),
)

tasks = Table(
    "view_tasks",
    METADATA,
    Column("issue_id", Uuid, primary_key=True),
    Column("dispatch_no", Integer, primary_key=True),
    Column("unit_id", Uuid, nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("assignee_kind", String(16), nullable=False),
    Column("assignee_id", String(120), nullable=False, index=True),
    Column("assignee_name", String(200), nullable=False),
    Column("dispatched_at", TS, nullable=False),
    Column("dispatched_month", String(7), nullable=False, index=True),
    Column("deadline", TS, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("ended_at", TS, nullable=True),
    Column("chased", Integer, nullable=False),
)

ratings = Table(
    "view_ratings",
    METADATA,
    Column("issue_id", Uuid, primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("resident_id", String(120), primary_key=True),
    Column("unit_id", Uuid, nullable=False, index=True),
    Column("assignee_id", String(120), nullable=True, index=True),
    Column("rated_at", TS, nullable=False),
    Column("month", String(7), nullable=False, index=True),
    Column("score", Integer, nullable=False),
    Column("satisfied", Boolean, nullable=False),
)

#: monthly flows: how many times a thing happened in a unit in a month (metric names in
#: :data:`cogov.views.projections.ISSUE_METRICS`).
counters = Table(
    "view_counters",
    METADATA,
    Column("unit_id", Uuid, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("metric", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# -- meetings (两个会议, 四议两公开) --------------------------------------------------------
meetings = Table(
    "view_meetings",
    METADATA,
    Column("meeting_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(24), nullable=False),
    Column("scheduled_for", TS, nullable=False),
    Column("month", String(7), nullable=False, index=True),
    Column("roster_size", Integer, nullable=False),
    Column("present", Integer, nullable=True),
    Column("quorum_met", Boolean, nullable=True),
    Column("agenda_published_at", TS, nullable=True),
    Column("items", Integer, nullable=False),
    Column("decided", Integer, nullable=False),
    Column("adopted", Integer, nullable=False),
    Column("convened_at", TS, nullable=True),
    Column("minutes_published_at", TS, nullable=True),
    Column("cancelled_at", TS, nullable=True),
)

# -- projects (共建/共管/共享) -------------------------------------------------------------
projects = Table(
    "view_projects",
    METADATA,
    Column("project_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("status", String(24), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("month", String(7), nullable=False, index=True),
    Column("under_maintenance", Boolean, nullable=False),
    Column("households_benefiting", Integer, nullable=False),
)

#: one row per pledge (捐资/投工投劳/物资), so a receipt is counted under the pledge's kind.
pledges = Table(
    "view_project_pledges",
    METADATA,
    Column("pledge_id", Uuid, primary_key=True),
    Column("project_id", Uuid, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("contributor_kind", String(16), nullable=False),
    Column("pledged_x100", BigInteger, nullable=False),  # hundredths of a yuan / a day
    Column("received_x100", BigInteger, nullable=False),
)

#: additive facts of projects per unit and month (money pledged and received, labour days,
#: materials, rewards, inspections, conventions, households benefiting). Values are stored in
#: hundredths (分 for yuan, 1/100 of a labour day, 100 per count) so sums stay exact integers.
project_facts = Table(
    "view_project_facts",
    METADATA,
    Column("unit_id", Uuid, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("metric", String(32), primary_key=True),
    Column("value_x100", BigInteger, nullable=False),
)
