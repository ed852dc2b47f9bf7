"""The chord-preconditioned solve (``solve_preconditioned``) and ``compare(names=...)``: the
same equilibria as the plain solve to solver tolerance, members that never mix, a fallback that
still converges when the preconditioner is poor (unit and property tests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from model_helpers import random_economy
from numpy.testing import assert_allclose
from test_model_solver import SETTINGS, assert_equilibrium, economies, tariff_shock

import sim.model.solver as solver_module
from sim.model import (
    CLOSURES,
    REGION_METRICS,
    ModelInputError,
    SolverError,
    baseline_preconditioner,
    compare,
    preconditioner,
    solve,
    solve_preconditioned,
)
from sim.model.baseline_cache import clear_baseline_cache


def assert_same_equilibrium(a, b, economy) -> None:
    """Two solutions of one problem by different iterations, each to residual 1e-10: equal
    to solver tolerance (1e-7 relative leaves room for the slowly converging, ill-conditioned
    random economies; members that mixed would differ by far more)."""
    assert_allclose(a.wage_hat, b.wage_hat, rtol=1e-7)
    assert_allclose(a.unit_cost_hat, b.unit_cost_hat, rtol=1e-7)
    assert_allclose(a.income, b.income, rtol=1e-7)
    assert_allclose(a.flows, b.flows, rtol=1e-6, atol=1e-9 * economy.flows.max())


@SETTINGS
@given(economy=economies, seed=st.integers(0, 10_000), closure=st.sampled_from(CLOSURES),
       scale=st.sampled_from([0.05, 0.3, 1.0]))
def test_chord_solve_equals_plain_solve(economy, seed, closure, scale):
    """Warm or cold, small shock or large: the same equilibrium as ``solve``."""
    base = solve(economy, closure=closure)
    pre = preconditioner(economy, base, closure)
    assert pre is not None
    shocks = np.stack([tariff_shock(economy, seed + k, scale) for k in range(3)])
    for initial in (base, None):
        plain = solve(economy, tariffs=shocks, closure=closure, initial=initial)
        chord = solve_preconditioned(economy, pre, tariffs=shocks, closure=closure,
                                     initial=initial)
        assert chord.residual < 1e-10
        assert_same_equilibrium(chord, plain, economy)
        assert_equilibrium(economy, chord)


@SETTINGS
@given(economy=economies, seed=st.integers(0, 10_000), closure=st.sampled_from(CLOSURES))
def test_members_never_mix(economy, seed, closure):
    """A member's equilibrium does not depend on its batch mates (other shocks, other θ, a
    member so far out that it falls back to the plain map): each equals its solo solve to
    solver tolerance, and a batch of one is exactly the solo solve."""
    base = solve(economy, closure=closure)
    pre = preconditioner(economy, base, closure)
    shocks = np.stack([tariff_shock(economy, seed + k, 0.1 * (k + 1)) for k in range(4)])
    shocks[3] *= 5.0                                  # far from the preconditioner's point
    thetas = np.stack([economy.theta * (0.6 + 0.3 * k) for k in range(4)])
    try:                                              # a shock the model can take
        solve(economy, tariffs=shocks, theta=thetas, closure=closure)
    except SolverError:
        assume(False)
    full = solve_preconditioned(economy, pre, tariffs=shocks, theta=thetas, closure=closure,
                                initial=base)
    for k in range(4):
        one = solve_preconditioned(economy, pre, tariffs=shocks[k], theta=thetas[k],
                                   closure=closure, initial=base)
        assert_same_equilibrium(full.take(k), one, economy)
        again = solve_preconditioned(economy, pre, tariffs=shocks[k:k + 1],
                                     theta=thetas[k:k + 1], closure=closure, initial=base)
        assert np.array_equal(again.flows, one.flows)


def test_preconditioner_saves_iterations_near_its_point():
    """What it is for: a small shock from the solved baseline takes far fewer iterations."""
    economy = random_economy(11, 6, 3)
    base = solve(economy)
    pre = preconditioner(economy, base)
    shock = economy.tariffs + tariff_shock(economy, 5, 0.02)
    plain = solve(economy, tariffs=shock, initial=base)
    chord = solve_preconditioned(economy, pre, tariffs=shock, initial=base)
    assert chord.iterations * 2 <= plain.iterations
    assert_same_equilibrium(chord, plain, economy)


def test_without_preconditioner_it_is_the_plain_solve():
    economy = random_economy(3, 4, 2)
    shocks = np.stack([tariff_shock(economy, k) for k in range(3)])
    a = solve(economy, tariffs=shocks, closure="ratio")
    b = solve_preconditioned(economy, None, tariffs=shocks, closure="ratio")
    for name, value in vars(a).items():
        other = getattr(b, name)
        assert (np.array_equal(value, other) if isinstance(value, np.ndarray)
                else value == other), name


def test_useless_preconditioner_falls_back_and_converges():
    """A preconditioner of another economy (same shape) is wrong everywhere: each member
    falls back to the plain map and still reaches the plain equilibrium."""
    economy = random_economy(21, 4, 2)
    other = random_economy(99, 4, 2)
    wrong = preconditioner(other, solve(other))
    shock = tariff_shock(economy, 2, 0.5)
    chord = solve_preconditioned(economy, wrong, tariffs=shock)
    assert_same_equilibrium(chord, solve(economy, tariffs=shock), economy)


def test_errors_are_those_of_solve():
    economy = random_economy(4, 3, 2)
    pre = preconditioner(economy, solve(economy))
    with pytest.raises(ModelInputError, match="closure 'fixed'"):
        solve_preconditioned(economy, pre, closure="zero")
    with pytest.raises(ModelInputError, match="3 regions x 2 sectors"):
        solve_preconditioned(random_economy(4, 4, 2), pre)
    with pytest.raises(ModelInputError, match="tariffs must be >= 0"):
        solve_preconditioned(economy, pre, tariffs=-np.ones(economy.flows.shape))
    with pytest.raises(ModelInputError, match="NaN"):
        solve_preconditioned(economy, pre, cost_factor=np.full(economy.flows.shape, np.nan))
    with pytest.raises(SolverError, match="no convergence"):
        solve_preconditioned(economy, pre, tariffs=tariff_shock(economy, 3), max_iter=1)
    d_hat = np.ones(economy.flows.shape)
    d_hat[0, 1:, :] = 1e-300
    with pytest.raises(SolverError, match="out of numerical range"):
        solve_preconditioned(economy, pre, cost_factor=d_hat)


def test_large_economy_gets_no_preconditioner(monkeypatch):
    economy = random_economy(6, 4, 2)
    monkeypatch.setattr(solver_module, "MAX_PRECONDITIONED_SIZE", 10)
    assert preconditioner(economy, solve(economy)) is None
    clear_baseline_cache()
    assert baseline_preconditioner(economy) is None
    clear_baseline_cache()


def test_baseline_preconditioner_is_kept_per_content_and_closure():
    economy = random_economy(8, 3, 2)
    clear_baseline_cache()
    first = baseline_preconditioner(economy, "zero")
    assert baseline_preconditioner(economy, "zero") is first
    assert baseline_preconditioner(economy, "fixed") is not first
    assert not first.matrix_t.flags.writeable
    clear_baseline_cache()


@pytest.mark.parametrize("names", [["welfare_pct"], ["exports_new", "tot_pct"],
                                   ["income_base", "imports_base", "welfare_cp_pct"]])
def test_compare_subset_equals_full_compare(names):
    economy = random_economy(5, 4, 3)
    base = solve(economy)
    new = solve(economy, tariffs=tariff_shock(economy, 1), initial=base)
    full = compare(economy, base, new)
    assert sorted(full) == sorted(REGION_METRICS)
    part = compare(economy, base, new, names)
    assert sorted(part) == sorted(names)
    for name in names:
        assert np.array_equal(part[name], full[name]), name
    with pytest.raises(KeyError, match="nope"):
        compare(economy, base, new, ["nope"])
