"""The auditor's door: trails, state as of any moment, verification, checkpoints, export.

Every method takes the reading :class:`~cogov.domain.values.Actor` first and needs the
``audit.read`` permission: trails of one unit or one aggregate on that unit (or an ancestor);
trails by actor or over everything show only the units the auditor's role covers; the
store-wide operations (replay of the whole store, verification, checkpoints, export) need the
role at the top of the deployment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, BinaryIO, cast
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from eventsourcing.application import AggregateNotFoundError
from sqlalchemy.exc import SQLAlchemyError

from cogov.app.core import AppCore
from cogov.audit.checkpoints import (
    Checkpoint,
    load_checkpoints,
    sign_checkpoint,
    store_checkpoint,
)
from cogov.audit.export import ExportSummary, write_export
from cogov.audit.replay import (
    AggregateState,
    Replayer,
    StoreDiff,
    StoreState,
    diff_states,
    state_of,
)
from cogov.audit.trail import TrailEntry, TrailFilter, read_trail
from cogov.audit.verify import Progress, VerificationReport, verify_chain
from cogov.domain.base import Aggregate, project
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.domain.values import Actor
from cogov.errors import (
    IntegrityViolationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)
from cogov.security.permissions import Permission

__all__ = ["AuditCommands"]

_READ = Permission.READ_AUDIT


@contextmanager
def _reading_the_store() -> Iterator[None]:
    """SQLAlchemy errors on the audit tables become :class:`StoreError` (rule store.audit)."""
    try:
        yield
    except SQLAlchemyError as e:
        raise StoreError(f"the audit tables cannot be used: {e}", rule="store.audit") from e


class AuditCommands(AppCore):
    # -- lifecycle --------------------------------------------------------------------
    def close(self) -> None:
        self.audit_chain.close()
        super().close()

    # -- trails -----------------------------------------------------------------------
    def audit_trail(
        self,
        actor: Actor,
        *,
        aggregate_id: UUID | None = None,
        actor_id: str | None = None,
        unit_id: UUID | None = None,
        include_subunits: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
        batch: int = 1000,
    ) -> Iterator[TrailEntry]:
        """Who did what, when, on which decision, under which policy version — in log order,
        streamed. Criteria combine (all must hold)."""
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInputError(f"{name} must be timezone-aware", rule=f"input.{name}")
        criteria = TrailFilter(
            aggregate_id=aggregate_id,
            actor_id=actor_id,
            unit_id=unit_id,
            include_subunits=include_subunits,
            since=since,
            until=until,
        )
        self._check_role(actor, _READ)
        if unit_id is not None:
            self._authorize_on(actor, unit_id)
        elif aggregate_id is not None:
            self._authorize_on(actor, self._unit_of(aggregate_id))
        return read_trail(
            self.store.recorder,
            criteria,
            ancestry=self._ancestry_or_none,
            visible=None if self._sees_everything(actor) else self._visible_to(actor),
            batch=batch,
        )

    def _unit_of(self, aggregate_id: UUID) -> UUID:
        """The governance unit an aggregate's history is filed under (its first event's)."""
        stored = self.store.recorder.select_events(aggregate_id, limit=1)
        if not stored:
            raise NotFoundError(f"no history for {aggregate_id}", rule="audit.aggregate.exists")
        return UUID(orjson.loads(stored[0].state)["unit_id"])

    def _ancestry_or_none(self, unit_id: UUID) -> list[UUID]:
        try:
            return self.ancestry(unit_id)
        except NotFoundError:
            return [unit_id]  # WHOLE_DEPLOYMENT and units unknown here have no ancestors

    def _sees_everything(self, actor: Actor) -> bool:
        if actor.unit_id == WHOLE_DEPLOYMENT:
            return True
        return self._unit(actor.unit_id).parent_id is None

    def _visible_to(self, actor: Actor) -> Any:
        return lambda unit_id: actor.unit_id in self._ancestry_or_none(unit_id)

    def _authorize_on(self, actor: Actor, unit_id: UUID) -> None:
        """``audit.read`` on the unit (or an ancestor); facts of the whole deployment (the
        policy book, grants) need it at the top."""
        if unit_id == WHOLE_DEPLOYMENT:
            self._authorize_everything(actor)
        else:
            self._authorize(actor, _READ, unit_id)

    def _authorize_everything(self, actor: Actor) -> None:
        self._check_role(actor, _READ)
        if not self._sees_everything(actor):
            raise PermissionDeniedError(
                f"{actor.id}: reading or verifying the whole store needs {_READ} at the top "
                "of the deployment",
                rule=f"permission.{_READ}.scope",
                permission=str(_READ),
            )

    # -- point in time -----------------------------------------------------------------
    def aggregate_as_of(
        self,
        actor: Actor,
        aggregate_id: UUID,
        *,
        at: datetime | None = None,
        version: int | None = None,
    ) -> AggregateState:
        """One aggregate as it was at version ``version``, or at time ``at`` (its last
        version stamped at or before ``at``), or now."""
        if at is not None and version is not None:
            raise InvalidInputError("give a time or a version, not both", rule="input.as_of")
        if at is not None and at.tzinfo is None:
            raise InvalidInputError("at must be timezone-aware", rule="input.at")
        if version is not None and version < 1:
            raise InvalidInputError("version must be 1 or more", rule="input.version")
        self._authorize_on(actor, self._unit_of(aggregate_id))
        if at is not None:
            version = self._version_at(aggregate_id, at)
        try:
            aggregate = self.store.repository.get(
                aggregate_id, version=version, projector_func=cast(Any, project)
            )
        except AggregateNotFoundError:
            raise NotFoundError(
                f"no {aggregate_id} at version {version}", rule="audit.as_of.exists"
            ) from None
        if version is not None and aggregate.version != version:
            raise NotFoundError(
                f"{aggregate_id} has no version {version} (it reached {aggregate.version})",
                rule="audit.as_of.exists",
            )
        return state_of(cast(Aggregate, aggregate))

    def _version_at(self, aggregate_id: UUID, at: datetime) -> int:
        found = 0
        for stored in self.store.recorder.select_events(aggregate_id):
            stamp = datetime.fromisoformat(orjson.loads(stored.state)["timestamp"])
            if stamp <= at:
                found = stored.originator_version
        if not found:
            raise NotFoundError(
                f"{aggregate_id} did not exist yet at {at.isoformat()}",
                rule="audit.as_of.exists",
            )
        return found

    def replayer(self, actor: Actor) -> Replayer:
        """A replayer over the whole log, to step through history (forward only)."""
        self._authorize_everything(actor)
        return Replayer(self.store.recorder, self.store.mapper)

    def store_as_of(
        self, actor: Actor, *, position: int | None = None, at: datetime | None = None
    ) -> StoreState:
        """Every aggregate as of log position ``position`` and/or time ``at`` (None: now)."""
        if at is not None and at.tzinfo is None:
            raise InvalidInputError("at must be timezone-aware", rule="input.at")
        if position is not None and position < 0:
            raise InvalidInputError("position must be 0 or more", rule="input.position")
        replayer = self.replayer(actor)
        replayer.advance(to_position=position, until=at)
        return replayer.state()

    def store_diff(
        self,
        actor: Actor,
        *,
        from_position: int | None = None,
        from_time: datetime | None = None,
        to_position: int | None = None,
        to_time: datetime | None = None,
    ) -> StoreDiff:
        """Which aggregates changed between two moments, and which of their fields."""
        before = self.store_as_of(actor, position=from_position, at=from_time)
        after = self.store_as_of(actor, position=to_position, at=to_time)
        return diff_states(before, after)

    # -- the hash chain ----------------------------------------------------------------
    def extend_audit_chain(self, actor: Actor) -> int:
        """Cover every committed event now (normally done after each save). Returns the
        position of the chain's head."""
        self._authorize_everything(actor)
        with _reading_the_store():
            return self.audit_chain.catch_up()

    def verify_history(
        self,
        actor: Actor,
        *,
        trusted_key: Ed25519PublicKey | None = None,
        progress: Progress | None = None,
    ) -> VerificationReport:
        """Recompute the hash chain from the stored events; compare it with the stored links
        and the checkpoints signed with ``trusted_key``; name the first bad event."""
        self._authorize_everything(actor)
        with _reading_the_store():
            return verify_chain(
                self.audit_chain.source,
                load_checkpoints(self.audit_chain.engine),
                trusted_key,
                progress=progress,
            )

    def sign_checkpoint(self, actor: Actor, signing_key: Ed25519PrivateKey) -> Checkpoint:
        """Cover every event, check the chain since the last checkpoint signed with this key,
        and sign its head. Refuses (``audit.integrity``) to sign a chain that does not verify.
        """
        self._authorize_everything(actor)
        chain = self.audit_chain
        with _reading_the_store():
            chain.catch_up()
            trusted = signing_key.public_key()
            report = verify_chain(chain.source, load_checkpoints(chain.engine), trusted)
        if not report.intact or report.breach is not None:
            what = report.breach.describe() if report.breach else "a checkpoint was refused"
            raise IntegrityViolationError(
                f"refusing to sign a history that does not verify: {what}",
                rule="audit.integrity",
            )
        head = chain.head()
        if head is None:
            raise StoreError("nothing to sign: the store holds no events", rule="audit.empty")
        checkpoint = sign_checkpoint(signing_key, head.position, head.hash, self.clock.now())
        with _reading_the_store():
            store_checkpoint(chain.engine, checkpoint)
        return checkpoint

    def audit_checkpoints(self, actor: Actor) -> list[Checkpoint]:
        self._authorize_everything(actor)
        with _reading_the_store():
            return load_checkpoints(self.audit_chain.engine)

    def export_history(
        self, actor: Actor, out: BinaryIO, *, progress: Progress | None = None
    ) -> ExportSummary:
        """Write the JSON Lines export for outside verifiers (see :mod:`cogov.audit.export`)."""
        self._authorize_everything(actor)
        with _reading_the_store():
            return write_export(
                self.audit_chain.source,
                load_checkpoints(self.audit_chain.engine),
                out,
                exported_at=self.clock.now(),
                progress=progress,
            )
