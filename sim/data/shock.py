"""Shock files: new tariffs and iceberg cost factors as a CSV, turned into arrays.

Columns ``exporter,importer,sector,tariff,cost_factor``. ``exporter``, ``importer`` and
``sector`` may be ``*`` (every region or sector); a blank ``sector`` (or no sector column)
means every sector; a blank ``exporter`` or ``importer`` is refused (write ``*``). ``tariff``
is the new ad valorem rate (0.1 = 10 %, at most 100 = 10,000 %), blank = unchanged;
``cost_factor`` is the iceberg multiplier d̂ (> 0, at most 1e6), blank = 1. Numbers are plain
decimals (:mod:`sim.data.csvfile`: no decimal commas, underscores or non-finite values); every
row has as many fields as the header. Rows apply in file order, so a later, narrower row overrides
an earlier, wider one. Wildcards never touch domestic sales (exporter == importer); naming a
domestic pair explicitly is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.data.baseline import Baseline
from sim.data.csvfile import number
from sim.data.csvfile import rows as csv_rows

__all__ = ["Shock", "ShockError", "read_shock"]

COLUMNS = ("exporter", "importer", "sector", "tariff", "cost_factor")
MAX_VALUE = {"tariff": 100.0, "cost_factor": 1e6}


class ShockError(ValueError):
    """A shock file that cannot be applied; the message names file, row and value."""


@dataclass(frozen=True)
class Shock:
    """New tariffs and cost factors for one baseline, arrays ``[exporter, importer, sector]``."""

    tariffs: np.ndarray
    cost_factor: np.ndarray
    description: str = ""


def _codes(text: str, known: tuple[str, ...], kind: str, where: str) -> list[int]:
    if text in ("*", ""):
        return list(range(len(known)))
    if text not in known:
        raise ShockError(f"{where}: unknown {kind} {text!r} (known: {', '.join(known)})")
    return [known.index(text)]


def read_shock(path: str | Path, baseline: Baseline) -> Shock:
    """Read a shock CSV against ``baseline`` (see the module docstring)."""
    path = Path(path)
    tariffs = np.array(baseline.economy.tariffs, copy=True)
    cost = np.ones_like(tariffs)
    def check(header: list[str]) -> None:
        missing = [c for c in ("exporter", "importer") if c not in header]
        if not ({"tariff", "cost_factor"} & set(header)):
            missing.append("tariff or cost_factor")
        if missing:
            raise ShockError(f"{path}: missing column(s) {', '.join(missing)} "
                             f"(expected {','.join(COLUMNS)}; header is {','.join(header)})")

    n = 0
    for line, row in csv_rows(path, (), ShockError, COLUMNS, check):
        where = f"{path}, line {line}"
        for column in ("exporter", "importer"):
            if not row.get(column):
                raise ShockError(f"{where}: column {column!r} is blank: write * for every "
                                 "region, or a region code")
        exporters = _codes(row["exporter"], baseline.regions, "exporter", where)
        importers = _codes(row["importer"], baseline.regions, "importer", where)
        sectors = _codes(row.get("sector", ""), baseline.sectors, "sector", where)
        if len(exporters) == 1 and exporters == importers:
            raise ShockError(f"{where}: exporter and importer are both "
                             f"{baseline.regions[exporters[0]]!r}: domestic sales carry no "
                             "tariff or trade cost")
        values = {}
        for column, low, strict in (("tariff", 0.0, False), ("cost_factor", 0.0, True)):
            text = row.get(column, "")
            if not text:
                continue
            value = number(text, where, column, ShockError)
            if value < low or (strict and value == low):
                rule = "> 0" if strict else ">= 0"
                raise ShockError(f"{where}: column {column!r} must be {rule}, got {text!r}")
            if value > MAX_VALUE[column]:
                raise ShockError(f"{where}: column {column!r} must be <= "
                                 f"{MAX_VALUE[column]:g}, got {text!r}")
            values[column] = value
        grid = np.ix_(exporters, importers, sectors)
        keep = np.array(exporters)[:, None, None] != np.array(importers)[None, :, None]
        keep = np.broadcast_to(keep, (len(exporters), len(importers), len(sectors)))
        if "tariff" in values:
            tariffs[grid] = np.where(keep, values["tariff"], tariffs[grid])
        if "cost_factor" in values:
            cost[grid] = np.where(keep, values["cost_factor"], cost[grid])
        n += 1
    if n == 0:
        raise ShockError(f"{path}: no rows")
    return Shock(tariffs=tariffs, cost_factor=cost, description=str(path))
