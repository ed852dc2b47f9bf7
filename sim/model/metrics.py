"""Per-region outcomes of a counterfactual against a solved baseline.

With ``base`` and ``new`` two equilibria of the same economy (``base`` normally the model's own
solved baseline, same closure, baseline tariffs), and ratios r̂ = new / base:

* ``welfare_pct``: exact change in real income, :math:`100\\,(\\hat I_n / \\hat P_n - 1)` with
  :math:`P_n = \\prod_j P_{nj}^{\\alpha_{nj}}` the final-demand price index and I = ŵ·VA + R + D;
* ``real_wage_pct``: :math:`100\\,(\\hat w_n / \\hat P_n - 1)`; ``wage_pct``: 100 (ŵ − 1) under
  the numeraire (world value added); ``price_index_pct``: 100 (P̂ − 1);
* Caliendo–Parro (2015) first-order decomposition with baseline weights (discrete changes, as
  their replication code and the cp2015 R port compute it); with M the baseline flows at producer
  prices, t the baseline tariffs and ĉ the change in unit costs:

  .. math::

      ToT_n = \\frac{100}{I_n} \\sum_{j} \\sum_{m \\ne n}
          \\big[ M_{nmj} (\\hat c_{nj} - 1) - M_{mnj} (\\hat c_{mj} - 1) \\big]

      VoT_n = \\frac{100}{I_n} \\sum_{ij} t_{inj} M_{inj}
          \\big( M'_{inj} / M_{inj} - \\hat c_{ij} \\big)

      Tech_n = -\\frac{100}{I_n} \\sum_{ij} M_{inj} (1 + t_{inj}) (\\hat d_{inj} - 1)

  and ``welfare_cp_pct`` = ToT + VoT + Tech. This is a first-order measure: for large shocks it
  can be far from the exact change (NAFTA, Mexico: +1.31 % against an exact +0.01 %).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from sim.model.economy import Economy
from sim.model.metric_registry import METRICS, BaselineUnit
from sim.model.solver import Equilibrium

__all__ = ["REGION_METRICS", "compare"]

#: name -> (unit, description) of the metrics :func:`compare` returns, derived from the metric
#: registry (``sim/model/metrics.toml``, :mod:`sim.model.metric_registry`); unit ``"unit"`` is
#: the baseline's money unit. Kept for existing readers; new code reads the registry.
REGION_METRICS: dict[str, tuple[str, str]] = {
    m.name: ("unit" if m.unit == BaselineUnit else m.unit, m.description)
    for m in METRICS.values() if m.scope == "region" and "counterfactual" in m.emitted_by}


#: column order of :func:`compare`'s result (the tables' order)
_ORDER = ("welfare_pct", "real_wage_pct", "price_index_pct", "wage_pct", "tot_pct", "vot_pct",
          "tech_pct", "income_base", "income_new", "tariff_revenue_base", "tariff_revenue_new",
          "exports_base", "exports_new", "imports_base", "imports_new", "welfare_cp_pct")


def _pct(ratio: np.ndarray) -> np.ndarray:
    return 100.0 * (ratio - 1.0)


def compare(economy: Economy, base: Equilibrium, new: Equilibrium,
            names: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """Per-region metrics ``[B, n]`` of ``new`` against ``base`` (see the module docstring).

    ``base`` may have batch size 1 and is then broadcast against ``new``. ``names`` (default
    all of :data:`REGION_METRICS`) limits the result to those metrics; each is computed the
    same way whichever others are asked for.
    """
    want = REGION_METRICS.keys() if names is None else set(names)
    unknown = sorted(set(want) - REGION_METRICS.keys())
    if unknown:
        raise KeyError(f"unknown region metrics {unknown}")
    shape = new.wage_hat.shape
    out: dict[str, np.ndarray] = {}
    p_hat = new.final_price_hat / base.final_price_hat                  # [b, n]
    w_hat = new.wage_hat / base.wage_hat
    income_base = np.broadcast_to(base.income, shape)
    if "welfare_pct" in want:
        out["welfare_pct"] = _pct(new.income / base.income / p_hat)
    if "real_wage_pct" in want:
        out["real_wage_pct"] = _pct(w_hat / p_hat)
    if "price_index_pct" in want:
        out["price_index_pct"] = _pct(p_hat)
    if "wage_pct" in want:
        out["wage_pct"] = _pct(w_hat)
    decomposition = {"tot_pct", "vot_pct", "tech_pct", "welfare_cp_pct"}
    if decomposition & want:
        out.update(_decomposition(base, new, income_base))
    for name, value in (("income_base", income_base), ("income_new", new.income),
                        ("tariff_revenue_base", base.tariff_revenue),
                        ("tariff_revenue_new", new.tariff_revenue)):
        if name in want:
            out[name] = value
    for which, eq in (("base", base), ("new", new)):
        if f"exports_{which}" in want or f"imports_{which}" in want:
            foreign = _foreign(eq.flows)
            out[f"exports_{which}"], out[f"imports_{which}"] = (foreign.sum(axis=(2, 3)),
                                                                foreign.sum(axis=(1, 3)))
    return {k: np.broadcast_to(out[k], shape).copy() for k in _ORDER if k in want}


def _foreign(flows: np.ndarray) -> np.ndarray:
    """``flows [b, i, n, j]`` with the domestic entries (i = n) set to 0."""
    n_reg = flows.shape[1]
    off_diag = ~np.eye(n_reg, dtype=bool)[None, :, :, None]
    return np.where(off_diag, flows, 0.0)


def _decomposition(base: Equilibrium, new: Equilibrium, income_base: np.ndarray
                   ) -> dict[str, np.ndarray]:
    """The Caliendo–Parro first-order terms (module docstring), % of baseline income."""
    c_hat = new.unit_cost_hat / base.unit_cost_hat                      # [b, n, j]
    m_base = base.flows                                                 # [b, i, n, j]
    t_base = base.tariffs
    # foreign flows valued at the exporter's cost change: summed over importers they are the
    # exporter's gain, summed over exporters the importer's loss
    cost_weighted = _foreign(m_base) * (c_hat[:, :, None, :] - 1.0)
    tot = cost_weighted.sum(axis=(2, 3)) - cost_weighted.sum(axis=(1, 3))
    volume_ratio = np.divide(new.flows, m_base, out=np.zeros_like(new.flows),
                             where=m_base > 0)
    vot = (t_base * m_base * (volume_ratio - c_hat[:, :, None, :])).sum(axis=(1, 3))
    d_ratio = new.cost_factor / base.cost_factor
    tech = -(m_base * (1.0 + t_base) * (d_ratio - 1.0)).sum(axis=(1, 3))
    out = {"tot_pct": 100.0 * tot / income_base, "vot_pct": 100.0 * vot / income_base,
           "tech_pct": 100.0 * tech / income_base}
    out["welfare_cp_pct"] = out["tot_pct"] + out["vot_pct"] + out["tech_pct"]
    return out
