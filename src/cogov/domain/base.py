"""The event and aggregate base classes every cogov aggregate is built on.

* :class:`DomainEvent` — a frozen, strict pydantic model. Every event carries who
  (``actor``), when (``timestamp``, timezone-aware, from the application's clock), where
  (``unit_id``) and under which rules (``policy_version``). Its stored name is its
  ``TOPIC`` (``"cogov:Issue.Dispatched"``), never its module path, so code can move freely.
* :class:`Aggregate` — decides, then records. Public command methods check every rule and
  raise a :class:`~cogov.errors.CogovError` *before* any event exists; then they call
  :meth:`Aggregate._record`. The functions registered with :func:`applies` only assign
  state: they never raise, because they re-run on every replay.

The base implements the protocols eventsourcing's ``Application``, ``Repository`` and
``EventStore`` expect (``id``, ``version``, ``collect_events``, ``mutate``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar, get_origin, get_type_hints
from uuid import UUID

from eventsourcing.utils import register_topic, resolve_topic
from pydantic import AwareDatetime, BaseModel, ConfigDict, TypeAdapter

from cogov.domain.policy import Policy
from cogov.domain.values import Actor
from cogov.errors import IllegalTransitionError

__all__ = [
    "Aggregate",
    "AggregateSnapshot",
    "Context",
    "DomainEvent",
    "applies",
    "project",
]

E = TypeVar("E", bound="DomainEvent")
A = TypeVar("A", bound="Aggregate")


@dataclass(frozen=True, slots=True)
class Context:
    """Who is acting, when, and under which policy. Built by the application per command."""

    actor: Actor
    now: datetime
    policy: Policy


class DomainEvent(BaseModel):
    """A fact, past tense, immutable. Fields and ``TOPIC`` are a persisted contract."""

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
        topic = cls.__dict__.get("TOPIC")
        if topic:
            register_topic(topic, cls)

    def mutate(self, aggregate: A | None) -> A | None:
        """Apply this event to ``aggregate`` (the library's mutator protocol)."""
        assert aggregate is not None, f"{type(self).__name__} cannot start a history"
        aggregate._apply(self)
        return aggregate


class Aggregate:
    """Base of cogov's aggregates. Subclasses set ``TOPIC`` and nest their events."""

    TOPIC: ClassVar[str] = ""
    _handlers: ClassVar[dict[type[DomainEvent], Callable[[Any, Any], None]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[type[DomainEvent], Callable[[Any, Any], None]] = {}
        for base in reversed(cls.__mro__[1:]):
            handlers.update(getattr(base, "_handlers", {}))
        for value in cls.__dict__.values():
            for event_cls in getattr(value, "__cogov_applies__", ()):
                handlers[event_cls] = value
        cls._handlers = handlers
        topic = cls.__dict__.get("TOPIC")
        if topic:
            register_topic(topic, cls)

    def __init__(self, event: DomainEvent) -> None:
        self._id: UUID = event.originator_id
        self._version: int = 0
        self._created_on: datetime = event.timestamp
        self._modified_on: datetime = event.timestamp
        self._pending_events: list[DomainEvent] = []

    # -- the library's aggregate protocol ---------------------------------------------
    @property
    def id(self) -> UUID:
        return self._id

    @property
    def version(self) -> int:
        return self._version

    @property
    def created_on(self) -> datetime:
        return self._created_on

    @property
    def modified_on(self) -> datetime:
        return self._modified_on

    @property
    def pending_events(self) -> list[DomainEvent]:
        return self._pending_events

    def collect_events(self) -> Sequence[DomainEvent]:
        collected, self._pending_events = self._pending_events, []
        return collected

    # -- deciding and recording -------------------------------------------------------
    @classmethod
    def _start(
        cls, event_cls: type[E], ctx: Context, *, id: UUID, unit_id: UUID, **fields: Any
    ) -> Self:
        """Record the first event of a new aggregate and return the aggregate."""
        event = event_cls(
            originator_id=id,
            originator_version=1,
            timestamp=ctx.now,
            actor=ctx.actor,
            unit_id=unit_id,
            policy_version=ctx.policy.version,
            **fields,
        )
        aggregate = cls(event)
        aggregate._apply(event)
        aggregate._pending_events.append(event)
        return aggregate

    def _record(
        self, event_cls: type[E], ctx: Context, *, unit_id: UUID | None = None, **fields: Any
    ) -> E:
        """Record the next event: build it, apply it, keep it pending until saved."""
        event = event_cls(
            originator_id=self._id,
            originator_version=self._version + 1,
            timestamp=ctx.now,
            actor=ctx.actor,
            unit_id=unit_id if unit_id is not None else self._unit_of_record(),
            policy_version=ctx.policy.version,
            **fields,
        )
        self._apply(event)
        self._pending_events.append(event)
        return event

    def _unit_of_record(self) -> UUID:
        """The governance unit events of this aggregate are filed under."""
        unit_id: UUID = getattr(self, "unit_id")  # noqa: B009 - every aggregate has one
        return unit_id

    def _apply(self, event: DomainEvent) -> None:
        if event.originator_version != self._version + 1 or event.originator_id != self._id:
            raise AssertionError(
                f"event {type(event).__name__} v{event.originator_version} does not follow "
                f"{type(self).__name__} {self._id} v{self._version}"
            )
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, event)
        self._version = event.originator_version
        self._modified_on = event.timestamp

    def _refuse(self, command: str, allowed: Iterable[Any], status: Any) -> IllegalTransitionError:
        names = ", ".join(sorted(str(s) for s in allowed))
        return IllegalTransitionError(
            f"{type(self).__name__} {self._id}: cannot {command} while {status} "
            f"(allowed from: {names})",
            rule=f"{type(self).__name__.lower()}.transition.{command}",
            status=str(status),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self._id}, version={self._version})"


def applies(*event_classes: type[E]) -> Callable[[Callable[[A, E], None]], Callable[[A, E], None]]:
    """Register an aggregate method as the state change for the given event classes."""

    def decorate(func: Callable[[A, E], None]) -> Callable[[A, E], None]:
        func.__cogov_applies__ = event_classes  # type: ignore[attr-defined]
        return func

    return decorate


class Started(DomainEvent):
    """Base for the first event of an aggregate: it creates the aggregate on replay."""

    def mutate(self, aggregate: A | None) -> A | None:
        if aggregate is not None:
            return super().mutate(aggregate)
        owner: type[A] = self._owner()
        created = owner(self)
        created._apply(self)
        return created

    @classmethod
    def _owner(cls) -> Any:
        owner_topic = cls.TOPIC.split(".", 1)[0]
        return resolve_topic(owner_topic)


def project(aggregate: A | None, events: Iterable[Any]) -> A | None:
    """The projector function for ``Repository.get``: plain calls, no protocol checks."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class AggregateSnapshot(BaseModel):
    """A snapshot of any cogov aggregate: its attributes as JSON-able data.

    Attributes are re-validated on load against the aggregate's type annotations, so a
    snapshot round-trips datetimes, UUIDs, enums and nested values exactly.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    TOPIC: ClassVar[str] = "cogov:Snapshot"
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: AwareDatetime
    topic: str
    state: dict[str, Any]

    @classmethod
    def take(cls, aggregate: Aggregate) -> AggregateSnapshot:
        state = {
            k: v
            for k, v in vars(aggregate).items()
            if k not in ("_id", "_version", "_pending_events")
        }
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=aggregate.modified_on,
            topic=type(aggregate).TOPIC,
            state=_dump_state(type(aggregate), state),
        )

    def mutate(self, _: Any) -> Aggregate:
        cls: type[Aggregate] = resolve_topic(self.topic)
        state = _load_state(cls, self.state)
        aggregate = cls.__new__(cls)
        vars(aggregate).update(state)
        aggregate._id = self.originator_id
        aggregate._version = self.originator_version
        aggregate._pending_events = []
        return aggregate


register_topic(AggregateSnapshot.TOPIC, AggregateSnapshot)

_ADAPTERS: dict[type[Aggregate], dict[str, TypeAdapter[Any]]] = {}


def _adapters_for(cls: type[Aggregate]) -> dict[str, TypeAdapter[Any]]:
    """One adapter per annotated attribute of the aggregate (ClassVars excluded)."""
    adapters = _ADAPTERS.get(cls)
    if adapters is None:
        hints = get_type_hints(cls)
        adapters = {
            name: TypeAdapter(hint)
            for name, hint in hints.items()
            if get_origin(hint) is not ClassVar and not name.startswith("__")
        }
        adapters["_created_on"] = adapters["_modified_on"] = TypeAdapter(datetime)
        _ADAPTERS[cls] = adapters
    return adapters


def _dump_state(cls: type[Aggregate], state: dict[str, Any]) -> dict[str, Any]:
    adapters = _adapters_for(cls)
    return {k: adapters[k].dump_python(v, mode="json") for k, v in state.items() if k in adapters}


def _load_state(cls: type[Aggregate], data: dict[str, Any]) -> dict[str, Any]:
    adapters = _adapters_for(cls)
    return {k: adapters[k].validate_python(v) for k, v in data.items() if k in adapters}
