"""Agreement-effect files: the arithmetic, the loader, and the shipped files reproduced."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.estimate import AgreementEffectError, list_agreement_effects, load_agreement_effect
from sim.estimate.effects import EFFECTS_DIR, agreement_effect
from sim.estimate.fit import Estimate
from sim.estimate.specs import EFFECT_SPECS, GUIDE_SPECS

NUMERIC = ("total", "std_error", "coefficients", "cumulative", "cumulative_std_error",
           "share_of_total")


def fake_estimate(terms, beta, cov) -> Estimate:
    table = pd.DataFrame({"term": terms, "estimate": beta,
                          "std_error": np.sqrt(np.diag(cov))})
    meta = {"formula": "trade ~ " + " + ".join(terms), "panel": "test", "years": [2000],
            "observations_used": 10, "cluster": "pair", "standard_errors": "test"}
    return Estimate(table, pd.DataFrame(cov, index=terms, columns=terms), meta)


def test_total_phase_in_and_delta_method():
    terms = ["rta", "rta_lag4", "rta_lag8", "rta_lag12", "other"]
    beta = np.array([0.2, 0.3, 0.1, 0.05, 9.0])
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 5))
    cov = a @ a.T / 100
    e = agreement_effect(fake_estimate(terms, beta, cov))
    assert e.terms == ("rta", "rta_lag4", "rta_lag8", "rta_lag12")
    assert e.total == pytest.approx(0.65)
    assert e.std_error == pytest.approx(math.sqrt(cov[:4, :4].sum()))
    assert e.cumulative == pytest.approx((0.2, 0.5, 0.6, 0.65))
    assert e.cumulative_std_error[1] == pytest.approx(math.sqrt(cov[:2, :2].sum()))
    assert e.share_of_total == pytest.approx((0.2 / 0.65, 0.5 / 0.65, 0.6 / 0.65, 1.0))
    assert e.trade_cost_factor(5.0) == pytest.approx(math.exp(-0.65 / 5.0))


def test_no_lags_means_full_effect_at_entry_and_no_rta_means_none():
    e = agreement_effect(fake_estimate(["rta"], np.array([0.557]), np.array([[0.0104]])))
    assert e.share_of_total == (1.0, 1.0, 1.0, 1.0)
    assert agreement_effect(fake_estimate(["x"], np.array([1.0]), np.eye(1))) is None


def test_round_trip(tmp_path):
    e = agreement_effect(fake_estimate(["rta", "rta_lag4"], np.array([0.1, 0.2]),
                                       np.array([[0.01, 0.002], [0.002, 0.02]])),
                         name="x", description='with "quotes"', command="tradesim estimate")
    assert load_agreement_effect(e.write(tmp_path / "x.toml")) == e


def test_shipped_files_load_by_name():
    assert list_agreement_effects() == sorted(EFFECT_SPECS)
    main = load_agreement_effect("agtpa_pair_fe")
    assert round(main.total, 3) == 0.557 and round(main.std_error, 3) == 0.102
    assert main.observations == 28_482 and main.years == (1986, 1990, 1994, 1998, 2002, 2006)
    lags = load_agreement_effect("agtpa_phase_in")
    assert lags.terms == ("rta", "rta_lag4", "rta_lag8", "rta_lag12")
    assert lags.share_of_total[-1] == 1.0 and 0 < lags.share_of_total[0] < 1
    for name in EFFECT_SPECS:
        e = load_agreement_effect(name)
        assert e.name == name and e.formula == GUIDE_SPECS[name].formula
        assert e.command.startswith("tradesim estimate --panel agtpa")
        assert "CC BY 4.0" in e.source


def test_loader_errors(tmp_path):
    with pytest.raises(AgreementEffectError, match="nope.toml: agreement-effect file not found"):
        load_agreement_effect("nope")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[effect]\ntotal = 1.0\n')
    with pytest.raises(AgreementEffectError, match=r"bad.toml: field 'phase_in' missing"):
        load_agreement_effect(bad)


@pytest.mark.parametrize("name", EFFECT_SPECS)
def test_shipped_file_equals_a_fresh_estimate(name):
    """Each shipped file is what `python -m sim.estimate.build --effects-only` (and the
    command in the file) gives from the shipped panel today."""
    pytest.importorskip("pyfixest", reason="pip install -e '.[estimate]'")
    from sim.estimate.effects import shipped_effect

    fresh, shipped = shipped_effect(name), load_agreement_effect(EFFECTS_DIR / f"{name}.toml")
    for field in NUMERIC:
        np.testing.assert_allclose(getattr(fresh, field), getattr(shipped, field),
                                   rtol=1e-7, atol=1e-9, err_msg=field)
    assert fresh.to_toml().splitlines()[:6] == shipped.to_toml().splitlines()[:6]
    assert (fresh.formula, fresh.years, fresh.observations, fresh.command) == (
        shipped.formula, shipped.years, shipped.observations, shipped.command)


@given(beta=st.lists(st.floats(-2, 2), min_size=4, max_size=4),
       seed=st.integers(0, 2**32 - 1), n_lags=st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_effect_arithmetic_property(beta, seed, n_lags):
    """For any coefficients and covariance: the total is the sum, its variance 1'V1, the
    cumulative effect at 12 years is the total, and shares are cumulative / total."""
    terms = ["rta", "rta_lag4", "rta_lag8", "rta_lag12"][:n_lags]
    b = np.array(beta[:n_lags])
    a = np.random.default_rng(seed).normal(size=(n_lags, n_lags))
    cov = a @ a.T + 1e-6 * np.eye(n_lags)
    e = agreement_effect(fake_estimate(terms, b, cov))
    assert e.total == pytest.approx(b.sum(), abs=1e-12)
    assert e.std_error == pytest.approx(math.sqrt(cov.sum()), rel=1e-9)
    assert e.cumulative[-1] == pytest.approx(e.total, abs=1e-12)
    assert e.cumulative[0] == pytest.approx(b[0], abs=1e-12)
    if abs(e.total) > 1e-6:
        assert e.share_of_total == pytest.approx(tuple(c / e.total for c in e.cumulative))


def test_zero_total_has_undefined_shares(tmp_path):
    e = agreement_effect(fake_estimate(["rta", "rta_lag4"], np.array([0.25, -0.25]),
                                       np.eye(2) * 0.01))
    assert e.total == 0.0 and all(math.isnan(s) for s in e.share_of_total)
    back = load_agreement_effect(e.write(tmp_path / "z.toml"))
    assert all(math.isnan(s) for s in back.share_of_total)
