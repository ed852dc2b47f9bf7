"""``tradesim estimate``: fit, print, write (the CLI in sim/cli.py only parses arguments).

Exit codes: 0 success; 2 bad input (panel file, column and value named) or pyfixest missing;
3 numerical failure (no convergence, non-finite estimates).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.estimate.effects import AgreementEffectError, agreement_effect
from sim.estimate.fit import ConvergenceError, EstimationUnavailable, estimate
from sim.estimate.panel import PanelError

__all__ = ["estimate_command", "reproducing_command"]


def reproducing_command(panel: str, formula: str, years: str | None, cluster: str,
                        international_only: bool, out: Path) -> str:
    """The ``tradesim estimate`` command line that reproduces a run."""
    parts = ["tradesim", "estimate", "--panel", panel, "--formula", formula]
    if years:
        parts += ["--years", years]
    if international_only:
        parts.append("--international-only")
    parts += ["--cluster", cluster, "--out", str(out)]
    return shlex.join(parts)


def estimate_command(panel: str, formula: str, years: str | None, cluster: str, out: Path,
                     international_only: bool = False, max_iterations: int = 25,
                     quiet: bool = False, console: Console | None = None,
                     err: Console | None = None) -> int:
    """Run one estimate; returns the exit code. Errors go to ``err`` without a traceback."""
    console = console or Console()
    err = err or Console(stderr=True)

    def fail(message: str, code: int) -> int:
        err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        return code

    def progress(line: str) -> None:
        if not quiet:
            err.print(escape(line), highlight=False, soft_wrap=True)

    try:
        est = estimate(panel, formula, years=years, cluster=cluster,
                       international_only=international_only, max_iterations=max_iterations,
                       progress=progress)
    except (PanelError, EstimationUnavailable) as exc:
        return fail(str(exc), 2)
    except ConvergenceError as exc:
        return fail(f"numerical failure: {exc}", 3)
    command = reproducing_command(panel, formula, years, cluster, international_only, out)
    est.meta["command"] = command
    written = est.write(out)
    effect = agreement_effect(est, command=command,
                              source=f"panel {panel}; see meta.json in the same directory")
    if effect is not None:
        try:
            written.append(effect.write(Path(out) / "agreement_effect.toml"))
        except (OSError, AgreementEffectError) as exc:
            return fail(f"{out}: cannot write agreement_effect.toml ({exc})", 2)
    if not quiet:
        meta = est.meta
        console.print(f"PPML: {formula}", highlight=False, soft_wrap=True)
        table = Table(title=f"{meta['observations_used']:,} obs. ({meta['observations_dropped']:,}"
                            f" dropped), clustered by {cluster}, {meta['seconds']:.1f} s")
        for col in ("term", "estimate", "std. error", "z", "p"):
            table.add_column(col, justify="left" if col == "term" else "right")
        for r in est.table.itertuples(index=False):
            table.add_row(r.term, f"{r.estimate:.4f}", f"{r.std_error:.4f}", f"{r.z:.2f}",
                          f"{r.p_value:.3g}")
        console.print(table)
        if effect is not None:
            console.print(f"agreement effect: total {effect.total:.4f} (s.e. "
                          f"{effect.std_error:.4f}); share reached at "
                          + ", ".join(f"{h} y: {s:.2f}" for h, s in
                                      zip(effect.horizons, effect.share_of_total, strict=True)),
                          highlight=False)
        console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)
    return 0
