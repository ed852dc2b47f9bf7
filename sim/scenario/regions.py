"""Regions a scenario's events name that a baseline does not hold separately.

A measure on India in the 16-region ``icio2022`` baseline (India sits inside ``ROW``) would
otherwise compile to an empty scope and have exactly zero effect. By default such a scenario is
refused with the list of regions the baseline holds; with ``[settings] unheld_regions = "row"``
the file asks for those codes to stand for the baseline's rest-of-world region instead.

Checked: the ``actor``, ``importers``, ``exporters`` and ``against`` of events (measures, quota
rules, safeguards, retaliation). Group names (``CPTPP``, ``EU`` ...) and ``exclude_exporters``
are not checked: a group drops the members a baseline aggregates (documented in
``docs/scenarios.md``), and excluding an absent region changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sim.policy.groups import EU27, GROUPS
from sim.policy.model import Measure, Policy, Scope
from sim.scenario.models import ScenarioSpec

__all__ = ["DEFAULT_CHECK_BASELINE", "REST_OF_WORLD", "check_regions", "map_to_rest_of_world",
           "unheld_region_errors", "unheld_regions"]

REST_OF_WORLD = "ROW"
DEFAULT_CHECK_BASELINE = "icio2022"  # what `tradesim check` and the app's validation use
_FIELDS = ("actor", "importers", "exporters", "against")


def _held(code: str, regions: Sequence[str]) -> bool:
    return code in regions or code in GROUPS or ("EU" in regions and code in EU27)


def unheld_regions(spec: ScenarioSpec, regions: Sequence[str]) -> dict[str, list[str]]:
    """``{event name: [codes]}`` for events naming codes that ``regions`` do not hold."""
    out: dict[str, list[str]] = {}
    for e in spec.events:
        for f in _FIELDS:
            v = getattr(e, f, None)
            if v is None:
                continue
            for code in ([v] if isinstance(v, str) else v):
                if not _held(code, regions):
                    out.setdefault(getattr(e, "name", "?"), []).append(code)
    return out


def unheld_region_errors(spec: ScenarioSpec, regions: Sequence[str], baseline: str,
                         where: str = "") -> list[str]:
    """Error lines (empty when every named region is held, or the file maps them to ROW)."""
    bad = unheld_regions(spec, regions)
    if not bad or spec.settings.unheld_regions == "row":
        return []
    prefix = f"{where}: " if where else ""
    held = ", ".join(r for r in regions)
    return [f"{prefix}event {name!r}: region {', '.join(map(repr, codes))} is not held "
            f"separately by baseline {baseline} (it holds: {held}); name one of these, or set "
            f"[settings] unheld_regions = \"row\" to apply the event to {REST_OF_WORLD}"
            for name, codes in bad.items()]


def check_regions(spec: ScenarioSpec, where: str = "",
                  baseline: str = DEFAULT_CHECK_BASELINE) -> list[str]:
    """:func:`unheld_region_errors` against a shipped baseline's regions (default icio2022)."""
    from sim.data.baseline import load_baseline

    bl = load_baseline(baseline)
    return unheld_region_errors(spec, bl.regions, bl.name, where)


def map_to_rest_of_world(policy: Policy, regions: Sequence[str]) -> tuple[Policy, list[str]]:
    """The policy with unheld codes in measure scopes replaced by ``ROW``, and notes."""
    notes: list[str] = []

    def fix(codes: tuple[str, ...] | None, name: str) -> tuple[str, ...] | None:
        if codes is None:
            return None
        gone = [c for c in codes if not _held(c, regions)]
        if not gone:
            return codes
        notes.append(f"measure {name!r}: {', '.join(gone)} not held by the baseline; applied "
                     f"to {REST_OF_WORLD} (unheld_regions = \"row\")")
        return tuple(dict.fromkeys(REST_OF_WORLD if c in gone else c for c in codes))

    def measure(m: Measure) -> Measure:
        sc: Scope = m.scope
        new = dataclasses.replace(sc, importers=fix(sc.importers, m.name),
                                  exporters=fix(sc.exporters, m.name))
        return m if new == sc else dataclasses.replace(m, scope=new)

    return dataclasses.replace(policy, measures=tuple(measure(m) for m in policy.measures)), notes
