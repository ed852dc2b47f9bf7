"""Where every shipped number comes from: one rule per shipped data file (rules as data).

Every file the package ships as data (``sim/baselines``, ``sim/policy/data``,
``sim/data/concordances``, ``sim/batch/data``, ``sim/data/validation``, ``sim/app/assets``,
the metric registry ``sim/model/metrics.toml``)
matches exactly one :data:`RULES` entry, which says how its rows carry their source:

* ``rows``: each row has non-empty source column(s) (and optionally a status that marks it
  unverified);
* ``metadata``: a baseline table whose sources are listed in the baseline's ``metadata.json``;
* ``documented``: a definition (a code mapping, a map shape) described, with its origin, in the
  named document.

:func:`missing_sources` lists every row or file without a source (the test
``tests/test_app_provenance.py`` requires it to be empty) and :func:`unverified_rows` the rows
marked unverified or estimated, which the Method page lists.
"""

from __future__ import annotations

import csv
import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PACKAGE", "RULES", "Rule", "missing_sources", "rule_for", "shipped_files",
           "unverified_rows"]

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
#: package-data folders (pyproject.toml) holding data rather than code
DATA_DIRS = ("baselines", "policy/data", "data/concordances", "batch/data", "data/validation",
             "app/assets", "estimate/data", "estimate/effects", "model")
NOT_DATA = ("*.py", "*.md", "LICENSE*", "py.typed")


@dataclass(frozen=True)
class Rule:
    """How the rows of the files matching ``pattern`` (relative to ``sim/``) carry a source."""

    pattern: str
    kind: str                                   # rows | metadata | documented | studies | checks
    sources: tuple[str, ...] = ()               # rows: columns that must be non-empty
    sources_if: tuple[tuple[str, str], ...] = ()   # (source column, value column it traces)
    document: str = ""                          # documented: file (from the repo root)
    what: Callable[[dict[str, str]], str] = field(default=lambda r: "")
    unverified: Callable[[dict[str, str]], str] | None = None   # row -> status, "" if fine


def _status(col: str, ok: tuple[str, ...]) -> Callable[[dict[str, str]], str]:
    def f(r: dict[str, str]) -> str:
        v = (r.get(col) or "").strip()
        return "" if any(v.startswith(o) for o in ok) else v
    return f


def _product_line_status(r: dict[str, str]) -> str:
    parts = [f"{k}: {r[k]}" for k in ("value_status", "volume_status")
             if "estimate" in (r.get(k) or "") or "unverified" in (r.get(k) or "")]
    return "; ".join(parts)


RULES: tuple[Rule, ...] = (
    Rule("batch/data/theta_cp2015.csv", "rows", ("theta_source", "se_source"),
         what=lambda r: f"θ and s.e. of CP sector {r['cp_sector']} ({r['theta']}, "
                        f"s.e. {r['se'] or 'none'})",
         unverified=lambda r: ("" if r["se_verified"] == "1" else
                               "s.e. reproduced, not checked against the printed table"
                               if r["se"] else "no s.e.: median relative s.e. rule")),
    Rule("policy/data/mfn_by_sector.csv", "rows", ("source", "status"),
         what=lambda r: f"MFN {r['importer']} {r['sector']} = {r['rate']}",
         unverified=_status("status", ("verified", "derived", "sourced"))),
    Rule("policy/data/product_lines.csv", "rows", ("value_source", "mfn_source"),
         sources_if=(("volume_source", "volume"),),
         what=lambda r: f"product line {r['line']} ({r['description']})",
         unverified=_product_line_status),
    Rule("policy/data/agreements_in_force_2022.csv", "rows", ("source", "status"),
         what=lambda r: f"{r['agreement']} in force {r['in_force']} ({r['importer']} imports "
                        f"from {r['exporter']})",
         unverified=_status("status", ("checked",))),
    Rule("data/concordances/parameters.csv", "rows", ("note",),
         what=lambda r: f"build parameter {r['parameter']} = {r['value']}"),
    Rule("data/concordances/preference_depth.csv", "rows", ("note",),
         what=lambda r: f"preference residual {r['class']} {r['sector']} = {r['residual']}",
         unverified=lambda r: "assumption (no line-level preferential schedules)"),
    Rule("data/concordances/tariff_targets.csv", "rows", ("label",),
         what=lambda r: f"tariff target {r['importer']} ({r['scope']})"),
    Rule("data/concordances/*.csv", "documented", document="docs/data.md"),
    Rule("baselines/*/tariffs.csv", "rows", ("source",),
         what=lambda r: f"tariffs of {r['importer']}",
         unverified=lambda r: "estimate" if r.get("estimate") == "1" else ""),
    Rule("baselines/*/metadata.json", "metadata"),
    Rule("baselines/*/*.csv", "metadata"),
    Rule("data/validation/reproduced.json", "checks"),
    Rule("app/assets/studies*.toml", "studies"),
    Rule("app/assets/countries-110m.json", "documented", document="sim/app/assets/README.md"),
    Rule("app/assets/country_regions.csv", "documented", document="sim/app/assets/README.md"),
    Rule("app/assets/favicon.png", "documented", document="sim/app/assets/README.md"),
    Rule("estimate/data/agtpa.csv.gz", "documented", document="sim/estimate/data/README.md"),
    Rule("estimate/effects/*.toml", "documented", document="docs/estimation.md"),
    # definitions, not data: the metric registry; docs/metrics.md is generated from it
    Rule("model/metrics.toml", "documented", document="docs/metrics.md"),
)


def shipped_files() -> list[str]:
    """Data files the package ships, relative to ``sim/`` (sorted)."""
    out = []
    for d in DATA_DIRS:
        for p in sorted((PACKAGE / d).rglob("*")):
            if p.is_file() and not any(fnmatch.fnmatch(p.name, x) for x in NOT_DATA) \
                    and "__pycache__" not in p.parts:
                out.append(p.relative_to(PACKAGE).as_posix())
    return sorted(out)


def rule_for(rel: str) -> Rule | None:
    """The first rule whose pattern matches ``rel`` (more specific rules come first)."""
    for r in RULES:
        if fnmatch.fnmatch(rel, r.pattern):
            return r
    return None


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def missing_sources() -> list[str]:
    """Every shipped file or row without a source (empty list: all traced)."""
    problems: list[str] = []
    for rel in shipped_files():
        rule = rule_for(rel)
        path = PACKAGE / rel
        if rule is None:
            problems.append(f"sim/{rel}: no provenance rule (add one to sim/app/provenance.py)")
        elif rule.kind == "rows":
            for k, row in enumerate(_rows(path), start=2):
                empty = [c for c in rule.sources if not (row.get(c) or "").strip()]
                empty += [c for c, v in rule.sources_if
                          if (row.get(v) or "").strip() and not (row.get(c) or "").strip()]
                if empty:
                    problems.append(f"sim/{rel}, row {k}: empty source column(s) {empty}")
        elif rule.kind == "metadata":
            meta = path.parent / "metadata.json"
            sources = json.loads(meta.read_text(encoding="utf-8")).get("sources") \
                if meta.is_file() else None
            if not sources:
                problems.append(f"sim/{rel}: {meta.name} lists no sources")
        elif rule.kind == "documented":
            doc = ROOT / rule.document
            if not doc.is_file() or path.name not in doc.read_text(encoding="utf-8"):
                problems.append(f"sim/{rel}: not described in {rule.document}")
        elif rule.kind == "checks":
            record = json.loads(path.read_text(encoding="utf-8"))
            for k, c in enumerate(record.get("checks", []), start=1):
                if not str(c.get("source") or "").strip():
                    problems.append(f"sim/{rel}, check {k}: no source")
        elif rule.kind == "studies":
            from sim.app.studies import StudiesError, load_studies

            try:
                load_studies(path.parent)   # requires a url, or a note saying why not
            except StudiesError as exc:
                problems.append(str(exc))
    return problems


def unverified_rows() -> list[dict[str, str]]:
    """Rows marked unverified, estimated or assumed: file, what, status, source. Baseline
    tariff rows are summarised per importer (count of rows flagged ``estimate``)."""
    out: list[dict[str, str]] = []
    for rel in shipped_files():
        rule = rule_for(rel)
        if rule is None or rule.kind != "rows" or rule.unverified is None:
            continue
        rows = _rows(PACKAGE / rel)
        if rel.endswith("tariffs.csv"):
            counts: dict[str, int] = {}
            for r in rows:
                if rule.unverified(r):
                    counts[r["importer"]] = counts.get(r["importer"], 0) + 1
            for imp, n in sorted(counts.items()):
                out.append({"file": f"sim/{rel}", "what": f"tariffs applied by {imp}",
                            "status": f"{n} rows flagged estimate",
                            "source": "the rows' source column (docs/data.md, Tariffs)"})
            continue
        for r in rows:
            status = rule.unverified(r)
            if status:
                out.append({"file": f"sim/{rel}", "what": rule.what(r), "status": status,
                            "source": " | ".join(r[c] for c in rule.sources if r.get(c))})
    return out
