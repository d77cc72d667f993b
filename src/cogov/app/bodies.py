"""Residents' body commands: form a 理事会/自管委/业委会, nominate, elect, post (公示), take
office, dissolve."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cogov.app.core import AppCore, command
from cogov.app.records import Record, register_record
from cogov.domain.body import BodyStatus, Candidate, ResidentsBody
from cogov.domain.values import (
    Actor,
    Assignee,
    AssigneeKind,
    BodyKind,
    LongText,
    Name,
    Role,
    ShortText,
)
from cogov.errors import PermissionDeniedError
from cogov.security.grants import require_grant
from cogov.security.permissions import Permission as P

__all__ = ["BodyCommands", "BodyRecord"]


class BodyRecord(Record):
    """A residents' body now: candidates, votes, members, officers, whether it is in office."""

    unit_id: UUID
    status: BodyStatus
    kind: BodyKind
    name: str
    purpose: str
    seats: int
    candidates: dict[str, Candidate]
    ballots: int | None
    votes: dict[str, int]
    members: list[str]
    chair_id: str | None
    vice_chair_id: str | None
    posted_at: datetime | None
    notice: str | None
    took_office_at: datetime | None
    in_office: bool
    dissolved_reason: str | None

    def as_assignee(self) -> Assignee:
        """The body as an assignee of kind COUNCIL (派单 to it, or make it the maintainer)."""
        return Assignee(kind=AssigneeKind.COUNCIL, id=str(self.id), name=self.name)


register_record(ResidentsBody, BodyRecord)


class BodyCommands(AppCore):
    @command
    def form_body(
        self,
        actor: Actor,
        *,
        unit_id: UUID,
        kind: BodyKind,
        name: ShortText,
        purpose: LongText,
        seats: int | None = None,
    ) -> UUID:
        """Form a residents' body (seats default to the policy's, 5). Returns its id."""
        self._authorize(actor, P.MANAGE_BODY, unit_id)
        body = ResidentsBody.form(
            self._ctx(actor),
            id=self.new_id(),
            unit_id=unit_id,
            kind=kind,
            name=name,
            purpose=purpose,
            seats=seats,
        )
        self._save(body)
        return body.id

    @command
    def nominate_candidate(
        self, actor: Actor, body_id: UUID, *, candidate_id: Name, name: ShortText
    ) -> None:
        """A resident of the unit nominates a candidate (or an organiser records one)."""
        body = self._get(ResidentsBody, body_id)
        if actor.role is Role.RESIDENT:
            if self.enforce_grants:  # a registered resident of the unit it claims
                require_grant(actor, load=self._get, ancestry=self.ancestry)
            if body.unit_id not in self.ancestry(actor.unit_id):
                raise PermissionDeniedError(
                    f"resident {actor.id} of unit {actor.unit_id} does not live under "
                    f"{body.name}'s unit {body.unit_id}",
                    rule="body.nomination.residents_of_unit",
                )
        else:
            self._authorize(actor, P.MANAGE_BODY, body.unit_id)
        body.nominate(self._ctx(actor), candidate_id=candidate_id, name=name)
        self._save(body)

    @command
    def tally_election(
        self, actor: Actor, body_id: UUID, *, ballots: int, votes: dict[Name, int]
    ) -> list[str]:
        """Count the votes; the top ``seats`` are elected. Returns the elected, in order."""
        body = self._body_for(actor, body_id)
        elected = body.tally(self._ctx(actor), ballots=ballots, votes=votes)
        self._save(body)
        return list(elected)

    @command
    def choose_officers(
        self, actor: Actor, body_id: UUID, *, chair_id: Name, vice_chair_id: Name
    ) -> None:
        body = self._body_for(actor, body_id)
        body.choose_officers(self._ctx(actor), chair_id=chair_id, vice_chair_id=vice_chair_id)
        self._save(body)

    @command
    def post_election_result(self, actor: Actor, body_id: UUID, *, notice: LongText) -> None:
        """公示: post the result publicly before the body takes office."""
        body = self._body_for(actor, body_id)
        body.post_result(self._ctx(actor), notice=notice)
        self._save(body)

    @command
    def take_office(self, actor: Actor, body_id: UUID) -> None:
        body = self._body_for(actor, body_id)
        body.take_office(self._ctx(actor))
        self._save(body)

    @command
    def dissolve_body(self, actor: Actor, body_id: UUID, *, reason: LongText) -> None:
        body = self._body_for(actor, body_id)
        body.dissolve(self._ctx(actor), reason=reason)
        self._save(body)

    def body(self, body_id: UUID) -> BodyRecord:
        return BodyRecord.model_validate(self._get(ResidentsBody, body_id))

    def _body_for(self, actor: Actor, body_id: UUID) -> ResidentsBody:
        body = self._get(ResidentsBody, body_id)
        self._authorize(actor, P.MANAGE_BODY, body.unit_id)
        return body
