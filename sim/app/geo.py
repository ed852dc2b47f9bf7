"""World map of a per-region value: Altair ``mark_geoshape`` over a vendored TopoJSON.

The shapes are world-atlas 2.0.2 (``countries-110m.json``, ISC; Natural Earth 1:110m), shipped
in ``sim/app/assets/`` and embedded in the chart, so the map draws with no network access.
Each country takes the value of the model region it belongs to
(:func:`country_regions`): its own code if the baseline has it, ``EU`` for EU members, else
``ROW``. This module imports no Streamlit, so it can be tested and used in notebooks.
"""

from __future__ import annotations

import copy
import csv
import json
import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

__all__ = ["ASSETS", "TOPOJSON", "country_regions", "region_map", "topology"]

ASSETS = Path(__file__).resolve().parent / "assets"
TOPOJSON = ASSETS / "countries-110m.json"
MAPPING = ASSETS / "country_regions.csv"
#: attribution shown under the map
ATTRIBUTION = ("Shapes: Natural Earth 1:110m (public domain) via world-atlas 2.0.2 "
               "(ISC, M. Bostock)")
REGION_LABELS = {"EU": "European Union (27)", "ROW": "Rest of world"}


@lru_cache(maxsize=1)
def topology() -> dict[str, Any]:
    """The vendored TopoJSON (read once; callers must not modify it)."""
    with open(TOPOJSON, encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def _mapping_rows() -> tuple[dict[str, str], ...]:
    with open(MAPPING, newline="", encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def country_regions(baseline_regions: Iterable[str]) -> pd.DataFrame:
    """Every map country with the model region it belongs to.

    Parameters
    ----------
    baseline_regions : the baseline's region codes (e.g. ``Baseline.regions``).

    Returns
    -------
    DataFrame with ``topo_name, iso_numeric, iso3, name, eu_member, region, draw, marker_lon,
    marker_lat, note``: ``region`` is the country's code (or its ``counts_as`` code, Puerto
    Rico -> USA) if the baseline has it, ``EU`` for EU members when the baseline has ``EU``,
    else ``ROW``.
    """
    regions = set(baseline_regions)
    out = []
    for r in _mapping_rows():
        code = r["counts_as"] or r["iso3"]
        if code and code in regions:
            region = code
        elif r["eu_member"] == "1" and "EU" in regions:
            region = "EU"
        else:
            region = "ROW"
        out.append({
            "topo_name": r["topo_name"],
            "iso_numeric": r["iso_numeric"],
            "iso3": r["iso3"],
            "name": r["topo_name"] or _MARKER_NAMES.get(r["iso3"], r["iso3"]),
            "eu_member": r["eu_member"] == "1",
            "region": region,
            "draw": r["draw"] == "1",
            "marker_lon": float(r["marker_lon"]) if r["marker_lon"] else math.nan,
            "marker_lat": float(r["marker_lat"]) if r["marker_lat"] else math.nan,
            "note": r["note"],
        })
    return pd.DataFrame(out)


_MARKER_NAMES = {"SGP": "Singapore", "MLT": "Malta"}


def _region_values(values: pd.DataFrame, value: str) -> dict[str, float]:
    if "region" not in values.columns or value not in values.columns:
        raise ValueError(f"values needs columns 'region' and {value!r}, got "
                         f"{list(values.columns)}")
    dup = values["region"][values["region"].duplicated()].tolist()
    if dup:
        raise ValueError(f"one row per region, got duplicates: {sorted(set(dup))}")
    return {str(r): float(v) for r, v in zip(values["region"], values[value], strict=True)}


def _colour_domain(vals: Iterable[float]) -> float:
    finite = [abs(v) for v in vals if math.isfinite(v)]
    top = max(finite, default=0.0)
    return top if top > 0 else 1.0


def region_map(values: pd.DataFrame, *, value: str = "value", title: str = "",
               regions: Iterable[str] | None = None, unit: str = "%", label: str | None = None,
               width: int | str = "container", height: int = 420) -> alt.LayerChart:
    """A world map coloured by ``values[value]`` of each country's region.

    Parameters
    ----------
    values : one row per region: a ``region`` column with baseline region codes and the value
        column (e.g. welfare change in %).
    value : the value column's name.
    title : chart title.
    regions : the baseline's region codes; default the codes in ``values`` (plus ``ROW``).
        Countries whose region has no value are drawn grey ("no value").
    unit : shown after the value in the tooltip and the legend title.
    label : the value's name in the legend and tooltip (default: the column name).
    width, height : chart size (``"container"`` fills the Streamlit column).

    Returns a layer chart: the globe's outline, the country shapes, and circles for
    Singapore and Malta (too small for the 1:110m shapes). The colour scale diverges at 0
    (red below, blue above) and is symmetric, so a colour means the same size of change
    either way. The TopoJSON is embedded inline (no URL).
    """
    vals = _region_values(values, value)
    codes = set(regions) if regions is not None else set(vals) | {"ROW"}
    mapping = country_regions(codes)
    by_name = {r.topo_name: r for r in mapping.itertuples() if r.topo_name}

    topo = copy.copy(topology())
    objects = dict(topo["objects"])
    countries = dict(objects["countries"])
    geometries = []
    for g in countries["geometries"]:
        row = by_name[g["properties"]["name"]]
        if not row.draw:
            continue
        v = vals.get(row.region, math.nan)
        geometries.append({**g, "properties": {
            "name": row.name,
            "region": row.region,
            "region_label": REGION_LABELS.get(row.region, row.region),
            "value": v if math.isfinite(v) else None,
        }})
    countries["geometries"] = geometries
    objects = {"countries": countries}          # "land" is not used: smaller payload
    topo["objects"] = objects

    extent = _colour_domain(vals.values())
    name = label or value
    legend_title = f"{name} ({unit})" if unit else name
    colour = alt.Color(
        "properties.value:Q", title=legend_title,
        scale=alt.Scale(scheme="redblue", domainMid=0, domain=[-extent, extent]),
        legend=alt.Legend(orient="bottom", gradientLength=260, format=".3~f"))
    tooltip = [
        alt.Tooltip("properties.name:N", title="country"),
        alt.Tooltip("properties.region_label:N", title="model region"),
        alt.Tooltip("properties.value:Q", title=legend_title, format=".4~f"),
    ]
    shapes = alt.Chart(
        alt.Data(values=topo, format=alt.DataFormat(type="topojson", feature="countries"))
    ).mark_geoshape(stroke="white", strokeWidth=0.3).encode(
        color=alt.condition("isValid(datum.properties.value)", colour,
                            alt.value("#d9d9d9")),
        tooltip=tooltip,
    )

    markers = mapping[mapping["marker_lon"].notna() & mapping["draw"]]
    records = [{"lon": float(lon), "lat": float(lat), "properties": {
        "name": n, "region": r, "region_label": REGION_LABELS.get(r, r), "value": vals.get(r)}}
        for n, r, lon, lat in zip(markers["name"], markers["region"], markers["marker_lon"],
                                  markers["marker_lat"], strict=True)]
    circles = alt.Chart(alt.Data(values=records)).mark_circle(
        size=70, stroke="#333333", strokeWidth=0.7, opacity=1).encode(
        longitude="lon:Q", latitude="lat:Q",
        color=alt.condition("isValid(datum.properties.value)", colour, alt.value("#d9d9d9")),
        tooltip=tooltip,
    )
    # the sphere (the globe's outline) fixes the projection's fit to the whole world, whatever
    # the width; without it the fit follows the shapes and clips or shifts the map
    sphere = alt.Chart(alt.sphere()).mark_geoshape(fill="#eef3f8", stroke="#c8d3de",
                                                   strokeWidth=0.5)
    return alt.layer(sphere, shapes, circles).project(type="equalEarth").properties(
        width=width, height=height,
        title=alt.TitleParams(title, subtitle=[ATTRIBUTION], subtitleFontSize=10,
                              subtitleColor="#666666", anchor="start"),
        view=alt.ViewBackground(stroke=None),
    )
