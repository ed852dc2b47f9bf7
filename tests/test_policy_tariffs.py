"""Tariff arrays at a date: stacking rules, lines, anchoring, time weighting."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import mini

from sim.policy import (
    Agreement,
    Concession,
    Equal,
    Measure,
    Member,
    Policy,
    Scope,
    TariffModel,
    expand_regions,
)
from sim.run import build_tariff_model
from sim.scenario import load_scenario

B = date(2022, 7, 1)


def model(policy: Policy, **kw) -> TariffModel:
    bl = mini()
    e = bl.economy
    return TariffModel(policy, regions=bl.regions, sectors=bl.sectors, base_tariffs=e.tariffs,
                       flows=e.flows, base_date=B, **kw)


def measure(rate, stacking, **scope):
    return Measure(name=f"m_{stacking}", rate=rate, stacking=stacking,
                   scope=Scope(importers=("USA",), **scope), effective=date(2023, 1, 1),
                   actor="USA")


def test_no_policy_is_the_baseline():
    """A policy with nothing in it gives the baseline tariffs on every date."""
    tm = model(Policy())
    for d in (date(2015, 1, 1), B, date(2035, 1, 1)):
        np.testing.assert_allclose(tm.at(d), mini().economy.tariffs, atol=1e-15)


def test_historical_reproduces_baseline_at_base_date():
    """The historical scenario at the base date gives the baseline's tariffs exactly."""
    bl = mini()
    tm = build_tariff_model(load_scenario("historical"), bl)
    np.testing.assert_allclose(tm.at(tm.base_date), bl.economy.tariffs, rtol=0, atol=1e-14)
    assert not np.allclose(tm.at(date(2015, 1, 1)), bl.economy.tariffs)


def test_counterfactual_anchored_to_historical_differs_at_base_date():
    """TPP-12 is anchored to historical: at the base date it differs on US-Japan cells only
    where TPP and the historical agreements differ."""
    bl = mini()
    t_h = build_tariff_model(load_scenario("historical"), bl).at(B)
    t_t = build_tariff_model(load_scenario("tpp12"), bl).at(B)
    usa, jpn = bl.regions.index("USA"), bl.regions.index("JPN")
    assert t_t[jpn, usa].sum() < t_h[jpn, usa].sum()


@settings(max_examples=30, deadline=None)
@given(r=st.floats(0, 1), cov=st.floats(0.05, 1))
def test_stacking_rules(r, cov):
    """add raises by r*coverage; floor >= base; replace hits r where fully covered; cap <= base."""
    base = model(Policy()).at(date(2024, 1, 1))
    usa = mini().regions.index("USA")
    cells = np.zeros_like(base, dtype=bool)
    cells[:, usa, :6] = True
    cells[usa, usa] = False
    got = {s: model(Policy(measures=(measure(r, s, coverage=cov),))).at(date(2024, 1, 1))
           for s in ("add", "floor", "replace", "cap")}
    # cells without lines: the arithmetic is exact
    plain = cells.copy()
    plain[mini().regions.index("JPN"), usa, [2, 4]] = False
    np.testing.assert_allclose(got["add"][plain], base[plain] + cov * r, atol=1e-12)
    assert np.all(got["floor"] >= base - 1e-12)
    assert np.all(got["cap"] <= base + 1e-12)
    np.testing.assert_allclose(got["floor"][plain], base[plain] + cov * np.maximum(
        r - base[plain], 0), atol=1e-12)
    assert np.all(got["add"][~cells] == base[~cells])


def test_floor_on_lines_is_all_in_max():
    """The 2025 deal rule: all-in max(MFN, 15 %): cars 2.5 % -> 15 %, light trucks stay 25 %."""
    m = Measure(name="deal", rate=0.15, stacking="floor",
                scope=Scope(importers=("USA",), exporters=("JPN",),
                            lines=("cars_jp_us", "light_trucks_jp_us")),
                effective=date(2025, 9, 16), actor="USA")
    tm = model(Policy(measures=(m,)))
    r = tm.line_rates(date(2025, 10, 1))
    assert r["cars_jp_us"] == pytest.approx(0.15) and r["light_trucks_jp_us"] == pytest.approx(0.25)


def test_sector_rate_is_line_weighted():
    """A line-only measure moves the sector rate by the line's weight times the change."""
    m = Measure(name="x", rate=0.10, stacking="add",
                scope=Scope(importers=("JPN",), lines=("beef_us_jp",)),
                effective=date(2023, 1, 1), actor="JPN")
    tm = model(Policy(measures=(m,)))
    bl = mini()
    k = tm.line_index("beef_us_jp")
    i, n, j = tm.line_cell[k]
    diff = tm.at(date(2024, 1, 1)) - bl.economy.tariffs
    assert diff[i, n, j] == pytest.approx(0.10 * tm.line_weight[k])
    assert tm.line_weight[k] == pytest.approx(2100 / bl.economy.flows[i, n, j])
    assert np.count_nonzero(np.abs(diff) > 1e-15) == 1


def test_time_weighted_average_mid_month():
    """A measure effective on the 11th of a 30-day month counts for 20/30 of the month."""
    m = Measure(name="x", rate=0.3, stacking="add", scope=Scope(importers=("USA",)),
                effective=date(2024, 6, 11), actor="USA")
    tm = model(Policy(measures=(m,)))
    avg = tm.average(date(2024, 6, 1), date(2024, 7, 1))
    before, after = tm.at(date(2024, 6, 1)), tm.at(date(2024, 6, 11))
    np.testing.assert_allclose(avg, (10 * before + 20 * after) / 30, atol=1e-14)


def test_pause_retroactive_and_replaces():
    """Paused measures stop; 'replaces' drops the older measure; retroactive assessment moves
    the start back."""
    old = Measure(name="old", rate=0.15, stacking="add", scope=Scope(importers=("USA",)),
                  effective=date(2025, 8, 7), actor="USA")
    new = Measure(name="new", rate=0.15, stacking="floor", scope=Scope(importers=("USA",)),
                  effective=date(2025, 9, 4), retroactive_to=date(2025, 8, 7),
                  replaces=("old",), actor="USA")
    paused = Measure(name="p", rate=0.5, stacking="add", scope=Scope(importers=("JPN",)),
                     effective=date(2025, 4, 9), paused=((date(2025, 4, 9), None),), actor="JPN")
    pol = Policy(measures=(old, new, paused))
    base = model(Policy()).at(date(2025, 8, 20))
    collected, final = model(pol).at(date(2025, 8, 20)), model(pol, retroactive=True).at(
        date(2025, 8, 20))
    usa = mini().regions.index("USA")
    assert collected[:, usa, 5].sum() > final[:, usa, 5].sum()
    np.testing.assert_allclose(final[:, usa, 5][final[:, usa, 5] > 0],
                               np.maximum(base[:, usa, 5], 0.15)[final[:, usa, 5] > 0])
    jpn = mini().regions.index("JPN")
    np.testing.assert_allclose(collected[:, jpn], base[:, jpn])


def test_agreement_withdrawal_and_groups():
    """Preferences apply only while both are members; groups expand to present regions."""
    present, missing = expand_regions(["TPP12"], mini().regions)
    assert set(present) == {"USA", "JPN", "CAN", "AUS"} and "VNM" in missing
    a = Agreement("A", (Member("USA", date(2020, 1, 1), date(2023, 1, 1)),
                        Member("JPN", date(2020, 1, 1))),
                  (Concession(importers=("USA",), staging=Equal(1)),))
    tm = model(Policy(agreements=(a,)), calibration=Policy())
    usa, jpn = mini().regions.index("USA"), mini().regions.index("JPN")
    during, after = tm.at(date(2021, 1, 1)), tm.at(date(2023, 1, 1))
    assert during[jpn, usa, 0] < after[jpn, usa, 0]
    np.testing.assert_allclose(after, tm.at(date(2019, 1, 1)))
