"""Streamlit glue: cached baseline and runs, the user's own scenarios, shared widgets.

``st.cache_resource`` holds the loaded baselines (one object per baseline and elasticity set);
``st.cache_data`` holds runs keyed on the compiled scenario's content hash and the run settings.
A scenario is compiled once (library scenarios once per process, a user's scenario when it is
kept) and the run receives the compiled object, file path included.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import streamlit as st

from sim.app.builder import library_names
from sim.app.runs import (
    APP_REPORTING,
    THETAS,
    RunSettings,
    compiled,
    library_scenario,
    load_app_baseline,
    run_tables,
    spec_json,
)
from sim.scenario.compile import CompiledScenario

__all__ = ["all_scenarios", "baseline", "cached_run", "compiled_scenario", "csv_bytes",
           "keep_page_state", "parquet_bytes", "run", "run_pair", "run_settings", "scenario_json",
           "scenario_text", "user_scenarios"]

USER_KEY = "tradesim_user_scenarios"
LAMBDA_HELP = ("Share of the gap between perceived and actual delivered costs closed per year; "
               "1 = static equilibrium every period. Default 0.3 (Boehm, Levchenko & "
               "Pandalai-Nayar 2023). Applies to every scenario of the comparison alike.")


@st.cache_resource(show_spinner=False)
def baseline(name: str, theta: str = "calibrated", scale: float = 1.0) -> Any:
    """The baseline (shared by every session, never copied)."""
    return load_app_baseline(name, theta, scale)


@st.cache_data(show_spinner=False, max_entries=64,
               hash_funcs={CompiledScenario: lambda c: c.content_hash})
def cached_run(spec: CompiledScenario | str, settings: RunSettings,
               channels: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A cached run: ``spec`` is a compiled scenario (keyed on its content hash) or canonical
    JSON (keyed on the text; the Build page)."""
    return run_tables(spec, settings, baseline(settings.baseline, settings.theta,
                                               settings.theta_scale),
                      detail="full" if channels is None else "summary", channels=channels)


def run_pair(spec: str, reference: str, settings: RunSettings
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cached runs of a scenario and its reference (canonical JSON) with the same settings
    (the Build page: a run setting such as λ changes both sides, which are then solved one
    after the other; docs/app.md gives the timings)."""
    return cached_run(spec, settings), cached_run(reference, settings)


def run(name: str, settings: RunSettings, channels: tuple[str, ...] | None = None
        ) -> dict[str, Any]:
    """A run of a library or user scenario by name (cached on its content hash);
    ``channels`` restricts the agreement channels (the channel split; summary detail)."""
    if channels is None:
        return cached_run(compiled_scenario(name), settings)
    return cached_run(compiled_scenario(name), settings, tuple(channels))


def user_scenarios() -> dict[str, dict[str, Any]]:
    """The session's own scenarios: name -> {"toml": text, "json": canonical spec,
    "compiled": the compiled scenario, ...}."""
    return st.session_state.setdefault(USER_KEY, {})


def add_user_scenario(name: str, toml_text: str, spec: str, *, choices: Any = None,
                      title: str = "", scenario: Any = None) -> None:
    """Keep a built or uploaded scenario for this session (never under a library name);
    a built one keeps its Build choices so that it can be reopened for editing. It is compiled
    here, once (from ``scenario``, the validated upload, when given: its file name is kept)."""
    if name in library_names():
        raise ValueError(f"scenario name {name!r} is a library scenario; rename it "
                         "(name = ... in the file)")
    user_scenarios()[name] = {"toml": toml_text, "json": spec, "choices": choices,
                              "title": title,
                              "compiled": compiled(scenario if scenario is not None else spec)}


def compiled_scenario(name: str) -> CompiledScenario:
    """A library or user scenario by name, compiled (once: library names always mean the
    library file)."""
    u = None if name in library_names() else user_scenarios().get(name)
    if not u:
        return library_scenario(name)
    if u.get("compiled") is None:
        u["compiled"] = compiled(u["json"])
    return u["compiled"]


def keep_page_state(prefixes: tuple[str, ...], skip: tuple[str, ...] = ()) -> None:
    """Keep widget values with these key prefixes when the user changes page.

    Streamlit forgets a widget's value when a run does not draw it (another page); writing the
    value back as plain session state before the page runs keeps it. Keys containing any of
    ``skip`` (buttons, uploads, downloads: values that cannot be set) are left alone.
    """
    for key in list(st.session_state):
        if (isinstance(key, str) and key.startswith(prefixes)
                and not any(s in key for s in skip)):
            st.session_state[key] = st.session_state[key]


def all_scenarios() -> list[str]:
    """Library names, then the user's own."""
    return library_names() + [n for n in user_scenarios() if n not in library_names()]


def scenario_json(name: str) -> str:
    """Canonical JSON of a scenario by name (library names always mean the library file)."""
    u = None if name in library_names() else user_scenarios().get(name)
    return u["json"] if u else spec_json(name)


def scenario_text(name: str) -> str:
    """The TOML file of a scenario by name."""
    from sim.scenario.loader import LIBRARY

    u = None if name in library_names() else user_scenarios().get(name)
    if u:
        return u["toml"]
    return (LIBRARY / f"{name}.toml").read_text(encoding="utf-8")


def run_settings(key: str, container: Any = None, *, reporting: str = APP_REPORTING,
                 reportings: tuple[str, ...] = ("annual", "quarterly", "monthly"),
                 adjustment: bool = True) -> RunSettings:
    """Widgets for the run settings (baseline, θ, θ scale, λ, reporting grid); one object for
    every scenario of a comparison. ``adjustment=False``: no λ slider here (the page has its
    own and replaces the value)."""
    c = container if container is not None else st
    bl = c.radio("Baseline", ["icio2022", "wiod2014"], key=f"{key}_baseline", horizontal=True,
                 help="icio2022: 16 regions x 7 sectors from OECD ICIO 2022 (default); "
                      "wiod2014: 9 regions from WIOD 2016 release (robustness; most TPP "
                      "members are in the rest of the world).")
    th = c.selectbox("Trade elasticities θ", list(THETAS), key=f"{key}_theta",
                     format_func=lambda k: THETAS[k][1])
    sc = c.slider("θ scale", 0.5, 2.0, 1.0, 0.1, key=f"{key}_scale",
                  help="Multiplies every sector's θ (sensitivity).")
    rp = c.radio("Reporting grid", list(reportings), index=list(reportings).index(reporting),
                 key=f"{key}_reporting", horizontal=True,
                 help="The economy is re-solved once per period with the period's day-weighted "
                      "tariffs. The CLI default is monthly; the app uses a coarser grid to stay "
                      "fast (differences are small, see docs/app.md).")
    lam = c.slider("Adjustment speed λ (per year)", 0.05, 1.0, 0.3, 0.05, key=f"{key}_lambda",
                   help=LAMBDA_HELP) if adjustment else 0.3
    return RunSettings(bl, th, float(sc), rp, float(lam))


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV."""
    return df.to_csv(index=False).encode("utf-8")


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """A table as Parquet (categoricals written as strings)."""
    buf = io.BytesIO()
    d = df.copy()
    for c in d.columns:
        if isinstance(d[c].dtype, pd.CategoricalDtype):
            d[c] = d[c].astype(str)
    d.to_parquet(buf, index=False)
    return buf.getvalue()
