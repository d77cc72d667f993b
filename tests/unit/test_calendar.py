"""Working days on China's calendar: statutory holidays off, 调休 weekend days on."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from cogov import TimeLimit
from cogov.calendar import BEIJING, WorkingCalendar

CAL = WorkingCalendar()


def beijing(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BEIJING)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime.combine(date(y, m, d), time(23, 59, 59), tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 1), False),  # 国庆节
        (date(2026, 10, 7), False),  # 国庆假期
        (date(2026, 10, 10), True),  # 星期六, 调休上班
        (date(2026, 9, 20), True),  # 星期日, 调休上班
        (date(2026, 9, 25), False),  # 星期五, 中秋节
        (date(2026, 9, 19), False),  # an ordinary Saturday
        (date(2026, 9, 21), True),  # an ordinary Monday
    ],
)
def test_working_days_follow_the_official_2026_calendar(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (beijing(2026, 9, 30), 1, end_of(2026, 10, 8)),  # over the National Day week
        (beijing(2026, 9, 30), 3, end_of(2026, 10, 10)),  # the 调休 Saturday counts
        (beijing(2026, 9, 18), 1, end_of(2026, 9, 20)),  # the 调休 Sunday counts
        (beijing(2026, 9, 24), 7, end_of(2026, 10, 12)),  # 中秋 and 国庆 skipped
        (beijing(2026, 4, 3), 7, end_of(2026, 4, 15)),  # 清明 skipped
    ],
)
def test_adding_working_days_ends_at_the_close_of_the_last_one(
    start: datetime, days: int, end: datetime
) -> None:
    assert CAL.add_working_days(start, days) == end


def test_the_day_is_counted_in_beijing_time() -> None:
    # 2026-09-30 16:30 UTC is already 1 October in Beijing: the count starts from the holiday
    late = datetime(2026, 9, 30, 16, 30, tzinfo=UTC)
    assert CAL.add_working_days(late, 1) == end_of(2026, 10, 8)
    early = datetime(2026, 9, 29, 15, 30, tzinfo=UTC)  # 23:30 on 29 September in Beijing
    assert CAL.add_working_days(early, 1) == end_of(2026, 9, 30)


def test_working_days_between_counts_after_the_start_day_and_is_signed() -> None:
    assert CAL.working_days_between(beijing(2026, 9, 30), beijing(2026, 10, 12)) == 4
    assert CAL.working_days_between(beijing(2026, 10, 12), beijing(2026, 9, 30)) == -4
    assert CAL.working_days_between(beijing(2026, 10, 1), beijing(2026, 10, 1, 18)) == 0


def test_an_hourly_limit_is_clock_time_and_a_daily_one_is_working_days() -> None:
    start = beijing(2026, 9, 30, 20)
    assert CAL.deadline(start, TimeLimit(hours=24)) == beijing(2026, 10, 1, 20)
    assert CAL.deadline(start, TimeLimit(working_days=2)) == end_of(2026, 10, 9)


def test_years_past_the_published_calendar_fall_back_to_statutory_holidays() -> None:
    # chinesecalendar knows the State Council's calendar up to the year it was released
    assert CAL.is_working_day(date(2027, 1, 1)) is False  # 元旦 (from `holidays`, CN)
    assert CAL.is_working_day(date(2027, 1, 2)) is False  # a Saturday
    assert CAL.is_working_day(date(2027, 1, 4)) is True  # a Monday
