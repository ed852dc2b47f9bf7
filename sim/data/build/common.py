"""Shared helpers for the builders: checked CSV reading, deterministic writing, the tables."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.data.build import BuildError

CONCORDANCE_DIR = Path(__file__).resolve().parents[1] / "concordances"
FLOAT_FORMAT = "%.10g"


def fmt(x: float) -> str:
    """Fixed float format used for every written number (bit-for-bit rebuilds)."""
    v = float(x)
    if v == 0.0:
        return "0"
    return FLOAT_FORMAT % v


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise BuildError(f"{path}: {what} not found")
    return path


def read_rows(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a CSV (plain or .gz) after checking the header."""
    require_file(path, "input file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise BuildError(f"{path}: header {header} lacks column(s) {missing}")
            yield from enumerate(reader, start=2)
    except (OSError, UnicodeDecodeError, csv.Error, EOFError) as exc:
        raise BuildError(f"{path}: cannot read ({exc})") from exc


def to_float(path: Path, line: int, column: str, value: str | None,
             allow_blank: bool = False) -> float:
    if value is None or value.strip() == "":
        if allow_blank:
            return 0.0
        raise BuildError(f"{path}, row {line}: column {column!r} is empty")
    try:
        v = float(value)
    except ValueError:
        raise BuildError(
            f"{path}, row {line}: column {column!r} has non-numeric value {value!r}") from None
    if not np.isfinite(v):
        raise BuildError(f"{path}, row {line}: column {column!r} has non-finite value {value!r}")
    return v


def read_mapping(path: Path, key: str, value: str, allowed: set[str] | None = None,
                 ) -> dict[str, str]:
    """Read a two-column concordance key -> value; duplicate keys and unknown values fail."""
    out: dict[str, str] = {}
    for line, row in read_rows(path, [key, value]):
        k, v = (row[key] or "").strip(), (row[value] or "").strip()
        if not k:
            raise BuildError(f"{path}, row {line}: empty {key!r}")
        if k in out:
            raise BuildError(f"{path}, row {line}: duplicate {key} {k!r}")
        if allowed is not None and v not in allowed:
            raise BuildError(
                f"{path}, row {line}: {value} {v!r} for {key} {k!r} is not one of "
                f"{sorted(allowed)}")
        out[k] = v
    if not out:
        raise BuildError(f"{path}: no rows")
    return out


@dataclass
class Tables:
    """An aggregated baseline in memory; arrays use [exporter, importer, sector]."""

    name: str
    regions: list[str]
    region_labels: list[str]
    region_iso3: list[str]
    sectors: list[str]
    sector_labels: list[str]
    tradable: list[int]
    theta: dict[str, np.ndarray]          # "theta" and "theta_<variant>" -> [J]
    flows: np.ndarray                     # [R, R, J] USD million
    tariffs: np.ndarray                   # [R, R, J] rate
    tariff_source: np.ndarray             # [R, R, J] str
    tariff_estimate: np.ndarray           # [R, R, J] int 0/1
    io: np.ndarray                        # [R, K, J] share of input K in J's gross output
    va: np.ndarray                        # [R, J]
    metadata: dict = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)

    def index(self, region: str) -> int:
        return self.regions.index(region)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _plain(o):
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(fmt(o))
    raise TypeError(f"not JSON serialisable: {o!r}")


def write_tables(t: Tables, out: Path) -> Path:
    """Write the baseline directory (deterministic: fixed float format, fixed row order)."""
    out.mkdir(parents=True, exist_ok=True)
    R, J = len(t.regions), len(t.sectors)
    flows = []
    for i in range(R):
        for n in range(R):
            for j in range(J):
                v = t.flows[i, n, j]
                if i == n or v != 0.0:
                    flows.append([t.regions[i], t.regions[n], t.sectors[j], fmt(v)])
    _write_csv(out / "flows.csv", ["exporter", "importer", "sector", "value"], flows)
    variants = [k for k in t.theta if k != "theta"]
    rows = []
    for j in range(J):
        rows.append([t.sectors[j], t.sector_labels[j], str(t.tradable[j]),
                     fmt(t.theta["theta"][j])] + [fmt(t.theta[k][j]) for k in variants])
    _write_csv(out / "sectors.csv", ["sector", "label", "tradable", "theta", *variants], rows)
    rows = []
    for i in range(R):
        for n in range(R):
            if i == n:
                continue
            for j in range(J):
                if not t.tradable[j]:
                    continue
                rows.append([t.regions[i], t.regions[n], t.sectors[j], fmt(t.tariffs[i, n, j]),
                             str(t.tariff_source[i, n, j]), str(int(t.tariff_estimate[i, n, j]))])
    _write_csv(out / "tariffs.csv",
               ["exporter", "importer", "sector", "rate", "source", "estimate"], rows)
    # io shares are written first; value added is 1 - sum of the *written* io shares so that
    # the identity holds on the files exactly up to float rounding
    io_rows, va_rows = [], []
    for n in range(R):
        for j in range(J):
            written = []
            for k in range(J):
                s = fmt(t.io[n, k, j])
                written.append(float(s))
                io_rows.append([t.regions[n], t.sectors[k], t.sectors[j], s])
            va = 1.0 - float(np.sum(written))
            va_rows.append([t.regions[n], t.sectors[j], fmt(max(va, 0.0))])
    _write_csv(out / "io.csv", ["region", "input_sector", "sector", "share"], io_rows)
    _write_csv(out / "value_added.csv", ["region", "sector", "share"], va_rows)
    _write_csv(out / "regions.csv", ["region", "label", "iso3"],
               [[r, lab, iso] for r, lab, iso in zip(t.regions, t.region_labels, t.region_iso3,
                                                     strict=True)])
    meta = dict(t.metadata)
    meta["checks"] = t.checks
    with open(out / "metadata.json", "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, sort_keys=False, ensure_ascii=False, default=_plain)
        f.write("\n")
    return out
