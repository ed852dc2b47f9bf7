"""``sim.counterfactual`` keeps the solved baseline and builds its tables at once (issue 10):
the results are exactly those of solving everything afresh and building the tables column by
column, and the kept baseline cannot be changed or confused with another economy's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.counterfactual import counterfactual
from sim.data.baseline import load_baseline
from sim.model import compare, preconditioner, solve, solve_preconditioned, solved_baseline
from sim.model.baseline_cache import clear_baseline_cache
from sim.model.economy import Economy
from sim.model.threads import one_blas_thread

SHOCK = Path(__file__).resolve().parents[1] / "examples" / "us_tariff_on_japan_25.csv"


def _reference_tables(bl, tariffs, closure, chord=True):
    """The tables as the pre-issue-10 code built them: baseline solved afresh, column by
    column; the counterfactual with the chord preconditioner built afresh at that baseline
    (``chord``, what ``counterfactual`` does) or with the plain solve. The baseline and the
    preconditioner are built with BLAS on one thread, as the kept ones are
    (``sim.model.baseline_cache``)."""
    with one_blas_thread():
        base = solve(bl.economy, closure=closure)
        pre = preconditioner(bl.economy, base, closure)
    if chord:
        new = solve_preconditioned(bl.economy, pre, tariffs=tariffs, closure=closure,
                                   initial=base)
    else:
        new = solve(bl.economy, tariffs=tariffs, closure=closure, initial=base)
    metrics = compare(bl.economy, base, new)
    regions = pd.DataFrame({"region": bl.regions})
    for name, values in metrics.items():
        regions[name] = values[0]
    rows = []
    for i, exp in enumerate(bl.regions):
        for n, imp in enumerate(bl.regions):
            for j, sec in enumerate(bl.sectors):
                vb, vn = base.flows[0, i, n, j], new.flows[0, i, n, j]
                rows.append((exp, imp, sec, base.tariffs[0, i, n, j], new.tariffs[0, i, n, j],
                             vb, vn, 100.0 * (vn / vb - 1.0) if vb > 0 else np.nan))
    flows = pd.DataFrame(rows, columns=["exporter", "importer", "sector", "tariff_base",
                                        "tariff_new", "value_base", "value_new", "change_pct"])
    return regions, flows, base


@pytest.mark.parametrize("closure", ["fixed", "zero", "ratio"])
def test_tables_equal_fresh_solve_built_column_by_column(closure):
    bl = load_baseline("icio2022")
    clear_baseline_cache()
    first = counterfactual(bl, SHOCK, closure)
    second = counterfactual(bl, SHOCK, closure)      # baseline from the cache
    assert second.base is first.base
    regions, flows, base = _reference_tables(bl, first.new.tariffs[0], closure)
    for res in (first, second):
        pd.testing.assert_frame_equal(res.regions, regions, check_exact=True)
        pd.testing.assert_frame_equal(res.flows, flows, check_exact=True, check_dtype=False)
        for name, value in vars(base).items():
            kept = getattr(res.base, name)
            assert (np.array_equal(kept, value) if isinstance(value, np.ndarray)
                    else kept == value), name
    # the chord-preconditioned counterfactual is the plain solve's equilibrium to solver
    # tolerance (residual 1e-10 of value added: percent metrics within 1e-7 points, levels
    # within 1e-7 of their scale, as docs/batch.md states for chunk sizes)
    plain, plain_flows, _ = _reference_tables(bl, first.new.tariffs[0], closure, chord=False)
    for name in plain.columns[1:]:
        atol = 1e-7 if name.endswith("_pct") else 1e-7 * np.abs(plain[name]).max()
        np.testing.assert_allclose(first.regions[name], plain[name], rtol=0, atol=atol,
                                   err_msg=name)
    np.testing.assert_allclose(first.flows["value_new"], plain_flows["value_new"], rtol=1e-7,
                               atol=1e-9 * plain_flows["value_new"].max())
    assert len(first.sectors) == len(bl.regions) * len(bl.sectors)
    assert list(first.sectors["region"][: len(bl.sectors)]) == [bl.regions[0]] * len(bl.sectors)
    assert list(first.sectors["sector"][: len(bl.sectors)]) == list(bl.sectors)


def test_kept_baseline_is_read_only_and_keyed_on_content():
    bl = load_baseline("icio2022")
    e = bl.economy
    clear_baseline_cache()
    kept = solved_baseline(e, "fixed")
    with pytest.raises(ValueError):
        kept.wage_hat[0, 0] = 2.0
    # the same numbers in a new object: the same kept equilibrium
    twin = Economy(flows=e.flows.copy(), tariffs=e.tariffs.copy(), va_share=e.va_share.copy(),
                   io_share=e.io_share.copy(), theta=e.theta.copy())
    assert solved_baseline(twin, "fixed") is kept
    # one tariff changed, another closure or θ: solved again, and different
    tariffs = e.tariffs.copy()
    tariffs[0, 1, 0] += 0.05
    other = Economy(flows=e.flows, tariffs=tariffs, va_share=e.va_share, io_share=e.io_share,
                    theta=e.theta)
    moved = solved_baseline(other, "fixed")
    assert moved is not kept
    assert np.array_equal(moved.income, solve(other).income)
    assert solved_baseline(e, "zero") is not kept
    theta = e.theta * 1.5
    with_theta = solved_baseline(e, "fixed", theta=theta)
    assert with_theta is not kept
    assert np.array_equal(with_theta.wage_hat, solve(e, theta=theta).wage_hat)
