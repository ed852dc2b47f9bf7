"""Reader for the Caliendo & Parro (2015) replication data (NAFTA validation case).

Source: Caliendo, L. and Parro, F. (2015), "Estimates of the Trade and Welfare Effects of
NAFTA", Review of Economic Studies 82(1), 1–44, replication package (``original_data/``).
Layout (see ``../shared/data/README.md``): tab-separated, no headers; N = 31 regions,
J = 40 sectors of which the first 20 are tradable.

Baseline construction as the authors do it: bilateral imports are at producer prices (thousands
of USD, converted here to USD); non-tradables carry no tariffs; domestic sales are
max(GO, exports) − exports; value-added shares are ``B``; the input–output table gives each
input's share of a sector's intermediate purchases, so γ[n, k, j] = IO[n, k, j] (1 − B[n, j]).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.model import Economy

REGIONS = [
    "Argentina",
    "Australia",
    "Austria",
    "Brazil",
    "Canada",
    "Chile",
    "China",
    "Denmark",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Hungary",
    "India",
    "Indonesia",
    "Ireland",
    "Italy",
    "Japan",
    "Korea",
    "Mexico",
    "Netherlands",
    "NewZealand",
    "Norway",
    "Portugal",
    "SouthAfrica",
    "Spain",
    "Sweden",
    "Turkey",
    "UK",
    "USA",
    "RoW",
]
SECTORS = [
    "Agriculture",
    "Mining",
    "Food",
    "Textile",
    "Wood",
    "Paper",
    "Petroleum",
    "Chemicals",
    "Plastic",
    "Minerals",
    "BasicMetals",
    "MetalProducts",
    "Machinery",
    "Office",
    "Electrical",
    "Communication",
    "Medical",
    "Auto",
    "OtherTransport",
    "Other",
    "Electricity",
    "Construction",
    "Retail",
    "Hotels",
    "LandTransport",
    "WaterTransport",
    "AirTransport",
    "AuxTransport",
    "Post",
    "Finance",
    "RealEstate",
    "RentingMach",
    "Computer",
    "R&D",
    "OtherBusiness",
    "Public",
    "Education",
    "Health",
    "OtherServices",
    "Private",
]
N_TRADABLE = 20
NONTRADABLE_THETA = 8.22
NAFTA = ("Canada", "Mexico", "USA")
FILES = (
    "xbilat1993.txt",
    "tariffs1993.txt",
    "tariffs2005.txt",
    "GO.txt",
    "B.txt",
    "IO.txt",
    "T.txt",
)


class CP2015DataMissing(FileNotFoundError):
    """The replication files are not where they were looked for."""


@dataclass(frozen=True)
class CP2015Case:
    """The NAFTA experiment: the 1993 economy and the counterfactual tariffs."""

    economy: Economy
    tariffs_nafta: np.ndarray  # 1993 tariffs, NAFTA pairs at their 2005 rates [i, n, j]
    regions: tuple[str, ...]
    sectors: tuple[str, ...]


def _bilateral(table: np.ndarray, n_reg: int, n_sec: int) -> np.ndarray:
    """Rows = sector block j × importer n, columns = exporter i -> array [i, n, j]."""
    return table.reshape(n_sec, n_reg, n_reg).transpose(2, 1, 0)


def load_cp2015(directory: str | Path) -> CP2015Case:
    """Read ``original_data/`` (or its parent) into an :class:`Economy` and the NAFTA shock."""
    root = Path(directory)
    if (root / "original_data").is_dir():
        root = root / "original_data"
    missing = [f for f in FILES if not (root / f).is_file()]
    if missing:
        raise CP2015DataMissing(
            f"Caliendo–Parro replication files not found in {root}: {', '.join(missing)}"
        )
    n_reg, n_sec, n_tr = len(REGIONS), len(SECTORS), N_TRADABLE

    def read(name: str) -> np.ndarray:
        return np.loadtxt(root / name, delimiter="\t")

    imports = _bilateral(read("xbilat1993.txt"), n_reg, n_tr) * 1000.0  # thousand USD -> USD
    tariffs93 = _bilateral(read("tariffs1993.txt"), n_reg, n_tr) / 100.0
    tariffs05 = _bilateral(read("tariffs2005.txt"), n_reg, n_tr) / 100.0
    gross_output = read("GO.txt").T  # [n, j]
    va_share = read("B.txt").T  # [n, j]
    io_raw = read("IO.txt").reshape(n_reg, n_sec, n_sec)  # [n, k, j]
    theta = np.concatenate([read("T.txt").reshape(-1), np.full(n_sec - n_tr, NONTRADABLE_THETA)])

    flows = np.zeros((n_reg, n_reg, n_sec))
    flows[:, :, :n_tr] = imports
    idx = np.arange(n_reg)
    flows[idx, idx, :] = 0.0
    exports = flows.sum(axis=1)  # [i, j]
    flows[idx, idx, :] = np.maximum(gross_output, exports) - exports

    tariffs = np.zeros_like(flows)
    tariffs[:, :, :n_tr] = tariffs93
    tariffs[idx, idx, :] = 0.0
    nafta_t = tariffs.copy()
    members = [REGIONS.index(r) for r in NAFTA]
    for i in members:
        for n in members:
            if i != n:
                nafta_t[i, n, :n_tr] = tariffs05[i, n]

    io_share = io_raw * (1.0 - va_share)[:, None, :]
    economy = Economy(
        flows=flows, tariffs=tariffs, va_share=va_share, io_share=io_share, theta=theta
    )
    return CP2015Case(economy, nafta_t, tuple(REGIONS), tuple(SECTORS))
