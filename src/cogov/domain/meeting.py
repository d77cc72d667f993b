"""Meeting: 两个会议 and the residents' own meetings, under quorum and majority rules.

    scheduled ─publish_agenda─▶ agenda_published ─convene─▶ convened
    convened ─record_vote × items─▶ (each item Voted + Decided)
    convened ─publish_minutes─▶ minutes_published ─close─▶ closed
    scheduled | agenda_published ─cancel─▶ cancelled

Quorum (出席): the share of the roster (应到) present (实到), e.g. 三分之二以上 for a
representatives' meeting — exactly two thirds is enough. Majority (表决): strictly more than
half of those present (过半数); a tie fails. Only the chair records votes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, Field

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.values import DecisionRef, LongText, MeetingKind, Name, ShortText, Value
from cogov.errors import (
    DeadlineError,
    NotFoundError,
    PermissionDeniedError,
    QuorumNotMetError,
    RuleViolationError,
)

__all__ = ["AgendaItem", "ItemOutcome", "Meeting", "MeetingStatus"]


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    AGENDA_PUBLISHED = "agenda_published"
    CONVENED = "convened"
    MINUTES_PUBLISHED = "minutes_published"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AgendaItem(Value):
    """One topic (议题). ``issue_id`` links the issue it decides or the fast-track it hears."""

    item_no: int = Field(ge=1)
    topic: ShortText
    issue_id: UUID | None = None


class ItemOutcome(Value):
    item_no: int
    votes_for: int
    votes_against: int
    abstentions: int
    present: int
    adopted: bool
    decided_at: datetime


M = MeetingStatus
_BEIJING = ZoneInfo("Asia/Shanghai")  # meetings are held by the local calendar day


class Meeting(Aggregate):
    TOPIC: ClassVar[str] = "cogov:Meeting"

    class Event(DomainEvent):
        pass

    class Scheduled(Started, Event):
        TOPIC: ClassVar[str] = "cogov:Meeting.Scheduled"
        kind: MeetingKind
        title: ShortText
        roster_size: int = Field(ge=1, le=100_000)  # 应到
        scheduled_for: AwareDatetime
        chair_id: Name

    class AgendaPublished(Event):
        TOPIC: ClassVar[str] = "cogov:Meeting.AgendaPublished"
        items: tuple[AgendaItem, ...]

    class Convened(Event):
        TOPIC: ClassVar[str] = "cogov:Meeting.Convened"
        present: int = Field(ge=0)  # 实到
        quorum_met: bool

    class Voted(Event):
        TOPIC: ClassVar[str] = "cogov:Meeting.Voted"
        item_no: int = Field(ge=1)
        votes_for: int = Field(ge=0)
        votes_against: int = Field(ge=0)
        abstentions: int = Field(ge=0)

    class Decided(Event):
        """The item was adopted or rejected under the quorum and majority rules."""

        TOPIC: ClassVar[str] = "cogov:Meeting.Decided"
        item_no: int = Field(ge=1)
        adopted: bool
        present: int
        roster_size: int
        votes_for: int
        quorum_rule: str
        majority_rule: str

    class MinutesPublished(Event):
        TOPIC: ClassVar[str] = "cogov:Meeting.MinutesPublished"
        summary: LongText

    class Closed(Event):
        TOPIC: ClassVar[str] = "cogov:Meeting.Closed"

    class Cancelled(Event):
        TOPIC: ClassVar[str] = "cogov:Meeting.Cancelled"
        reason: LongText

    # -- state --------------------------------------------------------------------------
    unit_id: UUID
    status: MeetingStatus
    kind: MeetingKind
    title: str
    roster_size: int
    scheduled_for: datetime
    chair_id: str
    items: list[AgendaItem]
    agenda_published_at: datetime | None
    present: int | None
    quorum_met: bool | None
    tallies: dict[int, tuple[int, int, int]]
    outcomes: dict[int, ItemOutcome]
    minutes_published_at: datetime | None

    # -- commands -----------------------------------------------------------------------
    @classmethod
    def schedule(
        cls,
        ctx: Context,
        *,
        id: UUID,
        unit_id: UUID,
        kind: MeetingKind,
        title: str,
        roster_size: int,
        scheduled_for: datetime,
        chair_id: str,
    ) -> Meeting:
        if scheduled_for <= ctx.now:
            raise DeadlineError(
                "a meeting is scheduled in the future", rule="meeting.schedule.future"
            )
        return cls._start(
            cls.Scheduled,
            ctx,
            id=id,
            unit_id=unit_id,
            kind=kind,
            title=title,
            roster_size=roster_size,
            scheduled_for=scheduled_for,
            chair_id=chair_id,
        )

    def publish_agenda(self, ctx: Context, *, items: list[AgendaItem]) -> None:
        """议程公开: 1..N topics (the monthly meeting takes 1–2), published days ahead."""
        self._require("publish_agenda", {M.SCHEDULED})
        limit = ctx.policy.agenda_max_topics.get(self.kind)
        if not items or (limit is not None and len(items) > limit):
            most = f"1 to {limit}" if limit is not None else "at least 1"
            raise RuleViolationError(
                f"a {self.kind.label_zh} takes {most} topics, not {len(items)}",
                rule="meeting.agenda.topics",
            )
        numbers = [item.item_no for item in items]
        if numbers != list(range(1, len(items) + 1)):
            raise RuleViolationError(
                "agenda items are numbered 1, 2, … in order", rule="meeting.agenda.numbering"
            )
        linked = [item.issue_id for item in items if item.issue_id is not None]
        if len(linked) != len(set(linked)):
            raise RuleViolationError(
                "an issue is one topic of an agenda, not several", rule="meeting.agenda.issue_once"
            )
        notice_days = ctx.policy.agenda_notice_days.get(self.kind, 0)
        if self.scheduled_for - ctx.now < timedelta(days=notice_days):
            raise DeadlineError(
                f"the agenda of a {self.kind.label_zh} must be public {notice_days} days ahead",
                rule="meeting.agenda.notice",
            )
        self._record(self.AgendaPublished, ctx, items=tuple(items))

    def convene(self, ctx: Context, *, present: int) -> None:
        """召开: record attendance (实到) against the roster (应到)."""
        self._require("convene", {M.AGENDA_PUBLISHED})
        self._require_chair(ctx, "convene")
        if ctx.now.astimezone(_BEIJING).date() < self.scheduled_for.astimezone(_BEIJING).date():
            raise DeadlineError(
                f"the meeting is scheduled for {self.scheduled_for.astimezone(_BEIJING):%Y-%m-%d}; "
                "it cannot convene before that day (the agenda notice would mean nothing)",
                rule="meeting.convene.not_before_scheduled_day",
            )
        if not 0 <= present <= self.roster_size:
            raise RuleViolationError(
                f"attendance must lie between 0 and the roster size {self.roster_size}",
                rule="meeting.attendance.range",
            )
        quorum = ctx.policy.quorum_for(self.kind)
        self._record(
            self.Convened, ctx, present=present, quorum_met=quorum.met(present, self.roster_size)
        )

    def record_vote(
        self, ctx: Context, *, item_no: int, votes_for: int, votes_against: int, abstentions: int
    ) -> ItemOutcome:
        """表决: the chair records the tally; the item is decided under quorum and majority."""
        self._require("record_vote", {M.CONVENED})
        self._require_chair(ctx, "record_vote")
        self.item(item_no)
        if item_no in self.outcomes:
            raise RuleViolationError(f"item {item_no} is already decided", rule="meeting.vote.once")
        assert self.present is not None
        if min(votes_for, votes_against, abstentions) < 0 or (
            votes_for + votes_against + abstentions > self.present
        ):
            raise RuleViolationError(
                f"votes cast ({votes_for}+{votes_against}+{abstentions}) exceed those present "
                f"({self.present})",
                rule="meeting.vote.tally",
            )
        quorum = ctx.policy.quorum_for(self.kind)
        if not quorum.met(self.present, self.roster_size):
            raise QuorumNotMetError(
                f"{self.present} of {self.roster_size} present; a {self.kind.label_zh} needs "
                f"{quorum.describe()} to decide",
                rule="meeting.quorum",
            )
        majority = ctx.policy.majority
        self._record(
            self.Voted,
            ctx,
            item_no=item_no,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        self._record(
            self.Decided,
            ctx,
            item_no=item_no,
            adopted=majority.met(votes_for, self.present),
            present=self.present,
            roster_size=self.roster_size,
            votes_for=votes_for,
            quorum_rule=quorum.describe(),
            majority_rule=majority.describe(),
        )
        return self.outcomes[item_no]

    def publish_minutes(self, ctx: Context, *, summary: str) -> None:
        """会议结果公开: every item must be decided first."""
        self._require("publish_minutes", {M.CONVENED})
        undecided = [i.item_no for i in self.items if i.item_no not in self.outcomes]
        if undecided:
            raise RuleViolationError(
                f"items {undecided} are not decided yet", rule="meeting.minutes.all_decided"
            )
        self._record(self.MinutesPublished, ctx, summary=summary)

    def close(self, ctx: Context) -> None:
        self._require("close", {M.MINUTES_PUBLISHED})
        self._record(self.Closed, ctx)

    def cancel(self, ctx: Context, *, reason: str) -> None:
        self._require("cancel", {M.SCHEDULED, M.AGENDA_PUBLISHED})
        self._record(self.Cancelled, ctx, reason=reason)

    # -- queries ------------------------------------------------------------------------
    def item(self, item_no: int) -> AgendaItem:
        for item in self.items:
            if item.item_no == item_no:
                return item
        raise NotFoundError(
            f"meeting {self.id} has no agenda item {item_no}", rule="meeting.item.exists"
        )

    def decision(self, item_no: int) -> DecisionRef:
        """The reference other aggregates cite; the item must be decided and adopted."""
        outcome = self.outcomes.get(item_no)
        if outcome is None:
            raise RuleViolationError(
                f"item {item_no} of meeting {self.id} is not decided", rule="decision.decided"
            )
        if not outcome.adopted:
            raise RuleViolationError(
                f"item {item_no} of meeting {self.id} was rejected by the vote",
                rule="decision.adopted",
            )
        return DecisionRef(meeting_id=self.id, item_no=item_no, decided_at=outcome.decided_at)

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None

    # -- helpers ------------------------------------------------------------------------
    def _require(self, command: str, allowed: set[MeetingStatus]) -> None:
        if self.status not in allowed:
            raise self._refuse(command, allowed, self.status)

    def _require_chair(self, ctx: Context, command: str) -> None:
        if ctx.actor.id != self.chair_id:
            raise PermissionDeniedError(
                f"only the chair ({self.chair_id}) may {command}",
                rule=f"meeting.{command}.chair_only",
            )

    # -- state changes ------------------------------------------------------------------
    @applies(Scheduled)
    def _scheduled(self, e: Scheduled) -> None:
        self.unit_id = e.unit_id
        self.status = M.SCHEDULED
        self.kind = e.kind
        self.title = e.title
        self.roster_size = e.roster_size
        self.scheduled_for = e.scheduled_for
        self.chair_id = e.chair_id
        self.items = []
        self.agenda_published_at = None
        self.present = None
        self.quorum_met = None
        self.tallies = {}
        self.outcomes = {}
        self.minutes_published_at = None

    @applies(AgendaPublished)
    def _agenda(self, e: AgendaPublished) -> None:
        self.items = list(e.items)
        self.agenda_published_at = e.timestamp
        self.status = M.AGENDA_PUBLISHED

    @applies(Convened)
    def _convened(self, e: Convened) -> None:
        self.present = e.present
        self.quorum_met = e.quorum_met
        self.status = M.CONVENED

    @applies(Voted)
    def _voted(self, e: Voted) -> None:
        self.tallies[e.item_no] = (e.votes_for, e.votes_against, e.abstentions)

    @applies(Decided)
    def _decided(self, e: Decided) -> None:
        votes_for, against, abstain = self.tallies.get(e.item_no, (e.votes_for, 0, 0))
        self.outcomes[e.item_no] = ItemOutcome(
            item_no=e.item_no,
            votes_for=votes_for,
            votes_against=against,
            abstentions=abstain,
            present=e.present,
            adopted=e.adopted,
            decided_at=e.timestamp,
        )

    @applies(MinutesPublished)
    def _minutes(self, e: MinutesPublished) -> None:
        self.minutes_published_at = e.timestamp
        self.status = M.MINUTES_PUBLISHED

    @applies(Closed)
    def _closed(self, e: Closed) -> None:
        self.status = M.CLOSED

    @applies(Cancelled)
    def _cancelled(self, e: Cancelled) -> None:
        self.status = M.CANCELLED
