"""The SimPy timeline: one clock. Policy processes own the policy state; the economy reads it.

Time is in days since the scenario start. :class:`Timeline` wires the pieces, each in its own
module:

* :mod:`sim.policy.schedule` (policy layer, pure): the dated changes of every agreement and
  measure;
* :mod:`sim.timeline.state`: the policy state between events (agreement rates, measures in
  force, tariffs, their history and the current period's stretches);
* :mod:`sim.timeline.processes`: agreement, measure, dynamic-measure, retaliation and
  trade-cost processes, which change the state on their days;
* :mod:`sim.timeline.quota`: safeguards and TRQs as event-driven quota counters;
* :mod:`sim.timeline.economy`: the economy process and gradual adjustment;
* :mod:`sim.timeline.result`: :class:`Period` and :class:`TimelineResult`.

Before the first reporting date the state is replayed from the earliest day a quota counter
looks back to (the start of its quota year), so that counters read the rates then from the
same history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import simpy

from sim.policy.dates import quota_year_start
from sim.policy.model import Measure
from sim.policy.schedule import PolicyChange, policy_schedule
from sim.policy.tariffs import TariffModel
from sim.timeline.economy import economy_process, period_speed
from sim.timeline.processes import (
    agreement_process,
    dynamic_measure_process,
    measure_process,
    retaliation_process,
    trade_cost_process,
)
from sim.timeline.quota import QuotaCounter, safeguard_process
from sim.timeline.result import Period, TimelineResult
from sim.timeline.rules import RetaliationRule, SafeguardRule
from sim.timeline.state import PolicyState, Stretches

__all__ = ["END_OF_INSTANT", "URGENT", "Period", "Timeline", "TimelineResult", "period_speed"]

#: SimPy priority of the economy's end-of-instant event (NORMAL = 1, URGENT = 0): it runs
#: after every event scheduled for the same instant. Quota counters wake at it too.
END_OF_INSTANT = 2
#: SimPy priority of policy state changes: before anyone reacts to the instant
URGENT = 0


class Timeline:
    """Run a compiled policy over a reporting grid.

    Parameters
    ----------
    tariffs : the compiled policy (:class:`sim.policy.TariffModel`).
    economy : the baseline economy (``sim.model.Economy``).
    grid : reporting dates; periods are ``[grid[k], grid[k+1])``.
    solver, compare : ``sim.model.solve`` and ``sim.model.compare`` (injectable for tests).
    safeguards, retaliations : dynamic rules (:mod:`sim.timeline.rules`).
    adjustment_speed : the annual speed λ of gradual adjustment (1 = static).
    base : the model's own solved baseline (solved here when None).
    trade_costs : dated trade-cost factors of agreement channels
        (:class:`sim.policy.channels.TradeCostModel`); None = tariffs only.
    policy_only : record tariffs and sourcing gaps without solving (not with safeguards: they
        read the solved flows).
    """

    def __init__(self, tariffs: TariffModel, economy: Any, grid: Sequence[date], *,
                 solver: Callable, compare: Callable,
                 safeguards: Sequence[SafeguardRule] = (),
                 retaliations: Sequence[RetaliationRule] = (),
                 adjustment_speed: float = 1.0, closure: str = "fixed", base: Any = None,
                 name: str = "", theta: np.ndarray | None = None,
                 policy_only: bool = False, trade_costs: Any = None) -> None:
        if len(grid) < 2:
            raise ValueError("the reporting grid needs at least two dates")
        self.tm = tariffs
        self.tc = trade_costs
        self.economy = economy
        self.grid = list(grid)
        self.start = self.grid[0]
        self.solver = solver
        self.compare = compare
        self.safeguards = list(safeguards)
        self.retaliations = list(retaliations)
        self.speed = adjustment_speed
        self.closure = closure
        self.name = name
        self.theta_override = None if theta is None else np.asarray(theta, dtype=float)
        self.policy_only = policy_only and not safeguards
        self.base = base if base is not None else solver(economy, closure=closure,
                                                          **self._theta_kw())
        self.env = simpy.Environment()
        self.log: list[dict] = []
        #: dynamic measures added so far (an ended counter-tariff replaced by its ended copy)
        self.extra: list[Measure] = []
        self.changed = self.env.event()
        self.periods: list[Period] = []
        self.solves = 0
        self.last_eq = self.base
        self.flow_ratio = np.ones_like(economy.flows)
        self.theta = np.asarray(economy.theta if theta is None else theta, dtype=float)
        self.counters: list[QuotaCounter] = []
        self.state: PolicyState | None = None
        self.costs: Stretches | None = None
        self.line_base = np.zeros(0)

    # ------------------------------------------------------------------ clock
    def day(self, t: float | None = None) -> date:
        """Calendar date of simulation time ``t`` (default now)."""
        now = self.env.now if t is None else t
        return self.start + timedelta(days=int(now + 0.5))

    def t_of(self, d: date) -> int:
        return (d - self.start).days

    def _event_at(self, d: date, priority: int) -> simpy.Event:
        ev = simpy.Event(self.env)
        ev._ok = True
        ev._value = None
        self.env.schedule(ev, priority=priority, delay=max(self.t_of(d) - self.env.now, 0))
        return ev

    def wait_until(self, d: date) -> simpy.Event:
        """A normal-priority event on day ``d`` (now if ``d`` is past)."""
        return self.env.timeout(max(self.t_of(d) - self.env.now, 0))

    def urgent_until(self, d: date) -> simpy.Event:
        """An event on day ``d`` before every normal event of that day (policy changes)."""
        return self._event_at(d, URGENT)

    def end_of_instant(self) -> simpy.Event:
        """An event that fires after every normal event of the current instant."""
        return self._event_at(self.day(), END_OF_INSTANT)

    def call_at(self, d: date, fn: Callable[[], None]) -> None:
        """Call ``fn`` at the end of day ``d`` (after every normal event of that instant)."""
        self._event_at(d, END_OF_INSTANT).callbacks.append(lambda _ev: fn())

    def record(self, actor: str, kind: str, what: str, why: str = "", source: str = "",
               when: date | None = None) -> None:
        """Append an event-log entry."""
        self.log.append(PolicyChange(when or self.day(), actor, kind, what, why,
                                     source).as_row())

    def notify(self) -> None:
        """Wake every process waiting for a policy change."""
        old, self.changed = self.changed, self.env.event()
        old.succeed()

    # ------------------------------------------------------------------ dynamic measures
    def schedule_dynamic(self, m: Measure) -> None:
        """A safeguard/TRQ measure: kept, and in force on its days."""
        self.extra.append(m)
        self.env.process(dynamic_measure_process(self, m))

    def start_counter_tariff(self, m: Measure) -> None:
        """A counter-tariff in force from today."""
        self.extra.append(m)
        assert self.state is not None
        self.state.add_dynamic(m, self.tm.compiled.measure_cells(m), self.day())

    def end_counter_tariff(self, m: Measure, day: date) -> None:
        """A counter-tariff out of force from ``day`` (kept with ``until`` the day before)."""
        assert self.state is not None
        self.extra.remove(m)
        self.extra.append(Measure(**{**m.__dict__, "until": day - timedelta(days=1)}))
        self.state.end_dynamic(m, day)

    def rates_on(self, d: date) -> tuple[np.ndarray, np.ndarray]:
        """Line rates ``[L]`` and cell tariffs in force on ``d`` as the state held them."""
        assert self.state is not None, "run() first"
        return self.state.rates_on(d)

    # ------------------------------------------------------------------ economy hooks
    def _theta_kw(self) -> dict:
        return {} if self.theta_override is None else {"theta": self.theta_override}

    def solve(self, tariffs: np.ndarray, shifter: np.ndarray | None,
              cost: np.ndarray | None = None):
        self.solves += 1
        kw = self._theta_kw()
        if cost is not None:
            kw["cost_factor"] = cost
        return self.solver(self.economy, tariffs=tariffs, demand_shifter=shifter,
                           closure=self.closure, initial=self.last_eq, **kw)

    def kappa(self, tariffs: np.ndarray, cost: np.ndarray | None = None) -> np.ndarray:
        """The policy part of delivered costs, ``κ̂ = d̂ (1+t')/(1+t)``."""
        k = (1 + tariffs) / (1 + self.economy.tariffs)
        return k if cost is None else k * cost

    def set_flows(self, eq: Any, through: date | None) -> None:
        """Line volumes follow the sector flows of ``eq`` against the solved baseline from the
        day after ``through`` (counters count up to it at the old flows)."""
        if through is not None:
            for c in self.counters:
                c.advance(through)
        base = self.base.flows[0]
        self.flow_ratio = np.divide(eq.flows[0], base, out=np.ones_like(base), where=base > 0)
        for c in self.counters:
            c.after_change()

    # ------------------------------------------------------------------ run
    def _history_start(self) -> date:
        """The earliest day the state must know: the start of a counter's first quota year."""
        first = self.start
        for rule in self.safeguards:
            first = min(first, quota_year_start(max(rule.active_from, self.start),
                                                rule.quota_year_start))
        return first

    def run(self) -> TimelineResult:
        """Build the state, start every process and run to the last reporting date."""
        self.start = self.grid[0]
        ct = self.tm.compiled
        lo, hi = self._history_start(), self.grid[-1]
        sched = policy_schedule(ct, lo, hi)
        ags, ms = sched.agreements, sched.measures
        self.state = state = PolicyState(ct, lo, [s.initial for s in ags],
                                         {s.measure: s.initial for s in ms})
        # replay the changes before the first reporting date (the counters' history)
        pending = [(s.day, 0, k, s) for k, a in enumerate(ags) for s in a.steps
                   if s.day <= self.start]
        pending += [(s.day, 1, k, s) for k, m in enumerate(ms) for s in m.steps
                    if s.day <= self.start]
        for d, kind, k, s in sorted(pending, key=lambda p: p[:3]):
            if kind == 0:
                state.set_agreement(k, s)
            else:
                state.set_measure(ms[k].measure, s.in_force, d)
        state.start_periods(self.start)
        self.line_base = (ct.components(ct.base_date)[1] if len(ct.layout.lines)
                          else np.zeros(0))
        if self.tc is not None:
            self.costs = Stretches(self.start, np.exp(self.tc.log_factor(self.start)))
            self.env.process(trade_cost_process(self, self.tc))
        for k, a in enumerate(ags):
            self.env.process(agreement_process(self, k, a))
        for m in ms:
            self.env.process(measure_process(self, m))
        for rule in self.safeguards:
            self.env.process(safeguard_process(self, rule))
        for rule in self.retaliations:
            self.env.process(retaliation_process(self, rule))
        econ = self.env.process(economy_process(self))
        self.env.run(until=econ)  # the economy process ends after the last period
        self.log.sort(key=lambda e: e["date"])  # stable: same-day order is the firing order
        return TimelineResult(self.periods, self.log, self.base, list(self.extra), self.solves)
