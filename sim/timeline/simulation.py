"""The SimPy timeline: policy processes change a policy state, one economy process solves.

Time is in days since the scenario start. Processes:

* one per agreement (logs entry into force, cuts, withdrawals) and one per measure (announce,
  effective, pause, resume, end, retroactive assessment); both notify the policy-change event;
* one per safeguard/TRQ rule: each day it compares the quota year's cumulative volume of its
  lines with its tests and, when all hold, adds a dynamic measure after the lag;
* one per retaliation rule: on each policy change it measures the trade-weighted tariff increase
  of its partner and answers after the lag;
* the economy process: at each reporting date it waits for the end of the instant (an event of
  lower priority than any policy change of that instant), averages the tariffs of the period
  just ended by days, solves the equilibrium (warm start) and records the outcomes.

Gradual adjustment (DESIGN.md §3, sourcing inertia): buyers perceive the policy part of
delivered costs with a lag, ``κ~(t) = κ~(t-1)^(1-λp) κ̂(t)^λp`` with ``κ̂ = d̂ (1+t')/(1+t)``
(d̂: the trade-cost factor of agreement channels, 1 without them, sim.policy.channels) and
λp the period's speed (``1 - (1 - λ)^(days/365.25)``), and shares are CES in perceived costs
``κ~ ĉ`` through the demand shifter ``b = (κ~ / κ̂)^(-θ)``; unit costs ĉ are seen at once.
(DESIGN.md writes the rule with ``q = κ̂ ĉ``; lagging ĉ too feeds wages back into the shifter
and oscillated without bound in tests, see docs/timeline.md.) λ = 1 gives ``b = 1``: the
static equilibrium at every date; with policy constant ``b -> 1`` geometrically.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import simpy

from sim.policy.dates import cut_dates, quota_year, quota_year_start
from sim.policy.model import Measure, Scope
from sim.policy.tariffs import TariffModel
from sim.timeline.rules import GrowthTest, RetaliationRule, SafeguardRule, VolumeTest

__all__ = ["END_OF_INSTANT", "Period", "Timeline", "TimelineResult", "period_speed"]

#: SimPy priority of the economy's end-of-instant event (NORMAL = 1, URGENT = 0): it runs
#: after every event scheduled for the same instant.
END_OF_INSTANT = 2


def period_speed(annual: float, days: float) -> float:
    """Adjustment speed of a period of ``days`` from the annual speed λ."""
    if annual >= 1.0:
        return 1.0
    return 1.0 - (1.0 - annual) ** (days / 365.25)


@dataclass
class Period:
    """One solved reporting period ``[start, end)``."""

    start: date
    end: date
    tariffs: np.ndarray
    equilibrium: Any
    metrics: dict[str, np.ndarray]
    shifter_gap: float  # max |b - 1|: how far sourcing is from the static equilibrium
    #: ln κ~ − ln κ̂ [i, n, j] (None = settled): the shifter is b = exp(−θ · log_gap), so a
    #: batch of θ draws can reuse the policy path (sim.batch)
    log_gap: np.ndarray | None = None
    #: the period's mean trade-cost factor d̂ [i, n, j] of agreement channels (None = 1)
    cost_factor: np.ndarray | None = None


@dataclass
class TimelineResult:
    periods: list[Period]
    log: list[dict]
    base: Any
    dynamic_measures: list[Measure] = field(default_factory=list)
    solves: int = 0


class Timeline:
    """Run a compiled policy over a reporting grid.

    Parameters
    ----------
    tariffs : the compiled policy (:class:`sim.policy.TariffModel`).
    economy : the baseline economy (``sim.model.Economy``).
    grid : reporting dates; periods are ``[grid[k], grid[k+1])``.
    solver, compare : ``sim.model.solve`` and ``sim.model.compare`` (injectable for tests).
    base : the model's own solved baseline (solved here when None).
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
        #: dated trade-cost factors of agreement channels (:class:`sim.policy.channels.
        #: TradeCostModel`); None = tariffs only
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
        # policy_only: record tariffs and sourcing gaps without solving (no safeguards: they
        # read the solved flows)
        self.policy_only = policy_only and not safeguards
        self.base = base if base is not None else solver(economy, closure=closure,
                                                          **self._theta_kw())
        self.env = simpy.Environment()
        self.log: list[dict] = []
        self.extra: list[Measure] = []
        self.changed = self.env.event()
        self.periods: list[Period] = []
        self.solves = 0
        self._last_eq = self.base
        self._perceived: np.ndarray | None = None
        self._flow_ratio = np.ones_like(economy.flows)
        self.theta = np.asarray(economy.theta if theta is None else theta, dtype=float)
        self._changes: list[date] = []
        self._changes_key = -1
        self._extra_version = 0  # bumped on every change of ``extra`` (keys the rate memo)
        self._rates_memo: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    # ------------------------------------------------------------------ utilities
    def day(self, t: float | None = None) -> date:
        """Calendar date of simulation time ``t`` (default now)."""
        now = self.env.now if t is None else t
        return self.start + timedelta(days=int(now + 0.5))

    def t_of(self, d: date) -> int:
        return (d - self.start).days

    def record(self, actor: str, kind: str, what: str, why: str = "", source: str = "",
               when: date | None = None) -> None:
        """Append an event-log entry."""
        self.log.append({"date": when or self.day(), "actor": actor, "kind": kind,
                         "what": what, "why": why, "source": source})

    def notify(self) -> None:
        """Wake every process waiting for a policy change."""
        old, self.changed = self.changed, self.env.event()
        old.succeed()

    def end_of_instant(self) -> simpy.Event:
        """An event that fires after every normal event of the current instant."""
        ev = simpy.Event(self.env)
        ev._ok = True
        ev._value = None
        self.env.schedule(ev, priority=END_OF_INSTANT)
        return ev

    def _wait_until(self, d: date):
        dt = self.t_of(d) - self.env.now
        return self.env.timeout(max(dt, 0))

    def tariffs_now(self) -> np.ndarray:
        return self.tm.at(self.day(), self.extra)

    def add_measure(self, m: Measure, *, replacing: Measure | None = None) -> None:
        """Add a dynamic measure (after removing ``replacing``); every change of ``extra`` goes
        through here so that the rate memo of :meth:`rates_on` is never stale."""
        if replacing is not None:
            self.extra.remove(replacing)
        self.extra.append(m)
        self._extra_version += 1

    # ------------------------------------------------------------------ policy processes
    def agreement_process(self, agreement):
        """Log entry into force, annual cuts and withdrawals of one agreement."""
        end = self.grid[-1]
        items: list[tuple[date, str, str]] = []
        for m in agreement.members:
            if m.eif is not None:
                items.append((m.eif, "entry into force", f"{agreement.name} in force for "
                              f"{m.region}"))
            if m.withdrawn is not None:
                items.append((m.withdrawn, "withdrawal", f"{m.region} leaves {agreement.name}"))
        clock = agreement.start()
        if clock is not None and agreement.concessions:
            mds = {agreement.default_cut_month_day, *(md for _, md in agreement.cut_month_day)}
            for md in mds:
                for c in cut_dates(clock, end, md):
                    items.append((c, "staging cut", f"{agreement.name}: annual tariff cut "
                                  f"({md[0]:02d}-{md[1]:02d} schedules)"))
        for d, kind, what in sorted(items):
            if d < self.start or d >= end:
                continue
            yield self._wait_until(d)
            self.record(agreement.name, kind, what, source=agreement.source)
            self.notify()

    def measure_process(self, m: Measure):
        """Log and signal the dates of one measure."""
        end = self.grid[-1]
        items: list[tuple[date, str, str]] = []
        if m.announced is not None and m.announced < m.effective:
            items.append((m.announced, "announced", f"{m.name}: {m.rate:.1%} {m.stacking} "
                          f"announced, effective {m.effective}"))
        items.append((m.effective, "effective", f"{m.name}: {m.rate:.1%} ({m.stacking}) on "
                      f"{_scope_text(m.scope)}"))
        if m.retroactive_to is not None:
            how = "applied" if self.tm.retroactive else "refunds; rates as collected"
            items.append((m.effective, "retroactive",
                          f"{m.name}: assessed back to {m.retroactive_to} ({how})"))
        for a, b in m.paused:
            items.append((a, "paused", f"{m.name} paused"))
            if b is not None:
                items.append((b + timedelta(days=1), "resumed", f"{m.name} resumed"))
        if m.until is not None:
            items.append((m.until + timedelta(days=1), "ended", f"{m.name} ends"))
        for d, kind, what in sorted(items, key=lambda x: x[0]):
            if d < self.start or d >= end:
                continue
            yield self._wait_until(d)
            self.record(m.actor, kind, what, m.note, m.source)
            self.notify()

    # ------------------------------------------------------------------ safeguards
    def _line_daily(self, code: str, d: date) -> float:
        """Model volume per day of a line on ``d`` (base volume x sector flow change x
        within-sector price effect)."""
        k = self.tm.line_index(code)
        ln = self.tm.lines[k]
        i, n, j = self.tm.line_cell[k]
        line, cells = self.rates_on(d)
        t_cell = cells[i, n, j]
        rel = ((1 + line[k]) / (1 + self._line_base[k])) / (
            (1 + t_cell) / (1 + self.tm.base_tariffs[i, n, j]))
        return (ln.volume or 0.0) / 365.0 * self._flow_ratio[i, n, j] * rel ** (
            -ln.within_elasticity)

    def rates_on(self, d: date) -> tuple[np.ndarray, np.ndarray]:
        """Line and cell rates in force on ``d`` as the dynamic processes see them, evaluated once
        per stretch without policy changes (memo keyed on the version of ``extra``)."""
        if self._changes_key != self._extra_version:
            self._changes = self.tm.change_dates(self.start - timedelta(days=1),
                                                 self.grid[-1] + timedelta(days=1), self.extra)
            self._changes_key = self._extra_version
            self._rates_memo = {}
        k = bisect.bisect_right(self._changes, d)
        hit = self._rates_memo.get(k)
        if hit is None:
            rest, line = self.tm.components(d, self.extra)
            hit = (line, self.tm.aggregate(rest, line))
            self._rates_memo[k] = hit
        return hit

    def safeguard_process(self, rule: SafeguardRule):
        """Count quota-year volumes day by day; fire when every test holds."""
        for code in rule.lines + tuple(c for t in rule.tests for c in t.lines):
            if not self.tm.has_line(code):
                self.record(rule.actor, "safeguard inactive", f"{rule.name}: line {code} not "
                            "in this baseline", source=rule.source)
                return
        start = max(rule.active_from, self.start)
        stop = min(rule.active_until or self.grid[-1], self.grid[-1] - timedelta(days=1))
        if start > stop:
            return
        yield self._wait_until(start)
        lines = sorted({c for t in rule.tests for c in t.lines})
        obs: dict[tuple[str, int], list[tuple[date, float]]] = {}
        for code, d, cum in rule.observed:
            obs.setdefault((code, quota_year(d, rule.quota_year_start)), []).append((d, cum))
        prev_total: dict[str, float] = {}
        qy = quota_year(self.day(), rule.quota_year_start)
        qstart = quota_year_start(self.day(), rule.quota_year_start)
        cum = dict.fromkeys(lines, 0.0)
        # volumes already imported in the quota year before the rule starts (model)
        d = qstart
        while d < self.day():
            for c in lines:
                cum[c] += self._line_daily(c, d)
            d += timedelta(days=1)
        fired = False
        while True:
            today = self.day()
            # cumulative volume through the end of today
            for c in lines:
                o = obs.get((c, qy))
                if o and today <= max(p[0] for p in o):
                    cum[c] = _interpolate(qstart, o, today)
                else:
                    cum[c] += self._line_daily(c, today)
            if not fired:
                results = [self._test(t, qy, cum, prev_total) for t in rule.tests]
                if all(ok for ok, _ in results):
                    fired = True
                    self._fire(rule, today, qy, qstart, [txt for _, txt in results])
            tomorrow = today + timedelta(days=1)
            if quota_year(tomorrow, rule.quota_year_start) != qy or today >= stop:
                results = [self._test(t, qy, cum, prev_total) for t in rule.tests]
                held = [txt for ok, txt in results if not ok]
                self.record(rule.actor, "quota year closed" if today < stop else "rule ends",
                            f"{rule.name}: quota year {qy}: "
                            + "; ".join(txt for _, txt in results),
                            "fired" if fired else ("not fired: " + "; ".join(held) if held
                                                   else "not fired"), rule.source)
                if today >= stop:
                    return
                prev_total = dict(cum)
                qy = quota_year(tomorrow, rule.quota_year_start)
                qstart = quota_year_start(tomorrow, rule.quota_year_start)
                cum = dict.fromkeys(lines, 0.0)
                fired = False
            yield self.env.timeout(1)

    @staticmethod
    def _test(t: VolumeTest | GrowthTest, qy: int, cum: dict[str, float],
              prev: dict[str, float]) -> tuple[bool, str]:
        vol = sum(cum[c] for c in t.lines)
        names = "+".join(t.lines)
        if isinstance(t, VolumeTest):
            thr = t.threshold(qy)
            return vol >= thr, f"{names} {vol:,.0f} vs trigger {thr:,.0f}"
        if t.until_year is not None and qy > t.until_year:
            return True, f"{names}: growth test expired after {t.until_year}"
        if not prev:
            return True, f"{names}: no previous year (growth test passes)"
        pv = sum(prev.get(c, 0.0) for c in t.lines)
        return vol > pv, f"{names} {vol:,.0f} vs previous year {pv:,.0f}"

    def _fire(self, rule: SafeguardRule, today: date, qy: int, qstart: date,
              why: list[str]) -> None:
        eff = today + timedelta(days=rule.lag_days)
        if rule.until_quota_year_end:
            qend = quota_year_start(qstart + timedelta(days=400), rule.quota_year_start)
            until = qend - timedelta(days=1)
            if rule.duration_days is not None:
                until = max(until, eff + timedelta(days=rule.duration_days - 1))
        else:
            assert rule.duration_days is not None
            until = eff + timedelta(days=rule.duration_days - 1)
        m = Measure(name=f"{rule.name}:{qy}", rate=rule.rate, stacking=rule.stacking,
                    scope=Scope(importers=(rule.actor,), lines=rule.lines), effective=eff,
                    until=until, actor=rule.actor, source=rule.source,
                    note=f"{rule.kind} triggered {today}", order=10_000 + len(self.extra))
        self.add_measure(m)
        self.record(rule.actor, f"{rule.kind} triggered",
                    f"{rule.name}: {'+'.join(rule.lines)} to {rule.rate:.1%} ({rule.stacking}) "
                    f"from {eff} to {until}", "; ".join(why), rule.source)
        self.env.process(self._announce_at(m))

    def _announce_at(self, m: Measure):
        yield self._wait_until(m.effective)
        self.record(m.actor, "effective", f"{m.name}: {m.rate:.1%} on "
                    f"{_scope_text(m.scope)}", m.note, m.source)
        self.notify()
        if m.until is not None:
            yield self._wait_until(m.until + timedelta(days=1))
            self.record(m.actor, "ended", f"{m.name} ends", m.note, m.source)
            self.notify()

    # ------------------------------------------------------------------ retaliation
    def _avg_rate(self, t: np.ndarray, exporter: int, importer: int,
                  sectors: Sequence[int] | None = None) -> float:
        x = self.economy.flows[exporter, importer]
        sel = np.asarray(sectors if sectors is not None else np.nonzero(self.tm.tradable)[0])
        w = x[sel]
        return float((t[exporter, importer, sel] * w).sum() / w.sum()) if w.sum() > 0 else 0.0

    def retaliation_process(self, rule: RetaliationRule):
        """Answer the partner's trade-weighted tariff increases after the lag."""
        ri = {r: k for k, r in enumerate(self.tm.regions)}
        if rule.actor not in ri or rule.against not in ri:
            return
        a, b = ri[rule.actor], ri[rule.against]
        sectors = (None if rule.sectors is None
                   else [self.tm.sectors.index(s) for s in rule.sectors if s in self.tm.sectors])
        yield self._wait_until(max(rule.active_from, self.start))
        ref = self._avg_rate(self.tm.at(self.day(), ()), a, b)  # partner's rate on actor
        current: Measure | None = None
        answered = 0.0
        while rule.active_until is None or self.day() <= rule.active_until:
            yield self.changed
            delta = self._avg_rate(self.tariffs_now(), a, b) - ref
            if abs(delta - answered) < rule.threshold:
                continue
            yield self.env.timeout(rule.lag_days)
            delta = self._avg_rate(self.tariffs_now(), a, b) - ref  # the state after the lag
            if abs(delta - answered) < rule.threshold:
                continue
            rate = self._retaliation_rate(rule, delta, a, b, sectors)
            today = self.day()
            if current is not None:
                self.add_measure(Measure(**{**current.__dict__,
                                            "until": today - timedelta(days=1)}),
                                 replacing=current)
            answered = delta
            if rate <= 0 or rule.mode == "none":
                self.record(rule.actor, "retaliation", f"{rule.name}: no counter-tariff",
                            f"{rule.against}'s trade-weighted tariff on {rule.actor} "
                            f"{delta:+.2%} vs reference; mode {rule.mode}", rule.source)
                current = None
                self.notify()
                continue
            current = Measure(name=f"{rule.name}:{today}", rate=rate, stacking="add",
                              scope=Scope(importers=(rule.actor,), exporters=(rule.against,),
                                          sectors=rule.sectors), effective=today,
                              actor=rule.actor, source=rule.source,
                              note=f"answers {rule.against}'s increase of {delta:.2%}",
                              order=20_000 + len(self.extra))
            self.add_measure(current)
            self.record(rule.actor, "retaliation",
                        f"{rule.name}: +{rate:.2%} on imports from {rule.against}"
                        + (f" in {', '.join(rule.sectors)}" if rule.sectors else ""),
                        f"{rule.against}'s trade-weighted tariff on {rule.actor} {delta:+.2%} "
                        f"vs reference; mode {rule.mode}, lag {rule.lag_days} d", rule.source)
            self.notify()

    def _retaliation_rate(self, rule: RetaliationRule, delta: float, a: int, b: int,
                          sectors: Sequence[int] | None) -> float:
        if rule.mode == "none" or delta <= 0:
            return 0.0
        if rule.mode == "mirror":
            rate = rule.factor * delta
        else:  # proportional: same duty value on the targeted imports
            x_out = self.economy.flows[a, b][np.nonzero(self.tm.tradable)[0]].sum()
            sel = sectors if sectors is not None else np.nonzero(self.tm.tradable)[0]
            x_in = self.economy.flows[b, a][sel].sum()
            rate = rule.factor * delta * x_out / x_in if x_in > 0 else 0.0
        if rule.cap is not None:
            rate = min(rate, rule.cap)
        return rate

    # ------------------------------------------------------------------ economy
    def _theta_kw(self) -> dict:
        return {} if self.theta_override is None else {"theta": self.theta_override}

    def _solve(self, tariffs: np.ndarray, shifter: np.ndarray | None,
               cost: np.ndarray | None = None):
        self.solves += 1
        kw = self._theta_kw()
        if cost is not None:
            kw["cost_factor"] = cost
        return self.solver(self.economy, tariffs=tariffs, demand_shifter=shifter,
                           closure=self.closure, initial=self._last_eq, **kw)

    def _kappa(self, tariffs: np.ndarray, cost: np.ndarray | None = None) -> np.ndarray:
        """The policy part of delivered costs, ``κ̂ = d̂ (1+t')/(1+t)``."""
        k = (1 + tariffs) / (1 + self.economy.tariffs)
        return k if cost is None else k * cost

    def _costs(self, a: date, b: date) -> np.ndarray | None:
        return None if self.tc is None else self.tc.average(a, b)

    def economy_process(self):
        """Solve each reporting period after all policy changes of its closing instant."""
        t0 = self.tm.average(self.grid[0], self.grid[1], self.extra)
        c0 = self._costs(self.grid[0], self.grid[1])
        if not self.policy_only:
            eq0 = self._solve(t0, None, c0)
            self._last_eq = eq0
            self._update_flows(eq0)
        self._perceived = self._kappa(t0, c0)  # sourcing starts settled at the start policy
        prev_t, prev_b, prev_c = None, None, None
        for a, b in itertools.pairwise(self.grid):
            yield self._wait_until(b)
            yield self.end_of_instant()
            tariffs = self.tm.average(a, b, self.extra)
            cost = self._costs(a, b)
            lam = period_speed(self.speed, (b - a).days)
            kappa = self._kappa(tariffs, cost)
            log_gap = None
            if lam >= 1.0:
                self._perceived = kappa
                shifter, gap = None, 0.0
            else:
                self._perceived = np.exp((1 - lam) * np.log(self._perceived)
                                         + lam * np.log(kappa))
                log_gap = np.log(self._perceived) - np.log(kappa)
                shifter = np.exp(-self.theta[None, None, :] * log_gap)
                gap = float(np.abs(shifter - 1).max())
                if gap < 1e-12:
                    shifter, log_gap = None, None
            if self.policy_only:
                self.periods.append(Period(a, b, tariffs, None, {}, gap, log_gap, cost))
                continue
            same = (prev_t is not None and np.array_equal(tariffs, prev_t)
                    and ((cost is None and prev_c is None) or (
                        cost is not None and prev_c is not None
                        and np.array_equal(cost, prev_c)))
                    and ((shifter is None and prev_b is None) or (
                        shifter is not None and prev_b is not None
                        and np.allclose(shifter, prev_b, rtol=0, atol=1e-13))))
            eq = self._last_eq if same else self._solve(tariffs, shifter, cost)
            prev_t, prev_b, prev_c = tariffs, shifter, cost
            self._last_eq = eq
            self._update_flows(eq)
            metrics = self.compare(self.economy, self.base, eq)
            self.periods.append(Period(a, b, tariffs, eq, metrics, gap, log_gap, cost))

    def _update_flows(self, eq) -> None:
        base = self.base.flows[0]  # line volumes follow the sector flow vs the solved baseline
        self._flow_ratio = np.divide(eq.flows[0], base, out=np.ones_like(base), where=base > 0)

    # ------------------------------------------------------------------ run
    def run(self) -> TimelineResult:
        """Start every process and run to the last reporting date (inclusive)."""
        self._line_base = self.tm.components(self.tm.base_date)[1] if len(self.tm.lines) else []
        for ag in self.tm.policy.agreements:
            self.env.process(self.agreement_process(ag))
        for m in self.tm.policy.measures:
            self.env.process(self.measure_process(m))
        for rule in self.safeguards:
            self.env.process(self.safeguard_process(rule))
        for rule in self.retaliations:
            self.env.process(self.retaliation_process(rule))
        econ = self.env.process(self.economy_process())
        self.env.run(until=econ)  # the economy process ends after the last period
        self.log.sort(key=lambda e: e["date"])  # stable: same-day order is the firing order
        return TimelineResult(self.periods, self.log, self.base, list(self.extra), self.solves)


def _interpolate(qstart: date, points: list[tuple[date, float]], d: date) -> float:
    xs = [0.0] + [(p[0] - qstart).days + 1 for p in sorted(points)]
    ys = [0.0] + [p[1] for p in sorted(points)]
    return float(np.interp((d - qstart).days + 1, xs, ys))


def _scope_text(s: Scope) -> str:
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
