"""Batch runs: parameter sweeps and Monte Carlo plans, executors (serial, process, Dask) and
the Parquet/DuckDB results store (docs/batch.md). Imports no streamlit."""

from sim.batch.executors import EXECUTORS, SerialExecutor, executor
from sim.batch.plan import BatchError, Plan, RunSpec, mc_plan, parse_param, sweep_plan
from sim.batch.runner import BatchFailed, BatchReport, StoreBusy, run_plan
from sim.batch.store import ResultsStore, StoreError
from sim.batch.theta import ThetaDistribution, theta_distribution, theta_draws

__all__ = [
    "EXECUTORS",
    "BatchError",
    "BatchFailed",
    "BatchReport",
    "Plan",
    "ResultsStore",
    "RunSpec",
    "SerialExecutor",
    "StoreBusy",
    "StoreError",
    "ThetaDistribution",
    "executor",
    "mc_plan",
    "parse_param",
    "run_plan",
    "sweep_plan",
    "theta_distribution",
    "theta_draws",
]
