"""Trade elasticities θ by sector from the Caliendo-Parro (2015) replication inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.common import require_file
from sim.data.build.concordance import load_mapping

CP_DIR = "caliendo_parro_2015/original_data"
CP_NONTRADABLE_THETA = 8.22  # CP 2015 replication: value used for the non-tradable sectors
CP_TRADABLES = 20
CP_REGIONS = 31


def read_cp_table(path: Path, ncol: int) -> np.ndarray:
    require_file(path, "Caliendo-Parro replication file")
    rows = []
    with open(path, encoding="utf-8") as f:
        for k, line in enumerate(f, start=1):
            if not line.strip():
                continue
            cells = line.split()
            if len(cells) != ncol:
                raise BuildError(f"{path}, row {k}: {len(cells)} values, expected {ncol}")
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                raise BuildError(
                    f"{path}, row {k}: non-numeric value in {line.strip()!r}") from None
    return np.array(rows)


def cp_theta(data_dir: Path, sectors: list[str], tradable_theta_default: str = "services",
             concordance_dir: Path | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """θ per target sector: CP 2015 θ of the member sectors weighted by 1993 world trade.

    Sectors with no CP member (services) get the CP non-tradable value 8.22. Returns the
    variants ``theta``, ``theta_uniform4``, ``theta_uniform5`` and a provenance dict.
    """
    t = read_cp_table(data_dir / CP_DIR / "T.txt", 1)[:, 0]
    if t.shape != (CP_TRADABLES,) or (t <= 0).any():
        raise BuildError(f"{data_dir / CP_DIR / 'T.txt'}: expected {CP_TRADABLES} positive values")
    x = read_cp_table(data_dir / CP_DIR / "xbilat1993.txt", CP_REGIONS)
    if x.shape != (CP_TRADABLES * CP_REGIONS, CP_REGIONS) or (x < 0).any():
        raise BuildError(f"{data_dir / CP_DIR / 'xbilat1993.txt'}: shape {x.shape} or negative")
    weights = x.reshape(CP_TRADABLES, CP_REGIONS, CP_REGIONS).sum(axis=(1, 2))
    mapping, mpath = load_mapping("cp2015_sectors_7.csv", "cp_sector", "sector",
                                  set(sectors), concordance_dir)
    theta = np.full(len(sectors), CP_NONTRADABLE_THETA)
    members: dict[str, list[str]] = {s: [] for s in sectors}
    for name in CP_SECTORS:
        if name not in mapping:
            raise BuildError(f"{mpath}: CP sector {name!r} is not mapped")
        members[mapping[name]].append(name)
    for j, s in enumerate(sectors):
        idx = [CP_SECTORS.index(m) for m in members[s]]
        if idx:
            w = weights[idx]
            theta[j] = float(np.sum(w * t[idx]) / np.sum(w))
    prov = {s: members[s] or ["(none: CP non-tradable value 8.22)"] for s in sectors}
    return ({"theta": theta, "theta_uniform4": np.full(len(sectors), 4.0),
             "theta_uniform5": np.full(len(sectors), 5.0)}, prov)


CP_SECTORS = [
    "Agriculture", "Mining", "Food", "Textile", "Wood", "Paper", "Petroleum", "Chemicals",
    "Plastic", "Minerals", "BasicMetals", "MetalProducts", "Machinery", "Office", "Electrical",
    "Communication", "Medical", "Auto", "OtherTransport", "Other",
]
