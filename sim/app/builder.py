"""Build a scenario file from a few choices over a library scenario (no Streamlit).

The Build page's sliders and toggles are a :class:`BuildChoices`, one field per row of the
control table ``build_toggles.toml`` (:mod:`sim.app.build_table`), which says what each control
does (:mod:`sim.app.build_actions`) and to which library entries. :func:`base_choices` reads
the choices off a library scenario; :func:`scenario_dict` applies the rows to changed choices,
giving a real scenario file: ``extends = <base>`` plus only the overrides (agreements and
events merge by name, see ``docs/scenarios.md``), written by :func:`to_toml` and validated by
:func:`sim.scenario.loader.load_scenario` (:func:`validate_toml`), so ``tradesim run`` accepts it.

Run settings (baseline, elasticities, adjustment speed λ, reporting grid) are not part of the
built file: they apply to the built scenario and its base alike, and the app lists them beside
the download.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.app.build_actions import ACTIONS, APP_SOURCE, Edits, library_entry, resolved
from sim.app.build_table import control, controls, defaults
from sim.scenario.loader import (
    LIBRARY,
    Scenario,
    ScenarioError,
    Sources,
    load_scenario_text,
)
from sim.scenario.regions import DEFAULT_CHECK_BASELINE, unheld_region_errors

__all__ = ["APP_SOURCE", "BuildChoices", "base_choices", "changes", "channel_agreements",
           "from_query",
           "library_names", "removable", "rule_actor", "scenario_dict", "to_query", "to_toml",
           "usjta_default", "validate_toml"]

NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
#: defaults of every control (build_toggles.toml): the one place they are written
_D = defaults()


@dataclass(frozen=True)
class BuildChoices:
    """The Build page's controls, one field per row of ``build_toggles.toml`` (which gives
    each one's label, range, default, source and what it does). Rates are fractions (0.15 =
    15 %)."""

    base: str = "historical"
    us_in_tpp: bool = _D["us_in_tpp"]
    tpp_eif: date = _D["tpp_eif"]
    pact_members: tuple[str, ...] = _D["pact_members"]
    usjta: bool = _D["usjta"]
    deal_2025: bool = _D["deal_2025"]
    us_tariffs: bool = _D["us_tariffs"]
    us_tariffs_from: date = _D["us_tariffs_from"]
    us_rate_goods: float = _D["us_rate_goods"]
    us_rate_autos: float = _D["us_rate_autos"]
    us_rate_metals: float = _D["us_rate_metals"]
    beef_custom: bool = _D["beef_custom"]
    beef_final: float = _D["beef_final"]
    beef_years: int = _D["beef_years"]
    beef_safeguard: bool = _D["beef_safeguard"]
    retaliation: str = _D["retaliation"]
    retaliation_factor: float = _D["retaliation_factor"]
    retaliation_cap: float = _D["retaliation_cap"]
    retaliation_lag: int = _D["retaliation_lag"]
    adjustment_speed: float = _D["adjustment_speed"]  # a run setting, not in the file
    end_year: int = _D["end_year"]
    #: extra US tariffs on other partners: ((region, rate added on top), ...), from a date
    partner_tariffs: tuple[tuple[str, float], ...] = _D["partner_tariffs"]
    partner_tariffs_from: date = _D["partner_tariffs_from"]
    #: partners that answer the US with the retaliation rule of retaliation_2025
    partner_retaliation: tuple[str, ...] = _D["partner_retaliation"]
    #: measures and agreements of the base taken out (by name)
    removed: tuple[str, ...] = _D["removed"]
    #: agreement channels switched off, as "AGREEMENT:goods_nontariff" / "AGREEMENT:services"
    channels_off: tuple[str, ...] = _D["channels_off"]
    #: goods non-tariff effect: "estimate" (the file's estimate shifted by goods_se standard
    #: errors) or "cut" (the trade-cost cut goods_cut, a fraction, net of tariffs)
    goods_mode: str = _D["goods_mode"]
    goods_se: float = _D["goods_se"]
    goods_cut: float = _D["goods_cut"]
    services_cut: float = _D["services_cut"]
    services_scope: str = _D["services_scope"]
    spillover: float = _D["spillover"]


def library_names() -> list[str]:
    """Scenario names in the library (``scenarios/*.toml``), historical first."""
    names = sorted(p.stem for p in LIBRARY.glob("*.toml"))
    return sorted(names, key=lambda n: (n != "historical", n != "tpp12", n))


def base_choices(base: str) -> BuildChoices:
    """The choices that reproduce library scenario ``base`` unchanged (each control's action
    reads its value off the base; the others keep their declared defaults)."""
    raw = resolved(base)
    read: dict[str, Any] = {}
    for ctl in controls():
        if ctl.action:
            read.update(ACTIONS[ctl.action].read(ctl, raw))
    return BuildChoices(base=base, **read)


def usjta_default(b: BuildChoices, us_in_tpp: bool) -> bool:
    """Whether the 2019 US-Japan agreement is on by default: the base's choice, except when the
    US is put into TPP-12 over a base without it, where the library scenario that defines the
    US in TPP-12 (the pact control's ``on``: tpp12, TPP replacing the 2019 agreement) is the
    one definition of that world."""
    if us_in_tpp and not b.us_in_tpp:
        return base_choices(control("us_in_tpp").on).usjta
    if not us_in_tpp and b.us_in_tpp:
        return True  # the 2019 agreement, as in historical
    return b.usjta


def scenario_dict(c: BuildChoices, name: str = "my_scenario", title: str = "") -> dict:
    """A scenario file (as a dict) that extends ``c.base`` with what ``c`` changes: every
    control's action of ``build_toggles.toml`` in table order, then a measure that replaced a
    removed one replaces nothing."""
    if not NAME.match(name):
        raise ValueError(f"scenario name {name!r}: use letters, digits, _ and - only")
    if name in library_names():
        raise ValueError(f"scenario name {name!r} is a library scenario; choose another name")
    b = base_choices(c.base)
    ed = Edits(c.base)
    for ctl in controls():
        if ctl.action:
            ACTIONS[ctl.action].apply(ctl, c, b, ed)
    gone = ed.removed()
    for n, e in ed.held("events").items():
        if n not in ed.events and gone & set(e.get("replaces", [])):
            ed.events[n] = {**library_entry(c.base, "events", n),
                            "replaces": [r for r in e["replaces"] if r not in gone]}
    cal = resolved(c.base).get("calibrated_to", "historical")
    data: dict[str, Any] = {
        "name": name,
        "title": title or f"{c.base} with app changes",
        "description": "Built in the tradesim app. " + "; ".join(changes(c)) + ".",
        "extends": c.base,
        "calibrated_to": c.base if cal == "self" else cal,
        **ed.top,
    }
    if ed.agreements:
        data["agreements"] = list(ed.agreements.values())
    if ed.events:
        data["events"] = list(ed.events.values())
    return data


def rule_actor() -> str:
    """The region whose retaliation rule the Retaliation tab sets (Japan): the actor of the
    ``retaliation`` control's template rule."""
    ctl = control("retaliation")
    return library_entry(ctl.params["template"], "events", ctl.events[0])["actor"]


def channel_agreements(c: BuildChoices) -> list[str]:
    """Agreements of the built scenario that carry trade-cost channels (the Build page's
    switches)."""
    raw = resolved(c.base)
    names = [a["name"] for a in raw.get("agreements", [])
             if "name" in a and ("goods_nontariff" in a or "services" in a)]
    pact = control("us_in_tpp").params["with_us"]
    if c.us_in_tpp and pact not in names:
        names.insert(0, pact)
    return [n for n in names if n not in c.removed]


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
    raw = resolved(base)
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
    if uploads:
        return _validate(text, filename, tuple(sorted(uploads.items())))
    return _validated(text, filename)


@lru_cache(maxsize=16)
def _validated(text: str | bytes, filename: str) -> Scenario:
    """:func:`validate_toml` of a text with no uploads, kept: a Build step that changes only a
    run setting (λ) writes the same file, which is not validated again. Callers only read the
    returned scenario."""
    return _validate(text, filename, ())


def _validate(text: str | bytes, filename: str, uploads: tuple[tuple[str, str], ...]
              ) -> Scenario:
    from sim.app.runs import load_app_baseline  # the app's cached copy of the baseline

    scn = load_scenario_text(text, filename,
                             sources=Sources(siblings=False, uploads=dict(uploads)))
    bl = load_app_baseline(DEFAULT_CHECK_BASELINE)  # the regions `tradesim check` uses
    held = unheld_region_errors(scn.spec, bl.regions, bl.name, Path(filename).name)
    if held:
        raise ScenarioError(held)
    return scn
