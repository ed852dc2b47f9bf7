"""PPML fits: a known gravity model is recovered, the guide's estimates are reproduced, and
bad input or numerical failure is reported (needs pyfixest, the `estimate` extra)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyfixest", reason="pip install -e '.[estimate]' (part of '.[dev]')")

from sim.estimate import ConvergenceError, PanelError, estimate
from sim.estimate.specs import GUIDE_SPECS, GUIDE_YEARS, guide_estimate
from sim.estimate.synthetic import synthetic_panel

PAIR_FE = "trade ~ rta | exporter_year + importer_year + pair"
BETA = 0.5


def within_band(est, term: str, value: float, k: float = 3.0) -> bool:
    """Is ``value`` inside estimate ± k standard errors?"""
    return abs(est.coef(term) - value) <= k * est.std_error(term)


@pytest.fixture(scope="module")
def synthetic_fits():
    return [estimate(synthetic_panel(beta=BETA, seed=seed), PAIR_FE) for seed in range(20)]


def test_known_beta_is_recovered_within_its_band(synthetic_fits):
    z = np.array([(e.coef("rta") - BETA) / e.std_error("rta") for e in synthetic_fits])
    assert all(within_band(e, "rta", BETA) for e in synthetic_fits), z
    assert np.mean(np.abs(z) < 1.96) >= 0.8, z        # nominal 95 % coverage, 20 draws
    assert abs(z.mean()) < 1.0, z                      # no visible bias


def test_band_check_fails_for_a_wrong_beta(synthetic_fits):
    assert not any(within_band(e, "rta", BETA + 0.1) for e in synthetic_fits)
    assert not any(within_band(e, "rta", 0.0) for e in synthetic_fits)


def test_csv_and_dataframe_give_the_same_fit(tmp_path):
    df = synthetic_panel(seed=3)
    df.to_csv(tmp_path / "p.csv", index=False)
    a, b = estimate(df, PAIR_FE), estimate(tmp_path / "p.csv", PAIR_FE)
    assert a.coef("rta") == pytest.approx(b.coef("rta"), rel=1e-12)


def test_guide_main_estimate():
    est = guide_estimate("agtpa_pair_fe")
    assert est.coef("rta") == pytest.approx(0.5571853, abs=5e-7)   # the authors' Stata log
    assert round(est.std_error("rta"), 3) == 0.102
    meta = est.meta
    assert (meta["observations_used"], meta["observations_dropped"]) == (28_482, 84)
    assert meta["fixed_effects"] == {"exporter_year": 414, "importer_year": 414, "pair": 2340}
    assert meta["clusters"] == 2408 and meta["cluster_variable"] == "cluster_pair"
    v = est.vcov.to_numpy()
    assert v.shape == (1, 1) and np.sqrt(v[0, 0]) == pytest.approx(est.std_error("rta"))


def test_guide_international_only_with_gravity_covariates():
    est = guide_estimate("agtpa_international")
    assert round(est.coef("rta"), 3) == 0.191 and round(est.std_error("rta"), 3) == 0.066
    assert est.meta["observations_used"] == 28_152       # every international row kept
    assert est.coef("ln_dist") < 0


def test_default_library_convention_differs():
    """Another convention gives another s.e. (so the s.e. check can fail): the guide's
    clustered convention is chosen explicitly."""
    hetero = estimate("agtpa", PAIR_FE, years=GUIDE_YEARS, cluster="none")
    assert hetero.coef("rta") == pytest.approx(0.5571853, abs=5e-7)
    assert abs(hetero.std_error("rta") - 0.102) > 0.002
    assert hetero.meta["standard_errors"].startswith("heteroskedasticity")


def test_lags_and_globalisation_terms():
    lags = guide_estimate("agtpa_phase_in")
    assert lags.terms == ["rta", "rta_lag4", "rta_lag8", "rta_lag12"]
    glob = guide_estimate("agtpa_globalisation")
    assert glob.terms[4:] == [f"year::{y}:intl" for y in range(1986, 2006, 4)]
    # globalisation controls take part of the lagged effects (the guide's point)
    assert sum(glob.coef(t) for t in glob.terms[:4]) < sum(lags.coef(t) for t in lags.terms)


def test_write_outputs(tmp_path):
    est = guide_estimate("agtpa_pair_fe")
    paths = est.write(tmp_path / "out")
    table = pd.read_csv(paths[0])
    assert list(table.columns) == ["term", "estimate", "std_error", "z", "p_value", "ci_low",
                                   "ci_high"]
    vcov = pd.read_csv(paths[1], index_col="term")
    assert vcov.loc["rta", "rta"] == pytest.approx(est.std_error("rta") ** 2, rel=1e-9)


@pytest.mark.parametrize(("formula", "message"), [
    ("trade ~ rta + ln_dist | exporter_year + importer_year + pair",
     r"<DataFrame>: regressor 'ln_dist' is collinear with the fixed effects exporter_year \+ "
     r"importer_year \+ pair"),
    ("trade ~ rta + intl | exporter_year + importer_year + pair",
     r"regressor 'intl' is collinear with the fixed effects"),
])
def test_regressor_collinear_with_fixed_effects(formula, message):
    with pytest.raises(PanelError, match=message):
        estimate(synthetic_panel(seed=2), formula)


@pytest.mark.parametrize(("formula", "kwargs", "message"), [
    ("trade ~ rta + nosuch | exporter_year + importer_year", {},
     r"unknown column 'nosuch'"),
    ("trade ~ rta | exporter_year + nosuch_fe", {}, r"unknown column 'nosuch_fe'"),
    (PAIR_FE, {"years": "2010:2020"}, r"column 'year' has no rows for --years '2010:2020'"),
    (PAIR_FE, {"cluster": "nosuch"}, r"--cluster 'nosuch': not a column"),
    ("trade rta", {}, r"needs one '~'"),
])
def test_bad_input(formula, kwargs, message):
    kwargs = {"years": GUIDE_YEARS, **kwargs}
    with pytest.raises(PanelError, match=message):
        estimate("agtpa", formula, **kwargs)


def test_collinear_regressors_named():
    df = synthetic_panel(seed=1)
    df["rta2"] = 2.0 * df["rta"]
    with pytest.raises(PanelError, match=r"'rta2'.*collinear"):
        estimate(df, "trade ~ rta + rta2 | exporter_year + importer_year + pair")


def test_non_numeric_regressor_named(tmp_path):
    df = synthetic_panel(seed=1)
    df["rta"] = df["rta"].astype(object)
    df.loc[5, "rta"] = "yes"
    df.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(PanelError, match=r"p.csv: column 'rta' has the value 'yes' \(line 7\)"):
        estimate(tmp_path / "p.csv", PAIR_FE)


def test_no_convergence_is_a_numerical_failure():
    with pytest.raises(ConvergenceError, match="did not converge in 2 IRLS iterations"):
        estimate(synthetic_panel(seed=0), PAIR_FE, max_iterations=2)


def test_specs_are_the_guides():
    assert set(GUIDE_SPECS) >= {"agtpa_international", "agtpa_pair_fe", "agtpa_phase_in",
                                "agtpa_globalisation"}
