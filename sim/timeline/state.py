"""The policy state between events, owned by the timeline (one clock).

The SimPy processes change the state on the days of :mod:`sim.policy.schedule` (and when a
safeguard, TRQ or retaliation adds or ends a measure); nothing re-derives tariffs from a date.
On each change the state recomputes, from what it holds,

    g       = min(MFN, g_a for every agreement a)          (each agreement's current rates)
    rest, τ = the measures in force applied in stacking order to (u_B + g - g_cal(B), g_line)
    t       = aggregate(rest, τ)

(:mod:`sim.policy.compiled`), keeps the history of line and cell rates (what quota counters
read), and records the stretch ``(day, t)`` for the reporting period: the economy reads the
period's day-weighted mean ``Σ_k (d_{k+1} - d_k)/(b - a) · t_k`` when the period closes
(:class:`Stretches`). Listeners (quota counters) hear of a change before it (to count the days
up to it at the old rates) and after it.

A cut of an agreement that a unilateral measure keeps from reaching the applied rate (a
``floor`` or ``replace`` over a staged cut) is reported by :meth:`PolicyState.set_agreement`
as a masked concession.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np

from sim.policy.compiled import (
    CompiledTariffs,
    MeasureCells,
    aggregate,
    anchored_rest,
    apply_measures,
    mfn_cells,
    ordered,
)
from sim.policy.model import Measure
from sim.policy.schedule import AgreementStep

__all__ = ["Listener", "Masked", "PolicyState", "Stretches"]


class Listener(Protocol):
    """Told before a change effective ``day`` (counts through ``day - 1``) and after it."""

    def before_change(self, day: date) -> None: ...

    def after_change(self) -> None: ...


class Stretches:
    """Values in force from given days, closed period by period into day-weighted pieces."""

    def __init__(self, day: date, value: Any) -> None:
        self.items: list[tuple[date, Any]] = [(day, value)]

    def set(self, day: date, value: Any) -> None:
        """The value from ``day`` on (a later change on the same day replaces it)."""
        if self.items[-1][0] == day:
            self.items[-1] = (day, value)
        else:
            self.items.append((day, value))

    def close(self, end: date) -> list[tuple[int, Any]]:
        """``(days, value)`` of each stretch before ``end``; the next period starts at ``end``
        with the value in force then."""
        inside = [(d, v) for d, v in self.items if d < end]
        out = [(((b[0] if b else end) - a[0]).days, a[1])
               for a, b in itertools.zip_longest(inside, inside[1:])]
        self.items = [(end, self.items[-1][1])]
        return out


def day_weighted(pieces: list[tuple[int, np.ndarray]], like: np.ndarray) -> np.ndarray:
    """``Σ_k days_k / total · value_k`` (the order of terms of the policy layer's average)."""
    total = sum(d for d, _ in pieces)
    acc = np.zeros_like(like)
    for d, v in pieces:
        acc += d / total * v
    return acc


@dataclass(frozen=True)
class Masked:
    """A concession cut that measures in force keep (wholly or partly) from the applied rate:
    the sector cells (``exporter->importer sector``) and product lines, and the measures."""

    cells: tuple[str, ...]
    lines: tuple[str, ...]
    by: tuple[str, ...]

    def text(self) -> str:
        return "; ".join(p for p in ((", ".join(self.lines)), ", ".join(self.cells)) if p)


class PolicyState:
    """Agreement rates, measures in force and the resulting tariffs (see the module doc)."""

    def __init__(self, ct: CompiledTariffs, day: date, agreements: list[AgreementStep],
                 measures_on: dict[Measure, bool]) -> None:
        self.ct = ct
        self._mfn = mfn_cells(ct.layout, ct.mfn_rest)
        self.ag_rest = [s.rest for s in agreements]
        self.ag_line = [s.line for s in agreements]
        self.static_on = dict(measures_on)
        self.dynamic: list[Measure] = []  # dynamic measures in force, in the order added
        self._cells: dict[Measure, MeasureCells] = {}
        self.listeners: list[Listener] = []
        self._hist_days: list[date] = []
        self._hist: list[tuple[np.ndarray, np.ndarray]] = []
        self.tariff_stretches: Stretches | None = None
        self._recompute(day)

    def start_periods(self, day: date) -> None:
        """Start recording the reporting periods at ``day`` (the first reporting date)."""
        self.tariff_stretches = Stretches(day, self.tariffs)

    # ------------------------------------------------------------------ reading
    def rates_on(self, day: date) -> tuple[np.ndarray, np.ndarray]:
        """Line rates ``[L]`` and cell tariffs ``[i, n, j]`` in force on ``day`` (history)."""
        k = bisect.bisect_right(self._hist_days, day) - 1
        if k < 0:
            raise ValueError(f"no policy state before {self._hist_days[0]} (asked {day})")
        return self._hist[k]

    def stretches(self, start: date, end: date):
        """``(from, to, line rates, cell tariffs)`` of the history over ``[start, end)``."""
        days = self._hist_days
        k = max(bisect.bisect_right(days, start) - 1, 0)
        while k < len(days) and days[k] < end:
            a = max(days[k], start)
            b = min(days[k + 1], end) if k + 1 < len(days) else end
            if b > a:
                yield a, b, *self._hist[k]
            k += 1

    def close_period(self, end: date) -> np.ndarray:
        """The day-weighted mean tariffs of the period ending at ``end``."""
        assert self.tariff_stretches is not None, "start_periods first"
        return day_weighted(self.tariff_stretches.close(end), self.ct.base_tariffs)

    # ------------------------------------------------------------------ changes
    def set_agreement(self, k: int, step: AgreementStep) -> Masked | None:
        """Agreement ``k``'s rates from ``step.day`` on; returns what measures mask of a cut."""
        old_g, old_gl, old_rest, old_line = self._g_rest, self._g_line, self.rest, self.line
        self._before(step.day)
        self.ag_rest[k], self.ag_line[k] = step.rest, step.line
        self._recompute(step.day)
        self._after()
        return self._masked(old_g, old_rest, old_gl, old_line)

    def set_measure(self, m: Measure, in_force: bool, day: date) -> None:
        """Whether the scenario's measure ``m`` is in force from ``day``."""
        self._before(day)
        self.static_on[m] = in_force
        self._recompute(day)
        self._after()

    def add_dynamic(self, m: Measure, cells: MeasureCells, day: date) -> None:
        """A measure added during the run (safeguard, TRQ, counter-tariff) in force from
        ``day``."""
        self._before(day)
        self._cells[m] = cells
        self.dynamic.append(m)
        self._recompute(day)
        self._after()

    def end_dynamic(self, m: Measure, day: date) -> None:
        """A dynamic measure out of force from ``day``."""
        self._before(day)
        self.dynamic.remove(m)
        self._recompute(day)
        self._after()

    def _before(self, day: date) -> None:
        for lst in self.listeners:
            lst.before_change(day)

    def _after(self) -> None:
        for lst in self.listeners:
            lst.after_change()

    def _recompute(self, day: date) -> None:
        g_rest = np.minimum.reduce([self._mfn, *self.ag_rest]) if self.ag_rest else self._mfn
        g_line = (np.minimum.reduce([self.ct.layout.line_mfn, *self.ag_line]) if self.ag_line
                  else self.ct.layout.line_mfn)
        retro = self.ct.retroactive
        active = ordered([*(m for m, on in self.static_on.items() if on), *self.dynamic], retro)
        cells = [self.ct.measures[m] if m in self.ct.measures else self._cells[m]
                 for m in active]
        self._g_rest, self._g_line, self._active = g_rest, g_line, active
        self.rest, self.line = apply_measures(cells, anchored_rest(self.ct, g_rest), g_line)
        self.tariffs = aggregate(self.ct, self.rest, self.line)
        if self._hist_days and self._hist_days[-1] == day:
            self._hist[-1] = (self.line, self.tariffs)
        else:
            self._hist_days.append(day)
            self._hist.append((self.line, self.tariffs))
        if self.tariff_stretches is not None:
            self.tariff_stretches.set(day, self.tariffs)

    def _masked(self, old_g: np.ndarray, old_rest: np.ndarray, old_gl: np.ndarray,
                old_line: np.ndarray) -> Masked | None:
        tol = 1e-12
        cut = self._g_rest < old_g - tol
        cut_l = self._g_line < old_gl - tol
        if not cut.any() and not cut_l.any():
            return None
        short = cut & ((old_rest - self.rest) < (old_g - self._g_rest) - tol)
        short_l = cut_l & ((old_line - self.line) < (old_gl - self._g_line) - tol)
        if not short.any() and not short_l.any():
            return None
        by = []
        for m in self._active:
            if m.stacking not in ("floor", "replace"):
                continue
            cm = self.ct.measure_cells(m) if m not in self._cells else self._cells[m]
            if (cm.rest_mask[short] > 0).any() or cm.line_mask[short_l].any():
                by.append(m.name)
        if not by:
            return None
        lay = self.ct.layout
        return Masked(tuple(f"{lay.regions[i]}->{lay.regions[n]} {lay.sectors[j]}"
                            for i, n, j in np.argwhere(short)),
                      tuple(lay.lines[k].line for k in np.nonzero(short_l)[0]), tuple(by))
