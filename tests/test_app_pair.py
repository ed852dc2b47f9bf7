"""Build's pair of runs (the built scenario and its base, same settings): the numbers are those
of two plain runs, and a second call is served from the cache."""

from __future__ import annotations

import pandas as pd

from sim.app import state
from sim.app.builder import choices_from, scenario_dict, to_toml, validate_toml
from sim.app.runs import RunSettings, run_tables, spec_json


def test_pair_gives_the_numbers_of_two_runs_and_is_cached(monkeypatch):
    built = validate_toml(to_toml(scenario_dict(
        choices_from("historical", us_tariffs=True, us_rate_goods=0.3), "pair_test")),
        "pair_test.toml")
    settings = RunSettings(adjustment_speed=0.45)  # new for both sides
    mine, ref = state.run_pair(spec_json(built), spec_json("historical"), settings)
    assert mine["name"] == "pair_test" and ref["name"] == "historical"
    pd.testing.assert_frame_equal(ref["path"], run_tables(spec_json("historical"),
                                                          settings)["path"])
    pd.testing.assert_frame_equal(mine["path"], run_tables(spec_json(built), settings)["path"])

    calls = []
    monkeypatch.setattr(state, "run_tables", lambda *a, **k: calls.append(a))
    again = state.run_pair(spec_json(built), spec_json("historical"), settings)
    assert calls == []            # both sides from the cache: nothing solved
    pd.testing.assert_frame_equal(again[1]["path"], ref["path"])
