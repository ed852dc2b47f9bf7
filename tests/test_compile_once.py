"""Compile once: a scenario becomes one frozen CompiledScenario, read, validated and compiled
once per run (and once per calibration); its content hash keys the caches."""

from __future__ import annotations

import collections
import copy
import dataclasses
from pathlib import Path

import pytest
from policy_helpers import MINI, ROOT

import sim.scenario.compile as compile_mod
import sim.scenario.loader as loader_mod
from sim.scenario import compile_scenario, load_scenario
from sim.scenario.compile import CompiledScenario, spec_hash
from sim.scenario.models import EVENT_CLASSES, EVENT_KINDS, EventSpec

APP = ROOT / "app.py"


@pytest.fixture
def counts(monkeypatch) -> collections.Counter:
    """Counts spec -> policy compiles (by scenario name) and file loads (by file label), with
    the compile cache emptied so that every compile is seen."""
    seen: collections.Counter = collections.Counter()
    real_compile, real_load = compile_mod.compile_policy, loader_mod._load

    def counted_compile(spec):
        seen[f"compile {spec.name}"] += 1
        return real_compile(spec)

    def counted_load(ident, label, *args, **kwargs):
        seen[f"load {label}"] += 1
        return real_load(ident, label, *args, **kwargs)

    monkeypatch.setattr(compile_mod, "compile_policy", counted_compile)
    monkeypatch.setattr(loader_mod, "_load", counted_load)
    monkeypatch.setattr(compile_mod, "_POLICIES", collections.OrderedDict())
    monkeypatch.setattr(compile_mod, "_CALIBRATIONS", collections.OrderedDict())
    return seen


def test_run_with_a_reference_compiles_each_scenario_once(counts):
    """`run_scenario(tpp12, reference=historical)`: tpp12 read and compiled once; historical
    (the reference and tpp12's calibration, the same file) read and compiled once. Before,
    historical was read three times and tpp12 compiled twice."""
    from sim.run import run_scenario

    run = run_scenario("tpp12", MINI, reference="historical", reporting="annual")
    assert run.reference is not None and run.reference.name == "historical"
    assert dict(counts) == {"load scenarios/tpp12.toml": 1, "load scenarios/historical.toml": 1,
                            "compile tpp12": 1, "compile historical": 1}
    assert run.compiled is not None and run.compiled.calibration is run.reference.compiled.policy


def test_run_without_a_reference_reads_the_calibration_once(counts):
    from sim.run import run_scenario

    run_scenario("tpp12", MINI, reporting="annual")
    assert dict(counts) == {"load scenarios/tpp12.toml": 1, "load scenarios/historical.toml": 1,
                            "compile tpp12": 1, "compile historical": 1}


def test_a_compiled_scenario_is_not_compiled_again(counts):
    from sim.run import build_tariff_model, resolve_baseline, run_scenario

    comp = compile_scenario("tpp12")
    before = dict(counts)
    bl = resolve_baseline(MINI)
    build_tariff_model(comp, bl)
    run_scenario(comp, bl, reporting="annual", channels=())
    assert dict(counts) == before


def test_the_compiled_object_holds_spec_source_policy_rules_and_calibration():
    comp = compile_scenario("tpp12")
    assert comp.name == "tpp12" and comp.spec.name == "tpp12"
    assert comp.path == loader_mod.LIBRARY / "tpp12.toml"
    assert comp.label == str(Path("scenarios") / "tpp12.toml")
    assert comp.calibration_label == str(Path("scenarios") / "historical.toml")
    hist = compile_scenario("historical")
    assert comp.calibration == hist.policy
    assert hist.calibration is None and hist.calibration_label == "self"
    assert any(a.name == "TPP" for a in comp.policy.agreements)
    assert compile_scenario(comp) is comp
    with pytest.raises(dataclasses.FrozenInstanceError):
        comp.name = "x"  # type: ignore[misc]


def _reorder(d):
    """The same content with every mapping's keys in reverse order (lists kept)."""
    if isinstance(d, dict):
        return {k: _reorder(d[k]) for k in reversed(list(d))}
    if isinstance(d, list):
        return [_reorder(x) for x in d]
    return d


def test_content_hash_is_stable_and_follows_the_content():
    raw = copy.deepcopy(load_scenario("tpp12").raw)   # extends resolved (merged)
    a = compile_scenario(raw)
    assert compile_scenario(_reorder(raw)).content_hash == a.content_hash
    assert compile_scenario("tpp12").content_hash == a.content_hash   # file or dict alike
    assert len(a.content_hash) == 64 and a.spec_hash == spec_hash(a.spec)
    changed = copy.deepcopy(raw)
    first = next(e for e in changed["events"] if e.get("kind") == "measure")
    first["rate"] = first["rate"] + 0.01
    assert compile_scenario(changed).content_hash != a.content_hash
    # the calibration is part of the content
    hist = load_scenario("historical").raw
    other = compile_scenario(raw, calibration=dict(hist, title="another history"))
    assert other.spec_hash == a.spec_hash and other.content_hash != a.content_hash


def test_a_sibling_calibration_is_not_mistaken_for_the_library_one(tmp_path):
    """A reference of the same name from another folder is not reused as the calibration."""
    text = (ROOT / "scenarios" / "historical.toml").read_text(encoding="utf-8")
    (tmp_path / "historical.toml").write_text(text.replace('title = "', 'title = "mine: ', 1),
                                              encoding="utf-8")
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nextends = "no_change"\ncalibrated_to = "historical"\n',
        encoding="utf-8")
    library_ref = compile_scenario("historical")
    mine = compile_scenario(tmp_path / "mine.toml", known=[library_ref])
    assert Path(mine.calibration_label).resolve() == (tmp_path / "historical.toml").resolve()
    assert mine.calibration is not library_ref.policy


def test_every_event_kind_compiles_and_describes_itself():
    """One class per kind carries its compile, describe and reference checks (no branching on
    the kind elsewhere)."""
    assert set(EVENT_KINDS) == {"measure", "join", "withdraw", "safeguard", "trq",
                                "retaliation", "remove"}
    for cls in EVENT_CLASSES:
        assert issubclass(cls, EventSpec)
        for method in ("compile", "describe"):
            assert getattr(cls, method) is not getattr(EventSpec, method), (cls, method)
    src = (ROOT / "sim" / "scenario" / "compile.py").read_text(encoding="utf-8")
    assert "isinstance(e, M." not in src


def test_library_events_describe_themselves():
    hist = load_scenario("historical").spec
    rows = {e.name: e.describe() for e in hist.events}
    kinds = {e.kind for e in hist.events}
    assert {"measure", "safeguard"} <= kinds
    for name, (what, when) in rows.items():
        assert what and when, name


def test_compiled_scenarios_compare_by_content():
    a, b = compile_scenario("historical"), compile_scenario(load_scenario("historical"))
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != compile_scenario("tpp12")
    assert isinstance(a, CompiledScenario)


@pytest.mark.slow
def test_an_app_compare_run_compiles_each_scenario_once(counts):
    """The app's first Compare (historical against tpp12) reads and compiles each scenario
    once; the run cache keys on the content hash."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from sim.app import runs

    st.cache_data.clear()
    runs.library_scenario.cache_clear()
    at = AppTest.from_file(str(APP), default_timeout=300).run()
    assert not at.exception, at.exception
    ran = {k: v for k, v in counts.items() if "tpp12" in k or "historical" in k}
    assert ran == {"load scenarios/tpp12.toml": 1, "load scenarios/historical.toml": 1,
                   "compile tpp12": 1, "compile historical": 1}


def test_a_monte_carlo_compiles_each_scenario_once_per_content(counts, monkeypatch, tmp_path):
    """Six draws of a scenario with policy uncertainty and of its reference: the reference
    (no uncertainty) is compiled once, the scenario once as written and once per distinct
    realisation; before, the engine compiled each run's scenario at least once per run (three
    times when its policy path was not cached yet)."""
    from batch_helpers import BASELINE, scenario_files

    import sim.batch.engine as engine
    from sim.batch import mc_plan, run_plan

    monkeypatch.setattr(engine, "_COMPILED", collections.OrderedDict())
    monkeypatch.setattr(engine, "_PATHS", collections.OrderedDict())
    a, b = scenario_files(tmp_path)
    plan = mc_plan([str(a)], 6, 7, reference=str(b), baseline=BASELINE, chunk_size=3)
    counts.clear()                               # planning reads the files: not counted here
    store = run_plan(plan, tmp_path / "s", executor_kind="serial").store
    runs = store.runs()
    assert (runs.status == "ok").all() and len(runs) == 12
    assert counts["compile tiny_ref"] == 1
    realised = {(r["outcome:tariff_happens"], str(r["outcome:tariff_end"]))
                for _, r in runs[runs.scenario == "tiny_tariff"].iterrows()}
    # the scenario as written once (its spec drives the draws), then each realisation once
    assert 2 <= counts["compile tiny_tariff"] <= len(realised) + 1
