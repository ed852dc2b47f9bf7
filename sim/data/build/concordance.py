"""Regional and sectoral concordances (CSV files in ``sim/data/concordances/``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.common import CONCORDANCE_DIR, read_mapping, read_rows


@dataclass
class Codes:
    """An ordered list of target codes with labels (regions or sectors)."""

    codes: list[str]
    labels: list[str]
    extra: dict[str, list[str]]

    def index(self, code: str) -> int:
        return self.codes.index(code)


def read_codes(path: Path, key: str, extra: tuple[str, ...] = ()) -> Codes:
    codes, labels, ext = [], [], {e: [] for e in extra}
    for line, row in read_rows(path, [key, "label", *extra]):
        c = (row[key] or "").strip()
        if not c:
            raise BuildError(f"{path}, row {line}: empty {key!r}")
        if c in codes:
            raise BuildError(f"{path}, row {line}: duplicate {key} {c!r}")
        codes.append(c)
        labels.append((row["label"] or c).strip())
        for e in extra:
            ext[e].append((row[e] or "").strip())
    if not codes:
        raise BuildError(f"{path}: no rows")
    return Codes(codes, labels, ext)


def aggregation_matrix(source_codes: list[str], mapping: dict[str, str], target: list[str],
                       path: Path, what: str) -> np.ndarray:
    """One-hot [len(source), len(target)]; every source code must be mapped."""
    m = np.zeros((len(source_codes), len(target)))
    for a, code in enumerate(source_codes):
        if code not in mapping:
            raise BuildError(f"{path}: {what} {code!r} (present in the source data) is not mapped")
        tgt = mapping[code]
        if tgt not in target:
            raise BuildError(f"{path}: {what} {code!r} maps to unknown code {tgt!r}")
        m[a, target.index(tgt)] = 1.0
    empty = [t for b, t in enumerate(target) if m[:, b].sum() == 0]
    if empty:
        raise BuildError(f"{path}: no {what} maps to {empty}")
    return m


def concordance_path(name: str, directory: Path | None = None) -> Path:
    return (directory or CONCORDANCE_DIR) / name


def load_mapping(name: str, key: str, value: str, allowed: set[str] | None = None,
                 directory: Path | None = None) -> tuple[dict[str, str], Path]:
    p = concordance_path(name, directory)
    return read_mapping(p, key, value, allowed), p
