"""``cogov units | status | lists | rates``: the everyday views as tables (or JSON)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.tree import Tree

from cogov.app.records import UnitRecord
from cogov.application import CoGov
from cogov.cli.common import (
    DEFAULT_DB,
    AsOfOption,
    DbOption,
    Exit,
    JsonOption,
    console,
    fail,
    open_store,
    print_json,
)
from cogov.report.directory import UnitDirectory, unit_directory
from cogov.views.models import (
    FiveCoStatus,
    ProblemItem,
    Rate,
    ResponsibilityItem,
    TaskItem,
    ThreeRates,
)

__all__ = [
    "five_co_table",
    "lists_command",
    "rates_command",
    "rates_table",
    "register",
    "status_command",
    "units_command",
]

BEIJING = ZoneInfo("Asia/Shanghai")

UnitArg = Annotated[
    str | None,
    typer.Argument(
        help="A governance unit by name (渡河村), path (黄梅县/小池镇/渡河村) or id; "
        "default: every top unit.",
        show_default=False,
    ),
]
MonthOption = Annotated[
    str | None, typer.Option("--month", help="Only this month, YYYY-MM (Beijing time).")
]


class ListChoice(StrEnum):
    ALL = "all"
    PROBLEM = "problem"
    TASK = "task"
    RESPONSIBILITY = "responsibility"


class RatesBy(StrEnum):
    UNIT = "unit"
    ASSIGNEE = "assignee"


def pct(rate: Rate) -> str:
    value = rate.value
    return "–" if value is None else f"{value * 100:.1f}% ({rate.numerator}/{rate.denominator})"


def _local(moment: datetime | None) -> str:
    return "–" if moment is None else moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def load_directory(app: CoGov, *, as_json: bool) -> UnitDirectory:
    directory = unit_directory(app)
    if not directory.units:
        fail(
            "the store is empty: no governance units yet (run `cogov demo` or `cogov import`)",
            Exit.NOT_FOUND,
            rule="store.empty",
            as_json=as_json,
        )
    app.views.catch_up()
    return directory


def selected(directory: UnitDirectory, unit: str | None) -> list[UnitRecord]:
    return directory.roots() if unit is None else [directory.find(unit)]


# -- units --------------------------------------------------------------------------------------
def units_command(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List the governance units (治理单元) as a tree.

    Example:

        cogov units --db sqlite:///cogov-demo.db
    """
    with open_store(db, as_json=as_json) as app:
        directory = load_directory(app, as_json=as_json)
        if as_json:
            print_json(
                [{**u.model_dump(mode="json"), "path": directory.path(u)} for u in directory.units]
            )
            return
        for root in directory.roots():
            tree = Tree(f"[bold]{root.name}[/bold] [dim]{root.level.label_zh}[/dim]")
            _grow(tree, directory, root)
            console.print(tree)


def _grow(node: Tree, directory: UnitDirectory, unit: UnitRecord) -> None:
    for child in directory.children(unit.id):
        households = f" · {child.households}户" if child.households else ""
        branch = node.add(f"{child.name} [dim]{child.level.label_zh}{households}[/dim]")
        _grow(branch, directory, child)


# -- status --------------------------------------------------------------------------------------
def five_co_table(title: str, rows: Sequence[tuple[str, FiveCoStatus]]) -> Table:
    """五共 in one table, narrow enough for a terminal; --json carries every field."""
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption="收集 collected · 决定 decided (共谋) · 派单 dispatched, 项目 projects, "
        "捐资 money, 奖补 以奖代补 (共建) · 巡查 inspections, 逾期 overdue (共管) · "
        "满意 satisfaction (共评) · 受益户 households (共享)",
        caption_justify="left",
    )
    table.add_column("单位", no_wrap=True)
    for column in (
        "收集",
        "决定",
        "派单",
        "项目",
        "捐资¥",
        "奖补¥",
        "巡查",
        "逾期",
        "满意",
        "受益户",
    ):
        table.add_column(column, justify="right")
    for name, f in rows:
        satisfaction = f.co_evaluating.satisfaction.value
        table.add_row(
            name,
            str(f.co_planning.collected),
            str(f.co_planning.deliberated + f.co_planning.fast_tracked),
            str(f.co_building.dispatched),
            str(f.co_building.projects),
            f"{f.co_building.money_received:,.0f}",
            f"{f.co_building.rewards:,.0f}",
            str(f.co_managing.inspections),
            str(f.co_managing.overdue),
            "–" if satisfaction is None else f"{satisfaction * 100:.0f}%",
            f"{f.co_sharing.households_benefiting:,}",
        )
    return table


def status_command(
    unit: UnitArg = None,
    db: DbOption = DEFAULT_DB,
    month: MonthOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """五共 status of a unit and the units directly under it.

    Co-planning, co-building, co-managing, co-evaluating and co-sharing (决策共谋、发展共建、
    建设共管、效果共评、成果共享), each unit rolled up with everything under it.

    Examples:

        cogov status                          # every top unit
        cogov status 黄梅县                    # a county and its townships
        cogov status 黄梅县/小池镇/渡河村 --month 2026-02 --json
    """
    with open_store(db, as_json=as_json, as_of=as_of) as app:
        directory = load_directory(app, as_json=as_json)
        units = selected(directory, unit)
        rows: list[tuple[str, FiveCoStatus]] = []
        for u in units:
            rows.append((u.name, app.five_co_status(u.id, month)))
            if unit is not None:
                rows.extend(
                    (f"└ {c.name}", app.five_co_status(c.id, month))
                    for c in directory.children(u.id)
                )
        if as_json:
            print_json(
                [{"unit": name.strip(" └"), **f.model_dump(mode="json")} for name, f in rows]
            )
            return
        when = f" · {month}" if month else ""
        console.print(five_co_table(f"五共 status{when} (as of {_local(app.clock.now())})", rows))


# -- lists --------------------------------------------------------------------------------------
def lists_command(
    unit: UnitArg = None,
    db: DbOption = DEFAULT_DB,
    kind: Annotated[
        ListChoice, typer.Option("--kind", help="Which of the three lists (三张清单).")
    ] = ListChoice.ALL,
    month: MonthOption = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Tasks: only overdue ones.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="Rows per list.")] = 15,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """三张清单: the problem, task and responsibility lists.

    The problem list holds open matters (oldest first), the task list dispatched orders by
    deadline (working days left, or overdue), the responsibility list each assignee's load.

    Examples:

        cogov lists 济源示范区 --kind task --overdue
        cogov lists 渡河村 --json
    """
    with open_store(db, as_json=as_json, as_of=as_of) as app:
        directory = load_directory(app, as_json=as_json)
        units = selected(directory, unit)
        want = {kind} if kind is not ListChoice.ALL else set(ListChoice) - {ListChoice.ALL}
        problems: list[Any] = []
        tasks: list[Any] = []
        loads: list[Any] = []
        for u in units:
            if ListChoice.PROBLEM in want:
                problems += app.problem_list(u.id, month=month, limit=limit).items
            if ListChoice.TASK in want:
                tasks += app.task_list(u.id, month=month, overdue_only=overdue, limit=limit).items
            if ListChoice.RESPONSIBILITY in want:
                load = app.responsibility_list(u.id, month=month, limit=limit).items
                if unit is None and len(units) > 1:  # a department works in every county
                    load = [
                        r.model_copy(update={"assignee_name": f"{u.name}·{r.assignee_name}"})
                        for r in load
                    ]
                loads += load
        problems = sorted(problems, key=lambda p: p.collected_at)[:limit]
        tasks = sorted(tasks, key=lambda t: t.deadline)[:limit]
        loads = sorted(loads, key=lambda r: (-r.overdue, -r.owned))[:limit]
        if as_json:
            found: dict[str, Any] = {}
            if ListChoice.PROBLEM in want:
                found["problems"] = [p.model_dump(mode="json") for p in problems]
            if ListChoice.TASK in want:
                found["tasks"] = [t.model_dump(mode="json") for t in tasks]
            if ListChoice.RESPONSIBILITY in want:
                found["responsibilities"] = [r.model_dump(mode="json") for r in loads]
            print_json(found)
            return
        if ListChoice.PROBLEM in want:
            console.print(problem_table(problems))
        if ListChoice.TASK in want:
            console.print(task_table(tasks, overdue_only=overdue))
        if ListChoice.RESPONSIBILITY in want:
            console.print(responsibility_table(loads))


def problem_table(problems: Sequence[ProblemItem]) -> Table:
    table = Table(title="问题清单 problem list (open, oldest first)", title_justify="left")
    for c in ("收集 collected", "单位 unit", "事项 title", "状态 status", "分级", "承办"):
        table.add_column(c)
    for p in problems:
        table.add_row(
            _local(p.collected_at),
            p.unit_name,
            p.title,
            p.status,
            p.scale or "–",
            p.assignee_name or "–",
        )
    return table


def task_table(tasks: Sequence[TaskItem], *, overdue_only: bool) -> Table:
    title = "任务清单 task list" + (" — overdue only" if overdue_only else " (by deadline)")
    table = Table(title=title, title_justify="left")
    for c in ("期限 deadline", "事项 title", "承办 assignee", "状态", "剩余/逾期 工作日", "催办"):
        table.add_column(c)
    for t in tasks:
        left = (
            f"[red]逾期 {t.days_overdue}[/red]"
            if t.overdue
            else (f"剩 {t.days_left}" if t.days_left is not None else "–")
        )
        table.add_row(_local(t.deadline), t.title, t.assignee_name, t.state, left, str(t.chased))
    return table


def responsibility_table(loads: Sequence[ResponsibilityItem]) -> Table:
    table = Table(title="责任清单 responsibility list", title_justify="left")
    table.add_column("承办 assignee")
    table.add_column("类别 kind")
    for c in ("owned", "open", "done", "late", "returned", "overdue"):
        table.add_column(c, justify="right")
    for r in loads:
        table.add_row(
            r.assignee_name,
            r.assignee_kind,
            str(r.owned),
            str(r.open),
            str(r.done),
            str(r.done_late),
            str(r.returned),
            str(r.overdue),
        )
    return table


# -- rates --------------------------------------------------------------------------------------
def rates_table(title: str, rows: Sequence[ThreeRates]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("单位/承办 unit or assignee", no_wrap=True)
    for c in ("响应率 response", "解决率 resolution", "满意率 satisfaction"):
        table.add_column(c, justify="right")
    for r in rows:
        table.add_row(r.name, pct(r.response), pct(r.resolution), pct(r.satisfaction))
    return table


def rates_command(
    unit: UnitArg = None,
    db: DbOption = DEFAULT_DB,
    month: MonthOption = None,
    by: Annotated[
        RatesBy,
        typer.Option(
            "--by",
            help="unit: the unit and the units under it; assignee: "
            "departments, committees, councils, cadres.",
        ),
    ] = RatesBy.UNIT,
    as_json: JsonOption = False,
) -> None:
    """三率: response, resolution and satisfaction rates.

    The 12345 yardstick, each rate with its numerator and denominator, for a unit and the
    units under it, or per assignee (departments, committees, councils, cadres).

    Examples:

        cogov rates                       # every top unit
        cogov rates 黄梅县 --month 2026-09
        cogov rates 济源示范区 --by assignee --json
    """
    with open_store(db, as_json=as_json) as app:
        directory = load_directory(app, as_json=as_json)
        rows: list[ThreeRates] = []
        for u in selected(directory, unit):
            if by is RatesBy.ASSIGNEE:
                found = app.assignee_rates(u.id, month)
                if unit is None and len(directory.roots()) > 1:  # name the county too
                    found = [r.model_copy(update={"name": f"{u.name}·{r.name}"}) for r in found]
                rows += found
                continue
            rows.append(app.rates(u.id, month))
            if unit is not None:
                rows += [app.rates(c.id, month) for c in directory.children(u.id)]
        if as_json:
            print_json(rows)
            return
        when = f" · {month}" if month else ""
        console.print(rates_table(f"三率 three rates{when}", rows))


def register(app: typer.Typer) -> None:
    app.command("units")(units_command)
    app.command("status")(status_command)
    app.command("lists")(lists_command)
    app.command("rates")(rates_command)
