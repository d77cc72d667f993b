"""Projections: each turns a batch of decoded events into rows of its own ``view_*`` tables.

A projection dispatches on the event's stored ``TOPIC`` (never on a module path) and applies
a whole batch at once: it loads the rows the batch touches with one query per table, changes
them in memory in log order, and writes them back with one statement per table. It never
commits: the runner (:mod:`cogov.views.runner`) writes the rows of every projection and the
tracking positions in one transaction.

Projections are deterministic functions of the log: the same events give the same rows,
whatever the batch boundaries — which is what makes a rebuild equal the live view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any, ClassVar, cast
from uuid import UUID

import orjson
from sqlalchemy import Connection, Table, Uuid, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from cogov.calendar import WorkingCalendar
from cogov.domain.issue import Issue, IssueStatus
from cogov.domain.meeting import Meeting, MeetingStatus
from cogov.domain.policy import Policy, TimeLimit
from cogov.domain.policybook import PolicyBook
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import Scale, UnitLevel
from cogov.views import tables as t
from cogov.views.events import ViewEvent, month_of, parse_ts, uuid_of

__all__ = [
    "ISSUE_METRICS",
    "PROJECT_METRICS",
    "IssuesProjection",
    "MeetingsProjection",
    "Projection",
    "ProjectsProjection",
    "TaskState",
    "UnitsProjection",
    "default_projections",
    "x100",
]

Row = dict[str, Any]
Handler = Callable[[ViewEvent], None]
_CHUNK = 500  # ids per IN (…) list


class TaskState:
    """States of a dispatched task (one 派单) in ``view_tasks.state``."""

    OPEN = "open"
    RESOLVED = "resolved"
    RETURNED = "returned"
    ESCALATED = "escalated"
    WITHDRAWN = "withdrawn"


#: monthly flow metrics in ``view_counters`` (per unit the event is filed under, per month)
ISSUE_METRICS = (
    "collected",
    "triaged",
    "responded_on_time",
    "merged",
    "deliberated",
    "fast_tracked",
    "dispatched",
    "returned",
    "escalated",
    "chased",
    "resolved",
    "published",
    "households_benefiting",
    "ratings",
    "satisfied",
    "closed",
    "reopened",
    "withdrawn",
    "rejected",
)

#: additive facts in ``view_project_facts`` (yuan for money/materials/rewards, days for labour)
PROJECT_METRICS = (
    "projects",
    "approved",
    "pledged_money",
    "pledged_labour_days",
    "pledged_materials",
    "received_money",
    "received_labour_days",
    "received_materials",
    "rewards",
    "maintainers_assigned",
    "inspections",
    "inspections_failed",
    "conventions",
    "ratings",
    "satisfied",
    "households_benefiting",
)


def upsert(conn: Connection, table: Table, rows: Sequence[Row], *, add: Sequence[str] = ()) -> None:
    """Insert rows, or on a primary-key clash overwrite them (or, for ``add`` columns, add to
    them). One statement for the whole list (executemany)."""
    _write(conn, table, rows, add, upsert=True)


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert rows (a primary-key clash raises). One statement for the whole list."""
    _write(conn, table, rows, (), upsert=False)


_Statement = tuple[str, Callable[[Row], tuple[Any, ...]], list[tuple[int, Callable[[Any], Any]]]]
_STATEMENTS: dict[tuple[str, str, tuple[str, ...], bool], _Statement] = {}


def _write(
    conn: Connection, table: Table, rows: Sequence[Row], add: Sequence[str], *, upsert: bool
) -> None:
    """The batch writes bypass SQLAlchemy's per-row parameter processing (the largest cost of
    a rebuild after decoding): the statement is compiled once per dialect and table, the few
    values that need it are converted by plain functions, and the rows go to the driver's
    ``executemany``. Unqualified table names resolve through the connection's
    ``search_path`` on PostgreSQL (set from the store URL's schema)."""
    if not rows:
        return
    key = (conn.dialect.name, table.name, tuple(add), upsert)
    prepared = _STATEMENTS.get(key)
    if prepared is None:
        prepared = _STATEMENTS[key] = _prepare(conn, table, add, upsert=upsert)
    sql, values_of, conversions = prepared
    data: list[Any] = list(map(values_of, rows))
    if conversions:  # column by column: the loops run in C (map, zip), not per value
        columns: list[Any] = list(zip(*data, strict=True))
        for index, convert in conversions:
            columns[index] = map(convert, columns[index])
        data = list(zip(*columns, strict=True))
    conn.exec_driver_sql(sql, data)


def _prepare(conn: Connection, table: Table, add: Sequence[str], *, upsert: bool) -> _Statement:
    dialect = conn.dialect
    stmt: Any
    if dialect.name == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect.name == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported stores
        raise NotImplementedError(f"no upsert for {dialect.name}")
    if upsert:
        keys = [c.name for c in table.primary_key.columns]
        if add:
            set_ = {name: table.c[name] + stmt.excluded[name] for name in add}
        else:
            set_ = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=set_)
    compiled = stmt.compile(dialect=dialect, column_keys=[c.name for c in table.columns])
    names = [c.name for c in table.columns]
    sql = str(compiled)
    if compiled.positional:
        names = list(compiled.positiontup or [])
    else:  # named (pyformat): rewrite to positional %s in the order the names appear
        order = sorted(names, key=lambda n: sql.index(f"%({n})s"))
        for name in order:
            sql = sql.replace(f"%({name})s", "%s")
        names = order
    getter = itemgetter(*names)
    values_of: Callable[[Row], tuple[Any, ...]]
    if len(names) == 1:
        values_of = lambda row: (getter(row),)  # noqa: E731 - itemgetter of one is no tuple
    else:
        values_of = cast(Callable[[Row], tuple[Any, ...]], getter)
    types = {c.name: c.type for c in table.columns}
    conversions = [
        (index, convert)
        for index, name in enumerate(names)
        if (convert := _converter(dialect.name, types[name])) is not _same
    ]
    return sql, values_of, conversions


def _same(value: Any) -> Any:
    return value


def _converter(dialect: str, type_: Any) -> Callable[[Any], Any]:
    if dialect != "sqlite":
        return _same  # psycopg adapts UUIDs and aware datetimes itself
    if isinstance(type_, t.UTCDateTime):
        return _sqlite_time
    if isinstance(type_, Uuid):
        return _sqlite_uuid
    return _same


@lru_cache(maxsize=65536)  # the events of a command share their (cached) timestamp
def _sqlite_time(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME text, in UTC (the format UTCDateTime reads back)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(sep=" ", timespec="microseconds")[:26]


@lru_cache(maxsize=65536)  # an id recurs across the rows of a batch (issue, task, ratings)
def _sqlite_uuid(value: UUID | str | None) -> str | None:
    """SQLAlchemy's SQLite UUID text (32 hex digits) of a UUID or of its text form."""
    if value is None:
        return None
    return (UUID(value) if isinstance(value, str) else value).hex


def _text_ids(row: Row) -> Row:
    """A loaded row with its UUID values in canonical text form, like the ids of the events."""
    return {k: str(v) if isinstance(v, UUID) else v for k, v in row.items()}


def load_rows(conn: Connection, table: Table, key: str, ids: Iterable[str]) -> dict[str, Row]:
    """The rows whose UUID ``key`` column is in ``ids`` (text form), as mutable dicts keyed by
    that id; their UUID values are in text form (:func:`_text_ids`)."""
    wanted = [uuid_of(i) for i in dict.fromkeys(ids)]
    found: dict[str, Row] = {}
    column = table.c[key]
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        for row in conn.execute(select(table).where(column.in_(chunk))).mappings():
            loaded = _text_ids(dict(row))
            found[loaded[key]] = loaded
    return found


class Projection:
    """Base of the projections: a name (its tracking key), its tables and its topics."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self.handlers)

    def apply(self, conn: Connection, events: Sequence[ViewEvent]) -> None:
        """Apply a batch (already filtered to this projection's topics, in log order)."""
        raise NotImplementedError

    def clear(self, conn: Connection) -> None:
        for table in reversed(self.tables):
            conn.execute(table.delete())


class UnitsProjection(Projection):
    """Units and their closure table (组→村→乡→县 rollups)."""

    name = "units"
    tables = (t.units, t.unit_ancestors)

    def __init__(self) -> None:
        super().__init__()
        self.handlers = {
            GovernanceUnit.Established.TOPIC: self._established,
            GovernanceUnit.Renamed.TOPIC: self._renamed,
        }

    def apply(self, conn: Connection, events: Sequence[ViewEvent]) -> None:
        self._conn = conn
        handlers = self.handlers
        for event in events:
            handlers[event.topic](event)

    def _established(self, e: ViewEvent) -> None:
        s = e.state
        parent = uuid_of(s["parent_id"]) if s.get("parent_id") else None
        level = UnitLevel(s["level"])
        self._conn.execute(  # parameters, not .values(): one cached compiled statement
            insert(t.units),
            {
                "unit_id": e.originator_id,
                "name": s["name"],
                "level": level.value,
                "depth": level.depth,
                "parent_id": parent,
                "households": s.get("households", 0),
                "established_at": parse_ts(s["timestamp"]),
            },
        )
        closure = [{"ancestor_id": e.originator_id, "unit_id": e.originator_id, "distance": 0}]
        if parent is not None:
            above = self._conn.execute(
                select(t.unit_ancestors.c.ancestor_id, t.unit_ancestors.c.distance).where(
                    t.unit_ancestors.c.unit_id == parent
                )
            ).all()
            closure += [
                {"ancestor_id": a, "unit_id": e.originator_id, "distance": d + 1} for a, d in above
            ]
        self._conn.execute(insert(t.unit_ancestors), closure)

    def _renamed(self, e: ViewEvent) -> None:
        self._conn.execute(
            update(t.units).where(t.units.c.unit_id == e.originator_id).values(name=e.state["name"])
        )


class _Counter:
    """Per-batch sums of (unit, month, metric) → value, written with one additive upsert."""

    def __init__(self, column: str = "value") -> None:
        self.values: dict[tuple[str, str, str], int] = defaultdict(int)
        self.column = column

    def add(self, unit: str, moment: datetime, metric: str, amount: int = 1) -> None:
        self.values[(unit, month_of(moment), metric)] += amount

    def rows(self) -> list[Row]:
        return [
            {"unit_id": u, "month": m, "metric": k, self.column: v}
            for (u, m, k), v in self.values.items()
            if v != 0
        ]


#: the statuses' stored values by member name (a dict lookup is cheaper than ``.value``)
_ISSUE_STATUS = {status.name: status.value for status in IssueStatus}
_MEETING_STATUS = {status.name: status.value for status in MeetingStatus}

_ENDED = {
    Issue.MergedInto.TOPIC: IssueStatus.MERGED,
    Issue.Closed.TOPIC: IssueStatus.CLOSED,
    Issue.Withdrawn.TOPIC: IssueStatus.WITHDRAWN,
    Issue.Rejected.TOPIC: IssueStatus.REJECTED,
}


class IssuesProjection(Projection):
    """Issues (problem list), dispatched tasks (task and responsibility lists), residents'
    ratings, monthly counters, and the policy versions the response rate is judged under."""

    name = "issues"
    tables = (t.policies, t.issues, t.tasks, t.ratings, t.counters)

    def __init__(self, calendar: WorkingCalendar | None = None) -> None:
        super().__init__()
        self.calendar = calendar or WorkingCalendar()
        self._limits: dict[int, dict[Scale, TimeLimit]] = {}
        self.handlers = {
            PolicyBook.Adopted.TOPIC: self._policy_adopted,
            Issue.Collected.TOPIC: self._collected,
            Issue.Triaged.TOPIC: self._triaged,
            Issue.MergedInto.TOPIC: self._ended,
            Issue.DuplicateAbsorbed.TOPIC: self._absorbed,
            Issue.PutOnAgenda.TOPIC: self._on_agenda,
            Issue.Deliberated.TOPIC: self._deliberated,
            Issue.FastTracked.TOPIC: self._fast_tracked,
            Issue.FastTrackReported.TOPIC: self._fast_track_reported,
            Issue.Dispatched.TOPIC: self._dispatched,
            Issue.Returned.TOPIC: self._returned,
            Issue.Escalated.TOPIC: self._escalated,
            Issue.Chased.TOPIC: self._chased,
            Issue.Resolved.TOPIC: self._resolved,
            Issue.ResultPublished.TOPIC: self._published,
            Issue.Evaluated.TOPIC: self._evaluated,
            Issue.Closed.TOPIC: self._ended,
            Issue.Reopened.TOPIC: self._reopened,
            Issue.Withdrawn.TOPIC: self._ended,
            Issue.Rejected.TOPIC: self._ended,
        }

    # -- the batch -----------------------------------------------------------------------
    def apply(self, conn: Connection, events: Sequence[ViewEvent]) -> None:
        self._conn = conn
        existing = {e.originator_key for e in events if e.topic.startswith("cogov:Issue.")} - {
            e.originator_key for e in events if e.topic == Issue.Collected.TOPIC
        }
        self._issues = load_rows(conn, t.issues, "issue_id", existing)
        self._open: dict[str, Row] = {}
        wanted = [uuid_of(i) for i in existing]
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            query = select(t.tasks).where(
                t.tasks.c.issue_id.in_(chunk), t.tasks.c.state == TaskState.OPEN
            )
            for row in conn.execute(query).mappings():
                task = _text_ids(dict(row))
                self._open[task["issue_id"]] = task
        self._tasks: dict[tuple[str, int], Row] = {
            (r["issue_id"], r["dispatch_no"]): r for r in self._open.values()
        }
        self._touched: set[str] = set()
        self._ratings: list[Row] = []
        self._new_policies: list[Row] = []
        self._count = _Counter()
        handlers = self.handlers
        for event in events:
            handlers[event.topic](event)
        upsert(conn, t.issues, [self._issues[i] for i in self._touched])
        upsert(conn, t.tasks, list(self._tasks.values()))
        if self._ratings:
            insert_rows(conn, t.ratings, self._ratings)
        if self._new_policies:
            insert_rows(conn, t.policies, self._new_policies)
        upsert(conn, t.counters, self._count.rows(), add=("value",))

    def _row(self, e: ViewEvent) -> Row:
        row = self._issues[e.originator_key]
        self._touched.add(e.originator_key)
        return row

    def _close_task(self, issue_id: str, state: str, at: datetime) -> Row | None:
        task = self._open.pop(issue_id, None)
        if task is not None:
            task["state"] = state
            task["ended_at"] = at
        return task

    # -- policy --------------------------------------------------------------------------
    def _policy_adopted(self, e: ViewEvent) -> None:
        policy = e.state["policy"]
        limits = {
            Scale(k): TimeLimit.model_validate(v) for k, v in policy["response_limit"].items()
        }
        self._limits[int(policy["version"])] = limits
        self._new_policies.append(
            {
                "version": int(policy["version"]),
                "response_limit": orjson.dumps(policy["response_limit"]).decode(),
            }
        )

    def _response_limit(self, version: int, scale: Scale) -> TimeLimit:
        limits = self._limits.get(version)
        if limits is None:
            stored = self._conn.execute(
                select(t.policies.c.response_limit).where(t.policies.c.version == version)
            ).scalar()
            if stored is None:
                limits = dict(Policy().response_limit)
            else:
                limits = {
                    Scale(k): TimeLimit.model_validate(v) for k, v in orjson.loads(stored).items()
                }
                self._limits[version] = limits
        return limits.get(scale) or Policy().response_limit[scale]

    # -- issue events --------------------------------------------------------------------
    def _collected(self, e: ViewEvent) -> None:
        s = e.state
        at = parse_ts(s["timestamp"])
        unit = s["unit_id"]
        self._issues[e.originator_key] = {
            "issue_id": e.originator_key,
            "unit_id": unit,
            "origin_unit_id": unit,
            "status": _ISSUE_STATUS["COLLECTED"],
            "scale": None,
            "category": s.get("category"),
            "title": s["title"],
            "channel": s["channel"],
            "collected_at": at,
            "collected_month": month_of(at),
            "responded_at": None,
            "response_due": None,
            "responded_on_time": None,
            "deliberated_at": None,
            "fast_tracked_at": None,
            "decision_meeting_id": None,
            "dispatch_count": 0,
            "assignee_kind": None,
            "assignee_id": None,
            "assignee_name": None,
            "dispatched_at": None,
            "deadline": None,
            "resolved_at": None,
            "project_id": None,
            "published_at": None,
            "households_benefiting": 0,
            "duplicates": 0,
            "ratings": 0,
            "satisfied": 0,
            "reopened": 0,
            "closed_at": None,
            "ended_at": None,
        }
        self._touched.add(e.originator_key)
        self._count.add(unit, at, "collected")

    def _triaged(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        scale = Scale(s["scale"])
        row["scale"] = scale.value
        row["category"] = s["category"]
        row["status"] = _ISSUE_STATUS["TRIAGED"]
        self._count.add(s["unit_id"], at, "triaged")
        if row["responded_at"] is None:  # 响应: the first triage answers the resident
            limit = self._response_limit(int(s["policy_version"]), scale)
            due = self.calendar.deadline(row["collected_at"], limit)
            row["responded_at"] = at
            row["response_due"] = due
            row["responded_on_time"] = at <= due
            if at <= due:
                self._count.add(s["unit_id"], at, "responded_on_time")

    def _absorbed(self, e: ViewEvent) -> None:
        self._row(e)["duplicates"] += 1

    def _on_agenda(self, e: ViewEvent) -> None:
        self._row(e)["status"] = _ISSUE_STATUS["ON_AGENDA"]

    def _deliberated(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        row["status"] = _ISSUE_STATUS["DELIBERATED"]
        row["deliberated_at"] = at
        row["decision_meeting_id"] = s["decision"]["meeting_id"]
        self._count.add(s["unit_id"], at, "deliberated")

    def _fast_tracked(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        row["status"] = _ISSUE_STATUS["FAST_TRACKED"]
        row["fast_tracked_at"] = at
        self._count.add(s["unit_id"], at, "fast_tracked")

    def _fast_track_reported(self, e: ViewEvent) -> None:
        row = self._row(e)
        if row["decision_meeting_id"] is None:
            row["decision_meeting_id"] = e.state["decision"]["meeting_id"]

    def _dispatched(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        deadline = parse_ts(s["deadline"])
        assignee = s["assignee"]
        unit = s["unit_id"]
        row.update(
            status=_ISSUE_STATUS["DISPATCHED"],
            dispatch_count=s["dispatch_no"],
            assignee_kind=assignee["kind"],
            assignee_id=assignee["id"],
            assignee_name=assignee["name"],
            dispatched_at=at,
            deadline=deadline,
        )
        task = {
            "issue_id": e.originator_key,
            "dispatch_no": s["dispatch_no"],
            "unit_id": unit,
            "title": row["title"],
            "assignee_kind": assignee["kind"],
            "assignee_id": assignee["id"],
            "assignee_name": assignee["name"],
            "dispatched_at": at,
            "dispatched_month": month_of(at),
            "deadline": deadline,
            "state": TaskState.OPEN,
            "ended_at": None,
            "chased": 0,
        }
        self._tasks[(e.originator_key, s["dispatch_no"])] = task
        self._open[e.originator_key] = task
        self._count.add(unit, at, "dispatched")

    def _returned(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        row.update(
            status=_ISSUE_STATUS["RETURNED"],
            assignee_kind=None,
            assignee_id=None,
            assignee_name=None,
            deadline=None,
        )
        self._close_task(e.originator_key, TaskState.RETURNED, at)
        self._count.add(s["unit_id"], at, "returned")

    def _escalated(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        row.update(
            unit_id=s["to_unit_id"],
            status=_ISSUE_STATUS["ESCALATED"],
            assignee_kind=None,
            assignee_id=None,
            assignee_name=None,
            deadline=None,
        )
        self._close_task(e.originator_key, TaskState.ESCALATED, at)
        self._count.add(s["unit_id"], at, "escalated")

    def _chased(self, e: ViewEvent) -> None:
        self._row(e)
        task = self._open.get(e.originator_key)
        if task is not None:
            task["chased"] += 1
        self._count.add(e.state["unit_id"], parse_ts(e.state["timestamp"]), "chased")

    def _resolved(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        row["status"] = _ISSUE_STATUS["RESOLVED"]
        if row["resolved_at"] is None:
            row["resolved_at"] = at
        if s.get("project_id"):
            row["project_id"] = s["project_id"]
        self._close_task(e.originator_key, TaskState.RESOLVED, at)
        self._count.add(s["unit_id"], at, "resolved")

    def _published(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        unit = s["unit_id"]
        households = int(s.get("households_benefiting", 0))
        delta = households - row["households_benefiting"]
        row.update(
            status=_ISSUE_STATUS["PUBLISHED"], published_at=at, households_benefiting=households
        )
        self._count.add(unit, at, "published")
        self._count.add(unit, at, "households_benefiting", delta)

    def _evaluated(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        unit = s["unit_id"]
        satisfied = bool(s["satisfied"])
        row["ratings"] += 1
        row["satisfied"] += int(satisfied)
        self._ratings.append(
            {
                "issue_id": e.originator_key,
                "round": s["round"],
                "resident_id": s["resident_id"],
                "unit_id": unit,
                "assignee_id": row["assignee_id"],
                "rated_at": at,
                "month": month_of(at),
                "score": s["score"],
                "satisfied": satisfied,
            }
        )
        self._count.add(unit, at, "ratings")
        if satisfied:
            self._count.add(unit, at, "satisfied")

    def _reopened(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        row.update(
            status=_ISSUE_STATUS["REOPENED"],
            reopened=row["reopened"] + 1,
            assignee_kind=None,
            assignee_id=None,
            assignee_name=None,
            deadline=None,
        )
        self._count.add(s["unit_id"], at, "reopened")

    def _ended(self, e: ViewEvent) -> None:
        row, s = self._row(e), e.state
        at = parse_ts(s["timestamp"])
        status = _ENDED[e.topic]
        row["status"] = status.value
        row["ended_at"] = at
        if status is IssueStatus.CLOSED:
            row["closed_at"] = at
        else:
            self._close_task(e.originator_key, TaskState.WITHDRAWN, at)
        self._count.add(s["unit_id"], at, status.value)


class MeetingsProjection(Projection):
    """The meeting register: attendance, quorum, decisions, minutes published."""

    name = "meetings"
    tables = (t.meetings,)

    def __init__(self) -> None:
        super().__init__()
        m = Meeting
        self.handlers = {
            m.Scheduled.TOPIC: self._scheduled,
            m.AgendaPublished.TOPIC: self._agenda,
            m.Convened.TOPIC: self._convened,
            m.Decided.TOPIC: self._decided,
            m.MinutesPublished.TOPIC: self._minutes,
            m.Closed.TOPIC: self._closed,
            m.Cancelled.TOPIC: self._cancelled,
        }

    def apply(self, conn: Connection, events: Sequence[ViewEvent]) -> None:
        ids = {e.originator_key for e in events if e.topic != Meeting.Scheduled.TOPIC}
        self._rows = load_rows(conn, t.meetings, "meeting_id", ids)
        handlers = self.handlers
        for event in events:
            handlers[event.topic](event)
        upsert(conn, t.meetings, list(self._rows.values()))

    def _scheduled(self, e: ViewEvent) -> None:
        s = e.state
        scheduled_for = parse_ts(s["scheduled_for"])
        self._rows[e.originator_key] = {
            "meeting_id": e.originator_key,
            "unit_id": s["unit_id"],
            "kind": s["kind"],
            "title": s["title"],
            "status": _MEETING_STATUS["SCHEDULED"],
            "scheduled_for": scheduled_for,
            "month": month_of(scheduled_for),
            "roster_size": s["roster_size"],
            "present": None,
            "quorum_met": None,
            "agenda_published_at": None,
            "items": 0,
            "decided": 0,
            "adopted": 0,
            "convened_at": None,
            "minutes_published_at": None,
            "cancelled_at": None,
        }

    def _agenda(self, e: ViewEvent) -> None:
        row = self._rows[e.originator_key]
        row.update(
            status=_MEETING_STATUS["AGENDA_PUBLISHED"],
            agenda_published_at=parse_ts(e.state["timestamp"]),
            items=len(e.state["items"]),
        )

    def _convened(self, e: ViewEvent) -> None:
        self._rows[e.originator_key].update(
            status=_MEETING_STATUS["CONVENED"],
            present=e.state["present"],
            quorum_met=bool(e.state["quorum_met"]),
            convened_at=parse_ts(e.state["timestamp"]),
        )

    def _decided(self, e: ViewEvent) -> None:
        row = self._rows[e.originator_key]
        row["decided"] += 1
        row["adopted"] += int(bool(e.state["adopted"]))

    def _minutes(self, e: ViewEvent) -> None:
        self._rows[e.originator_key].update(
            status=_MEETING_STATUS["MINUTES_PUBLISHED"],
            minutes_published_at=parse_ts(e.state["timestamp"]),
        )

    def _closed(self, e: ViewEvent) -> None:
        self._rows[e.originator_key]["status"] = _MEETING_STATUS["CLOSED"]

    def _cancelled(self, e: ViewEvent) -> None:
        self._rows[e.originator_key].update(
            status=_MEETING_STATUS["CANCELLED"], cancelled_at=parse_ts(e.state["timestamp"])
        )


#: Project topics, by their stored names (a persisted contract, see cogov.domain.project).
P = "cogov:Project."
_PROJECT_STATUS = {
    P + "Proposed": "proposed",
    P + "Approved": "approved",
    P + "Completed": "completed",
    P + "Accepted": "accepted",
    P + "MaintainerAssigned": "managed",
    P + "Cancelled": "cancelled",
}
_KIND_FIELD = {"money": "money", "labour": "labour_days", "materials": "materials"}


class ProjectsProjection(Projection):
    """共建/共管/共享 of works projects: contributions pledged and received (money, labour
    days, materials), 以奖代补 rewards, maintenance, inspections, conventions, ratings and
    households benefiting — per unit and month in ``view_project_facts``."""

    name = "projects"
    tables = (t.projects, t.pledges, t.project_facts)

    def __init__(self) -> None:
        super().__init__()
        handlers: dict[str, Handler] = dict.fromkeys(_PROJECT_STATUS, self._status)
        handlers[P + "Proposed"] = self._proposed
        handlers[P + "Approved"] = self._approved
        handlers[P + "MaintainerAssigned"] = self._maintainer
        handlers[P + "ContributionPledged"] = self._pledged
        handlers[P + "ContributionReceived"] = self._received
        handlers[P + "RewardGranted"] = self._fact("rewards", "amount")
        handlers[P + "InspectionRecorded"] = self._inspected
        handlers[P + "ConventionAdopted"] = self._fact("conventions", None)
        handlers[P + "Evaluated"] = self._evaluated
        handlers[P + "BenefitsShared"] = self._benefits
        self.handlers = handlers

    def apply(self, conn: Connection, events: Sequence[ViewEvent]) -> None:
        ids = {e.originator_key for e in events if e.topic != P + "Proposed"}
        self._rows = load_rows(conn, t.projects, "project_id", ids)
        receipts = {e.state["pledge_id"] for e in events if e.topic == P + "ContributionReceived"}
        self._pledges = load_rows(conn, t.pledges, "pledge_id", receipts)
        self._count = _Counter("value_x100")
        handlers = self.handlers
        for event in events:
            handlers[event.topic](event)
        upsert(conn, t.projects, list(self._rows.values()))
        upsert(conn, t.pledges, list(self._pledges.values()))
        upsert(conn, t.project_facts, self._count.rows(), add=("value_x100",))

    def _add(self, e: ViewEvent, metric: str, hundredths: int = 100) -> None:
        unit, at = e.state["unit_id"], parse_ts(e.state["timestamp"])
        self._count.add(unit, at, metric, hundredths)

    def _fact(self, metric: str, field: str | None) -> Handler:
        def handle(e: ViewEvent) -> None:
            self._add(e, metric, x100(e.state[field]) if field else 100)

        return handle

    def _proposed(self, e: ViewEvent) -> None:
        s = e.state
        at = parse_ts(s["timestamp"])
        self._rows[e.originator_key] = {
            "project_id": e.originator_key,
            "unit_id": s["unit_id"],
            "title": s["title"],
            "status": "proposed",
            "started_at": at,
            "month": month_of(at),
            "under_maintenance": False,
            "households_benefiting": 0,
        }
        self._add(e, "projects")

    def _status(self, e: ViewEvent) -> None:
        self._rows[e.originator_key]["status"] = _PROJECT_STATUS[e.topic]

    def _approved(self, e: ViewEvent) -> None:
        self._status(e)
        self._add(e, "approved")

    def _maintainer(self, e: ViewEvent) -> None:
        self._status(e)
        self._rows[e.originator_key]["under_maintenance"] = True
        self._add(e, "maintainers_assigned")

    def _pledged(self, e: ViewEvent) -> None:
        s = e.state
        amount = x100(s["amount"])
        self._pledges[s["pledge_id"]] = {
            "pledge_id": s["pledge_id"],
            "project_id": e.originator_key,
            "kind": s["kind"],
            "contributor_kind": s["contributor"]["kind"],
            "pledged_x100": amount,
            "received_x100": 0,
        }
        self._add(e, "pledged_" + _KIND_FIELD[s["kind"]], amount)

    def _received(self, e: ViewEvent) -> None:
        pledge = self._pledges[e.state["pledge_id"]]
        amount = x100(e.state["amount"])
        pledge["received_x100"] += amount
        self._add(e, "received_" + _KIND_FIELD[pledge["kind"]], amount)

    def _inspected(self, e: ViewEvent) -> None:
        self._add(e, "inspections")
        if not e.state["ok"]:
            self._add(e, "inspections_failed")

    def _evaluated(self, e: ViewEvent) -> None:
        self._add(e, "ratings")
        if e.state["satisfied"]:
            self._add(e, "satisfied")

    def _benefits(self, e: ViewEvent) -> None:
        row = self._rows[e.originator_key]
        households = int(e.state["households_benefiting"])
        self._add(e, "households_benefiting", 100 * (households - row["households_benefiting"]))
        row["households_benefiting"] = households


def x100(amount: Any) -> int:
    """A stored decimal amount (JSON string or number) in exact hundredths."""
    return int((Decimal(str(amount)) * 100).to_integral_value())


def default_projections(calendar: WorkingCalendar | None = None) -> list[Projection]:
    """The projections cogov keeps, in the order they are applied within a batch."""
    return [
        UnitsProjection(),
        IssuesProjection(calendar),
        MeetingsProjection(),
        ProjectsProjection(),
    ]
