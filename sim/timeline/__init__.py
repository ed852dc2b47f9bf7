"""Timeline layer (owns SimPy): policy processes, safeguards, retaliation, gradual adjustment."""

from sim.timeline.rules import GrowthTest, RetaliationRule, SafeguardRule, VolumeTest
from sim.timeline.simulation import END_OF_INSTANT, Period, Timeline, TimelineResult, period_speed

__all__ = [
    "END_OF_INSTANT",
    "GrowthTest",
    "Period",
    "RetaliationRule",
    "SafeguardRule",
    "Timeline",
    "TimelineResult",
    "VolumeTest",
    "period_speed",
]
