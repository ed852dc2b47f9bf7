"""The policy processes: they schedule the dated changes of the policy layer and change the
state (:class:`sim.timeline.state.PolicyState`) when they come.

* one per agreement: on each day its rates may change (entry into force, cut dates,
  withdrawals) it hands the state its rates from that day; logs entry into force, cuts,
  withdrawals, and cuts that a unilateral measure masks ("concession masked");
* one per measure: in or out of force on its days (effective, pause, resume, end; the
  retroactive date when tariffs are assessed retroactively); logs them;
* one per dynamic measure (a safeguard or TRQ that fired): in force from its effective day to
  its last day;
* one per retaliation rule: on each policy change it measures its partner's trade-weighted
  tariff on it against the level at ``active_from``; after the lag it re-measures and answers
  (``mirror``, ``proportional``, ``none``; ``cap``; targeted ``sectors``), ending its previous
  counter-tariff;
* one for the trade-cost factors of agreement channels (when there are any).

State changes run at SimPy's URGENT priority, so that whoever reacts to a change of an instant
(retaliation, at NORMAL priority) sees every change of that instant; every change notifies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.policy.model import Measure, Scope
from sim.policy.schedule import AgreementSchedule, MeasureSchedule, scope_text
from sim.timeline.rules import RetaliationRule

if TYPE_CHECKING:
    from sim.timeline.simulation import Timeline

__all__ = ["agreement_process", "dynamic_measure_process", "measure_process",
           "retaliation_process", "trade_cost_process"]


def _days(steps: Sequence[Any], log: Sequence[Any], start: date, end: date) -> list[date]:
    return sorted({s.day for s in steps if start < s.day < end}
                  | {e.day for e in log if start <= e.day < end})


def agreement_process(tl: Timeline, k: int, sched: AgreementSchedule):
    """Agreement ``k``: its rates on each of its days, its log entries, masked cuts."""
    steps = {s.day: s for s in sched.steps}
    name = sched.agreement.agreement.name
    for d in _days(sched.steps, sched.log, tl.start, tl.grid[-1]):
        yield tl.urgent_until(d)
        step = steps.get(d)
        if step is not None:
            masked = tl.state.set_agreement(k, step)
            if masked is not None:
                tl.record(name, "concession masked",
                          f"{name}: the cut of {d} on {masked.text()} does not (fully) reach "
                          "the applied rate",
                          f"masked by {', '.join(masked.by)} (floor/replace in force)",
                          sched.agreement.agreement.source)
        for e in sched.log:
            if e.day == d:
                tl.log.append(e.as_row())
        tl.notify()


def measure_process(tl: Timeline, sched: MeasureSchedule):
    """A measure of the scenario: in or out of force on its days; its log entries."""
    steps = {s.day: s for s in sched.steps}
    m = sched.measure
    for d in _days(sched.steps, sched.log, tl.start, tl.grid[-1]):
        yield tl.urgent_until(d)
        step = steps.get(d)
        if step is not None:
            tl.state.set_measure(m, step.in_force, d)
        for e in sched.log:
            if e.day == d:
                tl.log.append(e.as_row())
        tl.notify()


def dynamic_measure_process(tl: Timeline, m: Measure):
    """A safeguard or TRQ measure: in force from its effective day through ``until``."""
    yield tl.urgent_until(m.effective)
    tl.state.add_dynamic(m, tl.tm.compiled.measure_cells(m), m.effective)
    tl.record(m.actor, "effective", f"{m.name}: {m.rate:.1%} on {scope_text(m.scope)}",
              m.note, m.source)
    tl.notify()
    if m.until is not None:
        end = m.until + timedelta(days=1)
        yield tl.urgent_until(end)
        tl.state.end_dynamic(m, end)
        tl.record(m.actor, "ended", f"{m.name} ends", m.note, m.source)
        tl.notify()


def trade_cost_process(tl: Timeline, tc: Any):
    """The trade-cost factors of agreement channels on each day they may change."""
    for d in tc.change_dates(tl.start, tl.grid[-1]):
        yield tl.urgent_until(d)
        tl.costs.set(d, np.exp(tc.log_factor(d)))


# ---------------------------------------------------------------------- retaliation
def average_rate(tl: Timeline, t: np.ndarray, exporter: int, importer: int,
                 sectors: Sequence[int] | None = None) -> float:
    """Trade-weighted (baseline flows) tariff of ``importer`` on ``exporter``."""
    x = tl.economy.flows[exporter, importer]
    sel = np.asarray(sectors if sectors is not None else np.nonzero(tl.tm.tradable)[0])
    w = x[sel]
    return float((t[exporter, importer, sel] * w).sum() / w.sum()) if w.sum() > 0 else 0.0


def retaliation_rate(tl: Timeline, rule: RetaliationRule, delta: float, a: int, b: int,
                     sectors: Sequence[int] | None) -> float:
    """The counter-tariff answering an increase ``delta`` (``mirror``: ``factor · delta``;
    ``proportional``: the same duty value on the targeted imports; capped)."""
    if rule.mode == "none" or delta <= 0:
        return 0.0
    tradable = np.nonzero(tl.tm.tradable)[0]
    if rule.mode == "mirror":
        rate = rule.factor * delta
    else:  # proportional: same duty value on the targeted imports
        x_out = tl.economy.flows[a, b][tradable].sum()
        sel = sectors if sectors is not None else tradable
        x_in = tl.economy.flows[b, a][sel].sum()
        rate = rule.factor * delta * x_out / x_in if x_in > 0 else 0.0
    if rule.cap is not None:
        rate = min(rate, rule.cap)
    return rate


def retaliation_process(tl: Timeline, rule: RetaliationRule):
    """Answer the partner's trade-weighted tariff increases after the lag."""
    ri = {r: k for k, r in enumerate(tl.tm.regions)}
    if rule.actor not in ri or rule.against not in ri:
        return
    a, b = ri[rule.actor], ri[rule.against]
    sectors = (None if rule.sectors is None
               else [tl.tm.sectors.index(s) for s in rule.sectors if s in tl.tm.sectors])
    yield tl.wait_until(max(rule.active_from, tl.start))
    ref = average_rate(tl, tl.tm.at(tl.day()), a, b)  # partner's rate on the actor, scenario
    current: Measure | None = None
    answered = 0.0
    while rule.active_until is None or tl.day() <= rule.active_until:
        yield tl.changed
        delta = average_rate(tl, tl.state.tariffs, a, b) - ref
        if abs(delta - answered) < rule.threshold:
            continue
        yield tl.env.timeout(rule.lag_days)
        delta = average_rate(tl, tl.state.tariffs, a, b) - ref  # the state after the lag
        if abs(delta - answered) < rule.threshold:
            continue
        rate = retaliation_rate(tl, rule, delta, a, b, sectors)
        today = tl.day()
        if current is not None:
            tl.end_counter_tariff(current, today)
        answered = delta
        if rate <= 0 or rule.mode == "none":
            tl.record(rule.actor, "retaliation", f"{rule.name}: no counter-tariff",
                      f"{rule.against}'s trade-weighted tariff on {rule.actor} "
                      f"{delta:+.2%} vs reference; mode {rule.mode}", rule.source)
            current = None
            tl.notify()
            continue
        current = Measure(name=f"{rule.name}:{today}", rate=rate, stacking="add",
                          scope=Scope(importers=(rule.actor,), exporters=(rule.against,),
                                      sectors=rule.sectors), effective=today,
                          actor=rule.actor, source=rule.source,
                          note=f"answers {rule.against}'s increase of {delta:.2%}",
                          order=20_000 + len(tl.extra))
        tl.start_counter_tariff(current)
        tl.record(rule.actor, "retaliation",
                  f"{rule.name}: +{rate:.2%} on imports from {rule.against}"
                  + (f" in {', '.join(rule.sectors)}" if rule.sectors else ""),
                  f"{rule.against}'s trade-weighted tariff on {rule.actor} {delta:+.2%} "
                  f"vs reference; mode {rule.mode}, lag {rule.lag_days} d", rule.source)
        tl.notify()
