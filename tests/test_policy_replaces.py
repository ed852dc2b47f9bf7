"""A ``replaces`` acts only within the scope of the replacing measure (issue 13, bug 1)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np

from sim.policy import Measure, Policy, Scope, TariffModel
from sim.run import baseline_with_theta, build_tariff_model
from sim.scenario import load_scenario


@lru_cache(maxsize=1)
def _historical() -> tuple[TariffModel, object]:
    bl = baseline_with_theta("icio2022")
    return build_tariff_model(load_scenario("historical"), bl), bl


def test_japan_deal_does_not_end_the_us_baseline_tariff_on_the_eu():
    """In historical, the Japan-only floor replaces the 10 % baseline for Japan only: the US
    tariff on EU goods in September 2025 still carries the 10 points (it fell to MFN before)."""
    tm, bl = _historical()
    usa, eu, jpn = (bl.regions.index(r) for r in ("USA", "EU", "JPN"))
    j = bl.sectors.index("other_manufacturing")
    before = tm.at(date(2025, 3, 1))[eu, usa, j]
    for d in (date(2025, 7, 1), date(2025, 9, 10), date(2026, 1, 15)):
        assert abs(tm.at(d)[eu, usa, j] - before - 0.10) < 1e-12, d
    # Japan: the phase-2 15 % replaces the 10 % baseline (collected: +15 points on MFN)
    jb = tm.at(date(2025, 3, 1))[jpn, usa, j]
    assert abs(tm.at(date(2025, 8, 20))[jpn, usa, j] - jb - 0.15) < 1e-12


def test_us_average_tariff_does_not_fall_when_japan_deal_starts():
    """The trade-weighted US tariff on everyone but Japan is the same in July and September
    2025 (nothing changed for them then)."""
    tm, bl = _historical()
    usa, jpn = bl.regions.index("USA"), bl.regions.index("JPN")
    w = bl.economy.flows[:, usa, :].copy()
    w[[usa, jpn]] = 0
    avg = [float((tm.at(d)[:, usa, :] * w).sum() / w.sum())
           for d in (date(2025, 7, 1), date(2025, 10, 1))]
    np.testing.assert_allclose(avg[1], avg[0], rtol=0, atol=1e-12)


def test_replacement_is_scoped_to_partner_sector_and_line():
    """A replacing measure on one partner and sector leaves the replaced one in force
    elsewhere."""
    bl = baseline_with_theta("icio2022")
    e = bl.economy
    old = Measure(name="old", rate=0.10, stacking="add", scope=Scope(importers=("USA",)),
                  effective=date(2025, 1, 1), actor="USA")
    new = Measure(name="new", rate=0.20, stacking="add",
                  scope=Scope(importers=("USA",), exporters=("JPN",),
                              sectors=("other_manufacturing",)),
                  effective=date(2025, 6, 1), replaces=("old",), actor="USA")
    tm = TariffModel(Policy(measures=(old, new)), regions=bl.regions, sectors=bl.sectors,
                     base_tariffs=e.tariffs, flows=e.flows, base_date=date(2022, 7, 1))
    t0 = TariffModel(Policy(), regions=bl.regions, sectors=bl.sectors, base_tariffs=e.tariffs,
                     flows=e.flows, base_date=date(2022, 7, 1)).at(date(2025, 7, 1))
    t = tm.at(date(2025, 7, 1))
    usa, jpn, eu = (bl.regions.index(r) for r in ("USA", "JPN", "EU"))
    om, fa = bl.sectors.index("other_manufacturing"), bl.sectors.index("food_agriculture")
    assert abs(t[jpn, usa, om] - t0[jpn, usa, om] - 0.20) < 1e-12   # replaced here
    assert abs(t[jpn, usa, fa] - t0[jpn, usa, fa] - 0.10) < 1e-12   # other sector: old stays
    assert abs(t[eu, usa, om] - t0[eu, usa, om] - 0.10) < 1e-12     # other partner: old stays
