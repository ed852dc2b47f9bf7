"""Tariff staging categories of trade agreements.

A category maps the number of cuts made so far, ``k`` (0 before entry into force, 1 at entry into
force, +1 on each cut date after it), or the date itself, to a rate, given a base rate ``b``.

=================  ==========================================================================
category           rate after ``k`` cuts
=================  ==========================================================================
``Free``           0 from entry into force ("EIF")
``Equal(n)``       ``final + (b - final) * max(0, 1 - k/n)``: eliminated in n equal annual stages
``Stages(rates)``  ``rates[k-1]`` (absolute rates, last one held); or ``fractions[k-1] * b``
``Path(points)``   by date: the rate of the last point on or before the date
``Keep``           ``b``: excluded from the agreement
=================  ==========================================================================
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

import numpy as np

from sim.policy.dates import cut_dates

__all__ = ["Equal", "Free", "Keep", "Path", "Stages", "Staging", "cuts_made"]


def cuts_made(day: date, eif: date, clock_start: date, month_day: tuple[int, int]) -> int:
    """Number of cuts in force on ``day`` for a pair that entered into force on ``eif``.

    The first cut is made at entry into force; later ones on each ``month_day`` after
    ``clock_start`` (the agreement's own start: a member joining late gets the current year's
    rate, CPTPP style). Japan cuts on April 1, most others on January 1.
    """
    if day < eif:
        return 0
    start = min(clock_start, eif)
    return 1 + sum(1 for _ in cut_dates(start, day, month_day))


@dataclass(frozen=True)
class Free:
    """Duty free at entry into force."""

    def rate(self, base: float, k: int, day: date) -> float:
        return base if k == 0 else 0.0


@dataclass(frozen=True)
class Keep:
    """Excluded: the base rate stays."""

    def rate(self, base: float, k: int, day: date) -> float:
        return base


@dataclass(frozen=True)
class Equal:
    """``n`` equal annual stages from ``base`` to ``final`` (0 = eliminated)."""

    n: int
    final: float = 0.0

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"Equal staging needs n >= 1, got {self.n}")

    def rate(self, base: float, k: int, day: date) -> float:
        if k == 0:
            return base
        final = np.minimum(self.final, base)
        return final + (base - final) * max(0.0, 1.0 - k / self.n)


@dataclass(frozen=True)
class Stages:
    """Custom stages: absolute ``rates`` or ``fractions`` of the base, one per cut (last held)."""

    rates: tuple[float, ...] | None = None
    fractions: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if (self.rates is None) == (self.fractions is None):
            raise ValueError("Stages needs exactly one of rates or fractions")
        if not (self.rates or self.fractions):
            raise ValueError("Stages needs at least one stage")

    def rate(self, base: float, k: int, day: date) -> float:
        if k == 0:
            return base
        if self.rates is not None:
            return self.rates[min(k, len(self.rates)) - 1]
        assert self.fractions is not None
        return base * self.fractions[min(k, len(self.fractions)) - 1]


@dataclass(frozen=True)
class Path:
    """Absolute rates by date: ``points = ((date, rate), ...)``; base before the first point."""

    points: tuple[tuple[date, float], ...]

    def __post_init__(self) -> None:
        ds = [p[0] for p in self.points]
        if ds != sorted(ds):
            raise ValueError("Path points must be in date order")

    def rate(self, base: float, k: int, day: date) -> float:
        if k == 0:
            return base
        i = bisect_right([p[0] for p in self.points], day)
        return base if i == 0 else self.points[i - 1][1]

    def dates(self) -> tuple[date, ...]:
        return tuple(p[0] for p in self.points)


Staging = Free | Keep | Equal | Stages | Path
