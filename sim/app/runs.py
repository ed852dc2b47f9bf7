"""Scenario runs for the app, keyed on plain values so they can be cached (no Streamlit).

A run is identified by the compiled scenario's content hash (the validated ``ScenarioSpec``,
extends resolved, and its calibration's; :mod:`sim.scenario.compile`) and the run settings:
baseline, elasticity set and scale, adjustment speed λ, reporting grid. One
:class:`RunSettings` is used for every side of a comparison, so a difference between two
scenarios is never a difference of settings. A library scenario is compiled once per process
(:func:`library_scenario`, its file kept for messages); :func:`run_tables` takes the compiled
scenario and the settings and returns the tidy path, the event log and run facts;
:mod:`sim.app.state` wraps it in ``st.cache_data`` keyed on the content hash.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from sim.scenario.compile import CompiledScenario, compile_scenario
from sim.scenario.loader import LIBRARY, Scenario, load_scenario
from sim.scenario.models import ScenarioSpec

__all__ = ["APP_REPORTING", "THETAS", "RunSettings", "compiled", "library_scenario",
           "load_app_baseline", "run_tables", "spec_json"]

#: the reporting grid of every page by default (Compare, Build): one scenario, one set of numbers.
#: Annual keeps a Build step near a second (a quarterly run takes about twice as long); the
#: differences to quarterly and monthly are small and listed in docs/app.md.
APP_REPORTING = "annual"

#: elasticity choices: key -> (``load_baseline`` theta argument, label)
THETAS: dict[str, tuple[str | None, str]] = {
    "calibrated": (None, "calibrated by sector (Caliendo–Parro 2015 based, sectors.csv)"),
    "uniform4": ("uniform4", "θ = 4 in every sector (Simonovska & Waugh 2014)"),
    "uniform5": ("uniform5", "θ = 5 in every sector (Head & Mayer 2014)"),
}


@dataclass(frozen=True)
class RunSettings:
    """Run settings outside the scenario file."""

    baseline: str = "icio2022"
    theta: str = "calibrated"
    theta_scale: float = 1.0
    reporting: str = APP_REPORTING
    adjustment_speed: float = 0.3

    def __post_init__(self) -> None:
        if not 0 < self.adjustment_speed <= 1:
            raise ValueError(f"adjustment speed must be in (0, 1], got {self.adjustment_speed}")

    def label(self) -> str:
        """One line for captions and file headers."""
        s = f"baseline {self.baseline}, θ {self.theta}"
        if self.theta_scale != 1.0:
            s += f" × {self.theta_scale:g}"
        return s + f", λ {self.adjustment_speed:g}/yr, {self.reporting} reporting"

    def cli(self, file: str = "SCENARIO.toml", reference: str = "historical") -> str:
        """The ``tradesim run`` command closest to these settings."""
        theta = THETAS[self.theta][0]
        extra = f" --theta {theta}" if theta else ""
        if self.theta_scale != 1.0:
            extra += f" --theta-scale {self.theta_scale:g}"
        return (f"tradesim run {file} --reference {reference} --baseline {self.baseline} "
                f"--reporting {self.reporting} --adjustment-speed {self.adjustment_speed:g}"
                f"{extra} --out results/")


@lru_cache(maxsize=8)
def load_app_baseline(name: str, theta: str = "calibrated", scale: float = 1.0) -> Any:
    """A shipped baseline with the chosen elasticities (scaled by ``scale``)."""
    from sim.run import baseline_with_theta

    return baseline_with_theta(name, THETAS[theta][0], scale)


_COMPILING: set[str] = set()


def _library_calibration(spec: ScenarioSpec) -> list[CompiledScenario]:
    """The library scenario ``spec`` is calibrated to, compiled once (none for ``self``, a name
    outside the library or a calibration cycle): passed as ``known`` so that it is not read
    again."""
    cal = spec.calibrated_to
    if cal in ("self", spec.name) or cal in _COMPILING or not (LIBRARY / f"{cal}.toml").is_file():
        return []
    _COMPILING.add(spec.name)
    try:
        return [library_scenario(cal)]
    finally:
        _COMPILING.discard(spec.name)


@lru_cache(maxsize=64)
def library_scenario(name: str) -> CompiledScenario:
    """A library scenario compiled once per process (file, extends chain and calibration
    resolved; a library calibration is the same compiled object the app runs)."""
    scn = load_scenario(name)
    return compile_scenario(scn, known=_library_calibration(scn.spec))


def compiled(scenario: str | Scenario | CompiledScenario) -> CompiledScenario:
    """A scenario compiled: a library name, canonical JSON (:func:`spec_json`), a validated
    :class:`Scenario` or an already compiled one (returned as it is)."""
    if isinstance(scenario, CompiledScenario):
        return scenario
    if isinstance(scenario, str) and not scenario.lstrip().startswith("{"):
        return library_scenario(scenario)
    if isinstance(scenario, str):
        scenario = Scenario(ScenarioSpec.model_validate_json(scenario), None)
    return compile_scenario(scenario, known=_library_calibration(scenario.spec))


def spec_json(scenario: str | Scenario) -> str:
    """Canonical JSON of a library scenario (by name) or of a validated scenario."""
    if isinstance(scenario, Scenario):
        return scenario.spec.model_dump_json()
    return library_scenario(scenario).spec.model_dump_json()


def run_tables(scenario: str | Scenario | CompiledScenario, settings: RunSettings,
               baseline: Any = None, detail: str = "full",
               channels: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Run a scenario (compiled, or anything :func:`compiled` takes); returns ``path``,
    ``log``, ``seconds``, ``solves``, ``notes``, ``name``, ``title``. ``channels``: the
    agreement channels on (default as the file says; ``()`` = tariffs only)."""
    from sim.run import run_scenario

    t0 = time.perf_counter()
    comp = compiled(scenario)
    bl = baseline if baseline is not None else load_app_baseline(
        settings.baseline, settings.theta, settings.theta_scale)
    run = run_scenario(comp, bl, reporting=settings.reporting,
                       adjustment_speed=settings.adjustment_speed, detail=detail,
                       channels=channels)
    log = run.log.copy()
    log["date"] = pd.to_datetime(log["date"])
    return {"path": run.path, "log": log, "seconds": time.perf_counter() - t0,
            "solves": run.solves, "notes": list(run.notes), "name": comp.name,
            "title": comp.spec.title}
