"""Product lines inside sectors: beef, pork, cars, light trucks, auto parts, steel, aluminium.

A line belongs to one exporter-importer pair and one sector. It carries its own base trade value
(USD), optional volume (for safeguards and quotas), MFN rate and within-sector elasticity; the
sector's tariff is the line-weighted aggregate ``(1 - W) * rest + sum_l w_l * rate_l`` with
``w_l = value_l / flow[exporter, importer, sector]``. Sources are kept per row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_LINES_FILE", "ProductLine", "load_lines"]

DEFAULT_LINES_FILE = Path(__file__).parent / "data" / "product_lines.csv"


@dataclass(frozen=True)
class ProductLine:
    """One product line of one exporter-importer pair."""

    line: str
    exporter: str
    importer: str
    sector: str
    hs: str
    description: str
    value_usd: float
    value_year: int
    value_status: str
    value_source: str
    volume: float | None
    volume_unit: str
    volume_status: str
    volume_source: str
    mfn: float
    mfn_source: str
    within_elasticity: float


def load_lines(path: Path | str = DEFAULT_LINES_FILE) -> tuple[ProductLine, ...]:
    """Read a product-line table (``sim/policy/data/product_lines.csv`` by default)."""
    out = []
    with open(path, newline="") as f:
        for row_no, r in enumerate(csv.DictReader(f), start=2):
            try:
                out.append(ProductLine(
                    line=r["line"], exporter=r["exporter"], importer=r["importer"],
                    sector=r["sector"], hs=r["hs"], description=r["description"],
                    value_usd=float(r["value_usd"]), value_year=int(r["value_year"]),
                    value_status=r["value_status"], value_source=r["value_source"],
                    volume=float(r["volume"]) if r["volume"] else None,
                    volume_unit=r["volume_unit"], volume_status=r["volume_status"],
                    volume_source=r["volume_source"], mfn=float(r["mfn"]),
                    mfn_source=r["mfn_source"], within_elasticity=float(r["within_elasticity"])))
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}, row {row_no}: {exc}") from exc
    names = [p.line for p in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"{path}: duplicate line codes {sorted(dup)}")
    return tuple(out)
