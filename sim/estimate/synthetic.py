r"""Synthetic trade panels drawn from a known gravity model (tests and benchmarks).

.. math::

    X_{ij,t} \sim \text{Poisson}\Big(s \cdot \exp\big(\pi_{i,t} + \chi_{j,t} + \mu_{ij}
        + \beta\, \text{rta}_{ij,t}\big)\Big)

with :math:`\pi, \chi \sim N(0, 0.5^2)`, symmetric pair effects
:math:`\mu_{ij} = -\ln d_{ij} + N(0, 0.3^2)` (:math:`d_{ij}` a random distance), a larger
intra-national effect (:math:`\mu_{ii} = 2`), and agreements that start for a random 30 % of
international pairs at a random year and stay in force. ``scale`` s sets the mean flow and so
the weight of the Poisson noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["synthetic_panel"]


def synthetic_panel(n_countries: int = 20, years: range | list[int] = range(2000, 2010),
                    beta: float = 0.5, scale: float = 200.0, seed: int = 0) -> pd.DataFrame:
    """A complete panel (every ordered pair incl. intra-national, every year) with columns
    ``exporter, importer, year, trade, dist, rta``; ``beta`` is the true agreement effect."""
    rng = np.random.default_rng(seed)
    years = list(years)
    n, t = n_countries, len(years)
    names = np.array([f"C{k:03d}" for k in range(n)])
    dist = rng.uniform(300.0, 15000.0, (n, n))
    dist = np.triu(dist, 1) + np.triu(dist, 1).T
    pair_effect = -np.log(np.where(dist > 0, dist / 1000.0, 1.0)) + rng.normal(0, 0.3, (n, n))
    pair_effect = np.triu(pair_effect, 1) + np.triu(pair_effect, 1).T
    np.fill_diagonal(pair_effect, 2.0)
    members = np.triu(rng.random((n, n)) < 0.3, 1)
    start = np.triu(rng.integers(0, t + 1, (n, n)), 1)   # index of first year in force
    members, start = members | members.T, start + start.T
    exporter_fe = rng.normal(0, 0.5, (n, t))
    importer_fe = rng.normal(0, 0.5, (n, t))
    i, j, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(t), indexing="ij")
    rta = (members[i, j] & (k >= start[i, j])).astype(np.int64)
    eta = exporter_fe[i, k] + importer_fe[j, k] + pair_effect[i, j] + beta * rta
    trade = rng.poisson(scale * np.exp(eta)).astype(float)
    return pd.DataFrame({
        "exporter": names[i.ravel()], "importer": names[j.ravel()],
        "year": np.asarray(years)[k.ravel()], "trade": trade.ravel(),
        "dist": np.where(i == j, 100.0, dist[i, j]).ravel(), "rta": rta.ravel()})
