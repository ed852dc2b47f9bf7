"""Property tests (hypothesis): any scenario dict and any shock CSV row is either accepted or
refused with the project's error class; never another exception."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.data.shock import ShockError, read_shock
from sim.scenario.loader import ScenarioError, load_scenario, load_scenario_text

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=30), st.dates(date(1, 1, 1), date(9999, 12, 31)))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)
KEYS = st.sampled_from(["name", "title", "start", "end", "calibrated_to", "extends",
                        "settings", "events", "agreements", "uncertainty", "base_date", "x"])
EVENT = st.fixed_dictionaries({
    "kind": st.sampled_from(["measure", "join", "withdraw", "safeguard", "remove", "nope"]),
    "name": st.text(string.ascii_lowercase, min_size=1, max_size=5)},
    optional={"actor": st.sampled_from(["USA", "JPN", "THA", "", 5]),
              "rate": SCALARS, "effective": SCALARS, "until": SCALARS,
              "exporters": st.lists(st.sampled_from(["JPN", "USA", "*", "ROW"]), max_size=3),
              "stacking": st.sampled_from(["add", "replace", "max", 1]),
              "source": st.text(max_size=10)})
SCENARIO = st.fixed_dictionaries(
    {"name": st.one_of(st.text(string.ascii_letters + "_-/. ", min_size=1, max_size=20),
                       SCALARS),
     "start": SCALARS, "end": SCALARS},
    optional={"calibrated_to": st.one_of(st.just("self"), st.just("historical"), SCALARS),
              "events": st.one_of(st.lists(EVENT, max_size=3), VALUES),
              "settings": st.one_of(st.dictionaries(st.sampled_from(
                  ["reporting", "adjustment_speed", "closure", "retroactive"]), SCALARS),
                  VALUES)})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCENARIO, st.dictionaries(KEYS, VALUES, max_size=3))
def test_any_scenario_dict_is_accepted_or_refused_cleanly(data, extra):
    raw = {**data, **extra}
    try:
        s = load_scenario(raw)
    except ScenarioError as exc:
        assert exc.errors and all(isinstance(e, str) for e in exc.errors)
        return
    assert s.spec.end > s.spec.start          # accepted: a usable scenario


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v).replace("inf", "inf").replace("nan", "nan")
    if isinstance(v, date):
        return v.isoformat()
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "title", "start", "end", "calibrated_to",
                                        "extends", "base_date"]),
                       st.one_of(st.booleans(), st.integers(-10**6, 10**10),
                                 st.floats(allow_nan=True), st.text(max_size=20),
                                 st.dates(date(1, 1, 1), date(9999, 12, 31))), max_size=7),
       st.binary(max_size=20))
def test_any_scenario_text_is_accepted_or_refused_cleanly(fields, junk):
    text = "".join(f"{k} = {_toml_value(v)}\n" for k, v in fields.items())
    for payload in (text, text.encode() + junk):
        try:
            load_scenario_text(payload, "up.toml")
        except ScenarioError as exc:
            assert all(e.startswith("up.toml") for e in exc.errors), exc.errors


CELL = st.one_of(st.sampled_from(["AAA", "BBB", "CCC", "*", "", "goods", "services", "0.1",
                                  "1e308", "-0", "0,5", "1_0", "nan", "inf", "true", '"x,y"',
                                  " 0.2 ", "\u00e9"]),
                 st.text(max_size=6), st.floats(allow_nan=True).map(repr))


@pytest.fixture(scope="module")
def tiny():
    from pathlib import Path

    from sim.data.baseline import load_baseline
    return load_baseline(Path(__file__).parent / "data" / "tiny")


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=0, max_size=4),
       st.sampled_from(["exporter,importer,sector,tariff", "exporter,importer,cost_factor",
                        "exporter,importer,sector,tariff,cost_factor", "a,b"]))
def test_any_shock_csv_rows_are_accepted_or_refused_cleanly(tmp_path_factory, tiny, rows,
                                                           header):
    import numpy as np

    f = tmp_path_factory.mktemp("shock") / "s.csv"
    f.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n",
                 encoding="utf-8")
    try:
        shock = read_shock(f, tiny)
    except ShockError as exc:
        assert str(f) in str(exc)
        return
    assert np.all(np.isfinite(shock.tariffs)) and np.all(shock.cost_factor > 0)
    assert np.all(np.diagonal(shock.tariffs, axis1=0, axis2=1) == 0)
