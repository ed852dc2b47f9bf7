"""Distributions of the trade elasticities θ for Monte Carlo draws (table as data).

``data/theta_cp2015.csv`` lists the 20 Caliendo–Parro (2015) tradable sectors with the θ of the
replication inputs (``T.txt``), a standard error reproduced from the authors' code and data (not
checked against the printed Table 1), the 1993 world trade that weights them into our 7 sectors
(``xbilat1993.txt``) and the sources; ``python -m sim.data.build.theta_table`` writes it from
the shared source data. For a project sector s with CP members k and
trade weights w_k (Σ w_k = 1):

.. math::

    \\theta_s = \\sum_k w_k \\theta_k, \\qquad
    se_s = \\sqrt{\\sum_k w_k^2 se_k^2}\\quad\\text{(independent sector estimates)}

Members without a usable estimate (CP's 8.22 placeholder for Auto and OtherTransport) and sectors
with no member (services) get the median relative standard error of the estimated sectors
(:data:`NO_SE_RULE`).
A draw multiplies the baseline's θ by a log-normal factor with median 1,

.. math:: \\theta_s^{(k)} = \\theta_s \\exp(\\sigma_s z_{s}^{(k)}),\\qquad
          \\sigma_s = \\sqrt{\\ln(1 + (se_s/\\theta_s)^2)},\\quad z \\sim N(0, 1)

so θ stays positive and the point estimate is the median draw. ``z`` of draw k comes from
``SeedSequence(seed).spawn(n)[k]`` (see :func:`draw_seed`), whatever the executor or chunking.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["NO_SE_RULE", "THETA_TABLE", "ThetaDistribution", "draw_seed", "median_relative_se",
           "theta_distribution", "theta_draws", "theta_table_rows"]

#: how draws treat a CP sector without a standard error (Auto, OtherTransport) and sectors
#: with no CP member (services); shown on the Method page and in docs/batch.md
NO_SE_RULE = ("Auto and OtherTransport carry CP's non-estimated θ = 8.22 and no standard "
              "error; their draws (and those of services, which have no CP member) use the "
              "median relative standard error (s.e./θ) of the 18 estimated sectors, applied to "
              "their θ.")
SE_SOURCE = ("s.e. reproduced from the authors' code and data (not checked against the printed "
             "Table 1)")

THETA_TABLE = Path(__file__).resolve().parent / "data" / "theta_cp2015.csv"


@dataclass(frozen=True)
class ThetaDistribution:
    """Per-sector log-normal spread of θ: ``sigma[j]`` (log scale) and provenance."""

    sectors: tuple[str, ...]
    theta: np.ndarray        # trade-weighted point estimate (for the table; draws scale the
    se: np.ndarray           # baseline's own θ)
    sigma: np.ndarray
    source: tuple[str, ...]


@lru_cache(maxsize=1)
def theta_table_rows() -> tuple[dict[str, str], ...]:
    """The rows of ``data/theta_cp2015.csv`` as read (strings)."""
    with open(THETA_TABLE, newline="", encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def median_relative_se() -> float:
    """Median of s.e./θ over the CP sectors that have a standard error (the rule
    :data:`NO_SE_RULE` for the others)."""
    rows = theta_table_rows()
    return float(np.median([float(r["se"]) / float(r["theta"]) for r in rows if r["se"]]))


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[float, float, float]]:
    """sector -> (θ, s.e., median relative s.e.) aggregated from the CSV."""
    rows = theta_table_rows()
    median_rel = median_relative_se()
    out: dict[str, list[tuple[float, float, float]]] = {}
    for r in rows:
        th = float(r["theta"])
        se = float(r["se"]) if r["se"] else median_rel * th
        out.setdefault(r["sector"], []).append((th, se, float(r["trade_1993_kusd"])))
    agg: dict[str, tuple[float, float, float]] = {}
    for s, items in out.items():
        w = np.array([x[2] for x in items])
        w = w / w.sum()
        th = float(np.sum(w * [x[0] for x in items]))
        se = float(np.sqrt(np.sum(w**2 * np.square([x[1] for x in items]))))
        agg[s] = (th, se, median_rel)
    agg["__median_rel__"] = (np.nan, np.nan, median_rel)
    return agg


def theta_distribution(sectors: list[str] | tuple[str, ...],
                       theta: np.ndarray | None = None) -> ThetaDistribution:
    """The spread of θ for ``sectors`` (names of the baseline). Unknown sectors (services,
    test baselines) get the median relative standard error of the CP estimates."""
    tab = _table()
    median_rel = tab["__median_rel__"][2]
    th, se, src = [], [], []
    for k, s in enumerate(sectors):
        if s in tab:
            t, e, _ = tab[s]
            src.append(f"CP2015 T.txt members, trade-weighted; {SE_SOURCE}")
        else:
            t = float(theta[k]) if theta is not None else 1.0
            e = median_rel * t
            src.append("no CP member: median relative s.e. of the CP estimates")
        th.append(t)
        se.append(e)
    th_a, se_a = np.array(th), np.array(se)
    sigma = np.sqrt(np.log1p((se_a / th_a) ** 2))
    return ThetaDistribution(tuple(sectors), th_a, se_a, sigma, tuple(src))


def draw_seed(seed: int, n_draws: int, k: int) -> np.random.SeedSequence:
    """Child ``k`` of ``SeedSequence(seed).spawn(n_draws)`` (built directly: same state)."""
    if not 0 <= k < n_draws:
        raise ValueError(f"draw {k} outside 0..{n_draws - 1}")
    return np.random.SeedSequence(seed, spawn_key=(k,))


def theta_draws(base_theta: np.ndarray, dist: ThetaDistribution, seed: int, n_draws: int,
                draws: list[int] | np.ndarray) -> np.ndarray:
    """θ ``[len(draws), j]`` for the given draw indices: the baseline's θ times
    ``exp(σ z)``; draw k's ``z`` comes from the first child of draw k's seed sequence."""
    out = np.empty((len(draws), len(base_theta)))
    for row, k in enumerate(draws):
        theta_seed = draw_seed(seed, n_draws, int(k)).spawn(1)[0]
        z = np.random.default_rng(theta_seed).standard_normal(len(base_theta))
        out[row] = np.asarray(base_theta, dtype=float) * np.exp(dist.sigma * z)
    return out
