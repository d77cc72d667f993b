"""The permission and personal-information rules as policy owners read them
(features/权限与个人信息): granted roles and their reach, who resolves, who records votes,
who rates, and residents' personal information — sealed, read with a trace, forgotten."""

from __future__ import annotations

from uuid import UUID

from pytest_bdd import given, parsers, scenarios, then, when

from cogov import (
    Actor,
    Channel,
    DepartureReason,
    ErasureBasis,
    IssueStatus,
    MeetingKind,
    ResidentStatus,
    Role,
    Scale,
    UnitLevel,
)
from cogov.domain.base import project
from tests.bdd.conftest import World

scenarios(
    "权限与个人信息/角色与授权.feature",
    "权限与个人信息/办结与表决.feature",
    "权限与个人信息/居民评价资格.feature",
    "权限与个人信息/个人信息保护.feature",
)

OTHER_VILLAGE = "白羊社区"


def resident_id(world: World, name: str) -> UUID:
    return UUID(world.residents[name].id)


def unit_named(world: World, name: str) -> UUID:
    return world.group if name == "渡河村1组" else world.others[OTHER_VILLAGE]


def collect_as(world: World, actor: Actor, unit_id: UUID) -> None:
    issue_id = world.attempt(
        lambda: world.app.collect_issue(
            actor,
            unit_id=unit_id,
            channel=Channel.GRID_WORKER,
            raised_by=resident_id(world, "居民甲"),
            title="楼道灯不亮",
            description="居民甲反映：三楼楼道灯坏了",
        )
    )
    if issue_id is not None:
        world.issue_id = issue_id


def outsider(world: World) -> Actor:
    """A resident registered in 白羊社区 (by the county's cadre, whose grant covers it)."""
    registered = world.app.register_resident(
        world.county_cadre,
        unit_id=world.others[OTHER_VILLAGE],
        name="外村居民",
        phone="13900000009",
        address="白羊社区2栋",
        household="户9",
    )
    return Actor(id=str(registered), role=Role.RESIDENT, unit_id=world.others[OTHER_VILLAGE])


# -- 角色与授权 --------------------------------------------------------------------------------
@given("邻村白羊社区已建立")
def the_neighbouring_village(world: World) -> None:
    world.others[OTHER_VILLAGE] = world.app.establish_unit(
        world.admin, name=OTHER_VILLAGE, level=UnitLevel.VILLAGE, parent_id=world.town
    )


@when(parsers.re(r"网格员在(?P<unit>渡河村1组|白羊社区)收集一条民情"))
def the_grid_worker_collects(world: World, unit: str) -> None:
    collect_as(world, world.grid_worker, unit_named(world, unit))


@when("未被授予网格员角色的人以网格员身份在渡河村1组收集一条民情")
def an_impostor_collects(world: World) -> None:
    impostor = Actor(id="gw-fake", role=Role.GRID_WORKER, unit_id=world.village)
    collect_as(world, impostor, world.group)


@given("网格员在渡河村的角色已被撤销")
def the_grid_workers_role_is_revoked(world: World) -> None:
    world.app.revoke_role(
        world.admin,
        grantee_id=world.grid_worker.id,
        role=Role.GRID_WORKER,
        unit_id=world.village,
        reason="调离本村",
    )
    assert world.app.roles_of(world.grid_worker.id) == []


@then("民情已记入渡河村1组")
def the_concern_is_recorded_in_the_group(world: World) -> None:
    world.succeeded()
    record = world.app.issue(world.issue)
    assert (record.unit_id, record.status) == (world.group, IssueStatus.COLLECTED)
    assert record.raised_by == resident_id(world, "居民甲")


# -- 办结与表决 --------------------------------------------------------------------------------
@given("一件急事已先行快办并派单给住建部门")
def an_urgent_matter_dispatched(world: World) -> None:
    world.issue_id = world.collect(Scale.URGENT)
    world.app.fast_track_issue(world.cadre, world.issue, reason="燃气泄漏，先行处置")
    world.app.dispatch_issue(world.cadre, world.issue, assignee=world.workers["住建部门"][1])


@when(parsers.re(r"(?P<worker>住建部门|民政部门)报告该事项已办结"))
def a_worker_resolves(world: World, worker: str) -> None:
    actor = world.workers[worker][0]
    world.attempt(lambda: world.app.resolve_issue(actor, world.issue, summary="已更换燃气管道"))


@given("渡河村两委会议已召开，由两委委员sec-1主持")
def a_convened_meeting(world: World) -> None:
    world.meeting_id = world.hold(MeetingKind.TWO_COMMITTEES, issue_id=None)
    assert world.app.meeting(world.meeting).chair_id == world.cadre.id == "sec-1"


@when(
    parsers.re(
        r"(?P<who>主持人|另一名两委委员)登记第1项表决结果：(?P<yes>\d+)票赞成、(?P<no>\d+)票反对"
    )
)
def someone_records_the_vote(world: World, who: str, yes: str, no: str) -> None:
    actor = world.cadre if who == "主持人" else world.other_cadre
    world.attempt(
        lambda: world.app.record_vote(
            actor, world.meeting, item_no=1, votes_for=int(yes), votes_against=int(no)
        )
    )


@then("第1项议题获得通过")
def item_one_is_adopted(world: World) -> None:
    world.succeeded()
    outcome = world.app.meeting(world.meeting).outcomes[1]
    assert (outcome.adopted, outcome.votes_for, outcome.votes_against) == (True, 6, 1)


# -- 居民评价资格 ------------------------------------------------------------------------------
@given("渡河村1组一件小事的办理结果已公开")
def a_published_minor_matter(world: World) -> None:
    world.issue_id = world.collect(Scale.MINOR)
    world.decide(world.issue)
    actor, assignee = world.workers["住建部门"]
    world.app.dispatch_issue(world.cadre, world.issue, assignee=assignee)
    world.app.resolve_issue(actor, world.issue, summary="路灯已修复")
    world.app.publish_result(world.cadre, world.issue, summary="村口路灯已亮")
    assert world.app.issue(world.issue).status is IssueStatus.PUBLISHED


@when(parsers.re(r"渡河村1组的居民评价(?P<score>\d+)分"))
def a_resident_of_the_group_rates(world: World, score: str) -> None:
    resident = world.residents["居民甲"]
    world.attempt(lambda: world.app.evaluate_issue(resident, world.issue, score=int(score)))


@when(parsers.re(r"白羊社区的居民评价(?P<score>\d+)分"))
def a_resident_of_another_village_rates(world: World, score: str) -> None:
    resident = outsider(world)
    world.attempt(lambda: world.app.evaluate_issue(resident, world.issue, score=int(score)))


@when(parsers.re(r"白羊社区的居民冒称渡河村1组居民评价(?P<score>\d+)分"))
def an_outsider_claims_to_live_in_the_group(world: World, score: str) -> None:
    claim = Actor(id=outsider(world).id, role=Role.RESIDENT, unit_id=world.group)
    world.attempt(lambda: world.app.evaluate_issue(claim, world.issue, score=int(score)))


@then(parsers.parse("评价已记录，该事项收到{count:d}个评价"))
def the_rating_is_recorded(world: World, count: int) -> None:
    world.succeeded()
    ratings = world.app.issue(world.issue).ratings
    assert len(ratings) == count
    assert ratings[world.residents["居民甲"].id] == 5


# -- 个人信息保护 ------------------------------------------------------------------------------
@when(parsers.re(r'网格员因"(?P<purpose>[^"]+)"查看(?P<name>居民[甲乙丙丁])的联系方式'))
def the_grid_worker_reads_a_contact(world: World, purpose: str, name: str) -> None:
    world.attempt(
        lambda: world.app.resident_contact(
            world.grid_worker, resident_id(world, name), purpose=purpose
        )
    )


@then(parsers.re(r'看到的姓名为"(?P<name>[^"]+)"、电话为"(?P<phone>[^"]+)"'))
def the_contact_reads(world: World, name: str, phone: str) -> None:
    world.succeeded()
    assert (world.result.name, world.result.phone) == (name, phone)
    assert world.result.redacted is False


@then(
    parsers.re(
        r'查阅记录记下网格员(?P<actor_id>\S+)因"(?P<purpose>[^"]+)"查看了(?P<name>居民[甲乙丙丁])的个人信息'
    )
)
def the_read_is_in_the_access_log(world: World, actor_id: str, purpose: str, name: str) -> None:
    auditor = world.app.grant_role(
        world.admin, grantee_id="auditor-1", role=Role.AUDITOR, unit_id=world.county
    )
    (entry,) = world.app.personal_data_accesses(auditor, resident_id(world, name))
    assert (entry.actor_id, entry.actor_role, entry.purpose) == (actor_id, "grid_worker", purpose)
    assert entry.at == world.clock.now()


@given(parsers.re(r"(?P<name>居民[甲乙丙丁])反映过一件小事"))
def a_resident_raised_a_matter(world: World, name: str) -> None:
    world.issue_id = world.collect(Scale.MINOR, resident=name)


@when(parsers.re(r"管理员应(?P<name>居民[甲乙丙丁])本人请求删除其个人信息"))
def the_administrator_forgets(world: World, name: str) -> None:
    world.attempt(
        lambda: world.app.forget_resident(
            world.admin, resident_id(world, name), basis=ErasureBasis.REQUEST
        )
    )


@then(
    parsers.re(
        r'网格员查看(?P<name>居民[甲乙丙丁])的联系方式时，姓名、电话、住址、户号均显示为"(?P<text>[^"]+)"'
    )
)
def every_field_reads_redacted(world: World, name: str, text: str) -> None:
    world.succeeded()
    contact = world.app.resident_contact(
        world.grid_worker, resident_id(world, name), purpose="核对"
    )
    assert [contact.name, contact.phone, contact.address, contact.household] == [text] * 4
    assert contact.redacted is True


@then(parsers.re(r"(?P<name>居民[甲乙丙丁])反映过的事项仍可查看，反映人仍为\S+的匿名编号"))
def the_matter_still_reads(world: World, name: str) -> None:
    record = world.app.issue(world.issue)
    assert record.raised_by == resident_id(world, name)
    assert record.status is IssueStatus.TRIAGED


@then(parsers.re(r"(?P<name>居民[甲乙丙丁])的全部事件仍可回放"))
def the_residents_history_replays(world: World, name: str) -> None:
    history = world.app.history(resident_id(world, name))
    assert [type(e).__name__ for e in history] == ["Registered", "Forgotten"]
    replayed = project(None, history)
    assert replayed is not None
    assert replayed.status is ResidentStatus.FORGOTTEN  # type: ignore[attr-defined]


@given(parsers.re(r"(?P<name>居民[甲乙丙丁])已迁出"))
def a_resident_departed(world: World, name: str) -> None:
    world.app.depart_resident(
        world.cadre, resident_id(world, name), reason=DepartureReason.MOVED_OUT
    )


@given(parsers.re(r"(?P<name>居民[甲乙丙丁])仍在册"))
def a_resident_stays(world: World, name: str) -> None:
    assert world.app.resident(resident_id(world, name)).status is ResidentStatus.REGISTERED


@when(parsers.parse("过了{days:d}天，管理员清理保存期满的个人信息"))
def the_retention_sweep_runs(world: World, days: int) -> None:
    world.clock.advance(days=days)
    world.attempt(lambda: world.app.shred_expired_personal_data(world.admin))


@then(parsers.re(r'(?P<name>居民[甲乙丙丁])的个人信息显示为"(?P<text>[^"]+)"'))
def the_residents_information_reads(world: World, name: str, text: str) -> None:
    world.succeeded()
    assert world.result == [resident_id(world, name)]
    contact = world.app.resident_contact(world.cadre, resident_id(world, name), purpose="核对")
    assert [contact.name, contact.phone, contact.address, contact.household] == [text] * 4


@then(parsers.re(r'(?P<name>居民[甲乙丙丁])的姓名仍为"(?P<expected>[^"]+)"'))
def the_residents_name_still_reads(world: World, name: str, expected: str) -> None:
    contact = world.app.resident_contact(world.cadre, resident_id(world, name), purpose="核对")
    assert contact.name == expected
