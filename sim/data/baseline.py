"""Baselines: directories of tidy CSV tables read into a :class:`sim.model.Economy`.

The format is documented in ``docs/baseline_format.md``. Axis convention of every array:
``[exporter, importer, sector]``. The loader validates each file and refuses bad input with a
:class:`BaselineError` naming the file, the row (line number, header = line 1) and the value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from sim.data.csvfile import number
from sim.data.csvfile import rows as csv_rows
from sim.data.textfile import TextFileError, read_text
from sim.model import Economy, EconomyError

__all__ = ["SHARE_TOLERANCE", "Baseline", "BaselineError", "available_baselines",
           "load_baseline"]

SHARE_TOLERANCE = 1e-6


class BaselineError(ValueError):
    """A baseline directory that cannot be read; the message names file, row and value."""


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline: names, provenance and the economy's arrays."""

    name: str
    path: Path
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    economy: Economy
    metadata: dict = field(default_factory=dict)
    region_labels: dict[str, str] = field(default_factory=dict)
    sector_labels: dict[str, str] = field(default_factory=dict)
    tariff_sources: dict[tuple[str, str, str], str] = field(default_factory=dict)
    theta_variant: str = "default"

    @property
    def year(self) -> int | None:
        year = self.metadata.get("year")
        return int(year) if year is not None else None

    @property
    def unit(self) -> str:
        return str(self.metadata.get("unit", "model units"))

    def region_index(self, region: str) -> int:
        try:
            return self.regions.index(region)
        except ValueError:
            raise KeyError(f"unknown region {region!r}; baseline {self.name!r} has "
                           f"{', '.join(self.regions)}") from None

    def sector_index(self, sector: str) -> int:
        try:
            return self.sectors.index(sector)
        except ValueError:
            raise KeyError(f"unknown sector {sector!r}; baseline {self.name!r} has "
                           f"{', '.join(self.sectors)}") from None

    def summary(self) -> str:
        """A few lines on the baseline and how far its data are from a model equilibrium."""
        e = self.economy
        foreign = e.flows.sum() - np.trace(e.flows, axis1=0, axis2=1).sum()
        lines = [
            f"baseline {self.name}: {len(self.regions)} regions x {len(self.sectors)} sectors"
            + (f", year {self.year}" if self.year else "") + f", unit {self.unit}",
            f"world gross output {e.gross_output.sum():,.0f}; international trade "
            f"{foreign:,.0f}; tariff revenue {e.tariff_revenue.sum():,.0f}",
            f"final-demand shares: {e.negative_final_cells} negative cells set to 0 and "
            "renormalised (Caliendo-Parro construction)",
            f"distance of the data from a model equilibrium (max |implied - observed| "
            f"expenditure / max expenditure): {e.equilibrium_gap:.3g}; counterfactuals are "
            "measured against the model's own solved baseline",
        ]
        domestic = np.diagonal(e.flows, axis1=0, axis2=1).T          # [region, sector]
        zero = np.argwhere(domestic <= 0)
        if len(zero):
            cells = ", ".join(f"{self.regions[n]}/{self.sectors[j]}" for n, j in zero[:8])
            more = f" and {len(zero) - 8} more" if len(zero) > 8 else ""
            lines.append(f"zero domestic sales in {len(zero)} region-sector cells ({cells}"
                         f"{more}): those regions buy the sector only from abroad; the model "
                         "solves with a domestic share of 0 there")
        return "\n".join(lines)


def available_baselines() -> list[str]:
    """Names of the baselines shipped inside the package."""
    root = resources.files("sim") / "baselines"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "flows.csv").is_file())


def _resolve(path_or_name: str | Path) -> tuple[str, Path]:
    candidate = Path(path_or_name)
    if candidate.is_dir():
        return candidate.resolve().name, candidate
    name = str(path_or_name)
    packaged = resources.files("sim") / "baselines" / name
    if packaged.is_dir():
        return name, Path(str(packaged))
    shipped = ", ".join(available_baselines()) or "none"
    raise BaselineError(f"baseline {name!r} not found: not a directory, and not one of the "
                        f"shipped baselines ({shipped})")


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a CSV file, checking the header (strict reading:
    :mod:`sim.data.csvfile`)."""
    return csv_rows(path, required, BaselineError)


def _number(path: Path, line: int, column: str, text: str, *, low: float | None = 0.0,
            high: float | None = None) -> float:
    value = number(text, f"{path}, line {line}", column, BaselineError)
    if low is not None and value < low:
        raise BaselineError(f"{path}, line {line}: column {column!r} must be >= {low:g}, "
                            f"got {value:g}")
    if high is not None and value > high:
        raise BaselineError(f"{path}, line {line}: column {column!r} must be <= {high:g}, "
                            f"got {value:g}")
    return value


TRUE = ("", "1", "true", "yes")
FALSE = ("0", "false", "no")


def _flag(path: Path, line: int, column: str, text: str) -> bool:
    """A yes/no cell: 1/true/yes (any case; blank = yes) or 0/false/no."""
    low = text.lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise BaselineError(f"{path}, line {line}: column {column!r} must be 1/true/yes or "
                        f"0/false/no, got {text[:40]!r}")


def _index(path: Path, line: int, kind: str, code: str, index: dict[str, int]) -> int:
    try:
        return index[code]
    except KeyError:
        known = ", ".join(index) if len(index) <= 20 else f"{len(index)} known codes"
        raise BaselineError(f"{path}, line {line}: unknown {kind} {code!r} (known: {known})"
                            ) from None


def _duplicate(path: Path, line: int, key: tuple, seen: dict[tuple, int]) -> None:
    if key in seen:
        raise BaselineError(f"{path}, line {line}: duplicate key {','.join(key)} "
                            f"(first at line {seen[key]})")
    seen[key] = line


def _keyed_rows(path: Path, keys: tuple[tuple[str, str, dict[str, int]], ...],
                value: str) -> Iterator[tuple[int, dict[str, str], tuple[int, ...]]]:
    """Rows of a keyed table: (line, row, indices of the key columns), refusing unknown codes
    and duplicate keys. ``keys`` holds (column, kind, index) per key column."""
    seen: dict[tuple, int] = {}
    for line, row in _rows(path, (*(k[0] for k in keys), value)):
        indices = tuple(_index(path, line, kind, row[col], index) for col, kind, index in keys)
        _duplicate(path, line, tuple(row[col] for col, _, _ in keys), seen)
        yield line, row, indices


def load_baseline(path_or_name: str | Path, theta: str | float | None = None) -> Baseline:
    """Load a baseline directory or a shipped baseline by name.

    ``theta`` selects the trade elasticities: ``None`` the ``theta`` column of
    ``sectors.csv``; a name such as ``"uniform4"`` its ``theta_uniform4`` column; a number a
    uniform value.
    """
    if not isinstance(path_or_name, str | Path):
        raise BaselineError(f"baseline must be a directory or a shipped name, got "
                            f"{type(path_or_name).__name__}")
    if theta is not None and (isinstance(theta, bool) or not isinstance(theta, str | int | float)
                              or (not isinstance(theta, str) and not 0 < theta < math.inf)):
        raise BaselineError(f"theta must be a sectors.csv variant name or a number > 0, got "
                            f"{theta!r}")
    name, root = _resolve(path_or_name)
    for required in ("flows.csv", "sectors.csv"):
        if not (root / required).is_file():
            raise BaselineError(f"{root}: required file {required} is missing")

    # sectors
    sec_path = root / "sectors.csv"
    sectors: list[str] = []
    thetas: list[float] = []
    tradable: list[bool] = []
    sector_labels: dict[str, str] = {}
    theta_column = "theta"
    if isinstance(theta, str) and theta not in ("default", "theta"):
        theta_column = f"theta_{theta}"
    seen: dict[tuple, int] = {}
    for line, row in _rows(sec_path, ("sector", "theta")):
        code = row["sector"]
        if not code:
            raise BaselineError(f"{sec_path}, line {line}: empty sector code")
        _duplicate(sec_path, line, (code,), seen)
        if theta_column not in row:
            raise BaselineError(f"{sec_path}: theta variant {theta!r} requested but column "
                                f"{theta_column!r} is missing")
        value = _number(sec_path, line, theta_column, row[theta_column])
        if value <= 0:
            raise BaselineError(f"{sec_path}, line {line}: {theta_column} must be > 0, "
                                f"got {value:g}")
        sectors.append(code)
        thetas.append(value)
        tradable.append(_flag(sec_path, line, "tradable", row.get("tradable", "1")))
        if row.get("label"):
            sector_labels[code] = row["label"]
    if not sectors:
        raise BaselineError(f"{sec_path}: no sectors")
    if isinstance(theta, int | float) and not isinstance(theta, bool):
        if theta <= 0:
            raise BaselineError(f"theta must be > 0, got {theta}")
        thetas = [float(theta)] * len(sectors)
    sec_index = {s: k for k, s in enumerate(sectors)}

    # regions
    regions: list[str] = []
    region_labels: dict[str, str] = {}
    reg_path = root / "regions.csv"
    if reg_path.is_file():
        seen = {}
        for line, row in _rows(reg_path, ("region",)):
            if not row["region"]:
                raise BaselineError(f"{reg_path}, line {line}: empty region code")
            _duplicate(reg_path, line, (row["region"],), seen)
            regions.append(row["region"])
            if row.get("label"):
                region_labels[row["region"]] = row["label"]
    flow_path = root / "flows.csv"
    flow_rows = list(_rows(flow_path, ("exporter", "importer", "sector", "value")))
    if not reg_path.is_file():
        for _, row in flow_rows:
            for code in (row["exporter"], row["importer"]):
                if code and code not in regions:
                    regions.append(code)
    reg_index = {r: k for k, r in enumerate(regions)}
    n_reg, n_sec = len(regions), len(sectors)
    if n_reg == 0:
        raise BaselineError(f"{flow_path}: no flows")

    flows = np.zeros((n_reg, n_reg, n_sec))
    seen = {}
    for line, row in flow_rows:
        i = _index(flow_path, line, "exporter", row["exporter"], reg_index)
        n = _index(flow_path, line, "importer", row["importer"], reg_index)
        j = _index(flow_path, line, "sector", row["sector"], sec_index)
        _duplicate(flow_path, line, (row["exporter"], row["importer"], row["sector"]), seen)
        value = _number(flow_path, line, "value", row["value"])
        if i != n and not tradable[j] and value > 0:
            raise BaselineError(f"{flow_path}, line {line}: sector {sectors[j]!r} is not "
                                f"tradable but has an international flow of {value:g}")
        flows[i, n, j] = value
    produced = flows.sum(axis=(0, 1))
    if not (produced > 0).all():
        idle = [sectors[j] for j in np.flatnonzero(produced <= 0)]
        raise BaselineError(f"{flow_path}: sector(s) {', '.join(idle)}: no region produces "
                            "or buys them (every flow is 0); the model has no price for such "
                            f"a sector: remove it from {sec_path.name}")
    output = flows.sum(axis=(1, 2))
    if not (output > 0).all():
        idle = [regions[n] for n in np.flatnonzero(output <= 0)]
        raise BaselineError(f"{flow_path}: region(s) {', '.join(idle)} produce nothing (no "
                            "domestic sales and no exports in any sector): a typo in a "
                            "region code, or a region the model cannot hold")

    tariffs = np.zeros_like(flows)
    tariff_sources: dict[tuple[str, str, str], str] = {}
    tar_path = root / "tariffs.csv"
    if tar_path.is_file():
        keys = (("exporter", "exporter", reg_index), ("importer", "importer", reg_index),
                ("sector", "sector", sec_index))
        for line, row, (i, n, j) in _keyed_rows(tar_path, keys, "rate"):
            rate = _number(tar_path, line, "rate", row["rate"])
            if i == n and rate != 0:
                raise BaselineError(f"{tar_path}, line {line}: a tariff on domestic sales "
                                    f"({row['exporter']}) must be 0, got {rate:g}")
            tariffs[i, n, j] = rate
            if row.get("source"):
                tariff_sources[(row["exporter"], row["importer"], row["sector"])] = row["source"]

    va_share = np.ones((n_reg, n_sec))
    va_path = root / "value_added.csv"
    if va_path.is_file():
        keys = (("region", "region", reg_index), ("sector", "sector", sec_index))
        for line, row, (n, j) in _keyed_rows(va_path, keys, "share"):
            va_share[n, j] = _number(va_path, line, "share", row["share"], high=1.0)

    io_share = np.zeros((n_reg, n_sec, n_sec))
    io_path = root / "io.csv"
    if io_path.is_file():
        keys = (("region", "region", reg_index), ("input_sector", "input_sector", sec_index),
                ("sector", "sector", sec_index))
        for line, row, (n, k, j) in _keyed_rows(io_path, keys, "share"):
            io_share[n, k, j] = _number(io_path, line, "share", row["share"], high=1.0)
    total = io_share.sum(axis=1) + va_share
    bad = np.abs(total - 1.0) > SHARE_TOLERANCE
    if bad.any():
        n, j = np.argwhere(bad)[0]
        where = io_path if io_path.is_file() else va_path
        raise BaselineError(f"{where}: shares do not add up for region {regions[n]!r}, sector "
                            f"{sectors[j]!r}: sum of io shares + value added = "
                            f"{total[n, j]:.8g}, expected 1 within {SHARE_TOLERANCE:g} "
                            f"({int(bad.sum())} cells off)")

    metadata: dict = {}
    meta_path = root / "metadata.json"
    if meta_path.is_file():
        try:
            metadata = json.loads(read_text(meta_path, max_bytes=1024 * 1024))
        except TextFileError as exc:
            raise BaselineError(str(exc)) from None
        except json.JSONDecodeError as exc:
            raise BaselineError(f"{meta_path}, line {exc.lineno}: invalid JSON ({exc.msg})"
                                ) from None
        except RecursionError:
            raise BaselineError(f"{meta_path}: nested too deeply") from None
        if not isinstance(metadata, dict):
            raise BaselineError(f"{meta_path}: must be a JSON object {{\"name\": ...}}, got "
                                f"a {type(metadata).__name__}")
        for key in ("name", "unit", "currency"):
            if key in metadata and not isinstance(metadata[key], str):
                raise BaselineError(f"{meta_path}: field {key!r} must be text, got "
                                    f"{str(metadata[key])[:40]!r}")
        if "year" in metadata and (not isinstance(metadata["year"], int)
                                   or isinstance(metadata["year"], bool)
                                   or not 1900 <= metadata["year"] <= 2200):
            raise BaselineError(f"{meta_path}: field 'year' must be a year such as 2022, got "
                                f"{str(metadata['year'])[:40]!r}")
    try:
        economy = Economy(flows=flows, tariffs=tariffs, va_share=va_share, io_share=io_share,
                          theta=np.array(thetas))
    except EconomyError as exc:
        raise BaselineError(f"{root}: {exc}") from None
    variant = "default" if theta is None else str(theta)
    return Baseline(name=str(metadata.get("name", name)), path=root, regions=tuple(regions),
                    sectors=tuple(sectors), economy=economy, metadata=metadata,
                    region_labels=region_labels, sector_labels=sector_labels,
                    tariff_sources=tariff_sources, theta_variant=variant)
