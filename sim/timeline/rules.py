"""Dynamic policy rules run by the timeline: safeguards/TRQs and retaliation (plain data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["GrowthTest", "RetaliationRule", "SafeguardRule", "VolumeTest"]


@dataclass(frozen=True)
class VolumeTest:
    """Cumulative quota-year volume of ``lines`` at or above the threshold of that quota year."""

    lines: tuple[str, ...]
    thresholds: tuple[tuple[int, float], ...]  # (quota year, threshold), later years hold

    def threshold(self, quota_year: int) -> float:
        known = sorted(self.thresholds)
        past = [t for y, t in known if y <= quota_year]
        return past[-1] if past else known[0][1]


@dataclass(frozen=True)
class GrowthTest:
    """Volume of ``lines`` in this quota year above the previous year's (through ``until_year``)."""

    lines: tuple[str, ...]
    until_year: int | None = None


@dataclass(frozen=True)
class SafeguardRule:
    """All tests hold -> the lines' rate switches (after ``lag_days``) for a duration."""

    name: str
    actor: str
    lines: tuple[str, ...]
    tests: tuple[VolumeTest | GrowthTest, ...]
    rate: float
    stacking: Literal["add", "floor", "replace", "cap"]
    quota_year_start: tuple[int, int]
    active_from: date
    active_until: date | None = None
    lag_days: int = 0
    duration_days: int | None = None
    until_quota_year_end: bool = False
    observed: tuple[tuple[str, date, float], ...] = ()  # (line, date, cumulative)
    source: str = ""
    kind: str = "safeguard"


@dataclass(frozen=True)
class RetaliationRule:
    """``actor`` answers ``against``'s tariff increases on it after ``lag_days``."""

    name: str
    actor: str
    against: str
    mode: Literal["mirror", "proportional", "none"]
    factor: float = 1.0
    cap: float | None = None
    sectors: tuple[str, ...] | None = None
    lag_days: int = 30
    threshold: float = 0.005
    active_from: date = date(1900, 1, 1)
    active_until: date | None = None
    source: str = ""
