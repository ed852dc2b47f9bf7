"""The direction of imports between layers (DESIGN.md §1; docs/architecture.md).

DESIGN.md's table lists the layers from the bottom up: data, model, estimate, policy, timeline,
scenario, results + batch, faces; "each layer imports only those below it", and some layers
never import simpy or streamlit. Every ``import`` in ``sim/`` and ``app.py`` is read from the
source (module level and inside functions, since lazy imports are imports too) and checked.
Today's exceptions are listed in :data:`KNOWN_EXCEPTIONS`, each with its reason; a new upward
import fails, and so does an exception that is no longer needed (delete it from the list).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: bottom -> top (DESIGN.md §1)
LAYERS = ("data", "model", "estimate", "policy", "timeline", "scenario", "results", "faces")

#: module prefix -> layer (the longest matching prefix wins)
LAYER_OF = {
    "sim.data": "data",
    "sim.model": "model",
    "sim.estimate": "estimate",
    "sim.policy": "policy",
    "sim.timeline": "timeline",
    "sim.scenario": "scenario",
    "sim.results": "results",
    "sim.run": "results",            # the run pipeline: results of one scenario
    "sim.counterfactual": "results",  # tidy tables of one static counterfactual
    "sim.batch": "results",
    "sim.channels": "results",       # channel decomposition of scenario runs
    "sim.validation": "results",     # reproduces published results with data, model, estimate
    "sim.validation_record": "results",
    "sim.cli": "faces",
    "sim.commands": "faces",         # command code behind the CLI (tradesim run, check)
    "sim.app": "faces",
    "app": "faces",                  # app.py
}

#: (importing module prefix, imported module prefix): reason. Upward imports of today.
KNOWN_EXCEPTIONS = {
    ("sim.data", "sim.model"):
        "the data layer builds the model's Economy from files (`from sim.model import Economy`;"
        " DESIGN lists data below the model, but the model never reads files, so Economy is "
        "defined in sim/model/economy.py)",
}

#: layer -> third-party packages it never imports (DESIGN.md §1 "never imports")
NEVER = {
    "data": {"simpy", "streamlit"},
    "model": {"simpy", "streamlit", "pandas"},
    "estimate": {"simpy", "streamlit"},
    "policy": {"simpy", "streamlit"},
    "timeline": {"streamlit"},
    "scenario": {"streamlit"},
    "results": {"streamlit"},
}


def _layer(module: str) -> str | None:
    if module == "sim":              # sim/__init__.py: the public Python API (a face)
        return "faces"
    best = None
    for prefix, layer in LAYER_OF.items():
        if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best[1] if best else None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> list[Path]:
    return [*sorted((ROOT / "sim").rglob("*.py")), ROOT / "app.py"]


def _imports(path: Path) -> list[tuple[str, int]]:
    """Absolute module names imported anywhere in the file, with their line numbers."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module, node.lineno))
    return out


def _exception(importer: str, imported: str) -> tuple[str, str] | None:
    for key in KNOWN_EXCEPTIONS:
        src, dst = key
        if ((importer == src or importer.startswith(src + "."))
                and (imported == dst or imported.startswith(dst + "."))):
            return key
    return None


def _upward_imports() -> tuple[list[str], set[tuple[str, str]]]:
    bad, used = [], set()
    for path in _sources():
        importer = _module_name(path)
        src = _layer(importer)
        assert src is not None, f"{importer}: not in any layer; add it to LAYER_OF"
        for imported, line in _imports(path):
            if imported == "sim":        # the package root: a lazy facade (only __version__
                continue                 # is read inside sim/); it imports nothing eagerly
            if not imported.startswith("sim."):
                continue
            dst = _layer(imported)
            assert dst is not None, f"{importer} imports {imported}: not in any layer"
            if LAYERS.index(dst) <= LAYERS.index(src):
                continue
            key = _exception(importer, imported)
            if key is None:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {importer} ({src}) imports "
                           f"{imported} ({dst}), a layer above it")
            else:
                used.add(key)
    return bad, used


def test_imports_point_down_the_layers():
    bad, _ = _upward_imports()
    assert not bad, "\n".join(bad)


def test_every_known_exception_is_still_needed():
    _, used = _upward_imports()
    stale = sorted(set(KNOWN_EXCEPTIONS) - used)
    assert not stale, f"no longer needed, delete from KNOWN_EXCEPTIONS: {stale}"


@pytest.mark.parametrize("layer", sorted(NEVER))
def test_layers_never_import_their_forbidden_packages(layer):
    bad = []
    for path in _sources():
        if _layer(_module_name(path)) != layer:
            continue
        for imported, line in _imports(path):
            if imported.split(".")[0] in NEVER[layer]:
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {imported}")
    assert not bad, "\n".join(bad)


def test_checker_sees_an_upward_import(tmp_path):
    """The checker is not blind: a timeline module importing the batch layer is caught."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from sim.batch.engine import run_chunk\n")
    (imported, _), = _imports(probe)
    assert LAYERS.index(_layer(imported)) > LAYERS.index(_layer("sim.timeline.simulation"))
    assert _exception("sim.timeline.simulation", imported) is None


def _private_imports() -> list[str]:
    """``from sim.x import _name`` in a module other than ``sim.x`` (and its package)."""
    found = []
    for path in _sources():
        me = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if not node.module.startswith("sim"):
                continue
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.endswith("__")
                if private and node.module != me:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: "
                                 f"from {node.module} import {alias.name}")
    return found


def test_no_private_name_is_imported_across_modules():
    """A leading underscore means "this module's own": other modules use public names."""
    assert _private_imports() == []


def test_checker_sees_a_private_import(tmp_path, monkeypatch):
    """The private-import check is not vacuous: a planted import is found."""
    bad = tmp_path / "sim" / "planted.py"
    bad.parent.mkdir()
    bad.write_text("from sim.batch.plan import _canon\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__), "_sources", lambda: [bad])
    assert _private_imports() == ["sim/planted.py:1: from sim.batch.plan import _canon"]
