"""Agreement trade-cost channels (issue 12): conversion, phase-in, anchoring, scaling for pairs
with an earlier agreement, bad input, λ = 1 against a static solve, the decomposition, the
Monte Carlo draws and the CLI (mini baseline, annual grid)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import MINI, mini, write

from sim.policy.channels import (
    IMMEDIATE,
    GoodsNonTariff,
    Param,
    PhaseIn,
    TradeCostModel,
    add_years,
    load_in_force,
)
from sim.policy.model import Agreement, Member, Policy
from sim.scenario.loader import ScenarioError, load_scenario

B = date(2022, 7, 1)


def _goods(beta=0.6, c=0.04, prior=0.5, spill=0.0, phase=IMMEDIATE, cut=None):
    return GoodsNonTariff(beta=None if cut is not None else Param(beta, 0.1),
                          cut=None if cut is None else Param(cut, None, 0.0, 0.1),
                          correction=Param(c, None, 0.02, 0.06),
                          prior_scale=Param(prior, None, 0.25, 1.0),
                          spillover=Param(spill, None, 0.0, 0.0), phase_in=phase)


# ----------------------------------------------------------------------------- conversion
@settings(max_examples=60, deadline=None)
@given(beta=st.floats(0, 2), theta=st.floats(1, 30), c=st.floats(0, 0.1))
def test_conversion_is_the_non_tariff_part_of_beta(beta, theta, c):
    """ln d = -max(β/θ - c, 0): a cut (<= 0); where positive, θ times the cut plus the tariff
    part θc gives back β (nothing counted twice)."""
    g = _goods(beta, c)
    ln_d = g.log_cut(np.array([theta]))[0]
    assert ln_d <= 0
    if beta / theta > c:
        assert math.isclose(-theta * ln_d + g.tariff_part(np.array([theta]))[0], beta,
                            rel_tol=1e-12, abs_tol=1e-12)
    else:
        assert ln_d == 0


def test_conversion_by_sector_and_cut_form():
    theta = np.array([5.0, 8.22, 21.35])
    g = _goods(0.557, 0.04)
    np.testing.assert_allclose(g.log_cut(theta), [-(0.557 / 5 - 0.04), -(0.557 / 8.22 - 0.04),
                                                  0.0])
    assert np.allclose(_goods(cut=0.05).log_cut(theta), math.log(0.95))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=5).map(sorted),
       st.floats(0, 30))
def test_phase_in_is_a_step_function(shares, h):
    years = tuple(float(4 * k) for k in range(len(shares)))
    p = PhaseIn(years, tuple(shares))
    k = max((i for i, y in enumerate(years) if y <= h), default=None)
    assert p.share(h) == (0.0 if k is None else shares[k])
    assert p.share(h) <= p.share(h + 4)          # non-decreasing shares stay so


def test_add_years_on_29_february():
    assert add_years(date(2020, 2, 29), 1) == date(2021, 2, 28)
    assert add_years(date(2018, 12, 30), 4) == date(2022, 12, 30)


# ----------------------------------------------------------------------------- the model
REGIONS = ["USA", "JPN", "AUS", "CHN"]
SECTORS = ["food_agriculture", "motor_vehicles", "services"]
THETA = np.array([5.0, 8.0, 8.0])


def _tc(*agreements, cal=None, channels=("goods_nontariff", "services"), in_force=None):
    return TradeCostModel(Policy(tuple(agreements)), regions=REGIONS, sectors=SECTORS,
                          theta=THETA, base_date=B, calibration=cal, channels=channels,
                          in_force=in_force)


def _ag(name, members, goods=None, services=None, eif=date(2018, 12, 30)):
    return Agreement(name, tuple(Member(m, eif) for m in members), goods_nontariff=goods,
                     services=services)


def test_pair_with_an_earlier_agreement_gets_the_scaled_down_cut():
    """USA-AUS had AUSFTA (2005) before a 2018 agreement: half the cut; USA-JPN had none
    before 2018 (USJTA is 2020): the full cut. The shipped table says so."""
    table = load_in_force()
    assert table[("USA", "AUS")] < date(2018, 12, 30) < table[("USA", "JPN")]
    tc = _tc(_ag("X", ["USA", "JPN", "AUS"], goods=_goods(0.6, 0.04, prior=0.5)))
    lv = tc.level(date(2030, 1, 1))
    u, j, a = 0, 1, 2
    full = -(0.6 / 5 - 0.04)
    assert lv[j, u, 0] == pytest.approx(full)
    assert lv[a, u, 0] == pytest.approx(0.5 * full)
    assert lv[u, u].tolist() == [0, 0, 0] and lv[:, 3].max() == 0   # domestic, non-member
    assert lv[j, u, 2] == 0                                           # goods only


def test_deepest_cut_wins_and_anchor_is_exact():
    g = _goods(0.6, 0.04)
    one = _tc(_ag("X", ["USA", "JPN"], goods=g), in_force={})
    two = _tc(_ag("X", ["USA", "JPN"], goods=g), _ag("Y", ["USA", "JPN"], goods=g), in_force={})
    day = date(2030, 1, 1)
    assert np.array_equal(one.level(day), two.level(day))
    assert one.at(B) is None                       # calibrated to itself: d̂ = 1 at B exactly
    assert np.all(one.log_factor(date(2010, 1, 1)) >= 0)   # before entry: costs above the data


def test_services_scope_and_phase_in_dates():
    from sim.policy.channels import ServicesCut

    s_all = ServicesCut(Param(0.1, 0.01), "all", PhaseIn((0.0, 5.0), (0.5, 1.0)))
    tc = _tc(_ag("X", ["USA", "JPN"], services=s_all), in_force={})
    u, j, c = 0, 1, 3
    assert tc.level(date(2020, 1, 1))[c, u, 2] == pytest.approx(0.5 * math.log(0.9))
    assert tc.level(date(2024, 1, 1))[c, u, 2] == pytest.approx(math.log(0.9))
    assert tc.level(date(2024, 1, 1))[u, c, 2] == 0           # CHN is not a member importer
    members = _tc(_ag("X", ["USA", "JPN"], services=ServicesCut(Param(0.1, 0.01), "members")),
                  in_force={})
    lv = members.level(date(2024, 1, 1))
    assert lv[c, u, 2] == 0 and lv[j, u, 2] == pytest.approx(math.log(0.9))
    off = _tc(_ag("X", ["USA", "JPN"], services=s_all), channels=(), in_force={})
    assert not off.active and off.average(date(2020, 1, 1), date(2021, 1, 1)) is None


# ----------------------------------------------------------------------------- bad input
SCN = """
name = "chan"
start = 2020-01-01
end = 2026-01-01
calibrated_to = "self"

[settings]
reporting = "annual"

[[agreements]]
name = "AG"
source = "test"
members = [{{ region = "USA", eif = 2023-01-01, source = "test" }},
           {{ region = "JPN", eif = 2023-01-01, source = "test" }}]
{body}
"""
GOODS = """
[agreements.goods_nontariff]
effect = "agtpa_pair_fe"
source = "test"
"""
SERV = """
[agreements.services]
scope = "{scope}"
cut = {{ value = {cut}, range = [0.0, 0.05], source = "assumption" }}
source = "test"
"""


@pytest.mark.parametrize("body,field,value", [
    (SERV.format(scope="all", cut=-0.02), "services.cut", "-0.02"),
    (SERV.format(scope="all", cut=1.5).replace("[0.0, 0.05]", "[0.0, 2.0]"),
     "services.cut", "1.5"),
    (SERV.format(scope="partners", cut=0.02), "services.scope", "partners"),
    (GOODS.replace("agtpa_pair_fe", "no_such_effect"), "goods_nontariff.effect",
     "no_such_effect"),
    (GOODS.replace('effect = "agtpa_pair_fe"',
                   'cut = { value = 1.0, range = [0.0, 1.0], source = "test" }'),
     "goods_nontariff.cut", "1.0"),
])
def test_bad_channel_input_names_file_field_and_value(tmp_path, body, field, value):
    p = write(tmp_path, "chan", SCN.format(body=body))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    msg = "\n".join(exc.value.errors)
    assert "chan.toml" in msg and field in msg and value in msg, msg


# ----------------------------------------------------------------------------- on the path
def _file(tmp_path, name="chan", speed=None):
    text = SCN.format(body=GOODS + SERV.format(scope="all", cut=0.03)).replace(
        'name = "chan"', f'name = "{name}"')
    if speed is not None:
        text = text.replace('reporting = "annual"',
                            f'reporting = "annual"\nadjustment_speed = {speed}')
    return write(tmp_path, name, text)


def test_static_path_long_after_the_last_change_equals_a_static_solve(tmp_path):
    """λ = 1: the timeline's period in 2025 (the cut in full since 2023) equals a static solve
    with the same tariffs and cost factors, to 1e-9 (both solved to residual 1e-13 so that the
    comparison measures the path, not the solver's stopping rule)."""
    from functools import partial

    from sim.model import compare, solve
    from sim.policy.dates import month_starts
    from sim.run import build_tariff_model, build_trade_cost_model
    from sim.timeline.simulation import Timeline

    bl = mini()
    scn = load_scenario(_file(tmp_path, speed=1.0))
    tm = build_tariff_model(scn, bl)
    tc = build_trade_cost_model(tm, bl)
    tight = partial(solve, tol=1e-13)
    res = Timeline(tm, bl.economy, month_starts(date(2020, 1, 1), date(2026, 1, 1), 12),
                   solver=tight, compare=compare, adjustment_speed=1.0,
                   trade_costs=tc).run()
    day = date(2025, 1, 1)
    period = next(p for p in res.periods if p.start == day)
    cost = tc.at(day)
    assert cost is not None and cost.min() < 0.99
    np.testing.assert_array_equal(period.cost_factor, cost)
    eq = tight(bl.economy, tariffs=tm.at(day), cost_factor=cost)
    static = compare(bl.economy, tight(bl.economy), eq)
    for m in ("welfare_pct", "real_wage_pct"):
        np.testing.assert_allclose(period.metrics[m], static[m], rtol=1e-9, atol=1e-12)


def test_channels_off_and_decomposition_adds_up(tmp_path):
    from sim.channels import PARTS, decompose
    from sim.run import against_reference, run_scenario

    bl = mini()
    ref = write(tmp_path, "ref", SCN.format(body="").replace('name = "chan"', 'name = "ref"'))
    dec = decompose(_file(tmp_path), ref, bl, detail="summary")
    p = dec.path.pivot_table(index=["date", "region", "partner", "sector", "metric"],
                             columns="channel", values="value", observed=True)
    np.testing.assert_allclose(p["tariffs"] + p["goods_nontariff"] + p["services"], p["total"],
                               rtol=0, atol=1e-12)
    assert list(dec.path["channel"].cat.categories) == list(PARTS)
    assert len(dec.runs) == len(dec.reference_runs) == 3
    w = p.xs(("USA", "all", "all", "welfare_pct"), level=[1, 2, 3, 4])
    assert abs(w["goods_nontariff"].iloc[-1]) > 1e-4 and abs(w["services"].iloc[-1]) > 1e-5
    plain = against_reference(run_scenario(_file(tmp_path), bl, detail="summary",
                                           channels=()),
                              run_scenario(ref, bl, detail="summary"))
    wt = plain[(plain.metric == "welfare_pct") & (plain.region == "USA")]["value"].to_numpy()
    np.testing.assert_allclose(w["tariffs"].to_numpy(), wt, rtol=0, atol=1e-12)


def test_monte_carlo_draws_channel_parameters_with_common_random_numbers(tmp_path):
    from sim.batch import mc_plan, run_plan
    from sim.batch.engine import channel_draw

    f = _file(tmp_path)
    plan = mc_plan([str(f)], 4, 3, baseline=str(MINI), chunk_size=4, theta=False,
                   policy=False, reporting="annual")
    assert channel_draw(plan, 1) == channel_draw(plan, 1) != channel_draw(plan, 2)
    res = run_plan(plan, tmp_path / "s", executor_kind="serial").store.results()
    w = res[(res.metric == "welfare_pct") & (res.region == "USA")
            & (res.date == "2025-01-01")]["value"]
    assert w.nunique() == 4                        # θ and policy fixed: the channels vary
    off = mc_plan([str(f)], 2, 3, baseline=str(MINI), chunk_size=2, theta=False,
                  policy=False, reporting="annual", channels=False)
    assert channel_draw(off, 0) is None


def test_cli_run_channels_prints_the_table_and_writes_the_channel_column(tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from sim.cli import app

    f = _file(tmp_path)
    ref = write(tmp_path, "ref", SCN.format(body="").replace('name = "chan"', 'name = "ref"'))
    res = CliRunner().invoke(app, ["run", str(f), "--reference", str(ref), "--baseline",
                                   str(MINI), "--channels", "--summary-year", "2025",
                                   "--out", str(tmp_path / "out")], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "by channel" in res.output and "goods_nontariff" in res.output
    df = pd.read_parquet(tmp_path / "out" / "chan_channels.parquet")
    assert set(df["channel"].astype(str)) == {"tariffs", "goods_nontariff", "services", "total"}
