"""Read scenario files: TOML -> ``extends`` resolution -> validated :class:`ScenarioSpec`.

``extends = "other"`` and ``calibrated_to = "other"`` are scenario *names* (letters, digits,
``_`` and ``-``; never paths). A name is looked up, in order, among the session's uploads (the
app), in the folder of the file that names it (the command line only: the user's own files) and
in the library, ``scenarios/``. The child's top-level keys replace the parent's; ``settings``
merge key by key; ``agreements`` and ``events`` merge by ``name`` (a child entry replaces the
parent's entry of that name, ``kind = "remove"`` drops it). Errors name the file (library files
as ``scenarios/NAME.toml``, never a server path), the field, the line where it can be found and
the bad value (shortened). Files are UTF-8 (a byte-order mark is fine) or UTF-16 with a
byte-order mark, at most :data:`MAX_SCENARIO_BYTES`, nested at most :data:`MAX_DEPTH` deep.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.data.textfile import TextFileError, decode_text, read_text
from sim.scenario.models import ScenarioSpec, union_tags

__all__ = ["LIBRARY", "MAX_DEPTH", "MAX_SCENARIO_BYTES", "Scenario", "ScenarioError",
           "Sources", "find_reference", "find_scenario", "load_calibration", "load_scenario",
           "load_scenario_text"]


def _library() -> Path:
    """The scenario library: ``sim/scenarios/`` in an installed wheel (package data, see
    setup.py), else ``scenarios/`` beside ``sim/`` (source tree, editable install)."""
    installed = Path(str(files("sim").joinpath("scenarios")))
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "scenarios"


LIBRARY = _library()
MAX_SCENARIO_BYTES = 1024 * 1024
MAX_DEPTH = 16
NAME_RE = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")


@dataclass(frozen=True)
class Sources:
    """Where ``extends`` and ``calibrated_to`` may point besides the library.

    ``siblings``: files next to the scenario that names them (the command line: the user's own
    folder); ``uploads``: name -> TOML text of scenarios uploaded in the same app session
    (``extends`` only; ``calibrated_to`` names a library scenario there)."""

    siblings: bool = True
    uploads: Mapping[str, str] = field(default_factory=dict)


CLI = Sources()


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
    sources: Sources = field(default=CLI, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name


def find_scenario(name: str, near: Path | None = None) -> Path:
    """Path of a scenario the user named: a ``.toml`` path, or a library name (a plain name
    is also looked up in ``near``'s folder first)."""
    p = Path(name)
    if p.suffix == ".toml" and p.is_file():
        return p
    if NAME_RE.match(name):
        for folder in ([near.parent] if near is not None else []) + [LIBRARY]:
            cand = folder / f"{name}.toml"
            if cand.is_file():
                return cand
    raise FileNotFoundError(name)


def _label(path: Path) -> Path:
    """How a file is named in messages: library files as ``scenarios/NAME.toml``."""
    try:
        return Path("scenarios") / path.resolve().relative_to(LIBRARY)
    except ValueError:
        return path


def find_reference(name: Any, near: Path | None, sources: Sources = CLI,
                   uploads: bool = True) -> tuple[str, Path, str]:
    """Resolve an ``extends``/``calibrated_to`` name: ``(identity, label, text)``.

    Raises :class:`LookupError` (unknown name) or :class:`ValueError` (not a name)."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ValueError("must be a scenario name (letters, digits, _ and -), not a path")
    if uploads and name in sources.uploads:
        return f"upload:{name}", Path(f"{name}.toml"), sources.uploads[name]
    folders = ([near.parent] if sources.siblings and near is not None else []) + [LIBRARY]
    for folder in folders:
        cand = folder / f"{name}.toml"
        if cand.is_file():
            label = _label(cand)
            return str(cand.resolve()), label, _text(cand, label)
    raise LookupError(name)


def _where(sources: Sources, near: Path | None, uploads: bool = True) -> str:
    places = []
    if uploads and sources.uploads:
        places.append("your uploads")
    if sources.siblings and near is not None:
        places.append("the scenario's folder")
    return " and ".join([*places, "the library"]) + (
        f" ({', '.join(sorted(p.stem for p in LIBRARY.glob('*.toml')))})")


def _text(path: Path, label: Path) -> str:
    try:
        return read_text(path, str(label), MAX_SCENARIO_BYTES)
    except TextFileError as exc:
        raise ScenarioError([str(exc)]) from None


def _depth(obj: Any, limit: int, level: int = 0) -> bool:
    """True if ``obj`` nests deeper than ``limit``."""
    if level > limit:
        return True
    if isinstance(obj, dict):
        return any(_depth(v, limit, level + 1) for v in obj.values())
    if isinstance(obj, list):
        return any(_depth(v, limit, level + 1) for v in obj)
    return False


def _parse(text: str, label: Path) -> dict:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{label}: not valid TOML: {exc}"]) from None
    except RecursionError:
        raise ScenarioError([f"{label}: nested too deeply (at most {MAX_DEPTH} levels)"]
                            ) from None
    if _depth(data, MAX_DEPTH):
        raise ScenarioError([f"{label}: nested too deeply (at most {MAX_DEPTH} levels)"])
    return data


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


#: arrays merged by name across ``extends``
MERGED_ARRAYS = ("agreements", "events", "uncertainty")


def _origins(merged: dict, data: dict) -> dict[str, list[int | None]]:
    """For each merged array, the index each entry has in the child's own file (None for an
    entry inherited from the parent), so that messages quote the user's ``events[0]`` and its
    line rather than the merged ``events[25]``."""
    out: dict[str, list[int | None]] = {}
    for key in MERGED_ARRAYS:
        own = data.get(key) if isinstance(data.get(key), list) else []
        out[key] = [next((k for k, o in enumerate(own) if o == d), None)
                    for d in merged.get(key) or []]
    return out


def _resolve(ident: str, label: Path, text: str, near: Path | None, seen: tuple[str, ...],
             sources: Sources) -> tuple[dict, tuple[Path, ...], dict[Path, str]]:
    """The merged raw data of a scenario (``label`` names it in messages)."""
    if ident in seen:
        cycle = " -> ".join(Path(x).name for x in (*seen, ident))
        raise ScenarioError([f"{label}: extends: cycle {cycle}"])
    data = _parse(text, label)
    texts = {label: text}
    parent_name = data.get("extends")
    if parent_name is None:
        return data, (label,), texts
    line = _line_of(text, ("extends",))
    try:
        pident, plabel, ptext = find_reference(parent_name, near, sources)
    except ValueError as exc:
        raise ScenarioError([f"{label}:{line}: extends: {exc}, got {_short(parent_name)}"]
                            ) from None
    except LookupError:
        raise ScenarioError([f"{label}:{line}: extends: unknown scenario "
                             f"{_short(parent_name)} (looked in "
                             f"{_where(sources, near)})"]) from None
    pnear = Path(pident) if not pident.startswith("upload:") else None
    pdata, chain, ptexts = _resolve(pident, plabel, ptext, pnear, (*seen, ident), sources)
    # validate the parent on its own so its errors name its file
    _validate(pdata, plabel, ptexts[plabel])
    named = ("agreements", "events", "settings", "uncertainty")
    merged = {k: v for k, v in pdata.items() if k not in named}
    merged.update({k: v for k, v in data.items() if k not in (*named, "extends")})
    merged["settings"] = {**_table(pdata, "settings", plabel), **_table(data, "settings", label)}
    merged["agreements"] = _merge_named(_array(pdata, "agreements", plabel),
                                        _array(data, "agreements", label), "agreements", label)
    merged["events"] = _merge_named(_array(pdata, "events", plabel),
                                    _array(data, "events", label), "events", label)
    if "uncertainty" in pdata or "uncertainty" in data:
        own = {d.get("name") for d in _array(data, "uncertainty", label)}
        merged["uncertainty"] = _prune_uncertainty(
            _merge_named(_array(pdata, "uncertainty", plabel),
                         _array(data, "uncertainty", label), "uncertainty", label), merged, own)
    merged["extends"] = parent_name
    texts.update(ptexts)
    return merged, (label, *chain), texts


def _table(data: dict, key: str, label: Path) -> dict:
    v = data.get(key, {})
    if not isinstance(v, dict):
        raise ScenarioError([f"{label}: {key}: must be a table [{key}], got {_short(v)}"])
    return v


def _array(data: dict, key: str, label: Path) -> list[dict]:
    v = data.get(key, [])
    if not isinstance(v, list) or not all(isinstance(d, dict) for d in v):
        raise ScenarioError([f"{label}: {key}: must be an array of tables [[{key}]], got "
                             f"{_short(v)}"])
    return v


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` shortened for a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


def _format(exc: ValidationError, path: Path, text: str, data: dict,
            origins: dict[str, list[int | None]] | None = None) -> list[str]:
    out = []
    tags = union_tags()
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in tags))
        inherited = ""
        merged_loc = loc
        if origins and len(loc) > 1 and loc[0] in origins and isinstance(loc[1], int) \
                and loc[1] < len(origins[loc[0]]):
            own = origins[loc[0]][loc[1]]
            if own is None:
                inherited = " (inherited from the scenario it extends)"
            else:
                loc = (loc[0], own, *loc[2:])
        field_name = ""
        for p in loc:
            field_name += f"[{p}]" if isinstance(p, int) else (f".{p}" if field_name else str(p))
        label = ""
        try:
            node: Any = data
            for p in merged_loc[:2]:
                node = node[p]
            if isinstance(node, dict) and "name" in node:
                label = f" ({node['name']!r})"
        except (KeyError, IndexError, TypeError):
            pass
        line = None if inherited else _line_of(text, loc)
        where = f"{path}:{line}" if line else str(path)
        msg = err["msg"]
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {_short(got)})"
        out.append(f"{where}: {field_name or '<top>'}{label}{inherited}: {msg}{shown}")
    return out


def _validate(data: dict, path: Path | None, text: str,
              origins: dict[str, list[int | None]] | None = None) -> ScenarioSpec:
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format(exc, path or Path("<scenario>"), text, data, origins)
                            ) from None


def _load(ident: str, label: Path, text: str, near: Path | None, path: Path | None,
          sources: Sources) -> Scenario:
    data, chain, texts = _resolve(ident, label, text, near, (), sources)
    own = data if len(chain) == 1 else _parse(texts[label], label)
    spec = _validate(data, label, texts[label], None if len(chain) == 1 else _origins(data, own))
    scn = Scenario(spec, path, chain, data, sources)
    cal = spec.calibrated_to
    if cal not in ("self", spec.name):
        try:
            find_reference(cal, near, sources, uploads=False)
        except (ValueError, LookupError):
            line = _line_of(text, ("calibrated_to",))
            where = f"{label}:{line}" if line else str(label)
            raise ScenarioError([f"{where}: calibrated_to: unknown scenario {_short(cal)} "
                                 f"(looked in {_where(sources, near, uploads=False)})"]
                                ) from None
    return scn


def load_scenario(source: str | Path | dict, *, sources: Sources = CLI) -> Scenario:
    """Load and validate a scenario: a path, a library name or an already parsed dict."""
    if isinstance(source, dict):
        return Scenario(_validate(source, None, ""), None, (), source, sources)
    try:
        path = find_scenario(str(source))
    except FileNotFoundError:
        raise ScenarioError([f"{_short(str(source))}: no such scenario file or library "
                             f"scenario (library: "
                             f"{', '.join(sorted(p.stem for p in LIBRARY.glob('*.toml')))})"]
                            ) from None
    label = _label(path)
    return _load(str(path.resolve()), label, _text(path, label), path.resolve(), path, sources)


def load_scenario_text(text: str | bytes, filename: str = "scenario.toml", *,
                       sources: Sources = Sources(siblings=False)) -> Scenario:
    """Validate a scenario given as text (an upload): messages name only ``filename``;
    references resolve among ``sources.uploads`` and the library, never the file system."""
    label = Path(Path(filename).name or "scenario.toml")
    if isinstance(text, bytes):
        if len(text) > MAX_SCENARIO_BYTES:
            raise ScenarioError([f"{label}: {len(text):,} bytes, more than the "
                                 f"{MAX_SCENARIO_BYTES:,} allowed"])
        try:
            text = decode_text(text, str(label))
        except TextFileError as exc:
            raise ScenarioError([str(exc)]) from None
    elif len(text) > MAX_SCENARIO_BYTES:
        raise ScenarioError([f"{label}: more than the {MAX_SCENARIO_BYTES:,} bytes allowed"])
    return _load(f"upload:{label.stem}", label, text, None, None,
                 Sources(siblings=False, uploads=sources.uploads))


def load_calibration(scn: Scenario) -> Scenario | None:
    """The scenario ``scn`` is calibrated to (``None`` for ``self``), resolved by the same
    rules as when ``scn`` was loaded."""
    spec = scn.spec
    if spec.calibrated_to in ("self", spec.name):
        return None
    near = scn.path.resolve() if scn.path is not None else None
    try:
        ident, label, text = find_reference(spec.calibrated_to, near, scn.sources,
                                            uploads=False)
    except (ValueError, LookupError):
        raise ScenarioError([f"scenario {spec.name!r}: calibrated_to names unknown scenario "
                             f"{_short(spec.calibrated_to)}"]) from None
    path = None if ident.startswith("upload:") else Path(ident)
    return _load(ident, label, text, path, path, scn.sources)
