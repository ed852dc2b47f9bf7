"""The SimPy timeline: same-instant ordering, adjustment, safeguards, retaliation."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from policy_helpers import mini

from sim.model import compare, solve
from sim.policy import Measure, Policy, Scope, TariffModel
from sim.policy.dates import month_starts
from sim.run import build_tariff_model, run_scenario
from sim.scenario import load_scenario
from sim.timeline import (
    GrowthTest,
    RetaliationRule,
    SafeguardRule,
    Timeline,
    VolumeTest,
    period_speed,
)
from sim.timeline.quota import evaluate_test


def tariff_model(*measures: Measure) -> TariffModel:
    bl = mini()
    e = bl.economy
    return TariffModel(Policy(measures=measures), regions=bl.regions, sectors=bl.sectors,
                       base_tariffs=e.tariffs, flows=e.flows, base_date=date(2022, 7, 1))


def timeline(tm, start, end, **kw) -> Timeline:
    return Timeline(tm, mini().economy, month_starts(start, end), solver=solve,
                    compare=compare, **kw)


US_HIKE = Measure(name="hike", rate=0.2, stacking="add",
                  scope=Scope(importers=("USA",), exporters=("JPN",)),
                  effective=date(2024, 3, 1), actor="USA", source="test")


def test_solve_runs_after_every_change_of_the_instant():
    """A policy change dated on a reporting instant is logged before that instant's solve."""
    seen = []

    def spy(economy, base, new):
        seen.append((tl.day(), [e["what"] for e in tl.log]))
        return compare(economy, base, new)

    tl = Timeline(tariff_model(US_HIKE), mini().economy,
                  month_starts(date(2024, 1, 1), date(2024, 4, 1)), solver=solve, compare=spy)
    tl.run()
    at_march = [logged for d, logged in seen if d == date(2024, 3, 1)]
    assert at_march and any("hike" in w for w in at_march[0])


def test_end_of_instant_runs_after_normal_events():
    """The end-of-instant event fires after normal events scheduled for the same time,
    including ones scheduled while that instant is processed."""
    tl = timeline(tariff_model(), date(2024, 1, 1), date(2024, 2, 1))
    env, order = tl.env, []

    def late():
        yield env.timeout(5)
        yield tl.end_of_instant()
        order.append("economy")

    def policy():
        yield env.timeout(5)
        order.append("policy")
        yield env.timeout(0)
        order.append("policy again")

    env.process(late())
    env.process(policy())
    env.run(until=6)
    assert order == ["policy", "policy again", "economy"]


def test_lambda_one_is_static_at_every_date():
    """λ = 1: each period equals the static equilibrium at that period's tariffs."""
    tl = timeline(tariff_model(US_HIKE), date(2024, 1, 1), date(2024, 6, 1),
                  adjustment_speed=1.0)
    res = tl.run()
    for p in res.periods:
        static = solve(mini().economy, tariffs=p.tariffs)
        np.testing.assert_allclose(p.equilibrium.flows, static.flows, rtol=1e-7)
        assert p.shifter_gap == 0.0


def test_gradual_adjustment_converges_to_static():
    """With policy constant after a change, the path converges to the static equilibrium."""
    tl = timeline(tariff_model(US_HIKE), date(2024, 1, 1), date(2044, 1, 1),
                  adjustment_speed=0.5)
    tl.grid = month_starts(date(2024, 1, 1), date(2044, 1, 1), 12)
    tl.grid.insert(1, date(2024, 3, 1))
    res = tl.run()
    static = solve(mini().economy, tariffs=res.periods[-1].tariffs)
    gaps = [p.shifter_gap for p in res.periods[1:]]
    assert gaps[0] > 0.01 and gaps[-1] < 1e-5 and all(np.diff(gaps) <= 1e-12)
    np.testing.assert_allclose(res.periods[-1].equilibrium.flows, static.flows, rtol=1e-5)
    jpn, usa = mini().regions.index("JPN"), mini().regions.index("USA")
    first = res.periods[1].equilibrium.flows[0, jpn, usa].sum()
    assert first > static.flows[0, jpn, usa].sum()  # short run: less trade diversion


def test_period_speed():
    """Monthly speed compounds to the annual speed."""
    assert 1 - (1 - period_speed(0.3, 365.25 / 12)) ** 12 == pytest.approx(0.3)
    assert period_speed(1.0, 30) == 1.0


def test_historical_beef_safeguard_march_2021_and_three_trigger():
    """The historical log: Japan's US-beef safeguard fires in March 2021 at 38.5 % for 30 days,
    and the three-trigger rule holds it back afterwards."""
    bl = mini()
    scn = load_scenario("historical")
    tm = build_tariff_model(scn, bl)
    run = run_scenario(scn, bl, start=date(2020, 1, 1), end=date(2024, 6, 1),
                       reporting="quarterly", detail="summary")
    log = run.log
    fired = log[log.kind == "safeguard triggered"]
    assert len(fired) == 1 and fired.iloc[0].date == date(2021, 3, 10)
    assert "38.5%" in fired.iloc[0].what and "2021-03-18 to 2021-04-16" in fired.iloc[0].what
    extra = run.timeline.dynamic_measures
    assert tm.line_rates(date(2021, 3, 20), extra)["beef_us_jp"] == pytest.approx(0.385)
    assert tm.line_rates(date(2021, 4, 17), extra)["beef_us_jp"] == pytest.approx(0.25)
    held = log[(log.actor == "JPN") & log.what.str.contains("three_trigger")
               & (log.kind == "quota year closed")]
    assert len(held) >= 1 and all(w.startswith("not fired") for w in held.why)


def test_multi_trigger_needs_all_tests():
    """A volume test met but the growth test failed: no trigger; all met: trigger."""
    cum, prev = {"beef_us_jp": 300.0}, {"beef_us_jp": 400.0}
    v = VolumeTest(("beef_us_jp",), ((2020, 250.0),))
    g = GrowthTest(("beef_us_jp",), until_year=2027)
    assert evaluate_test(v, 2024, cum, prev)[0] and not evaluate_test(g, 2024, cum, prev)[0]
    assert evaluate_test(g, 2028, cum, prev)[0]  # growth test expired


def test_trq_rate_holds_to_quota_year_end():
    """A TRQ whose quota is exceeded applies the over-quota rate to the end of the year."""
    rule = SafeguardRule(name="trq", actor="USA", lines=("steel_jp_us",),
                         tests=(VolumeTest(("steel_jp_us",), ((2024, 100_000.0),)),),
                         rate=0.25, stacking="add", quota_year_start=(1, 1),
                         active_from=date(2024, 1, 1), until_quota_year_end=True)
    tl = timeline(tariff_model(), date(2024, 1, 1), date(2025, 3, 1), safeguards=[rule])
    res = tl.run()
    m = res.dynamic_measures[0]
    assert m.until == date(2024, 12, 31) and date(2024, 1, 10) < m.effective < date(2024, 3, 1)


def test_retaliation_mirror_with_lag():
    """Japan mirrors a US increase 60 days later on its targeted sectors, capped."""
    rule = RetaliationRule(name="r", actor="JPN", against="USA", mode="mirror", cap=0.05,
                           sectors=("food_agriculture",), lag_days=60,
                           active_from=date(2024, 1, 1))
    tl = timeline(tariff_model(US_HIKE), date(2024, 1, 1), date(2024, 7, 1),
                  retaliations=[rule])
    res = tl.run()
    (m,) = res.dynamic_measures
    assert m.effective == date(2024, 4, 30) and m.rate == pytest.approx(0.05)
    assert m.scope.sectors == ("food_agriculture",) and m.scope.exporters == ("USA",)
    assert any(e["kind"] == "retaliation" for e in res.log)


def _counter_and_counted_safeguard(mode: str):
    """US hike on Japan (Mar–May 2024), Japan's food counter-tariff answering it, and a Japanese
    beef safeguard that counts volumes every day of 2024 but never fires."""
    hike = Measure(name="hike", rate=0.2, stacking="add",
                   scope=Scope(importers=("USA",), exporters=("JPN",)),
                   effective=date(2024, 3, 1), until=date(2024, 5, 31), actor="USA",
                   source="test")
    retaliation = RetaliationRule(name="r", actor="JPN", against="USA", mode=mode,
                                  sectors=("food_agriculture",), lag_days=30,
                                  active_from=date(2024, 1, 1))
    counter = SafeguardRule(name="beef", actor="JPN", lines=("beef_us_jp",),
                            tests=(VolumeTest(("beef_us_jp",), ((2024, 1e18),)),),
                            rate=0.385, stacking="replace", quota_year_start=(4, 1),
                            active_from=date(2024, 1, 1))
    tl = timeline(tariff_model(hike), date(2024, 1, 1), date(2025, 1, 1),
                  safeguards=[counter], retaliations=[retaliation])
    return tl, tl.run()


def test_safeguard_counter_sees_a_counter_tariff_end_without_replacement():
    """When a retaliation ends with no counter-tariff left (one measure removed, its ended copy
    appended), the safeguard's volume counter sees the rates the policy layer says are in
    force; it used to keep the ended counter-tariff (a cache keyed on the number of measures)."""
    tl, res = _counter_and_counted_safeguard("mirror")
    kinds = [(e["date"], e["what"]) for e in res.log if e["kind"] == "retaliation"]
    assert len(kinds) == 2 and "no counter-tariff" in kinds[1][1]  # answered, then withdrawn
    (ended,) = res.dynamic_measures
    assert ended.until is not None and ended.until < date(2024, 8, 1)
    k = tl.tm.line_index("beef_us_jp")
    for day in (date(2024, 4, 15), date(2024, 8, 1), date(2024, 10, 1), date(2024, 12, 31)):
        seen, _ = tl.rates_on(day)
        want = tl.tm.components(day, res.dynamic_measures)[1][k]
        assert seen[k] == pytest.approx(want, abs=1e-15), day
    after = tl.rates_on(date(2024, 10, 1))[0][k]
    before = tl.rates_on(date(2024, 4, 15))[0][k]
    assert after == pytest.approx(before - ended.rate)


def test_proportional_retaliation_matches_the_duty_value():
    """mode = "proportional": the counter-tariff raises the same duty value on the targeted
    imports as the partner's increase raises on the actor's exports (base flows)."""
    tl, res = _counter_and_counted_safeguard("proportional")
    m = res.dynamic_measures[0]
    flows = tl.economy.flows
    regions, sectors = list(tl.tm.regions), list(tl.tm.sectors)
    jpn, usa = regions.index("JPN"), regions.index("USA")
    tradable = np.nonzero(tl.tm.tradable)[0]
    food = sectors.index("food_agriculture")
    duty_on_japan = 0.2 * flows[jpn, usa, tradable].sum()  # the hike, on every tradable sector
    assert m.rate * flows[usa, jpn, food] == pytest.approx(duty_on_japan, rel=1e-9)
    assert m.scope.sectors == ("food_agriculture",) and m.scope.exporters == ("USA",)
