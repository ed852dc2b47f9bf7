"""Results tables: the tidy path of a timeline run.

A path is one long table with the columns ``scenario, date, region, partner, sector, metric,
value, unit``; ``partner``/``sector`` are ``"all"`` for region totals. Per reporting period it
holds, in this order:

* every region metric that :func:`sim.model.compare` returned, plus
  ``welfare_usd = welfare_pct / 100 · income_base`` (baseline unit);
* by region and sector: ``gross_output``, ``value_added`` (baseline unit) and
  ``price_pct = 100 (p̂_nj / p̂_nj^base − 1)``;
* with ``detail="full"``: bilateral ``imports`` X_inj (exporter ``partner`` → importer
  ``region``, sector ``j``) and the applied ``tariff`` 100 t_inj on tradable sectors;
* ``tariff_avg`` by importer: ``100 Σ_ij t_inj X⁰_inj / Σ_ij X⁰_inj`` (baseline flow weights,
  international flows only).

Every period has the same rows, so the label columns are built once as categorical codes and
tiled over periods; only the values are stacked per period. Names and units come from the
metric registry (``sim/model/metrics.toml``, :mod:`sim.model.metric_registry`).

**Against a reference** (:func:`difference`, the one definition every face uses): for a
scenario value ``a`` and the reference's ``b`` of one metric on the same date and labels,

* registry rule ``ratio`` (percent changes that are ratios of two equilibria):
  ``100 ((1 + a/100) / (1 + b/100) − 1)``, in %: the change relative to the reference;
* rule ``difference`` (levels, rates in %, the first-order welfare terms): ``a − b``, in the
  level's unit or in pp.

Differences are taken period by period (:func:`difference_table`); a year's figure is the mean
of its periods' differences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.model.metric_registry import metric, unit_of

__all__ = ["COLUMNS", "DIFFERENCE_COLUMNS", "difference", "difference_table", "difference_units",
           "tidy_path"]

COLUMNS = ["scenario", "date", "region", "partner", "sector", "metric", "value", "unit"]
#: columns of a table of differences against a reference (:func:`difference_table`)
DIFFERENCE_COLUMNS = ["scenario", "reference", "date", "region", "partner", "sector", "metric",
                      "value", "unit"]
_LABELS = ("region", "partner", "sector", "metric", "unit")


def _categorical(labels: np.ndarray, periods: int) -> pd.Categorical:
    """Labels of one period, tiled over ``periods``, as a categorical with sorted categories
    (the categories ``astype("category")`` would give)."""
    cats, codes = np.unique(labels.astype(str), return_inverse=True)
    return pd.Categorical.from_codes(np.tile(codes.astype(np.int32), periods), categories=cats)


def tidy_path(name: str, result: Any, baseline: Any, tariff_model: Any,
              detail: str = "full") -> pd.DataFrame:
    """The tidy path of a :class:`sim.timeline.TimelineResult` on ``baseline``."""
    periods = result.periods
    if not periods:
        return pd.DataFrame(columns=COLUMNS)
    regions = np.asarray(baseline.regions, dtype=object)
    sectors = np.asarray(baseline.sectors, dtype=object)
    R, S = len(regions), len(sectors)
    unit = baseline.unit
    offdiag = ~np.eye(R, dtype=bool)
    ii, nn, jj = np.nonzero(offdiag[:, :, None] & np.ones((1, 1, S), dtype=bool))
    ti, tn, tj = np.nonzero(offdiag[:, :, None] & tariff_model.tradable[None, None, :])
    w = baseline.economy.flows * offdiag[:, :, None]
    w_total = np.maximum(w.sum(axis=(0, 2)), 1e-300)

    # label template of one period (same for every period)
    first = periods[0].metrics
    region_metrics = list(first)
    with_usd = "welfare_pct" in first and "income_base" in first
    blocks: list[tuple[np.ndarray, Any, Any, str, str]] = []  # region, partner, sector, m, u
    for m in region_metrics:
        blocks.append((regions, "all", "all", m, unit_of(m, unit)))
    if with_usd:
        blocks.append((regions, "all", "all", "welfare_usd", unit_of("welfare_usd", unit)))
    by_sector = (np.repeat(regions, S), "all", np.tile(sectors, R))
    for m in ("gross_output", "value_added", "price_pct"):
        blocks.append((*by_sector, m, unit_of(m, unit)))
    if detail == "full":
        blocks.append((regions[nn], regions[ii], sectors[jj], "imports",
                       unit_of("imports", unit)))
        blocks.append((regions[tn], regions[ti], sectors[tj], "tariff", unit_of("tariff", unit)))
    blocks.append((regions, "all", "all", "tariff_avg", unit_of("tariff_avg", unit)))
    sizes = [len(b[0]) for b in blocks]
    template = {
        "region": np.concatenate([b[0] for b in blocks]),
        "partner": np.concatenate([np.broadcast_to(np.asarray(b[1], dtype=object), (k,))
                                   for b, k in zip(blocks, sizes, strict=True)]),
        "sector": np.concatenate([np.broadcast_to(np.asarray(b[2], dtype=object), (k,))
                                  for b, k in zip(blocks, sizes, strict=True)]),
        "metric": np.repeat(np.array([b[3] for b in blocks], dtype=object), sizes),
        "unit": np.repeat(np.array([b[4] for b in blocks], dtype=object), sizes),
    }

    values = np.empty((len(periods), sum(sizes)))
    for k, p in enumerate(periods):
        if list(p.metrics) != region_metrics:
            raise ValueError(f"period {p.start}: region metrics differ from the first period's")
        eq, mt = p.equilibrium, p.metrics
        parts = [np.asarray(mt[m])[0] for m in region_metrics]
        if with_usd:
            parts.append(mt["welfare_pct"][0] / 100 * mt["income_base"][0])
        parts += [eq.gross_output[0].reshape(-1), eq.value_added[0].reshape(-1),
                  (100 * (eq.price_hat[0] / result.base.price_hat[0] - 1)).reshape(-1)]
        if detail == "full":
            parts += [eq.flows[0][ii, nn, jj], 100 * p.tariffs[ti, tn, tj]]
        parts.append(100 * ((p.tariffs * w).sum(axis=(0, 2)) / w_total))
        values[k] = np.concatenate(parts)

    n = len(periods)
    dates = np.array([np.datetime64(p.start, "s") for p in periods])
    df = pd.DataFrame({
        "scenario": pd.Categorical.from_codes(np.zeros(n * values.shape[1], dtype=np.int8),
                                              categories=[name]),
        "date": np.repeat(dates, values.shape[1]),
        **{c: _categorical(template[c], n) for c in _LABELS[:4]},
        "value": values.reshape(-1),
        "unit": _categorical(template["unit"], n),
    })
    return df[COLUMNS]


def _per_metric(names: Any, f: Any) -> np.ndarray:
    """``f(name)`` for every element of ``names`` (a name, or an array-like or categorical of
    names), evaluated once per distinct name and broadcast back."""
    if isinstance(names, str):
        return np.asarray(f(names))
    table, codes = _by_name(names, f)
    return table[codes]


def _by_name(names: Any, f: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(f of each distinct name, codes)`` with ``names == distinct[codes]``."""
    if isinstance(names, pd.Series) and isinstance(names.dtype, pd.CategoricalDtype):
        cats, codes = names.cat.categories, names.cat.codes.to_numpy()
    elif isinstance(names, pd.Categorical):
        cats, codes = names.categories, names.codes
    else:
        arr = np.asarray(names, dtype=object)
        codes, cats = pd.factorize(arr.reshape(-1))     # hashing: one pass, no sort
        codes = codes.reshape(arr.shape)
    return np.array([f(str(c)) for c in cats]), codes


def difference(metric_name: Any, value: Any, reference: Any) -> np.ndarray:
    """``value`` against ``reference`` by the registry's rule for each metric (vectorised).

    ``metric_name`` is one name or names broadcastable against ``value`` (an array, a Series,
    a categorical); ``ratio`` metrics give ``100 ((1 + a/100) / (1 + b/100) − 1)``, the others
    ``a − b``. A name the registry does not have raises :class:`KeyError`.
    """
    a = np.asarray(value, dtype=float)
    b = np.asarray(reference, dtype=float)
    ratio = _per_metric(metric_name, lambda n: metric(n).ratio)
    return np.where(ratio, 100 * ((1 + a / 100) / (1 + b / 100) - 1), a - b)


def difference_units(metric_name: Any, unit: Any) -> np.ndarray:
    """The unit of :func:`difference` for each metric and its values' ``unit`` (the path's
    ``unit`` column): ``%`` for a ratio, ``pp`` for a difference of percent values, else the
    values' own unit."""
    def rule(n: str) -> str:
        return "%" if metric(n).ratio else "pp" if metric(n).unit == "%" else ""

    if isinstance(metric_name, str):
        return np.asarray(rule(metric_name) or unit, dtype=object)
    kinds, codes = _by_name(metric_name, rule)
    out = np.array(unit, dtype=object)      # a copy, broadcast below if a scalar
    out = np.broadcast_to(out, np.shape(codes)).copy()
    fixed = (kinds != "")[codes]
    out[fixed] = kinds.astype(object)[codes][fixed]
    return out


def difference_table(path: pd.DataFrame, reference_path: pd.DataFrame,
                     reference: str) -> pd.DataFrame:
    """Rows of ``path`` against the rows of ``reference_path`` with the same date, region,
    partner, sector and metric (:data:`DIFFERENCE_COLUMNS`; :func:`difference` and
    :func:`difference_units`)."""
    keys = ["date", "region", "partner", "sector", "metric"]
    a = path.astype({c: str for c in keys[1:]})
    b = reference_path.astype({c: str for c in keys[1:]})
    m = a.merge(b[[*keys, "value"]], on=keys, suffixes=("", "_ref"))
    names = pd.Categorical(m["metric"])                   # one pass over the names
    m["value"] = difference(names, m["value"], m["value_ref"])
    m["unit"] = difference_units(names, np.asarray(m["unit"], dtype=object))
    m["reference"] = reference
    return m[DIFFERENCE_COLUMNS]
