"""Permissions: every command needs one, held through a role on a unit or an ancestor of it.

A role granted on a unit applies to its whole subtree (a township's cadre acts in every
village under it). Three checks run before any domain rule, and a denial names the missing
piece and stores nothing:

1. **the permission table** — the role carries the permission. The table is data: a casbin
   RBAC model (:data:`RBAC_MODEL`) and a versioned policy text (:data:`DEFAULT_POLICY_TEXT`,
   ``p`` lines give a role a permission, ``g`` lines let a role inherit another's), evaluated
   by pycasbin into :data:`DEFAULT_ROLE_PERMISSIONS`;
2. **the grant** — the actor really holds the role it claims, on a unit covering the one it
   claims (an event-sourced fact, see :mod:`cogov.security.grants`);
3. **the scope** — the target unit lies in the subtree of the actor's unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import casbin

from cogov.domain.values import Role

__all__ = [
    "DEFAULT_PERMISSION_MODEL",
    "DEFAULT_POLICY_TEXT",
    "DEFAULT_ROLE_PERMISSIONS",
    "RBAC_MODEL",
    "Permission",
    "PermissionModel",
]


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
    REGISTER_RESIDENT = "resident.register"  # register, record departure (迁出)


#: The casbin model: a request (role, permission) is allowed when the role — or a role it
#: inherits through ``g`` — has a ``p`` line for the permission.
RBAC_MODEL = """
[request_definition]
r = role, permission

[policy_definition]
p = role, permission

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.role, p.role) && r.permission == p.permission
"""

#: The default permission policy, version 1. ``cadre`` is an abstract role: the two
#: committees (两委) inherit it. Changing this text is a new version of the model.
DEFAULT_POLICY_TEXT = """
# 群众/居民: raise a concern, rate the result, contribute, withdraw their own matter
p, resident, issue.collect
p, resident, evaluate
p, resident, project.contribute
p, resident, issue.withdraw

# 网格员: collect door to door in their grid, register residents, read contacts to follow up
p, grid_worker, issue.collect
p, grid_worker, issue.withdraw
p, grid_worker, personal.read
p, grid_worker, resident.register

# 党员中心户: collect in their responsibility zone, contribute
p, party_household, issue.collect
p, party_household, project.contribute

# 两委成员 = cadre (包干: they own matters to the end)
g, committee_member, cadre
p, cadre, issue.collect
p, cadre, issue.triage
p, cadre, issue.merge
p, cadre, issue.agenda
p, cadre, issue.deliberate
p, cadre, issue.fast_track
p, cadre, issue.dispatch
p, cadre, issue.handle
p, cadre, issue.escalate
p, cadre, issue.chase
p, cadre, issue.publish
p, cadre, issue.withdraw
p, cadre, issue.reject
p, cadre, meeting.schedule
p, cadre, meeting.chair
p, cadre, project.propose
p, cadre, project.approve
p, cadre, project.manage
p, cadre, project.contribute
p, cadre, body.manage
p, cadre, personal.read
p, cadre, resident.register

# 党员、群众代表: raise matters, chair the representatives' meeting, contribute
p, representative, issue.collect
p, representative, meeting.chair
p, representative, project.contribute

# 理事会/自管委成员: handle what is dispatched to their council, manage its works
p, council_member, issue.handle
p, council_member, project.manage
p, council_member, project.contribute
p, council_member, meeting.chair
p, council_member, body.manage

# 部门工作人员: handle what is dispatched to their department; 以奖代补 rewards
p, department_staff, issue.handle
p, department_staff, project.manage
p, department_staff, project.reward

# 审计/监督: read the audit trail (and the personal-data access log)
p, auditor, audit.read

# 系统管理员: units, policy, grants, forgetting — but not reading personal data
p, administrator, unit.establish
p, administrator, policy.adopt
p, administrator, role.grant
p, administrator, audit.read
p, administrator, personal.forget
"""


@dataclass(frozen=True)
class PermissionModel:
    """A versioned permission model: casbin model text plus policy text, both plain data."""

    version: int
    policy_text: str
    model_text: str = RBAC_MODEL

    def enforcer(self) -> casbin.Enforcer:
        """A casbin enforcer loaded with this model and policy."""
        model = casbin.Model()
        model.load_model_from_text(self.model_text)
        enforcer = casbin.Enforcer(model)
        for raw in self.policy_text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            kind, *fields = (f.strip() for f in line.split(","))
            if kind == "p":
                enforcer.add_policy(*fields)
            elif kind == "g":
                enforcer.add_grouping_policy(*fields)
            else:
                raise ValueError(f"unknown policy line kind {kind!r} in {line!r}")
        return enforcer

    def allows(self, role: Role, permission: Permission) -> bool:
        return permission in self.table.get(role, frozenset())

    @cached_property
    def table(self) -> Mapping[Role, frozenset[Permission]]:
        """Every role's permissions, as casbin decides them (evaluated once per model)."""
        enforcer = self.enforcer()
        return {
            role: frozenset(p for p in Permission if enforcer.enforce(str(role), str(p)))
            for role in Role
        }


DEFAULT_PERMISSION_MODEL = PermissionModel(version=1, policy_text=DEFAULT_POLICY_TEXT)

#: role → permissions, as the default model decides (the system role holds none).
DEFAULT_ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = DEFAULT_PERMISSION_MODEL.table
