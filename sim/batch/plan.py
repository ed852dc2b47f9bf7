"""Batch plans: a parameter sweep or a Monte Carlo, as a fixed list of runs in fixed chunks.

A plan is plain data (JSON-able): the scenarios' merged TOML content, the runs (each with a
stable ``run_id``), and the chunks. Chunk composition depends only on the plan, never on the
executor, so serial, process and Dask runs compute bit-identical numbers.

Run ids: the first 16 hex digits of SHA-256 over the canonical JSON of the scenario's content
hash, its parameter edits, its model parameters, the resolved run options (grid, closure,
reporting frequency), the seed and, for Monte Carlo, the draw index.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sim.scenario.loader import Scenario, ScenarioError, load_calibration, load_scenario

__all__ = ["MODEL_PARAMS", "BatchError", "Plan", "RunSpec", "mc_plan", "parse_param",
           "sweep_plan"]

#: model parameters a sweep can vary (not scenario fields): name -> description
MODEL_PARAMS = {
    "model.theta_scale": "multiplies every sector's trade elasticity θ",
    "model.adjustment_speed": "λ, the yearly adjustment speed (1 = static), for the scenario "
                              "and its reference",
}
ALIASES = {"theta_scale": "model.theta_scale", "lambda": "model.adjustment_speed",
           "model.lambda": "model.adjustment_speed"}
DEFAULT_METRICS = ("welfare_pct", "real_wage_pct", "price_index_pct", "welfare_usd",
                   "exports_new", "imports_new", "tariff_revenue_new", "tariff_avg")
FORMAT = "tradesim-batch/1"


class BatchError(ValueError):
    """Bad batch input (unknown parameter, malformed range, a store of another plan)."""


@dataclass(frozen=True)
class RunSpec:
    """One run: a scenario (by content key) with edits, model parameters and a draw."""

    run_id: str
    scenario: str                      # scenario name
    key: str                           # content key into Plan.scenarios
    draw: int                          # Monte Carlo draw (sweep: grid point index)
    edits: dict[str, Any] = field(default_factory=dict)   # scenario field path -> value
    model: dict[str, float] = field(default_factory=dict)  # model.* parameters
    start: str = ""
    end: str = ""
    reporting: str = "monthly"
    closure: str = "fixed"
    reference: str | None = None       # run_id of the reference run (differences)

    @property
    def params(self) -> dict[str, Any]:
        return {**self.edits, **self.model}


@dataclass
class Plan:
    """A batch plan (see the module docstring)."""

    kind: str                          # "mc" or "sweep"
    scenarios: dict[str, dict]         # content key -> merged raw scenario dict
    calibration: dict[str, dict]       # calibration scenario name -> raw dict
    runs: list[RunSpec]
    chunks: list[list[str]]            # run ids per chunk (each run in exactly one chunk)
    seed: int = 0
    draws: int = 0
    baseline: str = "icio2022"
    options: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, list] = field(default_factory=dict)
    reference: str | None = None

    def run_map(self) -> dict[str, RunSpec]:
        cached = self.__dict__.get("_run_map")
        if cached is None or cached[0] != len(self.runs):
            cached = (len(self.runs), {r.run_id: r for r in self.runs})
            self.__dict__["_run_map"] = cached
        return cached[1]

    def chunk_runs(self, index: int) -> list[RunSpec]:
        """Runs to compute for chunk ``index``: its own runs plus the references they need
        (a reference owned by another chunk is recomputed, not stored twice)."""
        rm = self.run_map()
        own = [rm[i] for i in self.chunks[index]]
        need = {r.reference for r in own if r.reference} - {r.run_id for r in own}
        return own + [rm[i] for i in sorted(need)]

    @property
    def plan_id(self) -> str:
        return stable_hash({"kind": self.kind, "scenarios": sorted(self.scenarios),
                      "runs": [r.run_id for r in self.runs], "chunks": self.chunks,
                      "baseline": self.baseline, "options": self.options})

    def to_payload(self) -> dict:
        """Plain data for workers (scenario dicts with dates as ISO strings)."""
        return {"kind": self.kind, "scenarios": self.scenarios, "calibration": self.calibration,
                "runs": [asdict(r) for r in self.runs], "chunks": self.chunks,
                "seed": self.seed, "draws": self.draws, "baseline": self.baseline,
                "options": self.options, "parameters": self.parameters,
                "reference": self.reference}

    def chunk_payload(self, index: int) -> dict:
        """The payload of one chunk: only its runs (and the references they need) and the
        scenarios they use; its size does not grow with the plan."""
        runs = self.chunk_runs(index)
        keys = {r.key for r in runs}
        return {"kind": self.kind,
                "scenarios": {k: v for k, v in self.scenarios.items() if k in keys},
                "calibration": self.calibration, "runs": [asdict(r) for r in runs],
                "chunks": [self.chunks[index]], "seed": self.seed, "draws": self.draws,
                "baseline": self.baseline, "options": self.options,
                "parameters": self.parameters, "reference": self.reference,
                "chunk_index": index}

    @classmethod
    def from_payload(cls, d: dict) -> Plan:
        return cls(d["kind"], d["scenarios"], d["calibration"],
                   [RunSpec(**r) for r in d["runs"]], d["chunks"], d["seed"], d["draws"],
                   d["baseline"], d["options"], d["parameters"], d["reference"])


def _canon(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(o: Any) -> Any:
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {o!r}")


def stable_hash(obj: Any, n: int = 16) -> str:
    """The first ``n`` hex digits of SHA-256 of ``obj``'s canonical JSON (key order and date
    types do not matter): plan ids, run ids and scenario fingerprints."""
    return hashlib.sha256(_canon(obj).encode()).hexdigest()[:n]


def plain(raw: Any) -> Any:
    """A TOML-parsed dict with dates as ISO strings (JSON-able, picklable anywhere)."""
    return json.loads(_canon(raw))


# ----------------------------------------------------------------------------- parameters
MAX_VALUES = 10_000        # values of one --param
MAX_RUNS = 200_000         # runs of one plan (checked before the runs are built)
MAX_RUN_PERIODS = 20_000_000   # runs x reporting periods of one plan


def _value(text: str, where: str) -> Any:
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    if "_" in t and re.fullmatch(r"[+-]?[\d_]+(\.[\d_]*)?([eE][+-]?\d+)?", t):
        raise BatchError(f"{where}: {t!r}: write numbers without underscores")
    try:
        return int(t)
    except ValueError:
        pass
    try:
        v = float(t)
    except ValueError:
        pass
    else:
        if not math.isfinite(v):
            raise BatchError(f"{where}: {t!r} is not a finite number")
        return v
    try:
        return date.fromisoformat(t)
    except ValueError:
        pass
    if not t:
        raise BatchError(f"{where}: empty value")
    return t


def parse_param(spec: str) -> tuple[str, list[Any]]:
    """``PATH=START:STOP:STEP`` (inclusive, numbers; or dates with a step like ``1m``, ``14d``)
    or ``PATH=v1,v2,...`` -> (path, values)."""
    if "=" not in spec:
        raise BatchError(f"--param {spec!r}: expected PATH=START:STOP:STEP or PATH=v1,v2,...")
    path, rhs = (s.strip() for s in spec.split("=", 1))
    path = ALIASES.get(path, path)
    if not path:
        raise BatchError(f"--param {spec!r}: empty path")
    where = f"--param {path}"
    if ":" in rhs and "," not in rhs:
        parts = rhs.split(":")
        if len(parts) != 3:
            raise BatchError(f"{where}: range {rhs!r} must be START:STOP:STEP")
        a, b = _value(parts[0], where), _value(parts[1], where)
        if isinstance(a, date) and isinstance(b, date):
            return path, _date_range(a, b, parts[2].strip(), where)
        step = _value(parts[2], where)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b, step)):
            raise BatchError(f"{where}: range {rhs!r} needs numbers (or dates with a step "
                             "like 1m or 30d)")
        if step <= 0 or b < a:
            raise BatchError(f"{where}: range {rhs!r} needs STEP > 0 and STOP >= START")
        n = math.floor((b - a) / step + 1e-9) + 1
        if n > MAX_VALUES:
            raise BatchError(f"{where}: range {rhs!r} has {n} values (more than "
                             f"{MAX_VALUES:,})")
        vals = [round(a + k * step, 12) for k in range(n)]
        if all(isinstance(v, int) for v in (a, b, step)):
            vals = [int(v) for v in vals]
        return path, vals
    vals = [_value(v, where) for v in rhs.split(",")]
    if len(vals) > MAX_VALUES:
        raise BatchError(f"{where}: {len(vals):,} values (more than {MAX_VALUES:,})")
    return path, vals


def _date_range(a: date, b: date, step: str, where: str) -> list[date]:
    if len(step) < 2 or step[-1] not in "dm" or not step[:-1].isdigit() or int(step[:-1]) < 1:
        raise BatchError(f"{where}: date step {step!r} must be like 1m or 30d")
    k = int(step[:-1])
    if b < a:
        raise BatchError(f"{where}: STOP {b} is before START {a}")
    out, d = [], a
    from datetime import timedelta
    try:
        while d <= b:
            out.append(d)
            if len(out) > MAX_VALUES:
                raise BatchError(f"{where}: the date range {a}:{b}:{step} has more than "
                                 f"{MAX_VALUES:,} values")
            if step[-1] == "d":
                d = d + timedelta(days=k)
            else:
                m = d.month - 1 + k
                d = date(d.year + m // 12, m % 12 + 1, 1 if d.day > 28 else d.day)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, BatchError):
            raise
        pass            # the next date is past 9999-12-31: the range ends here
    return out


def set_path(raw: dict, path: str, value: Any, where: str) -> None:
    """Set a scenario field addressed by a dotted path; list items by name, region or index."""
    parts = path.split(".")
    node: Any = raw
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        if isinstance(node, list):
            hit = next((x for x in node if isinstance(x, dict)
                        and part in (x.get("name"), x.get("region"))), None)
            if hit is None and part.isdigit() and int(part) < len(node):
                hit = node[int(part)]
            if hit is None:
                names = [x.get("name") or x.get("region") for x in node if isinstance(x, dict)]
                raise BatchError(f"{where}: no item {part!r} in {'.'.join(parts[:k]) or path} "
                                 f"(known: {', '.join(map(str, names[:30]))})")
            if last:
                raise BatchError(f"{where}: {path!r} names an item, not a field")
            node = hit
            continue
        if not isinstance(node, dict):
            raise BatchError(f"{where}: {'.'.join(parts[:k])!r} is a value, not a table")
        if last:
            node[part] = value
            return
        if part not in node:
            if part == "settings":
                node[part] = {}
            else:
                raise BatchError(f"{where}: unknown field {'.'.join(parts[:k + 1])!r} "
                                 f"(scenario fields, or {', '.join(MODEL_PARAMS)})")
        node = node[part]


# ----------------------------------------------------------------------------- scenarios
@dataclass
class _Loaded:
    scn: Scenario
    raw: dict
    key: str


def _load(name: str | Path) -> _Loaded:
    try:
        scn = load_scenario(name)
    except ScenarioError as exc:
        raise BatchError("\n".join(exc.errors)) from None
    raw = plain(scn.raw)
    raw.pop("extends", None)
    return _Loaded(scn, raw, stable_hash(raw))


def _calibration(loaded: list[_Loaded]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for ld in loaded:
        spec = ld.scn.spec
        if spec.calibrated_to in ("self", spec.name) or spec.calibrated_to in out:
            continue
        try:
            cal = load_calibration(ld.scn)
        except ScenarioError as exc:
            raise BatchError("\n".join(exc.errors)) from None
        assert cal is not None
        raw = plain(cal.raw)
        raw.pop("extends", None)
        out[spec.calibrated_to] = raw
    return out


def _options(spec, reporting: str | None, start: date | None, end: date | None,
             closure: str | None) -> dict[str, str]:
    return {"start": (start or spec.start).isoformat(), "end": (end or spec.end).isoformat(),
            "reporting": reporting or spec.settings.reporting,
            "closure": closure or spec.settings.closure}


def _run_id(key: str, edits: dict, model: dict, opts: dict, seed: int,
            draw: int | None) -> str:
    return stable_hash({"scenario": key, "edits": edits, "model": model, "options": opts,
                  "seed": seed, "draw": draw})


def _check_size(runs: dict[str, RunSpec]) -> None:
    """Refuse a plan whose runs x reporting periods exceed :data:`MAX_RUN_PERIODS`."""
    from sim.policy.dates import REPORTING_MONTHS as step

    total = 0
    for r in runs.values():
        a, b = date.fromisoformat(r.start), date.fromisoformat(r.end)
        total += ((b.year - a.year) * 12 + b.month - a.month) // step.get(r.reporting, 1) + 1
    if total > MAX_RUN_PERIODS:
        raise BatchError(f"the plan has {total:,} run-periods (runs x reporting periods), more "
                         f"than {MAX_RUN_PERIODS:,}: fewer draws, a shorter horizon or a "
                         "coarser --reporting")


def _chunks(units: list[list[str]], chunk_size: int) -> list[list[str]]:
    """Units (a run and its reference) grouped ``chunk_size`` units per chunk; each run id is
    owned by the first chunk that lists it."""
    seen: set[str] = set()
    out = []
    for k in range(0, len(units), chunk_size):
        ids = []
        for unit in units[k:k + chunk_size]:
            for rid in unit:
                if rid not in seen:
                    seen.add(rid)
                    ids.append(rid)
        if ids:
            out.append(ids)
    return out


def mc_plan(scenarios: list[str | Path], draws: int, seed: int, *,
            reference: str | None = None, baseline: str = "icio2022",
            chunk_size: int = 25, reporting: str | None = None, frequency: str = "annual",
            metrics: list[str] | None = None, regions: list[str] | None = None,
            theta: bool = True, policy: bool = True, closure: str | None = None,
            channels: bool = True) -> Plan:
    """A Monte Carlo plan: ``draws`` draws of θ (and of the scenarios' declared policy
    uncertainty, and of the agreement-channel parameters from their standard errors or
    ranges, ``channels``); each draw runs every scenario and the reference with the same
    draw."""
    if draws < 1:
        raise BatchError(f"--draws must be >= 1, got {draws}")
    if seed < 0:
        raise BatchError(f"--seed must be >= 0, got {seed}")
    n_runs = draws * (len(scenarios) + (1 if reference else 0))
    if n_runs > MAX_RUNS:
        raise BatchError(f"--draws {draws:,}: {n_runs:,} runs, more than the {MAX_RUNS:,} a "
                         "plan may hold; split the work into several stores (--seed)")
    if chunk_size < 1:
        raise BatchError(f"--chunk-size must be >= 1, got {chunk_size}")
    if not scenarios:
        raise BatchError("give at least one scenario")
    mains = [_load(s) for s in scenarios]
    ref = _load(reference) if reference else None
    loaded = mains + ([ref] if ref else [])
    scen = {ld.key: ld.raw for ld in loaded}
    names = [ld.scn.name for ld in mains]
    if len(set(names)) != len(names):
        raise BatchError(f"scenario names repeat: {names}")
    runs: dict[str, RunSpec] = {}
    units: list[list[str]] = []
    base_opts = {"frequency": frequency, "metrics": list(metrics or DEFAULT_METRICS),
                 "regions": list(regions) if regions else None, "theta": theta,
                 "policy": policy, "channels": channels}
    _check_frequency(frequency)
    _check_metrics(metrics)
    for k in range(draws):
        for ld in mains:
            opts = _options(ld.scn.spec, reporting, None, None, closure)
            ref_id = None
            if ref is not None:
                ref_id = _run_id(ref.key, {}, {}, opts, seed, k)
                runs.setdefault(ref_id, RunSpec(ref_id, ref.scn.name, ref.key, k, **opts))
            rid = _run_id(ld.key, {}, {}, opts, seed, k)
            runs[rid] = RunSpec(rid, ld.scn.name, ld.key, k, reference=ref_id, **opts)
            units.append([rid] + ([ref_id] if ref_id else []))
    _check_size(runs)
    # group units by draw so that a chunk holds `chunk_size` draws of every scenario
    per_draw = len(mains)
    chunks = _chunks([list(itertools.chain.from_iterable(units[k:k + per_draw]))
                      for k in range(0, len(units), per_draw)], chunk_size)
    return Plan("mc", scen, _calibration(loaded), list(runs.values()), chunks, seed, draws,
                baseline, {**base_opts, "chunk_size": chunk_size, "seed": seed},
                {}, ref.scn.name if ref else None)


def _check_metrics(metrics: list[str] | None) -> None:
    from sim.model.metric_registry import emitted_by

    known = list(emitted_by("batch"))
    bad = [m for m in metrics or [] if m not in known]
    if bad:
        raise BatchError(f"--metric {', '.join(bad)}: unknown (known: {', '.join(known)})")


def _check_frequency(frequency: str) -> None:
    if frequency not in ("period", "annual"):
        raise BatchError(f"--frequency must be 'period' or 'annual', got {frequency!r}")


def sweep_plan(scenario: str | Path, params: list[str], *, reference: str | None = None,
               baseline: str = "icio2022", chunk_size: int = 8, reporting: str | None = None,
               frequency: str = "period", metrics: list[str] | None = None,
               regions: list[str] | None = None, closure: str | None = None) -> Plan:
    """A sweep plan: the Cartesian grid of ``--param`` values; model parameters apply to the
    scenario and its reference, scenario fields to the scenario only."""
    if chunk_size < 1:
        raise BatchError(f"--chunk-size must be >= 1, got {chunk_size}")
    if not params:
        raise BatchError("give at least one --param PATH=START:STOP:STEP or PATH=v1,v2")
    _check_frequency(frequency)
    _check_metrics(metrics)
    main = _load(scenario)
    ref = _load(reference) if reference else None
    parsed = [parse_param(p) for p in params]
    grid = math.prod(len(v) for _, v in parsed)
    if grid * (2 if reference else 1) > MAX_RUNS:
        raise BatchError(f"--param grid of {grid:,} points: more runs than the {MAX_RUNS:,} a "
                         "plan may hold")
    paths = [p for p, _ in parsed]
    if len(set(paths)) != len(paths):
        raise BatchError(f"--param paths repeat: {paths}")
    for path, vals in parsed:
        if path.startswith("model."):
            if path not in MODEL_PARAMS:
                raise BatchError(f"--param {path}: unknown model parameter (known: "
                                 f"{', '.join(MODEL_PARAMS)})")
            bad = [v for v in vals if not isinstance(v, int | float) or isinstance(v, bool)
                   or v <= 0 or (path == "model.adjustment_speed" and v > 1)]
            if bad:
                raise BatchError(f"--param {path}: values must be numbers > 0"
                                 + (" and <= 1" if path == "model.adjustment_speed" else "")
                                 + f", got {bad}")
    scen = {main.key: main.raw}
    if ref:
        scen[ref.key] = ref.raw
    runs: dict[str, RunSpec] = {}
    units = []
    for idx, combo in enumerate(itertools.product(*[v for _, v in parsed])):
        edits = {p: v for p, v in zip(paths, combo, strict=True) if not p.startswith("model.")}
        model = {p: float(v) for p, v in zip(paths, combo, strict=True)
                 if p.startswith("model.")}
        raw = json.loads(_canon(main.raw))
        for p, v in edits.items():
            set_path(raw, p, v, f"--param {p}={v}")
        try:
            spec = load_scenario(raw).spec
        except ScenarioError as exc:
            msg = "; ".join(e.replace("<scenario>", str(main.scn.path)) for e in exc.errors)
            raise BatchError(f"--param {', '.join(f'{p}={v}' for p, v in edits.items())}: "
                             f"{msg}") from None
        opts = _options(spec, reporting, None, None, closure)
        edits_j = plain(edits)
        ref_id = None
        if ref is not None:
            ref_id = _run_id(ref.key, {}, model, opts, 0, None)
            runs.setdefault(ref_id, RunSpec(ref_id, ref.scn.name, ref.key, idx, {}, model,
                                            **opts))
        rid = _run_id(main.key, edits_j, model, opts, 0, None)
        runs[rid] = RunSpec(rid, main.scn.name, main.key, idx, edits_j, model,
                            reference=ref_id, **opts)
        units.append([rid] + ([ref_id] if ref_id else []))
    _check_size(runs)
    chunks = _chunks(units, chunk_size)
    base_opts = {"frequency": frequency, "metrics": list(metrics or DEFAULT_METRICS),
                 "regions": list(regions) if regions else None, "theta": False,
                 "policy": False, "chunk_size": chunk_size}
    return Plan("sweep", scen, _calibration([main] + ([ref] if ref else [])),
                list(runs.values()), chunks, 0, 0, baseline, base_opts,
                {p: plain(v) for p, v in parsed}, ref.scn.name if ref else None)
