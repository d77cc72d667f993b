"""The application core: the store, the clock, the policy, permission checks and the one
path every command takes — validate → authorise → load → decide → save (retried on a lost
race) → views catch up.
"""

from __future__ import annotations

import functools
import inspect
import logging
import random
import time
import weakref
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, ParamSpec, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import (
    IntegrityError,
    Mapper,
    PersistenceError,
    Recording,
    Transcoder,
)
from pydantic import ConfigDict, TypeAdapter, ValidationError, validate_call

from cogov.audit.chain import HashChain
from cogov.calendar import WorkingCalendar
from cogov.clock import Clock, SystemClock
from cogov.domain.base import Aggregate, AggregateSnapshot, Context, project
from cogov.domain.policy import Policy
from cogov.domain.policybook import POLICY_BOOK_ID, WHOLE_DEPLOYMENT, PolicyBook
from cogov.domain.project import Project
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
from cogov.persistence.idempotency import (
    IdempotencyKey,
    arguments_digest,
    key_id,
    result_adapter,
    validate_key,
)
from cogov.persistence.mapper import OrjsonTranscoder, PydanticMapper
from cogov.persistence.postgres import check_store_env, creation_lock
from cogov.persistence.store import StoreConfig, ensure_schema, parse_database_url
from cogov.security.grants import require_grant
from cogov.security.permissions import DEFAULT_ROLE_PERMISSIONS, Permission
from cogov.security.vault import KeyVault, open_key_vault
from cogov.views.runner import ViewMode, ViewRunner

__all__ = ["PROJECT_SNAPSHOT_INTERVAL", "AppCore", "EventStoreApp", "command"]

P = ParamSpec("P")
R = TypeVar("R")
AggT = TypeVar("AggT", bound=Aggregate)

SYSTEM_ACTOR = Actor(id="cogov", role=Role.SYSTEM, unit_id=WHOLE_DEPLOYMENT)


#: A Project is snapshotted at every 50th event (its stream grows for years: contributions,
#: monthly reports, inspections); other aggregates are short and are always replayed.
PROJECT_SNAPSHOT_INTERVAL = 50


class EventStoreApp(Application[UUID]):
    """eventsourcing's Application, wired to cogov's pydantic/orjson mapper."""

    name = "CoGov"
    snapshot_class = AggregateSnapshot
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Project: PROJECT_SNAPSHOT_INTERVAL}
    snapshotting_projectors: ClassVar[dict[type[Any], Any]] = {Project: project}

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=PydanticMapper
        )


def command(func: Callable[P, R]) -> Callable[P, R]:
    """Make an application method a command: pydantic-validated input, typed errors,
    and the whole load → decide → save retried when another writer won the race.

    Every command also takes a keyword-only ``idempotency_key: str | None``: with a key, the
    command's events and an :class:`~cogov.persistence.idempotency.IdempotencyKey` record
    (holding its result) are saved in one transaction, and a retry with the same key returns
    the original result without recording anything again."""
    validated = validate_call(config=ConfigDict(arbitrary_types_allowed=True))(func)
    adapters: list[TypeAdapter[Any]] = []

    def adapter() -> TypeAdapter[Any]:
        if not adapters:
            adapters.append(result_adapter(func))
        return adapters[0]

    def call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> R:
        try:
            return validated(*args, **kwargs)
        except ValidationError as e:
            raise _invalid_input(e) from None

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        app = cast(AppCore, args[0])
        key = kwargs.pop("idempotency_key", None)
        outer = _SCOPE.get()
        if outer is not None and outer.app is app:
            # called by another command that carries a key: part of that command's transaction
            if key is not None:
                raise InvalidInputError(
                    "a command called inside another command cannot carry its own key",
                    rule="input.idempotency_key",
                )
            return call(args, kwargs)
        if key is None:
            return _retrying(app, func.__name__, lambda: call(args, kwargs))
        key = validate_key(key)
        try:
            digest = arguments_digest(func, args, kwargs)
        except TypeError as e:
            raise InvalidInputError(f"{func.__name__}: {e}", rule="input.arguments") from None

        def attempt() -> R:
            found = app._idempotency_record(key)
            if found is not None:
                return cast(R, found.replay_result(func.__name__, digest, adapter()))
            scope = _Scope(app)
            token = _SCOPE.set(scope)
            try:
                result = call(args, kwargs)
            finally:
                _SCOPE.reset(token)
            given = [*args[1:], kwargs.get("actor")]
            actor = next((a for a in given if isinstance(a, Actor)), None)
            record = IdempotencyKey.record(
                app._ctx(actor or SYSTEM_ACTOR),
                key=key,
                command=func.__name__,
                arguments_sha256=digest,
                result_json=adapter().dump_json(result).decode(),
            )
            app._commit([*scope.staged, record])
            return result

        return _retrying(app, func.__name__, attempt)

    signature = inspect.signature(func)
    parameters = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    parameters.append(
        inspect.Parameter(
            "idempotency_key", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | None"
        )
    )
    parameters += [p for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD]
    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__cogov_command__ = True  # type: ignore[attr-defined]
    return run


@dataclass
class _Scope:
    """The command running with an idempotency key: ``_save`` stages its aggregates here."""

    app: AppCore
    staged: list[Aggregate] = field(default_factory=list)


_SCOPE: ContextVar[_Scope | None] = ContextVar("cogov_command_scope", default=None)


def _retrying(app: AppCore, name: str, attempt: Callable[[], R]) -> R:
    """Run load → decide → save; on a lost race forget every cache, wait a random moment
    (up to 2, 4, 8 … ms, so racing writers spread out) and run it again."""
    for tried in range(app.max_attempts):
        try:
            if tried == 0:
                app._refresh_cached()
            return attempt()
        except IntegrityError:
            app._forget_cached()
            if tried + 1 < app.max_attempts:
                time.sleep(random.uniform(0, 0.002 * 2**tried))
            continue
        except PersistenceError as e:
            app._forget_cached()
            raise StoreError(f"the store refused the command: {e}", rule="store.write") from e
    raise ConcurrencyError(
        f"{name} lost {app.max_attempts} races with other writers; try again",
        rule="concurrency.retries",
    )


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
        enforce_grants: bool = True,
        key_vault: KeyVault | None = None,
        pii_key_url: str | None = None,
        views: ViewMode = "sync",
        audit: ViewMode = "sync",
    ) -> None:
        # check the modes before anything is opened or created
        if views not in ("sync", "off"):
            raise InvalidInputError(f"views is 'sync' or 'off', not {views!r}", rule="input.views")
        if audit not in ("sync", "off"):
            raise InvalidInputError(f"audit is 'sync' or 'off', not {audit!r}", rule="input.audit")
        self.config: StoreConfig = parse_database_url(database_url)
        self.clock: Clock = clock or SystemClock()
        self.calendar = WorkingCalendar()
        try:
            check_store_env({**self.config.env, **(env or {})})
            with creation_lock(self.config):  # processes starting together create tables once
                ensure_schema(self.config)
                self.store = EventStoreApp(env={**self.config.env, **(env or {})})
        except CogovError:
            raise
        except Exception as e:
            raise StoreError(
                f"cannot open the store {self.config.url!r}: {e}", rule="store.open"
            ) from e
        self._unsnapshotted: Repository[UUID] = Repository(event_store=self.store.events)
        self._initial_policy = policy or Policy()
        self._policy_book: PolicyBook | None = None
        self._units: dict[UUID, GovernanceUnit] = {}
        self._after_save: list[Callable[[list[Recording[UUID]]], None]] = []
        #: the tamper-evident hash chain over every event (docs/audit.md). "sync" extends it
        #: after every save; "off" leaves it to a chain worker (docs/deployment.md) — with
        #: many writer processes on one PostgreSQL store, one chainer avoids their contention
        self.audit_chain = HashChain(self.config, self.store.recorder)
        if audit == "sync":
            self._after_save.append(self.audit_chain.after_save)
        #: check every actor's claimed role against the recorded grants (docs/security.md);
        #: False is the trusted-caller mode for hosts that authenticate and authorise elsewhere
        self.enforce_grants = enforce_grants
        #: the per-resident keys of sealed personal information, apart from the events
        self.key_vault: KeyVault = key_vault or open_key_vault(
            self.config.kind, self.config.sqlalchemy_url, pii_key_url
        )
        self._owns_key_vault = key_vault is None
        if key_vault is None:
            weakref.finalize(self, self.key_vault.close)
        #: the read models (docs/views.md); "sync" brings them up to date after every save,
        #: "off" leaves them to an external worker running ViewRunner(config).catch_up()
        self.views = ViewRunner(
            self.config,
            recorder=self.store.recorder,
            mapper=self.store.mapper,
            calendar=self.calendar,
        )
        if views == "sync":

            def sync_views(_recordings: list[Recording[UUID]]) -> None:
                try:
                    self.views.catch_up()
                except StoreError as e:  # the events are saved; the next catch-up heals
                    logging.getLogger("cogov.views").warning("views not updated: %s", e)

            self._after_save.append(sync_views)

    # -- lifecycle --------------------------------------------------------------------
    def close(self) -> None:
        self.views.close()
        self.audit_chain.close()
        if self._owns_key_vault:  # a vault the host passed in is the host's to close
            self.key_vault.close()
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
        chain = self.ancestry(unit_id)  # an unknown unit is NotFound, even for the deployment
        if actor.unit_id != WHOLE_DEPLOYMENT and actor.unit_id not in chain:
            raise PermissionDeniedError(
                f"{actor.id} holds {actor.role} in unit {actor.unit_id}, which does not cover "
                f"unit {unit_id} (needs {permission})",
                rule=f"permission.{permission}.scope",
                permission=str(permission),
            )

    def _check_role(self, actor: Actor, permission: Permission) -> None:
        """The role carries the permission (the casbin-evaluated table) and — unless in
        trusted-caller mode — the actor really holds that role where it claims to."""
        if permission not in self.role_permissions.get(actor.role, frozenset()):
            raise PermissionDeniedError(
                f"{actor.id} as {actor.role} lacks permission {permission}",
                rule=f"permission.{permission}",
                permission=str(permission),
            )
        if self.enforce_grants:
            require_grant(actor, load=self._get, ancestry=self.ancestry)

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
            # only snapshotted types pay for the look-up in the snapshot table
            repository = (
                self.store.repository
                if cls in self.store.snapshotting_intervals
                else self._unsnapshotted
            )
            aggregate: Any = repository.get(
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
        """Save the aggregates' new events in one transaction. Inside a command carrying an
        idempotency key they are staged instead, and saved with the key's record when the
        command returns (then this returns no recordings)."""
        scope = _SCOPE.get()
        if scope is not None and scope.app is self:
            scope.staged.extend(aggregates)
            return []
        return self._commit(aggregates)

    def _commit(self, aggregates: Sequence[Aggregate]) -> list[Recording[UUID]]:
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
        """Drop every cached aggregate (after a lost race or a failed save)."""
        self._policy_book = None
        self._units.clear()

    def _refresh_cached(self) -> None:
        """Before a command: drop the cached policy book if another process adopted a policy
        since it was loaded (one indexed read), so every decision cites the policy in force."""
        book = self._policy_book
        if book is not None and self.store.recorder.select_events(
            POLICY_BOOK_ID, gt=book.version, limit=1
        ):
            self._policy_book = None

    def _idempotency_record(self, key: str) -> IdempotencyKey | None:
        try:
            return self._get(IdempotencyKey, key_id(key))
        except NotFoundError:
            return None

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
