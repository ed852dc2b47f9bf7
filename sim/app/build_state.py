"""The Build page's widget state as plain data (no Streamlit).

:func:`widget_state` maps a :class:`~sim.app.builder.BuildChoices` (plus name and title) to the
values of the page's widget keys, so a saved scenario or a shared link reopens with every
control where it was. :data:`BUILD_PREFIX` marks the keys the app keeps across page changes
(Streamlit drops the state of widgets that a page run does not draw).
"""

from __future__ import annotations

from typing import Any

from sim.app.build_table import controls
from sim.app.builder import BuildChoices, channel_agreements

__all__ = ["BUILD_PREFIX", "NOT_KEPT", "widget_state"]

BUILD_PREFIX = "bld_"
#: widget keys whose value cannot be set (buttons, uploads, downloads): never restored
NOT_KEEPABLE = ("upload", "save", "download", "_dl_", "reopen")
NOT_KEPT = NOT_KEEPABLE


def widget_state(c: BuildChoices, name: str, title: str = "") -> dict[str, Any]:
    """``{widget key: value}`` that draws the Build page with choices ``c`` (every row of the
    control table, in the widget's unit)."""
    k = f"{BUILD_PREFIX}{c.base}_"
    out: dict[str, Any] = {"bld_base": c.base, "bld_name": name, "bld_title": title}
    for ctl in controls():
        value = getattr(c, ctl.key)
        if ctl.widget == "partner_rates":
            out[ctl.widget_name(k)] = [r for r, _ in value]
            for r, rate in value:
                out[k + ctl.params["rate_key"].format(region=r)] = ctl.to_widget(rate)
        elif ctl.widget == "channel_switches":
            for n in channel_agreements(c):
                for sw in ctl.params["switches"]:
                    out[ctl.widget_name(k, agreement=n, switch=sw["switch"])] = (
                        f"{n}:{sw['channel']}" not in value)
        else:
            out[ctl.widget_name(k, us_in_tpp=c.us_in_tpp)] = ctl.to_widget(value)
    return out
