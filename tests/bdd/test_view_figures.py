"""The figures policy owners quote (features/views): 三率 rolled up the unit tree, rankings
that leave out too small a sample, and overdue tasks on the task list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from pytest_bdd import given, parsers, scenarios, then, when

from cogov import Actor, Assignee, RankBy, RankingEntry, RateKind, Scale
from tests.bdd.conftest import World

scenarios("views/三率与清单.feature")

UNITS = "渡河村1组|渡河村|某镇|黄梅县"
ASSIGNEES = "县住建局|县民政局"


def _worker(world: World, name: str) -> tuple[Actor, Assignee]:
    found = [w for w in world.workers.values() if w[1].name == name]
    assert len(found) == 1, f"no 承办单位 named {name}"
    return found[0]


def _unit(world: World, name: str) -> UUID:
    return {
        "渡河村1组": world.group,
        "渡河村": world.village,
        "某镇": world.town,
        "黄梅县": world.county,
    }[name]


def _dispatch_urgent(world: World, assignee: str, title: str) -> UUID:
    issue = world.collect(Scale.URGENT, title=title)
    world.app.fast_track_issue(world.cadre, issue, reason="情况紧急，先行处置")
    world.app.dispatch_issue(world.cadre, issue, assignee=_worker(world, assignee)[1])
    return issue


@given(parsers.re(rf"渡河村1组收集了(?P<count>\d+)件急事，都派给(?P<assignee>{ASSIGNEES})"))
def urgent_matters_dispatched(world: World, count: str, assignee: str) -> None:
    issues = [_dispatch_urgent(world, assignee, f"急事{n}") for n in range(int(count))]
    world.others.update({f"急事{n}": issue for n, issue in enumerate(issues)})
    assert world.app.five_co_status(world.group).co_building.dispatched == int(count)


@given(parsers.re(rf"(?P<assignee>{ASSIGNEES})办结了其中(?P<count>\d+)件"))
def some_resolved(world: World, assignee: str, count: str) -> None:
    staff = _worker(world, assignee)[0]
    for n in range(int(count)):
        world.app.resolve_issue(staff, world.others[f"急事{n}"], summary="已处置完毕")


@given(
    parsers.re(
        rf"(?P<assignee>{ASSIGNEES})办结的事项收到(?P<count>\d+)个评价，"
        r"(?:其中(?P<satisfied>\d+)个满意|全部满意)"
    )
)
def rated_results(world: World, assignee: str, count: str, satisfied: str | None) -> None:
    """Ratings of 5 (满意) and 2 (不满意), at most three per result (three settle it)."""
    total = int(count)
    happy = total if satisfied is None else int(satisfied)
    scores = [5] * happy + [2] * (total - happy)
    staff = _worker(world, assignee)[0]
    residents = list(world.residents.values())
    for start in range(0, total, 3):
        issue = _dispatch_urgent(world, assignee, f"{assignee}办理的事项{start}")
        world.app.resolve_issue(staff, issue, summary="已处置完毕")
        world.app.publish_result(world.cadre, issue, summary="处置结果公开")
        for resident, score in zip(residents, scores[start : start + 3], strict=False):
            world.app.evaluate_issue(resident, issue, score=score)


@when("按满意率给承办单位排名")
def rank_assignees_by_satisfaction(world: World) -> None:
    world.result = world.attempt(
        lambda: world.app.ranking(world.county, rate=RateKind.SATISFACTION, by=RankBy.ASSIGNEE)
    )


def _entry(world: World, assignee: str) -> RankingEntry:
    world.succeeded()
    found = [e for e in world.result if e.name == assignee]
    assert len(found) == 1, world.result
    entry: RankingEntry = found[0]
    return entry


@then(
    parsers.re(
        rf"(?P<assignee>{ASSIGNEES})排第(?P<rank>\d+)名，满意率为(?P<rate>[\d.]+)，样本(?P<n>\d+)个"
    )
)
def ranked(world: World, assignee: str, rank: str, rate: str, n: str) -> None:
    entry = _entry(world, assignee)
    assert (entry.rank, entry.ranked, entry.sample) == (int(rank), True, int(n))
    assert entry.rate.value == Decimal(rate)


@then(
    parsers.re(rf"(?P<assignee>{ASSIGNEES})不参与排名，满意率为(?P<rate>[\d.]+)，样本(?P<n>\d+)个")
)
def not_ranked(world: World, assignee: str, rate: str, n: str) -> None:
    entry = _entry(world, assignee)
    assert (entry.rank, entry.ranked, entry.sample) == (None, False, int(n))
    assert entry.rate.value == Decimal(rate)
    assert world.result[-1] == entry  # the unranked are listed after the ranked


@then(
    parsers.re(
        rf"(?P<unit>{UNITS})的(?P<kind>解决率|响应率|满意率)为(?P<num>\d+)/(?P<den>\d+)，"
        r"即(?P<rate>[\d.]+)"
    )
)
def the_rate_is(world: World, unit: str, kind: str, num: str, den: str, rate: str) -> None:
    rates = world.app.rates(_unit(world, unit))
    figure = {"解决率": rates.resolution, "响应率": rates.response, "满意率": rates.satisfaction}[
        kind
    ]
    assert (figure.numerator, figure.denominator) == (int(num), int(den))
    assert figure.value == Decimal(rate)


@given(parsers.re(rf"一件急事已派给(?P<assignee>{ASSIGNEES})，24小时内办结"))
def one_urgent_matter(world: World, assignee: str) -> None:
    world.issue_id = _dispatch_urgent(world, assignee, "燃气管道泄漏")
    task = world.app.task_list(world.county).items[0]
    assert task.deadline - task.dispatched_at == timedelta(hours=24)


@then(parsers.re(r"任务清单上该任务已超期(?P<days>\d+)个工作日"))
def the_task_is_overdue(world: World, days: str) -> None:
    tasks = world.app.task_list(world.county, overdue_only=True).items
    assert [(t.issue_id, t.overdue, t.days_overdue) for t in tasks] == [
        (world.issue, True, int(days))
    ]


@then(
    parsers.re(
        rf"(?P<assignee>{ASSIGNEES})的责任清单上有(?P<owned>\d+)件任务、(?P<overdue>\d+)件超期"
    )
)
def the_responsibility_list_shows(world: World, assignee: str, owned: str, overdue: str) -> None:
    rows = world.app.responsibility_list(world.county).items
    mine = [r for r in rows if r.assignee_name == assignee]
    assert [(r.owned, r.overdue) for r in mine] == [(int(owned), int(overdue))]
