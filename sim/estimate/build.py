"""Rebuild the estimation layer's package data from source (``python -m sim.estimate.build``).

1. ``sim/estimate/data/agtpa.csv.gz``: the Advanced Guide's panel (Yotov, Piermartini,
   Monteiro & Larch 2016; CC BY 4.0), read from ``../shared/data/agtpa_2016/`` (or
   ``--data DIR``). Kept: ``exporter, importer, year, trade, dist, cntg, lang, clny`` and the
   agreement dummies ``rta, rta_lag3, rta_lag4, rta_lag6, rta_lag8, rta_lag9, rta_lag12,
   rta_lead4``; dropped: ``pair_id`` (tradesim derives ``pair`` itself). All 21 years are kept.
   Values are written with ``repr`` precision, so the estimates are those of the source file.
   The gzip header carries no timestamp, so the build is byte-for-byte reproducible.
2. ``sim/estimate/effects/NAME.toml``: the agreement-effect files of :data:`sim.estimate.specs.
   EFFECT_SPECS`, estimated from the shipped panel (``--effects-only`` skips step 1).
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

import pandas as pd

from sim.estimate.panel import AGTPA_FILE, PanelError

SOURCE_FILE = Path("agtpa_2016") / "agtpa_applications.csv.gz"
KEEP = ["exporter", "importer", "year", "trade", "dist", "cntg", "lang", "clny", "rta",
        "rta_lag3", "rta_lag4", "rta_lag6", "rta_lag8", "rta_lag9", "rta_lag12", "rta_lead4"]


def build_panel(data_dir: Path, out: Path = AGTPA_FILE) -> Path:
    """Write the shipped panel from the source file; returns the path written."""
    source = data_dir / SOURCE_FILE
    if not source.is_file():
        raise PanelError(f"{source}: source panel not found (pass --data DIR, the folder "
                         "that holds agtpa_2016/)")
    df = pd.read_csv(source)
    missing = [c for c in KEEP if c not in df.columns]
    if missing:
        raise PanelError(f"{source}: column(s) {', '.join(missing)} missing")
    df = df[KEEP].sort_values(["year", "exporter", "importer"], kind="stable")
    text = df.to_csv(index=False, float_format=None, lineterminator="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return out


def main(argv: list[str] | None = None) -> None:
    from sim.data.shared import default_data_dir
    from sim.estimate.effects import write_shipped_effects

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="source data directory (default $TRADESIM_SHARED_DATA or "
                             "../shared/data)")
    parser.add_argument("--effects-only", action="store_true",
                        help="only re-estimate the agreement-effect files")
    args = parser.parse_args(argv)
    if not args.effects_only:
        path = build_panel(args.data or default_data_dir())
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    for path in write_shipped_effects():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
