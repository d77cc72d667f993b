"""Old stored events still load: an event class moves to ``class_version = 2`` with a
``upcast_v1_v2``, and a v1 record written long ago comes back upcast; snapshots round-trip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, ClassVar, cast
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import register_topic
from pydantic import AwareDatetime, BaseModel, ConfigDict

from cogov import (
    Actor,
    AgendaItem,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    DecisionRef,
    Issue,
    Meeting,
    MeetingKind,
    Role,
    Scale,
    TimeLimit,
)
from cogov.domain.base import Aggregate, AggregateSnapshot, Context, applies, project
from cogov.persistence.mapper import OrjsonTranscoder, PydanticMapper, upcast
from tests.support import T0, UNIT, ctx


class NotebookEvent(BaseModel):
    """The test's own event base, shaped exactly like :class:`DomainEvent` (frozen, strict,
    the same envelope, a ``TOPIC``, a ``class_version``). It is deliberately not a subclass
    of it, so the project's catalogue of real events never sees these test-only classes."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    TOPIC: ClassVar[str] = ""
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: AwareDatetime
    actor: Actor
    unit_id: UUID
    policy_version: int

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        register_topic(cls.TOPIC, cls)

    def mutate(self, aggregate: Notebook | None) -> Notebook:
        notebook = aggregate if aggregate is not None else Notebook(cast(Any, self))
        notebook._apply(cast(Any, self))
        return notebook


class Notebook(Aggregate):
    """A small aggregate of the test's own, whose ``Noted`` event has evolved once."""

    TOPIC: ClassVar[str] = "cogovtests:Notebook"

    class Opened(NotebookEvent):
        TOPIC: ClassVar[str] = "cogovtests:Notebook.Opened"
        title: str

    class Noted(NotebookEvent):
        """v1 held ``text``. v2 added ``language``: old notes were all written in Chinese."""

        TOPIC: ClassVar[str] = "cogovtests:Notebook.Noted"
        class_version: ClassVar[int] = 2
        text: str
        language: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["language"] = "zh-CN"

    unit_id: UUID
    title: str
    notes: list[tuple[str, str]]

    @classmethod
    def open(cls, c: Context, *, id: UUID, title: str) -> Notebook:
        return cls._start(cast(Any, cls.Opened), c, id=id, unit_id=UNIT, title=title)

    def note(self, c: Context, *, text: str, language: str) -> None:
        self._record(cast(Any, self.Noted), c, text=text, language=language)

    @applies(cast(Any, Opened))
    def _opened(self, e: Opened) -> None:
        self.unit_id = e.unit_id
        self.title = e.title
        self.notes = []

    @applies(cast(Any, Noted))
    def _noted(self, e: Noted) -> None:
        self.notes.append((e.text, e.language))


class Skipped:
    """An event class at version 3 that forgot its v2 → v3 upcaster."""

    class_version: ClassVar[int] = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["b"] = 2


@pytest.fixture
def app(store_url: str | None) -> Iterator[CoGov]:
    application = CoGov(store_url, env={"IS_SNAPSHOTTING_ENABLED": "y"})
    yield application
    application.close()


def _old_v1_note(notebook_id: UUID, version: int, text: str) -> StoredEvent:
    """A ``Noted`` exactly as the v1 code wrote it: no ``language``, no ``class_version``."""
    state = {
        "timestamp": "2024-05-01T02:00:00Z",
        "actor": {"id": "gw-1", "role": "grid_worker", "unit_id": str(UNIT), "organisation": None},
        "unit_id": str(UNIT),
        "policy_version": 1,
        "text": text,
    }
    return StoredEvent(
        originator_id=notebook_id,
        originator_version=version,
        topic="cogovtests:Notebook.Noted",
        state=orjson.dumps(state),
    )


def test_an_old_v1_event_loads_upcast_to_v2(app: CoGov) -> None:
    notebook = Notebook.open(ctx(), id=uuid4(), title="民情日记")
    app.store.save(notebook)
    app.store.recorder.insert_events([_old_v1_note(notebook.id, 2, "路灯坏了")])

    events = list(app.store.events.get(notebook.id))
    noted = events[1]
    assert isinstance(noted, Notebook.Noted)
    assert (noted.text, noted.language, noted.actor.role) == ("路灯坏了", "zh-CN", Role.GRID_WORKER)
    rebuilt = app.store.repository.get(notebook.id, projector_func=cast(Any, project))
    assert rebuilt.notes == [("路灯坏了", "zh-CN")]


def test_a_new_event_is_written_at_v2_and_is_not_upcast_again(app: CoGov) -> None:
    notebook = Notebook.open(ctx(), id=uuid4(), title="民情日记")
    notebook.note(ctx(), text="street light", language="en")
    app.store.save(notebook)
    (_, raw) = app.store.recorder.select_events(notebook.id)
    assert orjson.loads(raw.state)["class_version"] == 2
    rebuilt = app.store.repository.get(notebook.id, projector_func=cast(Any, project))
    assert rebuilt.notes == [("street light", "en")]


def test_old_and_new_events_replay_together(app: CoGov) -> None:
    notebook = Notebook.open(ctx(), id=uuid4(), title="民情日记")
    app.store.save(notebook)
    app.store.recorder.insert_events([_old_v1_note(notebook.id, 2, "旧记录")])
    current = app.store.repository.get(notebook.id, projector_func=cast(Any, project))
    current.note(ctx(), text="new note", language="en")
    app.store.save(current)
    again = app.store.repository.get(notebook.id, projector_func=cast(Any, project))
    assert again.notes == [("旧记录", "zh-CN"), ("new note", "en")]
    assert again.version == 3


def test_upcasting_refuses_to_skip_a_missing_step() -> None:
    with pytest.raises(AttributeError, match="upcast_v2_v3"):
        upcast(Skipped, {"a": 1})
    assert upcast(Skipped, {"a": 1, "class_version": 3}) == {"a": 1}


# -- snapshots -------------------------------------------------------------------------------
def _issue_with_history() -> Issue:
    c = ctx()
    issue = Issue.collect(
        c,
        id=uuid4(),
        unit_id=UNIT,
        channel=Channel.HOTLINE,
        raised_by=uuid4(),
        title="危桥",
        description="桥宽不足2米",
    )
    issue.triage(c, scale=Scale.MAJOR, category="交通")
    decision = DecisionRef(meeting_id=uuid4(), item_no=1, decided_at=T0)
    issue.deliberate(c, decision=decision, meeting_kind=MeetingKind.REPRESENTATIVES)
    issue.dispatch(
        c,
        assignee=Assignee(kind=AssigneeKind.COUNCIL, id="bridge", name="修桥理事会"),
        deadline=T0 + timedelta(days=21),
        time_limit=TimeLimit(working_days=15),
    )
    return issue


def _state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_a_snapshot_round_trips_an_issue_exactly() -> None:
    issue = _issue_with_history()
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    stored = mapper.to_stored_event(AggregateSnapshot.take(issue))
    assert stored.topic == "cogov:Snapshot"
    restored = mapper.to_domain_event(stored).mutate(None)
    assert type(restored) is Issue
    assert _state(restored) == _state(issue)


def test_a_snapshot_round_trips_a_meeting_with_its_tallies() -> None:
    c = ctx()
    meeting = Meeting.schedule(
        c,
        id=uuid4(),
        unit_id=UNIT,
        kind=MeetingKind.REPRESENTATIVES,
        title="代表会议",
        roster_size=30,
        scheduled_for=T0 + timedelta(days=5),
        chair_id="cadre-1",
    )
    meeting.publish_agenda(c, items=[AgendaItem(item_no=1, topic="修桥")])
    on_the_day = ctx(at=T0 + timedelta(days=5))
    meeting.convene(on_the_day, present=20)
    meeting.record_vote(on_the_day, item_no=1, votes_for=11, votes_against=8, abstentions=1)
    restored = AggregateSnapshot.model_validate_json(
        AggregateSnapshot.take(meeting).model_dump_json()
    ).mutate(None)
    assert _state(restored) == _state(meeting)
    assert restored.tallies == {1: (11, 8, 1)}


def test_the_repository_resumes_from_a_snapshot(app: CoGov) -> None:
    issue = _issue_with_history()
    app.store.save(issue)
    app.store.take_snapshot(issue.id, projector_func=cast(Any, project))
    snapshots = list(app.store.snapshots.get(issue.id)) if app.store.snapshots else []
    assert [s.originator_version for s in snapshots] == [4]

    loaded = app.store.repository.get(issue.id, projector_func=cast(Any, project))
    worker = ctx(Role.COUNCIL_MEMBER, actor_id="c-1", organisation="bridge")
    loaded.resolve(worker, summary="新桥建成")
    app.store.save(loaded)

    from_snapshot = app.store.repository.get(issue.id, projector_func=cast(Any, project))
    replayed = project(None, app.store.events.get(issue.id))
    assert from_snapshot.version == 5
    assert replayed is not None
    assert _state(from_snapshot) == _state(replayed)
