"""Dated policy changes: what each agreement and measure changes, and on which day (pure).

The timeline (:mod:`sim.timeline`) schedules these changes and owns the policy state between
them; nothing here knows about SimPy. For an interval ``(after, until)``:

* :func:`agreement_changes` — one :class:`AgreementStep` per day on which the agreement's rates
  may change (entry into force and withdrawal of a member, every cut date after the clock
  starts, the dates of ``Path`` schedules), each with the agreement's rest and line rates from
  that day on (:func:`sim.policy.compiled.agreement_rates`, starting from the MFN; the state
  takes the lowest rate over agreements), and the log entries of the agreement;
* :func:`measure_changes` — one :class:`MeasureStep` per day on which a measure starts, ends,
  pauses or resumes (its retroactive date when tariffs are assessed retroactively), with
  whether it is in force from that day, and its log entries.

:func:`policy_schedule` gathers both for a compiled policy into the frozen
:class:`PolicySchedule` the timeline runs. ``PolicyChange`` is one entry of the event log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from sim.policy.compiled import AgreementCells, CompiledTariffs, agreement_rates
from sim.policy.dates import cut_dates
from sim.policy.model import Measure, Scope
from sim.policy.staging import Path as PathStaging

__all__ = ["AgreementSchedule", "AgreementStep", "MeasureSchedule", "MeasureStep",
           "PolicyChange", "PolicySchedule", "agreement_changes", "agreement_days",
           "measure_changes", "policy_schedule", "scope_text"]


@dataclass(frozen=True)
class PolicyChange:
    """One event-log entry: ``date, actor, kind, what, why, source``."""

    day: date
    actor: str
    kind: str
    what: str
    why: str = ""
    source: str = ""

    def as_row(self) -> dict:
        return {"date": self.day, "actor": self.actor, "kind": self.kind, "what": self.what,
                "why": self.why, "source": self.source}


@dataclass(frozen=True, eq=False)
class AgreementStep:
    """An agreement's rates from ``day`` on (rest ``[i, n, j]`` and lines ``[L]``)."""

    day: date
    rest: np.ndarray
    line: np.ndarray


@dataclass(frozen=True, eq=False)
class AgreementSchedule:
    agreement: AgreementCells
    initial: AgreementStep          # the rates on the first day of the interval
    steps: tuple[AgreementStep, ...]
    log: tuple[PolicyChange, ...]


def agreement_days(ag: AgreementCells, after: date, until: date) -> list[date]:
    """Days in ``(after, until)`` on which the agreement's rates may change."""
    a = ag.agreement
    ds: set[date] = set()
    for m in a.members:
        ds.update(d for d in (m.eif, m.withdrawn) if d is not None)
    if ag.clock is not None:
        eifs = [m.eif for m in a.members if m.eif is not None]
        first = min([ag.clock, *eifs])  # cuts count from the earlier of clock and entry
        for md in {a.default_cut_month_day, *(md for _, md in a.cut_month_day)}:
            ds.update(cut_dates(max(first, after), until, md))
    for c in a.concessions:
        if isinstance(c.staging, PathStaging):
            ds.update(c.staging.dates())
    return sorted(d for d in ds if after < d < until)


def _agreement_log(ag: AgreementCells, start: date, end: date) -> tuple[PolicyChange, ...]:
    a = ag.agreement
    items: list[tuple[date, str, str]] = []
    for m in a.members:
        if m.eif is not None:
            items.append((m.eif, "entry into force", f"{a.name} in force for {m.region}"))
        if m.withdrawn is not None:
            items.append((m.withdrawn, "withdrawal", f"{m.region} leaves {a.name}"))
    if ag.clock is not None and a.concessions:
        for md in {a.default_cut_month_day, *(md for _, md in a.cut_month_day)}:
            for c in cut_dates(ag.clock, end, md):
                items.append((c, "staging cut", f"{a.name}: annual tariff cut "
                              f"({md[0]:02d}-{md[1]:02d} schedules)"))
    return tuple(PolicyChange(d, a.name, kind, what, source=a.source)
                 for d, kind, what in sorted(items) if start <= d < end)


def agreement_changes(ct: CompiledTariffs, ag: AgreementCells, start: date, end: date
                      ) -> AgreementSchedule:
    """The agreement's rates on ``start`` and on every day in ``(start, end)`` they may change,
    and its log entries in ``[start, end)``."""

    def step(d: date) -> AgreementStep:
        rest, line = agreement_rates(ct.layout, ct.mfn_rest, ag, d)
        return AgreementStep(d, rest, line)

    return AgreementSchedule(ag, step(start), tuple(step(d) for d in agreement_days(
        ag, start, end)), _agreement_log(ag, start, end))


@dataclass(frozen=True)
class MeasureStep:
    day: date
    in_force: bool


@dataclass(frozen=True, eq=False)
class MeasureSchedule:
    measure: Measure
    initial: bool                   # in force on the first day of the interval
    steps: tuple[MeasureStep, ...]
    log: tuple[PolicyChange, ...]


def scope_text(s: Scope) -> str:
    """A measure's scope in words (the event log)."""
    parts = [f"imports of {'/'.join(s.importers)}"]
    if s.exporters:
        parts.append(f"from {'/'.join(s.exporters)}")
    if s.lines:
        parts.append(f"lines {', '.join(s.lines)}")
    elif s.sectors:
        parts.append(f"sectors {', '.join(s.sectors)}")
    if s.exclude_lines or s.exclude_sectors:
        parts.append("except " + ", ".join((*s.exclude_sectors, *s.exclude_lines)))
    if s.coverage < 1:
        parts.append(f"coverage {s.coverage:.0%}")
    return " ".join(parts)


def _measure_log(m: Measure, retroactive: bool, start: date, end: date
                 ) -> tuple[PolicyChange, ...]:
    items: list[tuple[date, str, str]] = []
    if m.announced is not None and m.announced < m.effective:
        items.append((m.announced, "announced", f"{m.name}: {m.rate:.1%} {m.stacking} "
                      f"announced, effective {m.effective}"))
    items.append((m.effective, "effective", f"{m.name}: {m.rate:.1%} ({m.stacking}) on "
                  f"{scope_text(m.scope)}"))
    if m.retroactive_to is not None:
        how = "applied" if retroactive else "refunds; rates as collected"
        items.append((m.effective, "retroactive",
                      f"{m.name}: assessed back to {m.retroactive_to} ({how})"))
    for a, b in m.paused:
        items.append((a, "paused", f"{m.name} paused"))
        if b is not None:
            items.append((b + timedelta(days=1), "resumed", f"{m.name} resumed"))
    if m.until is not None:
        items.append((m.until + timedelta(days=1), "ended", f"{m.name} ends"))
    return tuple(PolicyChange(d, m.actor, kind, what, m.note, m.source)
                 for d, kind, what in sorted(items, key=lambda x: x[0]) if start <= d < end)


def measure_changes(m: Measure, retroactive: bool, start: date, end: date) -> MeasureSchedule:
    """Whether the measure is in force on ``start`` and from each day in ``(start, end)`` on
    which that may change, and its log entries in ``[start, end)``."""
    days = sorted({d for d in m.change_dates(retroactive) if start < d < end})
    return MeasureSchedule(m, m.active(start, retroactive),
                           tuple(MeasureStep(d, m.active(d, retroactive)) for d in days),
                           _measure_log(m, retroactive, start, end))


@dataclass(frozen=True, eq=False)
class PolicySchedule:
    """Every dated change of a compiled policy over ``[start, end)``."""

    compiled: CompiledTariffs
    start: date
    end: date
    agreements: tuple[AgreementSchedule, ...]
    measures: tuple[MeasureSchedule, ...]


def policy_schedule(ct: CompiledTariffs, start: date, end: date) -> PolicySchedule:
    """The scenario's agreements and measures as dated changes over ``[start, end)``."""
    return PolicySchedule(ct, start, end,
                          tuple(agreement_changes(ct, ag, start, end) for ag in ct.agreements),
                          tuple(measure_changes(m, ct.retroactive, start, end)
                                for m in ct.policy.measures))
