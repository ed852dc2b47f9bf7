"""Published studies set beside our scenario results: read from ``assets/studies*.toml``.

Each file holds ``[[study]]`` tables (one per published figure) with the fields of
:data:`FIELDS`; docs/validation.md describes them. Every ``studies*.toml`` in the folder is
read, in name order; ids must be unique across files. Errors (:class:`StudiesError`) name the
file, the entry and the field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["ASSETS", "FIELDS", "StudiesError", "load_studies"]

ASSETS = Path(__file__).resolve().parent / "assets"

#: field -> allowed Python types
FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,), "study": (str,), "title": (str,), "publisher": (str,),
    "year_published": (int,), "version": (str,), "url": (str,), "scenario": (str,),
    "tradesim_scenario": (str,), "tradesim_reference": (str,), "region": (str,),
    "measure": (str,), "measure_is_ours": (bool,), "value": (int, float), "unit": (str,),
    "year": (int,), "year_is_ours": (bool,), "note": (str,),
}
NOT_EMPTY = ("id", "study", "title", "publisher", "scenario", "tradesim_scenario",
             "tradesim_reference", "region", "measure", "unit")


class StudiesError(ValueError):
    """A studies file is malformed (the message names file, entry and field)."""


def _check(path: Path, k: int, entry: dict[str, Any]) -> dict[str, Any]:
    where = f"{path}, [[study]] #{k + 1} ({entry.get('id', 'no id')!r})"
    missing = [f for f in FIELDS if f not in entry]
    if missing:
        raise StudiesError(f"{where}: missing field(s) {', '.join(missing)}")
    extra = sorted(set(entry) - set(FIELDS))
    if extra:
        raise StudiesError(f"{where}: unknown field(s) {', '.join(extra)}")
    for f, types in FIELDS.items():
        v = entry[f]
        if (isinstance(v, bool) and bool not in types) or not isinstance(v, types):
            raise StudiesError(f"{where}: field {f!r} = {v!r} should be "
                               f"{' or '.join(t.__name__ for t in types)}")
    for f in NOT_EMPTY:
        if not entry[f].strip():
            raise StudiesError(f"{where}: field {f!r} is empty")
    if entry["url"] and not entry["url"].startswith(("https://", "http://")):
        raise StudiesError(f"{where}: field 'url' = {entry['url']!r} is not an http(s) address")
    if not entry["url"] and not entry["note"].strip():
        raise StudiesError(f"{where}: no url, so 'note' must say why")
    return {**entry, "file": path.name}


def load_studies(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every study row of ``directory/studies*.toml`` (default: the app's assets)."""
    directory = Path(directory) if directory is not None else ASSETS
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("studies*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise StudiesError(f"{path}: not valid TOML ({exc})") from None
        entries = data.get("study", [])
        if not isinstance(entries, list):
            raise StudiesError(f"{path}: 'study' must be an array of tables ([[study]])")
        for k, entry in enumerate(entries):
            row = _check(path, k, entry)
            if row["id"] in seen:
                raise StudiesError(f"{path}: id {row['id']!r} already used in {seen[row['id']]}")
            seen[row["id"]] = path.name
            rows.append(row)
    return rows
