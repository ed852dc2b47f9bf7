"""The economy process: at each reporting date it reads the policy state of the period just
ended, applies gradual adjustment and solves (warm start).

Gradual adjustment (DESIGN.md §3, sourcing inertia): buyers perceive the policy part of
delivered costs with a lag, ``κ~(t) = κ~(t-1)^(1-λp) κ̂(t)^λp`` with ``κ̂ = d̂ (1+t')/(1+t)``
(d̂: the trade-cost factor of agreement channels, 1 without them, sim.policy.channels) and
λp the period's speed (``1 - (1 - λ)^(days/365.25)``), and shares are CES in perceived costs
``κ~ ĉ`` through the demand shifter ``b = (κ~ / κ̂)^(-θ)``; unit costs ĉ are seen at once.
(DESIGN.md writes the rule with ``q = κ̂ ĉ``; lagging ĉ too feeds wages back into the shifter
and oscillated without bound in tests, see docs/timeline.md.) λ = 1 gives ``b = 1``: the
static equilibrium at every date; with policy constant ``b -> 1`` geometrically.

The period's tariffs are the day-weighted mean of the state's tariffs over ``[a, b)``
(:meth:`sim.timeline.state.PolicyState.close_period`), its trade-cost factor likewise
(:func:`cost_average`). The process waits for the end of the instant (an event of lower
priority than any policy change of that instant) before reading. A period whose tariffs,
costs and shifter equal the previous one's reuses its solution.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from sim.timeline.result import Period
from sim.timeline.state import day_weighted

if TYPE_CHECKING:
    from sim.timeline.simulation import Timeline

__all__ = ["SourcingLag", "cost_average", "economy_process", "period_speed"]


def period_speed(annual: float, days: float) -> float:
    """Adjustment speed of a period of ``days`` from the annual speed λ."""
    if annual >= 1.0:
        return 1.0
    return 1.0 - (1.0 - annual) ** (days / 365.25)


def cost_average(pieces: list[tuple[int, np.ndarray]], like: np.ndarray) -> np.ndarray | None:
    """Day-weighted mean trade-cost factor of a period (None where it is 1 everywhere)."""
    if len(pieces) == 1:
        f = pieces[0][1]
        return None if np.all(f == 1.0) else f
    acc = day_weighted(pieces, like)
    return None if np.all(acc == 1.0) else acc


class SourcingLag:
    """Perceived policy costs ``κ~`` and the demand shifter of gradual adjustment."""

    def __init__(self, speed: float, theta: np.ndarray, kappa0: np.ndarray) -> None:
        self.speed = speed
        self.theta = theta
        self.perceived = kappa0  # sourcing starts settled at the start policy

    def step(self, kappa: np.ndarray, days: int
             ) -> tuple[np.ndarray | None, float, np.ndarray | None]:
        """One period of ``days`` at policy costs ``κ̂``: the shifter (None = 1), its gap
        ``max |b - 1|`` and ``ln κ~ − ln κ̂`` (None = settled)."""
        lam = period_speed(self.speed, days)
        if lam >= 1.0:
            self.perceived = kappa
            return None, 0.0, None
        self.perceived = np.exp((1 - lam) * np.log(self.perceived) + lam * np.log(kappa))
        log_gap = np.log(self.perceived) - np.log(kappa)
        shifter = np.exp(-self.theta[None, None, :] * log_gap)
        gap = float(np.abs(shifter - 1).max())
        if gap < 1e-12:
            return None, gap, None
        return shifter, gap, log_gap


def _same(a: np.ndarray | None, b: np.ndarray | None, exact: bool = True) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b) if exact else np.allclose(a, b, rtol=0, atol=1e-13))


def economy_process(tl: Timeline):
    """Solve each reporting period after all policy changes of its closing instant."""
    grid = tl.grid
    # the start policy over the first period (the scenario's, before any dynamic measure)
    t0 = tl.tm.average(grid[0], grid[1])
    c0 = None if tl.tc is None else tl.tc.average(grid[0], grid[1])
    if not tl.policy_only:
        eq0 = tl.solve(t0, None, c0)
        tl.last_eq = eq0
        tl.set_flows(eq0, through=None)
    lag = SourcingLag(tl.speed, tl.theta, tl.kappa(t0, c0))
    prev_t, prev_b, prev_c = None, None, None
    for a, b in itertools.pairwise(grid):
        yield tl.wait_until(b)
        yield tl.end_of_instant()
        tariffs = tl.state.close_period(b)
        cost = None if tl.costs is None else cost_average(tl.costs.close(b), tariffs)
        shifter, gap, log_gap = lag.step(tl.kappa(tariffs, cost), (b - a).days)
        if tl.policy_only:
            tl.periods.append(Period(a, b, tariffs, None, {}, gap, log_gap, cost))
            continue
        same = (prev_t is not None and np.array_equal(tariffs, prev_t) and _same(cost, prev_c)
                and _same(shifter, prev_b, exact=False))
        eq = tl.last_eq if same else tl.solve(tariffs, shifter, cost)
        prev_t, prev_b, prev_c = tariffs, shifter, cost
        tl.last_eq = eq
        tl.set_flows(eq, through=b)
        metrics = tl.compare(tl.economy, tl.base, eq)
        tl.periods.append(Period(a, b, tariffs, eq, metrics, gap, log_gap, cost))
