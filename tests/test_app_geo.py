"""World map builder: country -> region mapping and the Altair spec (no Streamlit needed)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.app.geo import MAPPING, country_regions, region_map, topology

ICIO = ["USA", "JPN", "CAN", "MEX", "AUS", "NZL", "VNM", "MYS", "SGP", "CHL", "PER", "BRN", "CHN", "KOR", "EU", "ROW"]
ROOT = MAPPING.parents[3]


def _regions(name: str) -> list[str]:
    with open(ROOT / "sim" / "baselines" / name / "regions.csv", newline="") as f:
        return [r["region"] for r in csv.DictReader(f)]


def _urls(obj) -> list[str]:
    """Every value under a key named 'url' anywhere in a spec."""
    if isinstance(obj, dict):
        found = [str(v) for k, v in obj.items() if k == "url"]
        return found + [u for v in obj.values() for u in _urls(v)]
    if isinstance(obj, list):
        return [u for v in obj for u in _urls(v)]
    return []


def _features(spec: dict) -> tuple[dict, list[dict]]:
    _, shapes, circles = spec["layer"]
    return shapes, circles


@pytest.mark.parametrize("baseline", ["icio2022", "wiod2014"])
def test_every_topojson_country_maps_to_one_region(baseline):
    """Each shape of the TopoJSON has exactly one mapping row and a region of the baseline."""
    regions = _regions(baseline)
    mapping = country_regions(regions)
    names = [g["properties"]["name"] for g in topology()["objects"]["countries"]["geometries"]]
    shaped = mapping[mapping["topo_name"] != ""]
    assert sorted(shaped["topo_name"]) == sorted(names)
    assert set(mapping["region"]) <= set(regions)


def test_eu_members_map_to_eu_and_others_follow_the_baseline():
    """27 EU members -> EU; TPP members outside wiod2014's regions -> ROW there."""
    icio = country_regions(ICIO).set_index("iso3")
    wiod = country_regions(_regions("wiod2014")).set_index("iso3")
    eu = icio[icio["eu_member"]]
    assert len(eu) == 27 and set(eu["region"]) == {"EU"}
    assert set(wiod.loc[eu.index, "region"]) == {"EU"}
    assert icio.loc["NZL", "region"] == "NZL" and wiod.loc["NZL", "region"] == "ROW"
    assert icio.loc["PRI", "region"] == "USA"          # inside the US customs territory
    assert icio.loc["GBR", "region"] == "ROW" and icio.loc["GRL", "region"] == "ROW"
    assert icio.loc["SGP", "region"] == "SGP"          # drawn as a circle


def test_mapping_agrees_with_the_icio_concordance():
    """For every ICIO economy on the map, the region is the one the baseline builder uses."""
    icio = country_regions(ICIO).set_index("iso3")
    with open(ROOT / "sim" / "data" / "concordances" / "icio_regions_16.csv", newline="") as f:
        conc = {r["iso3"]: r["region"] for r in csv.DictReader(f)}
    both = [c for c in conc if c in icio.index]
    assert len(both) >= 75
    assert {c: icio.loc[c, "region"] for c in both} == {c: conc[c] for c in both}


def test_chart_is_an_inline_geoshape_with_no_urls():
    """The map embeds its TopoJSON (no URL, so it draws offline) and uses mark_geoshape."""
    chart = region_map(pd.DataFrame({"region": ICIO, "value": range(16)}), title="t")
    spec = chart.to_dict()
    shapes, _ = _features(spec)
    assert shapes["mark"]["type"] == "geoshape"
    assert shapes["data"]["format"] == {"type": "topojson", "feature": "countries"}
    assert _urls(spec) == []
    assert 50_000 < len(json.dumps(spec)) < 400_000


def test_values_land_on_the_right_countries():
    """Japan gets JPN's value, France the EU's, Brazil ROW's, Singapore's circle SGP's."""
    values = pd.DataFrame({"region": ["JPN", "EU", "ROW", "SGP", "USA"],
                           "welfare": [-0.5, 0.25, 0.01, 1.5, 2.0]})
    spec = region_map(values, value="welfare", regions=ICIO).to_dict()
    shapes, circles = _features(spec)
    props = {g["properties"]["name"]: g["properties"]
             for g in shapes["data"]["values"]["objects"]["countries"]["geometries"]}
    assert props["Japan"]["value"] == -0.5 and props["Japan"]["region"] == "JPN"
    assert props["France"]["value"] == 0.25 and props["France"]["region"] == "EU"
    assert props["Brazil"]["value"] == 0.01 and props["Brazil"]["region"] == "ROW"
    assert props["Puerto Rico"]["value"] == 2.0
    assert props["Canada"]["value"] is None          # no value given: drawn grey
    assert "Antarctica" not in props
    dots = {d["properties"]["name"]: d["properties"]["value"] for d in circles["data"]["values"]}
    assert dots["Singapore"] == 1.5 and dots["Malta"] == 0.25


def test_colour_scale_diverges_at_zero():
    """Symmetric domain around 0 so equal colours mean equal sizes of change."""
    spec = region_map(pd.DataFrame({"region": ["JPN", "USA"], "value": [-0.2, 0.05]})).to_dict()
    colour = spec["layer"][1]["encoding"]["color"]["condition"]
    assert colour["scale"]["domainMid"] == 0
    assert colour["scale"]["domain"] == [-0.2, 0.2]


def test_bad_values_are_refused():
    """A missing value column or a region given twice is an error naming the problem."""
    with pytest.raises(ValueError, match="columns"):
        region_map(pd.DataFrame({"region": ["JPN"]}))
    with pytest.raises(ValueError, match="duplicates"):
        region_map(pd.DataFrame({"region": ["JPN", "JPN"], "value": [1, 2]}))


def test_geo_imports_no_streamlit():
    """The map builder is usable without Streamlit."""
    code = "import sys, sim.app.geo; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
