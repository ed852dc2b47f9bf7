"""Published results the engine must reproduce, computed live (``tradesim validate``).

Cases:

* Caliendo & Parro (2015), NAFTA: 1993 data, tariffs among Canada, Mexico and the USA moved to
  their 2005 levels. Published figures (their Table 3/4 and the cp2015 R port): the
  zero-aggregate-deficit run (closure ``zero``) and the run with the 1993 deficits kept
  (closure ``fixed``). CP's "welfare" is their first-order decomposition, compared here with
  ``welfare_cp_pct``; the exact real-income change is reported beside it, unranked.
* Arkolakis, Costinot & Rodríguez-Clare (2012): in the one-sector model without tariffs or
  input–output links the welfare change equals π̂_nn^(−1/θ). The engine's welfare change is
  compared with the formula evaluated at π̂_nn from an independent solver of the same model in
  levels (so the check fails if either solver is wrong), on random balanced economies.
* The USITC gegravity sample (30 countries, 2006, manufacturing) through the one-sector path:
  the ACR identity again, on real data, for a 10 % cut in the cost of all international trade.
* Structural gravity (Yotov et al. 2016, Table 3): the guide's PPML estimates of the effect of
  trade agreements, reproduced from the panel shipped in ``sim/estimate/data`` (rows from
  :mod:`sim.estimate.validation`; skipped if the optional library pyfixest is missing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.data.cp2015 import NAFTA, CP2015DataMissing, load_cp2015
from sim.data.gegravity import GegravityDataMissing, load_gegravity_sample
from sim.data.shared import Check, default_data_dir
from sim.model import Economy, compare, solve

__all__ = ["Check", "DataMissing", "default_data_dir", "run_validation"]

#: (closure, metric) -> published values for (Canada, Mexico, USA), tolerance in points
CP2015_PUBLISHED: dict[tuple[str, str], tuple[tuple[float, float, float], float]] = {
    ("zero", "welfare_cp_pct"): ((-0.0638, 1.31, 0.0848), 0.005),
    ("zero", "real_wage_pct"): ((0.323, 1.72, 0.112), 0.005),
    ("zero", "tot_pct"): ((-0.108, -0.412, 0.0435), 0.005),
    ("zero", "vot_pct"): ((0.0443, 1.72, 0.0412), 0.005),
    ("fixed", "welfare_cp_pct"): ((-0.04, 1.17, 0.08), 0.005),
    ("fixed", "real_wage_pct"): ((0.33, 1.64, 0.12), 0.005),
}
CP2015_SOURCE = ("Caliendo & Parro (2015), ReStud 82(1), NAFTA tariff changes; cp2015 R port "
                 "(zero-deficit figures to 3-4 digits)")


class DataMissing(FileNotFoundError):
    """The validation data are not in the data directory."""


def cp2015_checks(data_dir: Path) -> list[Check]:
    case = load_cp2015(data_dir / "caliendo_parro_2015")
    members = [case.regions.index(r) for r in NAFTA]
    checks: list[Check] = []
    for closure in ("zero", "fixed"):
        base = solve(case.economy, closure=closure)
        new = solve(case.economy, tariffs=case.tariffs_nafta, closure=closure, initial=base)
        metrics = compare(case.economy, base, new)
        label = f"CP2015 NAFTA, closure={closure}"
        for (cl, metric), (values, tol) in CP2015_PUBLISHED.items():
            if cl != closure:
                continue
            for region, k, published in zip(NAFTA, members, values, strict=True):
                checks.append(Check(label, region, metric, published,
                                    float(metrics[metric][0, k]), tol, CP2015_SOURCE))
        for region, k in zip(NAFTA, members, strict=True):
            checks.append(Check(label, region, "welfare_pct (exact, not published)", None,
                                float(metrics["welfare_pct"][0, k]), None,
                                "computed: exact real-income change of the same equilibrium"))
    return checks


def random_one_sector_economy(rng: np.random.Generator, n_regions: int,
                              theta: float) -> Economy:
    """A balanced one-sector economy (total imports = total exports in every region)."""
    flows = rng.lognormal(0.0, 1.0, (n_regions, n_regions))
    flows[np.diag_indices(n_regions)] *= 5.0 * n_regions
    target = rng.uniform(0.5, 2.0, n_regions)
    for _ in range(2000):   # Sinkhorn balancing: row sums = column sums = target
        flows *= (target / flows.sum(axis=1))[:, None]
        flows *= (target / flows.sum(axis=0))[None, :]
        if np.allclose(flows.sum(axis=1), target, rtol=1e-14, atol=0):
            break
    return Economy(flows=flows[:, :, None], tariffs=np.zeros((n_regions, n_regions, 1)),
                   va_share=np.ones((n_regions, 1)), io_share=np.zeros((n_regions, 1, 1)),
                   theta=np.array([theta]))


def levels_one_sector(economy: Economy, cost_factor: np.ndarray,
                      iterations: int = 20000) -> np.ndarray:
    """Own-trade-share change π̂_nn from an independent solver of the one-sector model in
    levels (Alvarez–Lucas wage iteration w_i Y_i = Σ_n π_in(w) (w_n Y_n + D_n)), used to
    check the hat-algebra solver: its only link to the engine is the baseline data."""
    flows = economy.flows[:, :, 0]
    output = flows.sum(axis=1)
    deficit = economy.deficit
    theta = economy.theta[0]
    base_share = flows / flows.sum(axis=0, keepdims=True)   # π[i, n] at w = 1
    openness = base_share * cost_factor[:, :, 0] ** (-theta)
    wage = np.ones_like(output)
    for _ in range(iterations):
        cost = openness * wage[:, None] ** (-theta)
        share = cost / cost.sum(axis=0, keepdims=True)
        spending = wage * output + deficit
        demand = (share * spending[None, :]).sum(axis=1)
        # tatonnement: raise the wage where demand exceeds supply, damped by 1 / (1 + θ)
        new_wage = wage * (demand / (wage * output)) ** (1.0 / (1.0 + theta))
        new_wage /= (new_wage * output).sum() / output.sum()
        if np.max(np.abs(new_wage - wage)) < 1e-15:
            wage = new_wage
            break
        wage = new_wage
    else:
        raise RuntimeError("the levels solver of the ACR check did not converge")
    cost = openness * wage[:, None] ** (-theta)
    share = cost / cost.sum(axis=0, keepdims=True)
    return np.diagonal(share) / np.diagonal(base_share)


def acr_gap(economy: Economy, cost_factor: np.ndarray, closure: str = "fixed") -> float:
    """max |real-wage change from the engine − ACR formula with π̂_nn from the levels solver|."""
    base = solve(economy, tol=1e-13, closure=closure)
    new = solve(economy, cost_factor=cost_factor, tol=1e-13, initial=base, closure=closure)
    m = compare(economy, base, new)
    acr = levels_one_sector(economy, cost_factor) ** (-1.0 / economy.theta[0])
    metric = "welfare_pct" if np.allclose(economy.deficit, 0.0) else "real_wage_pct"
    return float(np.max(np.abs(1.0 + m[metric][0] / 100.0 - acr)))


def acr_checks(seed: int = 2012) -> list[Check]:
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(20):
        n = int(rng.integers(3, 12))
        economy = random_one_sector_economy(rng, n, float(rng.uniform(2.0, 10.0)))
        d_hat = rng.uniform(0.7, 1.4, (n, n, 1))
        d_hat[np.diag_indices(n)] = 1.0
        worst = max(worst, acr_gap(economy, d_hat))
    return [Check("ACR (2012) formula, 20 random balanced one-sector economies", "all",
                  "max |W^ - pi^_nn^(-1/theta)| (pi^_nn from a levels solver)", 0.0, worst, 1e-8,
                  "Arkolakis, Costinot & Rodriguez-Clare (2012), AER 102(1)")]


def gegravity_checks(data_dir: Path) -> list[Check]:
    sample = load_gegravity_sample(data_dir / "gegravity_sample")
    economy = sample.economy
    n = economy.n_regions
    d_hat = np.full((n, n, 1), 0.9)
    d_hat[np.diag_indices(n)] = 1.0
    gap_real_wage = acr_gap(economy, d_hat)
    return [Check("gegravity sample (30 countries, 2006), one-sector path, 10 % lower "
                  "international trade costs", "all",
                  "max |w^/P^ - pi^_nn^(-1/theta)| (pi^_nn from a levels solver)",
                  0.0, gap_real_wage, 1e-8,
                  "USITC gegravity sample data; ACR identity (analytic)")]


def run_validation(data_dir: str | Path | None = None) -> list[Check]:
    """Every validation case; raises :class:`DataMissing` if the case data are absent."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    try:
        checks = cp2015_checks(data_dir)
        checks += gegravity_checks(data_dir)
    except (CP2015DataMissing, GegravityDataMissing) as exc:
        raise DataMissing(str(exc)) from None
    return checks + acr_checks() + _gravity_checks_if_installed()


def _gravity_checks_if_installed() -> list[Check]:
    """The guide's gravity estimates from the shipped panel (sim.estimate.validation); none
    if the optional estimation library is not installed (pip install -e '.[estimate]')."""
    from sim.estimate import EstimationUnavailable
    from sim.estimate.validation import gravity_checks

    try:
        return gravity_checks()
    except EstimationUnavailable:
        return []
