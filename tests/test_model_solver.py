"""The equilibrium solver: identities, invariances and errors (unit and property tests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_helpers import random_economy
from numpy.testing import assert_allclose

from sim.model import CLOSURES, Economy, ModelInputError, SolverError, compare, solve

SETTINGS = settings(max_examples=int(__import__("os").environ.get("TRADESIM_HYPOTHESIS_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
economies = st.builds(random_economy, seed=st.integers(0, 10_000),
                      n_regions=st.integers(2, 5), n_sectors=st.integers(1, 3))


def tariff_shock(economy: Economy, seed: int, scale: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    new = rng.uniform(0.0, scale, economy.flows.shape)
    new[np.arange(economy.n_regions), np.arange(economy.n_regions), :] = 0.0
    return new


def assert_equilibrium(economy: Economy, eq, tol: float = 1e-9) -> None:
    """Market clearing, budgets and the numeraire hold in every batch member."""
    scale = economy.expenditure.sum()
    # gross output is what every importer buys from the exporter at producer prices
    assert_allclose(eq.gross_output, eq.flows.sum(axis=2), atol=tol * scale)
    # expenditure = intermediate demand + final demand out of income
    inter = np.einsum("njk,bnk->bnj", economy.io_share, eq.gross_output)
    assert_allclose(eq.expenditure, inter + economy.final_share * eq.income[:, :, None],
                    atol=tol * scale)
    # income = wages + tariff revenue + deficit, with revenue from the flows themselves
    revenue = (eq.tariffs * eq.flows).sum(axis=(1, 3))
    assert_allclose(eq.tariff_revenue, revenue, atol=tol * scale)
    assert_allclose(eq.income, eq.wage_hat * economy.value_added + revenue + eq.deficit,
                    atol=tol * scale)
    # trade balance and labour market
    imports = eq.flows.sum(axis=(1, 3))
    exports = eq.flows.sum(axis=(2, 3))
    assert_allclose(imports - exports, eq.deficit, atol=tol * scale)
    assert_allclose((economy.va_share * eq.gross_output).sum(axis=2),
                    eq.wage_hat * economy.value_added, atol=tol * scale)
    assert_allclose((eq.wage_hat * economy.value_added).sum(axis=1),
                    economy.value_added.sum(), rtol=tol)
    assert_allclose(eq.deficit.sum(axis=1), 0.0, atol=tol * scale)


@SETTINGS
@given(economy=economies, closure=st.sampled_from(CLOSURES))
def test_zero_shock_changes_nothing(economy, closure):
    """Re-solving with the baseline tariffs reproduces the solved baseline exactly."""
    base = solve(economy, closure=closure)
    again = solve(economy, tariffs=economy.tariffs, closure=closure)
    metrics = compare(economy, base, again)
    for name in ("welfare_pct", "real_wage_pct", "price_index_pct", "wage_pct",
                 "welfare_cp_pct"):
        assert_allclose(metrics[name], 0.0, atol=1e-7)
    assert_allclose(again.flows, base.flows, rtol=1e-8, atol=1e-9 * economy.flows.max())


@SETTINGS
@given(economy=economies, seed=st.integers(0, 10_000), closure=st.sampled_from(CLOSURES))
def test_identities_hold_after_solve(economy, seed, closure):
    """Market clearing and budget identities hold to 1e-9 after every solve."""
    new = solve(economy, tariffs=tariff_shock(economy, seed), closure=closure)
    assert_equilibrium(economy, new)


@SETTINGS
@given(economy=economies, seed=st.integers(0, 10_000))
def test_relabelling_regions_permutes_results(economy, seed):
    """Solving a relabelled world gives the same results, relabelled."""
    perm = np.random.default_rng(seed).permutation(economy.n_regions)
    shock = tariff_shock(economy, seed)
    permuted = Economy(economy.flows[np.ix_(perm, perm)], economy.tariffs[np.ix_(perm, perm)],
                       economy.va_share[perm], economy.io_share[perm], economy.theta)
    m1 = compare(economy, solve(economy), solve(economy, tariffs=shock))
    m2 = compare(permuted, solve(permuted), solve(permuted, tariffs=shock[np.ix_(perm, perm)]))
    for name in ("welfare_pct", "real_wage_pct", "tot_pct", "vot_pct"):
        assert_allclose(m2[name][0], m1[name][0][perm], atol=1e-8)


@SETTINGS
@given(economy=economies, importer=st.integers(0, 4), rate=st.floats(0.05, 1.0))
def test_tariff_raises_importers_price_index(economy, importer, rate):
    """A uniform tariff increase by one importer raises its consumer price index and cuts
    its imports. (Its price index relative to its own wage need not rise: with large
    terms-of-trade gains the Metzler paradox can occur, and hypothesis found such cases.)"""
    importer %= economy.n_regions
    new_t = np.array(economy.tariffs, copy=True)
    others = np.arange(economy.n_regions) != importer
    new_t[others, importer, :] += rate
    base = solve(economy)
    new = solve(economy, tariffs=new_t)
    m = compare(economy, base, new)
    assert m["price_index_pct"][0, importer] > 0
    assert m["imports_new"][0, importer] < m["imports_base"][0, importer]


@SETTINGS
@given(economy=economies, seed=st.integers(0, 10_000), closure=st.sampled_from(CLOSURES))
def test_batch_equals_one_by_one(economy, seed, closure):
    """A batch solve gives the same equilibria as solving each shock alone."""
    shocks = np.stack([tariff_shock(economy, seed + k) for k in range(4)])
    batch = solve(economy, tariffs=shocks, closure=closure)
    for k in range(4):
        one = solve(economy, tariffs=shocks[k], closure=closure)
        assert_allclose(batch.wage_hat[k], one.wage_hat[0], rtol=1e-9)
        assert_allclose(batch.flows[k], one.flows[0], rtol=1e-8,
                        atol=1e-10 * economy.flows.max())


@SETTINGS
@given(economy=economies, seed=st.integers(0, 10_000), closure=st.sampled_from(CLOSURES))
def test_member_bits_do_not_depend_on_batch_mates(economy, seed, closure):
    """Each batch member stops on its own residual: its result is the same bits in any batch."""
    shocks = np.stack([tariff_shock(economy, seed + k, 0.05 * (k + 1)) for k in range(5)])
    thetas = np.stack([economy.theta * (0.6 + 0.2 * k) for k in range(5)])
    full = solve(economy, tariffs=shocks, theta=thetas, closure=closure)
    for order in ([3, 1], [0], [2], [4, 0]):
        part = solve(economy, tariffs=shocks[order], theta=thetas[order], closure=closure)
        for pos, k in enumerate(order):
            assert np.array_equal(part.wage_hat[pos], full.wage_hat[k])
            assert np.array_equal(part.flows[pos], full.flows[k])


def test_theta_batch_axis():
    """Elasticities can vary along the batch axis (Monte Carlo draws)."""
    economy = random_economy(3)
    thetas = np.stack([economy.theta * s for s in (0.5, 1.0, 2.0)])
    shock = tariff_shock(economy, 1)
    batch = solve(economy, tariffs=shock, theta=thetas)
    for k in range(3):
        one = solve(economy.with_theta(thetas[k]), tariffs=shock)
        assert_allclose(batch.wage_hat[k], one.wage_hat[0], rtol=1e-9)


def test_warm_start_reaches_the_same_equilibrium_faster():
    """A warm start from a nearby equilibrium converges to the same point in fewer steps."""
    economy = random_economy(11, 5, 3)
    first = solve(economy, tariffs=tariff_shock(economy, 2, 0.2))
    shock = tariff_shock(economy, 2, 0.21)
    cold = solve(economy, tariffs=shock)
    warm = solve(economy, tariffs=shock, initial=first)
    assert_allclose(warm.wage_hat, cold.wage_hat, rtol=1e-9)
    assert warm.iterations < cold.iterations


def test_iceberg_and_tariff_equivalence_without_revenue_effects():
    """With no tariffs anywhere, a cost factor d̂ acts on shares exactly like 1 + t' would
    on prices: both scale delivered costs by the same factor."""
    economy = random_economy(5, 3, 2, tariffs=False)
    d_hat = np.full(economy.flows.shape, 1.1)
    d_hat[np.arange(3), np.arange(3), :] = 1.0
    new = solve(economy, cost_factor=d_hat)
    assert_equilibrium(economy, new)
    m = compare(economy, solve(economy), new)
    assert np.all(m["real_wage_pct"] < 0)      # dearer trade everywhere: everyone loses
    assert np.all(m["tech_pct"] < 0)


def test_negative_tariff_is_refused():
    economy = random_economy(1)
    bad = np.array(economy.tariffs, copy=True)
    bad[0, 1, 0] = -0.1
    with pytest.raises(ModelInputError, match="tariffs must be >= 0"):
        solve(economy, tariffs=bad)


def test_nan_and_shape_errors_are_refused():
    economy = random_economy(1)
    bad = np.array(economy.tariffs, copy=True)
    bad[0, 1, 0] = np.nan
    with pytest.raises(ModelInputError, match="NaN"):
        solve(economy, tariffs=bad)
    with pytest.raises(ModelInputError, match="shape"):
        solve(economy, tariffs=np.zeros((2, 2)))
    with pytest.raises(ModelInputError, match="closure"):
        solve(economy, closure="balanced")


def test_non_convergence_is_reported():
    economy = random_economy(2)
    with pytest.raises(SolverError, match="no convergence"):
        solve(economy, tariffs=tariff_shock(economy, 3), max_iter=2)


def test_infeasible_shock_is_reported_not_returned():
    """An absurd cost shock that drives numbers out of range raises, never returns NaN."""
    economy = random_economy(4, 3, 2)
    d_hat = np.ones(economy.flows.shape)
    d_hat[0, 1:, :] = 1e-300
    with pytest.raises(SolverError, match="out of numerical range"):
        solve(economy, cost_factor=d_hat)
