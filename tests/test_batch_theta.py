"""Trade-elasticity distributions: table as data, aggregation, draws."""

from __future__ import annotations

import csv

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.theta import THETA_TABLE, theta_distribution, theta_draws
from sim.data.baseline import load_baseline


def test_table_has_sources_and_matches_the_baseline_theta():
    """Every CP sector has a θ source; trade-weighted θ equals the icio2022 sectors.csv θ."""
    with open(THETA_TABLE, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20 and all(r["theta_source"] and r["se_source"] for r in rows)
    bl = load_baseline("icio2022")
    d = theta_distribution(bl.sectors, bl.economy.theta)
    known = [k for k, s in enumerate(bl.sectors) if s != "services"]
    np.testing.assert_allclose(d.theta[known], bl.economy.theta[known], rtol=1e-6)
    assert np.all(d.sigma > 0) and np.all(d.se > 0)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.lists(st.integers(0, 99), min_size=1, max_size=8))
def test_draw_k_does_not_depend_on_the_other_draws(seed, ks):
    """θ of draw k is the same whichever draws are requested with it, and positive."""
    base = np.array([5.0, 21.0, 4.4, 6.3, 8.2, 6.6, 8.2])
    d = theta_distribution(["food_agriculture", "mining_energy", "metals",
                            "machinery_electronics", "motor_vehicles", "other_manufacturing",
                            "services"], base)
    together = theta_draws(base, d, seed, 100, ks)
    alone = np.stack([theta_draws(base, d, seed, 100, [k])[0] for k in ks])
    assert np.array_equal(together, alone) and np.all(together > 0)


def test_point_estimate_is_the_median_draw():
    """The log-normal draws are centred on the baseline θ (median within sampling error)."""
    base = np.full(7, 6.0)
    d = theta_distribution(["metals"] * 7, base)
    th = theta_draws(base, d, 11, 4000, range(4000))
    assert abs(np.median(th[:, 0]) / 6.0 - 1) < 0.03
