"""The numeric core: the Caliendo–Parro (2015) equilibrium in changes, in numpy only.

This package imports numpy and nothing else from outside the standard library (a test checks
that importing it loads no simpy, streamlit or pandas).
"""

from sim.model.baseline_cache import solved_baseline
from sim.model.economy import Economy, EconomyError
from sim.model.metrics import REGION_METRICS, compare
from sim.model.solver import CLOSURES, Equilibrium, ModelInputError, SolverError, solve

__all__ = [
    "CLOSURES",
    "REGION_METRICS",
    "Economy",
    "EconomyError",
    "Equilibrium",
    "ModelInputError",
    "SolverError",
    "compare",
    "solve",
    "solved_baseline",
]
