"""The numeric core: the Caliendo–Parro (2015) equilibrium in changes, in numpy only.

This package imports numpy and nothing else from outside the standard library (a test checks
that importing it loads no simpy, streamlit or pandas).
"""

from sim.model.baseline_cache import baseline_preconditioner, solved_baseline
from sim.model.economy import Economy, EconomyError
from sim.model.metrics import REGION_METRICS, compare
from sim.model.solver import (
    CLOSURES,
    Equilibrium,
    ModelInputError,
    Preconditioner,
    SolverError,
    preconditioner,
    solve,
    solve_preconditioned,
)

__all__ = [
    "CLOSURES",
    "REGION_METRICS",
    "Economy",
    "EconomyError",
    "Equilibrium",
    "ModelInputError",
    "Preconditioner",
    "SolverError",
    "baseline_preconditioner",
    "compare",
    "preconditioner",
    "solve",
    "solve_preconditioned",
    "solved_baseline",
]
