"""Panels for gravity estimation: reading, derived columns, bad input (no pyfixest needed)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.estimate.panel import AGTPA_FILE, PanelError, load_panel, parse_years

ROWS = ["exporter,importer,year,trade,dist,rta",
        "AAA,AAA,2000,100,10,0", "AAA,BBB,2000,5,1000,1", "BBB,AAA,2000,4,1000,1",
        "BBB,BBB,2000,80,12,0"]


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def test_derived_columns(tmp_path):
    data = load_panel(write(tmp_path / "p.csv", ROWS)).data
    assert list(data["pair"]) == ["intra", "AAA|BBB", "AAA|BBB", "intra"]
    assert list(data["cluster_pair"]) == ["AAA|AAA", "AAA|BBB", "AAA|BBB", "BBB|BBB"]
    assert list(data["intl"]) == [0, 1, 1, 0]
    assert list(data["exporter_year"]) == ["AAA|2000", "AAA|2000", "BBB|2000", "BBB|2000"]
    assert list(data["importer_year"]) == ["AAA|2000", "BBB|2000", "AAA|2000", "BBB|2000"]
    np.testing.assert_allclose(data["ln_dist"], np.log([10, 1000, 1000, 12]))


def test_gzip_and_parquet_read_the_same(tmp_path):
    csv = load_panel(write(tmp_path / "p.csv", ROWS)).data
    gz = tmp_path / "p.csv.gz"
    gz.write_bytes(gzip.compress(("\n".join(ROWS) + "\n").encode()))
    pq = tmp_path / "p.parquet"
    pd.read_csv(tmp_path / "p.csv").to_parquet(pq)
    for other in (load_panel(gz).data, load_panel(pq).data):
        pd.testing.assert_frame_equal(csv, other)


def test_shipped_panel():
    panel = load_panel("agtpa")
    assert panel.path == AGTPA_FILE and AGTPA_FILE.stat().st_size < 2_000_000
    data = panel.data
    assert len(data) == 99_981 and data["exporter"].nunique() == 69
    assert (data["exporter"] == data["importer"]).sum() == 1_449
    assert (data["trade"] == 0).sum() == 8_475
    usa = data[(data.exporter == "USA") & (data.importer == "USA") & (data.year == 2006)]
    assert round(float(usa["trade"].iloc[0])) == 4_233_436
    assert len(data[data.year.isin(range(1986, 2007, 4))]) == 28_566
    assert (AGTPA_FILE.parent / "LICENSE-CC-BY-4.0.md").is_file()
    assert "CC BY 4.0" in (AGTPA_FILE.parent / "README.md").read_text()


@pytest.mark.parametrize(("rows", "message"), [
    (["exporter,importer,trade", "AAA,BBB,1"], r"p.csv: required column\(s\) 'year' missing"),
    ([*ROWS[:2], "AAA,BBB,2000,abc,1000,1"], r"p.csv: column 'trade' has a non-numeric value "
                                              r"'abc' \(line 3\)"),
    ([*ROWS[:2], "AAA,BBB,2000,,1000,1"], r"column 'trade' has a non-numeric value empty "
                                           r"\(line 3\)"),
    ([*ROWS[:3], "BBB,AAA,2000,-4,1000,1"], r"p.csv: column 'trade' has a negative value -4 "
                                             r"\(line 4\)"),
    ([*ROWS[:2], "AAA,BBB,2000.5,4,1000,1"], r"column 'year' has a non-integer value 2000.5"),
    (["exporter,importer,year,trade,pair", "AAA,BBB,2000,1,x"], r"column\(s\) pair are derived"),
])
def test_bad_panels(tmp_path, rows, message):
    with pytest.raises(PanelError, match=message):
        load_panel(write(tmp_path / "p.csv", rows))


def test_missing_file(tmp_path):
    with pytest.raises(PanelError, match=r"nope.csv: panel file not found"):
        load_panel(tmp_path / "nope.csv")


@pytest.mark.parametrize(("text", "years"), [
    ("1986:2006:4", [1986, 1990, 1994, 1998, 2002, 2006]), ("2000:2002", [2000, 2001, 2002]),
    ("2006", [2006]), ("2006,1986", [1986, 2006]), (None, None)])
def test_parse_years(text, years):
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["20x", "2006:1986", "1986:2006:0", "1986,x"])
def test_parse_years_bad(text):
    with pytest.raises(PanelError, match="--years"):
        parse_years(text)


def test_layering():
    """sim.estimate imports no app code and loads pyfixest only when a fit runs; the numeric
    core never imports sim.estimate."""
    import subprocess
    import sys

    import sim.estimate
    import sim.model

    code = ("import sys, sim.estimate, sim.estimate.commands; bad = [m for m in "
            "('pyfixest', 'streamlit', 'sim.app') if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
    def imports(package) -> list[tuple[str, str]]:
        return [(p.name, line.strip()) for p in Path(package.__file__).parent.glob("*.py")
                for line in p.read_text().splitlines()
                if line.strip().startswith(("import ", "from "))]

    for name, line in imports(sim.estimate):
        assert "sim.app" not in line and "streamlit" not in line, (name, line)
    for name, line in imports(sim.model):
        assert "sim.estimate" not in line, (name, line)
