"""The report's pieces without a store: months, colours, and charts that stay drawable when
there is nothing to draw."""

from __future__ import annotations

from datetime import UTC, datetime

from cogov.report.data import months_between
from cogov.report.svg import (
    Bar,
    Funnel,
    HeatPanel,
    Series,
    bar_chart,
    funnel_grid,
    heatmap,
    line_chart,
    rate_colour,
)


def test_months_run_from_the_first_to_the_last_in_beijing_time() -> None:
    # 31 Dec 2025 17:00 UTC is already 1 January 2026 in Beijing
    first = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert months_between(first, datetime(2026, 3, 1, tzinfo=UTC)) == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert months_between(datetime(2025, 11, 5, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)) == [
        "2025-11",
        "2025-12",
        "2026-01",
    ]


def test_rates_are_coloured_red_to_green_and_grey_when_nothing_was_counted() -> None:
    assert rate_colour(None) == "#e6e6e6"
    assert rate_colour(0.0) == "#d73027"
    assert rate_colour(0.5) == "#fdae61"
    assert rate_colour(1.0) == "#1a9850"
    assert rate_colour(1.7) == "#1a9850"  # clamped


def test_a_funnel_scales_its_stages_to_the_first() -> None:
    svg = funnel_grid("t", [Funnel("镇", [("收集", 10), ("满意", 5)])])
    assert 'data-chart="funnel"' in svg
    assert 'width="170.0"' in svg  # the first stage spans the cell
    assert 'width="85.0"' in svg  # half of it
    assert "收集 10" in svg


def test_a_heatmap_shows_each_rate_and_a_dash_for_no_sample() -> None:
    panel = HeatPanel("响应率", ["镇"], ["2026-01", "2026-02"], [[0.5, None]], [[4, 0]])
    svg = heatmap("rates-township", "t", [panel])
    assert "50%" in svg
    assert "镇 2026-02: – (n=0)" in svg


def test_charts_without_data_still_render() -> None:
    assert "无数据" in bar_chart("overdue", "t", ["a"], [])
    empty = line_chart("monthly", "t", [], [Series("收集", [])])
    assert empty.startswith('<svg class="chart" data-chart="monthly"')
    bars = bar_chart("contributions", "t", ["money"], [Bar("镇", [1000.0])], unit=" 元")
    assert "1,000 元" in bars
    assert "<title>&lt;t&gt;</title>" in funnel_grid("<t>", [])  # text is escaped
