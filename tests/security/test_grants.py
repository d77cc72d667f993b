"""Grants are recorded facts: an actor acts only under a role it was really granted, on a
unit the grant covers; the first administrator is made once."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from cogov import (
    Actor,
    Channel,
    CoGov,
    ErasureBasis,
    ManualClock,
    PermissionDeniedError,
    Role,
    RoleGrant,
    RuleViolationError,
    UnitLevel,
)
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.security.grants import account_id
from tests.security.support import Deployment, deploy


@pytest.fixture
def d(clock: ManualClock) -> Deployment:
    return deploy(CoGov(clock=clock))


def collect(d: Deployment, actor: Actor, unit: object) -> object:
    return d.app.collect_issue(
        actor,
        unit_id=unit,
        channel=Channel.GRID_WORKER,
        raised_by=uuid4(),
        title="路灯不亮",
        description="村口路灯坏了三天",
    )


def refused(d: Deployment, call: object, rule: str) -> PermissionDeniedError:
    before = d.app.max_position()
    with pytest.raises(PermissionDeniedError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.rule == rule, caught.value
    assert d.app.max_position() == before
    return caught.value


def test_an_actor_claiming_a_role_never_granted_is_denied(d: Deployment) -> None:
    impostor = Actor(id="gw-x", role=Role.GRID_WORKER, unit_id=d.village)
    refused(d, lambda: collect(d, impostor, d.group), "permission.grant")


def test_a_granted_grid_worker_collects_in_the_subtree_of_their_grid(d: Deployment) -> None:
    grid = d.grant("gw-1", Role.GRID_WORKER, d.village)
    issue_id = collect(d, grid, d.group)
    assert d.app.issue(issue_id).unit_id == d.group  # type: ignore[arg-type]


def test_claiming_the_granted_role_in_another_unit_is_denied(d: Deployment) -> None:
    d.grant("gw-1", Role.GRID_WORKER, d.village)
    elsewhere = Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=d.other)
    refused(d, lambda: collect(d, elsewhere, d.other), "permission.grant")


def test_claiming_another_role_than_the_granted_one_is_denied(d: Deployment) -> None:
    d.grant("gw-1", Role.GRID_WORKER, d.village)
    promoted = Actor(id="gw-1", role=Role.COMMITTEE_MEMBER, unit_id=d.village)
    refused(d, lambda: collect(d, promoted, d.group), "permission.grant")


def test_a_grant_on_a_unit_lets_the_actor_act_as_of_a_unit_below_it(d: Deployment) -> None:
    d.grant("gw-1", Role.GRID_WORKER, d.village)
    narrower = Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=d.group)
    issue_id = collect(d, narrower, d.group)
    assert d.app.issue(issue_id).unit_id == d.group  # type: ignore[arg-type]


def test_a_revoked_grant_no_longer_lets_the_actor_act(d: Deployment) -> None:
    grid = d.grant("gw-1", Role.GRID_WORKER, d.village)
    d.app.revoke_role(
        d.admin, grantee_id="gw-1", role=Role.GRID_WORKER, unit_id=d.village, reason="调岗"
    )
    assert d.app.roles_of("gw-1") == []
    refused(d, lambda: collect(d, grid, d.group), "permission.grant")
    names = [type(e).__name__ for e in d.app.history(account_id("gw-1"))]
    assert names == ["Opened", "RoleGranted", "RoleRevoked"]


def test_grants_are_listed_per_actor(d: Deployment) -> None:
    d.grant("gw-1", Role.GRID_WORKER, d.village)
    d.grant("gw-1", Role.PARTY_HOUSEHOLD, d.group)
    assert d.app.roles_of("gw-1") == sorted(
        [
            RoleGrant(role=Role.GRID_WORKER, unit_id=d.village),
            RoleGrant(role=Role.PARTY_HOUSEHOLD, unit_id=d.group),
        ],
        key=lambda g: str((g.role, g.unit_id)),
    )


def test_only_an_administrator_covering_the_unit_grants_roles(d: Deployment) -> None:
    cadre = d.grant("sec-1", Role.COMMITTEE_MEMBER, d.village)
    refused(
        d,
        lambda: d.app.grant_role(cadre, grantee_id="x", role=Role.GRID_WORKER, unit_id=d.group),
        "permission.role.grant",
    )
    village_admin = d.grant("va", Role.ADMINISTRATOR, d.village)
    refused(
        d,
        lambda: d.app.grant_role(
            village_admin, grantee_id="x", role=Role.GRID_WORKER, unit_id=d.other
        ),
        "permission.role.grant.scope",
    )
    refused(
        d,
        lambda: d.app.grant_role(
            village_admin, grantee_id="x", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT
        ),
        "permission.role.grant.scope",
    )


def test_the_system_role_is_never_granted(d: Deployment) -> None:
    with pytest.raises(RuleViolationError) as caught:
        d.app.grant_role(d.admin, grantee_id="x", role=Role.SYSTEM, unit_id=d.county)
    assert caught.value.rule == "grant.role.system"


def test_the_first_administrator_is_bootstrapped_only_once(clock: ManualClock) -> None:
    app = CoGov(clock=clock)
    admin = app.bootstrap_administrator("root")
    assert admin == Actor(id="root", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)
    before = app.max_position()
    with pytest.raises(RuleViolationError) as caught:
        app.bootstrap_administrator("intruder")
    assert caught.value.rule == "grant.bootstrap.once"
    assert app.max_position() == before
    assert app.roles_of("intruder") == []


def test_bootstrap_is_refused_once_roles_were_granted_in_trusted_mode(clock: ManualClock) -> None:
    app = CoGov(clock=clock, enforce_grants=False)
    admin = Actor(id="host-admin", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)
    county = app.establish_unit(admin, name="县", level=UnitLevel.COUNTY)
    app.grant_role(admin, grantee_id="gw", role=Role.GRID_WORKER, unit_id=county)
    with pytest.raises(RuleViolationError) as caught:
        app.bootstrap_administrator("late")
    assert caught.value.rule == "grant.bootstrap.once"


def test_an_administrator_cannot_revoke_the_grant_they_act_under(d: Deployment) -> None:
    with pytest.raises(RuleViolationError) as caught:
        d.app.revoke_role(
            d.admin,
            grantee_id="admin",
            role=Role.ADMINISTRATOR,
            unit_id=WHOLE_DEPLOYMENT,
            reason="误操作",
        )
    assert caught.value.rule == "grant.revoke.self"


def test_a_resident_acts_only_as_registered_in_their_own_unit(d: Deployment) -> None:
    resident = d.resident(d.group)
    assert collect(d, resident, d.group)
    moved = Actor(id=resident.id, role=Role.RESIDENT, unit_id=d.other)
    refused(d, lambda: collect(d, moved, d.other), "permission.grant")
    stranger = Actor(id=str(uuid4()), role=Role.RESIDENT, unit_id=d.group)
    refused(d, lambda: collect(d, stranger, d.group), "permission.grant")
    not_a_uuid = Actor(id="张三", role=Role.RESIDENT, unit_id=d.group)
    refused(d, lambda: collect(d, not_a_uuid, d.group), "permission.grant")


def test_a_forgotten_resident_can_no_longer_act(d: Deployment) -> None:
    resident = d.resident(d.group)
    d.app.forget_resident(d.admin, UUID(resident.id), basis=ErasureBasis.REQUEST)
    refused(d, lambda: collect(d, resident, d.group), "permission.grant")


def test_the_system_role_cannot_be_claimed_by_a_caller(d: Deployment) -> None:
    system = Actor(id="cogov", role=Role.SYSTEM, unit_id=WHOLE_DEPLOYMENT)
    refused(d, lambda: collect(d, system, d.group), "permission.issue.collect")


def test_trusted_caller_mode_skips_grants_but_keeps_the_table_and_the_scope(
    clock: ManualClock,
) -> None:
    app = CoGov(clock=clock, enforce_grants=False)
    admin = Actor(id="host-admin", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)
    county = app.establish_unit(admin, name="县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    other = app.establish_unit(admin, name="乡", level=UnitLevel.TOWNSHIP, parent_id=county)
    grid = Actor(id="never-granted", role=Role.GRID_WORKER, unit_id=town)
    d = Deployment(app, admin, admin, county, town, town, town, other)
    assert collect(d, grid, town)
    refused(d, lambda: collect(d, grid, other), "permission.issue.collect.scope")
    auditor = Actor(id="never-granted", role=Role.AUDITOR, unit_id=town)
    refused(d, lambda: collect(d, auditor, town), "permission.issue.collect")
