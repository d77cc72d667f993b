"""A realistic history for the audit tests and the audit scenarios: a county's units, granted
officials, and matters run through the closed loop (collect → triage → agenda → vote →
deliberate → dispatch → resolve)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID, uuid4

from cogov import (
    Actor,
    AgendaTopic,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    ManualClock,
    MeetingKind,
    Role,
    Scale,
    UnitLevel,
)
from cogov.domain.policybook import WHOLE_DEPLOYMENT


@dataclass
class History:
    app: CoGov
    clock: ManualClock
    admin: Actor
    auditor: Actor
    village_auditor: Actor
    cadre: Actor
    grid: Actor
    council: Actor
    county: UUID
    village: UUID
    group: UUID
    other_village: UUID
    issues: list[UUID] = field(default_factory=list)
    meetings: list[UUID] = field(default_factory=list)


def open_history(app: CoGov, clock: ManualClock) -> History:
    admin = app.bootstrap_administrator("admin")
    county = app.establish_unit(admin, name="黄梅县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    village = app.establish_unit(admin, name="渡河村", level=UnitLevel.VILLAGE, parent_id=town)
    group = app.establish_unit(admin, name="渡河村1组", level=UnitLevel.GROUP, parent_id=village)
    other = app.establish_unit(admin, name="白羊社区", level=UnitLevel.VILLAGE, parent_id=town)
    return History(
        app=app,
        clock=clock,
        admin=admin,
        auditor=app.grant_role(
            admin, grantee_id="aud-1", role=Role.AUDITOR, unit_id=WHOLE_DEPLOYMENT
        ),
        village_auditor=app.grant_role(
            admin, grantee_id="aud-village", role=Role.AUDITOR, unit_id=village
        ),
        cadre=app.grant_role(
            admin, grantee_id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=village
        ),
        grid=app.grant_role(admin, grantee_id="gw-1", role=Role.GRID_WORKER, unit_id=village),
        council=app.grant_role(
            admin,
            grantee_id="c-1",
            role=Role.COUNCIL_MEMBER,
            unit_id=village,
            organisation="bridge-council",
        ),
        county=county,
        village=village,
        group=group,
        other_village=other,
    )


def run_matter(h: History, title: str = "危桥") -> UUID:
    """One major matter through collection, a representatives' vote and dispatch to
    resolution. Moves the clock forward by six days."""
    app, cadre = h.app, h.cadre
    issue_id = app.collect_issue(
        h.grid,
        unit_id=h.group,
        channel=Channel.GRID_WORKER,
        raised_by=uuid4(),
        title=title,
        description="桥宽不足2米",
    )
    app.triage_issue(cadre, issue_id, scale=Scale.MAJOR, category="交通")
    meeting_id = app.schedule_meeting(
        cadre,
        unit_id=h.village,
        kind=MeetingKind.REPRESENTATIVES,
        title="三月代表会议",
        roster_size=30,
        scheduled_for=h.clock.now() + timedelta(days=5),
        chair_id="sec-1",
    )
    app.publish_agenda(cadre, meeting_id, topics=[AgendaTopic(topic="修桥", issue_id=issue_id)])
    h.clock.advance(days=5)
    app.convene_meeting(cadre, meeting_id, present=20)
    app.record_vote(cadre, meeting_id, item_no=1, votes_for=16, votes_against=2, abstentions=2)
    app.deliberate_issue(cadre, issue_id, meeting_id=meeting_id, item_no=1)
    app.publish_minutes(cadre, meeting_id, summary="通过修桥方案")
    app.dispatch_issue(
        cadre,
        issue_id,
        assignee=Assignee(kind=AssigneeKind.COUNCIL, id="bridge-council", name="修桥理事会"),
    )
    h.clock.advance(days=1)
    app.resolve_issue(h.council, issue_id, summary="新桥建成")
    h.issues.append(issue_id)
    h.meetings.append(meeting_id)
    return issue_id
