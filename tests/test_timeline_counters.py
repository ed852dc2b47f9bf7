"""One clock: the state the processes own, and safeguards/TRQs as event-driven quota counters.

The counters never step day by day; these tests count day by day *here*, independently, from
the policy layer's rates by date (``TariffModel.components``) and the solved periods' flows,
and check that the counters fire on the same day and report the same volumes.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import mini

from sim.model import compare, solve
from sim.policy import Agreement, Concession, Equal, Measure, Member, Policy, Scope, TariffModel
from sim.policy.dates import month_starts
from sim.run import build_tariff_model, run_scenario
from sim.scenario import load_scenario
from sim.timeline import RetaliationRule, SafeguardRule, Timeline, VolumeTest

START, END = date(2024, 1, 1), date(2025, 3, 1)
#: Japan's tariff on US food, mid-period (15 April): changes the beef line's cell rate
FOOD_HIKE = Measure(name="food_hike", rate=0.10, stacking="add",
                    scope=Scope(importers=("JPN",), exporters=("USA",),
                                sectors=("food_agriculture",), exclude_lines=("beef_us_jp",)),
                    effective=date(2024, 4, 15), actor="JPN", source="test")


def tariff_model(policy: Policy) -> TariffModel:
    bl = mini()
    e = bl.economy
    return TariffModel(policy, regions=bl.regions, sectors=bl.sectors, base_tariffs=e.tariffs,
                       flows=e.flows, base_date=date(2022, 7, 1))


def run(policy: Policy, safeguards=(), retaliations=(), speed: float = 0.5):
    tl = Timeline(tariff_model(policy), mini().economy, month_starts(START, END),
                  solver=solve, compare=compare, safeguards=safeguards,
                  retaliations=retaliations, adjustment_speed=speed)
    return tl, tl.run()


def beef_rule(name: str, threshold: float, rate: float = 0.385, lag: int = 0,
              duration: int = 60) -> SafeguardRule:
    return SafeguardRule(name=name, actor="JPN", lines=("beef_us_jp",),
                         tests=(VolumeTest(("beef_us_jp",), ((2024, threshold),)),),
                         rate=rate, stacking="replace", quota_year_start=(3, 1),
                         active_from=date(2024, 3, 1), lag_days=lag, duration_days=duration)


def daily_volumes(tl: Timeline, res, code: str, first: date, last: date) -> dict[date, float]:
    """Model volume of a line on each day, counted here day by day: base volume x the cell's
    flow change in the latest period solved before the day x the relative price effect."""
    tm = tl.tm
    k = tm.line_index(code)
    ln = tm.lines[k]
    i, n, j = tm.line_cell[k]
    line_b = tm.components(tm.base_date)[1][k]
    base = res.base.flows[0][i, n, j]
    out = {}
    d = first
    while d <= last:
        solved = [p for p in res.periods if p.end < d]
        assert solved, "the test rules start after the first period"
        ratio = solved[-1].equilibrium.flows[0][i, n, j] / base
        rest, line = tm.components(d, res.dynamic_measures)
        cell = tm.aggregate(rest, line)[i, n, j]
        rel = ((1 + line[k]) / (1 + line_b)) / ((1 + cell) / (1 + tm.base_tariffs[i, n, j]))
        out[d] = (ln.volume or 0.0) / 365.0 * ratio * rel ** (-ln.within_elasticity)
        d += timedelta(days=1)
    return out


def cumulative(vols: dict[date, float]) -> dict[date, float]:
    acc, out = 0.0, {}
    for d in sorted(vols):
        acc += vols[d]
        out[d] = acc
    return out


def fired_on(res, name: str) -> list[date]:
    return [e["date"] for e in res.log
            if e["kind"] == "safeguard triggered" and e["what"].startswith(name + ":")]


def test_quota_filling_mid_period_fires_on_that_day():
    """The quota fills on a day inside a reporting period, after a mid-period rate change; the
    counter fires on exactly that day (lag 0: the measure is in force from it)."""
    policy = Policy(measures=(FOOD_HIKE,))
    tl, res = run(policy, [beef_rule("probe", 1e18)])
    cum = cumulative(daily_volumes(tl, res, "beef_us_jp", date(2024, 3, 1), date(2024, 8, 31)))
    target = date(2024, 6, 17)  # inside the June period, after the April change
    threshold = (cum[target] + cum[target - timedelta(days=1)]) / 2
    tl, res = run(policy, [beef_rule("sg", threshold)])
    assert fired_on(res, "sg") == [target]
    (m,) = res.dynamic_measures
    assert m.effective == target and m.until == target + timedelta(days=59)
    # the period that holds the firing day averages the safeguard's rate by days
    june = next(p for p in res.periods if p.start == date(2024, 6, 1))
    np.testing.assert_array_equal(june.tariffs,
                                  tl.tm.average(june.start, june.end, res.dynamic_measures))


def test_two_safeguards_on_one_line():
    """The second counter sees the first safeguard's rate from its first day (fewer imports)
    and fires on the day counted here with that rate."""
    policy = Policy(measures=(FOOD_HIKE,))
    tl, res = run(policy, [beef_rule("probe", 1e18)])
    cum = cumulative(daily_volumes(tl, res, "beef_us_jp", date(2024, 3, 1), date(2025, 2, 28)))
    first_day = date(2024, 5, 20)
    t1 = (cum[first_day] + cum[first_day - timedelta(days=1)]) / 2
    first = beef_rule("first", t1, rate=0.6, lag=5, duration=90)
    tl1, res1 = run(policy, [first])  # the first alone: volumes with its rate in force
    assert fired_on(res1, "first") == [first_day]
    cum1 = cumulative(daily_volumes(tl1, res1, "beef_us_jp", date(2024, 3, 1),
                                    date(2025, 2, 28)))
    second_day = date(2024, 9, 10)
    t2 = (cum1[second_day] + cum1[second_day - timedelta(days=1)]) / 2
    _, res2 = run(policy, [first, beef_rule("second", t2, rate=0.7, lag=3, duration=30)])
    assert fired_on(res2, "first") == [first_day]
    assert fired_on(res2, "second") == [second_day]
    # the second counter's volume while the first safeguard was in force is below what it
    # would have been without it (the counters share no cache, but see the same state)
    assert cum1[second_day] < cum[second_day]
    eff = {m.name: m.effective for m in res2.dynamic_measures}
    assert eff == {"first:2024": first_day + timedelta(days=5),
                   "second:2024": second_day + timedelta(days=3)}


def _logged_volume(res, kind: str) -> float:
    (e,) = [e for e in res.log if e["kind"] == kind]
    return float(re.search(r"beef_us_jp ([\d,]+) vs", e["what"]).group(1).replace(",", ""))


def test_counter_tariff_ending_without_replacement_is_counted_at_the_policy_rates():
    """A counter-tariff on Japanese imports of US food answers a US hike and ends without a
    replacement when the hike ends; the beef counter's volumes through the year equal those
    counted day by day with the policy layer's rates (the ended counter-tariff off)."""
    hike = Measure(name="hike", rate=0.2, stacking="add",
                   scope=Scope(importers=("USA",), exporters=("JPN",)),
                   effective=date(2024, 3, 1), until=date(2024, 5, 31), actor="USA",
                   source="test")
    answer = RetaliationRule(name="r", actor="JPN", against="USA", mode="mirror",
                             sectors=("food_agriculture",), lag_days=30,
                             active_from=date(2024, 1, 1))
    tl, res = run(Policy(measures=(hike,)), [beef_rule("count", 1e18)], [answer])
    (ended,) = res.dynamic_measures
    assert ended.effective == date(2024, 3, 31) and ended.until == date(2024, 6, 30)
    kinds = [e["what"] for e in res.log if e["kind"] == "retaliation"]
    assert len(kinds) == 2 and "no counter-tariff" in kinds[1]
    cum = cumulative(daily_volumes(tl, res, "beef_us_jp", date(2024, 3, 1), date(2025, 2, 28)))
    assert _logged_volume(res, "rule ends") == pytest.approx(
        cum[date(2025, 2, 28)], abs=1.0)
    # with the counter-tariff in force (Apr–Jun) US beef competes with dearer US food: the
    # days then differ from the days after it ended (the rates the counter read changed back)
    vols = daily_volumes(tl, res, "beef_us_jp", date(2024, 4, 15), date(2024, 8, 15))
    assert vols[date(2024, 4, 15)] != pytest.approx(vols[date(2024, 8, 15)], rel=1e-6)


def test_period_tariffs_are_the_policy_layers_day_weighted_average():
    """The state the processes own gives each period the same tariffs as the policy layer's
    average by date (the historical scenario, monthly, safeguards included)."""
    bl = mini()
    scn = load_scenario("historical")
    r = run_scenario(scn, bl, start=date(2019, 1, 1), end=date(2022, 1, 1), detail="summary")
    tm = build_tariff_model(scn, bl)
    res = r.timeline
    assert res.dynamic_measures  # the 2021 beef safeguard
    for p in res.periods:
        np.testing.assert_array_equal(p.tariffs, tm.average(p.start, p.end,
                                                             res.dynamic_measures))


def _agreement(*measures: Measure) -> Policy:
    tpp = Agreement(name="TPP_test", members=(Member("USA", date(2024, 1, 1)),
                                             Member("JPN", date(2024, 1, 1))),
                    concessions=(Concession(importers=("JPN",), staging=Equal(5),
                                            lines=("beef_us_jp",)),),
                    default_cut_month_day=(4, 1), source="test")
    return Policy(agreements=(tpp,), measures=measures)


def test_a_cut_under_a_floor_is_logged_as_masked():
    """Japan's beef cut of 1 April 2024 does not reach the applied rate under a 50 % floor:
    logged as a masked concession, naming the line and the floor; without the floor, not."""
    floor = Measure(name="beef_floor", rate=0.5, stacking="floor",
                    scope=Scope(importers=("JPN",), lines=("beef_us_jp",)),
                    effective=date(2024, 2, 1), actor="JPN", source="test")
    _, res = run(_agreement(floor), speed=1.0)
    masked = [e for e in res.log if e["kind"] == "concession masked"]
    assert [e["date"] for e in masked] == [date(2024, 4, 1)]  # the one cut in the run
    assert "beef_us_jp" in masked[0]["what"] and "beef_floor" in masked[0]["why"]
    _, res = run(_agreement(), speed=1.0)
    assert not [e for e in res.log if e["kind"] == "concession masked"]


SCOPES = (Scope(importers=("USA",), exporters=("JPN",)),
          Scope(importers=("JPN",), sectors=("food_agriculture",)),
          Scope(importers=("JPN",), lines=("beef_us_jp",)),
          Scope(importers=("USA",), sectors=("motor_vehicles",), coverage=0.5))


@st.composite
def measures(draw):
    out = []
    for k in range(draw(st.integers(1, 4))):
        eff = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 360)))
        until = (None if draw(st.booleans())
                 else eff + timedelta(days=draw(st.integers(0, 200))))
        paused = ()
        if draw(st.booleans()):
            a = eff + timedelta(days=draw(st.integers(1, 60)))
            paused = ((a, a + timedelta(days=draw(st.integers(0, 40)))),)
        out.append(Measure(name=f"m{k}", rate=draw(st.floats(0.0, 0.5)),
                           stacking=draw(st.sampled_from(("add", "floor", "replace", "cap"))),
                           scope=draw(st.sampled_from(SCOPES)), effective=eff, until=until,
                           paused=paused, order=k))
    return tuple(out)


@settings(max_examples=25, deadline=None)
@given(measures())
def test_state_owned_by_the_processes_averages_like_the_policy_layer(ms):
    """Any set of measures (dates, pauses, stacking, scopes): each period's tariffs from the
    state the processes own equal the policy layer's day-weighted average by date, exactly."""
    tm = tariff_model(_agreement(*ms))
    res = Timeline(tm, mini().economy, month_starts(date(2024, 1, 1), date(2025, 3, 1)),
                   solver=solve, compare=compare, policy_only=True,
                   base=solve(mini().economy)).run()
    for p in res.periods:
        np.testing.assert_array_equal(p.tariffs, tm.average(p.start, p.end))
