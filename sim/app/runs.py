"""Scenario runs for the app, keyed on plain values so they can be cached (no Streamlit).

A run is identified by the canonical scenario JSON (the validated ``ScenarioSpec``, extends
resolved) and the run settings: baseline, elasticity set and scale, adjustment speed λ,
reporting grid. One :class:`RunSettings` is used for every side of a comparison, so a
difference between two scenarios is never a difference of settings. :func:`run_tables` takes
exactly these and returns the tidy path, the
event log and run facts; :mod:`sim.app.state` wraps it in ``st.cache_data``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from sim.scenario.loader import Scenario, load_scenario
from sim.scenario.models import ScenarioSpec

__all__ = ["APP_REPORTING", "THETAS", "RunSettings", "load_app_baseline", "run_tables", "spec_json",
           "warm_helper"]

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


def warm_helper(baseline: str = "icio2022") -> None:
    """Load what a run needs in a fresh process (the modules, the baseline, the calibration
    scenario compiled, the solved baseline) with a one-year run of historical, so that its
    first real run costs what later ones do."""
    from datetime import date

    from sim.run import run_scenario

    run_scenario(load_scenario("historical"), load_app_baseline(baseline),
                 reporting=APP_REPORTING, end=date(2016, 1, 1), detail="full")


@lru_cache(maxsize=64)
def _library_json(name: str) -> str:
    return load_scenario(name).spec.model_dump_json()


def spec_json(scenario: str | Scenario) -> str:
    """Canonical JSON of a library scenario (by name) or of a validated scenario."""
    if isinstance(scenario, Scenario):
        return scenario.spec.model_dump_json()
    return _library_json(scenario)


def run_tables(spec: str, settings: RunSettings, baseline: Any = None,
               detail: str = "full", channels: tuple[str, ...] | None = None
               ) -> dict[str, Any]:
    """Run the scenario given as canonical JSON; returns ``path``, ``log``, ``seconds``,
    ``solves``, ``notes``, ``name``, ``title``. ``channels``: the agreement channels on
    (default as the file says; ``()`` = tariffs only)."""
    from sim.run import run_scenario

    t0 = time.perf_counter()
    sp = ScenarioSpec.model_validate_json(spec)
    bl = baseline if baseline is not None else load_app_baseline(
        settings.baseline, settings.theta, settings.theta_scale)
    run = run_scenario(Scenario(sp, None), bl, reporting=settings.reporting,
                       adjustment_speed=settings.adjustment_speed, detail=detail,
                       channels=channels)
    log = run.log.copy()
    log["date"] = pd.to_datetime(log["date"])
    return {"path": run.path, "log": log, "seconds": time.perf_counter() - t0,
            "solves": run.solves, "notes": list(run.notes), "name": sp.name,
            "title": sp.title}
