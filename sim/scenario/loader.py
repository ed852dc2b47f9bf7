"""Read scenario files: TOML -> ``extends`` resolution -> validated :class:`ScenarioSpec`.

``extends = "other"`` loads ``other.toml`` from the same folder (then from the library,
``scenarios/``). The child's top-level keys replace the parent's; ``settings`` merge key by key;
``agreements`` and ``events`` merge by ``name`` (a child entry replaces the parent's entry of that
name, ``kind = "remove"`` drops it). Errors name the file, the field, the line where it can be
found and the bad value.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario.models import ScenarioSpec

__all__ = ["LIBRARY", "Scenario", "ScenarioError", "find_scenario", "load_scenario"]

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


class ScenarioError(ValueError):
    """A scenario file that cannot be used; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Scenario:
    """A validated scenario and where it came from (``chain``: the file and its parents)."""

    spec: ScenarioSpec
    path: Path | None
    chain: tuple[Path, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name


def find_scenario(name: str, near: Path | None = None) -> Path:
    """Path of scenario ``name`` (a path, or a name in ``near``'s folder or the library)."""
    p = Path(name)
    if p.suffix == ".toml" and p.is_file():
        return p
    for folder in ([near.parent] if near is not None else []) + [LIBRARY]:
        cand = folder / f"{name}.toml"
        if cand.is_file():
            return cand
    raise FileNotFoundError(name)


def _read(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot be read ({exc.strerror})"]) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{path}: not valid TOML: {exc}"]) from None


def _merge_named(parent: list[dict], child: list[dict], where: str, path: Path) -> list[dict]:
    out = {d.get("name", f"#{k}"): d for k, d in enumerate(parent)}
    for d in child:
        n = d.get("name")
        if d.get("kind") == "remove":
            if n not in out:
                raise ScenarioError([f"{path}: {where}: remove {n!r}: the parent defines no "
                                     f"event or agreement of that name"])
            del out[n]
        else:
            out[n] = d
    return list(out.values())


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict, tuple[Path, ...], dict[Path, str]]:
    path = path.resolve()
    if path in seen:
        cycle = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError([f"{path}: extends: cycle {cycle}"])
    data, text = _read(path)
    texts = {path: text}
    parent_name = data.get("extends")
    if parent_name is None:
        return data, (path,), texts
    if not isinstance(parent_name, str):
        raise ScenarioError([f"{path}:{_line_of(text, ('extends',))}: extends: must be a "
                             f"scenario name, got {parent_name!r}"])
    try:
        ppath = find_scenario(parent_name, path)
    except FileNotFoundError:
        raise ScenarioError([f"{path}:{_line_of(text, ('extends',))}: extends: unknown scenario "
                             f"{parent_name!r} (looked in {path.parent} and {LIBRARY})"]) from None
    pdata, chain, ptexts = _resolve(ppath, (*seen, path))
    # validate the parent on its own so its errors name its file
    _validate(pdata, ppath, ptexts[ppath.resolve()])
    named = ("agreements", "events", "settings", "uncertainty")
    merged = {k: v for k, v in pdata.items() if k not in named}
    merged.update({k: v for k, v in data.items() if k not in (*named, "extends")})
    merged["settings"] = {**pdata.get("settings", {}), **data.get("settings", {})}
    merged["agreements"] = _merge_named(pdata.get("agreements", []), data.get("agreements", []),
                                        "agreements", path)
    merged["events"] = _merge_named(pdata.get("events", []), data.get("events", []), "events",
                                    path)
    if "uncertainty" in pdata or "uncertainty" in data:
        own = {d.get("name") for d in data.get("uncertainty", [])}
        merged["uncertainty"] = _prune_uncertainty(
            _merge_named(pdata.get("uncertainty", []), data.get("uncertainty", []),
                         "uncertainty", path), merged, own)
    merged["extends"] = parent_name
    texts.update(ptexts)
    return merged, (path, *chain), texts


def _prune_uncertainty(entries: list[dict], merged: dict, own: set) -> list[dict]:
    """Inherited uncertainty loses references to events the child removed (an entry with
    nothing left is dropped); the child's own entries are validated as written."""
    names = {d.get("name") for d in merged.get("events", [])} | {
        d.get("name") for d in merged.get("agreements", [])}
    out = []
    for u in entries:
        if u.get("name") in own or not isinstance(u, dict):
            out.append(u)
            continue
        u = dict(u)
        for key in ("events", "fields", "otherwise_open"):
            if isinstance(u.get(key), list):
                u[key] = [x for x in u[key] if str(x).split(".")[0] in names]
        if any(u.get(k) for k in ("events", "fields", "otherwise_open")):
            out.append(u)
    return out


def _line_of(text: str, loc: tuple) -> int | None:
    """Best-effort line number (1-based) of a pydantic error location in a TOML text."""
    lines = text.splitlines()
    pos, table, found = 0, "", False
    for k, part in enumerate(loc):
        if isinstance(part, int):
            continue
        nxt = loc[k + 1] if k + 1 < len(loc) else None
        if isinstance(nxt, int):
            name = f"{table}{part}"
            header = re.compile(r"^\s*\[\[\s*" + re.escape(name) + r"\s*\]\]")
            hits = [i for i, ln in enumerate(lines) if i >= pos and header.match(ln)]
            if len(hits) > nxt:
                pos, found = hits[nxt], True
                table = f"{name}."
                continue
            inline = re.compile(r"^\s*" + re.escape(str(part)) + r"\s*=")
            hit = next((i for i in range(pos, len(lines)) if inline.match(lines[i])), None)
            return hit + 1 if hit is not None else (pos + 1 if found else None)
        key = re.compile(r"^\s*" + re.escape(str(part)) + r"\s*=")
        start = pos + 1 if found else 0
        stop = next((i for i in range(start, len(lines))
                     if lines[i].lstrip().startswith("[")), len(lines))
        hit = next((i for i in range(pos if found else 0, stop) if key.match(lines[i])), None)
        if hit is None:
            return pos + 1 if found else None
        pos, found = hit, True
    return pos + 1 if found else None


def _format(exc: ValidationError, path: Path, text: str, data: dict) -> list[str]:
    out = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"]
                    if not (isinstance(p, str) and p in (
                        "measure", "join", "withdraw", "safeguard", "trq", "retaliation",
                        "remove", "free", "keep", "equal", "stages", "path", "volume",
                        "above_previous_year")))
        field_name = ""
        for p in loc:
            field_name += f"[{p}]" if isinstance(p, int) else (f".{p}" if field_name else str(p))
        label = ""
        try:
            node: Any = data
            for p in loc[:2]:
                node = node[p]
            if isinstance(node, dict) and "name" in node:
                label = f" ({node['name']!r})"
        except (KeyError, IndexError, TypeError):
            pass
        line = _line_of(text, loc)
        where = f"{path}:{line}" if line else str(path)
        msg = err["msg"]
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        out.append(f"{where}: {field_name or '<top>'}{label}: {msg}{shown}")
    return out


def _validate(data: dict, path: Path | None, text: str) -> ScenarioSpec:
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format(exc, path or Path("<scenario>"), text, data)) from None


def load_scenario(source: str | Path | dict) -> Scenario:
    """Load and validate a scenario: a path, a library name or an already parsed dict."""
    if isinstance(source, dict):
        return Scenario(_validate(source, None, ""), None, (), source)
    try:
        path = find_scenario(str(source))
    except FileNotFoundError:
        raise ScenarioError([f"{source}: no such scenario file or library scenario "
                             f"(library: {LIBRARY})"]) from None
    data, chain, texts = _resolve(path, ())
    spec = _validate(data, path, texts[path.resolve()])
    return Scenario(spec, path, chain, data)
