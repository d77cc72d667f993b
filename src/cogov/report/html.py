"""The district report: ONE self-contained HTML file (inline CSS and SVG, no script, no
network) with the charts and the tables behind them, in Chinese with English where useful.

>>> from cogov.report.html import render_report  # doctest: +SKIP
>>> path.write_text(render_report(collect_report(app)), encoding="utf-8")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from cogov.application import CoGov
from cogov.report.data import ReportData, Row, collect_report
from cogov.report.svg import (
    Bar,
    Funnel,
    HeatPanel,
    Series,
    bar_chart,
    funnel_grid,
    heatmap,
    line_chart,
)
from cogov.views.models import Rate, ThreeRates

__all__ = ["CHARTS", "render_report", "write_report"]

BEIJING = ZoneInfo("Asia/Shanghai")

#: every chart the report draws (the ``data-chart`` of its SVG)
CHARTS = (
    "funnel",
    "rates-township",
    "rates-department",
    "overdue",
    "contributions",
    "monthly",
)

_CSS = """
:root { --ink:#1f2933; --muted:#61707d; --line:#d9dee3; --brand:#9c2a2a; --bg:#fbfaf7; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font-family:'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei','PingFang SC',sans-serif;
  font-size:14px; line-height:1.5; }
header { background:linear-gradient(90deg,#8c1d1d,#b8452f); color:#fff; padding:22px 32px; }
header h1 { margin:0; font-size:26px; letter-spacing:1px; }
header p { margin:4px 0 0; opacity:.9; }
main { max-width:1180px; margin:0 auto; padding:18px 28px 40px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:16px 20px;
  margin:18px 0; }
h2 { margin:0 0 4px; font-size:19px; color:var(--brand); }
h2 small { color:var(--muted); font-weight:normal; font-size:13px; margin-left:6px; }
p.note { color:var(--muted); margin:2px 0 12px; font-size:12.5px; }
.kpis { display:grid; grid-template-columns:repeat(4,1fr); gap:12px; margin-top:16px; }
.kpi { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.kpi b { display:block; font-size:24px; color:var(--brand); }
.kpi span { color:var(--muted); font-size:12.5px; }
.chart-box { overflow-x:auto; margin:6px 0 10px; }
svg.chart { display:block; max-width:100%; height:auto; }
details { margin-top:6px; }
summary { cursor:pointer; color:var(--muted); }
table { border-collapse:collapse; width:100%; margin:8px 0; font-size:12.5px; }
th, td { border-bottom:1px solid var(--line); padding:4px 8px; text-align:right; }
th:first-child, td:first-child, td.text { text-align:left; }
th { background:#f4f1ec; font-weight:600; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:10px; }
.ok { color:#1a7f37; } .bad { color:#b42318; }
"""


def write_report(app: CoGov, path: Path, *, verified: str | None = None) -> Path:
    """Collect the figures, render the report and write it (parents created)."""
    html = render_report(collect_report(app), verified=verified)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def render_report(data: ReportData, *, verified: str | None = None) -> str:
    """The whole page as a string."""
    as_of = data.as_of.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(data.title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{escape(data.title)}</h1>",
        f"<p>截至 as of {as_of}（北京时间）· {data.events:,} 条事件 events · "
        f"{len(data.counties)} 个县/区 · {len(data.townships)} 个乡镇/街道"
        + (f" · 历史校验 history check: {escape(verified)}" if verified else "")
        + "</p></header><main>",
        _kpis(data),
        _funnel_section(data),
        _rates_section(data),
        _departments_section(data),
        _overdue_section(data),
        _contributions_section(data),
        _monthly_section(data),
        "</main><footer>报表由事件历史生成（向系统要报表）· generated from the event history "
        "by cogov · 无脚本、可离线 no script, works offline</footer></body></html>",
    ]
    return "\n".join(parts)


# -- pieces -----------------------------------------------------------------------------------
def _pct(rate: Rate) -> str:
    value = rate.value
    return "–" if value is None else f"{value * 100:.1f}%"


def _rate_cell(rate: Rate) -> str:
    return f"{_pct(rate)} <small>({rate.numerator}/{rate.denominator})</small>"


def _money(value: Decimal | float | int) -> str:
    return f"¥{value:,.0f}"


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = ["<table><thead><tr>", *(f"<th>{h}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _section(title: str, english: str, note: str, chart: str, table: str) -> str:
    return (
        f"<section><h2>{title}<small>{english}</small></h2><p class=note>{note}</p>"
        f'<div class="chart-box">{chart}</div>'
        f"<details open><summary>数据表 the table behind the chart</summary>{table}</details>"
        "</section>"
    )


def _kpis(data: ReportData) -> str:
    d = data.district
    response, resolution, satisfaction = data.district_rates()
    cards = [
        (f"{d['collected']:,}", "民情收集 concerns collected"),
        (_pct(response), "响应率 response rate"),
        (_pct(resolution), "解决率 resolution rate"),
        (_pct(satisfaction), "满意率 satisfaction rate"),
        (f"{d['meetings']:,}", "议事会议 meetings held"),
        (_money(d["money"]), "群众与各方捐资 money received"),
        (_money(d["rewards"]), "以奖代补 rewards granted"),
        (f"{d['households']:,}", "受益户 households benefiting"),
    ]
    return (
        '<div class="kpis">'
        + "".join(f'<div class="kpi"><b>{v}</b><span>{label}</span></div>' for v, label in cards)
        + "</div>"
    )


_STAGES = (
    ("collected", "民情收集"),
    ("decided", "决策共谋"),
    ("dispatched", "协同破题"),
    ("resolved", "落实反馈"),
    ("closed", "效果共评·满意"),
)


def _funnel_values(row: Row) -> list[tuple[str, int]]:
    return [(label, row.flow(key)) for key, label in _STAGES]


def _funnel_section(data: ReportData) -> str:
    funnels = [Funnel(r.label, _funnel_values(r)) for r in data.townships]
    chart = funnel_grid("五共闭环漏斗（各乡镇/街道） the closed loop per township", funnels)
    rows = []
    for r in data.townships:
        f = r.five_co
        rows.append(
            [
                escape(r.label),
                f.co_planning.collected,
                f.co_planning.deliberated + f.co_planning.fast_tracked,
                f.co_planning.meetings_held,
                f.co_building.dispatched,
                f.co_building.projects,
                _money(f.co_building.money_received),
                f.co_managing.inspections + f.co_managing.conventions,
                _rate_cell(f.co_evaluating.satisfaction),
                f.co_evaluating.reopened,
                f.co_sharing.results_published,
                f"{f.co_sharing.households_benefiting:,}",
            ]
        )
    table = _table(
        [
            "乡镇/街道 township",
            "收集",
            "共谋·决定",
            "会议",
            "共建·派单",
            "项目",
            "捐资",
            "共管·巡查+公约",
            "共评·满意率",
            "重办",
            "共享·公开",
            "受益户",
        ],
        rows,
    )
    return _section(
        "五共 · 闭环漏斗",
        "co-planning → co-building → co-managing → co-evaluating → co-sharing",
        "民情收集—党群合议—协同破题—落实反馈—群众评判：每个乡镇/街道的事项在闭环各环节的数量"
        "（按事件发生月份累计）。Counts of matters at each stage of the loop, per township.",
        chart,
        table,
    )


def _heat(
    rows: Sequence[tuple[str, dict[str, ThreeRates]]], months: Sequence[str]
) -> list[HeatPanel]:
    panels = []
    for attr, name in (
        ("response", "响应率 response"),
        ("resolution", "解决率 resolution"),
        ("satisfaction", "满意率 satisfaction"),
    ):
        values: list[list[float | None]] = []
        samples: list[list[int]] = []
        for _, monthly in rows:
            rates = [getattr(monthly[m], attr) for m in months]
            values.append([None if r.value is None else float(r.value) for r in rates])
            samples.append([r.denominator for r in rates])
        panels.append(HeatPanel(name, [label for label, _ in rows], months, values, samples))
    return panels


def _rates_section(data: ReportData) -> str:
    rows = [(r.label, r.monthly_rates) for r in data.townships]
    chart = heatmap(
        "rates-township",
        "三率（各乡镇/街道，按月） three rates per township by month",
        _heat(rows, data.months),
    )
    table = _table(
        ["乡镇/街道 township", "响应率 response", "解决率 resolution", "满意率 satisfaction"],
        (
            [
                escape(r.label),
                _rate_cell(r.rates.response),
                _rate_cell(r.rates.resolution),
                _rate_cell(r.rates.satisfaction),
            ]
            for r in data.townships
        ),
    )
    return _section(
        "三率 · 各乡镇/街道",
        "response, resolution and satisfaction per township",
        "接诉即办的三率，按月（灰色：当月无样本）。The 12345 yardstick per month "
        "(grey: nothing counted that month).",
        chart,
        table,
    )


def _departments_section(data: ReportData) -> str:
    rows = [(d.name, d.monthly_rates) for d in data.departments]
    chart = heatmap(
        "rates-department",
        "三率（各部门，按月） three rates per department by month",
        _heat(rows, data.months),
    )
    table = _table(
        [
            "部门 department",
            "派单 owned",
            "办结 done",
            "超时办结 late",
            "退单 returned",
            "逾期 overdue",
            "响应率",
            "解决率",
            "满意率",
        ],
        (
            [
                escape(d.name),
                d.load.owned,
                d.load.done,
                d.load.done_late,
                d.load.returned,
                d.load.overdue,
                _rate_cell(d.rates.response),
                _rate_cell(d.rates.resolution),
                _rate_cell(d.rates.satisfaction),
            ]
            for d in data.departments
        ),
    )
    return _section(
        "派单 · 各部门",
        "orders dispatched to departments (住建、民政、公安 …)",
        "社区解决不了的事派给部门；退单须说明理由，逾期催办。Departments' three rates by month "
        "and their load (责任清单).",
        chart,
        table,
    )


def _overdue_section(data: ReportData) -> str:
    bars = [
        Bar(d.name, [d.load.overdue, d.load.done_late, d.load.returned]) for d in data.departments
    ] + [
        Bar(r.label, [r.five_co.co_managing.overdue, 0, 0])
        for r in data.townships
        if r.five_co.co_managing.overdue
    ]
    chart = bar_chart(
        "overdue",
        "逾期与退单 overdue, late and returned orders",
        ["逾期未办 overdue now", "超时办结 done late", "退单 returned"],
        bars,
        colours=("#b42318", "#d9822b", "#6c5b7b"),
    )
    table = _table(
        [
            "事项 matter",
            "单位 unit",
            "承办 assignee",
            "派单 dispatched",
            "期限 deadline",
            "逾期工作日 days overdue",
            "催办 chased",
        ],
        (
            [
                escape(t.title),
                f'<span class="text">{escape(path)}</span>',
                escape(t.assignee_name),
                t.dispatched_at.astimezone(BEIJING).strftime("%m-%d %H:%M"),
                t.deadline.astimezone(BEIJING).strftime("%m-%d %H:%M"),
                t.days_overdue if t.days_overdue is not None else "–",
                t.chased,
            ]
            for path, t in data.overdue
        ),
    )
    return _section(
        "逾期任务 · 任务清单",
        "overdue tasks (task list)",
        "各部门的逾期未办、超时办结与退单，以及各乡镇/街道现有逾期任务；下表为逾期最久的任务。"
        "Per department and township; the table lists the longest-overdue tasks.",
        chart,
        table,
    )


def _contributions_section(data: ReportData) -> str:
    day = data.labour_day_value
    rows = [r for r in data.townships if r.five_co.co_building.projects]
    bars = [
        Bar(
            r.label,
            [
                float(r.five_co.co_building.money_received),
                float(r.five_co.co_building.labour_days_received * day),
                float(r.five_co.co_building.materials_received),
                float(r.five_co.co_building.rewards),
            ],
        )
        for r in rows
    ]
    chart = bar_chart(
        "contributions",
        "共建投入 contributions per township (yuan)",
        ["捐资 money", f"投工投劳 labour (¥{day:,.0f}/日)", "物资 materials", "以奖代补 reward"],
        bars,
        unit=" 元",
    )
    table = _table(
        [
            "乡镇/街道 township",
            "项目 projects",
            "捐资 money",
            "投工 labour days",
            "物资 materials",
            "以奖代补 rewards",
            "共管 under upkeep",
            "受益户 households",
        ],
        (
            [
                escape(r.label),
                r.five_co.co_building.projects,
                _money(r.five_co.co_building.money_received),
                f"{r.five_co.co_building.labour_days_received:,.0f}",
                _money(r.five_co.co_building.materials_received),
                _money(r.five_co.co_building.rewards),
                r.five_co.co_managing.under_maintenance,
                f"{r.five_co.co_sharing.households_benefiting:,}",
            ]
            for r in rows
        ),
    )
    return _section(
        "发展共建 · 有钱出钱、有力出力",
        "money, labour and materials residents and partners gave; 以奖代补 rewards",
        "劳力按政策折价计入（每个工日的价值见图例）。Labour days are valued at the policy's rate.",
        chart,
        table,
    )


def _monthly_section(data: ReportData) -> str:
    series = []
    for key, name in (
        ("collected", "收集 collected"),
        ("resolved", "办结 resolved"),
        ("closed", "满意关闭 closed"),
        ("reopened", "重办 reopened"),
    ):
        series.append(
            Series(
                name,
                [
                    float(sum(getattr(c.monthly[m], key) for c in data.counties))
                    for m in data.months
                ],
            )
        )
    chart = line_chart("monthly", "每月调度 month by month", data.months, series)
    table = _table(
        ["月份 month", "收集", "决定", "派单", "办结", "评价", "关闭", "重办", "月末逾期"],
        (
            [
                m,
                *(
                    sum(getattr(c.monthly[m], k) for c in data.counties)
                    for k in (
                        "collected",
                        "decided",
                        "dispatched",
                        "resolved",
                        "evaluated",
                        "closed",
                        "reopened",
                        "overdue_at_month_end",
                    )
                ),
            ]
            for m in data.months
        ),
    )
    return _section(
        "每月调度",
        "the monthly schedule of the whole store",
        "每月收集、决定、派单、办结、评价的事项数与月末逾期任务。Monthly flows and the tasks "
        "overdue at each month's end.",
        chart,
        table,
    )
