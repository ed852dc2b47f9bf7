"""Scenario layer: TOML scenario files -> validated objects (pydantic v2) -> policy + rules."""

from sim.scenario.compile import CompiledScenario, compile_scenario
from sim.scenario.loader import LIBRARY, Scenario, ScenarioError, find_scenario, load_scenario
from sim.scenario.models import ScenarioSpec

__all__ = [
    "LIBRARY",
    "CompiledScenario",
    "Scenario",
    "ScenarioError",
    "ScenarioSpec",
    "compile_scenario",
    "find_scenario",
    "load_scenario",
]
