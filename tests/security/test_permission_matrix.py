"""The permission matrix: every role × command × (own unit, a unit in its subtree, another
unit), against an oracle written here by hand — not derived from the code under test.

Each case prepares fresh state (in trusted-caller mode, as the county's cadre or as the
actor under test where an object rule needs it: the chair, the assignee, the resident who
raised the matter), then runs the command as the granted actor with grants enforced. A case
is *allowed* when it is not refused with :class:`PermissionDeniedError`; any other refusal
fails the test (the preparation must leave only permission to decide).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from cogov import (
    Actor,
    AgendaTopic,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    CogovError,
    DepartureReason,
    ManualClock,
    MeetingKind,
    PermissionDeniedError,
    Role,
    Scale,
    UnitLevel,
)
from tests.security.support import Deployment, deploy

OWN, SUBTREE, OTHER = "own", "subtree", "other"
PLACES = (OWN, SUBTREE, OTHER)

ISSUE_CMDS = {
    "collect_issue",
    "triage_issue",
    "merge_issues",
    "fast_track_issue",
    "dispatch_issue",
    "resolve_issue",
    "return_issue",
    "escalate_issue",
    "chase_issue",
    "publish_result",
    "withdraw_issue",
    "reject_issue",
    "deliberate_issue",
}
MEETING_CMDS = {
    "schedule_meeting",
    "publish_agenda",
    "cancel_meeting",
    "convene_meeting",
    "record_vote",
}
RESIDENT_CMDS = {"register_resident", "depart_resident", "resident_contact"}

#: the oracle: which commands each role may run (in its own unit and, except residents,
#: the subtree below it); nobody may act in a unit outside their subtree.
ORACLE: dict[Role, set[str]] = {
    Role.RESIDENT: {"collect_issue", "evaluate_issue", "withdraw_issue"},
    Role.GRID_WORKER: {"collect_issue", "withdraw_issue", *RESIDENT_CMDS},
    Role.PARTY_HOUSEHOLD: {"collect_issue"},
    Role.COMMITTEE_MEMBER: ISSUE_CMDS | MEETING_CMDS | RESIDENT_CMDS,
    Role.REPRESENTATIVE: {"collect_issue", "convene_meeting", "record_vote"},
    Role.COUNCIL_MEMBER: {"resolve_issue", "return_issue", "convene_meeting", "record_vote"},
    Role.DEPARTMENT_STAFF: {"resolve_issue", "return_issue"},
    Role.AUDITOR: {"personal_data_accesses"},
    Role.ADMINISTRATOR: {
        "establish_unit",
        "grant_role",
        "forget_resident",
        "personal_data_accesses",
    },
    Role.SYSTEM: set(),
}
#: residents act where they live (and above), never in units below theirs
REACH: dict[Role, set[str]] = {r: {OWN, SUBTREE} for r in Role}
REACH[Role.RESIDENT] = {OWN}


def expected(role: Role, command: str, place: str) -> bool:
    return command in ORACLE[role] and place in REACH[role]


@dataclass
class Case:
    d: Deployment
    clock: ManualClock
    actor: Actor
    target: UUID

    @property
    def app(self) -> CoGov:
        return self.d.app

    def prep(self, run: Callable[[], object]) -> object:
        """Run preparation in trusted-caller mode (the object rules still apply)."""
        self.app.enforce_grants = False
        try:
            return run()
        finally:
            self.app.enforce_grants = True

    def issue(self, *, scale: Scale | None = None, raised_by: UUID | None = None) -> UUID:
        app, boss = self.app, self.d.boss

        def make() -> UUID:
            issue_id = app.collect_issue(
                boss,
                unit_id=self.target,
                channel=Channel.HOTLINE,
                raised_by=raised_by or uuid4(),
                title="村口路灯不亮",
                description="路灯坏了三天",
            )
            if scale is not None:
                app.triage_issue(boss, issue_id, scale=scale, category="公共设施")
            return issue_id

        return self.prep(make)  # type: ignore[return-value]

    def dispatched(self, assignee_id: str) -> UUID:
        issue_id = self.issue(scale=Scale.URGENT)
        assignee = Assignee(kind=AssigneeKind.DEPARTMENT, id=assignee_id, name="承办单位")

        def make() -> None:
            self.app.fast_track_issue(self.d.boss, issue_id, reason="漏水")
            self.app.dispatch_issue(self.d.boss, issue_id, assignee=assignee)

        self.prep(make)
        return issue_id

    def meeting(self, chair: str, *, agenda_issue: UUID | None = None, convene: bool) -> UUID:
        app = self.app

        def make() -> UUID:
            meeting_id = app.schedule_meeting(
                self.d.boss,
                unit_id=self.target,
                kind=MeetingKind.TWO_COMMITTEES,
                title="两委会议",
                roster_size=7,
                scheduled_for=self.clock.now() + timedelta(hours=2),
                chair_id=chair,
            )
            if convene:
                app.publish_agenda(
                    self.d.boss,
                    meeting_id,
                    topics=[AgendaTopic(topic="路灯", issue_id=agenda_issue)],
                )
                chair_actor = Actor(id=chair, role=Role.COMMITTEE_MEMBER, unit_id=self.d.county)
                app.convene_meeting(chair_actor, meeting_id, present=7)
            return meeting_id

        return self.prep(make)  # type: ignore[return-value]

    def resident_here(self) -> UUID:
        return UUID(self.prep(lambda: self.d.resident(self.target).id))  # type: ignore[arg-type]


def run_command(name: str, c: Case) -> object:
    app, a = c.app, c.actor
    if name == "collect_issue":
        return app.collect_issue(
            a,
            unit_id=c.target,
            channel=Channel.GRID_WORKER,
            raised_by=uuid4(),
            title="积水",
            description="雨后积水",
        )
    if name == "triage_issue":
        return app.triage_issue(a, c.issue(), scale=Scale.MINOR, category="排水")
    if name == "merge_issues":
        return app.merge_issues(a, c.issue(), into=c.issue())
    if name == "fast_track_issue":
        return app.fast_track_issue(a, c.issue(scale=Scale.URGENT), reason="燃气泄漏")
    if name == "dispatch_issue":
        issue_id = c.issue(scale=Scale.URGENT)
        c.prep(lambda: app.fast_track_issue(c.d.boss, issue_id, reason="燃气泄漏"))
        worker = Assignee(kind=AssigneeKind.DEPARTMENT, id="zhujian", name="住建")
        return app.dispatch_issue(a, issue_id, assignee=worker)
    if name == "resolve_issue":
        return app.resolve_issue(a, c.dispatched(a.id), summary="已修好")
    if name == "return_issue":
        return app.return_issue(a, c.dispatched(a.id), reason="不属于本部门")
    if name == "escalate_issue":
        return app.escalate_issue(a, c.issue(scale=Scale.MAJOR), reason="本级无法解决")
    if name == "chase_issue":
        issue_id = c.dispatched("zhujian")
        c.clock.advance(days=3)
        return app.chase_issue(a, issue_id)
    if name == "publish_result":
        issue_id = c.dispatched("boss")
        c.prep(lambda: app.resolve_issue(c.d.boss, issue_id, summary="已修好"))
        return app.publish_result(a, issue_id, summary="路灯已亮")
    if name == "evaluate_issue":
        issue_id = c.dispatched("boss")

        def publish() -> None:
            app.resolve_issue(c.d.boss, issue_id, summary="已修好")
            app.publish_result(c.d.boss, issue_id, summary="路灯已亮")

        c.prep(publish)
        return app.evaluate_issue(a, issue_id, score=5)
    if name == "withdraw_issue":
        raised_by = UUID(a.id) if a.role is Role.RESIDENT else None
        return app.withdraw_issue(a, c.issue(raised_by=raised_by), reason="已自行解决")
    if name == "reject_issue":
        return app.reject_issue(a, c.issue(), reason="不属于受理范围")
    if name == "deliberate_issue":
        issue_id = c.issue(scale=Scale.MINOR)
        meeting_id = c.meeting("boss", agenda_issue=issue_id, convene=True)
        c.prep(
            lambda: app.record_vote(c.d.boss, meeting_id, item_no=1, votes_for=7, votes_against=0)
        )
        return app.deliberate_issue(a, issue_id, meeting_id=meeting_id, item_no=1)
    if name == "schedule_meeting":
        return app.schedule_meeting(
            a,
            unit_id=c.target,
            kind=MeetingKind.TWO_COMMITTEES,
            title="两委会议",
            roster_size=7,
            scheduled_for=c.clock.now() + timedelta(days=1),
            chair_id=a.id,
        )
    if name == "publish_agenda":
        meeting_id = c.meeting("boss", convene=False)
        return app.publish_agenda(a, meeting_id, topics=[AgendaTopic(topic="路灯")])
    if name == "cancel_meeting":
        return app.cancel_meeting(a, c.meeting("boss", convene=False), reason="改期")
    if name == "convene_meeting":
        meeting_id = c.meeting(a.id, convene=False)
        c.prep(lambda: app.publish_agenda(c.d.boss, meeting_id, topics=[AgendaTopic(topic="路灯")]))
        return app.convene_meeting(a, meeting_id, present=6)
    if name == "record_vote":
        meeting_id = c.meeting(a.id, convene=True)
        return app.record_vote(a, meeting_id, item_no=1, votes_for=5, votes_against=1)
    if name == "establish_unit":
        level = UnitLevel.BUILDING if c.target == c.d.group else UnitLevel.GROUP
        return app.establish_unit(a, name="新单元", level=level, parent_id=c.target)
    if name == "grant_role":
        return app.grant_role(
            a, grantee_id=f"new-{uuid4()}", role=Role.GRID_WORKER, unit_id=c.target
        )
    if name == "register_resident":
        return app.register_resident(
            a, unit_id=c.target, name="赵六", phone="13600000000", address="某号", household="户9"
        )
    if name == "depart_resident":
        return app.depart_resident(a, c.resident_here(), reason=DepartureReason.MOVED_OUT)
    if name == "resident_contact":
        return app.resident_contact(a, c.resident_here(), purpose="回访")
    if name == "forget_resident":
        return app.forget_resident(a, c.resident_here())
    if name == "personal_data_accesses":
        return app.personal_data_accesses(a, c.resident_here())
    raise AssertionError(f"no such command {name}")


COMMANDS = sorted(
    {c for cmds in ORACLE.values() for c in cmds} | ISSUE_CMDS | MEETING_CMDS | RESIDENT_CMDS
)


@pytest.fixture(scope="module")
def matrix() -> dict[tuple[Role, str, str], tuple[bool, bool, str]]:
    """(role, command, place) → (expected allowed, actually allowed, refusal rule)."""
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    app = CoGov(clock=clock)
    d = deploy(app)
    actors: dict[Role, Actor] = {}
    for role in Role:
        if role is Role.RESIDENT:
            actors[role] = d.resident(d.village)
        elif role is Role.SYSTEM:
            actors[role] = Actor(id="cogov", role=role, unit_id=d.village)
        else:
            actors[role] = d.grant(f"{role}-1", role, d.village)
    places = {OWN: d.village, SUBTREE: d.group, OTHER: d.other}
    results: dict[tuple[Role, str, str], tuple[bool, bool, str]] = {}
    for role, actor in actors.items():
        for command in COMMANDS:
            for place in PLACES:
                case = Case(d, clock, actor, places[place])
                try:
                    run_command(command, case)
                except PermissionDeniedError as denied:
                    results[role, command, place] = (
                        expected(role, command, place),
                        False,
                        denied.rule,
                    )
                except CogovError as other:
                    raise AssertionError(
                        f"{role} {command} {place}: refused for another reason: {other}"
                    ) from other
                else:
                    results[role, command, place] = (expected(role, command, place), True, "")
    app.close()
    return results


def test_the_matrix_has_no_false_allows_and_no_false_denials(
    matrix: dict[tuple[Role, str, str], tuple[bool, bool, str]],
) -> None:
    false_allows = [k for k, (want, got, _) in matrix.items() if got and not want]
    false_denials = [k for k, (want, got, _) in matrix.items() if want and not got]
    allowed = sum(1 for _, got, _ in matrix.values() if got)
    print(
        f"\npermission matrix: {len(matrix)} cases ({len(Role)} roles × {len(COMMANDS)} commands "
        f"× {len(PLACES)} places), {allowed} allowed, {len(matrix) - allowed} denied, "
        f"false allows {len(false_allows)}, false denials {len(false_denials)}"
    )
    assert false_allows == []
    assert false_denials == []
    assert len(matrix) == len(Role) * len(COMMANDS) * len(PLACES)


def test_every_denial_outside_the_subtree_names_the_scope_rule(
    matrix: dict[tuple[Role, str, str], tuple[bool, bool, str]],
) -> None:
    for (role, command, place), (_, got, rule) in matrix.items():
        if place == OTHER and command in ORACLE[role] and role is not Role.RESIDENT:
            assert not got
            assert rule.endswith(".scope"), (role, command, rule)


def test_every_denial_for_a_missing_permission_names_the_permission(
    matrix: dict[tuple[Role, str, str], tuple[bool, bool, str]],
) -> None:
    for (role, command, _), (_, got, rule) in matrix.items():
        if command not in ORACLE[role]:
            assert not got
            assert rule.startswith("permission."), (role, command, rule)
            assert not rule.endswith(".scope"), (role, command, rule)


def test_every_allowed_command_is_denied_to_an_actor_claiming_the_role_without_a_grant(
    clock: ManualClock,
) -> None:
    app = CoGov(clock=clock)
    d = deploy(app)
    cases = denied = 0
    for role, commands in ORACLE.items():
        if role is Role.SYSTEM:
            continue
        actor_id = str(uuid4()) if role is Role.RESIDENT else f"impostor-{role}"
        impostor = Actor(id=actor_id, role=role, unit_id=d.village)
        for command in sorted(commands):
            cases += 1
            with pytest.raises(PermissionDeniedError) as caught:
                run_command(command, Case(d, clock, impostor, d.village))
            assert caught.value.rule == "permission.grant", (role, command, caught.value)
            denied += 1
    print(f"\nungranted claims: {cases} cases, {denied} denied (rule permission.grant)")
    assert cases == denied == sum(len(c) for r, c in ORACLE.items() if r is not Role.SYSTEM)
