"""The application core: the store, the clock, the policy, permission checks and the one
path every command takes — validate → authorise → load → decide → save (retried on a lost
race) → views catch up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, ParamSpec, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    IntegrityError,
    Mapper,
    PersistenceError,
    Recording,
    Transcoder,
)
from pydantic import ConfigDict, ValidationError, validate_call

from cogov.calendar import WorkingCalendar
from cogov.clock import Clock, SystemClock
from cogov.domain.base import Aggregate, AggregateSnapshot, Context, project
from cogov.domain.policy import Policy
from cogov.domain.policybook import POLICY_BOOK_ID, WHOLE_DEPLOYMENT, PolicyBook
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import Actor, Role
from cogov.errors import (
    CogovError,
    ConcurrencyError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)
from cogov.persistence.mapper import OrjsonTranscoder, PydanticMapper
from cogov.persistence.store import StoreConfig, ensure_schema, parse_database_url
from cogov.security.permissions import DEFAULT_ROLE_PERMISSIONS, Permission

__all__ = ["AppCore", "EventStoreApp", "command"]

P = ParamSpec("P")
R = TypeVar("R")
AggT = TypeVar("AggT", bound=Aggregate)

SYSTEM_ACTOR = Actor(id="cogov", role=Role.SYSTEM, unit_id=WHOLE_DEPLOYMENT)


class EventStoreApp(Application[UUID]):
    """eventsourcing's Application, wired to cogov's pydantic/orjson mapper."""

    name = "CoGov"
    snapshot_class = AggregateSnapshot

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=PydanticMapper
        )


def command(func: Callable[P, R]) -> Callable[P, R]:
    """Make an application method a command: pydantic-validated input, typed errors,
    and the whole load → decide → save retried when another writer won the race."""
    validated = validate_call(config=ConfigDict(arbitrary_types_allowed=True))(func)

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        app = cast(AppCore, args[0])
        for _ in range(app.max_attempts):
            try:
                return validated(*args, **kwargs)
            except ValidationError as e:
                raise _invalid_input(e) from None
            except IntegrityError:
                app._forget_cached()
                continue
            except PersistenceError as e:
                raise StoreError(f"the store refused the command: {e}", rule="store.write") from e
        raise ConcurrencyError(
            f"{func.__name__} lost {app.max_attempts} races with other writers; try again",
            rule="concurrency.retries",
        )

    run.__cogov_command__ = True  # type: ignore[attr-defined]
    return run


def _invalid_input(error: ValidationError) -> InvalidInputError:
    parts = []
    for err in error.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "input"
        parts.append(f"{loc}: {err['msg']}")
    first = error.errors(include_url=False, include_input=False)
    field = ".".join(str(p) for p in first[0]["loc"]) if first else "input"
    return InvalidInputError(
        "; ".join(parts),
        rule=f"input.{field}" if field else "input.valid",
        errors=[{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in first],
    )


class AppCore:
    """State and plumbing shared by the command groups that make up :class:`cogov.CoGov`."""

    max_attempts: ClassVar[int] = 5
    role_permissions = DEFAULT_ROLE_PERMISSIONS

    def __init__(
        self,
        database_url: str | None = None,
        *,
        clock: Clock | None = None,
        policy: Policy | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.config: StoreConfig = parse_database_url(database_url)
        self.clock: Clock = clock or SystemClock()
        self.calendar = WorkingCalendar()
        try:
            ensure_schema(self.config)
            self.store = EventStoreApp(env={**self.config.env, **(env or {})})
        except CogovError:
            raise
        except Exception as e:
            raise StoreError(
                f"cannot open the store {self.config.url!r}: {e}", rule="store.open"
            ) from e
        self._initial_policy = policy or Policy()
        self._policy_book: PolicyBook | None = None
        self._units: dict[UUID, GovernanceUnit] = {}
        self._after_save: list[Callable[[list[Recording[UUID]]], None]] = []

    # -- lifecycle --------------------------------------------------------------------
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> AppCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- policy -----------------------------------------------------------------------
    @property
    def policy(self) -> Policy:
        """The policy in force now."""
        book = self._book()
        return book.current if book is not None else self._initial_policy

    def policy_version(self, version: int) -> Policy:
        """Any policy version ever adopted (the one an old decision was made under)."""
        book = self._book()
        if book is None or version not in book.versions:
            if version == self._initial_policy.version and book is None:
                return self._initial_policy
            raise NotFoundError(f"no policy version {version}", rule="policy.version.exists")
        return book.versions[version]

    def _book(self) -> PolicyBook | None:
        if self._policy_book is None:
            try:
                self._policy_book = self._get(PolicyBook, POLICY_BOOK_ID)
            except NotFoundError:
                return None
        return self._policy_book

    # -- the command path ----------------------------------------------------------------
    def _ctx(self, actor: Actor, *, at: datetime | None = None) -> Context:
        return Context(actor=actor, now=at or self.clock.now(), policy=self.policy)

    def _authorize(self, actor: Actor, permission: Permission, unit_id: UUID) -> None:
        """The actor's role must carry the permission, on the unit or one of its ancestors."""
        self._check_role(actor, permission)
        if actor.unit_id != WHOLE_DEPLOYMENT and actor.unit_id not in self.ancestry(unit_id):
            raise PermissionDeniedError(
                f"{actor.id} holds {actor.role} in unit {actor.unit_id}, which does not cover "
                f"unit {unit_id} (needs {permission})",
                rule=f"permission.{permission}.scope",
                permission=str(permission),
            )

    def _check_role(self, actor: Actor, permission: Permission) -> None:
        if permission not in self.role_permissions.get(actor.role, frozenset()):
            raise PermissionDeniedError(
                f"{actor.id} as {actor.role} lacks permission {permission}",
                rule=f"permission.{permission}",
                permission=str(permission),
            )

    def ancestry(self, unit_id: UUID) -> list[UUID]:
        """The unit and its ancestors, nearest first."""
        chain = []
        current: UUID | None = unit_id
        while current is not None:
            chain.append(current)
            current = self._unit(current).parent_id
        return chain

    def _unit(self, unit_id: UUID) -> GovernanceUnit:
        unit = self._units.get(unit_id)
        if unit is None:
            unit = self._get(GovernanceUnit, unit_id)
            self._units[unit_id] = unit
        return unit

    def _get(self, cls: type[AggT], aggregate_id: UUID, *, version: int | None = None) -> AggT:
        try:
            aggregate: Any = self.store.repository.get(
                aggregate_id, version=version, projector_func=cast(Any, project)
            )
        except AggregateNotFoundError:
            raise NotFoundError(
                f"no {cls.__name__} {aggregate_id}" + (f" at version {version}" if version else ""),
                rule=f"{cls.__name__.lower()}.exists",
            ) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(
                f"{aggregate_id} is a {type(aggregate).__name__}, not a {cls.__name__}",
                rule=f"{cls.__name__.lower()}.exists",
            )
        return aggregate

    def _save(self, *aggregates: Aggregate) -> list[Recording[UUID]]:
        pending: list[Aggregate] = list(aggregates)
        if self._book() is None and not any(isinstance(a, PolicyBook) for a in pending):
            book = PolicyBook.open(
                Context(actor=SYSTEM_ACTOR, now=self.clock.now(), policy=self._initial_policy),
                policy=self._initial_policy,
                reason="初始规则 (initial policy)",
            )
            pending.insert(0, book)
        try:
            recordings = self.store.save(*pending)
        except IntegrityError:
            self._policy_book = None
            raise
        if any(isinstance(a, PolicyBook) for a in pending):
            self._policy_book = None
        for hook in self._after_save:
            hook(recordings)
        return recordings

    def _forget_cached(self) -> None:
        self._policy_book = None

    @staticmethod
    def new_id() -> UUID:
        return uuid4()

    # -- generic reads ----------------------------------------------------------------------
    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every event of one aggregate, oldest first, as typed event objects."""
        return list(self.store.events.get(aggregate_id))

    def max_position(self) -> int:
        """The position of the last event in the global log (0 when empty)."""
        return self.store.recorder.max_notification_id() or 0
