"""The steps most stories take round a meeting: a concern raised and triaged, a project
decided on a meeting's adopted item, and its monthly progress reports (每月报告)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from cogov.application import CoGov
from cogov.demo.district import District, Village
from cogov.demo.loop import month_of
from cogov.domain.values import Actor, Channel, Scale

__all__ = ["decide_project", "raise_issue", "report_month"]


def raise_issue(
    app: CoGov,
    district: District,
    village: Village,
    group_id: UUID,
    *,
    channel: Channel,
    title: str,
    description: str,
    scale: Scale,
    category: str,
    raiser: int = 0,
    collector: Actor | None = None,
) -> UUID:
    """民情收集 and 分级: the ``raiser``-th resident of the group raises a concern, the
    ``collector`` (default: the village's grid worker) records it and the village cadre
    triages it. Returns the issue id."""
    issue_id = app.collect_issue(
        collector or village.grid_worker,
        unit_id=group_id,
        channel=channel,
        raised_by=district.resident_id(group_id, raiser),
        title=title,
        description=description,
    )
    app.triage_issue(village.cadre, issue_id, scale=scale, category=category)
    return issue_id


def decide_project(
    app: CoGov,
    cadre: Actor,
    *,
    unit_id: UUID,
    issue_id: UUID,
    meeting_id: UUID,
    title: str,
    budget: Decimal | int,
    description: str | None = None,
    scale: Scale = Scale.MAJOR,
    item_no: int = 1,
) -> UUID:
    """决策共谋: the cadre proposes a project solving the issue and approves it on the
    meeting's adopted item. Returns the project id."""
    project_id = app.propose_project(
        cadre,
        unit_id=unit_id,
        title=title,
        budget=Decimal(budget),
        issue_ids=[issue_id],
        description=description,
        scale=scale,
    )
    app.approve_project(cadre, project_id, meeting_id=meeting_id, item_no=item_no)
    return project_id


def report_month(
    app: CoGov,
    reporter: Actor,
    project_id: UUID,
    *,
    funds_used: Decimal | int,
    percent_done: int,
    note: str,
) -> str:
    """每月报告 for the current month on the demo clock. Returns the month reported."""
    month = month_of(app)
    app.report_progress(
        reporter,
        project_id,
        month=month,
        funds_used=Decimal(funds_used),
        percent_done=percent_done,
        note=note,
    )
    return month
