"""Split a scenario's effect by agreement channel: tariffs, goods non-tariff, services, total.

Each side (the scenario and its reference) is run three times on its own timeline with the
channels switched on in a fixed **sequential order** (docs/channels.md):

1. ``tariffs``: every agreement trade-cost channel off (``channels=()``);
2. ``+ goods_nontariff``: the goods non-tariff cuts on as well;
3. ``+ services``: everything on (the total).

Unilateral measures (Section 232, the 2025 tariffs, retaliation, safeguards) are on in every
run. For a metric ``v`` (against the reference when there is one, else against the solved
baseline) the parts are ``tariffs = v1``, ``goods_nontariff = v2 - v1``, ``services = v3 - v2``
and ``total = v3``: they add up to the total exactly. The order matters a little (the
equilibrium is not linear in the shocks); a Shapley average would need 4 runs per side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.policy.channels import CHANNELS
from sim.run import ScenarioRun, against_reference, resolve_baseline, run_scenario
from sim.scenario.compile import compile_scenario

__all__ = ["PARTS", "STEPS", "ChannelDecomposition", "channel_table", "decompose",
           "reference_steps"]

#: the parts of the decomposition, in order, then the total
PARTS = ("tariffs", *CHANNELS, "total")
#: channels switched on at each of the three runs per side
STEPS: tuple[tuple[str, ...], ...] = ((), CHANNELS[:1], CHANNELS)
KEYS = ["date", "region", "partner", "sector", "metric"]


@dataclass
class ChannelDecomposition:
    """Three runs per side and the tidy table with a ``channel`` column."""

    scenario: str
    reference: str | None
    runs: list[ScenarioRun]            # the scenario at each step
    reference_runs: list[ScenarioRun]  # the reference at each step (empty without one)
    path: pd.DataFrame                 # tidy: scenario, reference, channel, KEYS, value, unit

    def value(self, metric: str, region: str, year: int, channel: str = "total") -> float:
        """Mean over the year's periods of one region total (partner and sector ``all``)."""
        p = self.path
        sel = ((p.metric == metric) & (p.region == region) & (p.partner == "all")
               & (p.sector == "all") & (p.channel == channel)
               & (pd.to_datetime(p.date).dt.year == year))
        return float(p.loc[sel, "value"].mean())


def _levels(run: ScenarioRun, ref: ScenarioRun | None) -> pd.DataFrame:
    if ref is not None:
        return against_reference(run, ref)
    p = run.path.copy()
    p.insert(1, "reference", "baseline")
    return p[["scenario", "reference", *KEYS, "value", "unit"]]


def reference_steps(reference: Any, baseline: Any = None, **run_kw: Any) -> list[ScenarioRun]:
    """The reference at the three steps (reuse them for several scenarios); a list of three
    runs is returned as it is."""
    if isinstance(reference, list | tuple) and len(reference) == len(STEPS):
        return list(reference)
    if isinstance(reference, ScenarioRun):
        reference = reference.compiled or reference.scenario
    reference = compile_scenario(reference)  # once for the three runs
    bl = resolve_baseline(baseline)
    return [run_scenario(reference, bl, channels=c, **run_kw) for c in STEPS]


def decompose(scenario: Any, reference: Any = None, baseline: Any = None,
              **run_kw: Any) -> ChannelDecomposition:
    """Run ``scenario`` (and ``reference``: a scenario, or its three step runs from
    :func:`reference_steps`) with the channels added one by one and return the parts by
    channel (see the module docstring). ``run_kw`` goes to :func:`sim.run.run_scenario`
    (``reporting``, ``adjustment_speed``, ``detail``, ...)."""
    bl = resolve_baseline(baseline)  # one baseline object for all six runs
    if isinstance(reference, list | tuple):      # the reference's step runs, done already
        known = [r.compiled for r in reference[-1:] if r.compiled is not None]
    elif reference is not None:                  # compiled once, before anything is solved
        if isinstance(reference, ScenarioRun):
            reference = reference.compiled or reference.scenario
        reference = compile_scenario(reference)
        known = [reference]
    else:
        known = []
    scenario = compile_scenario(scenario, known=known)
    runs = [run_scenario(scenario, bl, channels=c, **run_kw) for c in STEPS]
    refs = reference_steps(reference, bl, **run_kw) if reference is not None else []
    levels = [_levels(r, refs[k] if refs else None) for k, r in enumerate(runs)]
    base = levels[0][["scenario", "reference", *KEYS, "unit"]].reset_index(drop=True)
    vals = [lv.set_index(KEYS)["value"] for lv in levels]
    aligned = [v.reindex(vals[0].index).to_numpy() for v in vals]
    parts = {"tariffs": aligned[0], "goods_nontariff": aligned[1] - aligned[0],
             "services": aligned[2] - aligned[1], "total": aligned[2]}
    frames = []
    for name in PARTS:
        f = base.copy()
        f.insert(2, "channel", name)
        f["value"] = parts[name]
        frames.append(f)
    path = pd.concat(frames, ignore_index=True)
    path["channel"] = pd.Categorical(path["channel"], categories=list(PARTS))
    return ChannelDecomposition(runs[-1].name, refs[-1].name if refs else None, runs, refs,
                                path)


def channel_table(dec: ChannelDecomposition, year: int,
                  metrics: tuple[str, ...] = ("welfare_pct",),
                  regions: tuple[str, ...] = ("USA", "JPN")) -> pd.DataFrame:
    """One row per (region, metric), one column per part: the year's mean."""
    rows = []
    for region in regions:
        for m in metrics:
            row: dict[str, Any] = {"region": region, "metric": m}
            for part in PARTS:
                row[part] = dec.value(m, region, year, part)
            rows.append(row)
    return pd.DataFrame(rows)
