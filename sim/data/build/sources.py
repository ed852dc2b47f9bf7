"""Readers for the source files (OECD ICIO, the IO coefficients wheel, BACI, US Census)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.common import read_rows, require_file, to_float

ICIO_COMPACT = "oecd_icio_2022/icio2025_y2022_80c50s_compact.npz"
WHEEL_NAME = "sanction_simulator-0.1.4-py3-none-any.whl"
WHEEL_REQ = "sanction-simulator==0.1.4"
WHEEL_MEMBER = "sanction_simulator/data/bench_cache.npz"


def cache_dir() -> Path:
    return Path(os.environ.get("TRADESIM_CACHE", Path.home() / ".cache" / "tradesim"))


def _load_npz(path: Path, keys: dict[str, int]) -> dict[str, np.ndarray]:
    require_file(path, "numpy archive")
    try:
        with np.load(path, allow_pickle=False) as d:
            missing = [k for k in keys if k not in d.files]
            if missing:
                raise BuildError(f"{path}: arrays {missing} missing (has {sorted(d.files)})")
            out = {k: d[k] for k in keys}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise BuildError(f"{path}: cannot read numpy archive ({exc})") from exc
    for k, ndim in keys.items():
        if out[k].ndim != ndim:
            raise BuildError(f"{path}: array {k!r} has {out[k].ndim} dimensions, expected {ndim}")
        if out[k].dtype.kind == "f" and not np.isfinite(out[k]).all():
            bad = np.argwhere(~np.isfinite(out[k]))[0]
            raise BuildError(f"{path}: array {k!r} has a non-finite value at index {tuple(bad)}")
    return out


def load_icio_compact(data_dir: Path) -> dict[str, np.ndarray]:
    path = data_dir / ICIO_COMPACT
    d = _load_npz(path, {"countries": 1, "sectors": 1, "interm_sales_by_dest": 3,
                         "gross_output": 2, "final_and_row_sales": 2})
    C, S = len(d["countries"]), len(d["sectors"])
    for k, shape in (("interm_sales_by_dest", (S, C, C)), ("gross_output", (S, C)),
                     ("final_and_row_sales", (S, C))):
        if d[k].shape != shape:
            raise BuildError(f"{path}: array {k!r} has shape {d[k].shape}, expected {shape}")
        if (d[k] < 0).any():
            bad = tuple(np.argwhere(d[k] < 0)[0])
            raise BuildError(f"{path}: array {k!r} has negative value {d[k][bad]!r} at {bad}")
    d["countries"] = np.array([str(x) for x in d["countries"]])
    d["sectors"] = np.array([str(x) for x in d["sectors"]])
    d["path"] = np.array(str(path))
    return d


def find_io_source(io_source: Path | None, allow_download: bool) -> Path:
    """Locate bench_cache.npz or the wheel holding it; optionally ``pip download`` the wheel."""
    if io_source is not None:
        return require_file(Path(io_source), "IO coefficient source (.whl or .npz)")
    env = os.environ.get("TRADESIM_ICIO_IO")
    if env:
        return require_file(Path(env), "IO coefficient source given by TRADESIM_ICIO_IO")
    cd = cache_dir()
    for cand in (cd / "bench_cache.npz", cd / WHEEL_NAME):
        if cand.is_file():
            return cand
    if not allow_download:
        raise BuildError(
            f"IO coefficients not found: pass --io PATH (the {WHEEL_NAME} wheel or its "
            f"{WHEEL_MEMBER}), set TRADESIM_ICIO_IO, or put one of them in {cd}")
    cd.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", WHEEL_REQ, "-d", str(cd)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0 or not (cd / WHEEL_NAME).is_file():
        raise BuildError(f"`{' '.join(cmd)}` failed: {res.stderr.strip()[-500:]}")
    return cd / WHEEL_NAME


def load_io_coefficients(source: Path) -> dict[str, np.ndarray]:
    """A (input node x buyer node), omb, go and the node labels from bench_cache.npz."""
    keys = {"A": 2, "omb": 1, "go": 1, "countries": 1, "sectors": 1}
    if source.suffix == ".whl":
        try:
            with zipfile.ZipFile(source) as z, z.open(WHEEL_MEMBER) as f:
                data = io.BytesIO(f.read())
        except (KeyError, OSError, zipfile.BadZipFile) as exc:
            raise BuildError(f"{source}: cannot read {WHEEL_MEMBER} ({exc})") from exc
        tmp = _load_npz_bytes(data, source, keys)
    else:
        tmp = _load_npz(source, keys)
    tmp["countries"] = np.array([str(x) for x in tmp["countries"]])
    tmp["sectors"] = np.array([str(x) for x in tmp["sectors"]])
    N = len(tmp["countries"]) * len(tmp["sectors"])
    if tmp["A"].shape != (N, N) or tmp["omb"].shape != (N,) or tmp["go"].shape != (N,):
        raise BuildError(f"{source}: A/omb/go shapes {tmp['A'].shape}/{tmp['omb'].shape}/"
                         f"{tmp['go'].shape} do not match {N} nodes")
    if (tmp["A"] < 0).any() or (tmp["omb"] < 0).any() or (tmp["omb"] > 1).any():
        raise BuildError(f"{source}: negative IO coefficients or omb outside [0, 1]")
    return tmp


def _load_npz_bytes(data: io.BytesIO, source: Path, keys: dict[str, int]) -> dict:
    try:
        with np.load(data, allow_pickle=False) as d:
            missing = [k for k in keys if k not in d.files]
            if missing:
                raise BuildError(f"{source}!{WHEEL_MEMBER}: arrays {missing} missing")
            return {k: d[k] for k in keys}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise BuildError(f"{source}!{WHEEL_MEMBER}: cannot read ({exc})") from exc


def load_baci(data_dir: Path) -> tuple[list[str], np.ndarray, Path]:
    """BACI 2023 goods matrix: iso3 order and [exporter, importer] in USD million."""
    order_p = data_dir / "baci_2023/baci2023_goods_194c_country_order.csv"
    mat_p = data_dir / "baci_2023/baci2023_goods_194c_matrix_thousandUSD.csv"
    iso = [row["iso3"].strip() for _, row in read_rows(order_p, ["iso3"])]
    require_file(mat_p, "BACI matrix")
    m = np.zeros((len(iso), len(iso)))
    with open(mat_p, encoding="utf-8-sig") as f:
        header = f.readline().rstrip("\n").split(",")
        if len(header) != len(iso):
            raise BuildError(f"{mat_p}, row 1: {len(header)} columns, but {order_p} lists "
                             f"{len(iso)} countries")
        k = -1
        for k, line in enumerate(f):
            cells = line.rstrip("\n").split(",")
            if k >= len(iso):
                raise BuildError(f"{mat_p}, row {k + 2}: more rows than countries ({len(iso)})")
            if len(cells) != len(iso):
                raise BuildError(f"{mat_p}, row {k + 2}: {len(cells)} cells, expected {len(iso)}")
            for c, cell in enumerate(cells):
                if cell.strip():
                    v = to_float(mat_p, k + 2, header[c], cell)
                    if v < 0:
                        raise BuildError(f"{mat_p}, row {k + 2}: column {header[c]!r} has "
                                         f"negative value {cell!r}")
                    m[k, c] = v
        if k + 1 != len(iso):
            raise BuildError(f"{mat_p}: {k + 1} rows, expected {len(iso)}")
    return iso, m / 1000.0, mat_p


def load_census_partner(path: Path) -> dict[str, tuple[float, float]]:
    """One Census HS2 file: chapter -> (2024 imports USD, 2024 duties USD)."""
    out: dict[str, tuple[float, float]] = {}
    for line, row in read_rows(path, ["HS2", "2024_imports", "2024_duty"]):
        hs = (row["HS2"] or "").strip().zfill(2)
        imp = to_float(path, line, "2024_imports", row["2024_imports"], allow_blank=True)
        duty = to_float(path, line, "2024_duty", row["2024_duty"], allow_blank=True)
        if imp < 0 or duty < 0:
            raise BuildError(f"{path}, row {line}: negative imports/duties ({imp!r}, {duty!r})")
        if hs in out:
            raise BuildError(f"{path}, row {line}: duplicate HS2 chapter {hs!r}")
        out[hs] = (imp, duty)
    return out
