"""Pydantic v2 models of a scenario file (TOML).

Every model forbids unknown keys. Rates are fractions (0.25 = 25 %). Dates are TOML dates
(``2019-10-07``, no quotes). Events form a discriminated union on ``kind``.

An event kind lives in one class here (docs/scenarios.md, "Adding an event kind"): its fields and
validators, ``check_references`` (names it must find in the scenario), ``compile`` (what it adds
to the policy or the timeline's rules, :class:`sim.scenario.compile.PolicyDraft`) and
``describe`` (one line of what and when, for the Method page). :mod:`sim.scenario.compile` and
the describing code dispatch to these methods; they never branch on the kind.
"""

from __future__ import annotations

import csv
import itertools
import re
import typing
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from sim.policy.groups import GROUPS
from sim.policy.lines import load_lines
from sim.policy.model import Measure, Scope
from sim.policy.staging import Equal, Free, Keep, Stages, Staging
from sim.policy.staging import Path as RatePath
from sim.timeline.rules import GrowthTest, RetaliationRule, SafeguardRule, VolumeTest

if typing.TYPE_CHECKING:
    from sim.scenario.compile import PolicyDraft

__all__ = [
    "EVENT_KINDS",
    "AgreementSpec",
    "Estimate",
    "Event",
    "EventSpec",
    "GoodsNonTariffSpec",
    "MeasureEvent",
    "PhaseInSpec",
    "RetaliationEvent",
    "SafeguardEvent",
    "ScenarioSpec",
    "ServicesSpec",
    "cited",
    "known_regions",
    "known_sectors",
]

MAX_RATE = 3.0  # 300 %: anything above is almost surely a percent typed as a fraction
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
EARLIEST = date(1950, 1, 1)          # scenario dates: bounds of what the model can mean
LATEST = date(2200, 1, 1)
MAX_HORIZON_YEARS = 100


def is_month_day(text: str) -> bool:
    """``MM-DD`` naming a day that exists (02-29 allowed: Feb 28 in other years)."""
    if not isinstance(text, str) or not MONTH_DAY.match(text):
        return False
    m, d = int(text[:2]), int(text[3:])
    return d <= (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[m - 1]
CONCORDANCES = Path(__file__).resolve().parents[1] / "data" / "concordances"


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Region codes a scenario may name: ICIO economies, baseline regions, group members."""
    codes: set[str] = {"ROW", "EU", "GBR"}
    for g in GROUPS.values():
        codes.update(g)
    for name, col in (("icio_regions_16.csv", "iso3"), ("regions_16.csv", "region"),
                      ("wiod_regions_9.csv", None), ("regions_wiod_9.csv", "region")):
        p = CONCORDANCES / name
        if p.is_file():
            with open(p, newline="") as f:
                reader = csv.DictReader(f)
                key = col or (reader.fieldnames or [""])[0]
                for r in reader:
                    if r.get(key):
                        codes.add(r[key].strip())
                    if r.get("region"):
                        codes.add(r["region"].strip())
    return frozenset(codes)


@lru_cache(maxsize=1)
def known_sectors() -> frozenset[str]:
    """Sector names a scenario may name (the project's sector concordances)."""
    names: set[str] = set()
    p = CONCORDANCES / "sectors_7.csv"
    if p.is_file():
        with open(p, newline="") as f:
            names.update(r["sector"] for r in csv.DictReader(f))
    if not names:  # concordances not shipped: accept the lines' sectors at least
        names.update(ln.sector for ln in load_lines())
    return frozenset(names)


@lru_cache(maxsize=1)
def known_lines() -> frozenset[str]:
    return frozenset(ln.line for ln in load_lines())


def _check_regions(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    bad = [v for v in values if v not in GROUPS and v not in known_regions()]
    if bad:
        raise ValueError(f"unknown region or group {', '.join(map(repr, bad))} (groups: "
                         f"{', '.join(GROUPS)}; regions are ISO3 codes, 'EU' or 'ROW')")
    return values


def _check_sectors(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    bad = [v for v in values if v not in known_sectors()]
    if bad:
        raise ValueError(f"unknown sector {', '.join(map(repr, bad))} (known: "
                         f"{', '.join(sorted(known_sectors()))})")
    return values


def _check_lines(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    bad = [v for v in values if v not in known_lines()]
    if bad:
        raise ValueError(f"unknown product line {', '.join(map(repr, bad))} (known: "
                         f"{', '.join(sorted(known_lines()))})")
    return values


Rate = Annotated[float, Field(ge=0.0, le=MAX_RATE,
                              description="ad valorem rate as a fraction (0.25 = 25 %)")]


class Strict(BaseModel):
    """Unknown keys refused; no silent coercion of ``true`` to a number or of a number to a
    date (pydantic's lax mode would read ``rate = true`` as 1 and ``effective = 1700000000``
    as Unix seconds)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_coercion(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for key, value in data.items():
            f = cls.model_fields.get(key) if isinstance(key, str) else None
            if f is None:
                continue
            kinds = set(typing.get_args(f.annotation)) | {f.annotation}
            if isinstance(value, bool) and bool not in kinds and kinds & {float, int}:
                raise ValueError(f"{key}: must be a number, not true/false")
            if (isinstance(value, int | float) and not isinstance(value, bool)
                    and date in kinds):
                raise ValueError(f"{key}: must be a date (YYYY-MM-DD), not a number")
        return data


def cited(source: str, verified: bool) -> str:
    """A source as the policy objects carry it: ``(unverified)`` appended when not verified."""
    return source if verified else f"{source} (unverified)"


def _tuple(v: list[str] | None) -> tuple[str, ...] | None:
    return None if v is None else tuple(v)


def _list(v: Any) -> str:
    """Values for a description: lists joined by commas."""
    return ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)


def _pct(r: float | None) -> str:
    return "" if r is None else f"{100 * r:.4g} %"


class Sourced(Strict):
    source: str = Field(min_length=3, description="where the dated fact comes from")
    verified: bool = Field(True, description="false for facts marked (unverified)")
    note: str = ""

    def cited(self) -> str:
        """The source, marked ``(unverified)`` when it is."""
        return cited(self.source, self.verified)


# ----------------------------------------------------------------------------- staging
class FreeStaging(Strict):
    kind: Literal["free"]

    def to_staging(self) -> Staging:
        return Free()


class KeepStaging(Strict):
    kind: Literal["keep"]

    def to_staging(self) -> Staging:
        return Keep()


class EqualStaging(Strict):
    kind: Literal["equal"]
    n: int = Field(ge=1, le=50, description="number of equal annual stages")
    final: Rate = 0.0

    def to_staging(self) -> Staging:
        return Equal(self.n, self.final)


class StagesStaging(Strict):
    kind: Literal["stages"]
    rates: list[Rate] | None = None
    fractions: list[Annotated[float, Field(ge=0, le=1)]] | None = None

    @model_validator(mode="after")
    def _one(self) -> StagesStaging:
        if (self.rates is None) == (self.fractions is None) or not (self.rates or self.fractions):
            raise ValueError("give exactly one non-empty list: rates or fractions")
        return self

    def to_staging(self) -> Staging:
        return Stages(None if self.rates is None else tuple(self.rates),
                      None if self.fractions is None else tuple(self.fractions))


class PathPoint(Strict):
    date: date
    rate: Rate


class PathStaging(Strict):
    kind: Literal["path"]
    points: list[PathPoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> PathStaging:
        ds = [p.date for p in self.points]
        if ds != sorted(ds) or len(set(ds)) != len(ds):
            raise ValueError(f"path dates must be strictly increasing, got {[str(d) for d in ds]}")
        return self

    def to_staging(self) -> Staging:
        return RatePath(tuple((p.date, p.rate) for p in self.points))


STAGING_CLASSES = (FreeStaging, KeepStaging, EqualStaging, StagesStaging, PathStaging)
StagingSpec = Annotated[FreeStaging | KeepStaging | EqualStaging | StagesStaging | PathStaging,
                        Field(discriminator="kind")]


# ----------------------------------------------------------------------------- agreements
class MemberSpec(Sourced):
    region: str
    eif: date | None = Field(None, description="entry into force for this member (none = never)")
    withdrawn: date | None = None

    _r = field_validator("region")(lambda v: _check_regions([v])[0])

    @model_validator(mode="after")
    def _dates(self) -> MemberSpec:
        if self.withdrawn and self.eif and self.withdrawn <= self.eif:
            raise ValueError(f"withdrawn ({self.withdrawn}) must be after eif ({self.eif})")
        return self


class ConcessionSpec(Strict):
    importers: list[str] = Field(min_length=1)
    exporters: list[str] | None = Field(None, description="default: all members")
    sectors: list[str] | None = None
    lines: list[str] | None = None
    staging: StagingSpec
    base: Rate | None = Field(None, description="base rate; default the MFN")
    coverage: float = Field(1.0, ge=0, le=1)
    source: str = ""
    verified: bool = True
    note: str = ""

    _r = field_validator("importers", "exporters")(_check_regions)
    _s = field_validator("sectors")(_check_sectors)
    _l = field_validator("lines")(_check_lines)

    @model_validator(mode="after")
    def _scope(self) -> ConcessionSpec:
        if self.sectors is not None and self.lines is not None:
            raise ValueError("give sectors or lines, not both")
        return self


# ----------------------------------------------------------------------------- channels
class Estimate(Strict):
    """A number with its source and its uncertainty: a standard error (normal draws) or a
    range (uniform draws) for the Monte Carlo; ``std_error = 0`` fixes it."""

    value: float
    std_error: float | None = Field(None, ge=0, description="standard error (normal draws)")
    range: tuple[float, float] | None = Field(None, description="[low, high] (uniform draws)")
    source: str = Field(min_length=3, description="paper, data set or 'assumption: ...'")
    verified: bool = Field(True, description="false for assumptions and unread sources")
    note: str = ""

    @model_validator(mode="after")
    def _band(self) -> Estimate:
        if (self.std_error is None) == (self.range is None):
            raise ValueError("give exactly one of std_error or range")
        if self.range is not None:
            lo, hi = self.range
            if not lo <= self.value <= hi:
                raise ValueError(f"range [{lo}, {hi}] must contain value {self.value}")
        return self


def _fraction(e: Estimate | None, what: str) -> Estimate | None:
    """A cut as a fraction in [0, 1): refuse negative cuts and cuts of 100 % or more."""
    if e is None:
        return e
    vals = [e.value, *(e.range or ())]
    bad = [v for v in vals if not 0 <= v < 1]
    if bad:
        raise ValueError(f"{what} must be a fraction in [0, 1) (0.05 = a 5 % cut; negative "
                         f"cuts and cuts of 100 % or more are refused), got {bad[0]!r}")
    return e


class PhaseInSpec(Strict):
    """Share of the full effect reached ``years`` after entry into force (a step function)."""

    years: list[Annotated[float, Field(ge=0, le=100)]] = Field(min_length=1)
    shares: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=1)
    source: str = Field(min_length=3)
    verified: bool = True

    @model_validator(mode="after")
    def _steps(self) -> PhaseInSpec:
        if len(self.years) != len(self.shares):
            raise ValueError(f"years ({len(self.years)}) and shares ({len(self.shares)}) "
                             "must have the same length")
        if self.years != sorted(self.years) or len(set(self.years)) != len(self.years):
            raise ValueError(f"years must be strictly increasing, got {self.years}")
        return self


def _effect_name(v: str | None) -> str | None:
    if v is None:
        return v
    from sim.estimate.effects import list_agreement_effects

    known = list_agreement_effects()
    if v not in known:
        raise ValueError(f"unknown agreement-effect file {v!r} (shipped: {', '.join(known)}; "
                         "see docs/estimation.md)")
    return v


class GoodsNonTariffSpec(Strict):
    """Non-tariff trade costs on goods between members (docs/channels.md).

    One of: ``effect`` (a shipped agreement-effect file: β and its phase-in), ``beta`` (β in
    log points of members' trade, sourced) or ``cut`` (the trade-cost cut itself, a fraction,
    already net of tariffs). From β: ``ln d = -max(β/θ_j - c, 0)`` in goods sector j, with c
    the ``tariff_correction``.
    """

    on: bool = True
    effect: str | None = Field(None, description="shipped agreement-effect file (sim/estimate)")
    beta: Estimate | None = Field(None, description="β: log points of trade between members")
    cut: Estimate | None = Field(None, description="trade-cost cut on goods, fraction, net")
    tariff_correction: Estimate = Field(
        default_factory=lambda: Estimate(
            value=0.04, range=(0.02, 0.06), verified=False,
            source="assumption: average preferential tariff cut Δln(1+t) of the estimation "
                   "sample (agreements of 1986-2006), order of the world's average applied "
                   "tariffs of those years; not read in a source"),
        description="c: the tariff part of β in cost units, Δln(1+t) of the estimation sample")
    phase_in: Literal["estimate"] | PhaseInSpec = Field(
        "estimate", description="'estimate' = the effect file's lag profile (immediate for "
                                "beta/cut), or explicit years and shares")
    prior_agreement_scale: Estimate = Field(
        default_factory=lambda: Estimate(
            value=0.5, range=(0.25, 1.0), verified=False,
            source="assumption: Baier, Yotov & Zylkin (2019, JIE) find smaller effects for "
                   "pairs already in an agreement; the size 0.5 is not from the paper"),
        description="multiplies the cut for pairs with an agreement in force before this one")
    spillover: Estimate = Field(
        default_factory=lambda: Estimate(value=0.0, range=(0.0, 0.0),
                                         source="default: no spillover to non-members"),
        description="share of the cut that non-members' exports to members also receive")
    source: str = Field(min_length=3)
    verified: bool = True
    note: str = ""

    _e = field_validator("effect")(_effect_name)
    _c = field_validator("cut")(lambda v: _fraction(v, "cut"))

    @field_validator("beta")
    @classmethod
    def _beta(cls, v: Estimate | None) -> Estimate | None:
        if v is not None and v.value < 0:
            raise ValueError(f"beta must be >= 0 (an agreement that raises trade costs is "
                             f"not a cut), got {v.value!r}")
        return v

    @field_validator("prior_agreement_scale", "spillover")
    @classmethod
    def _share(cls, e: Estimate) -> Estimate:
        bad = [v for v in (e.value, *(e.range or ())) if not 0 <= v <= 1]
        if bad:
            raise ValueError(f"must lie in [0, 1], got {bad[0]!r}")
        return e

    @field_validator("tariff_correction")
    @classmethod
    def _corr(cls, e: Estimate) -> Estimate:
        if e.value < 0:
            raise ValueError(f"must be >= 0, got {e.value!r}")
        return e

    @model_validator(mode="after")
    def _one(self) -> GoodsNonTariffSpec:
        given = [k for k in ("effect", "beta", "cut") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of effect, beta or cut, got "
                             + (", ".join(given) or "none"))
        return self


class ServicesSpec(Strict):
    """A cut in services trade costs: between members, or on a member's imports from every
    partner (``scope = "all"``: services commitments mostly apply MFN)."""

    on: bool = True
    cut: Estimate = Field(description="services trade-cost cut, fraction (0.03 = 3 %)")
    scope: Literal["members", "all"]
    phase_in: PhaseInSpec | None = Field(None, description="default: full at entry into force")
    source: str = Field(min_length=3)
    verified: bool = True
    note: str = ""

    _c = field_validator("cut")(lambda v: _fraction(v, "cut"))


class AgreementSpec(Sourced):
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    title: str = ""
    members: list[MemberSpec] = Field(min_length=2)
    concessions: list[ConcessionSpec] = []
    cut_dates: dict[str, str] = Field(
        default_factory=dict,
        description="month-day of annual cuts, 'default' and per importer, e.g. JPN = '04-01'")
    clock_start: date | None = Field(None, description="first stage date of the schedules")
    goods_nontariff: GoodsNonTariffSpec | None = Field(
        None, description="non-tariff trade-cost cut on goods between members")
    services: ServicesSpec | None = Field(None, description="services trade-cost cut")

    @field_validator("cut_dates")
    @classmethod
    def _md(cls, v: dict[str, str]) -> dict[str, str]:
        for k, md in v.items():
            if not is_month_day(md):
                raise ValueError(f"cut date for {k!r} must be 'MM-DD', got {md!r}")
            if k != "default":
                _check_regions([k])
        return v

    @model_validator(mode="after")
    def _unique(self) -> AgreementSpec:
        names = [m.region for m in self.members]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"members listed twice: {dup}")
        return self


# ----------------------------------------------------------------------------- events
class EventSpec:
    """What every event kind knows besides its fields (a mixin of the pydantic event classes).

    To add an event kind, write one class with ``kind: Literal["..."]`` and these three methods,
    and add it to :data:`EVENT_CLASSES` (docs/scenarios.md, "Adding an event kind")."""

    def check_references(self, names: set[str], agreements: set[str]) -> None:
        """Raise ``ValueError`` if the event names an agreement or event the scenario lacks."""

    def compile(self, draft: PolicyDraft, order: int) -> None:
        """Add what the event means to the policy being compiled (``order``: its position in
        the file, which breaks ties between measures)."""
        raise NotImplementedError(type(self).__name__)

    def describe(self) -> tuple[str, str] | None:
        """``(what, dates)`` in one line each for tables of a scenario's facts; None for
        events that are not facts (``remove``)."""
        raise NotImplementedError(type(self).__name__)


class Pause(Strict):
    start: date
    until: date | None = None


class MeasureEvent(Sourced, EventSpec):
    """A unilateral tariff action."""

    kind: Literal["measure"]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    actor: str = Field(description="the government that imposes it (the importer)")
    importers: list[str] | None = Field(None, description="default: [actor]")
    exporters: list[str] | None = None
    sectors: list[str] | None = None
    lines: list[str] | None = None
    exclude_exporters: list[str] = []
    exclude_sectors: list[str] = []
    exclude_lines: list[str] = []
    coverage: float = Field(1.0, gt=0, le=1)
    rate: Rate
    stacking: Literal["add", "floor", "replace", "cap"]
    announced: date | None = None
    effective: date
    until: date | None = Field(None, description="last day in force (inclusive)")
    paused: list[Pause] = []
    retroactive_to: date | None = None
    replaces: list[str] = Field([], description="measures this one supersedes from its start")

    _r = field_validator("actor")(lambda v: _check_regions([v])[0])
    _rs = field_validator("importers", "exporters", "exclude_exporters")(_check_regions)
    _s = field_validator("sectors", "exclude_sectors")(_check_sectors)
    _l = field_validator("lines", "exclude_lines")(_check_lines)

    @model_validator(mode="after")
    def _dates(self) -> MeasureEvent:
        if self.until is not None and self.until < self.effective:
            raise ValueError(f"until ({self.until}) is before effective ({self.effective})")
        if self.announced is not None and self.announced > self.effective:
            raise ValueError(f"announced ({self.announced}) is after effective ({self.effective})")
        if self.retroactive_to is not None and self.retroactive_to > self.effective:
            raise ValueError(f"retroactive_to ({self.retroactive_to}) is after effective "
                             f"({self.effective})")
        ps = sorted(self.paused, key=lambda p: p.start)
        for p in ps:
            if p.start < self.effective or (self.until and p.start > self.until):
                raise ValueError(f"pause from {p.start} lies outside the measure's dates "
                                 f"({self.effective} .. {self.until or 'open'})")
            if p.until is not None and p.until < p.start:
                raise ValueError(f"pause until {p.until} is before its start {p.start}")
        for a, b in itertools.pairwise(ps):
            if a.until is None or a.until >= b.start:
                raise ValueError(f"overlapping pauses starting {a.start} and {b.start}")
        if self.sectors is not None and self.lines is not None:
            raise ValueError("give sectors or lines, not both")
        return self

    def check_references(self, names: set[str], agreements: set[str]) -> None:
        unknown = [r for r in self.replaces if r not in names]
        if unknown:
            raise ValueError(f"measure {self.name!r} replaces unknown {unknown}")

    def compile(self, draft: PolicyDraft, order: int) -> None:
        draft.measures.append(Measure(
            name=self.name, rate=self.rate, stacking=self.stacking,
            scope=Scope(importers=tuple(self.importers or [self.actor]),
                        exporters=_tuple(self.exporters), sectors=_tuple(self.sectors),
                        lines=_tuple(self.lines), exclude_exporters=tuple(self.exclude_exporters),
                        exclude_sectors=tuple(self.exclude_sectors),
                        exclude_lines=tuple(self.exclude_lines), coverage=self.coverage),
            effective=self.effective, until=self.until, announced=self.announced,
            paused=tuple((p.start, p.until) for p in self.paused),
            retroactive_to=self.retroactive_to, actor=self.actor, replaces=tuple(self.replaces),
            source=self.cited(), note=self.note, order=order))

    def describe(self) -> tuple[str, str]:
        scope = _list(self.lines) if self.lines else (
            _list(self.sectors) if self.sectors else "all goods")
        frm = _list(self.exporters) if self.exporters else "all partners"
        what = f"{self.actor} on {scope} from {frm}: {_pct(self.rate)} ({self.stacking})"
        when = f"effective {self.effective}" + (f" to {self.until}" if self.until else "")
        if self.announced:
            when = f"announced {self.announced}, " + when
        if self.paused:
            when += "; paused " + ", ".join(f"{p.start}–{p.until or 'open'}"
                                            for p in self.paused)
        if self.retroactive_to:
            when += f"; retroactive to {self.retroactive_to}"
        return what, when


def _known_agreement(event: JoinEvent | WithdrawEvent, agreements: set[str]) -> None:
    if event.agreement not in agreements:
        raise ValueError(f"event {event.name!r} names unknown agreement {event.agreement!r} "
                         f"(defined: {sorted(agreements)})")


class JoinEvent(Sourced, EventSpec):
    """A region joins an agreement (or an existing member's entry into force moves)."""

    kind: Literal["join"]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    agreement: str
    region: str
    eif: date

    _r = field_validator("region")(lambda v: _check_regions([v])[0])

    def check_references(self, names: set[str], agreements: set[str]) -> None:
        _known_agreement(self, agreements)

    def compile(self, draft: PolicyDraft, order: int) -> None:
        draft.joins.setdefault(self.agreement, []).append((self.region, self.eif))

    def describe(self) -> tuple[str, str]:
        return f"{self.region} joins {self.agreement}", f"{self.eif}"


class WithdrawEvent(Sourced, EventSpec):
    """A member leaves an agreement (its preferences end on ``date``)."""

    kind: Literal["withdraw"]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    agreement: str
    region: str
    date: date

    _r = field_validator("region")(lambda v: _check_regions([v])[0])

    def check_references(self, names: set[str], agreements: set[str]) -> None:
        _known_agreement(self, agreements)

    def compile(self, draft: PolicyDraft, order: int) -> None:
        draft.withdrawals.setdefault(self.agreement, []).append((self.region, self.date))

    def describe(self) -> tuple[str, str]:
        return f"{self.region} leaves {self.agreement}", f"{self.date}"


class VolumeTrigger(Strict):
    """Cumulative quota-year volume of ``lines`` above a threshold (per quota year)."""

    kind: Literal["volume"]
    lines: list[str] = Field(min_length=1)
    thresholds: dict[str, float] = Field(
        description="quota year (its first calendar year, as a string key) -> threshold; later "
                    "years hold the last value")
    source: str = ""
    verified: bool = True

    _l = field_validator("lines")(_check_lines)

    @field_validator("thresholds")
    @classmethod
    def _t(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("needs at least one threshold")
        for k, x in v.items():
            if not k.isdigit():
                raise ValueError(f"quota year key must be a year like '2020', got {k!r}")
            if x <= 0:
                raise ValueError(f"threshold for {k} must be > 0, got {x}")
        return v

    def to_test(self) -> VolumeTest:
        return VolumeTest(tuple(self.lines),
                          tuple(sorted((int(y), v) for y, v in self.thresholds.items())))


class GrowthTrigger(Strict):
    """Volume of ``lines`` in this quota year above the previous quota year's (until a year)."""

    kind: Literal["above_previous_year"]
    lines: list[str] = Field(min_length=1)
    until_year: int | None = Field(None, description="last quota year in which the test applies")
    source: str = ""
    verified: bool = True

    _l = field_validator("lines")(_check_lines)

    def to_test(self) -> GrowthTest:
        return GrowthTest(tuple(self.lines), self.until_year)


TRIGGER_CLASSES = (VolumeTrigger, GrowthTrigger)
Trigger = Annotated[VolumeTrigger | GrowthTrigger, Field(discriminator="kind")]


class Observation(Strict):
    """An observed cumulative quota-year volume (used instead of the model's where it exists)."""

    date: date
    cumulative: float = Field(ge=0)
    line: str | None = Field(None, description="default: the safeguard's first line")
    source: str = Field(min_length=3)


class SafeguardEvent(Sourced, EventSpec):
    """A volume safeguard or tariff-rate quota on product lines: all triggers must hold."""

    kind: Literal["safeguard", "trq"]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    actor: str
    lines: list[str] = Field(min_length=1, description="lines whose rate switches")
    triggers: list[Trigger] = Field(min_length=1)
    rate: Rate = Field(description="the safeguard or over-quota rate")
    stacking: Literal["add", "floor", "replace", "cap"] = "replace"
    quota_year_start: str = Field("04-01", description="MM-DD")
    active_from: date
    active_until: date | None = None
    lag_days: int = Field(0, ge=0, le=365, description="days from the trigger to the new rate")
    duration_days: int | None = Field(None, ge=1, description="fixed duration of the rate")
    until_quota_year_end: bool = Field(False, description="rate holds to the quota year's end")
    observed: list[Observation] = []

    _r = field_validator("actor")(lambda v: _check_regions([v])[0])
    _l = field_validator("lines")(_check_lines)

    @model_validator(mode="after")
    def _rule(self) -> SafeguardEvent:
        if not is_month_day(self.quota_year_start):
            raise ValueError(f"quota_year_start must be 'MM-DD', got {self.quota_year_start!r}")
        if self.duration_days is None and not self.until_quota_year_end:
            raise ValueError("give duration_days or until_quota_year_end = true")
        if self.active_until is not None and self.active_until < self.active_from:
            raise ValueError(f"active_until ({self.active_until}) is before active_from "
                             f"({self.active_from})")
        return self

    def compile(self, draft: PolicyDraft, order: int) -> None:
        m, d = self.quota_year_start.split("-")
        draft.safeguards.append(SafeguardRule(
            name=self.name, actor=self.actor, lines=tuple(self.lines),
            tests=tuple(t.to_test() for t in self.triggers), rate=self.rate,
            stacking=self.stacking, quota_year_start=(int(m), int(d)),
            active_from=self.active_from, active_until=self.active_until,
            lag_days=self.lag_days, duration_days=self.duration_days,
            until_quota_year_end=self.until_quota_year_end,
            observed=tuple((o.line or self.lines[0], o.date, o.cumulative)
                           for o in self.observed),
            source=self.cited(), kind=self.kind))

    def describe(self) -> tuple[str, str]:
        what = f"{self.actor} on {_list(self.lines)}: {_pct(self.rate)} when triggered"
        when = f"active from {self.active_from}" + (f" to {self.active_until}"
                                                     if self.active_until else "")
        return what, when


class RetaliationEvent(Sourced, EventSpec):
    """A government's rule answering a partner's tariff increase after a lag."""

    kind: Literal["retaliation"]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    actor: str = Field(description="the retaliating government")
    against: str = Field(description="the partner whose increases it answers")
    mode: Literal["mirror", "proportional", "none"] = "mirror"
    factor: float = Field(1.0, ge=0, le=10)
    cap: Rate | None = None
    sectors: list[str] | None = Field(None, description="targeted sectors (default all goods)")
    lag_days: int = Field(30, ge=0, le=3650)
    threshold: float = Field(0.005, ge=0, le=1,
                             description="smallest trade-weighted increase that triggers it")
    active_from: date
    active_until: date | None = None

    _r = field_validator("actor", "against")(lambda v: _check_regions([v])[0])
    _s = field_validator("sectors")(_check_sectors)

    def compile(self, draft: PolicyDraft, order: int) -> None:
        draft.retaliations.append(RetaliationRule(
            name=self.name, actor=self.actor, against=self.against, mode=self.mode,
            factor=self.factor, cap=self.cap, sectors=_tuple(self.sectors),
            lag_days=self.lag_days, threshold=self.threshold, active_from=self.active_from,
            active_until=self.active_until, source=self.cited()))

    def describe(self) -> tuple[str, str]:
        what = (f"{self.actor} answers {self.against} ({self.mode}, lag {self.lag_days} days"
                + (f", cap {_pct(self.cap)}" if self.cap is not None else "") + ")")
        return what, f"active from {self.active_from}"


class RemoveEvent(Strict, EventSpec):
    """In an extending scenario: drop an inherited event or agreement by name."""

    kind: Literal["remove"]
    name: str
    reason: str = ""

    def check_references(self, names: set[str], agreements: set[str]) -> None:
        raise ValueError(f"remove event {self.name!r}: nothing of that name to remove")

    def compile(self, draft: PolicyDraft, order: int) -> None:
        return None

    def describe(self) -> None:
        return None


#: the event classes, one per kind; the union below is built from this tuple
EVENT_CLASSES = (MeasureEvent, JoinEvent, WithdrawEvent, SafeguardEvent, RetaliationEvent,
                 RemoveEvent)
Event = Annotated[typing.Union[EVENT_CLASSES], Field(discriminator="kind")]  # noqa: UP007
#: every ``kind`` an event may have (a class may take several: safeguard and trq)
EVENT_KINDS: tuple[str, ...] = tuple(k for c in EVENT_CLASSES
                                     for k in typing.get_args(c.model_fields["kind"].annotation))


def union_tags() -> frozenset[str]:
    """The ``kind`` tags of the tagged unions (events, staging, triggers): pydantic puts them
    in an error's location, messages leave them out."""
    classes = (*EVENT_CLASSES, *STAGING_CLASSES, *TRIGGER_CLASSES)
    return frozenset(k for c in classes
                     for k in typing.get_args(c.model_fields["kind"].annotation))


# ----------------------------------------------------------------------------- uncertainty
#: date fields an uncertain date may set (on events, or on an agreement member: AGR.REGION.eif)
DATE_FIELDS = ("effective", "until", "announced", "retroactive_to", "eif", "date",
               "active_from", "active_until", "withdrawn")


class OccursUncertainty(Sourced):
    """Events or agreements that happen with a probability (else they are dropped)."""

    kind: Literal["occurs"]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    probability: float = Field(ge=0, le=1, description="probability that they happen as "
                                                       "written")
    events: list[str] = Field([], description="names of events or agreements that happen "
                                               "only when it occurs")
    otherwise_open: list[str] = Field(
        [], description="'event.until' (or active_until) fields cleared when it does not occur: "
                        "those measures then stay in force")

    @model_validator(mode="after")
    def _some(self) -> OccursUncertainty:
        if not self.events and not self.otherwise_open:
            raise ValueError("give events and/or otherwise_open")
        return self


class DateUncertainty(Sourced):
    """Date fields set to one date drawn uniformly from [earliest, latest]."""

    kind: Literal["date"]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    fields: list[str] = Field(min_length=1, description="'event.field' or "
                                                        "'agreement.REGION.eif' paths")
    earliest: date
    latest: date
    resolution: Literal["day", "month"] = Field(
        "month", description="'month': the first day of a month drawn uniformly (months "
                             "whose first day lies in the range); 'day': any day")

    @model_validator(mode="after")
    def _range(self) -> DateUncertainty:
        if self.latest < self.earliest:
            raise ValueError(f"latest ({self.latest}) is before earliest ({self.earliest})")
        if self.resolution == "month" and not any(
                date(y, m, 1) >= self.earliest and date(y, m, 1) <= self.latest
                for y in range(self.earliest.year, self.latest.year + 1) for m in range(1, 13)):
            raise ValueError(f"no first day of a month between {self.earliest} and "
                             f"{self.latest} (use resolution = 'day')")
        return self


Uncertainty = Annotated[OccursUncertainty | DateUncertainty, Field(discriminator="kind")]


# ----------------------------------------------------------------------------- scenario
class Settings(Strict):
    reporting: Literal["monthly", "quarterly", "annual"] = "monthly"
    adjustment_speed: float = Field(
        0.3, gt=0, le=1,
        description="share of the gap between perceived and actual costs closed per year "
                    "(1 = static equilibrium every period); default 0.3 after Boehm, "
                    "Levchenko & Pandalai-Nayar (2023)")
    retroactive: Literal["collected", "final"] = "collected"
    closure: Literal["fixed", "zero", "ratio"] = "fixed"
    unheld_regions: Literal["error", "row"] = Field(
        "error",
        description="an event naming a region the baseline does not hold separately (India "
                    "in icio2022): 'error' refuses the scenario and lists the baseline's "
                    "regions; 'row' applies the event to the rest-of-world region instead")
    channels: list[Literal["goods_nontariff", "services"]] | None = Field(
        None, description="agreement trade-cost channels switched on, in this scenario and in "
                          "its calibration alike (default: every channel the agreements "
                          "declare; [] = tariffs only)")


class ScenarioSpec(Strict):
    """A dated policy scenario."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", max_length=100)
    title: str = Field("", max_length=1000)
    description: str = Field("", max_length=20000)
    extends: str | None = Field(None, pattern=r"^[A-Za-z0-9_\-]+$", max_length=100,
                                description="a scenario name: library, same folder (command "
                                            "line) or same session (app); never a path")
    calibrated_to: str = Field(
        "historical", pattern=r"^[A-Za-z0-9_\-]+$", max_length=100,
        description="scenario whose policy the baseline tariffs embody at the base date; "
                    "'self' for this one")
    start: date
    end: date
    base_date: date | None = Field(None, description="default: baseline metadata or July 1 "
                                                     "of the baseline year")
    settings: Settings = Settings()
    agreements: list[AgreementSpec] = []
    events: list[Event] = []
    uncertainty: list[Uncertainty] = Field(
        [], description="policy uncertainty for Monte Carlo runs (tradesim mc); ignored by "
                        "tradesim run")

    @model_validator(mode="after")
    def _check(self) -> ScenarioSpec:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if self.start < EARLIEST or self.end > LATEST:
            raise ValueError(f"start and end must lie within {EARLIEST} .. {LATEST}, got "
                             f"{self.start} .. {self.end}")
        if (self.end - self.start).days > MAX_HORIZON_YEARS * 366:
            raise ValueError(f"the horizon {self.start} .. {self.end} is longer than "
                             f"{MAX_HORIZON_YEARS} years")
        names = [a.name for a in self.agreements] + [e.name for e in self.events]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"names used twice: {dup}")
        agreements = {a.name for a in self.agreements}
        known = set(names)
        for e in self.events:
            e.check_references(known, agreements)
        self._check_uncertainty(set(names))
        return self

    def _check_uncertainty(self, names: set[str]) -> None:
        seen: set[str] = set()
        by_name = {e.name: e for e in self.events} | {a.name: a for a in self.agreements}
        for u in self.uncertainty:
            if u.name in seen:
                raise ValueError(f"uncertainty {u.name!r} declared twice")
            seen.add(u.name)
            if isinstance(u, OccursUncertainty):
                bad = [n for n in u.events if n not in names]
                if bad:
                    raise ValueError(f"uncertainty {u.name!r}: unknown events {bad}")
                for f in u.otherwise_open:
                    ev, _, fld = f.partition(".")
                    target = by_name.get(ev)
                    if (target is None or fld not in ("until", "active_until")
                            or fld not in type(target).model_fields):
                        raise ValueError(f"uncertainty {u.name!r}: otherwise_open {f!r} must "
                                         "name an event's until or active_until field")
                continue
            for f in u.fields:
                parts = f.split(".")
                target = by_name.get(parts[0])
                if target is None:
                    raise ValueError(f"uncertainty {u.name!r}: field {f!r} names unknown event "
                                     f"or agreement {parts[0]!r}")
                if isinstance(target, AgreementSpec):
                    regions = [m.region for m in target.members]
                    if (len(parts) != 3 or parts[1] not in regions
                            or parts[2] not in ("eif", "withdrawn")):
                        raise ValueError(f"uncertainty {u.name!r}: field {f!r}: use "
                                         f"'{target.name}.REGION.eif' or '.withdrawn' with a "
                                         f"member region ({', '.join(regions)})")
                elif (len(parts) != 2 or parts[1] not in DATE_FIELDS
                      or parts[1] not in type(target).model_fields):
                    ok = [k for k in DATE_FIELDS if k in type(target).model_fields]
                    raise ValueError(f"uncertainty {u.name!r}: field {f!r}: event "
                                     f"{target.name!r} has date fields {ok}")
