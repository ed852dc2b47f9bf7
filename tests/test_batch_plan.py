"""Batch plans: parameter grammar, run ids, chunks, seeds."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from batch_helpers import BASELINE, scenario_files
from hypothesis import given
from hypothesis import strategies as st

from sim.batch import BatchError, mc_plan, parse_param, sweep_plan
from sim.batch.theta import draw_seed


def test_numeric_range_is_inclusive():
    """START:STOP:STEP includes STOP when it lies on the grid."""
    assert parse_param("events.x.rate=0:0.5:0.1") == (
        "events.x.rate", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert parse_param("model.theta_scale=1:3:1")[1] == [1, 2, 3]


def test_lists_dates_and_aliases():
    """Comma lists keep types; date ranges step by months; lambda is an alias."""
    assert parse_param("settings.closure=fixed,zero")[1] == ["fixed", "zero"]
    assert parse_param("events.x.effective=2026-01-01:2026-03-01:1m")[1] == [
        date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert parse_param("lambda=0.2,1")[0] == "model.adjustment_speed"


@pytest.mark.parametrize("bad", ["events.x.rate", "events.x.rate=0:1", "x=1:0:1",
                                 "x=0:1:0", "x=a:b:c", "x=2026-01-01:2026-02-01:1y"])
def test_malformed_ranges_are_refused(bad):
    """Malformed parameters raise BatchError naming the parameter."""
    with pytest.raises(BatchError, match="--param"):
        parse_param(bad)


def test_unknown_paths_name_the_field(tmp_path):
    """An unknown event, field or model parameter is refused before anything runs."""
    a, _ = scenario_files(tmp_path)
    with pytest.raises(BatchError, match="no item 'nope'"):
        sweep_plan(str(a), ["events.nope.rate=0.1"], baseline=BASELINE)
    with pytest.raises(BatchError, match="unknown model parameter"):
        sweep_plan(str(a), ["model.sigma=1"], baseline=BASELINE)
    with pytest.raises(BatchError, match="less than or equal to 3"):
        sweep_plan(str(a), ["events.us_tariff_jp.rate=5"], baseline=BASELINE)


def test_sweep_grid_and_shared_reference(tmp_path):
    """A 3 x 2 grid makes 6 runs; scenario-field points share one reference run."""
    a, b = scenario_files(tmp_path)
    plan = sweep_plan(str(a), ["events.us_tariff_jp.rate=0.1,0.2,0.3",
                               "settings.adjustment_speed=0.5,1"], reference=str(b),
                      baseline=BASELINE, chunk_size=4)
    mains = [r for r in plan.runs if r.scenario == "tiny_tariff"]
    refs = [r for r in plan.runs if r.scenario == "tiny_ref"]
    assert len(mains) == 6 and len(refs) == 1
    assert all(r.reference == refs[0].run_id for r in mains)


def test_run_ids_are_stable_and_chunks_partition_runs(tmp_path):
    """Run ids depend on content, parameters and seed; every run is in exactly one chunk."""
    a, b = scenario_files(tmp_path)
    p1 = mc_plan([str(a)], 7, 3, reference=str(b), baseline=BASELINE, chunk_size=3)
    p2 = mc_plan([str(a)], 7, 3, reference=str(b), baseline=BASELINE, chunk_size=3)
    p3 = mc_plan([str(a)], 7, 4, reference=str(b), baseline=BASELINE, chunk_size=3)
    assert [r.run_id for r in p1.runs] == [r.run_id for r in p2.runs]
    assert not {r.run_id for r in p1.runs} & {r.run_id for r in p3.runs}
    ids = [i for c in p1.chunks for i in c]
    assert sorted(ids) == sorted(r.run_id for r in p1.runs) and len(ids) == len(set(ids))
    assert len(p1.chunks) == 3 and p1.plan_id == p2.plan_id != p3.plan_id


@given(st.integers(0, 2**32 - 1), st.integers(1, 50), st.data())
def test_draw_seed_is_the_spawned_child(seed, n, data):
    """draw_seed(seed, n, k) has the state of SeedSequence(seed).spawn(n)[k]."""
    k = data.draw(st.integers(0, n - 1))
    a = draw_seed(seed, n, k).generate_state(4)
    b = np.random.SeedSequence(seed).spawn(n)[k].generate_state(4)
    assert np.array_equal(a, b)


def test_batch_layer_imports_no_streamlit():
    """sim.batch (and the CLI's batch commands) load no streamlit (DESIGN.md §1)."""
    import subprocess
    import sys

    code = ("import sys, sim.batch, sim.batch.engine, sim.batch.runner; "
            "assert 'streamlit' not in sys.modules, 'streamlit imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
