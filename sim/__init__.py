"""tradesim: a policy scenario simulator for US–Japan trade.

Public API (imported lazily, so ``import sim.model`` stays numpy-only)::

    import sim
    baseline = sim.load_baseline("icio2022")          # or a directory
    result = sim.counterfactual(baseline, "shock.csv", closure="fixed")
    result.regions, result.flows, result.sectors      # tidy pandas tables
    run = sim.run_scenario("scenarios/tpp12.toml")      # dated policy path on the timeline
    run.path, run.log                                   # tidy outcomes and the event log
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_baseline": "sim.data.baseline",
    "available_baselines": "sim.data.baseline",
    "Baseline": "sim.data.baseline",
    "read_shock": "sim.data.shock",
    "counterfactual": "sim.counterfactual",
    "CounterfactualResult": "sim.counterfactual",
    "run_scenario": "sim.run",
    "ScenarioRun": "sim.run",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(import_module(module), name)
