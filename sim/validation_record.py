"""The shipped record of the validation run: every :class:`sim.validation.Check`, as reproduced.

``sim/data/validation/reproduced.json`` holds the rows of :func:`sim.validation.run_validation`
(every field of every ``Check``, whatever its case), the tradesim version and the date it was
written. It lets a fresh install (without ``../shared/data``) show what the validation gives,
labelled "reproduced by tradesim X.Y on DATE; rerun with the data to check", on the Validation
page and in ``tradesim validate --offline``. ``tradesim validate --write-table`` regenerates it;
``tests/test_validation_record.py`` fails (with the data present) when it differs from a fresh
run: same rows in the same order, same published figures, tolerances and sources, reproduced
values within :data:`REPRODUCED_RTOL` (solver round-off across machines).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sim.validation import Check

__all__ = ["REPRODUCED_RTOL", "TABLE", "ShippedValidation", "differences", "read_table",
           "write_table"]

TABLE = Path(__file__).resolve().parent / "data" / "validation" / "reproduced.json"
REPRODUCED_RTOL = 1e-6
REPRODUCED_ATOL = 1e-9


@dataclass(frozen=True)
class ShippedValidation:
    """The shipped validation rows with their provenance."""

    version: str
    date: str
    command: str
    checks: list[Check]

    @property
    def label(self) -> str:
        major_minor = ".".join(self.version.split(".")[:2])
        return (f"reproduced by tradesim {major_minor} on {self.date}; rerun with the data to "
                "check")


def _version() -> str:
    from sim import __version__

    return __version__


def write_table(checks: list[Check], path: Path | None = None, today: date | None = None,
                command: str = "tradesim validate --write-table") -> Path:
    """Write every check (all dataclass fields) with the version and date; returns the path."""
    path = Path(path) if path is not None else TABLE
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"tradesim_version": _version(),
              "date": (today or date.today()).isoformat(),
              "command": command,
              "checks": [dataclasses.asdict(c) for c in checks]}
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_table(path: Path | None = None) -> ShippedValidation:
    """The shipped record; ``FileNotFoundError`` / ``ValueError`` name the file."""
    path = Path(path) if path is not None else TABLE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    names = {f.name for f in dataclasses.fields(Check)}
    checks = []
    for k, row in enumerate(record.get("checks", [])):
        unknown = set(row) - names
        if unknown or not names <= set(row):
            raise ValueError(f"{path}: check #{k + 1} has fields {sorted(row)}, expected "
                             f"{sorted(names)} (regenerate with tradesim validate --write-table)")
        checks.append(Check(**row))
    return ShippedValidation(str(record.get("tradesim_version", "?")),
                             str(record.get("date", "?")), str(record.get("command", "")), checks)


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REPRODUCED_RTOL, abs_tol=REPRODUCED_ATOL)
    return a == b


def differences(shipped: list[Check], fresh: list[Check]) -> list[str]:
    """Where the shipped rows differ from a fresh run (empty list: they agree)."""
    out = []
    if len(shipped) != len(fresh):
        out.append(f"{len(shipped)} shipped rows, {len(fresh)} in a fresh run")
    for k, (a, b) in enumerate(zip(shipped, fresh, strict=False)):
        for f in dataclasses.fields(Check):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if not _close(x, y):
                out.append(f"row {k + 1} ({b.case}, {b.region}, {b.metric}): {f.name} shipped "
                           f"{x!r}, fresh {y!r}")
    return out
