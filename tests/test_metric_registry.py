"""The metric registry (sim/model/metrics.toml) and the one definition of "against a reference".

Every metric that a run (both detail levels, channels on and off), the batch engine and a static
counterfactual emit has a registry row, and every row is emitted by what it says (no dead
rows); differences follow the registry's rule everywhere; docs/metrics.md is the registry.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batch_helpers import BASELINE, scenario_files

from sim.model.metric_registry import (
    METRICS,
    MetricRegistryError,
    difference_unit,
    emitted_by,
    load_registry,
    metric,
    metrics_markdown,
)
from sim.results import difference, difference_table, difference_units

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library_runs():
    """tpp12 against historical on icio2022, 2018–2020 annual, both detail levels, channels
    as the files say and off."""
    from sim.run import run_scenario

    kw = {"reporting": "annual", "start": date(2018, 1, 1), "end": date(2021, 1, 1)}
    out = {}
    for detail in ("full", "summary"):
        for channels in (None, ()):
            ref = run_scenario("historical", detail=detail, channels=channels, **kw)
            out[detail, channels] = run_scenario("tpp12", reference=ref, detail=detail,
                                                 channels=channels, **kw)
    return out


def test_run_scenario_emits_exactly_the_registry_rows_for_paths(library_runs):
    path_rows = set(emitted_by("path"))
    full_rows = path_rows | set(emitted_by("path_full"))
    for (detail, channels), run in library_runs.items():
        got = set(run.path["metric"].astype(str))
        assert got == (full_rows if detail == "full" else path_rows), (detail, channels)
        # units in the path are the registry's
        units = run.path.groupby("metric", observed=True)["unit"].first().astype(str)
        for m, u in units.items():
            want = metric(m).unit
            assert u == ("USD million" if want == "baseline" else want), (m, u)


def test_batch_emits_exactly_the_registry_rows_for_batch(tmp_path):
    from sim.batch import mc_plan, run_plan

    a, b = scenario_files(tmp_path)
    known = list(emitted_by("batch"))
    plan = mc_plan([str(a)], 1, 7, reference=str(b), baseline=BASELINE, chunk_size=2,
                   metrics=known, theta=False, policy=False, frequency="period")
    res = run_plan(plan, tmp_path / "s", executor_kind="serial").store.results()
    assert set(res["metric"]) == set(known)
    # the plan refuses a metric outside the registry's batch rows
    from sim.batch import BatchError

    with pytest.raises(BatchError, match="gross_output: unknown"):
        mc_plan([str(a)], 1, 7, baseline=BASELINE, metrics=["gross_output"])
    # reference rows: difference() of the run's own rows and its reference's, units by rule
    keys = ["draw", "date", "region", "metric"]
    own = res[res.reference == ""]
    runs = own[own.scenario == "tiny_tariff"].merge(own[own.scenario == "tiny_ref"], on=keys,
                                                    suffixes=("", "_ref"))
    diff = res[res.reference == "tiny_ref"].merge(runs[[*keys, "value", "value_ref", "unit"]],
                                                  on=keys, suffixes=("", "_run"))
    assert len(diff) == len(res[res.reference == "tiny_ref"]) > 100
    np.testing.assert_array_equal(diff["value"], difference(diff["metric"], diff["value_run"],
                                                            diff["value_ref"]))
    np.testing.assert_array_equal(diff["unit"], difference_units(diff["metric"],
                                                                 diff["unit_run"]))


def test_counterfactual_columns_are_the_registry_rows_for_counterfactual():
    from sim.counterfactual import counterfactual
    from sim.data.baseline import load_baseline

    bl = load_baseline(BASELINE)
    t = bl.economy.tariffs + 0.05 * ~np.eye(len(bl.regions), dtype=bool)[:, :, None]
    r = counterfactual(bl, tariffs=t)
    labels = {"region", "exporter", "importer", "sector"}
    cols = {c for df in (r.regions, r.flows, r.sectors) for c in df.columns} - labels
    assert cols == set(emitted_by("counterfactual"))


def test_no_dead_rows():
    """Every row names at least one emitter, and the emitters' sets cover the registry (the
    three tests above check that each emitter emits exactly its rows)."""
    covered = set().union(*(emitted_by(e) for e in ("path", "path_full", "batch",
                                                    "counterfactual")))
    assert covered == set(METRICS)


def test_difference_follows_the_registry_not_the_name():
    a, b = np.array([2.0, -1.0]), np.array([1.0, 0.5])
    ratio = 100 * ((1 + a / 100) / (1 + b / 100) - 1)
    np.testing.assert_array_equal(difference("welfare_pct", a, b), ratio)
    np.testing.assert_array_equal(difference("price_index_pct", a, b), ratio)
    np.testing.assert_array_equal(difference("tot_pct", a, b), a - b)       # first-order share
    np.testing.assert_array_equal(difference("tariff_avg", a, b), a - b)    # a rate: pp
    np.testing.assert_array_equal(difference("tariff_revenue_new", a, b), a - b)
    names = pd.Series(["welfare_pct", "tot_pct"], dtype="category")
    np.testing.assert_array_equal(difference(names, a, b), [ratio[0], a[1] - b[1]])
    np.testing.assert_array_equal(difference(np.array(["tot_pct", "welfare_pct"]), a, b),
                                  [a[0] - b[0], ratio[1]])
    assert difference_unit("welfare_pct", "USD million") == "%"
    assert difference_unit("tariff_avg", "USD million") == "pp"
    assert difference_unit("imports", "USD million") == "USD million"
    assert list(difference_units(["welfare_pct", "tariff", "imports"],
                                 ["%", "%", "USD million"])) == ["%", "pp", "USD million"]
    with pytest.raises(KeyError, match="not in the metric registry"):
        difference("made_up_pct", a, b)


def test_against_reference_is_the_one_difference(library_runs):
    from sim.run import against_reference

    run = library_runs["full", None]
    d = against_reference(run)
    assert d.equals(difference_table(run.path, run.reference.path, "historical"))
    keys = ["date", "region", "partner", "sector", "metric"]
    m = d.merge(run.path.astype({c: str for c in keys[1:]})[[*keys, "value"]], on=keys,
                suffixes=("", "_a")).merge(
        run.reference.path.astype({c: str for c in keys[1:]})[[*keys, "value"]], on=keys,
        suffixes=("", "_b"))
    assert len(m) == len(d) == len(run.path)
    np.testing.assert_array_equal(m["value"], difference(m["metric"], m["value_a"],
                                                         m["value_b"]))
    units = m.groupby("metric")["unit"].first()
    assert units["welfare_pct"] == "%" and units["tariff"] == "pp"
    assert units["tot_pct"] == "pp" and units["imports"] == "USD million"


def test_no_metric_rule_by_name_suffix():
    """Whether a metric is a ratio is the registry's business, not its name's."""
    hits = [f"{p.relative_to(ROOT)}:{k}" for p in sorted((ROOT / "sim").rglob("*.py"))
            for k, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
            if re.search(r"""endswith\(\s*["']_pct["']""", line)]
    assert hits == []


def test_registry_file_errors_name_file_row_field_and_value(tmp_path):
    good = (ROOT / "sim/model/metrics.toml").read_text(encoding="utf-8")
    assert len(load_registry(ROOT / "sim/model/metrics.toml")) == len(METRICS)
    cases = {
        'reference = "ratio"': ('reference = "percent"', "field 'reference' = 'percent'"),
        'better = "lower"': ('better = "smaller"', "field 'better' = 'smaller'"),
        'unit = "fraction"': ('unit = "fractions"', "field 'unit' = 'fractions'"),
        'label = "Real wage"': ('lable = "Real wage"', "unknown field 'lable'"),
    }
    for old, (new, msg) in cases.items():
        f = tmp_path / "metrics.toml"
        f.write_text(good.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(MetricRegistryError) as exc:
            load_registry(f)
        assert str(f) in str(exc.value) and msg in str(exc.value), str(exc.value)
        assert "[[metric]] #" in str(exc.value)
    f.write_text(good.replace('name = "wage_pct"', 'name = "welfare_pct"'), encoding="utf-8")
    with pytest.raises(MetricRegistryError, match="'welfare_pct' is given twice"):
        load_registry(f)
    f.write_text(good.replace('emitted_by = ["counterfactual"]', 'emitted_by = []', 1),
                 encoding="utf-8")
    with pytest.raises(MetricRegistryError, match="emitted_by"):
        load_registry(f)


def test_docs_metrics_page_is_generated_from_the_registry():
    doc = (ROOT / "docs/metrics.md").read_text(encoding="utf-8")
    assert doc == metrics_markdown(), ("docs/metrics.md is out of date: run "
                                       "`tradesim metrics --markdown > docs/metrics.md`")
    for m in METRICS:
        assert f"`{m}`" in doc


def test_model_layer_reads_the_registry_without_pandas():
    import subprocess
    import sys

    code = ("import sys, sim.model.metric_registry as r, sim.model; "
            "assert r.METRICS; print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
