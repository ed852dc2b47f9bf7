"""The Build page's control table: ``build_toggles.toml`` read into frozen :class:`Control` rows.

The table is data (shipped in the package next to this module): for every control its key
(a :class:`~sim.app.builder.BuildChoices` field), widget, label, help, default and range, the
action that turns it into scenario-file edits, the library entries that action reads or
changes, and the source of the fact behind it. It is TOML rather than a Python constant so that
it reads like the scenario library it points into (same dates, same names, a source on every
row) and can be reviewed by someone who does not read Python; it is read once and checked here
(unknown or missing fields are an error naming the file, the control and the field).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = ["TABLE_FILE", "WIDGETS", "Control", "control", "controls", "defaults"]

TABLE_FILE = "build_toggles.toml"
WIDGETS = ("toggle", "slider", "date_slider", "select", "radio", "multiselect",
           "partner_rates", "channel_switches")
_COMMON = {"key", "widget", "widget_key", "tab", "label", "help", "default", "min", "max",
           "step", "unit", "options", "option_labels", "action", "part_of", "source",
           "agreements", "events", "on", "off", "on_reason", "off_reason", "enabled_if",
           "disabled_if"}
_REQUIRED = ("key", "widget", "widget_key", "tab", "label", "default", "source")


@dataclass(frozen=True)
class Control:
    """One row of the table (see the header of ``build_toggles.toml`` for each field)."""

    key: str
    widget: str
    widget_key: str
    tab: str
    label: str
    default: Any
    source: str
    help: str | None = None
    min: Any = None
    max: Any = None
    step: Any = None
    unit: str = ""
    options: tuple[str, ...] = ()
    option_labels: tuple[str, ...] = ()
    action: str = ""
    part_of: str = ""
    agreements: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    on: str = ""
    off: str = ""
    on_reason: str = ""
    off_reason: str = ""
    enabled_if: Mapping[str, Any] = field(default_factory=dict)
    disabled_if: Mapping[str, Any] = field(default_factory=dict)
    #: the action's own parameters (names in build_actions.py)
    params: Mapping[str, Any] = field(default_factory=dict)

    def enabled(self, values: Mapping[str, Any]) -> bool:
        """Whether the widget is enabled given the other controls' ``values`` (model units)."""
        def same(k: str, want: Any) -> bool:
            v = values[k]
            return list(v) == list(want) if isinstance(want, list) else v == want

        return (all(same(k, w) for k, w in self.enabled_if.items())
                and not any(same(k, w) for k, w in self.disabled_if.items()))

    def widget_name(self, prefix: str, **fmt: Any) -> str:
        """The Streamlit key (``prefix`` is ``bld_<base>_``; ``fmt`` fills the placeholders)."""
        return prefix + self.widget_key.format(**fmt)

    @property
    def scale(self) -> float:
        """Widget value per model value (100 for a "%" control)."""
        return 100.0 if self.unit == "%" else 1.0

    def to_widget(self, value: Any) -> Any:
        """The widget's value for a model value (a fraction shown in %)."""
        if isinstance(value, tuple | list):
            return list(value)
        if self.unit == "%":
            return round(100 * float(value), 4)
        return value

    def from_widget(self, value: Any) -> Any:
        """The model value for a widget value."""
        if isinstance(value, list | tuple):
            return tuple(value)
        if self.unit == "%":
            return float(value) / 100
        return value

    def slider_args(self, value: Any) -> tuple[Any, Any, Any, Any]:
        """``(min, max, value, step)`` in the widget's unit for ``st.slider``."""
        return self.min, self.max, self.to_widget(value), self.step

    def format_option(self, option: str) -> str:
        """The label of a select/radio option."""
        if self.option_labels:
            return dict(zip(self.options, self.option_labels, strict=True))[option]
        return option


def _fail(msg: str) -> None:
    raise ValueError(f"sim/app/{TABLE_FILE}: {msg}")


def _row(i: int, raw: Mapping[str, Any]) -> Control:
    where = f"control[{i}] ({raw.get('key', '?')})"
    for k in _REQUIRED:
        if k not in raw:
            _fail(f"{where}: field {k!r} is missing")
    if raw["widget"] not in WIDGETS:
        _fail(f"{where}: widget = {raw['widget']!r} is not one of {', '.join(WIDGETS)}")
    if not raw.get("action") and not raw.get("part_of"):
        _fail(f"{where}: give an action or part_of")
    if raw.get("unit", "") not in ("", "%"):
        _fail(f"{where}: unit = {raw['unit']!r}: use \"%\" or leave it out")
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items() if k in _COMMON}
    for k in ("enabled_if", "disabled_if"):
        if k in kw:
            kw[k] = MappingProxyType(dict(kw[k]))
    if isinstance(raw["default"], list):
        kw["default"] = tuple(raw["default"])
    params = {k: v for k, v in raw.items() if k not in _COMMON}
    return Control(**kw, params=MappingProxyType(params))


@cache
def controls() -> tuple[Control, ...]:
    """Every control, in the order ``scenario_dict`` applies them."""
    text = resources.files("sim.app").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    try:
        rows = tomllib.loads(text).get("control", [])
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"sim/app/{TABLE_FILE}: not valid TOML: {exc}") from None
    out = tuple(_row(i, r) for i, r in enumerate(rows))
    keys = [c.key for c in out]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        _fail(f"key {dup[0]!r} is declared twice")
    for c in out:
        if c.part_of and c.part_of not in keys:
            _fail(f"control {c.key!r}: part_of = {c.part_of!r} is not a control")
    return out


def control(key: str) -> Control:
    """The control of BuildChoices field ``key``."""
    for c in controls():
        if c.key == key:
            return c
    raise KeyError(f"{key!r} is not a control of sim/app/{TABLE_FILE}")


def defaults() -> dict[str, Any]:
    """``{key: default}`` of every control (TOML dates are :class:`datetime.date`)."""
    return {c.key: c.default for c in controls()}

