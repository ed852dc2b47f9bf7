"""What a timeline run returns: solved reporting periods and the event log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from sim.policy.model import Measure

__all__ = ["Period", "TimelineResult"]


@dataclass
class Period:
    """One solved reporting period ``[start, end)``."""

    start: date
    end: date
    tariffs: np.ndarray
    equilibrium: Any
    metrics: dict[str, np.ndarray]
    shifter_gap: float  # max |b - 1|: how far sourcing is from the static equilibrium
    #: ln κ~ − ln κ̂ [i, n, j] (None = settled): the shifter is b = exp(−θ · log_gap), so a
    #: batch of θ draws can reuse the policy path (sim.batch)
    log_gap: np.ndarray | None = None
    #: the period's mean trade-cost factor d̂ [i, n, j] of agreement channels (None = 1)
    cost_factor: np.ndarray | None = None


@dataclass
class TimelineResult:
    periods: list[Period]
    log: list[dict]
    base: Any
    #: measures added during the run (safeguards, TRQs, counter-tariffs), an ended
    #: counter-tariff with its last day set
    dynamic_measures: list[Measure] = field(default_factory=list)
    solves: int = 0
