"""The baseline loader: shipped baselines, derived quantities and clear refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.data.baseline import BaselineError, available_baselines, load_baseline
from sim.model import compare, solve


@pytest.fixture
def tiny_copy(tmp_path: Path, tiny_baseline_dir: Path) -> Path:
    target = tmp_path / "tiny"
    shutil.copytree(tiny_baseline_dir, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_tiny_baseline_derivations(tiny_baseline_dir):
    """Deficits sum to zero; income = VA + revenue + deficit; α rows sum to one."""
    base = load_baseline(tiny_baseline_dir)
    e = base.economy
    assert base.regions == ("AAA", "BBB", "CCC")
    assert base.sectors == ("goods", "services")
    assert base.sector_labels["goods"] == "Goods"
    assert_allclose(e.deficit.sum(), 0.0, atol=1e-9)
    assert_allclose(e.income, e.value_added + e.tariff_revenue + e.deficit)
    assert_allclose(e.final_share.sum(axis=1), 1.0)
    assert e.tariffs[0, 1, 0] == pytest.approx(0.03)
    assert base.tariff_sources[("AAA", "BBB", "goods")] == "synthetic"


def test_theta_variants(tiny_baseline_dir):
    assert list(load_baseline(tiny_baseline_dir, theta="uniform4").economy.theta) == [4, 4]
    assert list(load_baseline(tiny_baseline_dir, theta=6.5).economy.theta) == [6.5, 6.5]
    with pytest.raises(BaselineError, match="theta_uniform9"):
        load_baseline(tiny_baseline_dir, theta="uniform9")


@pytest.mark.parametrize("name", ["icio2022", "wiod2014"])
def test_shipped_baselines_load_and_solve(name):
    """The shipped baselines load offline from the package and solve a shock."""
    assert name in available_baselines()
    base = load_baseline(name)
    e = base.economy
    assert base.year is not None
    base_eq = solve(e)
    new_t = np.array(e.tariffs, copy=True)
    usa, jpn = base.region_index("USA"), base.region_index("JPN")
    new_t[jpn, usa, :] += 0.15
    new = solve(e, tariffs=new_t, initial=base_eq)
    m = compare(e, base_eq, new)
    assert m["imports_new"][0, usa] < m["imports_base"][0, usa]
    assert abs(m["welfare_pct"][0, jpn]) > 0


def test_unknown_name_lists_shipped(tmp_path):
    with pytest.raises(BaselineError, match="not found.*icio2022"):
        load_baseline("no_such_baseline")


@pytest.mark.parametrize(
    ("filename", "old", "new", "message"),
    [
        ("flows.csv", "AAA,BBB,goods,", "AAA,ZZZ,goods,", r"flows.csv, line \d+: unknown importer 'ZZZ'"),
        ("flows.csv", "AAA,AAA,goods,", "AAA,AAA,steel,", r"unknown sector 'steel'"),
        ("flows.csv", "AAA,BBB,goods,", "AAA,BBB,goods,-", r"column 'value' must be >= 0"),
        ("flows.csv", "AAA,BBB,goods,", "AAA,BBB,goods,x", r"is not a number"),
        ("tariffs.csv", "AAA,BBB,goods,0.030", "AAA,AAA,goods,0.030", r"domestic sales"),
        ("tariffs.csv", "AAA,BBB,goods,0.030", "AAA,CCC,goods,0.030", r"duplicate key AAA,CCC,goods"),
        ("value_added.csv", "AAA,goods,0.4", "AAA,goods,0.5", r"shares do not add up for region 'AAA', sector 'goods'"),
        ("io.csv", "region,input_sector", "region,input", r"missing column\(s\) input_sector"),
        ("sectors.csv", "goods,5.0", "goods,0", r"theta must be > 0"),
        ("flows.csv", "BBB,AAA,goods", "XXX,AAA,goods", r"unknown exporter 'XXX'"),
    ],
)
def test_bad_files_are_refused_with_file_row_value(tiny_copy, filename, old, new, message):
    edit(tiny_copy / filename, old, new)
    with pytest.raises(BaselineError, match=message):
        load_baseline(tiny_copy)


def test_zero_domestic_sales_are_accepted_solved_and_noted(tiny_copy):
    """A region that buys a sector only from abroad (no domestic row) is a solvable economy
    (docs/baseline_format.md); `summary()` names the cell."""
    path = tiny_copy / "flows.csv"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("BBB,BBB,goods")]
    path.write_text("\n".join(lines) + "\n")
    base = load_baseline(tiny_copy)
    assert base.economy.flows[1, 1, 0] == 0
    assert "zero domestic sales in 1 region-sector cells (BBB/goods" in base.summary()
    e = base.economy
    tariffs = np.array(e.tariffs)
    tariffs[0, 1, 0] += 0.1
    base_eq = solve(e)
    new = solve(e, tariffs=tariffs, initial=base_eq)
    metrics = compare(e, base_eq, new)
    assert all(np.all(np.isfinite(v)) for v in metrics.values())
    assert new.flows[0, 0, 1, 0] < base_eq.flows[0, 0, 1, 0]   # BBB buys fewer AAA goods
    assert new.flows[0, 1, 1, 0] == 0                           # and still none of its own


def test_sector_nobody_produces_is_refused(tiny_copy):
    path = tiny_copy / "flows.csv"
    lines = [ln for ln in path.read_text().splitlines() if ",goods," not in ln]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(BaselineError, match="sector.*goods.*no region produces"):
        load_baseline(tiny_copy)


def test_international_flow_of_non_tradable_is_refused(tiny_copy):
    with (tiny_copy / "flows.csv").open("a") as handle:
        handle.write("AAA,BBB,services,3.0\n")
    with pytest.raises(BaselineError, match="not tradable"):
        load_baseline(tiny_copy)


def test_missing_required_file(tiny_copy):
    (tiny_copy / "sectors.csv").unlink()
    with pytest.raises(BaselineError, match="sectors.csv is missing"):
        load_baseline(tiny_copy)


def test_typo_region_without_regions_file_is_named(tiny_copy):
    """Without regions.csv the regions come from flows.csv; a typo surfaces by name."""
    (tiny_copy / "regions.csv").unlink()
    edit(tiny_copy / "flows.csv", "AAA,BBB,goods,", "AAA,ZZZ,goods,")
    with pytest.raises(BaselineError, match="region.*ZZZ produce nothing"):
        load_baseline(tiny_copy)
