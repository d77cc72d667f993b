"""ResidentsBody: a body residents elect for themselves — 理事会, 自管委, 业委会.

    formed ─nominate × N (by residents)─▶ formed ─tally_election─▶ elected
    elected ─choose_officers (chair, vice-chair from the elected)─▶ officers_chosen
    officers_chosen ─post_result (公示)─▶ posted ─take_office─▶ in_office
    any but dissolved ─dissolve (a reason)─▶ dissolved

The top ``seats`` candidates by votes are elected (5 by default, as 枝江市国税小区's
自管委). A tie at the cut-off elects no one: the tally is refused and a run-off (另行选举)
among the tied candidates is held before tallying again. The result is posted publicly
(公示) before the body takes office.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import Field

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.values import (
    Assignee,
    AssigneeKind,
    BodyKind,
    LongText,
    Name,
    ShortText,
    Value,
)
from cogov.errors import IllegalTransitionError, RuleViolationError

__all__ = ["BodyStatus", "Candidate", "ResidentsBody"]


class BodyStatus(StrEnum):
    FORMED = "formed"  # 已成立 (提名中)
    ELECTED = "elected"  # 已选举
    OFFICERS_CHOSEN = "officers_chosen"  # 已推选主任/副主任
    POSTED = "posted"  # 已公示
    IN_OFFICE = "in_office"  # 已履职
    DISSOLVED = "dissolved"  # 已解散

    @property
    def label_zh(self) -> str:
        return {
            BodyStatus.FORMED: "提名中",
            BodyStatus.ELECTED: "已选举",
            BodyStatus.OFFICERS_CHOSEN: "已推选负责人",
            BodyStatus.POSTED: "已公示",
            BodyStatus.IN_OFFICE: "已履职",
            BodyStatus.DISSOLVED: "已解散",
        }[self]


class Candidate(Value):
    candidate_id: str
    name: str
    nominated_by: str


B = BodyStatus


class ResidentsBody(Aggregate):
    TOPIC: ClassVar[str] = "cogov:ResidentsBody"

    class Event(DomainEvent):
        pass

    class Formed(Started, Event):
        """A residents' body was formed for a purpose (修桥、小区改造、泵站 …)."""

        TOPIC: ClassVar[str] = "cogov:ResidentsBody.Formed"
        kind: BodyKind
        name: ShortText
        purpose: LongText
        seats: int = Field(ge=1, le=99)

    class CandidateNominated(Event):
        """提名: a resident nominated a candidate."""

        TOPIC: ClassVar[str] = "cogov:ResidentsBody.CandidateNominated"
        candidate_id: Name
        name: ShortText
        nominated_by: Name

    class ElectionTallied(Event):
        """The votes per candidate; the top ``seats`` are elected."""

        TOPIC: ClassVar[str] = "cogov:ResidentsBody.ElectionTallied"
        ballots: int = Field(ge=1)
        votes: dict[str, int]
        elected: tuple[str, ...]

    class OfficersChosen(Event):
        """The chair and vice-chair were chosen from the elected members."""

        TOPIC: ClassVar[str] = "cogov:ResidentsBody.OfficersChosen"
        chair_id: Name
        vice_chair_id: Name

    class ResultPosted(Event):
        """公示: the election result and officers were published before taking office."""

        TOPIC: ClassVar[str] = "cogov:ResidentsBody.ResultPosted"
        notice: LongText

    class TookOffice(Event):
        """就职: the body took office after its result was posted."""

        TOPIC: ClassVar[str] = "cogov:ResidentsBody.TookOffice"

    class Dissolved(Event):
        """The body was dissolved, with a reason."""

        TOPIC: ClassVar[str] = "cogov:ResidentsBody.Dissolved"
        reason: LongText

    # -- state --------------------------------------------------------------------------
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
    dissolved_reason: str | None

    # -- commands -----------------------------------------------------------------------
    @classmethod
    def form(
        cls,
        ctx: Context,
        *,
        id: UUID,
        unit_id: UUID,
        kind: BodyKind,
        name: str,
        purpose: str,
        seats: int | None = None,
    ) -> ResidentsBody:
        """Form a body; its seats default to the policy's (5, like a 自管委)."""
        return cls._start(
            cls.Formed,
            ctx,
            id=id,
            unit_id=unit_id,
            kind=kind,
            name=name,
            purpose=purpose,
            seats=seats if seats is not None else ctx.policy.body_default_seats,
        )

    def nominate(self, ctx: Context, *, candidate_id: str, name: str) -> None:
        """Residents nominate candidates until the tally."""
        self._require("nominate", {B.FORMED})
        if candidate_id in self.candidates:
            raise RuleViolationError(
                f"{name} ({candidate_id}) is already a candidate", rule="body.nomination.unique"
            )
        self._record(
            self.CandidateNominated,
            ctx,
            candidate_id=candidate_id,
            name=name,
            nominated_by=ctx.actor.id,
        )

    def tally(self, ctx: Context, *, ballots: int, votes: Mapping[str, int]) -> tuple[str, ...]:
        """The top ``seats`` by votes are elected; a tie at the cut-off asks for a run-off."""
        self._require("tally_election", {B.FORMED})
        unknown = sorted(set(votes) - set(self.candidates))
        if unknown:
            raise RuleViolationError(
                f"votes for {unknown}, who were never nominated",
                rule="body.election.nominated_only",
            )
        if len(self.candidates) < self.seats:
            raise RuleViolationError(
                f"{len(self.candidates)} candidates for {self.seats} seats; nominate more",
                rule="body.election.enough_candidates",
            )
        counts = {c: votes.get(c, 0) for c in self.candidates}
        if ballots < 1 or any(n < 0 or n > ballots for n in counts.values()):
            raise RuleViolationError(
                f"each candidate has between 0 and {ballots} votes (one per ballot)",
                rule="body.election.tally",
            )
        if sum(counts.values()) > ballots * self.seats:
            raise RuleViolationError(
                f"{sum(counts.values())} votes exceed {ballots} ballots × {self.seats} seats",
                rule="body.election.tally",
            )
        ranked = sorted(counts, key=lambda c: (-counts[c], c))
        cut = counts[ranked[self.seats - 1]]
        if cut == 0:
            raise RuleViolationError(
                "a candidate with no votes cannot be elected", rule="body.election.no_votes"
            )
        if len(ranked) > self.seats and counts[ranked[self.seats]] == cut:
            tied = sorted(c for c in ranked if counts[c] == cut)
            raise RuleViolationError(
                f"{', '.join(tied)} tie with {cut} votes for the last seat(s); hold a run-off "
                "(另行选举) among them and tally again",
                rule="body.election.tie_at_cutoff",
                tied=tied,
            )
        elected = tuple(ranked[: self.seats])
        self._record(self.ElectionTallied, ctx, ballots=ballots, votes=counts, elected=elected)
        return elected

    def choose_officers(self, ctx: Context, *, chair_id: str, vice_chair_id: str) -> None:
        self._require("choose_officers", {B.ELECTED})
        outsiders = [c for c in (chair_id, vice_chair_id) if c not in self.members]
        if outsiders:
            raise RuleViolationError(
                f"{outsiders} were not elected; officers are chosen from the elected members",
                rule="body.officers.from_elected",
            )
        if chair_id == vice_chair_id:
            raise RuleViolationError(
                "the chair and the vice-chair are two people", rule="body.officers.distinct"
            )
        self._record(self.OfficersChosen, ctx, chair_id=chair_id, vice_chair_id=vice_chair_id)

    def post_result(self, ctx: Context, *, notice: str) -> None:
        """公示: publish the result before the body takes office."""
        self._require("post_result", {B.OFFICERS_CHOSEN})
        self._record(self.ResultPosted, ctx, notice=notice)

    def take_office(self, ctx: Context) -> None:
        if self.status in (B.ELECTED, B.OFFICERS_CHOSEN):
            raise RuleViolationError(
                "the election result must be publicly posted (公示) before taking office",
                rule="body.office.after_posting",
            )
        self._require("take_office", {B.POSTED})
        self._record(self.TookOffice, ctx)

    def dissolve(self, ctx: Context, *, reason: str) -> None:
        self._require("dissolve", set(B) - {B.DISSOLVED})
        self._record(self.Dissolved, ctx, reason=reason)

    # -- queries ------------------------------------------------------------------------
    @property
    def in_office(self) -> bool:
        return self.status is B.IN_OFFICE

    def is_member(self, person_id: str) -> bool:
        return person_id in self.members

    def as_assignee(self) -> Assignee:
        """The body as the owner of a dispatched matter or of a project's upkeep."""
        return Assignee(kind=AssigneeKind.COUNCIL, id=str(self.id), name=self.name)

    # -- helpers ------------------------------------------------------------------------
    def _require(self, command: str, allowed: set[BodyStatus]) -> None:
        if self.status not in allowed:
            raise self._refuse(command, allowed, self.status)

    def _refuse(self, command: str, allowed: Iterable[Any], status: Any) -> IllegalTransitionError:
        """Transition refusals of a body are named ``body.transition.<command>``."""
        names = ", ".join(sorted(str(s) for s in allowed))
        return IllegalTransitionError(
            f"{self.name} ({self.id}): cannot {command} while {status} (allowed from: {names})",
            rule=f"body.transition.{command}",
            status=str(status),
        )

    # -- state changes (never fail) -----------------------------------------------------
    @applies(Formed)
    def _formed(self, e: Formed) -> None:
        self.unit_id = e.unit_id
        self.status = B.FORMED
        self.kind = e.kind
        self.name = e.name
        self.purpose = e.purpose
        self.seats = e.seats
        self.candidates = {}
        self.ballots = None
        self.votes = {}
        self.members = []
        self.chair_id = None
        self.vice_chair_id = None
        self.posted_at = None
        self.notice = None
        self.took_office_at = None
        self.dissolved_reason = None

    @applies(CandidateNominated)
    def _nominated(self, e: CandidateNominated) -> None:
        self.candidates[e.candidate_id] = Candidate(
            candidate_id=e.candidate_id, name=e.name, nominated_by=e.nominated_by
        )

    @applies(ElectionTallied)
    def _tallied(self, e: ElectionTallied) -> None:
        self.ballots = e.ballots
        self.votes = dict(e.votes)
        self.members = list(e.elected)
        self.status = B.ELECTED

    @applies(OfficersChosen)
    def _officers(self, e: OfficersChosen) -> None:
        self.chair_id = e.chair_id
        self.vice_chair_id = e.vice_chair_id
        self.status = B.OFFICERS_CHOSEN

    @applies(ResultPosted)
    def _posted(self, e: ResultPosted) -> None:
        self.posted_at = e.timestamp
        self.notice = e.notice
        self.status = B.POSTED

    @applies(TookOffice)
    def _took_office(self, e: TookOffice) -> None:
        self.took_office_at = e.timestamp
        self.status = B.IN_OFFICE

    @applies(Dissolved)
    def _dissolved(self, e: Dissolved) -> None:
        self.dissolved_reason = e.reason
        self.status = B.DISSOLVED
