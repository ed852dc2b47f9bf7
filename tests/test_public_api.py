"""The public API (``import sim``): each name stays what it is after any number of calls in
any import order; wrong types and conflicting arguments raise the documented error classes."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import numpy as np
import pytest
from policy_helpers import MINI

import sim
from sim.data.baseline import BaselineError
from sim.data.shock import ShockError
from sim.model import ModelInputError
from sim.scenario.loader import ScenarioError


@pytest.fixture
def tiny(tiny_baseline_dir):
    return sim.load_baseline(tiny_baseline_dir)


def test_each_public_function_works_twice(tiny, tiny_baseline_dir, tmp_path):
    shock = tmp_path / "s.csv"
    shock.write_text("exporter,importer,sector,tariff\nAAA,BBB,goods,0.2\n")
    for _ in range(2):
        assert "tiny" in str(sim.load_baseline(tiny_baseline_dir).path)
        assert "icio2022" in sim.available_baselines()
        s = sim.read_shock(shock, tiny)
        assert s.tariffs[0, 1, 0] == pytest.approx(0.2)
        r = sim.counterfactual(tiny, shock)
        assert isinstance(r, sim.CounterfactualResult) and len(r.regions) == 3
        r2 = sim.counterfactual(tiny, tariffs=s.tariffs)
        assert np.allclose(r.regions.welfare_pct, r2.regions.welfare_pct)
        run = sim.run_scenario("no_change", str(MINI), start=date(2024, 1, 1),
                               end=date(2025, 1, 1), reporting="annual")
        assert isinstance(run, sim.ScenarioRun) and len(run.path)
        assert callable(sim.counterfactual) and callable(sim.run_scenario)
        assert isinstance(sim.Baseline, type)


@pytest.mark.parametrize("first", ["import sim.counterfactual", "import sim.run",
                                   "from sim.counterfactual import counterfactual",
                                   "import sim.cli", "pass"])
def test_names_survive_any_import_order(first):
    code = (f"{first}\nimport sim, types\n"
            "import sim.counterfactual\n"
            "for name in sim.__all__[1:]:\n"
            "    v = getattr(sim, name)\n"
            "    assert not isinstance(v, types.ModuleType), name\n"
            "import sim.run\n"
            "assert callable(sim.counterfactual) and callable(sim.run_scenario)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_wrong_types_raise_documented_errors(tiny):
    with pytest.raises(BaselineError):
        sim.counterfactual(42)
    with pytest.raises(BaselineError):
        sim.load_baseline(None)
    with pytest.raises(BaselineError):
        sim.load_baseline("icio2022", theta=True)
    with pytest.raises(ShockError):
        sim.counterfactual(tiny, shock=3.5)
    with pytest.raises(ModelInputError):
        sim.counterfactual(tiny, tariffs="high")
    with pytest.raises(ModelInputError):
        sim.counterfactual(tiny, closure=["fixed"])
    with pytest.raises(ScenarioError):
        sim.run_scenario(12345)
    with pytest.raises(ScenarioError):
        sim.run_scenario("no_change", str(MINI), reporting="weekly")
    with pytest.raises(ScenarioError):
        sim.run_scenario("no_change", str(MINI), start="2024-01-01")
    with pytest.raises(ScenarioError):
        sim.run_scenario("no_change", str(MINI), adjustment_speed=float("inf"))


def test_conflicting_arguments_and_domestic_tariffs_are_refused(tiny, tmp_path):
    shock = tmp_path / "s.csv"
    shock.write_text("exporter,importer,sector,tariff\nAAA,BBB,goods,0.2\n")
    t = np.array(tiny.economy.tariffs)
    with pytest.raises(ModelInputError, match="not both"):
        sim.counterfactual(tiny, shock, tariffs=t)
    t[1, 1, 0] = 0.1
    with pytest.raises(ModelInputError, match="domestic"):
        sim.counterfactual(tiny, tariffs=t)
