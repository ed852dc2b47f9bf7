"""Timeline layer (owns SimPy): policy processes own the policy state; safeguards and TRQs are
event-driven quota counters; retaliation; the economy process with gradual adjustment."""

from sim.timeline.economy import period_speed
from sim.timeline.result import Period, TimelineResult
from sim.timeline.rules import GrowthTest, RetaliationRule, SafeguardRule, VolumeTest
from sim.timeline.simulation import END_OF_INSTANT, Timeline

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
