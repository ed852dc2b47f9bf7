r"""Structural gravity by PPML with high-dimensional fixed effects (pyfixest ``fepois``).

The model (Yotov, Piermartini, Monteiro & Larch 2016, ch. 1, eq. 1-36):

.. math::

    X_{ij,t} = \exp\big(\pi_{i,t} + \chi_{j,t} + \mu_{ij} + \beta' z_{ij,t}\big)\,
               \varepsilon_{ij,t}

estimated by Poisson pseudo-maximum likelihood: :math:`\hat\beta` solves
:math:`\sum_{ij,t} (X_{ij,t} - \hat\mu_{ij,t})\, z_{ij,t} = 0` with
:math:`\hat\mu = \exp(\cdot)`, the fixed effects projected out at each IRLS step.
Observations in a fixed-effect group whose trade is zero throughout (e.g. a pair that never
trades) carry no information and are dropped; ``meta.json`` counts them.

Standard errors, ``--cluster pair`` (default): one-way cluster-robust (CRV1) by the unordered
pair, each intra-national pair its own cluster, with the small-sample factor G/(G−1) and no
k-adjustment, :math:`V = \frac{G}{G-1} H^{-1} \big(\sum_g s_g s_g'\big) H^{-1}`. That is what
Stata's ``ppml ..., cluster(pair_id)`` reports (the guide's convention; in pyfixest
``ssc(k_adj=False, G_adj=True)``). ``--cluster none`` gives heteroskedasticity-robust errors
with no small-sample factor; any other panel column clusters on that column.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.estimate.panel import Panel, PanelError, load_panel, parse_years

__all__ = ["SE_CONVENTION", "ConvergenceError", "Estimate", "EstimationUnavailable",
           "estimate", "formula_parts"]

INSTALL_HINT = "pip install -e '.[estimate]'"
SE_CONVENTION = ("CRV1 with small-sample factor G/(G-1), no k-adjustment: Stata "
                 "`ppml ..., cluster()` as in Yotov et al. (2016); pyfixest "
                 "ssc(k_adj=False, G_adj=True)")
HETERO_CONVENTION = "heteroskedasticity-robust (HC0, no small-sample factor)"
#: identifiers in a formula that are functions or keywords of the formula language
_FORMULA_WORDS = {"i", "C", "I", "log", "exp", "ref", "ref2", "np", "sw", "sw0", "csw",
                  "csw0", "mvsw", "poly"}
_NOT_COLUMNS = re.compile(r"""(['"]).*?\1""")


class EstimationUnavailable(RuntimeError):
    """The optional estimation library (pyfixest) is not installed."""


class ConvergenceError(RuntimeError):
    """Numerical failure: the fit did not converge or gave non-finite numbers."""


@dataclass
class Estimate:
    """A fitted gravity equation: tidy coefficients, their covariance and the metadata."""

    table: pd.DataFrame           # term, estimate, std_error, z, p_value, ci_low, ci_high
    vcov: pd.DataFrame            # term × term
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def terms(self) -> list[str]:
        return list(self.table["term"])

    def coef(self, term: str) -> float:
        return float(self.table.set_index("term").loc[term, "estimate"])

    def std_error(self, term: str) -> float:
        return float(self.table.set_index("term").loc[term, "std_error"])

    def write(self, out: str | Path) -> list[Path]:
        """Write ``estimates.csv``, ``vcov.csv`` and ``meta.json`` into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "estimates.csv", out / "vcov.csv", out / "meta.json"]
        self.table.to_csv(paths[0], index=False, float_format="%.10g")
        self.vcov.to_csv(paths[1], index_label="term", float_format="%.10g")
        paths[2].write_text(json.dumps(self.meta, indent=2) + "\n", encoding="utf-8")
        return paths


def formula_parts(formula: str) -> tuple[str, str, list[str]]:
    """``"y ~ x1 + x2 | fe1 + fe2"`` → (``y``, ``x1 + x2``, [``fe1``, ``fe2``])."""
    if formula.count("~") != 1:
        raise PanelError(f"--formula {formula!r}: needs one '~' (e.g. \"trade ~ rta | "
                         "exporter_year + importer_year + pair\")")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    parts = [p.strip() for p in rhs.split("|")]
    if len(parts) > 2:
        raise PanelError(f"--formula {formula!r}: at most one '|' (regressors | fixed effects)")
    fixed = [f.strip() for f in parts[1].split("+") if f.strip()] if len(parts) == 2 else []
    return lhs, parts[0], fixed


def _identifiers(text: str) -> list[str]:
    """Column names a formula part refers to (function names and keywords left out)."""
    text = _NOT_COLUMNS.sub("", text)
    names = []
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_.]*", text):
        rest = text[m.end():].lstrip()
        if rest.startswith("(") or (rest.startswith("=") and not rest.startswith("==")):
            continue
        if m.group(0) in _FORMULA_WORDS:
            continue
        names.append(m.group(0))
    return list(dict.fromkeys(names))


def _check_columns(panel: Panel, data: pd.DataFrame, formula: str) -> tuple[str, list[str],
                                                                             list[str]]:
    lhs, regressors, fixed = formula_parts(formula)
    columns = set(panel.columns)
    for name in [lhs, *_identifiers(regressors), *fixed]:
        if name not in columns:
            raise PanelError(f"--formula names the unknown column {name!r}: {panel.path} has "
                             f"{', '.join(panel.columns)}")
    y = pd.to_numeric(data[lhs], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(y).all() or (y < 0).any():
        k = int(np.flatnonzero(~np.isfinite(y) | (y < 0))[0])
        raise PanelError(f"{panel.path}: column {lhs!r} (the dependent variable) has the "
                         f"value {data[lhs].iloc[k]!r} (line {int(data.index[k]) + 2}); "
                         "it must be a number ≥ 0")
    used = [n for n in _identifiers(regressors) if n in columns]
    for name in used:
        values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            shown = data[name].iloc[k]
            hint = (" (ln_dist is missing where dist ≤ 0)" if name == "ln_dist" else "")
            raise PanelError(f"{panel.path}: column {name!r} has the value {shown!r} "
                             f"(line {int(data.index[k]) + 2}), not a finite number{hint}")
    return lhs, used, fixed


def _estimation_sample(y: np.ndarray, codes: list[np.ndarray]) -> np.ndarray:
    """Rows kept: drop, until nothing changes, rows of fixed-effect groups whose dependent
    variable sums to zero (their fixed effect would be −∞; they carry no information)."""
    keep = np.ones(len(y), dtype=bool)
    while True:
        before = keep.sum()
        for c in codes:
            totals = np.bincount(c[keep], weights=y[keep], minlength=int(c.max()) + 1)
            keep &= totals[c] > 0
        if keep.sum() == before:
            return keep


def _term_column(term: str, data: pd.DataFrame) -> np.ndarray | None:
    """The regressor column behind a pyfixest term name, where it can be rebuilt: a panel
    column, or an interaction ``var::level:other`` from ``i(var, other)``."""
    if term in data.columns:
        return pd.to_numeric(data[term]).to_numpy(dtype=float)
    m = re.fullmatch(r"(\w+)::(.+?)(?::(\w+))?", term)
    if m and m.group(1) in data.columns:
        level = m.group(2)
        base = data[m.group(1)].astype(str).to_numpy() == level
        if not base.any():
            try:
                base = data[m.group(1)].to_numpy() == float(level)
            except ValueError:
                return None
        other = (pd.to_numeric(data[m.group(3)]).to_numpy(dtype=float) if m.group(3)
                 else 1.0)
        return base * other
    return None


def _check_collinear(terms: list[str], sub: pd.DataFrame, fixed: list[str],
                     path: Path) -> None:
    """Raise if a regressor is absorbed by the fixed effects (or by earlier regressors) on
    the estimation sample: ‖M_FE x‖ ≤ 10⁻⁶ ‖x‖, M_FE the within projection."""
    from pyfixest.estimation import demean

    columns, names = [], []
    for term in terms:
        col = _term_column(term, sub)
        if col is not None:
            columns.append(col)
            names.append(term)
    if not columns:
        return
    x = np.column_stack(columns).astype(float)
    if fixed:
        flist = np.column_stack([pd.factorize(sub[f])[0] for f in fixed]).astype(np.uint64)
        resid, _ = demean(x, flist, np.ones(len(sub)), tol=1e-10, maxiter=100_000)
    else:
        resid = x - x.mean(axis=0)
    norms = np.linalg.norm(x, axis=0)
    for k, name in enumerate(names):
        r = resid[:, k]
        if np.linalg.norm(r) <= 1e-6 * max(norms[k], 1e-300):
            what = ("the fixed effects " + " + ".join(fixed)) if fixed else "the constant"
            raise PanelError(f"{path}: regressor {name!r} is collinear with {what} (it does "
                             "not vary within them, so its coefficient is not identified); "
                             "remove it or change the fixed effects")
        if k:
            prev = resid[:, :k]
            beta, *_ = np.linalg.lstsq(prev, r, rcond=None)
            if np.linalg.norm(r - prev @ beta) <= 1e-6 * np.linalg.norm(r):
                raise PanelError(f"{path}: regressor {name!r} is collinear with "
                                 f"{', '.join(names[:k])} given the fixed effects; remove one")


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("tradesim", "pyfixest", "numpy", "pandas"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _fit(formula: str, frame: pd.DataFrame, vcov: Any, cluster: str, max_iterations: int,
         used: list[str], fixed: list[str], path: Path) -> Any:
    """pyfixest's ``fepois`` with the guide's conventions; its errors become ours."""
    import pyfixest as pf

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = pf.fepois(formula, data=frame, vcov=vcov,
                            ssc=pf.ssc(k_adj=False, G_adj=cluster != "none"),
                            iwls_maxiter=max_iterations, fixef_rm="none")
    except Exception as exc:
        name = type(exc).__name__
        if "Formula" in name or "Factor" in name or "Parsing" in name:
            raise PanelError(f"--formula {formula!r}: {exc}") from None
        if "collinear" in str(exc).lower():
            plain = [t.strip() for t in formula_parts(formula)[1].split("+")]
            _check_collinear([t for t in plain if t in used], frame, fixed, path)
            raise PanelError(f"{path}: the regressors are collinear with the fixed "
                             f"effects ({' '.join(str(exc).split())})") from None
        raise ConvergenceError(f"the PPML fit failed: {name}: {exc}") from None
    if not fit.convergence:
        raise ConvergenceError(f"the PPML fit did not converge in {max_iterations} IRLS "
                               "iterations (raise --max-iterations, or check the panel for "
                               "regressors that separate zero flows)")
    return fit


def estimate(panel: Panel | str | Path | pd.DataFrame, formula: str,
             years: str | list[int] | None = None, cluster: str = "pair",
             international_only: bool = False, max_iterations: int = 25,
             progress: Callable[[str], None] | None = None) -> Estimate:
    """Fit ``formula`` (pyfixest syntax: ``dep ~ regressors | fixed effects``) by PPML.

    ``years``: ``"1986:2006:4"`` or a list (default all); ``cluster``: ``"pair"`` (default,
    see the module docstring), ``"none"`` or a panel column; ``international_only`` drops
    rows with exporter = importer. Raises :class:`PanelError` (bad input),
    :class:`ConvergenceError` (numerical failure) or :class:`EstimationUnavailable`.
    """
    started = time.perf_counter()
    if not isinstance(panel, Panel):
        panel = load_panel(panel)
    year_list = parse_years(years) if not isinstance(years, list) else sorted(years)
    data = panel.data
    if year_list is not None:
        data = data[data["year"].isin(year_list)]
        if data.empty:
            have = sorted(panel.data["year"].unique())
            raise PanelError(f"{panel.path}: column 'year' has no rows for --years "
                             f"{years!r} (the panel has {have[0]}–{have[-1]})")
    if international_only:
        data = data[data["intl"] == 1]
        if data.empty:
            raise PanelError(f"{panel.path}: no international rows (exporter ≠ importer)")
    lhs, used, fixed = _check_columns(panel, data, formula)
    if max_iterations < 1:
        raise PanelError(f"--max-iterations must be ≥ 1, got {max_iterations}")
    if cluster == "none":
        vcov: Any = "hetero"
        cluster_column, convention = None, HETERO_CONVENTION
    else:
        cluster_column = "cluster_pair" if cluster == "pair" else cluster
        if cluster_column not in data.columns:
            raise PanelError(f"--cluster {cluster!r}: not a column of {panel.path} (use "
                             "'pair', 'none' or a column name)")
        vcov, convention = {"CRV1": cluster_column}, SE_CONVENTION
    try:
        import pyfixest  # noqa: F401  (optional: the `estimate` extra)
    except ImportError:
        raise EstimationUnavailable("structural-gravity estimation needs the optional "
                                    f"library pyfixest: {INSTALL_HINT}") from None

    y = data[lhs].to_numpy(dtype=float)
    codes = [pd.factorize(data[f])[0] for f in fixed]
    keep = _estimation_sample(y, codes) if codes else y >= 0
    if not keep.any():
        raise PanelError(f"{panel.path}: column {lhs!r} is zero in every row left")
    if progress is not None:
        levels = ", ".join(f"{f} {data[f].nunique():,}" for f in fixed) or "none"
        progress(f"PPML: {int(keep.sum()):,} observations, fixed effects: {levels} ...")
    frame = data.loc[keep].reset_index(drop=True)
    fit = _fit(formula, frame, vcov, cluster, max_iterations, used, fixed, panel.path)
    tidy = fit.tidy()
    terms = [str(t) for t in tidy.index]
    plain = [t.strip() for t in formula_parts(formula)[1].split("+")]
    dropped = [t for t in plain if t in used and t not in terms]
    ordered = list(dict.fromkeys([t for t in plain if t in used] + terms))
    _check_collinear(ordered, frame, fixed, panel.path)
    if dropped:
        raise PanelError(f"{panel.path}: regressor(s) {', '.join(map(repr, dropped))} are "
                         "collinear with other regressors or the fixed effects (dropped by "
                         "the fit); remove them")
    cov = np.asarray(fit._vcov, dtype=float)  # pyfixest has no public accessor for V
    se = tidy["Std. Error"].to_numpy(dtype=float)
    if cov.shape != (len(terms), len(terms)) or not np.allclose(np.sqrt(np.diag(cov)), se,
                                                                 rtol=1e-10, atol=0):
        raise ConvergenceError("pyfixest's covariance matrix does not match its standard "
                               "errors (an unsupported pyfixest version?)")
    est = tidy["Estimate"].to_numpy(dtype=float)
    if not (np.isfinite(est).all() and np.isfinite(cov).all()):
        raise ConvergenceError("the PPML fit returned non-finite estimates or standard errors")
    z = est / se
    p = np.array([math.erfc(abs(v) / math.sqrt(2.0)) for v in z])
    table = pd.DataFrame({"term": terms, "estimate": est, "std_error": se, "z": z,
                          "p_value": p, "ci_low": est - 1.959963984540054 * se,
                          "ci_high": est + 1.959963984540054 * se})
    n_used = len(fit.resid())
    meta = {
        "formula": formula,
        "panel": panel.name,
        "panel_file": str(panel.path),
        "years": sorted(int(v) for v in data["year"].unique()),
        "international_only": international_only,
        "observations_in_years": len(data),
        "observations_used": int(n_used),
        "observations_dropped": int(len(data) - n_used),
        "dropped_because": "fixed-effect groups (e.g. pairs) whose trade is zero in every "
                           "year: no information for PPML",
        "fixed_effects": {f: int(frame[f].nunique()) for f in fixed},
        "fixed_effect_levels_dropped": {f: int(data[f].nunique() - frame[f].nunique())
                                        for f in fixed},
        "cluster": cluster,
        "cluster_variable": cluster_column,
        "clusters": int(frame[cluster_column].nunique()) if cluster_column else None,
        "standard_errors": convention,
        "converged": True,
        "deviance": float(fit.deviance),
        "versions": _versions(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Estimate(table=table, vcov=pd.DataFrame(cov, index=terms, columns=terms),
                    meta=meta)
