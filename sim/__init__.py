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

import sys
import types
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
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """``sim.counterfactual`` is the function: importing the submodule of the same name (which
    binds it as an attribute of the package) must not replace it. Import the module itself
    with ``from sim.counterfactual import ...`` or ``sys.modules["sim.counterfactual"]``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
