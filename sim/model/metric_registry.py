"""The metric registry: names, units, labels and the rule of differencing, as data.

Every outcome tradesim emits (the model's per-region metrics, the tidy path of a run, the batch
results, the tables of a static counterfactual) has one row in ``sim/model/metrics.toml``,
read here once. Everything that names, labels, formats or differences a metric reads
:data:`METRICS` instead of keeping its own dictionary or reading the name's suffix.

**Against a reference** (``reference`` field). For scenario value ``a`` and reference value
``b`` of one metric on the same date, region, partner and sector:

* ``ratio``: ``100 ((1 + a/100) / (1 + b/100) − 1)``. Used for percent changes against the
  model's solved baseline that are ratios of two equilibria, ``x = 100 (x̂ − 1)`` (welfare =
  real income Î/P̂, real wage, price indices, wages, flows and output changes): the baseline
  cancels and the result is the scenario's change relative to the reference, in %.
* ``difference``: ``a − b``. Used for levels (in their own unit), rates in % (tariffs: in
  percentage points) and the first-order welfare terms (``tot_pct``, ``vot_pct``,
  ``tech_pct``, ``welfare_cp_pct``), which are shares of baseline income that add up rather
  than ratios of two equilibria (the ratio rule would have no meaning for them).

:func:`difference_unit` gives the unit of the result (``%`` for a ratio, ``pp`` for a
difference of percent values, the level's unit otherwise). The numbers are computed by
:func:`sim.results.difference`; this module (the model layer) imports no pandas.

``tradesim metrics --markdown`` prints ``docs/metrics.md`` (:func:`metrics_markdown`; a test
checks that the committed page is this output).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FILE", "METRICS", "BaselineUnit", "Metric", "MetricRegistryError",
           "difference_unit", "emitted_by", "load_registry", "metric", "metrics_markdown",
           "unit_of"]

FILE = Path(__file__).with_name("metrics.toml")

#: the allowed values of the enumerated fields
UNITS = ("%", "fraction", "baseline")
SCOPES = ("region", "region_sector", "bilateral")
REFERENCE_RULES = ("ratio", "difference")
BETTER = ("higher", "lower", "neither")
EMITTERS = ("path", "path_full", "batch", "counterfactual")
_REQUIRED = ("name", "unit", "label", "description", "scope", "reference", "better",
             "emitted_by")
_OPTIONAL = ("equation", "short")

#: the ``unit`` value that stands for the baseline's money unit (``Baseline.unit``)
BaselineUnit = "baseline"


class MetricRegistryError(ValueError):
    """A row of the registry file is missing a field or has a value out of range."""


@dataclass(frozen=True)
class Metric:
    """One row of the registry (fields as in ``metrics.toml``'s header)."""

    name: str
    unit: str
    label: str
    description: str
    scope: str
    reference: str
    better: str
    emitted_by: tuple[str, ...]
    equation: str = ""
    short: str = ""

    @property
    def header(self) -> str:
        """A few words for a narrow table header (``short``, else ``label``)."""
        return self.short or self.label

    @property
    def ratio(self) -> bool:
        """Whether a reference is compared as a ratio (else as a difference)."""
        return self.reference == "ratio"


def load_registry(path: Path | str = FILE) -> dict[str, Metric]:
    """The rows of a registry file by name, in file order.

    Raises :class:`MetricRegistryError` naming the file, the row (number and name), the field
    and the value for a missing or unknown field, a value out of range or a repeated name.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MetricRegistryError(f"{path}: cannot read the metric registry: {exc}") from None
    rows = raw.get("metric")
    if not isinstance(rows, list) or not rows:
        raise MetricRegistryError(f"{path}: no [[metric]] rows")
    out: dict[str, Metric] = {}
    for k, row in enumerate(rows, start=1):
        where = f"{path}, [[metric]] #{k} ({row.get('name', '?')!r})"
        bad = _row_errors(row)
        if bad:
            raise MetricRegistryError(f"{where}: " + "; ".join(bad))
        if row["name"] in out:
            raise MetricRegistryError(f"{where}: name {row['name']!r} is given twice")
        out[row["name"]] = Metric(**{**row, "emitted_by": tuple(row["emitted_by"])})
    return out


def _row_errors(row: dict) -> list[str]:
    errors = [f"missing field {f!r}" for f in _REQUIRED if f not in row]
    errors += [f"unknown field {f!r}" for f in row if f not in _REQUIRED + _OPTIONAL]
    for f in (*_REQUIRED, *_OPTIONAL):
        if f in row and f != "emitted_by" and (not isinstance(row[f], str) or not row[f].strip()):
            errors.append(f"field {f!r} must be a non-empty string, got {row[f]!r}")
    for f, allowed in (("unit", UNITS), ("scope", SCOPES), ("reference", REFERENCE_RULES),
                       ("better", BETTER)):
        if isinstance(row.get(f), str) and row[f] not in allowed:
            errors.append(f"field {f!r} = {row[f]!r}: must be one of {', '.join(allowed)}")
    em = row.get("emitted_by")
    if "emitted_by" in row and (not isinstance(em, list) or not em
                                or any(e not in EMITTERS for e in em)):
        errors.append(f"field 'emitted_by' = {em!r}: must be a non-empty list of "
                      f"{', '.join(EMITTERS)}")
    return errors


#: the shipped registry, by name
METRICS: dict[str, Metric] = load_registry()


def metric(name: str) -> Metric:
    """The registry row of ``name``; a clear :class:`KeyError` for a name it does not have."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"metric {name!r} is not in the metric registry ({FILE.name}); add a "
                       "row for it") from None


def emitted_by(where: str) -> tuple[str, ...]:
    """Names of the metrics an output emits (``path`` includes ``path_full`` rows only when
    asked for ``path_full``)."""
    return tuple(m.name for m in METRICS.values() if where in m.emitted_by)


def unit_of(name: str, baseline_unit: str) -> str:
    """The unit of a metric's values (the baseline's money unit for ``baseline``)."""
    u = metric(name).unit
    return baseline_unit if u == BaselineUnit else u


def difference_unit(name: str, baseline_unit: str) -> str:
    """The unit of a difference against a reference: ``%`` for a ratio, ``pp`` for a
    difference of percent values, else the metric's own unit."""
    m = metric(name)
    if m.ratio:
        return "%"
    return "pp" if m.unit == "%" else unit_of(name, baseline_unit)


def metrics_markdown() -> str:
    """``docs/metrics.md``: the registry as a page (generated; do not edit the page)."""
    lines = [
        "# Metrics: names, units and differences against a reference",
        "",
        "<!-- generated from sim/model/metrics.toml by `tradesim metrics --markdown"
        " > docs/metrics.md`; tests/test_metric_registry.py checks it. Do not edit. -->",
        "",
        "Every outcome tradesim emits, from the registry `sim/model/metrics.toml` that the "
        "model's outputs, the results tables, the batch engine, the CLI and the app read. "
        "Values are against the model's own solved baseline (same closure, baseline "
        "tariffs). Unit *baseline* is the baseline's money unit (`icio2022`: USD million per "
        "year at 2022 prices).",
        "",
        "**Against a reference scenario** (`tradesim run --reference`, the batch reference "
        "rows, every Compare number of the app) each metric is compared one way, by the "
        "column *vs reference*:",
        "",
        "* **ratio**: `100 ((1 + a/100) / (1 + b/100) − 1)`, in %: for percent changes that are "
        "ratios of two equilibria (x = 100 (x̂ − 1)); the solved baseline cancels and the "
        "result is the scenario's change relative to the reference;",
        "* **difference**: `a − b`: for levels (in their unit), rates in % (in percentage points,"
        " pp) and the first-order welfare terms (shares of baseline income that add up).",
        "",
        "Differences are taken period by period; a year's figure is the mean of its periods' "
        "differences (annual reporting: the year's one period).",
        "",
    ]
    titles = {"region": "Per region", "region_sector": "Per region and sector",
              "bilateral": "Per exporter, importer and sector"}
    where = {"path": "run", "path_full": "run (full detail)", "batch": "batch",
             "counterfactual": "counterfactual"}
    for scope in SCOPES:
        lines += [f"## {titles[scope]}", "",
                  "| name | label | unit | vs reference | better | emitted by | description |",
                  "|---|---|---|---|---|---|---|"]
        for m in METRICS.values():
            if m.scope != scope:
                continue
            desc = m.description + (f" `{m.equation}`" if m.equation else "")
            lines.append(f"| `{m.name}` | {m.label} | {m.unit} | {m.reference} "
                         f"({difference_unit(m.name, 'baseline')}) | {m.better} | "
                         f"{', '.join(where[e] for e in m.emitted_by)} | {desc} |")
        lines.append("")
    lines += ["*Emitted by*: run = the tidy path of `tradesim run` / `sim.run_scenario` (both "
              "detail levels), run (full detail) = only with `detail=\"full\"`, batch = "
              "selectable with `tradesim mc/sweep --metric`, counterfactual = a column of the "
              "tables of `tradesim counterfactual` / `sim.counterfactual` (regions.csv, "
              "flows.csv, sectors.csv)."]
    return "\n".join(lines) + "\n"
