"""Published-results checks: Caliendo–Parro (2015) NAFTA, ACR, the gegravity sample."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import require_shared

from sim.data.cp2015 import NAFTA, load_cp2015
from sim.model import compare, solve
from sim.validation import CP2015_PUBLISHED, acr_gap, random_one_sector_economy, run_validation


@pytest.fixture(scope="module")
def cp_case():
    return load_cp2015(require_shared("caliendo_parro_2015"))


@pytest.mark.parametrize("closure", ["zero", "fixed"])
def test_cp2015_nafta_reproduces_published(cp_case, closure):
    """CP 2015: welfare decomposition and real wages within 0.005 points of the paper."""
    base = solve(cp_case.economy, closure=closure)
    new = solve(cp_case.economy, tariffs=cp_case.tariffs_nafta, closure=closure, initial=base)
    m = compare(cp_case.economy, base, new)
    idx = [cp_case.regions.index(r) for r in NAFTA]
    for (cl, metric), (published, tol) in CP2015_PUBLISHED.items():
        if cl == closure:
            np.testing.assert_allclose(m[metric][0, idx], published, atol=tol, rtol=0,
                                       err_msg=f"{metric}, closure {closure}")
    if closure == "zero":   # exact real income: Mexico's gain nearly vanishes (lost revenue)
        assert abs(m["welfare_pct"][0, idx[1]] - 0.01) < 0.01


def test_cp2015_data_are_not_an_equilibrium(cp_case):
    """185 negative final-demand cells are zeroed, as the authors do; the loader says so."""
    assert cp_case.economy.negative_final_cells == 185
    assert cp_case.economy.equilibrium_gap > 1e-3


def test_acr_on_random_economies():
    rng = np.random.default_rng(99)
    for _ in range(5):
        n = int(rng.integers(3, 9))
        economy = random_one_sector_economy(rng, n, float(rng.uniform(2, 9)))
        d_hat = rng.uniform(0.7, 1.4, (n, n, 1))
        d_hat[np.arange(n), np.arange(n)] = 1.0
        assert acr_gap(economy, d_hat) < 1e-8


def test_acr_check_can_fail():
    """The ACR check compares two solvers: a wrong θ in the formula is caught."""
    rng = np.random.default_rng(5)
    economy = random_one_sector_economy(rng, 5, 4.0)
    d_hat = rng.uniform(0.7, 1.4, (5, 5, 1))
    d_hat[np.arange(5), np.arange(5)] = 1.0
    wrong = economy.with_theta(np.array([6.0]))
    from sim.validation import levels_one_sector
    base = solve(economy)
    new = solve(economy, cost_factor=d_hat)
    welfare = 1 + compare(economy, base, new)["welfare_pct"][0] / 100
    wrong_prediction = levels_one_sector(wrong, d_hat) ** (-1 / 6.0)
    assert np.max(np.abs(welfare - wrong_prediction)) > 1e-4


def test_run_validation_all_pass():
    checks = run_validation(require_shared())
    assert [c for c in checks if c.passed is False] == []
    assert sum(c.passed is True for c in checks) >= 20
