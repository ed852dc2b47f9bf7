"""Safeguards and TRQs as event-driven quota counters that own their state.

A counter holds the quota year's cumulative volume of its lines through the last day counted.
Between two events the volume per day of each line is constant,

    v_l = volume_l / 365 · (x_c / x_c,B) · ((1+τ_l)/(1+τ_l,B) / ((1+t_c)/(1+t_c,B)))^(−σ_l)

(c: the line's sector cell; base volume × the cell's flow change against the solved baseline,
from the latest solved period × the line's relative price effect with its within-sector
elasticity σ_l), so the
cumulative volume over the next days is ``cum + v · k``; observed cumulative volumes of the
scenario file replace the model's up to their last date (linear interpolation from the quota
year's start). Events that change ``v`` are policy changes (the counter first counts the days
up to the change at the old rates) and each solved period (the days through the reporting date
at the old flows). After each, the counter computes the first day on which every test holds
(volume at or above the year's trigger; above the previous year's volume) and schedules itself
for that day, or for the quota year's last day (logged: volumes and which tests held it back);
it fires when that day comes, adding a dynamic measure after the lag for the duration or to
the quota year's end. There is no day-by-day stepping and no cache shared with anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from sim.policy.dates import quota_year, quota_year_start
from sim.policy.model import Measure, Scope
from sim.timeline.rules import GrowthTest, SafeguardRule, VolumeTest

if TYPE_CHECKING:
    from sim.timeline.simulation import Timeline

__all__ = ["QuotaCounter", "evaluate_test", "safeguard_process"]


def evaluate_test(t: VolumeTest | GrowthTest, qy: int, cum: dict[str, float],
                prev: dict[str, float]) -> tuple[bool, str]:
    """Whether one test holds on cumulative volumes ``cum`` (``prev``: last year's), and why."""
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


class QuotaCounter:
    """The quota-year volumes of one safeguard/TRQ rule (see the module docstring)."""

    def __init__(self, tl: Timeline, rule: SafeguardRule, start: date, stop: date) -> None:
        self.tl, self.rule, self.stop = tl, rule, stop
        self.codes = sorted({c for t in rule.tests for c in t.lines})
        self.col = {c: k for k, c in enumerate(self.codes)}
        lay = tl.tm.compiled.layout
        self.lines = [lay.line_index[c] for c in self.codes]
        self.obs: dict[tuple[str, int], list[tuple[date, float]]] = {}
        for code, d, cum in rule.observed:
            self.obs.setdefault((code, quota_year(d, rule.quota_year_start)), []).append(
                (d, cum))
        self.prev: dict[str, float] = {}
        self.done = False
        self._token = 0
        self._new_year(start)
        # volumes already imported in the quota year before the rule starts (at today's flows)
        for a, b, line, cells in tl.state.stretches(self.qstart, start):
            self.cum = self.cum + self._daily(line, cells) * (b - a).days
        self.next_day = start
        self.v = self._daily(tl.state.line, tl.state.tariffs)

    # ------------------------------------------------------------------ volumes
    def _daily(self, line: np.ndarray, cells: np.ndarray) -> np.ndarray:
        ct = self.tl.tm.compiled
        lay = ct.layout
        out = np.empty(len(self.codes))
        for col, k in enumerate(self.lines):
            ln = lay.lines[k]
            i, n, j = lay.line_cell[k]
            rel = ((1 + line[k]) / (1 + self.tl.line_base[k])) / (
                (1 + cells[i, n, j]) / (1 + ct.base_tariffs[i, n, j]))
            out[col] = (ln.volume or 0.0) / 365.0 * self.tl.flow_ratio[i, n, j] * rel ** (
                -ln.within_elasticity)
        return out

    def _new_year(self, day: date) -> None:
        qys = self.rule.quota_year_start
        self.qy = quota_year(day, qys)
        self.qstart = quota_year_start(day, qys)
        self.qlast = quota_year_start(self.qstart + timedelta(days=400), qys) - timedelta(days=1)
        self.cum = np.zeros(len(self.codes))
        self.fired = False

    def _path(self, first: date, n: int) -> np.ndarray:
        """Cumulative volumes ``[n, lines]`` through each of the ``n`` days from ``first``."""
        steps = np.arange(1, n + 1, dtype=float)[:, None]
        path = self.cum[None, :] + self.v[None, :] * steps
        for col, code in enumerate(self.codes):
            o = self.obs.get((code, self.qy))
            if not o:
                continue
            pts = sorted(o)
            last = pts[-1][0]
            if first > last:
                continue
            k = min(n, (last - first).days + 1)  # days covered by observations
            xs = [0.0] + [(p[0] - self.qstart).days + 1 for p in pts]
            ys = [0.0] + [p[1] for p in pts]
            x = (first - self.qstart).days + 1 + np.arange(k)
            path[:k, col] = np.interp(x, xs, ys)
            path[k:, col] = path[k - 1, col] + self.v[col] * np.arange(1, n - k + 1)
        return path

    def _holds(self, path: np.ndarray) -> np.ndarray:
        ok = np.ones(len(path), dtype=bool)
        for t in self.rule.tests:
            vol: np.ndarray | float = 0
            for c in t.lines:
                vol = vol + path[:, self.col[c]]
            if isinstance(t, VolumeTest):
                ok &= vol >= t.threshold(self.qy)
            elif (t.until_year is None or self.qy <= t.until_year) and self.prev:
                ok &= vol > sum(self.prev.get(c, 0.0) for c in t.lines)
        return ok

    def _cum_dict(self) -> dict[str, float]:
        return {c: float(self.cum[k]) for k, c in enumerate(self.codes)}

    # ------------------------------------------------------------------ counting
    def advance(self, through: date) -> None:
        """Count the days up to ``through`` (inclusive) at the current volumes: fire on the day
        every test holds, close the quota year on its last day."""
        while not self.done and self.next_day <= through:
            end = min(through, self.qlast, self.stop)
            n = (end - self.next_day).days + 1
            path = self._path(self.next_day, n)
            hit = None
            if not self.fired:
                hits = np.nonzero(self._holds(path))[0]
                hit = int(hits[0]) if len(hits) else None
            k = n if hit is None else hit + 1
            day = self.next_day + timedelta(days=k - 1)
            self.cum = path[k - 1].copy()
            self.next_day = day + timedelta(days=1)
            if hit is not None:
                self.fired = True
                cum = self._cum_dict()
                fire(self.tl, self.rule, day, self.qy, self.qstart,
                     [evaluate_test(t, self.qy, cum, self.prev)[1] for t in self.rule.tests])
            if day == self.qlast or day >= self.stop:
                self._close(day)

    def _close(self, day: date) -> None:
        cum = self._cum_dict()
        results = [evaluate_test(t, self.qy, cum, self.prev) for t in self.rule.tests]
        held = [txt for ok, txt in results if not ok]
        rule = self.rule
        self.tl.record(rule.actor, "quota year closed" if day < self.stop else "rule ends",
                       f"{rule.name}: quota year {self.qy}: "
                       + "; ".join(txt for _, txt in results),
                       "fired" if self.fired else ("not fired: " + "; ".join(held) if held
                                                   else "not fired"), rule.source, when=day)
        if day >= self.stop:
            self.done = True
            return
        self.prev = cum
        self._new_year(day + timedelta(days=1))

    def wake_day(self) -> date | None:
        """The next day this counter must act on at the current volumes."""
        if self.done:
            return None
        end = min(self.qlast, self.stop)
        if not self.fired:
            n = (end - self.next_day).days + 1
            hits = np.nonzero(self._holds(self._path(self.next_day, n)))[0]
            if len(hits):
                return self.next_day + timedelta(days=int(hits[0]))
        return end

    def schedule(self) -> None:
        """(Re)schedule the wake-up after everything else of that day (older ones lapse)."""
        self._token += 1
        day = self.wake_day()
        if day is None:
            return
        token = self._token
        self.tl.call_at(day, lambda: self._wake(token))

    def _wake(self, token: int) -> None:
        if token != self._token or self.done:
            return
        self.advance(self.tl.day())
        self.schedule()

    # ------------------------------------------------------------------ listener
    def before_change(self, day: date) -> None:
        self.advance(day - timedelta(days=1))

    def after_change(self) -> None:
        if self.done:
            return
        self.v = self._daily(self.tl.state.line, self.tl.state.tariffs)
        self.schedule()


def fire(tl: Timeline, rule: SafeguardRule, today: date, qy: int, qstart: date,
         why: Sequence[str]) -> Measure:
    """The rule's measure: effective after the lag, for its duration or to the quota year's
    end; logged and handed to the timeline."""
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
                note=f"{rule.kind} triggered {today}", order=10_000 + len(tl.extra))
    tl.record(rule.actor, f"{rule.kind} triggered",
              f"{rule.name}: {'+'.join(rule.lines)} to {rule.rate:.1%} ({rule.stacking}) "
              f"from {eff} to {until}", "; ".join(why), rule.source, when=today)
    tl.schedule_dynamic(m)
    return m


def safeguard_process(tl: Timeline, rule: SafeguardRule):
    """Start the rule's counter on its first day (after the first solve); the counter then
    runs on events."""
    for code in rule.lines + tuple(c for t in rule.tests for c in t.lines):
        if not tl.tm.has_line(code):
            tl.record(rule.actor, "safeguard inactive", f"{rule.name}: line {code} not "
                      "in this baseline", source=rule.source)
            return
    start = max(rule.active_from, tl.start)
    stop = min(rule.active_until or tl.grid[-1], tl.grid[-1] - timedelta(days=1))
    if start > stop:
        return
    yield tl.wait_until(start)
    counter = QuotaCounter(tl, rule, start, stop)
    tl.state.listeners.append(counter)
    tl.counters.append(counter)
    counter.schedule()
