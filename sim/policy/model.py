"""Policy objects: measures, agreements and the policy set (plain frozen data, no SimPy).

Dates are inclusive on both ends where a user writes them (``effective``, ``until``); inside,
``Measure.active`` uses the half-open interval ``[effective, until + 1 day)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from sim.policy.staging import Staging

__all__ = ["Agreement", "Concession", "Measure", "Member", "Policy", "Scope", "Stacking"]

Stacking = Literal["add", "floor", "replace", "cap"]


if TYPE_CHECKING:
    from sim.policy.channels import GoodsNonTariff, ServicesCut


@dataclass(frozen=True)
class Scope:
    """Which cells a measure touches.

    ``exporters=None`` means every partner of the importers. ``sectors=None`` and ``lines=None``
    mean every tradable sector. With ``lines`` only those product lines change; with ``sectors``
    the sector's rest and its lines (minus ``exclude_lines``) change. ``coverage`` is the share
    of the sector's rest (outside named lines) that the measure reaches (Section 301 lists,
    steel inside basic metals).
    """

    importers: tuple[str, ...]
    exporters: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None
    lines: tuple[str, ...] | None = None
    exclude_exporters: tuple[str, ...] = ()
    exclude_sectors: tuple[str, ...] = ()
    exclude_lines: tuple[str, ...] = ()
    coverage: float = 1.0


@dataclass(frozen=True)
class Measure:
    """A unilateral tariff action with dates, a scope and a stacking rule.

    ``add``: rate on top of the current rate; ``floor``: all-in ``max(current, rate)``;
    ``replace``: all-in ``rate``; ``cap``: all-in ``min(current, rate)``. Measures named in
    ``replaces`` stop applying from this measure's first day (its retroactive date when
    tariffs are assessed retroactively), and only within this measure's scope (its partners,
    sectors and lines); elsewhere they stay in force.
    """

    name: str
    rate: float
    stacking: Stacking
    scope: Scope
    effective: date
    until: date | None = None
    announced: date | None = None
    paused: tuple[tuple[date, date | None], ...] = ()
    retroactive_to: date | None = None
    actor: str = ""
    source: str = ""
    note: str = ""
    order: int = 0
    replaces: tuple[str, ...] = ()

    def start(self, retroactive: bool = False) -> date:
        """First day in force (the retroactive date when ``retroactive``)."""
        if retroactive and self.retroactive_to is not None:
            return min(self.retroactive_to, self.effective)
        return self.effective

    def active(self, day: date, retroactive: bool = False) -> bool:
        """Whether the measure applies on ``day``."""
        if day < self.start(retroactive):
            return False
        if self.until is not None and day > self.until:
            return False
        return all(not (a <= day and (b is None or day <= b)) for a, b in self.paused)

    def change_dates(self, retroactive: bool = False) -> tuple[date, ...]:
        """Days on which the measure's state may change."""
        ds = [self.start(retroactive)]
        if self.until is not None:
            ds.append(self.until + timedelta(days=1))
        for a, b in self.paused:
            ds.append(a)
            if b is not None:
                ds.append(b + timedelta(days=1))
        return tuple(ds)


@dataclass(frozen=True)
class Member:
    """A member of an agreement: in force for it from ``eif`` (None = never) until ``withdrawn``."""

    region: str
    eif: date | None
    withdrawn: date | None = None

    def in_force(self, day: date) -> bool:
        return self.eif is not None and self.eif <= day and (
            self.withdrawn is None or day < self.withdrawn)


@dataclass(frozen=True)
class Concession:
    """A staging schedule of one or more importers towards member exporters.

    ``base=None`` takes the MFN: the line's MFN for lines, the sector MFN table otherwise.
    ``coverage`` is the share of the sector's base rate that the schedule stages (sensitive
    lines outside it keep the base).
    """

    importers: tuple[str, ...]
    staging: Staging
    exporters: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None
    lines: tuple[str, ...] | None = None
    base: float | None = None
    coverage: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Agreement:
    """A trade agreement: members with entry-into-force dates, concessions, cut dates."""

    name: str
    members: tuple[Member, ...]
    concessions: tuple[Concession, ...] = ()
    cut_month_day: tuple[tuple[str, tuple[int, int]], ...] = ()
    default_cut_month_day: tuple[int, int] = (1, 1)
    clock_start: date | None = None
    source: str = ""
    #: trade-cost channels (:mod:`sim.policy.channels`); None = tariffs only
    goods_nontariff: GoodsNonTariff | None = None
    services: ServicesCut | None = None

    def cut_day_for(self, importer: str) -> tuple[int, int]:
        return dict(self.cut_month_day).get(importer, self.default_cut_month_day)

    def member(self, region: str) -> Member | None:
        return next((m for m in self.members if m.region == region), None)

    def start(self) -> date | None:
        if self.clock_start is not None:
            return self.clock_start
        eifs = [m.eif for m in self.members if m.eif is not None]
        return min(eifs) if eifs else None

    def pair_eif(self, exporter: str, importer: str) -> date | None:
        a, b = self.member(exporter), self.member(importer)
        if a is None or b is None or a.eif is None or b.eif is None:
            return None
        return max(a.eif, b.eif)

    def pair_end(self, exporter: str, importer: str) -> date | None:
        ends = [m.withdrawn for m in (self.member(exporter), self.member(importer))
                if m is not None and m.withdrawn is not None]
        return min(ends) if ends else None


@dataclass(frozen=True)
class Policy:
    """Agreements and measures of one scenario."""

    agreements: tuple[Agreement, ...] = ()
    measures: tuple[Measure, ...] = ()
    name: str = ""
    meta: dict = field(default_factory=dict, compare=False, hash=False)
