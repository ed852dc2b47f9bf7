"""What each kind of Build control does to a scenario file (no Streamlit).

A control of ``build_toggles.toml`` names an *action*; an action has three faces:

* ``read(ctl, raw)``: the control's value(s) in a library scenario (``raw``: its resolved
  data), so that an untouched page is the base exactly;
* ``apply(ctl, c, b, ed)``: the edits that choices ``c`` (against the base's choices ``b``)
  make, written into :class:`Edits` (agreements and events of the built file, by name);
* ``refs(ctl)``: every library entry the control names, as ``(scenario, kind, name)``, for
  the test that checks the table against the library.

The library entries come from the table (names) and from the library files themselves (the
entry's content), read with :func:`sim.scenario.loader.load_scenario`; nothing here names an
agreement or an event.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sim.app.build_table import Control, control, controls
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.models import RetaliationEvent, known_sectors

__all__ = ["ACTIONS", "APP_SOURCE", "Action", "Edits", "Ref", "by_name", "library_entry",
           "resolved", "table_problems"]

APP_SOURCE = "tradesim app: a user's choice (hypothetical)"
KINDS = ("agreements", "events")


class Ref(NamedTuple):
    """A library entry a control names: ``kind`` is "agreements", "events", "lines" or
    "sectors" (``scenario`` empty for lines and sectors)."""

    scenario: str
    kind: str
    name: str


@lru_cache(maxsize=32)
def resolved(name: str) -> dict:
    """The resolved (extends merged) raw data of a library scenario (do not modify)."""
    return load_scenario(name).raw


def by_name(items: list[dict]) -> dict[str, dict]:
    return {d["name"]: d for d in items if "name" in d}


def library_entry(scenario: str, kind: str, name: str) -> dict | None:
    """A copy of agreement or event ``name`` of library scenario ``scenario`` (None if absent)."""
    e = by_name(resolved(scenario).get(kind, [])).get(name)
    return copy.deepcopy(e) if e is not None else None


@dataclass
class Edits:
    """The built file's agreements and events (by name) over base scenario ``base``, and its
    top-level fields."""

    base: str
    agreements: dict[str, dict] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)
    top: dict[str, Any] = field(default_factory=dict)

    def held(self, kind: str) -> dict[str, dict]:
        """The base's entries of ``kind``."""
        return by_name(resolved(self.base).get(kind, []))

    def put(self, kind: str, entry: dict) -> None:
        getattr(self, kind)[entry["name"]] = entry

    def remove(self, kind: str, name: str, reason: str = "") -> None:
        """Take ``name`` out: a ``remove`` entry if the base holds it, else drop the edit."""
        mine = getattr(self, kind)
        if name in self.held(kind):
            mine[name] = {"kind": "remove", "name": name}
            if kind == "events":
                mine[name]["reason"] = reason
        else:
            mine.pop(name, None)

    def current(self, kind: str, name: str) -> dict | None:
        """A copy of entry ``name`` as the built file has it so far (None if not there)."""
        mine = getattr(self, kind)
        if name in mine:
            return None if mine[name].get("kind") == "remove" else mine[name]
        e = self.held(kind).get(name)
        return copy.deepcopy(e) if e is not None else None

    def removed(self) -> set[str]:
        return {n for n, e in self.events.items() if e.get("kind") == "remove"}


@dataclass(frozen=True)
class Action:
    """One kind of control: how it is read off a base, applied, and what it names."""

    read: Callable[[Control, dict], dict[str, Any]]
    apply: Callable[[Control, Any, Any, Edits], None]
    refs: Callable[[Control], list[Ref]]


def _none_read(ctl: Control, raw: dict) -> dict[str, Any]:
    return {}


def _named(ctl: Control) -> list[tuple[str, str]]:
    return [("agreements", n) for n in ctl.agreements] + [("events", n) for n in ctl.events]


# ----------------------------------------------------------------------------- switch
def _switch_on_only(ctl: Control) -> list[tuple[str, str]]:
    """Entries the on-scenario holds and the off-scenario does not: their presence in a base
    says the switch is on."""
    return [(k, n) for k, n in _named(ctl) if library_entry(ctl.on, k, n) is not None
            and not (ctl.off and library_entry(ctl.off, k, n) is not None)]


def _switch_read(ctl: Control, raw: dict) -> dict[str, Any]:
    return {ctl.key: all(n in by_name(raw.get(k, [])) for k, n in _switch_on_only(ctl))}


def _switch_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """Switched on: the entries as the ``on`` scenario has them; off: as the ``off`` scenario
    has them (an entry it lacks, or no ``off`` scenario: removed)."""
    want = getattr(c, ctl.key)
    if want == getattr(b, ctl.key):
        return
    scn, reason = (ctl.on, ctl.on_reason) if want else (ctl.off, ctl.off_reason)
    for kind, name in _named(ctl):
        e = library_entry(scn, kind, name) if scn else None
        if e is not None:
            ed.put(kind, e)
        else:
            ed.remove(kind, name, reason)


def _switch_refs(ctl: Control) -> list[Ref]:
    return [Ref(ctl.on, k, n) for k, n in _named(ctl)]


# ----------------------------------------------------------------------------- pact
def _us_in(ctl: Control, raw: dict) -> tuple[bool, date | None]:
    p, region = ctl.params, ctl.params["region"]
    pact = by_name(raw.get("agreements", [])).get(p["with_us"])
    if pact is None:
        return False, None
    me = next((m for m in pact.get("members", []) if m.get("region") == region), None)
    withdrawn = any(e.get("kind") == "withdraw" and e.get("agreement") == p["with_us"]
                    and e.get("region") == region for e in raw.get("events", []))
    if me is None or me.get("eif") is None or withdrawn or me.get("withdrawn"):
        return False, None
    return True, me["eif"]


def _pact_read(ctl: Control, raw: dict) -> dict[str, Any]:
    p = ctl.params
    ag = by_name(raw.get("agreements", []))
    us_in, eif = _us_in(ctl, raw)
    pact = p["with_us"] if us_in else (p["without_us"] if p["without_us"] in ag else None)
    members = tuple(m["region"] for m in ag[pact]["members"]
                    if m["region"] != p["region"]) if pact else ()
    return {ctl.key: us_in, "tpp_eif": eif or control("tpp_eif").default,
            "pact_members": members}


def _pact_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """The US in the pact with the other members chosen and its own date (the with-us pact of
    ``on`` as template, the without-us pact and the withdrawal removed); or out of it (the
    pact never in force and the without-us pact of ``off``, members as chosen)."""
    p = ctl.params
    eif_ctl = control("tpp_eif")
    changed = (c.us_in_tpp != b.us_in_tpp or (c.us_in_tpp and c.tpp_eif != b.tpp_eif)
               or tuple(sorted(c.pact_members)) != tuple(sorted(b.pact_members)))
    if not changed:
        return
    if c.us_in_tpp:
        pact = (ed.current("agreements", p["with_us"]) if b.us_in_tpp else None) \
            or library_entry(ctl.on, "agreements", p["with_us"])
        template = {m["region"]: m for m in
                    library_entry(ctl.on, "agreements", p["with_us"])["members"]}
        keep = [dict(template[r]) for r in c.pact_members if r in template]
        keep.append({"region": p["region"], "eif": c.tpp_eif,
                     "source": APP_SOURCE if c.tpp_eif != eif_ctl.default
                     else eif_ctl.params["default_source"]})
        pact["members"] = keep
        ed.put("agreements", pact)
        ed.remove("agreements", p["without_us"])
        ed.remove("events", p["withdrawal"], ctl.on_reason)
        return
    if b.us_in_tpp:  # the US out: the pact never in force, the without-us pact as `off`
        ed.put("agreements", library_entry(ctl.off, "agreements", p["never_in_force"]))
        other = library_entry(ctl.off, "agreements", p["without_us"])
    else:
        other = ed.current("agreements", p["without_us"])
    if other is not None:
        other["members"] = [m for m in other["members"] if m["region"] in c.pact_members]
        if len(other["members"]) >= 2:
            ed.put("agreements", other)
        else:
            ed.remove("agreements", p["without_us"])


def _pact_refs(ctl: Control) -> list[Ref]:
    p = ctl.params
    return [Ref(ctl.on, "agreements", p["with_us"]),
            Ref(ctl.off, "agreements", p["without_us"]),
            Ref(ctl.off, "agreements", p["never_in_force"]),
            Ref(ctl.off, "events", p["withdrawal"])]


# ----------------------------------------------------------------------------- restage
def _restage_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """The product line's concession in each agreement in force: ``equal`` staging, ``years``
    annual cuts from the line's MFN rate to ``final``."""
    from sim.policy.lines import load_lines

    if not getattr(c, ctl.key):
        return
    p = ctl.params
    line = p["line"]
    final, years = float(getattr(c, p["final"])), int(getattr(c, p["years"]))
    mfn = next(x.mfn for x in load_lines() if x.line == line)
    for name, flag in zip(ctl.agreements, p["if_on"], strict=True):
        a = ed.current("agreements", name) if getattr(c, flag) else None
        if a is None:
            continue
        out = []
        for cc in a.get("concessions", []):
            lines = cc.get("lines") or []
            if line not in lines:
                out.append(cc)
                continue
            rest = [x for x in lines if x != line]
            if rest:
                out.append({**cc, "lines": rest})
            out.append({**cc, "lines": [line],
                        "staging": {"kind": "equal", "n": years, "final": final},
                        "source": APP_SOURCE, "verified": False,
                        "note": p["note"].format(years=years, mfn=f"{100 * mfn:g}",
                                                 final=f"{100 * final:.1f}")})
        a["concessions"] = out
        ed.put("agreements", a)


def _restage_refs(ctl: Control) -> list[Ref]:
    p = ctl.params
    return ([Ref(s, "agreements", n) for s, n in zip(p["scenarios"], ctl.agreements,
                                                        strict=True)]
            + [Ref("", "lines", p["line"])])


# ----------------------------------------------------------------------------- measures
def _measures_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """One measure per declared table, its rate from the control it names, from a date."""
    if not getattr(c, ctl.key):
        return
    p = ctl.params
    for m in p["measures"]:
        extra = {k: copy.deepcopy(v) for k, v in m.items() if k not in ("name", "rate", "note")}
        ed.put("events", {**p["common"], "effective": getattr(c, p["effective"]),
                          "source": APP_SOURCE, "verified": False, "name": m["name"],
                          **extra, "rate": round(getattr(c, m["rate"]), 4),
                          "note": m["note"]})


def _scope_refs(tables: list[dict]) -> list[Ref]:
    out = []
    for m in tables:
        for k in ("lines", "exclude_lines"):
            out += [Ref("", "lines", x) for x in m.get(k, [])]
        for k in ("sectors", "exclude_sectors"):
            out += [Ref("", "sectors", x) for x in m.get(k, [])]
    return out


def _measures_refs(ctl: Control) -> list[Ref]:
    return _scope_refs(ctl.params["measures"])


# ----------------------------------------------------------------------------- rule
def _template(ctl: Control) -> dict:
    return library_entry(ctl.params["template"], "events", ctl.events[0])


def _rule_of(ctl: Control, events: list[dict]) -> dict | None:
    t = _template(ctl)
    return next((e for e in events if e.get("kind") == t["kind"]
                 and e.get("actor") == t["actor"] and e.get("against") == t["against"]), None)


def _rule_read(ctl: Control, raw: dict) -> dict[str, Any]:
    p = ctl.params
    ret = _rule_of(ctl, raw.get("events", []))
    if ret is None:
        return {ctl.key: "none"}
    schema = RetaliationEvent.model_fields
    cap = ret.get("cap")
    return {ctl.key: ret.get("mode", schema["mode"].default),
            p["factor"]: float(ret.get("factor", schema["factor"].default)),
            p["cap"]: float(cap) if cap is not None else control(p["cap"]).default,
            p["lag"]: int(ret.get("lag_days", schema["lag_days"].default))}


def _rule_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """The template's rule (actor, target, sectors, start) with the chosen mode, factor, cap
    and lag, under the base's name for it if it has one; or its removal."""
    p = ctl.params
    parts = (p["factor"], p["cap"], p["lag"])
    mode = getattr(c, ctl.key)
    if mode == getattr(b, ctl.key) and (mode == "none" or all(
            getattr(c, x) == getattr(b, x) for x in parts)):
        return
    t = _template(ctl)
    held = _rule_of(ctl, list(ed.held("events").values()))
    if mode == "none":
        if held:
            ed.remove("events", held["name"], ctl.off_reason)
        return
    ed.put("events", {"kind": t["kind"], "name": held["name"] if held else p["new_name"],
                      "actor": t["actor"], "against": t["against"], "mode": mode,
                      "factor": float(getattr(c, p["factor"])),
                      "cap": float(getattr(c, p["cap"])), "sectors": list(t["sectors"]),
                      "lag_days": int(getattr(c, p["lag"])), "active_from": t["active_from"],
                      "source": APP_SOURCE, "verified": False})


def _template_refs(ctl: Control) -> list[Ref]:
    return [Ref(ctl.params["template"], "events", ctl.events[0])]


# ----------------------------------------------------------------------------- partners
def _partner_tariffs_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """An ``add`` measure on all goods of each partner picked."""
    p = ctl.params
    for region, rate in getattr(c, ctl.key):
        ed.put("events", {**p["measure"], "name": p["name"].format(region=region.lower()),
                          "exporters": [region], "rate": round(float(rate), 4),
                          "effective": getattr(c, p["effective"]), "source": APP_SOURCE,
                          "verified": False, "note": p["note"].format(region=region)})


def _partner_rules_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """The template's rule for each partner picked (the partner whose rule the ``rule``
    control sets, Japan, keeps that one when the built file holds it)."""
    t = _template(ctl)
    rule = {k: copy.deepcopy(t[k]) for k in ("kind", "against", "mode", "factor", "cap",
                                               "sectors", "lag_days", "active_from")}
    own = control(ctl.params["rule"])  # the partner whose rule that control sets
    has_own = _rule_of(own, [*ed.held("events").values(), *ed.events.values()]) is not None
    for region in getattr(c, ctl.key):
        if region == _template(own)["actor"] and has_own:
            continue
        name = ctl.params["name"].format(region=region.lower())
        ed.put("events", {**rule, "name": name, "actor": region, "source": APP_SOURCE,
                          "verified": False})


# ----------------------------------------------------------------------------- the rest
def _remove_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    for name in getattr(c, ctl.key):
        if name in ed.held("agreements"):
            ed.remove("agreements", name)
        elif name in ed.held("events"):
            ed.remove("events", name, ctl.params["reason"])


def _channels_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """Rewrite the channel tables of every agreement with one (sliders apply to all)."""
    parts = [x.key for x in controls() if x.part_of == ctl.key]
    off = getattr(c, ctl.key)
    if not off and all(getattr(c, k) == getattr(b, k) for k in parts):
        return
    held = ed.held("agreements")
    for n in {*held, *ed.agreements}:
        a = ed.agreements.get(n, held.get(n))
        if a is None or a.get("kind") == "remove" or not (
                "goods_nontariff" in a or "services" in a):
            continue
        a = copy.deepcopy(a)
        if a.get("goods_nontariff") is not None:
            _goods(a["goods_nontariff"], f"{n}:goods_nontariff" in off, c)
        if a.get("services") is not None:
            _services(a["services"], f"{n}:services" in off, c)
        ed.agreements[n] = a


def _goods(g: dict, off: bool, c: Any) -> None:
    if off:
        g["on"] = False
    elif c.goods_mode == "cut":
        for k in ("effect", "beta", "phase_in"):
            g.pop(k, None)
        g["cut"] = {"value": round(c.goods_cut, 4),
                    "range": [0.0, round(min(2 * c.goods_cut, 0.9), 4)],
                    "source": APP_SOURCE, "verified": False}
    elif c.goods_se != 0 and g.get("effect"):
        from sim.estimate.effects import load_agreement_effect

        eff = load_agreement_effect(g.pop("effect"))
        g["beta"] = {"value": max(eff.total + c.goods_se * eff.std_error, 0.0),
                     "std_error": eff.std_error, "verified": False,
                     "source": f"{eff.name} shifted by {c.goods_se:+.1f} s.e. (app choice)"}
        if not isinstance(g.get("phase_in"), dict):
            g["phase_in"] = {"years": [float(h) for h in eff.horizons],
                             "shares": list(eff.share_of_total),
                             "source": f"{eff.name}: lag profile of the estimate"}
    if c.spillover > 0 and g.get("on", True):
        g["spillover"] = {"value": round(c.spillover, 4), "range": [round(c.spillover, 4)] * 2,
                          "source": APP_SOURCE, "verified": False}


def _services(sv: dict, off: bool, c: Any) -> None:
    if off:
        sv["on"] = False
        return
    cut = round(c.services_cut, 4)
    sv["cut"] = {"value": cut, "range": [0.0, max(0.05, cut)], "source": APP_SOURCE,
                 "verified": False}
    sv["scope"] = c.services_scope


def _horizon_read(ctl: Control, raw: dict) -> dict[str, Any]:
    return {ctl.key: (raw["end"] - timedelta(days=1)).year}


def _horizon_apply(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """``end`` = 1 January after the last year of results (``end`` is exclusive)."""
    if getattr(c, ctl.key) != getattr(b, ctl.key):
        ed.top["end"] = date(getattr(c, ctl.key) + 1, 1, 1)


def _setting_read(ctl: Control, raw: dict) -> dict[str, Any]:
    return {ctl.key: float(raw.get("settings", {}).get(ctl.key, ctl.default))}


def _nothing(ctl: Control, c: Any, b: Any, ed: Edits) -> None:
    """A run setting: applies to the built scenario and its base alike, not in the file."""


def _no_refs(ctl: Control) -> list[Ref]:
    return []


ACTIONS: dict[str, Action] = {
    "switch": Action(_switch_read, _switch_apply, _switch_refs),
    "pact": Action(_pact_read, _pact_apply, _pact_refs),
    "restage": Action(_none_read, _restage_apply, _restage_refs),
    "measures": Action(_none_read, _measures_apply, _measures_refs),
    "rule": Action(_rule_read, _rule_apply, _template_refs),
    "partner_tariffs": Action(_none_read, _partner_tariffs_apply, _no_refs),
    "partner_rules": Action(_none_read, _partner_rules_apply, _template_refs),
    "remove": Action(_none_read, _remove_apply, _no_refs),
    "channels": Action(_none_read, _channels_apply, _no_refs),
    "horizon": Action(_horizon_read, _horizon_apply, _no_refs),
    "run_setting": Action(_setting_read, _nothing, _no_refs),
}


# ----------------------------------------------------------------------------- the check
def _switch_problems(ctl: Control) -> list[str]:
    """A switch with an ``off`` scenario must list exactly the entries in which its ``on`` and
    ``off`` scenarios differ (else switching it would leave part of the difference behind)."""
    out = []
    for kind in KINDS:
        on = by_name(resolved(ctl.on).get(kind, []))
        off = by_name(resolved(ctl.off).get(kind, []))
        differ = {n for n in {*on, *off} if on.get(n) != off.get(n)}
        listed = set(getattr(ctl, kind))
        out += [f"control {ctl.key!r} ({ctl.label}): {ctl.off} changes {kind[:-1]} {n!r} of "
                f"{ctl.on}, which the control does not list" for n in sorted(differ - listed)]
        out += [f"control {ctl.key!r} ({ctl.label}): lists {kind[:-1]} {n!r}, which {ctl.on} "
                f"and {ctl.off} hold alike" for n in sorted(listed - differ)]
    return out


def table_problems() -> list[str]:
    """Every name of the control table that the scenario library or the policy data do not
    hold, one message per missing entry naming the control; empty when the table is sound."""
    from sim.policy.lines import load_lines

    lines = {x.line for x in load_lines()}
    out: list[str] = []
    for ctl in controls():
        if not ctl.action:
            continue
        if ctl.action not in ACTIONS:
            out.append(f"control {ctl.key!r}: action {ctl.action!r} is not one of "
                       f"{', '.join(ACTIONS)}")
            continue
        for r in ACTIONS[ctl.action].refs(ctl):
            what = f"control {ctl.key!r} ({ctl.label}): {r.kind[:-1]} {r.name!r}"
            if r.kind == "lines" and r.name not in lines:
                out.append(f"{what} is not a product line of sim/policy/data/product_lines.csv")
            elif r.kind == "sectors" and r.name not in known_sectors():
                out.append(f"{what} is not a sector")
            elif r.kind in KINDS:
                try:
                    found = library_entry(r.scenario, r.kind, r.name) is not None
                except ScenarioError:
                    out.append(f"{what}: library scenario {r.scenario!r} cannot be read")
                    continue
                if not found:
                    out.append(f"{what} is not in library scenario {r.scenario!r}")
        if ctl.action == "switch" and ctl.off:
            out += _switch_problems(ctl)
    return out
