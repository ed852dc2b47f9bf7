"""Plain functions behind ``tradesim data build`` and ``tradesim data inspect``."""

from __future__ import annotations

from pathlib import Path

from sim.data.build import BuildError
from sim.data.build.checks import (
    format_checks,
    format_tariff_checks,
    headline_tables,
    read_dir,
    run_checks,
)
from sim.data.build.common import Tables, write_tables
from sim.data.shared import repository_data_dir

BASELINES_DIR = Path(__file__).resolve().parents[2] / "baselines"
NAMES = ("icio2022", "wiod2014", "wiod2014_full")


def default_data_dir() -> Path:
    """The source data of the baseline builds (:func:`sim.data.shared.repository_data_dir`)."""
    return repository_data_dir()


def build_tables(name: str, data_dir: Path, io_source: Path | None = None,
                 allow_download: bool = True, concordance_dir: Path | None = None) -> Tables:
    if name == "icio2022":
        from sim.data.build.icio import build_icio2022
        return build_icio2022(data_dir, io_source=io_source, allow_download=allow_download,
                              concordance_dir=concordance_dir)
    if name in ("wiod2014", "wiod2014_full"):
        from sim.data.build.wiod import build_wiod2014
        return build_wiod2014(data_dir, full=name.endswith("_full"),
                              concordance_dir=concordance_dir)
    if name == "icio_csv":
        raise BuildError("use build_from_icio_csv for an official OECD ICIO CSV")
    raise BuildError(f"unknown baseline {name!r}: choose one of {', '.join(NAMES)}")


def build(name: str, out: Path | None = None, data_dir: Path | None = None,
          io_source: Path | None = None, allow_download: bool = True,
          concordance_dir: Path | None = None, icio_csv: Path | None = None) -> Path:
    """Build baseline ``name`` into ``out`` (default: the package's ``sim/baselines/NAME``).

    ``data_dir``: the source-data directory (default ``default_data_dir()``); ``io_source``:
    the sanction-simulator wheel or its ``bench_cache.npz`` (default: cache, else ``pip
    download``); ``icio_csv``: build from an official OECD ICIO CSV with final demand
    instead (``name`` is then only the output name). Raises BuildError on bad input.
    Returns the output directory.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if icio_csv is not None:
        from sim.data.build.icio_csv import build_from_icio_csv
        have = data_dir.is_dir()
        tables = build_from_icio_csv(Path(icio_csv), data_dir=data_dir if have else None,
                                     name=name, concordance_dir=concordance_dir,
                                     with_tariffs=have)
    else:
        if not data_dir.is_dir():
            raise BuildError(f"{data_dir}: source data directory not found (use --data DIR)")
        tables = build_tables(name, data_dir, io_source, allow_download, concordance_dir)
    out = Path(out) if out is not None else BASELINES_DIR / name
    tables.checks = []
    write_tables(tables, out)
    # checks are computed from the written files, then stored in metadata.json
    checks = run_checks(read_dir(out))
    tables.checks = checks
    write_tables(tables, out)
    return out


def inspect(name_or_path: str | Path) -> str:
    """Text for ``tradesim data inspect``: metadata, the check table and headline tables."""
    p = Path(name_or_path)
    if not (p / "flows.csv").is_file():
        p = BASELINES_DIR / str(name_or_path)
    if not (p / "flows.csv").is_file():
        raise BuildError(f"{name_or_path}: no baseline directory with flows.csv "
                         f"(known: {', '.join(sorted(x.name for x in BASELINES_DIR.iterdir()))})")
    b = read_dir(p)
    meta = b["metadata"]
    head = [f"baseline {meta.get('name', p.name)} ({p})",
            f"year {meta.get('year')}, unit {meta.get('unit')}, "
            f"{len(b['regions'])} regions x {len(b['sectors'])} sectors",
            meta.get("description", "")]
    lim = meta.get("limits") or []
    if lim:
        head.append("limits:")
        head += [f"  - {x}" for x in lim]
    n_est = int(b["estimate"].sum())
    head.append(f"tariff rows flagged as estimates: {n_est}")
    tariff = format_tariff_checks(meta.get("tariff_checks") or [])
    return "\n".join(head) + "\n\nChecks\n" + format_checks(run_checks(b)) + "\n" + \
        (f"\n{tariff}\n" if tariff else "") + headline_tables(b)
