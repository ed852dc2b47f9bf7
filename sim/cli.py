"""The command line: ``tradesim`` (typer). Thin: parsing, printing, exit codes.

Exit codes (every command, one map: :func:`exit_code`): 0 success; 1 a validation check missed
(``validate``) or runs failed in a batch (recorded in the store); 2 bad input (the message names
file, field and value; on stderr, no traceback) or missing data; 3 numerical failure (no
convergence, NaN or ±inf in a result); 130 interrupted. An unexpected error prints one line
(exit 1); ``tradesim --debug ...`` (or ``TRADESIM_DEBUG=1``) shows its traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    name="tradesim",
    help="Policy scenario simulator for US-Japan trade: a calibrated multi-sector general-"
         "equilibrium model (Caliendo-Parro 2015) with dated policy scenarios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

DEFAULT_BASELINE = "icio2022"
DEBUG = {"on": os.environ.get("TRADESIM_DEBUG", "") not in ("", "0")}


@app.callback()
def _options(debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an "
                                                               "unexpected error.")] = False
             ) -> None:
    """Policy scenario simulator for US-Japan trade."""
    if debug:
        DEBUG["on"] = True


def _fail(message: str, code: int) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True, markup=True)
    raise typer.Exit(code)


def _error_classes() -> tuple[tuple[tuple[type[BaseException], ...], int, str], ...]:
    """The one map from the project's error classes to exit codes (and message prefixes)."""
    from sim.batch import BatchError, BatchFailed, StoreError
    from sim.data.baseline import BaselineError
    from sim.data.build import BuildError
    from sim.data.shock import ShockError
    from sim.data.textfile import TextFileError
    from sim.model import EconomyError, ModelInputError, SolverError
    from sim.scenario.loader import ScenarioError

    return (
        ((BaselineError, ShockError, ModelInputError, EconomyError, ScenarioError,
          BatchError, StoreError, TextFileError, BuildError), 2, ""),
        ((SolverError, BatchFailed, FloatingPointError, OverflowError), 3,
         "numerical failure: "),
        ((MemoryError,), 2, "out of memory: "),
    )


def exit_code(exc: BaseException) -> tuple[int, str]:
    """``(exit code, one-line message)`` for an exception raised by a command."""
    for classes, code, prefix in _error_classes():
        if isinstance(exc, classes):
            return code, prefix + (str(exc) or type(exc).__name__)
    if isinstance(exc, OSError):      # --out is a file, unwritable, disk full, ...
        where = f"{exc.filename}: " if exc.filename else ""
        return 2, f"{where}{exc.strerror or exc}"
    if isinstance(exc, KeyboardInterrupt):
        return 130, "interrupted"
    first = str(exc).splitlines()[0] if str(exc) else ""
    return 1, (f"unexpected error ({type(exc).__name__}: {first[:200]}); rerun with "
               "tradesim --debug ... for the traceback")


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Every command: map exceptions to a message on stderr and an exit code (no traceback
    unless ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BaseException as exc:  # the one place where errors become exit codes
            if DEBUG["on"]:
                raise
            code, message = exit_code(exc)
            from rich.markup import escape

            _fail(escape(message), code)

    return wrapper


@app.command("counterfactual")
@friendly_errors
def counterfactual_cmd(
    shock: Annotated[Path, typer.Option(help="Shock CSV: exporter,importer,sector,tariff,"
                                             "cost_factor ('*' = all; blank tariff = "
                                             "unchanged; blank cost_factor = 1).")],
    out: Annotated[Path, typer.Option(help="Output directory for regions.csv, flows.csv, "
                                           "sectors.csv.")],
    baseline: Annotated[str, typer.Option(help="Baseline directory or shipped name.")]
    = DEFAULT_BASELINE,
    closure: Annotated[str, typer.Option(help="Deficit closure: fixed, zero or ratio.")]
    = "fixed",
    theta: Annotated[str | None, typer.Option(help="Elasticity set: a sectors.csv variant "
                                                   "(e.g. uniform4) or a number.")] = None,
) -> None:
    """Solve one static counterfactual against the model's own solved baseline."""
    from sim.counterfactual import counterfactual
    from sim.data.baseline import load_baseline
    from sim.model import CLOSURES

    if closure not in CLOSURES:
        _fail(f"--closure must be one of {', '.join(CLOSURES)}, got {closure!r}", 2)
    base = load_baseline(baseline, theta=_theta_arg(theta))
    result = counterfactual(base, shock, closure=closure)
    written = result.write(out)
    table = Table(title=f"{base.name}: {shock.name}, closure {closure} (% change vs the "
                        "solved baseline)")
    from sim.model.metric_registry import metric

    columns = {c: f"{metric(c).header} {metric(c).unit}" for c in (
        "welfare_pct", "real_wage_pct", "price_index_pct", "tot_pct", "vot_pct",
        "welfare_cp_pct")}
    table.add_column("region")
    for header in columns.values():
        table.add_column(header, justify="right")
    for row in result.regions.itertuples(index=False):
        table.add_row(row.region, *(f"{getattr(row, c):+.4f}" for c in columns))
    console.print(table)
    console.print("welfare % = exact change in real income; ToT/VoT/CP total = Caliendo-Parro "
                  "first-order decomposition (can differ from the exact change for large "
                  "shocks). Full columns in regions.csv.")
    console.print("wrote " + ", ".join(str(p) for p in written))


def _theta_arg(theta: str | None) -> str | float | None:
    if theta is None:
        return None
    try:
        return float(theta)
    except ValueError:
        return theta


@app.command("validate")
@friendly_errors
def validate_cmd(
    data: Annotated[Path | None, typer.Option(help="Directory with the validation data "
                                                   "(default $TRADESIM_SHARED_DATA or "
                                                   "../shared/data).")] = None,
    offline: Annotated[bool, typer.Option(help="Show the shipped table of a previous run "
                                               "instead of computing (no data needed).")]
    = False,
    write_table: Annotated[bool, typer.Option(help="Run, then write the shipped table "
                                                   "sim/data/validation/reproduced.json.")]
    = False,
) -> None:
    """Reproduce the published results (Caliendo-Parro 2015 NAFTA, ACR, gegravity sample,
    structural gravity of Yotov et al. 2016)."""
    from sim.validation import DataMissing, default_data_dir, run_validation
    from sim.validation_record import read_table
    from sim.validation_record import write_table as write_record

    title = "tradesim validate: published vs reproduced"
    if offline and write_table:
        _fail("--offline shows the shipped table; --write-table needs a run with the data: "
              "use one or the other", 2)
        return
    if offline:
        try:
            shipped = read_table()
        except (OSError, ValueError) as exc:
            _fail(f"no shipped validation table: {exc}", 2)
            return
        checks = shipped.checks
        title = f"tradesim validate --offline: {shipped.label}"
    else:
        data_dir = data if data is not None else default_data_dir()
        try:
            checks = run_validation(data_dir)
        except DataMissing as exc:
            _fail(f"validation data not found in {data_dir}: {exc}. Pass --data DIR (the "
                  "directory holding caliendo_parro_2015/ and gegravity_sample/), or "
                  "--offline for the shipped table of a previous run.", 2)
            return
    table = Table(title=title)
    for col in ("case", "region", "metric", "published", "reproduced", "tol", "ok"):
        table.add_column(col, justify="right" if col in ("published", "reproduced", "tol")
                         else "left")
    for c in checks:
        ok = {True: "[green]pass[/]", False: "[red]MISS[/]", None: "info"}[c.passed]
        table.add_row(c.case, c.region, c.metric,
                      "" if c.published is None else f"{c.published:g}",
                      f"{c.reproduced:.6g}", "" if c.tolerance is None else f"{c.tolerance:g}",
                      ok)
    console.print(table)
    misses = [c for c in checks if c.passed is False]
    console.print(f"{sum(c.passed is True for c in checks)} passed, {len(misses)} missed")
    if write_table and not offline:
        console.print(f"wrote {write_record(checks)}")
    if misses:
        raise typer.Exit(1)


@app.command("estimate")
def estimate_cmd(
    panel: Annotated[str, typer.Option(help="Panel CSV/CSV.gz/Parquet (exporter, importer, "
                                            "year, trade, regressors) or 'agtpa' (shipped).")],
    formula: Annotated[str, typer.Option(help="pyfixest formula, e.g. \"trade ~ rta | "
                                              "exporter_year + importer_year + pair\".")],
    out: Annotated[Path, typer.Option(help="Output directory (estimates.csv, vcov.csv, "
                                           "meta.json, agreement_effect.toml).")],
    years: Annotated[str | None, typer.Option(help="START:STOP:STEP (stop included), "
                                                   "e.g. 1986:2006:4, or a comma list.")] = None,
    cluster: Annotated[str, typer.Option(help="'pair' (Stata ppml convention), 'none' or a "
                                              "column.")] = "pair",
    international_only: Annotated[bool, typer.Option("--international-only",
                                                     help="Drop exporter = importer rows.")]
    = False,
    max_iterations: Annotated[int, typer.Option(help="IRLS iterations.")] = 25,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or table.")] = False,
) -> None:
    """Estimate a structural gravity equation by PPML with fixed effects (docs/estimation.md)."""
    from sim.estimate.commands import estimate_command

    raise typer.Exit(estimate_command(panel, formula, years, cluster, out, international_only,
                                      max_iterations, quiet, console, err))


@app.command("baseline")
@friendly_errors
def baseline_cmd(
    name: Annotated[str, typer.Argument(help="Baseline directory or shipped name.")]
    = DEFAULT_BASELINE,
) -> None:
    """Describe a baseline: size, provenance and distance of its data from equilibrium."""
    from sim.data.baseline import load_baseline

    base = load_baseline(name)
    console.print(base.summary())
    for key in ("description", "sources", "licence", "limits"):
        if key in base.metadata:
            console.print(f"[bold]{key}[/]: {base.metadata[key]}")


@app.command("run")
@friendly_errors
def run_cmd(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario TOML files (or names in "
                                                         "scenarios/).")],
    out: Annotated[Path, typer.Option(help="Output directory for the Parquet results.")]
    = Path("results"),
    reference: Annotated[str | None, typer.Option(help="Reference scenario for the summary "
                                                       "(file or library name).")] = None,
    baseline: Annotated[str | None, typer.Option(help="Baseline name or directory (default: "
                                                      "the scenario's, else icio2022).")]
    = None,
    adjustment_speed: Annotated[float | None, typer.Option(help="Override λ, the yearly "
                                                                "adjustment speed (1 = static)."
                                                           )] = None,
    reporting: Annotated[str | None, typer.Option(help="Reporting grid: monthly, quarterly "
                                                       "or annual.")] = None,
    summary_year: Annotated[int, typer.Option(help="Year of the printed summary.")] = 2030,
    theta: Annotated[str | None, typer.Option(help="Elasticity set: a sectors.csv variant "
                                                   "(e.g. uniform4) or a number.")] = None,
    theta_scale: Annotated[float, typer.Option(help="Multiply every θ by this factor.")]
    = 1.0,
    channels: Annotated[bool, typer.Option(
        "--channels", help="Split the effect by agreement channel (tariffs, goods non-tariff, "
                           "services, total; 3 runs per side) and write "
                           "<name>_channels.parquet.")] = False,
) -> None:
    """Run scenarios on the SimPy policy timeline and write tidy results (Parquet)."""
    from sim.commands.scenarios import run

    if reporting is not None and reporting not in ("monthly", "quarterly", "annual"):
        _fail(f"--reporting must be monthly, quarterly or annual, got {reporting!r}", 2)
    if not 0 < theta_scale < float("inf"):
        _fail(f"--theta-scale must be a positive number, got {theta_scale!r}", 2)
    if adjustment_speed is not None and not 0 < adjustment_speed <= 1:
        _fail(f"--adjustment-speed must be > 0 and <= 1 (1 = static), got "
              f"{adjustment_speed!r}", 2)
    code = run([str(s) for s in scenarios], reference=reference, out=out, baseline=baseline,
               adjustment_speed=adjustment_speed, reporting=reporting,
               summary_year=summary_year, console=console, theta=_theta_arg(theta),
               theta_scale=theta_scale, errors=err, channels=channels)
    raise typer.Exit(code)


@app.command("check")
@friendly_errors
def check_cmd(
    files: Annotated[list[Path], typer.Argument(help="Scenario TOML files to validate.")],
) -> None:
    """Validate scenario files; errors name file, line, field and value (exit 2)."""
    from sim.commands.scenarios import check

    raise typer.Exit(check([str(f) for f in files], console=console, errors=err))


# ----------------------------------------------------------------------------- batch runs
def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def _run_batch(plan_fn: Callable[[], Any], out: Path, executor: str, workers: int | None,
               address: str | None, quiet: bool, fail_fast: bool, retry_failed: bool,
               wait: bool = True) -> None:
    """Build a plan, run it with a progress display, report failures; exit codes 0/2/3."""
    from sim.batch import BatchFailed, run_plan
    from sim.batch.progress import Progress

    plan = plan_fn()
    progress = Progress(console, quiet=quiet)
    try:
        with progress:
            report = run_plan(plan, out, executor_kind=executor, workers=workers,
                              address=address, fail_fast=fail_fast, retry_failed=retry_failed,
                              on_start=progress.start, on_progress=progress.update,
                              wait=wait, on_wait=lambda who: err.print(
                                  f"waiting: the store {out} is in use by {who}",
                                  highlight=False))
    except BatchFailed as exc:
        _fail(f"numerical failure (--fail-fast): {exc}. Finished parts are kept in {out}.", 3)
        return
    except KeyboardInterrupt:
        _fail(f"interrupted; finished parts are kept in {out} (rerun the command to resume)",
              130)
        return
    for moved, reason in report.quarantined:
        err.print(f"quarantined a bad part ({reason}): moved to {moved}; its runs were "
                  "recomputed", highlight=False, soft_wrap=True)
    if not quiet:
        console.print(f"{report.computed} runs computed, {report.done_before} already in the "
                      f"store, {report.seconds:.1f} s ({report.executor}) -> {out}",
                      highlight=False)
    if report.failed:
        err.print(f"[bold red]{len(report.failed)} runs failed[/] (recorded in the store; "
                  "rerun with --retry-failed to try again):", highlight=False)
        for r in report.failed[:20]:
            err.print(f"  {r['scenario']} draw {r['draw']} ({r['run_id']}): {r['error']}",
                      highlight=False, soft_wrap=True)
        raise typer.Exit(3 if fail_fast else 1)


ExecutorOpt = Annotated[str, typer.Option(help="serial, process (local processes) or dask.")]
WorkersOpt = Annotated[int | None, typer.Option(help="Workers for process or a local Dask "
                                                     "cluster (default: CPU count).")]
AddressOpt = Annotated[str | None, typer.Option(help="Dask scheduler address tcp://host:8786 "
                                                     "(with --executor dask; none = a local "
                                                     "cluster).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
FailFastOpt = Annotated[bool, typer.Option("--fail-fast", help="Stop at the first failed run "
                                                              "(exit 3).")]
RetryOpt = Annotated[bool, typer.Option("--retry-failed", help="Recompute chunks whose runs "
                                                               "failed.")]
WaitOpt = Annotated[bool, typer.Option("--wait/--no-wait", help="If another runner holds the "
                                                                "store: wait for it, or exit 2 "
                                                                "naming it.")]
MetricsOpt = Annotated[list[str] | None, typer.Option("--metric", help="Metrics to store "
                                                                       "(repeat or comma list; "
                                                                       "`tradesim metrics` "
                                                                       "lists them).")]
RegionsOpt = Annotated[list[str] | None, typer.Option("--region", help="Regions to store "
                                                                       "(default all).")]


@app.command("sweep")
@friendly_errors
def sweep_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file or library name.")],
    out: Annotated[Path, typer.Option(help="Results store directory.")],
    param: Annotated[list[str], typer.Option(help="PATH=START:STOP:STEP or PATH=v1,v2,... "
                                                  "(repeat for a grid). PATH: a scenario "
                                                  "field such as events.NAME.rate, "
                                                  "events.NAME.effective, settings.closure; "
                                                  "or model.theta_scale, model.adjustment_speed"
                                                  " (alias lambda).")],
    reference: Annotated[str | None, typer.Option(help="Reference scenario: differences "
                                                       "are stored beside the levels.")] = None,
    baseline: Annotated[str, typer.Option(help="Baseline name or directory.")]
    = DEFAULT_BASELINE,
    reporting: Annotated[str | None, typer.Option(help="monthly, quarterly or annual.")] = None,
    frequency: Annotated[str, typer.Option(help="Stored dates: 'period' (the reporting grid) "
                                                "or 'annual' (day-weighted yearly means).")]
    = "period",
    metric: MetricsOpt = None,
    region: RegionsOpt = None,
    chunk_size: Annotated[int, typer.Option(help="Grid points per chunk (one part file "
                                                 "each).")] = 8,
    executor: ExecutorOpt = "process",
    workers: WorkersOpt = None,
    address: AddressOpt = None,
    quiet: QuietOpt = False,
    fail_fast: FailFastOpt = False,
    retry_failed: RetryOpt = False,
    wait: WaitOpt = True,
) -> None:
    """Sweep scenario fields or model parameters over a grid into a results store."""
    from sim.batch import sweep_plan

    _check_reporting(reporting)
    _run_batch(lambda: sweep_plan(str(scenario), param, reference=reference, baseline=baseline,
                                  chunk_size=chunk_size, reporting=reporting,
                                  frequency=frequency, metrics=_split(metric),
                                  regions=_split(region)),
               out, executor, workers, address, quiet, fail_fast, retry_failed, wait)


@app.command("mc")
@friendly_errors
def mc_cmd(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario TOML files or library "
                                                         "names.")],
    out: Annotated[Path, typer.Option(help="Results store directory.")],
    draws: Annotated[int, typer.Option(help="Number of draws.")] = 100,
    seed: Annotated[int, typer.Option(help="Master seed (SeedSequence).")] = 0,
    reference: Annotated[str | None, typer.Option(help="Reference scenario, run with the "
                                                       "same draws (common random numbers)."
                                                  )] = None,
    theta: Annotated[bool, typer.Option(help="Draw the trade elasticities θ.")] = True,
    policy: Annotated[bool, typer.Option(help="Draw the policy uncertainty declared in the "
                                              "scenario files.")] = True,
    channels: Annotated[bool, typer.Option(help="Draw the agreement-channel parameters "
                                                "(goods non-tariff effect, tariff correction, "
                                                "services cut, ...) from their standard "
                                                "errors or ranges.")] = True,
    baseline: Annotated[str, typer.Option(help="Baseline name or directory.")]
    = DEFAULT_BASELINE,
    reporting: Annotated[str | None, typer.Option(help="monthly, quarterly or annual (solve "
                                                       "grid; default the scenario's).")]
    = None,
    frequency: Annotated[str, typer.Option(help="Stored dates: 'annual' (day-weighted "
                                                "yearly means) or 'period'.")] = "annual",
    metric: MetricsOpt = None,
    region: RegionsOpt = None,
    chunk_size: Annotated[int, typer.Option(help="Draws per chunk (one part file each; runs "
                                                 "of a chunk are solved as one batch).")]
    = 25,
    executor: ExecutorOpt = "process",
    workers: WorkersOpt = None,
    address: AddressOpt = None,
    quiet: QuietOpt = False,
    fail_fast: FailFastOpt = False,
    retry_failed: RetryOpt = False,
    wait: WaitOpt = True,
) -> None:
    """Monte Carlo over trade elasticities, declared policy uncertainty and agreement-channel
    parameters into a store."""
    from sim.batch import mc_plan

    _check_reporting(reporting)
    _run_batch(lambda: mc_plan([str(s) for s in scenarios], draws, seed, reference=reference,
                               baseline=baseline, chunk_size=chunk_size, reporting=reporting,
                               frequency=frequency, metrics=_split(metric),
                               regions=_split(region), theta=theta, policy=policy,
                               channels=channels),
               out, executor, workers, address, quiet, fail_fast, retry_failed, wait)


def _check_reporting(reporting: str | None) -> None:
    if reporting is not None and reporting not in ("monthly", "quarterly", "annual"):
        _fail(f"--reporting must be monthly, quarterly or annual, got {reporting!r}", 2)


results_app = typer.Typer(help="Summarise and export batch results stores.",
                          no_args_is_help=True)
app.add_typer(results_app, name="results")


def _open_store(path: Path):
    from sim.batch import ResultsStore

    store = ResultsStore(path)
    for part, reason in store.bad_parts:
        err.print(f"warning: left out {part} ({reason}); rerun the command that made the "
                  "store to recompute it", highlight=False, soft_wrap=True)
    return store


@results_app.command("summarize")
@friendly_errors
def results_summarize_cmd(
    store: Annotated[Path, typer.Argument(help="Results store directory.")],
    metric: Annotated[list[str] | None, typer.Option(help="Metric(s) (default welfare_pct).")]
    = None,
    by: Annotated[list[str] | None, typer.Option(help="Grouping: scenario, reference, region, "
                                                      "year, date, sector, partner, or a "
                                                      "parameter param:PATH (default "
                                                      "scenario, reference, region, year).")]
    = None,
    region: Annotated[list[str] | None, typer.Option(help="Regions (default USA, JPN; 'all' "
                                                          "for every region).")] = None,
    levels: Annotated[bool, typer.Option(help="Show outcomes vs the solved baseline instead "
                                              "of differences vs the reference.")] = False,
) -> None:
    """Quantile bands (p5/p50/p95) over runs, and the sweep response for sweeps."""
    s = _open_store(store)
    regions = _split(region) or ["USA", "JPN"]
    if regions == ["all"]:
        regions = None
    has_ref = bool(s.manifest.get("reference"))
    ref_filter = None if not has_ref else (not levels)
    df = s.summarize(_split(metric), _split(by), regions=regions, reference=ref_filter)
    runs = s.runs()
    n_ok = int((runs["status"] == "ok").sum()) if len(runs) else 0
    what = ("difference vs " + s.manifest["reference"]) if ref_filter else "vs solved baseline"
    fixed = [c for c in ("scenario", "reference", "metric", "unit")
             if c in df.columns and df[c].nunique() == 1 and len(df) > 1]
    label = ", ".join(f"{c} {df[c].iloc[0]}" for c in fixed if c != "reference")
    df = df.drop(columns=fixed)
    table = Table(title=f"{s.kind}: {n_ok} ok runs of {s.manifest.get('runs')}; {label}; "
                        f"{what}")
    for c in df.columns:
        table.add_column(str(c), justify="right" if df[c].dtype.kind in "fi" else "left")
    for row in df.itertuples(index=False):
        table.add_row(*[(f"{v:.4f}" if isinstance(v, float) else str(v)) for v in row])
    console.print(table)
    if s.kind == "sweep":
        for pcol in [c for c in runs.columns if c.startswith("param:")]:
            resp = s.sweep_response(_split(metric)[0] if metric else "welfare_pct",
                                    param=pcol, reference=ref_filter)
            if regions:
                resp = resp[resp.region.isin(regions)]
            t = Table(title=f"sweep response: {pcol[6:]} (mean over dates)")
            params = [c[6:] for c in runs.columns if c.startswith("param:")]
            params.remove(pcol[6:])
            cols = [pcol[6:], *params, "scenario", "reference", "region", "value", "unit"]
            for c in cols:
                t.add_column(c)
            for rec in resp[cols].to_dict("records"):
                t.add_row(*(f"{rec[c]:.4f}" if c == "value" else str(rec[c]) for c in cols))
            console.print(t)
    failed = runs[runs["status"] != "ok"] if len(runs) else runs
    if len(failed):
        console.print(f"[red]{len(failed)} failed runs[/] (see runs table: tradesim results "
                      "export --what runs)")


@results_app.command("export")
@friendly_errors
def results_export_cmd(
    store: Annotated[Path, typer.Argument(help="Results store directory.")],
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
    what: Annotated[str, typer.Option(help="results (tidy rows) or runs (one row per run).")]
    = "results",
) -> None:
    """Export a results store as CSV."""
    path = _open_store(store).export(out, what)
    console.print(f"wrote {path}")


data_app = typer.Typer(help="Build and inspect baselines from source data.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("build")
@friendly_errors
def data_build_cmd(
    name: Annotated[str, typer.Argument(help="icio2022, wiod2014 or wiod2014_full (44 x 50, "
                                             "not committed).")],
    out: Annotated[Path | None, typer.Option(help="Output directory (default: the package's "
                                                  "sim/baselines/NAME).")] = None,
    data: Annotated[Path | None, typer.Option(help="Source data directory (default "
                                                   "$TRADESIM_SHARED_DATA or ../shared/data).")]
    = None,
    io_source: Annotated[Path | None, typer.Option(help="sanction-simulator wheel or its "
                                                        "bench_cache.npz (ICIO coefficients); "
                                                        "default: cache, else pip download.")]
    = None,
    icio_csv: Annotated[Path | None, typer.Option(help="Build from an official OECD ICIO CSV "
                                                       "with final demand instead.")] = None,
    concordances: Annotated[Path | None, typer.Option(help="Directory with region and sector "
                                                           "concordance CSVs.")] = None,
    download: Annotated[bool, typer.Option(help="Allow `pip download` of the registry wheel "
                                                "that carries the ICIO coefficients.")] = True,
) -> None:
    """Rebuild a baseline reproducibly from source data (docs/data.md)."""
    from sim.data.build.commands import build, inspect

    path = build(name, out=out, data_dir=data, io_source=io_source,
                 concordance_dir=concordances, icio_csv=icio_csv, allow_download=download)
    console.print(inspect(path), highlight=False)
    console.print(f"wrote {path}")


@data_app.command("inspect")
@friendly_errors
def data_inspect_cmd(
    name: Annotated[str, typer.Argument(help="Shipped baseline name or directory.")]
    = DEFAULT_BASELINE,
) -> None:
    """Print a baseline's checks against published trade facts and its headline tables."""
    from sim.data.build.commands import inspect

    console.print(inspect(name), highlight=False)


@app.command("metrics")
def metrics_cmd(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/metrics.md (the "
                                                               "registry as a page).")] = False,
) -> None:
    """List every metric tradesim emits: name, unit, how it is compared with a reference."""
    from sim.model.metric_registry import METRICS, metrics_markdown

    if markdown:
        sys.stdout.write(metrics_markdown())
        return
    table = Table(title="Metrics (sim/model/metrics.toml; docs/metrics.md has the "
                        "descriptions)")
    for c in ("name", "unit", "vs reference", "label"):
        table.add_column(c)
    for m in METRICS.values():
        table.add_row(m.name, m.unit, m.reference, m.label)
    console.print(table)


@app.command("app", context_settings={"allow_extra_args": True,
                                      "ignore_unknown_options": True})
def app_command(ctx: typer.Context) -> None:
    """Start the Streamlit app (works from an installed copy; extra options such as
    --server.port 8502 go to ``streamlit run``)."""
    from sim.app.main import launch

    raise typer.Exit(launch(ctx.args))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
