"""No number without a source: every shipped data file has a provenance rule and every row a
source; unverified rows are listed (and shown on the Method page)."""

from __future__ import annotations

import csv
import shutil

import pytest

from sim.app import provenance
from sim.app.provenance import missing_sources, rule_for, shipped_files, unverified_rows
from sim.app.studies import load_studies
from sim.scenario.loader import LIBRARY, load_scenario


def test_every_shipped_data_file_has_a_rule():
    files = shipped_files()
    # the parameter and data files named in issue 14 are among them
    for rel in ("batch/data/theta_cp2015.csv", "policy/data/mfn_by_sector.csv",
                "policy/data/product_lines.csv", "data/concordances/parameters.csv",
                "baselines/icio2022/tariffs.csv", "baselines/icio2022/sectors.csv",
                "app/assets/studies.toml", "data/validation/reproduced.json"):
        assert rel in files
    assert [f for f in files if rule_for(f) is None] == []


def test_every_row_of_every_shipped_file_has_a_source():
    assert missing_sources() == []


def test_every_scenario_fact_has_a_source():
    """Scenario facts (agreements, members, concessions, events) of the library."""
    from sim.app.pages.method import scenario_facts

    for p in sorted(LIBRARY.glob("*.toml")):
        facts = scenario_facts(load_scenario(p).spec)
        assert (facts["source"].astype(str).str.strip() != "").all(), p.name


def test_a_row_without_source_is_caught(tmp_path, monkeypatch):
    """The check can fail: blank one source cell in a copy of the package data."""
    pkg = tmp_path / "sim"
    for d in provenance.DATA_DIRS:
        shutil.copytree(provenance.PACKAGE / d, pkg / d, dirs_exist_ok=True)
    p = pkg / "policy/data/mfn_by_sector.csv"
    with open(p, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[3]["source"] = ""
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (pkg / "batch/data/new_parameters.csv").write_text("a,b\n1,2\n")
    monkeypatch.setattr(provenance, "PACKAGE", pkg)
    problems = missing_sources()
    assert any("mfn_by_sector.csv, row 5: empty source" in x for x in problems)
    assert any("new_parameters.csv: no provenance rule" in x for x in problems)


def test_unverified_rows_are_listed():
    rows = unverified_rows()
    files = {r["file"] for r in rows}
    assert "sim/batch/data/theta_cp2015.csv" in files          # s.e. reproduced, not printed
    assert "sim/policy/data/mfn_by_sector.csv" in files        # NZL, MYS estimates etc.
    theta = [r for r in rows if r["file"].endswith("theta_cp2015.csv")]
    assert len(theta) == 20 and all(r["status"] and r["source"] for r in theta)
    assert all(r["what"] and r["status"] for r in rows)


@pytest.mark.parametrize("study", load_studies(), ids=lambda s: s["id"])
def test_every_study_row_has_a_link_or_says_why_not(study):
    assert study["url"] or study["note"]
