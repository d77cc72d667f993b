"""Meeting commands: schedule, publish the agenda, convene, vote, publish the minutes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from cogov.app.core import AppCore, command
from cogov.app.records import MeetingRecord
from cogov.domain.issue import Issue
from cogov.domain.meeting import AgendaItem, ItemOutcome, Meeting
from cogov.domain.values import Actor, LongText, MeetingKind, Name, ShortText
from cogov.errors import RuleViolationError
from cogov.security.permissions import Permission as P

__all__ = ["AgendaTopic", "MeetingCommands"]


class AgendaTopic(BaseModel):
    """A topic to put on an agenda; with ``issue_id`` the issue is put on the agenda too."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    topic: ShortText
    issue_id: UUID | None = None


class MeetingCommands(AppCore):
    @command
    def schedule_meeting(
        self,
        actor: Actor,
        *,
        unit_id: UUID,
        kind: MeetingKind,
        title: ShortText,
        roster_size: int,
        scheduled_for: datetime,
        chair_id: Name,
    ) -> UUID:
        """Schedule a meeting of a unit with its roster size (应到). Returns the meeting id."""
        self._authorize(actor, P.SCHEDULE_MEETING, unit_id)
        self._unit(unit_id)
        meeting = Meeting.schedule(
            self._ctx(actor),
            id=self.new_id(),
            unit_id=unit_id,
            kind=kind,
            title=title,
            roster_size=roster_size,
            scheduled_for=scheduled_for,
            chair_id=chair_id,
        )
        self._save(meeting)
        return meeting.id

    @command
    def publish_agenda(self, actor: Actor, meeting_id: UUID, *, topics: list[AgendaTopic]) -> None:
        """议程公开: publish the topics in advance; linked issues go on the agenda with them."""
        meeting = self._get(Meeting, meeting_id)
        self._authorize(actor, P.SCHEDULE_MEETING, meeting.unit_id)
        ctx = self._ctx(actor)
        items = [
            AgendaItem(item_no=n, topic=t.topic, issue_id=t.issue_id)
            for n, t in enumerate(topics, 1)
        ]
        meeting.publish_agenda(ctx, items=items)
        issues: list[Issue] = []
        for item in items:
            if item.issue_id is None:
                continue
            issue = self._get(Issue, item.issue_id)
            if meeting.unit_id not in self.ancestry(issue.unit_id):
                raise RuleViolationError(
                    f"issue {issue.id} belongs to another unit than meeting {meeting.id}",
                    rule="meeting.agenda.unit",
                )
            if issue.fast_track_pending_report:
                continue  # heard as a report, not decided again
            issue.put_on_agenda(
                ctx, meeting_id=meeting.id, meeting_kind=meeting.kind, item_no=item.item_no
            )
            issues.append(issue)
        self._save(meeting, *issues)

    @command
    def convene_meeting(self, actor: Actor, meeting_id: UUID, *, present: int) -> MeetingRecord:
        """召开: the chair records attendance (实到)."""
        meeting = self._meeting_for(actor, meeting_id)
        meeting.convene(self._ctx(actor), present=present)
        self._save(meeting)
        return MeetingRecord.model_validate(meeting)

    @command
    def record_vote(
        self,
        actor: Actor,
        meeting_id: UUID,
        *,
        item_no: int,
        votes_for: int,
        votes_against: int,
        abstentions: int = 0,
    ) -> ItemOutcome:
        """表决: the chair records the tally; the item is decided by quorum and majority."""
        meeting = self._meeting_for(actor, meeting_id)
        outcome = meeting.record_vote(
            self._ctx(actor),
            item_no=item_no,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        self._save(meeting)
        return outcome

    @command
    def publish_minutes(self, actor: Actor, meeting_id: UUID, *, summary: LongText) -> None:
        """会议结果公开: publish the decisions (四议两公开's first 公开)."""
        meeting = self._meeting_for(actor, meeting_id)
        meeting.publish_minutes(self._ctx(actor), summary=summary)
        self._save(meeting)

    @command
    def close_meeting(self, actor: Actor, meeting_id: UUID) -> None:
        meeting = self._meeting_for(actor, meeting_id)
        meeting.close(self._ctx(actor))
        self._save(meeting)

    @command
    def cancel_meeting(self, actor: Actor, meeting_id: UUID, *, reason: LongText) -> None:
        meeting = self._get(Meeting, meeting_id)
        self._authorize(actor, P.SCHEDULE_MEETING, meeting.unit_id)
        meeting.cancel(self._ctx(actor), reason=reason)
        self._save(meeting)

    def meeting(self, meeting_id: UUID) -> MeetingRecord:
        return MeetingRecord.model_validate(self._get(Meeting, meeting_id))

    def _meeting_for(self, actor: Actor, meeting_id: UUID) -> Meeting:
        meeting = self._get(Meeting, meeting_id)
        self._authorize(actor, P.CHAIR_MEETING, meeting.unit_id)
        return meeting
