"""Trade panels for structural-gravity estimation: reading, checking, derived columns.

A panel is a CSV (gzip allowed) or Parquet file with one row per exporter, importer and year
and at least the columns ``exporter, importer, year, trade`` (intra-national rows, where
exporter = importer, are allowed and recommended), plus any regressors. The name ``agtpa``
stands for the panel shipped with tradesim (the Advanced Guide's, see ``data/README.md``).

Derived columns that formulas may use (added by :func:`load_panel`):

* ``pair``: the unordered pair {exporter, importer}; every intra-national pair is pooled in
  one level ``intra`` (as the guide does). With exporter-year and importer-year fixed effects
  the pooled and the separate intra-national dummies span the same space, so estimates do not
  depend on the choice.
* ``exporter_year``, ``importer_year``: exporter × year and importer × year.
* ``intl``: 1 if exporter ≠ importer, else 0.
* ``ln_dist``: ln(dist), if ``dist`` is present (missing where dist ≤ 0).
* ``cluster_pair``: the unordered pair with every intra-national pair its own level (the
  guide's ``pair_id``); ``--cluster pair`` clusters on it (see :mod:`sim.estimate.fit`).

Every problem raises :class:`PanelError` naming the file, the column, the value and the line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["AGTPA_FILE", "DERIVED", "REQUIRED", "Panel", "PanelError", "load_panel",
           "parse_years"]

AGTPA_FILE = Path(__file__).resolve().parent / "data" / "agtpa.csv.gz"
REQUIRED = ("exporter", "importer", "year", "trade")
DERIVED = ("pair", "exporter_year", "importer_year", "intl", "ln_dist", "cluster_pair")
INTRA = "intra"


class PanelError(ValueError):
    """Bad input: the message names the file, the column and the value."""


@dataclass(frozen=True)
class Panel:
    """A checked panel with the derived columns; ``name`` is what the user passed."""

    name: str
    path: Path
    data: pd.DataFrame

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.data.columns]


def _read(path: Path) -> pd.DataFrame:
    suffixes = "".join(path.suffixes[-2:]).lower()
    try:
        if suffixes.endswith(".parquet") or suffixes.endswith(".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype={"exporter": str, "importer": str})
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise PanelError(f"{path}: cannot read the panel ({exc})") from None


def _line(data: pd.DataFrame, mask: np.ndarray) -> tuple[int, object]:
    """(file line, value) of the first row where ``mask`` holds (CSV header = line 1)."""
    k = int(np.flatnonzero(mask)[0])
    return k + 2, data.index[k]


def _numeric(data: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        line, _ = _line(data, bad)
        value = raw.iloc[int(np.flatnonzero(bad)[0])]
        shown = "empty" if pd.isna(value) else repr(str(value))
        raise PanelError(f"{path}: column '{column}' has a non-numeric value {shown} "
                         f"(line {line}); it must be a number")
    return values


def load_panel(source: str | Path | pd.DataFrame) -> Panel:
    """Read and check a panel file (or ``"agtpa"``, or a DataFrame) and add the derived
    columns."""
    if isinstance(source, pd.DataFrame):
        name, path = "DataFrame", Path("<DataFrame>")
        data = source.reset_index(drop=True).copy()
    elif str(source) == "agtpa":
        return _agtpa()
    else:
        name = str(source)
        path = Path(source)
        if not path.is_file():
            raise PanelError(f"{path}: panel file not found (give a CSV, CSV.gz or Parquet "
                             "file, or 'agtpa' for the shipped panel)")
        data = _read(path).reset_index(drop=True)
    missing = [c for c in REQUIRED if c not in data.columns]
    if missing:
        raise PanelError(f"{path}: required column(s) {', '.join(repr(c) for c in missing)} "
                         f"missing (found: {', '.join(map(str, data.columns))})")
    clash = [c for c in DERIVED if c in data.columns]
    if clash:
        raise PanelError(f"{path}: column(s) {', '.join(clash)} are derived by tradesim; "
                         "rename them in the file")
    trade = _numeric(data, "trade", path)
    if (trade < 0).any():
        line, _ = _line(data, trade < 0)
        raise PanelError(f"{path}: column 'trade' has a negative value "
                         f"{trade[line - 2]:g} (line {line}); trade must be ≥ 0")
    year = _numeric(data, "year", path)
    if (year != np.round(year)).any():
        line, _ = _line(data, year != np.round(year))
        raise PanelError(f"{path}: column 'year' has a non-integer value {year[line - 2]:g} "
                         f"(line {line})")
    for column in ("exporter", "importer"):
        empty = data[column].isna().to_numpy()
        if empty.any():
            line, _ = _line(data, empty)
            raise PanelError(f"{path}: column '{column}' is empty on line {line}")
    data["trade"] = trade
    data["year"] = year.astype(np.int64)
    exporter = data["exporter"].astype(str).to_numpy()
    importer = data["importer"].astype(str).to_numpy()
    data["exporter"], data["importer"] = exporter, importer
    low, high = np.minimum(exporter, importer), np.maximum(exporter, importer)
    dyad = pd.Series(low, dtype=object) + "|" + pd.Series(high, dtype=object)
    intra = exporter == importer
    data["pair"] = np.where(intra, INTRA, dyad)
    data["cluster_pair"] = dyad.to_numpy()
    years = data["year"].astype(str)
    data["exporter_year"] = data["exporter"] + "|" + years
    data["importer_year"] = data["importer"] + "|" + years
    data["intl"] = (~intra).astype(np.int64)
    if "dist" in data.columns:
        dist = _numeric(data, "dist", path)
        with np.errstate(divide="ignore", invalid="ignore"):
            data["ln_dist"] = np.where(dist > 0, np.log(np.where(dist > 0, dist, 1.0)),
                                       np.nan)
    return Panel(name=name, path=path, data=data)


@functools.cache
def _agtpa() -> Panel:
    """The shipped panel, read once per process (estimates never modify a panel's data)."""
    return Panel(name="agtpa", path=AGTPA_FILE, data=load_panel(AGTPA_FILE).data)


_YEARS = re.compile(r"^\s*(\d{4})\s*(?::\s*(\d{4})\s*(?::\s*(\d+)\s*)?)?$")


def parse_years(text: str | None) -> list[int] | None:
    """``"1986:2006:4"`` (start:stop:step, stop included), ``"1986:2006"``, ``"2006"`` or
    ``"1986,1990,2006"`` → list of years; ``None`` → all years."""
    if text is None or not str(text).strip():
        return None
    text = str(text)
    if "," in text:
        try:
            return sorted({int(p) for p in text.split(",") if p.strip()})
        except ValueError:
            raise PanelError(f"--years: cannot read {text!r} (use 1986:2006:4 or "
                             "1986,1990,...)") from None
    match = _YEARS.match(text)
    if not match:
        raise PanelError(f"--years: cannot read {text!r} (use START:STOP:STEP such as "
                         "1986:2006:4, START:STOP, one year, or a comma list)")
    start = int(match.group(1))
    stop = int(match.group(2) or start)
    step = int(match.group(3) or 1)
    if step <= 0 or stop < start:
        raise PanelError(f"--years: {text!r} is empty (need START ≤ STOP and STEP ≥ 1)")
    return list(range(start, stop + 1, step))
