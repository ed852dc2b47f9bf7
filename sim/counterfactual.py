"""One static counterfactual on a baseline, as tidy tables (the results layer).

``counterfactual(baseline, shock, closure)`` solves the model's own baseline (baseline tariffs,
same closure) and the shocked equilibrium, and compares them: per region
(:data:`sim.model.REGION_METRICS`), per exporter–importer–sector flow and per region–sector.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.baseline import Baseline, load_baseline
from sim.data.shock import Shock, read_shock
from sim.model import Equilibrium, compare, solve

__all__ = ["CounterfactualResult", "counterfactual"]


@dataclass(frozen=True)
class CounterfactualResult:
    """Tidy tables of one counterfactual against the solved baseline."""

    baseline: Baseline
    closure: str
    base: Equilibrium
    new: Equilibrium
    regions: pd.DataFrame
    flows: pd.DataFrame
    sectors: pd.DataFrame

    def write(self, out: str | Path) -> list[Path]:
        """Write ``regions.csv``, ``flows.csv`` and ``sectors.csv`` into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in (("regions", self.regions), ("flows", self.flows),
                            ("sectors", self.sectors)):
            path = out / f"{name}.csv"
            table.to_csv(path, index=False, float_format="%.10g")
            written.append(path)
        return written


def _pct_change(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old > 0, 100.0 * (new / old - 1.0), np.nan)


def counterfactual(
    baseline: Baseline | str | Path,
    shock: Shock | str | Path | None = None,
    closure: str = "fixed",
    *,
    tariffs: np.ndarray | None = None,
    cost_factor: np.ndarray | None = None,
) -> CounterfactualResult:
    """Solve a counterfactual and return tidy tables.

    The shock is a :class:`Shock`, a shock CSV path, or ``tariffs`` / ``cost_factor`` arrays
    ``[exporter, importer, sector]`` given directly. Values are in the baseline's unit.
    """
    if not isinstance(baseline, Baseline):
        baseline = load_baseline(baseline)
    if isinstance(shock, str | Path):
        shock = read_shock(shock, baseline)
    if shock is not None:
        tariffs, cost_factor = shock.tariffs, shock.cost_factor
    economy = baseline.economy
    base = solve(economy, closure=closure)
    new = solve(economy, tariffs=tariffs, cost_factor=cost_factor, closure=closure,
                initial=base)
    metrics = compare(economy, base, new)
    regions = pd.DataFrame({"region": baseline.regions})
    for name, values in metrics.items():
        regions[name] = values[0]

    n_reg, n_sec = len(baseline.regions), len(baseline.sectors)
    exp_idx, imp_idx, sec_idx = np.meshgrid(np.arange(n_reg), np.arange(n_reg),
                                            np.arange(n_sec), indexing="ij")
    value_base = base.flows[0].ravel()
    value_new = new.flows[0].ravel()
    flows = pd.DataFrame({
        "exporter": np.array(baseline.regions)[exp_idx.ravel()],
        "importer": np.array(baseline.regions)[imp_idx.ravel()],
        "sector": np.array(baseline.sectors)[sec_idx.ravel()],
        "tariff_base": base.tariffs[0].ravel(),
        "tariff_new": new.tariffs[0].ravel(),
        "value_base": value_base,
        "value_new": value_new,
        "change_pct": _pct_change(value_new, value_base),
    })
    reg_idx, s_idx = np.meshgrid(np.arange(n_reg), np.arange(n_sec), indexing="ij")
    sectors = pd.DataFrame({
        "region": np.array(baseline.regions)[reg_idx.ravel()],
        "sector": np.array(baseline.sectors)[s_idx.ravel()],
        "gross_output_base": base.gross_output[0].ravel(),
        "gross_output_new": new.gross_output[0].ravel(),
        "gross_output_pct": _pct_change(new.gross_output[0], base.gross_output[0]).ravel(),
        "value_added_base": base.value_added[0].ravel(),
        "value_added_new": new.value_added[0].ravel(),
        "value_added_pct": _pct_change(new.value_added[0], base.value_added[0]).ravel(),
        "price_pct": (100.0 * (new.price_hat[0] / base.price_hat[0] - 1.0)).ravel(),
    })
    return CounterfactualResult(baseline, closure, base, new, regions, flows, sectors)
