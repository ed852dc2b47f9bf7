"""The command line: ``tradesim`` (typer). Thin: parsing, printing, exit codes.

Exit codes: 0 success; 1 a validation check missed; 2 bad input (file, field and value named,
no traceback) or missing data; 3 numerical failure (no convergence, NaN).
"""

from __future__ import annotations

import functools
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


def _fail(message: str, code: int) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's input and solver errors into a message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sim.data.baseline import BaselineError
        from sim.data.shock import ShockError
        from sim.model import EconomyError, ModelInputError, SolverError

        try:
            return func(*args, **kwargs)
        except (BaselineError, ShockError, ModelInputError, EconomyError) as exc:
            _fail(str(exc), 2)
        except SolverError as exc:
            _fail(f"numerical failure: {exc}", 3)
        except KeyboardInterrupt:
            _fail("interrupted", 130)

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
    columns = {"welfare_pct": "welfare %", "real_wage_pct": "real wage %",
               "price_index_pct": "prices %", "tot_pct": "ToT %", "vot_pct": "VoT %",
               "welfare_cp_pct": "CP total %"}
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
def validate_cmd(
    data: Annotated[Path | None, typer.Option(help="Directory with the validation data "
                                                   "(default $TRADESIM_SHARED_DATA or "
                                                   "../shared/data).")] = None,
) -> None:
    """Reproduce the published results (Caliendo-Parro 2015 NAFTA, ACR, gegravity sample)."""
    from sim.validation import DataMissing, default_data_dir, run_validation

    data_dir = data if data is not None else default_data_dir()
    try:
        checks = run_validation(data_dir)
    except DataMissing as exc:
        _fail(f"validation data not found in {data_dir}: {exc}. Pass --data DIR (the "
              "directory holding caliendo_parro_2015/ and gegravity_sample/).", 2)
        return
    table = Table(title="tradesim validate: published vs reproduced")
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
    if misses:
        raise typer.Exit(1)


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
) -> None:
    """Run scenarios on the SimPy policy timeline and write tidy results (Parquet)."""
    from sim.scenario.commands import run

    if reporting is not None and reporting not in ("monthly", "quarterly", "annual"):
        _fail(f"--reporting must be monthly, quarterly or annual, got {reporting!r}", 2)
    code = run([str(s) for s in scenarios], reference=reference, out=out, baseline=baseline,
               adjustment_speed=adjustment_speed, reporting=reporting,
               summary_year=summary_year, console=console)
    raise typer.Exit(code)


@app.command("check")
def check_cmd(
    files: Annotated[list[Path], typer.Argument(help="Scenario TOML files to validate.")],
) -> None:
    """Validate scenario files; errors name file, line, field and value (exit 2)."""
    from sim.scenario.commands import check

    raise typer.Exit(check([str(f) for f in files], console=console))


data_app = typer.Typer(help="Build and inspect baselines from source data.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")


def _build_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sim.data.build import BuildError

        try:
            return func(*args, **kwargs)
        except BuildError as exc:
            _fail(str(exc), 2)

    return wrapper


@data_app.command("build")
@_build_errors
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
@_build_errors
def data_inspect_cmd(
    name: Annotated[str, typer.Argument(help="Shipped baseline name or directory.")]
    = DEFAULT_BASELINE,
) -> None:
    """Print a baseline's checks against published trade facts and its headline tables."""
    from sim.data.build.commands import inspect

    console.print(inspect(name), highlight=False)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
