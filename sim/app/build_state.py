"""The Build page's widget state as plain data (no Streamlit).

:func:`widget_state` maps a :class:`~sim.app.builder.BuildChoices` (plus name and title) to the
values of the page's widget keys, so a saved scenario or a shared link reopens with every
control where it was. :data:`BUILD_PREFIX` marks the keys the app keeps across page changes
(Streamlit drops the state of widgets that a page run does not draw).
"""

from __future__ import annotations

from typing import Any

from sim.app.builder import BuildChoices, channel_agreements

__all__ = ["BUILD_PREFIX", "NOT_KEPT", "widget_state"]

BUILD_PREFIX = "bld_"
#: widget keys whose value cannot be set (buttons, uploads, downloads): never restored
NOT_KEEPABLE = ("upload", "save", "download", "_dl_", "reopen")
NOT_KEPT = NOT_KEEPABLE


def _pct(x: float) -> float:
    return round(100 * float(x), 4)


def widget_state(c: BuildChoices, name: str, title: str = "") -> dict[str, Any]:
    """``{widget key: value}`` that draws the Build page with choices ``c``."""
    k = f"{BUILD_PREFIX}{c.base}_"
    us = c.us_in_tpp
    out: dict[str, Any] = {
        "bld_base": c.base, "bld_name": name, "bld_title": title,
        k + "tpp": us, k + "tpp_eif": c.tpp_eif, k + f"members_{us}": list(c.pact_members),
        k + f"usjta_{us}": c.usjta, k + "sg": c.beef_safeguard, k + "beef": c.beef_custom,
        k + "beef_final": _pct(c.beef_final), k + "beef_years": int(c.beef_years),
        k + "deal": c.deal_2025, k + "ust": c.us_tariffs, k + "ust_from": c.us_tariffs_from,
        k + "ust_goods": _pct(c.us_rate_goods), k + "ust_autos": _pct(c.us_rate_autos),
        k + "ust_metals": _pct(c.us_rate_metals), k + "ret": c.retaliation,
        k + "ret_factor": float(c.retaliation_factor), k + "ret_cap": _pct(c.retaliation_cap),
        k + "ret_lag": int(c.retaliation_lag), k + "lambda": float(c.adjustment_speed),
        k + "end": int(c.end_year),
        k + "pt_regions": [r for r, _ in c.partner_tariffs],
        k + "pt_from": c.partner_tariffs_from, k + "pt_ret": list(c.partner_retaliation),
        k + "removed": list(c.removed),
    }
    for r, rate in c.partner_tariffs:
        out[k + f"pt_{r}"] = _pct(rate)
    out.update({k + "ch_goods_mode": c.goods_mode, k + "ch_goods_se": float(c.goods_se),
                k + "ch_goods_cut": _pct(c.goods_cut),
                k + "ch_services_cut": _pct(c.services_cut), k + "ch_scope": c.services_scope,
                k + "ch_spillover": _pct(c.spillover)})
    for n in channel_agreements(c):
        out[k + f"ch_{n}_goods"] = f"{n}:goods_nontariff" not in c.channels_off
        out[k + f"ch_{n}_services"] = f"{n}:services" not in c.channels_off
    return out
