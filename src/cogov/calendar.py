"""Working days (工作日) on China's official calendar, holidays and 调休 included.

``chinesecalendar`` knows the State Council's published calendar (holidays *and* the weekend
days declared working days); for years it does not cover yet, ``holidays`` (country CN)
supplies the statutory holidays and weekends are days off. Day boundaries are Beijing time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

from cogov.domain.policy import TimeLimit

__all__ = ["BEIJING", "WorkingCalendar"]

BEIJING = ZoneInfo("Asia/Shanghai")


class WorkingCalendar:
    """Counts working days and computes deadlines from time limits."""

    def __init__(self) -> None:
        self._fallback = holidays.country_holidays("CN")

    @lru_cache(maxsize=4096)  # noqa: B019 - one calendar per application, few dates
    def is_working_day(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5 and day not in self._fallback

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 Beijing time) of the ``days``-th working day after ``start``."""
        local = start.astimezone(BEIJING).date()
        counted = 0
        while counted < days:
            local += timedelta(days=1)
            if self.is_working_day(local):
                counted += 1
        return datetime.combine(local, time(23, 59, 59), tzinfo=BEIJING)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after ``start``'s day up to and including ``end``'s day (negative if
        ``end`` is earlier)."""
        a, b = start.astimezone(BEIJING).date(), end.astimezone(BEIJING).date()
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return sign * count

    def deadline(self, start: datetime, limit: TimeLimit) -> datetime:
        delta = limit.as_timedelta
        if delta is not None:
            return start + delta
        assert limit.working_days is not None
        return self.add_working_days(start, limit.working_days)
