"""The permission model is data: a casbin RBAC model and a versioned policy text."""

from __future__ import annotations

from uuid import uuid4

import pytest

from cogov import Channel, CoGov, ManualClock, Permission, PermissionDeniedError, Role, Scale
from cogov.security.permissions import (
    DEFAULT_PERMISSION_MODEL,
    DEFAULT_POLICY_TEXT,
    DEFAULT_ROLE_PERMISSIONS,
    PermissionModel,
)
from tests.security.support import deploy

P = Permission


def test_committee_members_inherit_the_cadre_permissions_through_a_g_line() -> None:
    enforcer = DEFAULT_PERMISSION_MODEL.enforcer()
    assert enforcer.enforce("committee_member", "issue.dispatch")
    assert enforcer.enforce("cadre", "issue.dispatch")
    assert not enforcer.enforce("grid_worker", "issue.dispatch")
    assert DEFAULT_ROLE_PERMISSIONS[Role.COMMITTEE_MEMBER] >= {P.DISPATCH_ISSUE, P.CHAIR_MEETING}


def test_the_default_table_for_the_people_closest_to_residents() -> None:
    assert DEFAULT_ROLE_PERMISSIONS[Role.RESIDENT] == {
        P.COLLECT_ISSUE,
        P.EVALUATE,
        P.CONTRIBUTE,
        P.WITHDRAW_ISSUE,
    }
    assert DEFAULT_ROLE_PERMISSIONS[Role.GRID_WORKER] == {
        P.COLLECT_ISSUE,
        P.WITHDRAW_ISSUE,
        P.READ_PERSONAL_DATA,
        P.REGISTER_RESIDENT,
    }
    assert DEFAULT_ROLE_PERMISSIONS[Role.AUDITOR] == {P.READ_AUDIT}
    assert DEFAULT_ROLE_PERMISSIONS[Role.SYSTEM] == frozenset()


def test_administrators_forget_but_never_read_personal_data() -> None:
    admin = DEFAULT_ROLE_PERMISSIONS[Role.ADMINISTRATOR]
    assert P.FORGET_RESIDENT in admin
    assert P.READ_PERSONAL_DATA not in admin


def test_a_new_model_version_is_a_new_policy_text(clock: ManualClock) -> None:
    v2 = PermissionModel(
        version=2, policy_text=DEFAULT_POLICY_TEXT + "\np, party_household, issue.triage\n"
    )
    assert v2.allows(Role.PARTY_HOUSEHOLD, P.TRIAGE_ISSUE)
    assert not DEFAULT_PERMISSION_MODEL.allows(Role.PARTY_HOUSEHOLD, P.TRIAGE_ISSUE)

    class Deployment2(CoGov):
        role_permissions = v2.table

    for app_cls, allowed in ((CoGov, False), (Deployment2, True)):
        d = deploy(app_cls(clock=clock))
        household = d.grant("ph-1", Role.PARTY_HOUSEHOLD, d.village)
        issue_id = d.app.collect_issue(
            household,
            unit_id=d.group,
            channel=Channel.PARTY_HOUSEHOLD,
            raised_by=uuid4(),
            title="垃圾清运",
            description="垃圾三天没清",
        )
        if allowed:
            d.app.triage_issue(household, issue_id, scale=Scale.MINOR, category="环境")
            assert d.app.issue(issue_id).category == "环境"
        else:
            with pytest.raises(PermissionDeniedError) as caught:
                d.app.triage_issue(household, issue_id, scale=Scale.MINOR, category="环境")
            assert caught.value.rule == "permission.issue.triage"


def test_a_malformed_policy_line_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown policy line kind"):
        PermissionModel(version=9, policy_text="x, resident, evaluate").enforcer()
