"""One static counterfactual on a baseline, as tidy tables (the results layer).

``counterfactual(baseline, shock, closure)`` compares the shocked equilibrium with the model's
own baseline (baseline tariffs, same closure; solved once per economy content and closure by
:func:`sim.model.solved_baseline`, and read-only): per region
(:data:`sim.model.REGION_METRICS`), per exporter–importer–sector flow and per region–sector.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.baseline import Baseline, BaselineError, load_baseline
from sim.data.shock import Shock, ShockError, read_shock
from sim.model import (
    CLOSURES,
    Equilibrium,
    ModelInputError,
    SolverError,
    baseline_preconditioner,
    compare,
    solve_preconditioned,
    solved_baseline,
)

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


@dataclass(frozen=True)
class _Labels:
    """Label columns of the tidy tables (row-major ``[exporter, importer, sector]`` and
    ``[region, sector]``), built once per list of names: pandas string arrays are immutable
    here because every table copies them on construction."""

    region: pd.api.extensions.ExtensionArray
    exporter: pd.api.extensions.ExtensionArray
    importer: pd.api.extensions.ExtensionArray
    flow_sector: pd.api.extensions.ExtensionArray
    sector_region: pd.api.extensions.ExtensionArray
    sector: pd.api.extensions.ExtensionArray


@lru_cache(maxsize=32)
def _labels(regions: tuple[str, ...], sectors: tuple[str, ...]) -> _Labels:
    reg, sec = np.array(regions), np.array(sectors)
    n_reg, n_sec = len(reg), len(sec)

    def column(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
        return pd.Series(values).array

    return _Labels(
        region=column(reg),
        exporter=column(np.repeat(reg, n_reg * n_sec)),
        importer=column(np.tile(np.repeat(reg, n_sec), n_reg)),
        flow_sector=column(np.tile(sec, n_reg * n_reg)),
        sector_region=column(np.repeat(reg, n_sec)),
        sector=column(np.tile(sec, n_reg)),
    )


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
    base = solved_baseline(economy, closure)        # solved once per (economy, closure, θ)
    # the chord preconditioner at that baseline (also kept): the same equilibrium to solver
    # tolerance in a fraction of the plain iterations (sim.model.solver)
    new = solve_preconditioned(economy, baseline_preconditioner(economy, closure),
                               tariffs=tariffs, cost_factor=cost_factor, closure=closure,
                               initial=base)
    metrics = compare(economy, base, new)
    bad = [name for name, values in metrics.items() if not np.all(np.isfinite(values))]
    if bad or not np.all(np.isfinite(new.flows)):
        raise SolverError(f"the counterfactual has non-finite results ({', '.join(bad) or 'flows'}"
                          "): the shock is too large for the model to represent")
    labels = _labels(tuple(baseline.regions), tuple(baseline.sectors))
    regions = pd.DataFrame({"region": labels.region,
                            **{name: values[0] for name, values in metrics.items()}})
    value_base = base.flows[0].ravel()
    value_new = new.flows[0].ravel()
    flows = pd.DataFrame({
        "exporter": labels.exporter,
        "importer": labels.importer,
        "sector": labels.flow_sector,
        "tariff_base": base.tariffs[0].ravel(),
        "tariff_new": new.tariffs[0].ravel(),
        "value_base": value_base,
        "value_new": value_new,
        "change_pct": _pct_change(value_new, value_base),
    })
    sectors = pd.DataFrame({
        "region": labels.sector_region,
        "sector": labels.sector,
        "gross_output_base": base.gross_output[0].ravel(),
        "gross_output_new": new.gross_output[0].ravel(),
        "gross_output_pct": _pct_change(new.gross_output[0], base.gross_output[0]).ravel(),
        "value_added_base": base.value_added[0].ravel(),
        "value_added_new": new.value_added[0].ravel(),
        "value_added_pct": _pct_change(new.value_added[0], base.value_added[0]).ravel(),
        "price_pct": (100.0 * (new.price_hat[0] / base.price_hat[0] - 1.0)).ravel(),
    })
    return CounterfactualResult(baseline, closure, base, new, regions, flows, sectors)
