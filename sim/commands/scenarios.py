"""Plain functions behind ``tradesim check`` and ``tradesim run`` (the CLI wires them in), and
the export of the scenario files' JSON Schema.

``run`` compiles every scenario and the reference once (:func:`sim.scenario.compile_scenario`;
the reference doubles as the scenarios' calibration when it is the same file) and hands the
compiled objects to :func:`sim.run.run_scenario` and :mod:`sim.channels`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.run import against_reference, baseline_with_theta, run_scenario, write_parquet
from sim.scenario.compile import CompiledScenario, compile_scenario
from sim.scenario.loader import ScenarioError, load_calibration, load_scenario
from sim.scenario.models import ScenarioSpec

__all__ = ["check", "export_schema", "run"]

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "scenario_schema.json"


def check(files: Sequence[str | Path], console: Console | None = None,
          errors: Console | None = None) -> int:
    """Validate scenario files as ``run`` does before solving (references resolved,
    ``calibrated_to`` found, dates and horizon bounded); print one line per problem (on
    ``errors``, default ``console``). Exit code 0 if all pass, else 2."""
    con = console or Console()
    econ = errors or con
    bad = 0
    for f in files:
        try:
            s = load_scenario(f)
        except ScenarioError as exc:
            bad += 1
            for line in exc.errors:
                econ.print(f"[red]error[/red] {line}", highlight=False, soft_wrap=True)
            continue
        held = _held_errors(s, f)
        if held:
            bad += 1
            for line in held:
                econ.print(f"[red]error[/red] {escape(line)}", highlight=False, soft_wrap=True)
            continue
        unverified = sum(1 for e in s.spec.events if not getattr(e, "verified", True)) + sum(
            1 for a in s.spec.agreements if not a.verified)
        con.print(f"[green]ok[/green] {f}: {s.name} ({len(s.spec.agreements)} agreements, "
                  f"{len(s.spec.events)} events, {unverified} marked unverified)",
                  highlight=False)
        for line in references(s):
            con.print(f"  {line}", highlight=False, soft_wrap=True)
    return 2 if bad else 0


def _held_errors(s, f) -> list[str]:
    """Events on regions the default baseline does not hold (see sim/scenario/regions.py)."""
    from sim.scenario.regions import check_regions

    return check_regions(s.spec, str(Path(f).name))


def references(s) -> list[str]:
    """The files a scenario's ``extends`` chain and ``calibrated_to`` read, as named to the
    user."""
    out = []
    if len(s.chain) > 1:
        out.append("extends: " + " -> ".join(str(p) for p in s.chain[1:]))
    cal = load_calibration(s)
    if cal is not None:
        out.append(f"calibrated_to: {cal.chain[0] if cal.chain else cal.name}")
    return out


def export_schema(path: Path | str = SCHEMA_FILE) -> Path:
    """Write the JSON Schema of scenario files (``docs/scenario_schema.json``)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(ScenarioSpec.model_json_schema(), indent=1) + "\n")
    return p


def run(scenarios: Sequence[str | Path], reference: str | None = None,
        out: str | Path = "results", baseline: str | None = None, *,
        adjustment_speed: float | None = None, reporting: str | None = None,
        summary_year: int = 2030, console: Console | None = None,
        theta: str | float | None = None, theta_scale: float = 1.0,
        errors: Console | None = None, channels: bool = False) -> int:
    """Run scenarios, write Parquet files into ``out`` and print a summary against the reference.

    ``theta`` picks the elasticities (a ``sectors.csv`` variant such as ``uniform4``, or one
    number for every sector) and ``theta_scale`` multiplies them; both apply to the scenarios
    and the reference alike. Returns 0 on success; a scenario, model or baseline error is
    raised (the command line maps every error to its exit code and message on stderr, one map:
    :func:`sim.cli.exit_code`; ``errors`` is kept for callers and unused). Scenarios whose
    outputs would overwrite one another's (two different scenarios of the same name, or a
    scenario named like the reference) are refused before anything is solved.

    ``channels``: also split each scenario's effect by agreement channel (tariffs, goods
    non-tariff, services, total; :func:`sim.channels.decompose`, three runs per side), write
    ``<name>_channels.parquet`` (the tidy table with a ``channel`` column) and print the
    channel table.
    """
    con = console or Console()
    ref_comp, comps = _compile_all(scenarios, reference, out)
    if theta is not None or theta_scale != 1.0:
        baseline = baseline_with_theta(baseline, theta, theta_scale)
    ref_run, ref_steps = None, None
    if reference is not None:
        con.print(f"reference: {reference}")
        if channels:  # the reference at the three channel steps, shared by every scenario
            from sim.channels import reference_steps

            ref_steps = reference_steps(ref_comp, baseline,
                                        adjustment_speed=adjustment_speed,
                                        reporting=reporting)
            ref_run = ref_steps[-1]
        else:
            ref_run = run_scenario(ref_comp, baseline, adjustment_speed=adjustment_speed,
                                   reporting=reporting)
        write_parquet(ref_run, out)
        # one set of run settings for both sides: the reference's unless overridden
        rs = ref_run.scenario.spec.settings
        adjustment_speed = rs.adjustment_speed if adjustment_speed is None \
            else adjustment_speed
        reporting = rs.reporting if reporting is None else reporting
        con.print(f"run settings for every scenario: λ {adjustment_speed:g}/yr, "
                  f"{reporting} reporting", highlight=False)
    for comp in comps:
        dec = None
        if channels:
            from sim.channels import decompose

            dec = decompose(comp, ref_steps, baseline,
                            adjustment_speed=adjustment_speed, reporting=reporting)
            r = dec.runs[-1]
            r.reference = ref_run
        else:
            r = run_scenario(comp, baseline, ref_run, adjustment_speed=adjustment_speed,
                             reporting=reporting)
        paths = write_parquet(r, out)
        if dec is not None:
            paths.append(_write_channels(dec, out))
        con.print(f"[green]{r.name}[/green]: {r.solves} solves, {r.seconds:.1f} s -> "
                  + ", ".join(str(p) for p in paths), highlight=False)
        for note in r.notes:
            con.print(f"  note: {note}", style="dim", highlight=False)
        _summary(con, r, against_reference(r) if ref_run is not None else None,
                 summary_year)
        if dec is not None:
            _channel_summary(con, dec, summary_year)
    return 0


def _write_channels(dec, out: str | Path) -> Path:
    import os

    path = Path(out) / f"{dec.scenario}_channels.parquet"
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        dec.path.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _channel_summary(con: Console, dec, year: int) -> None:
    from sim.channels import PARTS, channel_table

    against = dec.reference or "the solved baseline"
    t = Table(title=f"{dec.scenario} against {against} by channel, {year} average "
                    "(sequential: tariffs, + goods non-tariff, + services; parts add up to "
                    "the total; unilateral measures on in every part)")
    for c in ("region", "metric", *PARTS):
        t.add_column(c, justify="left" if c in ("region", "metric") else "right")
    tab = channel_table(dec, year, ("welfare_pct", "real_wage_pct", "price_index_pct"))
    for row in tab.itertuples(index=False):
        t.add_row(row.region, row.metric, *(f"{getattr(row, p):,.3f}" for p in PARTS))
    con.print(t)


def _compile_all(scenarios: Sequence[str | Path], reference: str | None, out: str | Path
                 ) -> tuple[CompiledScenario | None, list[CompiledScenario]]:
    """The reference and the scenarios, each compiled once, in that order (the first bad file
    is the one reported). Runs whose ``<name>.parquet`` files would overwrite one another's
    (two different scenarios of one name) are refused before anything is solved."""
    seen: dict[str, tuple[str, str]] = {}

    def claim(src: str | Path, comp: CompiledScenario) -> None:
        if comp.name in seen and seen[comp.name][1] != comp.spec_hash:
            raise ScenarioError([f"{src}: scenario name {comp.name!r} is also the name of "
                                 f"{seen[comp.name][0]} (a different scenario); both would "
                                 f"write {Path(out) / (comp.name + '.parquet')}. Rename one."])
        seen.setdefault(comp.name, (str(src), comp.spec_hash))

    ref = None
    if reference is not None:
        ref = compile_scenario(reference)
        claim(reference, ref)
    comps = []
    for src in scenarios:
        comp = compile_scenario(src, known=[ref] if ref is not None else [])
        claim(src, comp)
        comps.append(comp)
    return ref, comps


def _summary(con: Console, r, diff, year: int) -> None:
    df = diff if diff is not None else r.path
    unit = str(r.path["unit"][r.path["metric"] == "imports_new"].iloc[0]) if (
        r.path["metric"] == "imports_new").any() else "model units"
    title = (f"{r.name} against {r.reference.name}, {year} average (% columns: relative to "
             f"the reference; pp: difference; levels: difference, {unit}/yr; docs/metrics.md)"
             if diff is not None
             else f"{r.name}, {year} average (% columns: change against the solved baseline; "
                  f"levels: {unit}/yr)")
    df = df[df["date"].dt.year == year]
    if df.empty:
        con.print(f"(no periods in {year})")
        return
    from sim.model.metric_registry import difference_unit, metric

    t = Table(title=title)
    t.add_column("region")
    metrics = [(m, metric(m).header) for m in (
        "welfare_pct", "real_wage_pct", "price_index_pct", "exports_new", "imports_new",
        "tariff_revenue_new", "tariff_avg")]
    for m, label in metrics:   # levels' unit is in the title
        u = difference_unit(m, "") if diff is not None else metric(m).unit.replace(
            "baseline", "")
        t.add_column(f"{label} {u}".strip(), justify="right")
    for region in ("USA", "JPN"):
        row = [region]
        for m, _ in metrics:
            v = df[(df.region.astype(str) == region) & (df.metric.astype(str) == m)
                   & (df.partner.astype(str) == "all")]["value"]
            row.append(f"{v.mean():,.3f}" if len(v) else "-")
        t.add_row(*row)
    con.print(t)
    bil = df[(df.metric.astype(str) == "imports") & (df.region.astype(str) == "USA")
             & (df.partner.astype(str) == "JPN")]
    if len(bil):
        what = (f"difference from {r.reference.name}, {unit}/yr" if diff is not None
                else f"level, {unit}/yr at the baseline's prices")
        con.print(f"US imports from Japan ({year}, all goods and services, {what}): "
                  f"{bil.groupby('date')['value'].sum().mean():,.1f}", highlight=False)
