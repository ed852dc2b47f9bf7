"""Published-study rows as data (sim/app/assets/studies*.toml): schema, errors, citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.app.studies import FIELDS, StudiesError, load_studies
from sim.scenario.loader import LIBRARY

PAGE_BUILT: set[str] = set()   # scenarios the Validation page writes itself (none)


def test_every_row_is_complete_and_names_a_scenario_we_run():
    rows = load_studies()
    assert len(rows) >= 9 and len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(FIELDS) <= set(r)
        for name in (r["tradesim_scenario"], r["tradesim_reference"]):
            assert name in PAGE_BUILT or (LIBRARY / f"{name}.toml").is_file(), (r["id"], name)
        assert r["url"] or "no publisher url" in r["note"].lower() or "not seen" in r["note"]


def test_citations_fixed_by_issue_14():
    """World Bank by DOI; the US figure says which text it follows; Lee & Itakura name the
    version and the later numbers; years that are ours are marked; the NRI link is there."""
    rows = {r["id"]: r for r in load_studies()}
    wb = [r for r in rows.values() if r["study"] == "World Bank (2016)"]
    assert wb and all(r["url"] == "https://doi.org/10.1596/978-1-4648-0675-9" for r in wb)
    assert "0.5 %" in rows["worldbank2016_usa_tpp"]["note"]
    li = rows["lee_itakura2017_usa_tpp"]
    assert "March 2017" in li["version"] and "0.4 %" in li["note"] and "$100 billion" in li["note"]
    assert rows["govjapan2017_jpn_cptpp"]["year_is_ours"] and rows["nri2025_jpn_reciprocal24"][
        "year_is_ours"]
    assert rows["nri2025_jpn_reciprocal24"]["url"] == (
        "https://www.nri.com/en/media/column/nri_finsights/20250403.html")


def _write(tmp: Path, name: str, body: str) -> None:
    (tmp / name).write_text(body, encoding="utf-8")


def _entry(**over) -> str:
    base = {"id": "x", "study": "S", "title": "T", "publisher": "P", "year_published": 2020,
            "version": "", "url": "https://example.org/x", "scenario": "s",
            "tradesim_scenario": "tpp12", "tradesim_reference": "historical", "region": "USA",
            "measure": "m", "measure_is_ours": False, "value": 1.0, "unit": "%", "year": 2030,
            "year_is_ours": False, "note": ""}
    base.update(over)
    lines = ["[[study]]"]
    for k, v in base.items():
        if v is None:
            continue
        lines.append(f"{k} = " + (f'"{v}"' if isinstance(v, str) else
                                  str(v).lower() if isinstance(v, bool) else str(v)))
    return "\n".join(lines) + "\n"


def test_every_studies_file_is_read_and_ids_must_be_unique(tmp_path):
    _write(tmp_path, "studies.toml", _entry())
    _write(tmp_path, "studies_2025.toml", _entry(id="y"))
    assert [r["id"] for r in load_studies(tmp_path)] == ["x", "y"]
    _write(tmp_path, "studies_2025.toml", _entry())
    with pytest.raises(StudiesError, match="already used"):
        load_studies(tmp_path)


@pytest.mark.parametrize(("over", "message"), [
    ({"year": "2030"}, "field 'year' = '2030' should be int"),
    ({"measure_is_ours": 1}, "field 'measure_is_ours' = 1 should be bool"),
    ({"title": None}, "missing field"),
    ({"url": "", "note": ""}, "no url, so 'note' must say why"),
    ({"url": "www.x.org"}, "not an http"),
    ({"region": " "}, "field 'region' is empty"),
])
def test_bad_rows_name_file_entry_and_field(tmp_path, over, message):
    _write(tmp_path, "studies.toml", _entry(**over))
    with pytest.raises(StudiesError, match=message) as exc:
        load_studies(tmp_path)
    assert "studies.toml" in str(exc.value) and "#1" in str(exc.value)
