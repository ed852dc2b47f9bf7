"""Build's pair of runs (the built scenario and its base): when a run setting changes both, the
base is solved in a helper process at the same time; the numbers are those of two plain runs."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from sim.app import state
from sim.app.builder import choices_from, scenario_dict, to_toml, validate_toml
from sim.app.runs import RunSettings, run_tables, spec_json


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the helper process needs two cores")
def test_pair_uses_the_helper_and_gives_the_numbers_of_two_runs():
    built = validate_toml(to_toml(scenario_dict(
        choices_from("historical", us_tariffs=True, us_rate_goods=0.3), "pair_test")),
        "pair_test.toml")
    settings = RunSettings(adjustment_speed=0.45)  # new for both sides
    before = state.helper_runs
    mine, ref = state.run_pair(spec_json(built), spec_json("historical"), settings)
    assert state.helper_runs == before + 1  # the base came from the helper
    pd.testing.assert_frame_equal(ref["path"], run_tables(spec_json("historical"),
                                                          settings)["path"])
    pd.testing.assert_frame_equal(mine["path"], run_tables(spec_json(built), settings)["path"])
    # both cached now: a second call solves nothing, in either process
    again = state.run_pair(spec_json(built), spec_json("historical"), settings)
    assert state.helper_runs == before + 1
    pd.testing.assert_frame_equal(again[1]["path"], ref["path"])


@pytest.mark.slow
def test_without_the_helper_the_pair_is_solved_here(monkeypatch):
    monkeypatch.setenv("TRADESIM_APP_HELPER", "0")
    state._helper.clear()
    try:
        built = validate_toml(to_toml(scenario_dict(
            choices_from("historical", us_tariffs=True), "pair_test2")), "pair_test2.toml")
        before = state.helper_runs
        mine, ref = state.run_pair(spec_json(built), spec_json("historical"),
                                   RunSettings(adjustment_speed=0.65))
        assert state.helper_runs == before
        assert mine["name"] == "pair_test2" and ref["name"] == "historical"
    finally:
        state._helper.clear()
