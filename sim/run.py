"""Run a scenario on a baseline: ``run_scenario(...) -> ScenarioRun`` (path + event log).

The scenario is compiled once at entry (:func:`sim.scenario.compile.compile_scenario`: spec,
policy, rules and the calibration's policy in one frozen object); everything here takes that
object and compiles nothing again.

The path is one tidy table with the columns ``scenario, date, region, partner, sector, metric,
value, unit`` (``partner``/``sector`` = ``"all"`` for region totals). Every outcome is measured
against the model's own solved baseline (same closure, baseline tariffs); a reference scenario
gives a second table of differences (``against_reference``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.policy.channels import CHANNELS, TradeCostModel, realize_channels
from sim.policy.dates import reporting_grid
from sim.policy.tariffs import TariffModel
from sim.results import COLUMNS, difference_table, tidy_path
from sim.scenario.compile import CompiledScenario, compile_scenario
from sim.scenario.loader import Scenario, ScenarioError, load_scenario
from sim.timeline.simulation import Timeline, TimelineResult

__all__ = ["COLUMNS", "DEFAULT_BASELINE", "ScenarioRun", "against_reference",
           "baseline_with_theta", "build_trade_cost_model", "policy_timeline",
           "resolve_base_date", "resolve_baseline", "run_scenario", "write_parquet"]

DEFAULT_BASELINE = "icio2022"


@dataclass
class ScenarioRun:
    """A scenario's path (tidy DataFrame), event log and run diagnostics."""

    name: str
    path: pd.DataFrame
    log: pd.DataFrame
    scenario: Scenario
    notes: list[str] = field(default_factory=list)
    solves: int = 0
    seconds: float = 0.0
    reference: ScenarioRun | None = None
    timeline: TimelineResult | None = field(default=None, repr=False)
    #: the compiled scenario the run used (policy, rules, calibration; its content hash)
    compiled: CompiledScenario | None = field(default=None, repr=False)

    def metric(self, metric: str, region: str | None = None, partner: str = "all",
               sector: str = "all") -> pd.Series:
        """One metric's time series (indexed by date)."""
        p = self.path
        sel = (p.metric == metric) & (p.partner == partner) & (p.sector == sector)
        if region is not None:
            sel &= p.region == region
        return p.loc[sel].set_index("date")["value"]


def _unit_usd(unit: str) -> float:
    u = unit.lower()
    if "billion" in u:
        return 1e9
    if "thousand" in u:
        return 1e3
    return 1e6


def resolve_baseline(baseline: Any):
    """A ``Baseline`` from a baseline object, name or directory (default ``icio2022``)."""
    return _baseline(baseline)


def _baseline(baseline: Any):
    from sim.data.baseline import Baseline, load_baseline

    if isinstance(baseline, Baseline):
        return baseline
    return load_baseline(DEFAULT_BASELINE if baseline is None else baseline)


def baseline_with_theta(name: Any = None, theta: str | float | None = None,
                        scale: float = 1.0):
    """A baseline (name or directory, default ``icio2022``) with elasticities ``theta`` (a
    ``sectors.csv`` variant or one number; ``None`` = calibrated) multiplied by ``scale``."""
    import dataclasses

    from sim.data.baseline import load_baseline

    if not scale > 0:
        raise ValueError(f"θ scale must be positive, got {scale!r}")
    bl = load_baseline(DEFAULT_BASELINE if name is None else name, theta=theta)
    if scale != 1.0:
        bl = dataclasses.replace(bl, economy=bl.economy.with_theta(bl.economy.theta * scale))
    return bl


def resolve_base_date(spec, bl) -> date:
    """The base date ``B`` of a scenario on a baseline (the file's, the baseline's, else
    1 July of the baseline year)."""
    return _base_date(spec, bl)


def _base_date(spec, bl) -> date:
    if spec.base_date is not None:
        return spec.base_date
    if bl.metadata.get("base_date"):
        return date.fromisoformat(str(bl.metadata["base_date"]))
    return date(int(bl.year or 2022), 7, 1)


def build_tariff_model(scn: CompiledScenario | Scenario, bl, *, base_date: date | None = None,
                       retroactive: bool | None = None, calibration: Any = None) -> TariffModel:
    """The scenario's compiled policy on a baseline (anchored to its calibration scenario).

    ``scn``: a :class:`CompiledScenario` (used as it is), or a :class:`Scenario` compiled
    here; ``calibration``: then the calibration scenario when it is not to be looked up by name.
    """
    comp = compile_scenario(scn, calibration=calibration)
    spec = comp.spec
    policy, notes = _held_policy(comp.scenario, comp.policy, bl)
    e = bl.economy
    tm = TariffModel(policy, regions=bl.regions, sectors=bl.sectors,
                     base_tariffs=e.tariffs, flows=e.flows,
                     base_date=base_date or _base_date(spec, bl), calibration=comp.calibration,
                     unit_usd=_unit_usd(bl.unit),
                     retroactive=(spec.settings.retroactive == "final"
                                  if retroactive is None else retroactive))
    tm.notes.extend(notes)
    return tm


def build_trade_cost_model(tm: TariffModel, bl, *, channels: Any = None,
                           draw: tuple[dict, dict] | None = None) -> TradeCostModel | None:
    """The dated trade-cost factors of the agreement channels of a compiled policy (the tariff
    model's scenario and calibration policies, same base date), or None when no agreement in
    either has a channel switched on.

    ``channels``: the channels on (default :data:`CHANNELS`, as the files say); ``draw``:
    ``(z, u)`` standard-normal and uniform draws by parameter kind (the Monte Carlo).
    """
    chans = CHANNELS if channels is None else tuple(channels)
    pol, cal = tm.policy, tm.calibration
    if draw is not None:
        pol, cal = realize_channels(pol, *draw), realize_channels(cal, *draw)
    model = TradeCostModel(pol, regions=bl.regions, sectors=bl.sectors,
                           theta=bl.economy.theta, base_date=tm.base_date,
                           calibration=None if cal is tm.policy else cal, channels=chans)
    return model if model.active else None


def _held_policy(scn: Scenario, policy, bl):
    """Refuse events on regions the baseline does not hold, or map them to ROW when the file
    says so (``[settings] unheld_regions = "row"``)."""
    from sim.scenario.loader import ScenarioError
    from sim.scenario.regions import map_to_rest_of_world, unheld_region_errors

    where = scn.path.name if scn.path is not None else scn.spec.name
    errors = unheld_region_errors(scn.spec, bl.regions, getattr(bl, "name", "baseline"), where)
    if errors:
        raise ScenarioError(errors)
    if scn.spec.settings.unheld_regions == "row":
        return map_to_rest_of_world(policy, bl.regions)
    return policy, []


def policy_timeline(comp: CompiledScenario, bl, tm: TariffModel, grid: list[date], *,
                    closure: str, adjustment_speed: float,
                    trade_costs: TradeCostModel | None, policy_only: bool = False) -> Timeline:
    """The one policy path of a compiled scenario on a baseline, shared by :func:`run_scenario`
    and the batch engine: the SimPy timeline of ``comp``'s policy (tariff model ``tm``,
    safeguards, retaliations, agreement trade costs ``trade_costs``) over ``grid``, each period
    solved with :func:`sim.model.solve_preconditioned` (the chord preconditioner at the solved
    baseline of ``closure``: the same equilibrium as :func:`sim.model.solve` to its tolerance,
    in about a quarter of the iterations) and measured against that solved baseline.
    ``policy_only``: the batch engine's path (tariffs and sourcing gaps; no metrics)."""
    import functools

    from sim.model import baseline_preconditioner, compare, solve_preconditioned, solved_baseline

    solver = functools.partial(solve_preconditioned,
                               precondition=baseline_preconditioner(bl.economy, closure))
    return Timeline(tm, bl.economy, grid, solver=solver, compare=compare,
                    safeguards=comp.safeguards, retaliations=comp.retaliations,
                    adjustment_speed=adjustment_speed, closure=closure,
                    base=solved_baseline(bl.economy, closure), name=comp.spec.name,
                    trade_costs=trade_costs, policy_only=policy_only)


def _check_overrides(adjustment_speed: Any, reporting: Any, start: Any, end: Any,
                     closure: Any, detail: Any) -> None:
    """Refuse overrides of the wrong type or range (:class:`ScenarioError`)."""
    from sim.model import CLOSURES

    bad = []
    if adjustment_speed is not None and (isinstance(adjustment_speed, bool) or not isinstance(
            adjustment_speed, int | float) or not 0 < adjustment_speed <= 1):
        bad.append(f"adjustment_speed must be a number in (0, 1], got {adjustment_speed!r}")
    if reporting is not None and reporting not in ("monthly", "quarterly", "annual"):
        bad.append(f"reporting must be monthly, quarterly or annual, got {reporting!r}")
    for label, d in (("start", start), ("end", end)):
        if d is not None and (not isinstance(d, date) or isinstance(d, datetime)):
            bad.append(f"{label} must be a datetime.date, got {type(d).__name__}")
    if closure is not None and closure not in CLOSURES:
        bad.append(f"closure must be one of {', '.join(CLOSURES)}, got {closure!r}")
    if detail not in ("full", "summary"):
        bad.append(f"detail must be 'full' or 'summary', got {detail!r}")
    if bad:
        raise ScenarioError(bad)


def run_scenario(scenario_or_path: Any, baseline: Any = None, reference: Any = None, *,
                 adjustment_speed: float | None = None, reporting: str | None = None,
                 start: date | None = None, end: date | None = None,
                 closure: str | None = None, detail: str = "full",
                 channels: Any = None) -> ScenarioRun:
    """Run one scenario over its dates and return its path and event log.

    Parameters
    ----------
    scenario_or_path : a :class:`CompiledScenario`, a :class:`Scenario`, a path to a TOML
        file, a library name or a dict (compiled once here).
    baseline : a ``Baseline``, a baseline name or directory (default ``icio2022``).
    reference : another scenario (same forms, or a finished ``ScenarioRun``) run with the same
        settings; ``against_reference(run, run.reference)`` gives the differences. When it is
        the scenario's calibration (same file), it is compiled once for both.
    adjustment_speed, reporting, start, end, closure : override the scenario's settings.
    detail : ``"full"`` (bilateral imports and tariffs by sector too) or ``"summary"``.
    channels : the agreement trade-cost channels switched on, a subset of
        ``("goods_nontariff", "services")`` (default: both, as the files say; ``()`` = tariffs
        only; default the file's ``[settings] channels``); see :func:`sim.channels.decompose`
        for the split by channel.
    """

    t_start = time.perf_counter()
    _check_overrides(adjustment_speed, reporting, start, end, closure, detail)
    if not isinstance(scenario_or_path, CompiledScenario | Scenario | str | Path | dict):
        raise ScenarioError([f"scenario must be a Scenario, a path, a library name or a dict, "
                             f"got {type(scenario_or_path).__name__}"])
    comp, ref = _compile_pair(scenario_or_path, reference)
    spec = comp.spec
    bl = _baseline(baseline)
    tm = build_tariff_model(comp, bl)
    chans = _check_channels(channels)
    tc = build_trade_cost_model(tm, bl, channels=spec.settings.channels if chans is None
                                else chans)
    s = spec.settings
    grid = reporting_grid(start or spec.start, end or spec.end, reporting or s.reporting)
    tl = policy_timeline(comp, bl, tm, grid, closure=closure or s.closure,
                         adjustment_speed=s.adjustment_speed if adjustment_speed is None
                         else adjustment_speed, trade_costs=tc)
    res = tl.run()
    path = tidy_path(spec.name, res, bl, tm, detail)
    log = pd.DataFrame(res.log, columns=["date", "actor", "kind", "what", "why", "source"])
    log.insert(0, "scenario", spec.name)
    run = ScenarioRun(spec.name, path, log, comp.scenario, list(tm.notes), res.solves,
                      time.perf_counter() - t_start, None, res, comp)
    if ref is not None:
        run.reference = ref if isinstance(ref, ScenarioRun) else run_scenario(
            ref, bl, None, adjustment_speed=adjustment_speed, reporting=reporting,
            start=start, end=end, closure=closure, detail=detail, channels=channels)
    return run


def _compile_pair(scenario: Any, reference: Any) -> tuple[CompiledScenario, Any]:
    """The scenario and its reference compiled once each (the reference first read, then
    reused as the scenario's calibration when it is the same file); a finished reference run
    is kept as it is."""
    if isinstance(scenario, CompiledScenario):
        comp = scenario
        if reference is None or isinstance(reference, ScenarioRun):
            return comp, reference
        return comp, compile_scenario(reference)
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if reference is None or isinstance(reference, ScenarioRun):
        known = [reference.compiled] if isinstance(reference, ScenarioRun) and (
            reference.compiled is not None) else []
        return compile_scenario(scn, known=known), reference
    ref = compile_scenario(reference)
    return compile_scenario(scn, known=[ref]), ref


def _check_channels(channels: Any) -> tuple[str, ...] | None:
    if channels is None:
        return None
    if isinstance(channels, str):
        channels = (channels,)
    try:
        chans = tuple(channels)
    except TypeError:
        raise ScenarioError([f"channels must be a list of channel names, got "
                             f"{type(channels).__name__}"]) from None
    bad = [c for c in chans if c not in CHANNELS]
    if bad:
        raise ScenarioError([f"channels: unknown channel {bad[0]!r} (known: "
                             f"{', '.join(CHANNELS)})"])
    return chans


def against_reference(run: ScenarioRun, ref: ScenarioRun | None = None) -> pd.DataFrame:
    """Differences of ``run`` against the reference on matching rows
    (:func:`sim.results.difference_table`: by the metric registry's rule, ratios for percent
    changes against the baseline, ``a − b`` for levels and rates; the unit column says which).
    """
    ref = ref or run.reference
    if ref is None:
        raise ValueError("no reference run")
    return difference_table(run.path, ref.path, ref.name)


def write_parquet(run: ScenarioRun, out: Path | str) -> list[Path]:
    """Write ``<name>.parquet``, ``<name>_events.parquet`` and, with a reference,
    ``<name>_vs_<reference>.parquet`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log = run.log.copy()
    log["date"] = pd.to_datetime(log["date"])
    tables = [(out / f"{run.name}.parquet", run.path),
              (out / f"{run.name}_events.parquet", log)]
    if run.reference is not None:
        tables.append((out / f"{run.name}_vs_{run.reference.name}.parquet",
                       against_reference(run)))
    for path, table in tables:     # temporary file + rename: no partial file on a full disk
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            table.to_parquet(tmp, index=False)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return [path for path, _ in tables]
