"""Tests for the baseline builders (sim.data.build) and the committed baselines.

Facts are written here, not taken from the builder: US Census goods trade 2022 (Japan) and the
2022-2024 range (China, Canada, Mexico), USD million.
"""

from __future__ import annotations

import csv
import filecmp
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import require_shared

from sim.data.build import BuildError
from sim.data.build.balance import capped_targets, ras
from sim.data.build.checks import read_dir, run_checks
from sim.data.build.commands import BASELINES_DIR, build, inspect
from sim.data.build.icio_csv import build_from_icio_csv

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "icio_tiny"
REGIONS16 = ["USA", "JPN", "CAN", "MEX", "AUS", "NZL", "VNM", "MYS", "SGP", "CHL", "PER",
             "BRN", "CHN", "KOR", "EU", "ROW"]
GOODS = ["food_agriculture", "mining_energy", "metals", "machinery_electronics",
         "motor_vehicles", "other_manufacturing"]
FILES = ["flows.csv", "sectors.csv", "tariffs.csv", "value_added.csv", "io.csv", "regions.csv",
         "metadata.json"]


@pytest.fixture(scope="module")
def icio() -> dict:
    return read_dir(BASELINES_DIR / "icio2022")


@pytest.fixture(scope="module")
def wiod() -> dict:
    return read_dir(BASELINES_DIR / "wiod2014")


def goods_flow(b: dict, exporter: str, importer: str, sector: str | None = None) -> float:
    i, n = b["regions"].index(exporter), b["regions"].index(importer)
    if sector:
        return float(b["flows"][i, n, b["sectors"].index(sector)])
    return float(sum(b["flows"][i, n, b["sectors"].index(s)] for s in GOODS))


# ---------------------------------------------------------------- committed icio2022: facts
def test_icio_regions_and_sectors(icio):
    assert icio["regions"] == REGIONS16
    assert icio["sectors"] == [*GOODS, "services"]


@pytest.mark.parametrize(("exporter", "importer", "sector", "fact", "tol"), [
    ("JPN", "USA", None, 148_000, 0.10),
    ("USA", "JPN", None, 80_000, 0.10),
    ("JPN", "USA", "motor_vehicles", 50_000, 0.15),
])
def test_us_japan_trade_matches_census(icio, exporter, importer, sector, fact, tol):
    v = goods_flow(icio, exporter, importer, sector)
    assert abs(v / fact - 1) <= tol, (exporter, importer, sector, v)


@pytest.mark.parametrize(("exporter", "low", "high"), [
    ("CHN", 427_000, 537_000), ("CAN", 412_000, 438_000), ("MEX", 455_000, 506_000)])
def test_us_imports_within_census_range(icio, exporter, low, high):
    v = goods_flow(icio, exporter, "USA")
    assert low * 0.9 <= v <= high * 1.1, (exporter, v)


@pytest.mark.parametrize("name", ["icio2022", "wiod2014"])
def test_accounting_identities(name):
    b = read_dir(BASELINES_DIR / name)
    X = b["flows"]
    R = len(b["regions"])
    assert (X >= 0).all()
    dom = X[np.arange(R), np.arange(R), :]
    assert (dom >= 0).all() and (dom.sum(axis=1) > 0).all()
    io, va = b["io"], b["va"]
    assert ((io >= 0) & (io <= 1)).all() and ((va >= 0) & (va <= 1)).all()
    assert np.abs(io.sum(axis=1) + va - 1).max() <= 1e-6
    off = X.copy()
    off[np.arange(R), np.arange(R), :] = 0
    assert off.sum(axis=(1, 2)).sum() == pytest.approx(off.sum(axis=(0, 2)).sum(), rel=1e-12)
    t = b["tariffs"]
    assert (t[np.arange(R), np.arange(R), :] == 0).all() and (t >= 0).all() and (t < 1).all()
    # every file is listed in the format and every flow row refers to known codes
    assert all((BASELINES_DIR / name / f).is_file() for f in FILES)


def test_every_region_sector_has_a_domestic_row():
    for name in ("icio2022", "wiod2014"):
        with open(BASELINES_DIR / name / "flows.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        regions = {r["exporter"] for r in rows}
        sectors = {r["sector"] for r in rows}
        dom = {(r["exporter"], r["sector"]) for r in rows if r["exporter"] == r["importer"]}
        assert dom == {(r, s) for r in regions for s in sectors}


def test_tariff_rows_carry_source_and_estimate_flags():
    with open(BASELINES_DIR / "icio2022" / "tariffs.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(r["source"] for r in rows)
    assert {r["estimate"] for r in rows} <= {"0", "1"}
    by = {(r["exporter"], r["importer"], r["sector"]): r for r in rows}
    # US side from Census duties, not an estimate; China's Section 301 tariffs show
    us_cn = by["CHN", "USA", "machinery_electronics"]
    assert us_cn["source"].startswith("census_2024") and us_cn["estimate"] == "0"
    assert float(us_cn["rate"]) > 0.05
    # Japan's verified MFN with no agreement partner; estimate flags on unverified importers
    assert by["CHN", "JPN", "food_agriculture"]["estimate"] in {"0", "1"}
    assert by["USA", "VNM", "motor_vehicles"]["estimate"] == "1"
    # USMCA: (almost) duty free; JPN beef etc.: farm tariff on US goods cut but positive
    assert float(by["MEX", "USA", "motor_vehicles"]["rate"]) < 0.01
    assert 0 < float(by["USA", "JPN", "food_agriculture"]["rate"]) < 0.1254
    assert float(by["JPN", "USA", "services"]["rate"]) == 0


def test_theta_columns(icio):
    th = icio["theta"]
    assert set(th) == {"theta", "theta_uniform4", "theta_uniform5"}
    assert (th["theta"] > 0).all()
    assert (th["theta_uniform4"] == 4).all() and (th["theta_uniform5"] == 5).all()
    assert th["theta"][icio["sectors"].index("services")] == pytest.approx(8.22)


def test_metadata_names_sources_licence_limits(icio, wiod):
    for b in (icio, wiod):
        m = b["metadata"]
        for key in ("name", "year", "currency", "unit", "description", "sources", "licence",
                    "limits"):
            assert m.get(key), key
        assert m["unit"] == "USD million"
    assert "http://oe.cd/icio" in icio["metadata"]["licence"]
    assert any("NZL" in x for x in wiod["metadata"]["limits"])


def test_wiod_regions(wiod):
    assert wiod["regions"] == ["USA", "JPN", "CAN", "MEX", "AUS", "CHN", "KOR", "EU", "ROW"]
    # documented orientation fix: US on Japanese cars ~2.3 %, Japan on US cars ~0
    u, j, mv = 0, 1, wiod["sectors"].index("motor_vehicles")
    assert 0.015 < wiod["tariffs"][j, u, mv] < 0.03
    assert wiod["tariffs"][u, j, mv] < 0.005


def test_inspect_prints_checks_and_tables():
    text = inspect("icio2022")
    assert "US goods imports from JPN" in text and "USA-JPN by sector" in text
    assert " NO" not in text.split("USA: goods")[0]


def test_checks_all_pass_on_committed(icio):
    assert all(c["ok"] for c in run_checks(icio))


# ---------------------------------------------------------------- engine: zero shock
@pytest.mark.parametrize("name", ["icio2022", "wiod2014"])
def test_zero_shock_changes_nothing(name):
    baseline = pytest.importorskip("sim.data.baseline")
    model = pytest.importorskip("sim.model")
    if not hasattr(model, "solve") or not hasattr(baseline, "load_baseline"):
        pytest.skip("engine API (sim.model.solve, load_baseline) not available")
    b = baseline.load_baseline(name)
    eq = model.solve(b.economy, tariffs=None, closure="fixed")
    assert np.abs(np.asarray(eq.wage_hat) - 1).max() < 1e-8
    assert np.abs(np.asarray(eq.price_hat) - 1).max() < 1e-8


# ---------------------------------------------------------------- balancing
def test_ras_hits_margins():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 1, (5, 4))
    r = np.array([1.0, 2, 3, 4, 5])
    c = np.array([3.0, 4, 5, 3])
    x = ras(p, r, c)
    assert np.allclose(x.sum(axis=1), r) and np.allclose(x.sum(axis=0), c) and (x >= 0).all()


def test_capped_targets():
    out = capped_targets(np.array([1.0, 1, 2]), np.array([0.5, 10, 10]), 4.0)
    assert out.sum() == pytest.approx(4.0) and out[0] == 0.5
    assert out[2] == pytest.approx(2 * out[1])


# ---------------------------------------------------------------- official ICIO CSV layout
def _tiny_expected():
    with open(TINY / "icio_tiny.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    region = {"USA": "USA", "JPN": "JPN", "DEU": "EU", "ROW": "ROW"}
    sector = {"A01": "food_agriculture", "C29": "motor_vehicles", "G": "services"}
    flows: dict = {}
    for row in rows[1:]:
        if "_" not in row[0]:
            continue
        o, s = row[0].split("_")
        for lab, v in zip(header[1:-1], row[1:-1], strict=True):
            d = lab.split("_")[0]
            key = (region[o], region[d], sector[s])
            flows[key] = flows.get(key, 0.0) + float(v)
    return flows


def test_build_from_official_icio_csv(tmp_path):
    t = build_from_icio_csv(TINY / "icio_tiny.csv", data_dir=None, name="tiny",
                            concordance_dir=TINY / "concordances", with_tariffs=False)
    for (i, n, s), v in _tiny_expected().items():
        assert t.flows[t.regions.index(i), t.regions.index(n), t.sectors.index(s)] == \
            pytest.approx(max(v, 0.0), abs=1e-9)
    assert np.allclose(t.io.sum(axis=1) + t.va, 1)
    from sim.data.build.common import write_tables
    write_tables(t, tmp_path / "tiny")
    checks = run_checks(read_dir(tmp_path / "tiny"))
    assert all(c["ok"] for c in checks)


# ---------------------------------------------------------------- errors name file, row, value
def test_bad_icio_csv_value(tmp_path):
    text = (TINY / "icio_tiny.csv").read_text(encoding="utf-8").splitlines()
    cells = text[3].split(",")
    cells[4] = "abc"
    text[3] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"bad\.csv, row 4: column 'JPN_A01'.*'abc'"):
        build_from_icio_csv(bad, concordance_dir=TINY / "concordances", with_tariffs=False)


def test_bad_concordance_unmapped_country(tmp_path):
    conc = tmp_path / "conc"
    shutil.copytree(TINY / "concordances", conc)
    p = conc / "icio_regions_16.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("DEU,Germany,EU\n", ""),
                 encoding="utf-8")
    with pytest.raises(BuildError, match=r"icio_regions_16\.csv: country 'DEU'.*not mapped"):
        build_from_icio_csv(TINY / "icio_tiny.csv", concordance_dir=conc, with_tariffs=False)


def test_bad_concordance_unknown_target(tmp_path):
    conc = tmp_path / "conc"
    shutil.copytree(TINY / "concordances", conc)
    p = conc / "icio_sectors_7.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("C29,Motor vehicles,motor_vehicles",
                                                       "C29,Motor vehicles,cars"),
                 encoding="utf-8")
    with pytest.raises(BuildError, match=r"icio_sectors_7\.csv, row 3: sector 'cars'"):
        build_from_icio_csv(TINY / "icio_tiny.csv", concordance_dir=conc, with_tariffs=False)


def test_bad_census_file(tmp_path):
    from sim.data.build.sources import load_census_partner
    p = tmp_path / "hs2-tariff-5880.csv"
    p.write_text("HS2,2024_imports,2024_duty\n01,100,1\n02,-5,0\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"hs2-tariff-5880\.csv, row 3: negative"):
        load_census_partner(p)


def test_missing_data_dir(tmp_path):
    with pytest.raises(BuildError, match="source data directory not found"):
        build("icio2022", out=tmp_path / "x", data_dir=tmp_path / "nope")


# ---------------------------------------------------------------- rebuild bit-for-bit
def _io_source() -> Path:
    import os

    from sim.data.build.sources import WHEEL_NAME, cache_dir
    env = os.environ.get("TRADESIM_ICIO_IO")
    cands = [Path(env)] if env else []
    cands += [cache_dir() / "bench_cache.npz", cache_dir() / WHEEL_NAME]
    for c in cands:
        if c.is_file():
            return c
    message = (f"IO coefficients (sanction-simulator 0.1.4 wheel or bench_cache.npz) not in "
               f"{cands}: run `pip download --no-deps sanction-simulator==0.1.4 -d "
               f"{cache_dir()}` or set TRADESIM_ICIO_IO")
    if os.environ.get("TRADESIM_REQUIRE_SHARED") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["icio2022", "wiod2014"])
def test_rebuild_reproduces_committed_files(tmp_path, name):
    data = require_shared()
    io = _io_source() if name == "icio2022" else None
    out = build(name, out=tmp_path / name, data_dir=data, io_source=io, allow_download=False)
    for f in FILES:
        assert filecmp.cmp(out / f, BASELINES_DIR / name / f, shallow=False), f
