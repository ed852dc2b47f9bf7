"""Draw one Build control from its row of ``build_toggles.toml`` (Streamlit).

:func:`draw` picks the widget the row names, with the row's label, help, range and key, shows
the value in the widget's unit (a fraction as %) and returns the model value, so the page
holds no label, range or default of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from sim.app.build_table import Control

__all__ = ["draw", "widget_key"]


def widget_key(ctl: Control, prefix: str, **fmt: Any) -> str:
    """The Streamlit key of ``ctl`` (``prefix`` is ``bld_<base>_``)."""
    return ctl.widget_name(prefix, **fmt)


def draw(ctl: Control, prefix: str, value: Any, values: Mapping[str, Any] | None = None, *,
         container: Any = None, disabled: bool = False, options: list | None = None,
         label: str | None = None, fmt: dict[str, Any] | None = None, **kw: Any) -> Any:
    """Draw ``ctl`` with default ``value`` (model units); returns the chosen model value.
    ``values``: the controls chosen so far (the row's ``enabled_if``/``disabled_if`` read
    them); ``options``: the choices of a multiselect (its row lists none); ``fmt``: values for
    the placeholders of the row's widget key and label."""
    c = container if container is not None else st
    disabled = disabled or (values is not None and not ctl.enabled(values))
    fmt = fmt or {}
    key = widget_key(ctl, prefix, **fmt)
    text = label if label is not None else ctl.label.format(**fmt)
    if ctl.widget == "toggle":
        out = c.toggle(text, bool(value), key=key, help=ctl.help, disabled=disabled)
    elif ctl.widget in ("slider", "date_slider"):
        lo, hi, v, step = ctl.slider_args(value)
        extra = {"format": "YYYY-MM-DD"} if ctl.widget == "date_slider" else {"step": step}
        out = c.slider(text, lo, hi, v, key=key, help=ctl.help, disabled=disabled,
                       **extra, **kw)
    elif ctl.widget == "select":
        out = c.selectbox(text, list(ctl.options), list(ctl.options).index(value), key=key,
                          help=ctl.help, disabled=disabled, format_func=ctl.format_option)
    elif ctl.widget == "radio":
        out = c.radio(text, list(ctl.options), list(ctl.options).index(value), key=key,
                      help=ctl.help, disabled=disabled, horizontal=True,
                      format_func=ctl.format_option)
    elif ctl.widget == "multiselect":
        out = c.multiselect(text, options or [], default=list(value), key=key, help=ctl.help,
                            disabled=disabled, **kw)
    else:
        raise ValueError(f"control {ctl.key!r}: widget {ctl.widget!r} is drawn by the page")
    return ctl.from_widget(out)
