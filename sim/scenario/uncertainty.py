"""Policy uncertainty declared in a scenario file: draw one realisation of it.

``[[uncertainty]]`` entries (see :mod:`sim.scenario.models`):

* ``kind = "occurs"``: the named events/agreements happen as written with ``probability``, else
  they are dropped (and dropped from other measures' ``replaces``);
* ``kind = "date"``: every listed date field is set to one date drawn uniformly from
  ``[earliest, latest]`` (by day, or the first day of a month drawn uniformly).

Each uncertainty draws from its own generator, seeded by the caller from the draw's seed and the
uncertainty's *name*, so a scenario and its reference that share an uncertainty (one extends the
other) realise it identically in the same draw (common random numbers).
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np

from sim.scenario.models import DateUncertainty, OccursUncertainty, ScenarioSpec

__all__ = ["name_key", "realize"]


def name_key(name: str) -> int:
    """A stable integer for an uncertainty's name (CRC-32)."""
    return zlib.crc32(name.encode("utf-8"))


def _months(a: date, b: date) -> list[date]:
    out = []
    y, m = a.year, a.month
    while date(y, m, 1) <= b:
        if date(y, m, 1) >= a:
            out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def realize(raw: dict, spec: ScenarioSpec,
            rng_for: Callable[[str], np.random.Generator]) -> tuple[dict, dict[str, Any]]:
    """One realisation: the scenario's raw dict with the uncertainty applied (and the
    ``uncertainty`` section removed) and the outcome of each uncertainty by name."""
    out = copy.deepcopy(raw)
    out.pop("uncertainty", None)
    outcome: dict[str, Any] = {}
    dropped: set[str] = set()
    for u in spec.uncertainty:
        rng = rng_for(u.name)
        if isinstance(u, OccursUncertainty):
            happens = bool(rng.random() < u.probability)
            outcome[u.name] = happens
            if not happens:
                dropped.update(u.events)
                for f in u.otherwise_open:
                    ev, _, fld = f.partition(".")
                    for e in out.get("events", []):
                        if e.get("name") == ev:
                            e.pop(fld, None)
        elif isinstance(u, DateUncertainty):
            if u.resolution == "month":
                options = _months(u.earliest, u.latest)
                d = options[int(rng.integers(len(options)))]
            else:
                span = (u.latest - u.earliest).days
                d = u.earliest + timedelta(days=int(rng.integers(span + 1)))
            outcome[u.name] = d.isoformat()
            for f in u.fields:
                _set_date(out, f, d)
    if dropped:
        out["events"] = [e for e in out.get("events", []) if e.get("name") not in dropped]
        out["agreements"] = [a for a in out.get("agreements", [])
                             if a.get("name") not in dropped]
        for e in out["events"]:
            if e.get("replaces"):
                e["replaces"] = [r for r in e["replaces"] if r not in dropped]
    return out, outcome


def _set_date(raw: dict, path: str, d: date) -> None:
    parts = path.split(".")
    for e in raw.get("events", []):
        if e.get("name") == parts[0]:
            e[parts[1]] = d
            return
    for a in raw.get("agreements", []):
        if a.get("name") == parts[0]:
            for m in a.get("members", []):
                if m.get("region") == parts[1]:
                    m[parts[2]] = d
                    return
