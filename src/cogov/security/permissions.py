"""Permissions: every command needs one, held through a role on a unit or an ancestor of it.

A role granted on a unit applies to its whole subtree (a township's cadre acts in every
village under it). The role table is data (:data:`DEFAULT_ROLE_PERMISSIONS`), versioned with
the deployment; the application checks it before any rule runs, and a denial names the
missing permission and stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from cogov.domain.values import Role

__all__ = ["DEFAULT_ROLE_PERMISSIONS", "Permission"]


class Permission(StrEnum):
    COLLECT_ISSUE = "issue.collect"
    TRIAGE_ISSUE = "issue.triage"
    MERGE_ISSUE = "issue.merge"
    PLACE_ON_AGENDA = "issue.agenda"
    RECORD_DECISION = "issue.deliberate"
    FAST_TRACK_ISSUE = "issue.fast_track"
    DISPATCH_ISSUE = "issue.dispatch"
    HANDLE_DISPATCH = "issue.handle"  # return (退单) and resolve, as the assignee
    ESCALATE_ISSUE = "issue.escalate"
    CHASE_ISSUE = "issue.chase"
    PUBLISH_RESULT = "issue.publish"
    EVALUATE = "evaluate"
    WITHDRAW_ISSUE = "issue.withdraw"
    REJECT_ISSUE = "issue.reject"
    SCHEDULE_MEETING = "meeting.schedule"
    CHAIR_MEETING = "meeting.chair"  # convene, record votes, publish minutes, close
    PROPOSE_PROJECT = "project.propose"
    APPROVE_PROJECT = "project.approve"
    MANAGE_PROJECT = "project.manage"  # progress, completion, maintainer, inspections
    CONTRIBUTE = "project.contribute"
    GRANT_REWARD = "project.reward"
    MANAGE_BODY = "body.manage"  # form, nominate, tally elections, post results
    ESTABLISH_UNIT = "unit.establish"
    ADOPT_POLICY = "policy.adopt"
    GRANT_ROLE = "role.grant"
    READ_AUDIT = "audit.read"
    READ_PERSONAL_DATA = "personal.read"
    FORGET_RESIDENT = "personal.forget"


P = Permission
_CADRE = frozenset(
    {
        P.COLLECT_ISSUE,
        P.TRIAGE_ISSUE,
        P.MERGE_ISSUE,
        P.PLACE_ON_AGENDA,
        P.RECORD_DECISION,
        P.FAST_TRACK_ISSUE,
        P.DISPATCH_ISSUE,
        P.HANDLE_DISPATCH,
        P.ESCALATE_ISSUE,
        P.CHASE_ISSUE,
        P.PUBLISH_RESULT,
        P.WITHDRAW_ISSUE,
        P.REJECT_ISSUE,
        P.SCHEDULE_MEETING,
        P.CHAIR_MEETING,
        P.PROPOSE_PROJECT,
        P.APPROVE_PROJECT,
        P.MANAGE_PROJECT,
        P.CONTRIBUTE,
        P.MANAGE_BODY,
        P.READ_PERSONAL_DATA,
    }
)

DEFAULT_ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.RESIDENT: frozenset({P.COLLECT_ISSUE, P.EVALUATE, P.CONTRIBUTE, P.WITHDRAW_ISSUE}),
    Role.GRID_WORKER: frozenset({P.COLLECT_ISSUE, P.WITHDRAW_ISSUE, P.READ_PERSONAL_DATA}),
    Role.PARTY_HOUSEHOLD: frozenset({P.COLLECT_ISSUE, P.CONTRIBUTE}),
    Role.COMMITTEE_MEMBER: _CADRE,
    Role.REPRESENTATIVE: frozenset({P.COLLECT_ISSUE, P.CHAIR_MEETING, P.CONTRIBUTE}),
    Role.COUNCIL_MEMBER: frozenset(
        {P.HANDLE_DISPATCH, P.MANAGE_PROJECT, P.CONTRIBUTE, P.CHAIR_MEETING, P.MANAGE_BODY}
    ),
    Role.DEPARTMENT_STAFF: frozenset({P.HANDLE_DISPATCH, P.MANAGE_PROJECT, P.GRANT_REWARD}),
    Role.AUDITOR: frozenset({P.READ_AUDIT}),
    Role.ADMINISTRATOR: frozenset(
        {P.ESTABLISH_UNIT, P.ADOPT_POLICY, P.GRANT_ROLE, P.READ_AUDIT, P.FORGET_RESIDENT}
    ),
    Role.SYSTEM: frozenset(),
}
