"""The tidy path (sim.results.tidy_path): rows, labels and values against the timeline result."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from policy_helpers import mini

from sim.results import COLUMNS, tidy_path
from sim.run import build_tariff_model, run_scenario


@pytest.fixture(scope="module")
def run():
    return run_scenario("no_deal_2025", mini(), start=date(2025, 1, 1), end=date(2026, 1, 1),
                        reporting="quarterly")


def test_each_period_has_the_same_rows(run):
    p = run.path
    assert list(p.columns) == COLUMNS
    sizes = p.groupby("date").size()
    assert len(sizes) == 4 and sizes.nunique() == 1
    for c in ("region", "partner", "sector", "metric", "unit"):
        cats = list(p[c].cat.categories)
        assert cats == sorted(cats)


def test_values_are_the_equilibrium_of_their_period(run):
    """Bilateral imports and tariffs, welfare in dollars and the average tariff, per period."""
    bl = mini()
    regions, sectors = list(bl.regions), list(bl.sectors)
    usa, jpn = regions.index("USA"), regions.index("JPN")
    p = run.path
    for k, period in enumerate(run.timeline.periods):
        at = p[p.date == np.datetime64(period.start, "s")]
        imp = at[(at.metric == "imports") & (at.region == "USA") & (at.partner == "JPN")]
        want = period.equilibrium.flows[0][jpn, usa]
        assert imp.set_index("sector").loc[sectors, "value"].to_numpy() == pytest.approx(want)
        usd = at[(at.metric == "welfare_usd") & (at.region == "JPN")].value.item()
        m = period.metrics
        assert usd == pytest.approx(m["welfare_pct"][0][jpn] / 100 * m["income_base"][0][jpn])
        w = bl.economy.flows * ~np.eye(len(regions), dtype=bool)[:, :, None]
        avg = 100 * (period.tariffs[:, usa] * w[:, usa]).sum() / w[:, usa].sum()
        got = at[(at.metric == "tariff_avg") & (at.region == "USA")].value.item()
        assert got == pytest.approx(avg), k


def test_summary_detail_has_no_bilateral_rows(run):
    tm = build_tariff_model(run.scenario, mini())
    df = tidy_path("x", run.timeline, mini(), tm, detail="summary")
    assert not {"imports", "tariff"} & set(df.metric.astype(str))
    assert set(df.scenario) == {"x"}
