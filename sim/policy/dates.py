"""Calendar helpers: dates, anniversaries, quota (fiscal) years.

All policy dates are :class:`datetime.date`; intervals are half-open ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

__all__ = ["as_date", "cut_dates", "days_between", "month_starts", "quota_year", "quota_year_start"]


def as_date(value: date | str) -> date:
    """A :class:`date` from a date or an ISO string (``"2019-01-01"``)."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def days_between(a: date, b: date) -> int:
    """Whole days from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    return (b - a).days


def _safe(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # Feb 29 in a common year
        return date(year, month, 28)


def cut_dates(after: date, until: date, month_day: tuple[int, int]) -> Iterator[date]:
    """Dates with ``month_day`` in the half-open interval ``(after, until]``."""
    m, d = month_day
    y = after.year
    while True:
        c = _safe(y, m, d)
        if c > until:
            return
        if c > after:
            yield c
        y += 1


def quota_year_start(day: date, month_day: tuple[int, int] = (4, 1)) -> date:
    """Start of the quota year holding ``day`` (Japan's fiscal year starts April 1)."""
    m, d = month_day
    start = _safe(day.year, m, d)
    return start if day >= start else _safe(day.year - 1, m, d)


def quota_year(day: date, month_day: tuple[int, int] = (4, 1)) -> int:
    """Quota year of ``day``, labelled by its first calendar year (JFY2020 = Apr 2020-Mar 2021)."""
    return quota_year_start(day, month_day).year


def month_starts(start: date, end: date, months: int = 1) -> list[date]:
    """Grid of month starts from ``start`` to ``end``, both included."""
    out = [start]
    y, m = start.year, start.month
    while True:
        m += months
        while m > 12:
            m -= 12
            y += 1
        d = date(y, m, 1)
        if d >= end:
            break
        out.append(d)
    if out[-1] != end:
        out.append(end)
    return out


#: months per reporting period of each reporting frequency
REPORTING_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


def reporting_grid(start: date, end: date, reporting: str) -> list[date]:
    """The reporting grid of a run: period starts every ``REPORTING_MONTHS[reporting]`` months
    from ``start``, closed by ``end`` (:func:`month_starts`)."""
    return month_starts(start, end, REPORTING_MONTHS[reporting])


def add_days(day: date, n: int) -> date:
    """``day`` plus ``n`` days."""
    return day + timedelta(days=n)
