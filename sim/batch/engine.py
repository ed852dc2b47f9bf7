"""Compute one chunk of a plan: policy paths once, then every run's equilibria in one batch.

For each run the policy path (tariffs of every reporting period, and the sourcing gap
``ln κ~ − ln κ̂`` of gradual adjustment) comes from the SimPy timeline, run once per distinct
realised scenario and adjustment speed and cached in the worker process. Volume safeguards and
TRQs read solved flows, so a path with such rules is run with solves at the baseline θ: their
firing dates are those of the central elasticities in every draw (docs/batch.md). Runs that
share a reporting grid and closure are then solved together through the engine's batch axis
(tariffs ``[B, i, n, j]``, θ ``[B, j]``, shifters ``b = exp(−θ · gap)``), period by period,
warm-started from the previous period, and a period whose tariffs and gaps equal the previous
one's is not solved again.
"""

from __future__ import annotations

import itertools
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.plan import Plan, RunSpec
from sim.batch.theta import theta_distribution, theta_draws

__all__ = ["RESULT_COLUMNS", "ChunkResult", "run_chunk"]

RESULT_COLUMNS = ["run_id", "scenario", "reference", "draw", "date", "region", "partner",
                  "sector", "metric", "value", "unit"]
_BASELINES: dict[str, Any] = {}
_SOLVED: dict[tuple, Any] = {}
_PATHS: OrderedDict[tuple, Any] = OrderedDict()
_MAX_PATHS = 48
#: central trade-cost factors (and their sourcing gaps by adjustment speed) of a compiled
#: scenario on a grid: the same for every draw of it, so computed once per worker
_CENTRAL_COSTS: OrderedDict[tuple, Any] = OrderedDict()


@dataclass
class ChunkResult:
    """Rows of one chunk and one record per owned run."""

    index: int
    results: pd.DataFrame
    runs: list[dict]
    seconds: float


@dataclass
class _Path:
    grid: tuple[date, ...]
    tariffs: list[np.ndarray]
    gaps: list[np.ndarray | None]
    outcome: dict
    #: trade-cost factors of agreement channels by period (None = 1; sim.policy.channels)
    costs: list[np.ndarray | None] | None = None


def worker_baseline(name: str):
    """The baseline ``name``, loaded once per worker process."""
    bl = _BASELINES.get(name)
    if bl is None:
        from sim.run import resolve_baseline as load

        bl = _BASELINES[name] = load(name)
    return bl


_COMPILED: OrderedDict[tuple[str, str], Any] = OrderedDict()
_KEYS: dict[int, tuple[dict, str]] = {}


def _content_key(raw: dict) -> str:
    """SHA-256 of a plan dict's canonical JSON, memoised by identity (plan dicts are never
    changed in place: edits and policy draws make copies)."""
    import hashlib
    import json

    hit = _KEYS.get(id(raw))
    if hit is not None and hit[0] is raw:
        return hit[1]
    key = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    if len(_KEYS) > 256:
        _KEYS.clear()
    _KEYS[id(raw)] = (raw, key)
    return key


def _compiled(plan: Plan, raw: dict):
    """A scenario of the plan compiled once per process, with the calibration the plan
    carries (kept per content of both: the draws of a scenario share one compiled object)."""
    from sim.scenario.compile import compile_scenario
    from sim.scenario.loader import load_scenario

    cal_key = _content_key(plan.calibration)
    key = (_content_key(raw), cal_key)
    hit = _COMPILED.get(key)
    if hit is None:
        scn = load_scenario(raw)
        hit = _COMPILED[key] = compile_scenario(
            scn, calibration=plan.calibration.get(scn.spec.calibrated_to))
        while len(_COMPILED) > _MAX_PATHS:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(key)
    return hit


def _realized(plan: Plan, run: RunSpec, draw_policy: bool = True):
    """The run's compiled scenario (edits and policy draws applied) and the policy outcome."""
    from sim.batch.plan import set_path
    from sim.batch.theta import draw_seed
    from sim.scenario.uncertainty import name_key, realize

    raw = plan.scenarios[run.key]
    if run.edits:
        import copy

        raw = copy.deepcopy(raw)
        for p, v in run.edits.items():
            set_path(raw, p, v, f"--param {p}")
    scn = _compiled(plan, raw)
    outcome: dict = {}
    if (draw_policy and plan.kind == "mc" and plan.options.get("policy", True)
            and scn.spec.uncertainty):
        policy_seed = draw_seed(plan.seed, max(plan.draws, run.draw + 1), run.draw).spawn(2)[1]
        state = policy_seed.generate_state(4)

        def rng_for(name: str) -> np.random.Generator:
            return np.random.default_rng([*state.tolist(), name_key(name)])

        raw2, outcome = realize(raw, scn.spec, rng_for)
        scn = _compiled(plan, raw2)
    return scn, outcome


def _path(plan: Plan, run: RunSpec, lam: float | None, realize: bool = True) -> _Path:
    """The policy path of a run: its realised scenario on the SimPy timeline (cached), with the
    trade-cost path of its agreement channels (:func:`_with_channels`)."""

    scn, outcome = _realized(plan, run, realize)
    return _with_channels(plan, run, scn, lam, _policy_path(plan, run, scn, lam, outcome))


def channel_draw(plan: Plan, draw: int) -> tuple[dict[str, float], dict[str, float]] | None:
    """Standard-normal and uniform draws of the agreement-channel parameters for one draw
    (one per parameter kind, the same for every agreement and for a scenario and its
    reference: common random numbers); None outside a Monte Carlo or with
    ``options["channels"] = False``."""
    from sim.batch.theta import draw_seed
    from sim.policy.channels import PARAMETERS
    from sim.scenario.uncertainty import name_key

    if plan.kind != "mc" or not plan.options.get("channels", True):
        return None
    state = draw_seed(plan.seed, max(plan.draws, draw + 1), draw).spawn(2)[1].generate_state(4)
    rng = np.random.default_rng([*state.tolist(), name_key("agreement channels")])
    z, u = rng.standard_normal(len(PARAMETERS)), rng.random(len(PARAMETERS))
    return dict(zip(PARAMETERS, z.tolist(), strict=True)), dict(zip(PARAMETERS, u.tolist(),
                                                                    strict=True))


def _with_channels(plan: Plan, run: RunSpec, scn, lam: float | None, path: _Path) -> _Path:
    """Add the trade-cost factors of the agreement channels (at the run's parameter draw) to a
    policy path. The path's gaps already hold the central channels' sourcing gap (the
    timeline ran with them); gradual adjustment is linear in logs, so a drawn path's gap is
    that gap minus the central recursion on ``ln d̂`` plus the drawn one (docs/channels.md)."""
    from sim.policy.channels import CHANNELS, TradeCostModel, realize_channels
    from sim.run import resolve_base_date

    spec = scn.spec
    policy, cal = scn.policy, scn.calibration
    bl = worker_baseline(plan.baseline)

    def costs(pol, cal_pol) -> list[np.ndarray | None] | None:
        tc = TradeCostModel(pol, regions=bl.regions, sectors=bl.sectors,
                            theta=bl.economy.theta, base_date=resolve_base_date(spec, bl),
                            calibration=cal_pol, channels=CHANNELS if spec.settings.channels
                            is None else spec.settings.channels)
        if not tc.active:
            return None
        out = [tc.average(a, b) for a, b in itertools.pairwise(path.grid)]
        return None if all(c is None for c in out) else out

    speed = spec.settings.adjustment_speed if lam is None else lam
    shape = path.tariffs[0].shape
    key = (plan.baseline, scn.content_hash, path.grid)
    if key not in _CENTRAL_COSTS:
        _CENTRAL_COSTS[key] = (costs(policy, cal), {})
        while len(_CENTRAL_COSTS) > _MAX_PATHS:
            _CENTRAL_COSTS.popitem(last=False)
    central, central_gaps = _CENTRAL_COSTS[key]
    if central is None:
        return path
    draw = channel_draw(plan, run.draw)
    if draw is None:
        return _Path(path.grid, path.tariffs, path.gaps, path.outcome, central)
    drawn = costs(realize_channels(policy, *draw),
                  None if cal is None else realize_channels(cal, *draw))
    if speed not in central_gaps:
        central_gaps[speed] = _cost_gaps(central, path.grid, speed, shape)
    g_c = central_gaps[speed]
    g_d = _cost_gaps(drawn, path.grid, speed, shape)
    gaps: list[np.ndarray | None] = []
    for k, g in enumerate(path.gaps):
        delta = g_d[k] - g_c[k]
        gaps.append(delta if g is None else g + delta)
    return _Path(path.grid, path.tariffs, gaps, path.outcome, drawn)


def _cost_gaps(costs: list[np.ndarray | None] | None, grid: tuple[date, ...], speed: float,
               shape: tuple[int, ...]) -> list[np.ndarray]:
    """``ln κ~ − ln κ̂`` of the recursion of :mod:`sim.timeline` run on ``ln d̂`` alone."""
    from sim.timeline.simulation import period_speed

    logc = [np.zeros(shape) if costs is None or c is None else np.log(c)
            for c in (costs or [None] * (len(grid) - 1))]
    perceived = logc[0]
    out = []
    for k, (a, b) in enumerate(itertools.pairwise(grid)):
        lp = period_speed(speed, (b - a).days)
        perceived = logc[k] if lp >= 1.0 else (1 - lp) * perceived + lp * logc[k]
        out.append(perceived - logc[k])
    return out


def _policy_path(plan: Plan, run: RunSpec, scn, lam: float | None, outcome: dict) -> _Path:
    from sim.policy.dates import reporting_grid
    from sim.run import build_tariff_model, build_trade_cost_model, policy_timeline

    spec = scn.spec
    speed = spec.settings.adjustment_speed if lam is None else lam
    key = (plan.baseline, scn.content_hash, speed, run.start, run.end, run.reporting,
           run.closure)
    hit = _PATHS.get(key)
    if hit is None:
        hit = _disk_load(plan, key)
    if hit is not None:
        _PATHS[key] = hit
        _PATHS.move_to_end(key)
        return _Path(hit.grid, hit.tariffs, hit.gaps, outcome)
    bl = worker_baseline(plan.baseline)
    tm = build_tariff_model(scn, bl)
    grid = reporting_grid(date.fromisoformat(run.start), date.fromisoformat(run.end),
                          run.reporting)
    tl = policy_timeline(scn, bl, tm, grid, closure=run.closure, adjustment_speed=speed,
                         trade_costs=build_trade_cost_model(tm, bl,
                                                            channels=spec.settings.channels),
                         policy_only=True)
    res = tl.run()
    path = _Path((*(p.start for p in res.periods), res.periods[-1].end),
                 [p.tariffs for p in res.periods], [p.log_gap for p in res.periods], {})
    _PATHS[key] = path
    _disk_save(plan, key, path)
    while len(_PATHS) > _MAX_PATHS:
        _PATHS.popitem(last=False)
    return _Path(path.grid, path.tariffs, path.gaps, outcome)


def _disk_file(plan: Plan, key: tuple):
    """Shared path cache (``DIR/cache``) when the runner gave one and this worker sees it."""
    import hashlib
    from pathlib import Path

    folder = plan.options.get("cache_dir")
    if not folder or not Path(folder).is_dir():
        return None
    return Path(folder) / (hashlib.sha256(repr(key).encode()).hexdigest()[:24] + ".npz")


def _disk_load(plan: Plan, key: tuple) -> _Path | None:
    f = _disk_file(plan, key)
    if f is None or not f.is_file():
        return None
    try:
        with np.load(f, allow_pickle=False) as z:
            grid = tuple(date.fromordinal(int(d)) for d in z["grid"])
            has = z["has_gap"]
            gaps = z["gaps"]
            gl = []
            k = 0
            for h in has:
                gl.append(gaps[k] if h else None)
                k += int(h)
            idx = z["tariff_index"]
            uniq = z["tariffs"]
            return _Path(grid, [uniq[i] for i in idx], gl, {})
    except (OSError, ValueError, KeyError):
        return None


def _disk_save(plan: Plan, key: tuple, path: _Path) -> None:
    """Write the path atomically (float64, exact); concurrent writers write identical files."""
    import os
    import tempfile

    f = _disk_file(plan, key)
    if f is None:
        return
    uniq: list[np.ndarray] = []
    index = []
    for t in path.tariffs:
        if uniq and np.array_equal(uniq[-1], t):
            index.append(len(uniq) - 1)
        else:
            uniq.append(t)
            index.append(len(uniq) - 1)
    gaps = [g for g in path.gaps if g is not None]
    try:
        fd, tmp = tempfile.mkstemp(prefix=".path-", suffix=".npz", dir=f.parent)
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, grid=np.array([d.toordinal() for d in path.grid]),
                     tariffs=np.stack(uniq), tariff_index=np.array(index),
                     has_gap=np.array([g is not None for g in path.gaps]),
                     gaps=np.stack(gaps) if gaps else np.zeros((0,)))
        os.replace(tmp, f)
    except OSError:
        return


def _solve_batch(economy, paths: list[_Path], theta: np.ndarray, closure: str,
                 metrics: list[str]) -> dict[str, np.ndarray]:
    """Metric arrays ``[P, B, n]`` for runs sharing a grid, solved through the batch axis.

    Every solve is :func:`sim.model.solve_preconditioned` with the chord preconditioner at the
    solved baseline of the central θ (the same for every member, so members never mix): the
    same equilibria as :func:`sim.model.solve` to solver tolerance in about a quarter of the
    iterations. Only the requested metrics are computed.

    BLAS runs on one thread here (as in the process-pool and Dask workers): the chord product
    is one matrix product over the batch, whose last bits depend on how BLAS splits it, so
    serial, process and Dask runs of a chunk give identical bits; the preconditioner is built
    here for the same reason (not taken from the process-wide cache)."""
    from sim.model.threads import one_blas_thread

    with one_blas_thread():
        return _solve_batch_one_thread(economy, paths, theta, closure, metrics)


def _solve_batch_one_thread(economy, paths: list[_Path], theta: np.ndarray, closure: str,
                            metrics: list[str]) -> dict[str, np.ndarray]:
    from sim.model import (
        REGION_METRICS,
        compare,
        preconditioner,
        solve_preconditioned,
        solved_baseline,
    )

    pre = preconditioner(economy, solved_baseline(economy, closure), closure)
    base = solve_preconditioned(economy, pre, closure=closure, theta=theta,
                                initial=solved_baseline(economy, closure))
    names = {m for m in metrics if m in REGION_METRICS}
    if "welfare_usd" in metrics:
        names |= {"welfare_pct", "income_base"}
    n_per = len(paths[0].tariffs)
    if "tariff_avg" in metrics:
        w = economy.flows * ~np.eye(economy.n_regions, dtype=bool)[:, :, None]
        wsum = np.maximum(w.sum(axis=(0, 2)), 1e-300)
    out: dict[str, list[np.ndarray]] = {m: [] for m in metrics}
    last, prev_t, prev_g, prev_c, prev_m = base, None, None, None, None
    older = None
    for p in range(n_per):
        t = np.stack([pa.tariffs[p] for pa in paths])
        gaps = [pa.gaps[p] for pa in paths]
        if all(g is None for g in gaps):
            g = None
        else:
            g = np.stack([np.zeros_like(t[0]) if x is None else x for x in gaps])
        cs = [None if pa.costs is None else pa.costs[p] for pa in paths]
        c = (None if all(x is None for x in cs)
             else np.stack([np.ones_like(t[0]) if x is None else x for x in cs]))
        same = (prev_t is not None and np.array_equal(t, prev_t)
                and ((c is None and prev_c is None)
                     or (c is not None and prev_c is not None and np.array_equal(c, prev_c)))
                and ((g is None and prev_g is None)
                     or (g is not None and prev_g is not None and np.array_equal(g, prev_g))))
        if same:
            m = prev_m
        else:
            shifter = None if g is None else np.exp(-theta[:, None, None, :] * g)
            kw = {} if c is None else {"cost_factor": c}
            eq = solve_preconditioned(economy, pre, tariffs=t, demand_shifter=shifter,
                                      closure=closure, theta=theta,
                                      initial=_extrapolate(last, older), **kw)
            older, last = last, eq
            m = compare(economy, base, eq, names)
            if "welfare_usd" in metrics:
                m["welfare_usd"] = m["welfare_pct"] / 100 * m["income_base"]
            if "tariff_avg" in metrics:
                m["tariff_avg"] = 100 * (t * w).sum(axis=(1, 3)) / wsum
        prev_t, prev_g, prev_c, prev_m = t, g, c, m
        for k in metrics:
            out[k].append(m[k])
    return {k: np.stack(v) for k, v in out.items()}


@dataclass
class _Start:
    wage_hat: np.ndarray
    unit_cost_hat: np.ndarray
    expenditure: np.ndarray


def _extrapolate(last, older):
    """Warm start for the next period: linear extrapolation (in logs) of the last two solved
    periods; the solution does not depend on it (only the iteration count does)."""
    if older is None or older.wage_hat.shape != last.wage_hat.shape:
        return last
    return _Start(*(np.exp(2 * np.log(a) - np.log(b)) for a, b in (
        (last.wage_hat, older.wage_hat), (last.unit_cost_hat, older.unit_cost_hat),
        (last.expenditure, older.expenditure))))


def _aggregate(values: np.ndarray, grid: tuple[date, ...], frequency: str
               ) -> tuple[list[date], np.ndarray]:
    """``values [P, ...]`` -> reporting dates and values (annual: day-weighted means)."""
    starts = list(grid[:-1])
    if frequency == "period":
        return starts, values
    days = np.array([(b - a).days for a, b in itertools.pairwise(grid)], float)
    years = np.array([d.year for d in starts])
    out_dates, out = [], []
    for y in sorted(set(years.tolist())):
        sel = years == y
        wts = days[sel] / days[sel].sum()
        out.append(np.tensordot(wts, values[sel], axes=(0, 0)))
        out_dates.append(date(y, 1, 1))
    return out_dates, np.stack(out)


def run_chunk(payload: dict) -> ChunkResult:
    """Compute the chunk of a :meth:`Plan.chunk_payload` (a top-level function: picklable)."""
    t_chunk = time.perf_counter()
    plan = Plan.from_payload(payload)
    chunk_no = int(payload["chunk_index"])
    index = 0
    runs = plan.chunk_runs(index)
    own = set(plan.chunks[index])
    bl = worker_baseline(plan.baseline)
    economy = bl.economy
    metrics = list(plan.options["metrics"])
    regions_keep = plan.options.get("regions")
    rnames = np.array(bl.regions, dtype=object)
    rsel = (np.arange(len(rnames)) if not regions_keep
            else np.array([k for k, r in enumerate(bl.regions) if r in regions_keep], int))
    from sim.model.metric_registry import unit_of
    from sim.results import difference, difference_units

    units = {m: unit_of(m, bl.unit) for m in metrics}
    diff_units = {m: str(u) for m, u in zip(
        metrics, difference_units(metrics, [units[m] for m in metrics]), strict=True)}
    dist = theta_distribution(bl.sectors, economy.theta)

    records: dict[str, dict] = {}
    prepared: dict[str, tuple[_Path, np.ndarray]] = {}
    for r in runs:
        t0 = time.perf_counter()
        rec = {"run_id": r.run_id, "scenario": r.scenario, "draw": r.draw, "chunk": chunk_no,
               "params": r.params, "outcome": {}, "status": "ok", "error": "", "seconds": 0.0}
        try:
            lam = r.model.get("model.adjustment_speed")
            path = _path(plan, r, lam)
            th = np.asarray(economy.theta, float) * r.model.get("model.theta_scale", 1.0)
            if plan.kind == "mc" and plan.options.get("theta", True):
                th = theta_draws(th, dist, plan.seed, max(plan.draws, r.draw + 1), [r.draw])[0]
            prepared[r.run_id] = (path, th)
            rec["outcome"] = path.outcome
        except Exception as exc:  # a run that cannot be set up is recorded, not fatal
            rec.update(status="failed", error=_err(exc))
        rec["seconds"] = time.perf_counter() - t0
        records[r.run_id] = rec

    # batch runs that share a grid and closure
    groups: dict[tuple, list[str]] = {}
    for rid, (path, _) in prepared.items():
        r = next(x for x in runs if x.run_id == rid)
        groups.setdefault((path.grid, r.closure), []).append(rid)
    values: dict[str, np.ndarray] = {}   # run id -> [P, M, n]
    grids: dict[str, tuple[date, ...]] = {}
    for (grid, closure), ids in groups.items():
        t0 = time.perf_counter()
        paths = [prepared[i][0] for i in ids]
        theta = np.stack([prepared[i][1] for i in ids])
        try:
            res = _solve_batch(economy, paths, theta, closure, metrics)
        except Exception as exc:
            err = _err(exc)
            for i in ids:
                records[i].update(status="failed", error=err)
            continue
        arr = np.stack([res[m] for m in metrics], axis=1)     # [P, M, B, n]
        share = (time.perf_counter() - t0) / len(ids)
        for b, i in enumerate(ids):
            values[i] = arr[:, :, b, :]
            grids[i] = grid
            records[i]["seconds"] += share

    frames = []
    freq = plan.options.get("frequency", "period")
    names = np.array(metrics, dtype=object)[None, :, None]     # against [P, M, n]
    by_id = {r.run_id: r for r in runs}
    for rid in plan.chunks[index]:
        r = by_id[rid]
        if rid not in values:
            continue
        frames.append(_tidy(r, "", values[rid], grids[rid], freq, metrics, units, rnames, rsel))
        if r.reference and r.reference in values:
            ref_v = values[r.reference]
            if grids[r.reference] != grids[rid]:
                records[rid].update(status="failed", error="reference has another grid")
                continue
            diff = difference(names, values[rid], ref_v)
            frames.append(_tidy(r, by_id[r.reference].scenario, diff, grids[rid], freq,
                                metrics, diff_units, rnames, rsel))
        elif r.reference:
            records[rid].update(status="failed", error="reference run failed: "
                                + records[r.reference]["error"])
    df = (pd.concat(frames, ignore_index=True) if frames
          else pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else "object")
                             for c in RESULT_COLUMNS}))
    if not frames:
        df["draw"] = df["draw"].astype("int64")
        df["date"] = pd.to_datetime(df["date"])
    return ChunkResult(chunk_no, df, [records[i] for i in plan.chunks[index] if i in own],
                       time.perf_counter() - t_chunk)


def _tidy(r: RunSpec, reference: str, v: np.ndarray, grid, freq, metrics, units, rnames,
          rsel) -> pd.DataFrame:
    dates, agg = _aggregate(v, grid, freq)                  # [D, M, n]
    agg = agg[:, :, rsel]
    n_d, n_m, n_r = agg.shape
    return pd.DataFrame({
        "run_id": r.run_id, "scenario": r.scenario, "reference": reference,
        "draw": np.int64(r.draw),
        "date": pd.to_datetime(np.repeat(np.array(dates, dtype="datetime64[D]"), n_m * n_r)),
        "region": np.tile(rnames[rsel], n_d * n_m), "partner": "all", "sector": "all",
        "metric": np.tile(np.repeat(np.array(metrics, dtype=object), n_r), n_d),
        "value": agg.reshape(-1),
        "unit": np.tile(np.repeat(np.array([units[m] for m in metrics], dtype=object), n_r),
                        n_d)})


def _err(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    return f"{type(exc).__name__}: {exc}{where}"
