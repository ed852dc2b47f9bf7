"""Reader for the USITC gegravity sample (one-sector structural gravity, 30 countries, 2006).

``sample_data_set.dlm`` (CSV): exporter, importer, year, trade (USD million, domestic flows
included), Y, E and gravity covariates. Licence: MIT (USITC gegravity); data derived from the
WTO/UNCTAD Advanced Guide to Trade Policy Analysis and the USITC Dynamic Gravity Dataset.
In the one-sector model without tariffs or input–output links, θ = σ − 1; σ = 7 here, as in
the gegravity examples... kept as a parameter.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.model import Economy

FILE = "sample_data_set.dlm"


class GegravityDataMissing(FileNotFoundError):
    """The sample file is not where it was looked for."""


@dataclass(frozen=True)
class GegravitySample:
    economy: Economy
    regions: tuple[str, ...]


def load_gegravity_sample(directory: str | Path, sigma: float = 7.0) -> GegravitySample:
    path = Path(directory) / FILE
    if not path.is_file():
        raise GegravityDataMissing(f"gegravity sample not found: {path}")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    regions = tuple(sorted({r["exporter"] for r in rows} | {r["importer"] for r in rows}))
    index = {r: k for k, r in enumerate(regions)}
    flows = np.zeros((len(regions), len(regions), 1))
    for row in rows:
        flows[index[row["exporter"]], index[row["importer"]], 0] = float(row["trade"])
    n = len(regions)
    economy = Economy(flows=flows, tariffs=np.zeros_like(flows), va_share=np.ones((n, 1)),
                      io_share=np.zeros((n, 1, 1)), theta=np.array([sigma - 1.0]))
    return GegravitySample(economy, regions)
