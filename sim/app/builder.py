"""Build a scenario file from a few choices over a library scenario (no Streamlit).

The Build page's sliders and toggles are a :class:`BuildChoices`. :func:`base_choices` reads
them off a library scenario; :func:`scenario_dict` turns changed choices into a real scenario
file: ``extends = <base>`` plus only the overrides (agreements and events merge by name, see
``docs/scenarios.md``), written by :func:`to_toml` and validated by
:func:`sim.scenario.loader.load_scenario` (:func:`validate_toml`), so ``tradesim run`` accepts it.

Run settings (baseline, elasticities, adjustment speed λ, reporting grid) are not part of the
built file: they apply to the built scenario and its base alike, and the app lists them beside
the download.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.scenario.loader import (
    LIBRARY,
    Scenario,
    ScenarioError,
    Sources,
    load_scenario,
    load_scenario_text,
)
from sim.scenario.regions import check_regions

__all__ = ["APP_SOURCE", "BuildChoices", "base_choices", "changes", "channel_agreements",
           "from_query",
           "library_names", "removable", "scenario_dict", "to_query", "to_toml",
           "usjta_default", "validate_toml"]

APP_SOURCE = "tradesim app: a user's choice (hypothetical)"
GOODS_LINES_METALS = ["steel_jp_us", "aluminium_jp_us"]
RETALIATION_SECTORS = ["food_agriculture", "machinery_electronics", "other_manufacturing"]
DEAL_EVENTS = "no_deal_2025"
TPP_SCENARIO = "tpp12"  # the library file that defines "the US in TPP-12"
NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


@dataclass(frozen=True)
class BuildChoices:
    """The Build page's controls. Rates are fractions (0.15 = 15 %)."""

    base: str = "historical"
    us_in_tpp: bool = False
    tpp_eif: date = date(2018, 12, 30)
    pact_members: tuple[str, ...] = ()
    usjta: bool = True
    deal_2025: bool = True
    us_tariffs: bool = False
    us_tariffs_from: date = date(2025, 9, 16)
    us_rate_goods: float = 0.15
    us_rate_autos: float = 0.15
    us_rate_metals: float = 0.50
    beef_custom: bool = False
    beef_final: float = 0.09
    beef_years: int = 16
    beef_safeguard: bool = True
    retaliation: str = "none"
    retaliation_factor: float = 1.0
    retaliation_cap: float = 0.25
    retaliation_lag: int = 90
    adjustment_speed: float = 0.3  # a run setting for both sides (RunSettings), not in the file
    end_year: int = 2040
    #: extra US tariffs on other partners: ((region, rate added on top), ...), from a date
    partner_tariffs: tuple[tuple[str, float], ...] = ()
    partner_tariffs_from: date = date(2026, 1, 1)
    #: partners that answer the US with a proportional retaliation rule (cap 25 %, 90 days)
    partner_retaliation: tuple[str, ...] = ()
    #: measures and agreements of the base taken out (by name)
    removed: tuple[str, ...] = ()
    #: agreement channels switched off, as "AGREEMENT:goods_nontariff" / "AGREEMENT:services"
    channels_off: tuple[str, ...] = ()
    #: goods non-tariff effect: "estimate" (the file's estimate shifted by goods_se standard
    #: errors) or "cut" (the trade-cost cut goods_cut, a fraction, net of tariffs)
    goods_mode: str = "estimate"
    goods_se: float = 0.0
    goods_cut: float = 0.05
    services_cut: float = 0.02
    services_scope: str = "all"
    spillover: float = 0.0


@lru_cache(maxsize=32)
def _raw(name: str) -> dict:
    """The resolved (extends merged) raw data of a library scenario."""
    return load_scenario(name).raw


@lru_cache(maxsize=32)
def _own(name: str) -> dict:
    """A library file's own keys (before ``extends`` is resolved)."""
    with open(LIBRARY / f"{name}.toml", "rb") as f:
        return tomllib.load(f)


def library_names() -> list[str]:
    """Scenario names in the library (``scenarios/*.toml``), historical first."""
    names = sorted(p.stem for p in LIBRARY.glob("*.toml"))
    return sorted(names, key=lambda n: (n != "historical", n != "tpp12", n))


def _by_name(items: list[dict]) -> dict[str, dict]:
    return {d["name"]: d for d in items if "name" in d}


def _pact(ag: dict[str, dict], us_in: bool) -> str | None:
    if us_in:
        return "TPP"
    return "CPTPP" if "CPTPP" in ag else None


def _us_in_tpp(raw: dict) -> tuple[bool, date | None]:
    ag = _by_name(raw.get("agreements", []))
    tpp = ag.get("TPP")
    if tpp is None:
        return False, None
    usa = next((m for m in tpp.get("members", []) if m.get("region") == "USA"), None)
    withdrawn = any(e.get("kind") == "withdraw" and e.get("agreement") == "TPP"
                    and e.get("region") == "USA" for e in raw.get("events", []))
    if usa is None or usa.get("eif") is None or withdrawn or usa.get("withdrawn"):
        return False, None
    return True, usa["eif"]


def base_choices(base: str) -> BuildChoices:
    """The choices that reproduce library scenario ``base`` unchanged."""
    raw = _raw(base)
    ag = _by_name(raw.get("agreements", []))
    ev = _by_name(raw.get("events", []))
    us_in, eif = _us_in_tpp(raw)
    pact = _pact(ag, us_in)
    members = tuple(m["region"] for m in ag[pact]["members"]
                    if m["region"] != "USA") if pact else ()
    ret = next((e for e in raw.get("events", []) if e.get("kind") == "retaliation"
                and e.get("actor") == "JPN" and e.get("against") == "USA"), None)
    sg = any(e.get("kind") == "safeguard" and "beef_us_jp" in e.get("lines", [])
             for e in raw.get("events", []))
    return BuildChoices(
        base=base, us_in_tpp=us_in, tpp_eif=eif or date(2018, 12, 30), pact_members=members,
        usjta="USJTA_JPN" in ag, deal_2025="us_japan_deal_floor" in ev, beef_safeguard=sg,
        retaliation=ret.get("mode", "mirror") if ret else "none",
        retaliation_factor=float(ret.get("factor", 1.0)) if ret else 1.0,
        retaliation_cap=float(ret["cap"]) if ret and ret.get("cap") is not None else 0.25,
        retaliation_lag=int(ret.get("lag_days", 30)) if ret else 90,
        adjustment_speed=float(raw.get("settings", {}).get("adjustment_speed", 0.3)),
        end_year=(raw["end"] - timedelta(days=1)).year,
    )


def usjta_default(b: BuildChoices, us_in_tpp: bool) -> bool:
    """Whether the 2019 US-Japan agreement is on by default: the base's choice, except when the
    US is put into TPP-12 over a base without it, where the tpp12 library scenario (TPP
    replacing the 2019 agreement) is the one definition of that world."""
    if us_in_tpp and not b.us_in_tpp:
        return base_choices(TPP_SCENARIO).usjta
    if not us_in_tpp and b.us_in_tpp:
        return True  # the 2019 agreement, as in historical
    return b.usjta


def _agreement_from(name: str, *sources: str) -> dict | None:
    for s in sources:
        a = _by_name(_raw(s).get("agreements", [])).get(name)
        if a is not None:
            return copy.deepcopy(a)
    return None


def _event_from(name: str, *sources: str) -> dict | None:
    for s in sources:
        e = _by_name(_raw(s).get("events", [])).get(name)
        if e is not None:
            return copy.deepcopy(e)
    return None


def _beef_staging(a: dict, final: float, years: int) -> dict:
    """Agreement ``a`` with the US-beef line on ``years`` equal cuts to ``final``."""
    a = copy.deepcopy(a)
    out = []
    for c in a.get("concessions", []):
        lines = c.get("lines") or []
        if "beef_us_jp" in lines:
            rest = [ln for ln in lines if ln != "beef_us_jp"]
            if rest:
                out.append({**c, "lines": rest})
            out.append({**c, "lines": ["beef_us_jp"],
                        "staging": {"kind": "equal", "n": int(years), "final": float(final)},
                        "source": APP_SOURCE, "verified": False,
                        "note": f"US beef: {years} equal annual cuts from MFN 38.5 % to "
                                f"{100 * final:.1f} % (app choice)"})
        else:
            out.append(c)
    a["concessions"] = out
    return a


def scenario_dict(c: BuildChoices, name: str = "my_scenario", title: str = "") -> dict:
    """A scenario file (as a dict) that extends ``c.base`` with what ``c`` changes."""
    if not NAME.match(name):
        raise ValueError(f"scenario name {name!r}: use letters, digits, _ and - only")
    if name in library_names():
        raise ValueError(f"scenario name {name!r} is a library scenario; choose another name")
    b = base_choices(c.base)
    raw = _raw(c.base)
    base_ag = _by_name(raw.get("agreements", []))
    base_ev = _by_name(raw.get("events", []))
    cal = raw.get("calibrated_to", "historical")
    agreements: dict[str, dict] = {}
    events: dict[str, dict] = {}

    def remove_agreement(n: str) -> None:
        if n in base_ag:
            agreements[n] = {"kind": "remove", "name": n}
        else:
            agreements.pop(n, None)

    def remove_event(n: str, reason: str) -> None:
        if n in base_ev:
            events[n] = {"kind": "remove", "name": n, "reason": reason}
        else:
            events.pop(n, None)

    def current_agreement(n: str) -> dict | None:
        if n in agreements:
            return None if agreements[n].get("kind") == "remove" else agreements[n]
        return copy.deepcopy(base_ag[n]) if n in base_ag else None

    # --- TPP / CPTPP
    pact_changed = (c.us_in_tpp != b.us_in_tpp or (c.us_in_tpp and c.tpp_eif != b.tpp_eif)
                    or tuple(sorted(c.pact_members)) != tuple(sorted(b.pact_members)))
    if pact_changed:
        if c.us_in_tpp:
            tpp = current_agreement("TPP") if b.us_in_tpp else None
            tpp = tpp or _agreement_from("TPP", "tpp12")
            assert tpp is not None
            template = {m["region"]: m for m in _agreement_from("TPP", "tpp12")["members"]}
            keep = [dict(template[r]) for r in c.pact_members if r in template]
            keep.append({"region": "USA", "eif": c.tpp_eif,
                         "source": APP_SOURCE if c.tpp_eif != date(2018, 12, 30)
                         else "assumption (CPTPP date)"})
            tpp["members"] = keep
            agreements["TPP"] = tpp
            remove_agreement("CPTPP")
            remove_event("us_withdraws_tpp", "the US stays in TPP")
        else:
            if b.us_in_tpp:  # US out: TPP never in force, CPTPP as historical
                agreements["TPP"] = _agreement_from("TPP", "historical")
                cp = _agreement_from("CPTPP", "historical")
            else:
                cp = current_agreement("CPTPP")
            if cp is not None:
                cp["members"] = [m for m in cp["members"] if m["region"] in c.pact_members]
                if len(cp["members"]) >= 2:
                    agreements["CPTPP"] = cp
                else:
                    remove_agreement("CPTPP")
    # --- USJTA and the beef safeguard
    sg_names = [n for n, e in _by_name(_raw("historical")["events"]).items()
                if e.get("kind") == "safeguard" and "beef_us_jp" in e.get("lines", [])]
    if c.usjta != b.usjta:
        for n in ("USJTA_JPN", "USJTA_USA"):
            if c.usjta:
                agreements[n] = _agreement_from(n, "historical")
            else:
                remove_agreement(n)
    want_sg, have_sg = c.beef_safeguard, b.beef_safeguard
    if want_sg != have_sg:
        for n in sg_names:
            if want_sg:
                events[n] = _event_from(n, "historical")
            else:
                remove_event(n, "app choice: no US-beef safeguard")
    # --- Japan's US-beef tariff path
    if c.beef_custom:
        for n in (("USJTA_JPN",) if c.usjta else ()) + (("TPP",) if c.us_in_tpp else ()):
            a = current_agreement(n)
            if a is not None:
                agreements[n] = _beef_staging(a, c.beef_final, c.beef_years)
    # --- the 2025 deal
    if c.deal_2025 != b.deal_2025:
        for e in _own(DEAL_EVENTS).get("events", []):
            n = e["name"]
            if c.deal_2025:
                hist = _event_from(n, "historical")
                if hist is not None:
                    events[n] = hist
                else:
                    remove_event(n, "app choice: the 2025 deal")
            elif e.get("kind") == "remove":
                remove_event(n, "app choice: no 2025 US-Japan deal")
            else:
                events[n] = copy.deepcopy(e)
    # --- US tariffs on Japan from a date (all-in rates)
    if c.us_tariffs:
        common = {"kind": "measure", "actor": "USA", "exporters": ["JPN"], "stacking": "replace",
                  "effective": c.us_tariffs_from, "source": APP_SOURCE, "verified": False}
        events["app_us_japan_goods"] = {
            **common, "name": "app_us_japan_goods", "exclude_sectors": ["motor_vehicles"],
            "exclude_lines": GOODS_LINES_METALS, "rate": round(c.us_rate_goods, 4),
            "note": "all-in US rate on Japanese goods other than autos, steel and aluminium"}
        events["app_us_japan_autos"] = {
            **common, "name": "app_us_japan_autos", "sectors": ["motor_vehicles"],
            "rate": round(c.us_rate_autos, 4),
            "note": "all-in US rate on Japanese motor vehicles and parts"}
        events["app_us_japan_metals"] = {
            **common, "name": "app_us_japan_metals", "lines": GOODS_LINES_METALS,
            "rate": round(c.us_rate_metals, 4),
            "note": "all-in US rate on Japanese steel and aluminium"}
    # --- Japan's retaliation rule
    ret_changed = (c.retaliation != b.retaliation or (c.retaliation != "none" and (
        c.retaliation_factor, c.retaliation_cap, c.retaliation_lag) != (
        b.retaliation_factor, b.retaliation_cap, b.retaliation_lag)))
    if ret_changed:
        existing = next((n for n, e in base_ev.items() if e.get("kind") == "retaliation"
                         and e.get("actor") == "JPN"), None)
        if c.retaliation == "none":
            if existing:
                remove_event(existing, "app choice: no retaliation")
        else:
            n = existing or "app_japan_retaliates"
            events[n] = {"kind": "retaliation", "name": n, "actor": "JPN", "against": "USA",
                         "mode": c.retaliation, "factor": float(c.retaliation_factor),
                         "cap": float(c.retaliation_cap), "sectors": RETALIATION_SECTORS,
                         "lag_days": int(c.retaliation_lag), "active_from": date(2025, 1, 1),
                         "source": APP_SOURCE, "verified": False}
    # --- US tariffs on other partners, and their retaliation
    for region, rate in c.partner_tariffs:
        n = f"app_us_tariff_{region.lower()}"
        events[n] = {"kind": "measure", "name": n, "actor": "USA", "exporters": [region],
                     "rate": round(float(rate), 4), "stacking": "add",
                     "effective": c.partner_tariffs_from, "source": APP_SOURCE,
                     "verified": False,
                     "note": f"additional US tariff on all goods from {region} (app choice)"}
    for region in c.partner_retaliation:
        n = f"app_{region.lower()}_retaliates"
        if region == "JPN" and any(e.get("kind") == "retaliation" and e.get("actor") == "JPN"
                                   for e in [*base_ev.values(), *events.values()]):
            continue  # Japan's rule is set in the Retaliation tab
        events[n] = {"kind": "retaliation", "name": n, "actor": region, "against": "USA",
                     "mode": "proportional", "factor": 1.0, "cap": 0.25,
                     "sectors": RETALIATION_SECTORS, "lag_days": 90,
                     "active_from": date(2025, 1, 1), "source": APP_SOURCE,
                     "verified": False}
    # --- measures and agreements of the base taken out
    for n in c.removed:
        if n in base_ag:
            remove_agreement(n)
        elif n in base_ev:
            remove_event(n, "app choice: removed")
    _channel_edits(c, base_ag, agreements)
    gone = {n for n, e in events.items() if e.get("kind") == "remove"}
    for n, e in base_ev.items():  # a measure that replaced a removed one replaces nothing
        if n not in events and gone & set(e.get("replaces", [])):
            events[n] = {**copy.deepcopy(e),
                         "replaces": [r for r in e["replaces"] if r not in gone]}
    data: dict[str, Any] = {
        "name": name,
        "title": title or f"{c.base} with app changes",
        "description": "Built in the tradesim app. " + "; ".join(changes(c)) + ".",
        "extends": c.base,
        "calibrated_to": c.base if cal == "self" else cal,
    }
    if c.end_year != b.end_year:  # end_year is the last year with results; `end` is exclusive
        data["end"] = date(c.end_year + 1, 1, 1)
    if agreements:
        data["agreements"] = list(agreements.values())
    if events:
        data["events"] = list(events.values())
    return data


CHANNEL_FIELDS = ("goods_mode", "goods_se", "goods_cut", "services_cut", "services_scope",
                  "spillover")


def channel_agreements(c: BuildChoices) -> list[str]:
    """Agreements of the built scenario that carry trade-cost channels (the Build page's
    switches)."""
    raw = _raw(c.base)
    names = [a["name"] for a in raw.get("agreements", [])
             if "name" in a and ("goods_nontariff" in a or "services" in a)]
    if c.us_in_tpp and "TPP" not in names:
        names.insert(0, "TPP")
    return [n for n in names if n not in c.removed]


def _channel_edits(c: BuildChoices, base_ag: dict[str, dict],
                   agreements: dict[str, dict]) -> None:
    """Rewrite the channel tables of every agreement the choices touch (in place)."""
    b = base_choices(c.base)
    tuned = any(getattr(c, f) != getattr(b, f) for f in CHANNEL_FIELDS)
    if not tuned and not c.channels_off:
        return
    for n in {*base_ag, *agreements}:
        a = agreements.get(n, base_ag.get(n))
        if a is None or a.get("kind") == "remove" or not (
                "goods_nontariff" in a or "services" in a):
            continue
        a = copy.deepcopy(a)
        g, sv = a.get("goods_nontariff"), a.get("services")
        if g is not None:
            if f"{n}:goods_nontariff" in c.channels_off:
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
                             "source": f"{eff.name} shifted by {c.goods_se:+.1f} s.e. "
                                       "(app choice)"}
                if not isinstance(g.get("phase_in"), dict):
                    g["phase_in"] = {"years": [float(h) for h in eff.horizons],
                                     "shares": list(eff.share_of_total),
                                     "source": f"{eff.name}: lag profile of the estimate"}
            if c.spillover > 0 and g.get("on", True):
                g["spillover"] = {"value": round(c.spillover, 4),
                                  "range": [round(c.spillover, 4)] * 2,
                                  "source": APP_SOURCE, "verified": False}
        if sv is not None:
            if f"{n}:services" in c.channels_off:
                sv["on"] = False
            else:
                cut = round(c.services_cut, 4)
                sv["cut"] = {"value": cut, "range": [0.0, max(0.05, cut)],
                             "source": APP_SOURCE, "verified": False}
                sv["scope"] = c.services_scope
        agreements[n] = a


def changes(c: BuildChoices) -> list[str]:
    """Plain-language list of what ``c`` changes against its base."""
    b = base_choices(c.base)
    out = []
    if c.us_in_tpp != b.us_in_tpp:
        out.append(f"US in TPP-12 from {c.tpp_eif}" if c.us_in_tpp else "US not in TPP")
    elif c.us_in_tpp and c.tpp_eif != b.tpp_eif:
        out.append(f"US in TPP-12 from {c.tpp_eif}")
    base_members = set(b.pact_members)
    if c.us_in_tpp and not b.us_in_tpp:  # TPP-12 has no UK: compare with its members only
        from sim.policy.groups import GROUPS

        base_members &= set(GROUPS["TPP12"])
    if sorted(c.pact_members) != sorted(base_members):
        gone = sorted(base_members - set(c.pact_members))
        new = sorted(set(c.pact_members) - base_members)
        if gone:
            out.append(f"not in the Trans-Pacific agreement: {', '.join(gone)}")
        if new:
            out.append(f"added to the Trans-Pacific agreement: {', '.join(new)}")
    if c.usjta != b.usjta:
        out.append("2019 US-Japan agreement " + ("in force" if c.usjta else "never signed"))
    if c.beef_safeguard != b.beef_safeguard:
        out.append("Japan's US-beef safeguard " + ("on" if c.beef_safeguard else "off"))
    if c.beef_custom:
        out.append(f"Japan's US-beef tariff: {c.beef_years} cuts to {100 * c.beef_final:.1f} %")
    if c.deal_2025 != b.deal_2025:
        out.append("2025 US-Japan deal (15 % floor) " + ("on" if c.deal_2025 else "off"))
    if c.us_tariffs:
        out.append(f"US all-in tariffs on Japan from {c.us_tariffs_from}: goods "
                   f"{100 * c.us_rate_goods:.1f} %, autos {100 * c.us_rate_autos:.1f} %, "
                   f"steel/aluminium {100 * c.us_rate_metals:.1f} %")
    if (c.retaliation, c.retaliation_factor, c.retaliation_cap, c.retaliation_lag) != (
            b.retaliation, b.retaliation_factor, b.retaliation_cap, b.retaliation_lag):
        out.append("Japan does not retaliate" if c.retaliation == "none" else
                   f"Japan retaliates ({c.retaliation}, factor {c.retaliation_factor:g}, cap "
                   f"{100 * c.retaliation_cap:.0f} %, lag {c.retaliation_lag} days)")
    if c.end_year != b.end_year:
        out.append(f"horizon: results through {c.end_year}")
    for region, rate in c.partner_tariffs:
        out.append(f"US tariff on {region} +{100 * rate:.1f} % from {c.partner_tariffs_from}")
    if c.partner_retaliation:
        out.append("retaliation by " + ", ".join(c.partner_retaliation))
    if c.removed:
        out.append("removed from the base: " + ", ".join(c.removed))
    if c.channels_off:
        out.append("agreement channels off: " + ", ".join(c.channels_off))
    if c.goods_mode == "cut":
        out.append(f"goods non-tariff cut {100 * c.goods_cut:.1f} % in every agreement")
    elif c.goods_se != b.goods_se:
        out.append(f"goods non-tariff effect {c.goods_se:+.1f} s.e. from the estimate")
    if (c.services_cut, c.services_scope) != (b.services_cut, b.services_scope):
        out.append(f"services cut {100 * c.services_cut:.1f} % ({c.services_scope})")
    if c.spillover != b.spillover:
        out.append(f"non-tariff spillover to non-members {100 * c.spillover:.0f} %")
    return out or [f"no changes to {c.base}"]


def removable(base: str) -> list[str]:
    """Names of the base's measures, rules and agreements a user may take out."""
    raw = _raw(base)
    return ([a["name"] for a in raw.get("agreements", []) if "name" in a]
            + [e["name"] for e in raw.get("events", []) if "name" in e])


def to_query(c: BuildChoices, name: str, title: str = "") -> dict[str, str]:
    """URL query parameters for ``c``: the base, the name, the title and every choice that
    differs from the base's (so a link stays short)."""
    b = base_choices(c.base)
    q = {"base": c.base, "name": name}
    if title:
        q["title"] = title
    for f in fields(BuildChoices):
        v = getattr(c, f.name)
        if f.name == "base" or v == getattr(b, f.name):
            continue
        q[f.name] = _encode(v)
    return q


def from_query(q: dict[str, str]) -> tuple[BuildChoices, str, str]:
    """``(choices, name, title)`` from URL query parameters; unknown keys and bad values raise
    ``ValueError`` naming the parameter."""
    base = q.get("base", "historical")
    if base not in library_names():
        raise ValueError(f"base={base!r}: not a library scenario ({', '.join(library_names())})")
    b = base_choices(base)
    kw: dict[str, Any] = {}
    types = {f.name: getattr(b, f.name) for f in fields(BuildChoices)}
    for k, v in q.items():
        if k in ("base", "name", "title", "page"):
            continue
        if k not in types:
            raise ValueError(f"unknown parameter {k!r}")
        try:
            kw[k] = _decode(v, types[k], k)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"parameter {k}={v!r}: {exc}") from None
    return replace(b, **kw), q.get("name", f"my_{base}"), q.get("title", "")


def _encode(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return ",".join(f"{x[0]}:{x[1]!r}" if isinstance(x, tuple) else str(x) for x in v)
    return str(v)


def _decode(text: str, like: Any, key: str) -> Any:
    if isinstance(like, bool):
        if text not in ("0", "1"):
            raise ValueError("use 0 or 1")
        return text == "1"
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    if isinstance(like, date):
        return date.fromisoformat(text)
    if isinstance(like, tuple):
        items = [t for t in text.split(",") if t]
        if key == "partner_tariffs":
            return tuple((r, float(x)) for r, x in (t.split(":") for t in items))
        return tuple(items)
    return text


def choices_from(base: str, **kw: Any) -> BuildChoices:
    """The base's choices with some replaced (unknown keys are an error)."""
    known = {f.name for f in fields(BuildChoices)}
    bad = set(kw) - known
    if bad:
        raise TypeError(f"unknown choices {sorted(bad)}")
    return replace(base_choices(base), **kw)


# ----------------------------------------------------------------------------- TOML
def _key(k: str) -> str:
    return k if re.match(r"^[A-Za-z0-9_\-]+$", k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list | tuple):
        if any(isinstance(x, dict) for x in v):
            return "[\n" + "".join(f"  {_value(x)},\n" for x in v) + "]"
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(data: dict, header: str = "") -> str:
    """Write a scenario dict as TOML: scalars first, then ``[settings]``, then the arrays of
    tables ``[[agreements]]`` and ``[[events]]`` (nested tables inline)."""
    lines = [f"# {ln}" if ln else "#" for ln in header.splitlines()]
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in data.items()
              if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
    for k, v in data.items():
        if k not in tables and k not in arrays:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in tables.items():
        lines += ["", f"[{_key(k)}]"] + [f"{_key(a)} = {_value(b)}" for a, b in v.items()]
    for k, items in arrays.items():
        for item in items:
            lines += ["", f"[[{_key(k)}]]"] + [f"{_key(a)} = {_value(b)}"
                                               for a, b in item.items()]
    return "\n".join(lines) + "\n"


def validate_toml(text: str | bytes, filename: str = "scenario.toml",
                  uploads: Mapping[str, str] | None = None) -> Scenario:
    """Validate a scenario file's text as ``tradesim check`` would. ``extends`` resolves
    among ``uploads`` (name -> TOML text of this session's scenarios) and the library only,
    ``calibrated_to`` in the library only: never a file on the server. Raises
    :class:`ScenarioError` whose messages name only ``filename``."""
    if not filename.endswith(".toml"):
        filename += ".toml"
    scn = load_scenario_text(text, filename,
                             sources=Sources(siblings=False, uploads=dict(uploads or {})))
    held = check_regions(scn.spec, Path(filename).name)
    if held:
        raise ScenarioError(held)
    return scn
