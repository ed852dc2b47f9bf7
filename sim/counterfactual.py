"""One static counterfactual on a baseline, as tidy tables (the results layer).

``counterfactual(baseline, shock, closure)`` solves the model's own baseline (baseline tariffs,
same closure) and the shocked equilibrium, and compares them: per region
(:data:`sim.model.REGION_METRICS`), per exporter–importer–sector flow and per region–sector.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.baseline import Baseline, BaselineError, load_baseline
from sim.data.shock import Shock, ShockError, read_shock
from sim.model import CLOSURES, Equilibrium, ModelInputError, SolverError, compare, solve

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
            tmp = out / f".{name}.csv.tmp"
            try:        # a full disk or an interruption leaves no partial file behind
                table.to_csv(tmp, index=False, float_format="%.10g")
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
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
    ``[exporter, importer, sector]`` given directly (not both). Values are in the baseline's
    unit.

    Raises
    ------
    BaselineError
        ``baseline`` is not a :class:`Baseline`, a directory or a shipped name, or is invalid.
    ShockError
        ``shock`` is not a :class:`Shock` or a CSV path, or the file is invalid.
    ModelInputError
        Conflicting arguments (``shock`` with ``tariffs``/``cost_factor``), arrays of the wrong
        shape or type, a tariff on domestic sales, an unknown closure.
    SolverError
        No convergence, or a non-finite result (numerical failure).
    """
    if not isinstance(baseline, Baseline):
        if not isinstance(baseline, str | Path):
            raise BaselineError(f"baseline must be a Baseline, a directory or a shipped name, "
                                f"got {type(baseline).__name__}")
        baseline = load_baseline(baseline)
    if shock is not None and (tariffs is not None or cost_factor is not None):
        raise ModelInputError("give either shock= or tariffs=/cost_factor=, not both")
    if not isinstance(closure, str) or closure not in CLOSURES:
        raise ModelInputError(f"closure must be one of {', '.join(CLOSURES)}, got {closure!r}")
    if isinstance(shock, str | Path):
        shock = read_shock(shock, baseline)
    elif shock is not None and not isinstance(shock, Shock):
        raise ShockError(f"shock must be a Shock or a CSV path, got {type(shock).__name__}")
    if shock is not None:
        tariffs, cost_factor = shock.tariffs, shock.cost_factor
    economy = baseline.economy
    if tariffs is not None:
        try:
            diag = np.diagonal(np.asarray(tariffs, dtype=float), axis1=-3, axis2=-2)
        except (TypeError, ValueError):
            raise ModelInputError(f"tariffs must be an array [exporter, importer, sector] of "
                                  f"numbers, got {type(tariffs).__name__}") from None
        if np.any(diag != 0):
            raise ModelInputError("tariffs on domestic sales (exporter == importer) must be 0")
    base = solve(economy, closure=closure)
    new = solve(economy, tariffs=tariffs, cost_factor=cost_factor, closure=closure,
                initial=base)
    metrics = compare(economy, base, new)
    bad = [name for name, values in metrics.items() if not np.all(np.isfinite(values))]
    if bad or not np.all(np.isfinite(new.flows)):
        raise SolverError(f"the counterfactual has non-finite results ({', '.join(bad) or 'flows'}"
                          "): the shock is too large for the model to represent")
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
