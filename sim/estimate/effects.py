r"""Agreement effects: what an estimated agreement dummy means for trade, as a small file.

From an estimate with the agreement dummy ``rta`` and optionally its lags ``rta_lag4``,
``rta_lag8``, ``rta_lag12`` (dummies that switch on 4, 8, 12 years after entry into force):

* total partial effect :math:`B = \sum_k \beta_k` with standard error
  :math:`\sqrt{\mathbf 1' V \mathbf 1}` (V: the covariance of those terms; the guide's
  ``lincom``);
* phase-in: the effect reached h years after entry, :math:`B_h = \sum_{k \le h} \beta_k`, for
  h = 0, 4, 8, 12, its standard error, and its share of the total :math:`B_h / B`
  (an estimate without lags has share 1 from entry; NaN if B = 0);
* the change in bilateral trade costs in the general-equilibrium model with trade elasticity
  θ: :math:`\hat\tau = \exp(-B/\theta)` (:meth:`AgreementEffect.trade_cost_factor`). The
  dummy also captures the agreements' tariff cuts; see docs/estimation.md on double counting.

Files are TOML (``DIR/agreement_effect.toml`` from ``tradesim estimate``; shipped files in
``sim/estimate/effects/NAME.toml``, loaded by :func:`load_agreement_effect`).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EFFECTS_DIR", "HORIZONS", "LAG_TERMS", "AgreementEffect", "AgreementEffectError",
           "agreement_effect", "list_agreement_effects", "load_agreement_effect",
           "write_shipped_effects"]

EFFECTS_DIR = Path(__file__).resolve().parent / "effects"
HORIZONS = (0, 4, 8, 12)
#: term -> years after entry into force from which it applies
LAG_TERMS = {"rta": 0, "rta_lag4": 4, "rta_lag8": 8, "rta_lag12": 12}


class AgreementEffectError(ValueError):
    """An agreement-effect file is missing or malformed (message names file and field)."""


@dataclass(frozen=True)
class AgreementEffect:
    """The total effect of an agreement on members' trade and its phase-in profile."""

    name: str
    description: str
    total: float
    std_error: float
    terms: tuple[str, ...]
    coefficients: tuple[float, ...]
    horizons: tuple[int, ...]
    cumulative: tuple[float, ...]
    cumulative_std_error: tuple[float, ...]
    share_of_total: tuple[float, ...]
    formula: str
    panel: str
    years: tuple[int, ...]
    observations: int
    cluster: str
    standard_errors: str
    command: str
    source: str

    def trade_cost_factor(self, theta: float) -> float:
        """τ̂ = exp(−B/θ): the bilateral trade-cost change equivalent to the total effect."""
        return math.exp(-self.total / theta)

    def to_toml(self) -> str:
        """The file text (numbers at full precision, so reading it back is exact)."""

        def value(v: Any) -> str:
            if isinstance(v, str):
                return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if isinstance(v, tuple | list):
                return "[" + ", ".join(value(x) for x in v) + "]"
            return repr(v)

        lines = [
            "# tradesim agreement effect (structural gravity, PPML). Written by tradesim; "
            "see docs/estimation.md.",
            "# total = sum of the agreement terms (log points of trade between members);",
            "# trade-cost change in the GE model: tau_hat = exp(-total / theta).",
            f"name = {value(self.name)}",
            f"description = {value(self.description)}",
            "",
            "[effect]",
            f"total = {value(self.total)}",
            f"std_error = {value(self.std_error)}",
            f"terms = {value(self.terms)}",
            f"coefficients = {value(self.coefficients)}",
            "",
            "[phase_in]",
            "# effect reached h years after entry into force: sum of the terms with lag <= h",
            f"years_after_entry = {value(self.horizons)}",
            f"cumulative = {value(self.cumulative)}",
            f"cumulative_std_error = {value(self.cumulative_std_error)}",
            f"share_of_total = {value(self.share_of_total)}",
            "",
            "[estimate]",
            f"formula = {value(self.formula)}",
            f"panel = {value(self.panel)}",
            f"years = {value(self.years)}",
            f"observations = {value(self.observations)}",
            f"cluster = {value(self.cluster)}",
            f"standard_errors = {value(self.standard_errors)}",
            f"command = {value(self.command)}",
            f"source = {value(self.source)}",
        ]
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_toml(), encoding="utf-8")
        return path


def agreement_effect(est: Any, name: str = "estimate", description: str = "",
                     command: str = "", source: str = "") -> AgreementEffect | None:
    """The agreement effect of an :class:`~sim.estimate.fit.Estimate`, or ``None`` if it has
    no ``rta`` term."""
    terms = [t for t in LAG_TERMS if t in est.terms]
    if "rta" not in terms:
        return None
    beta = np.array([est.coef(t) for t in terms])
    cov = est.vcov.loc[terms, terms].to_numpy(dtype=float)
    total = float(beta.sum())
    cumulative, cum_se = [], []
    for h in HORIZONS:
        w = np.array([1.0 if LAG_TERMS[t] <= h else 0.0 for t in terms])
        cumulative.append(float(w @ beta))
        cum_se.append(float(math.sqrt(w @ cov @ w)))
    meta = est.meta
    return AgreementEffect(
        name=name, description=description, total=total, std_error=cum_se[-1],
        terms=tuple(terms), coefficients=tuple(float(b) for b in beta),
        horizons=HORIZONS, cumulative=tuple(cumulative), cumulative_std_error=tuple(cum_se),
        share_of_total=tuple(c / total if total != 0 else math.nan for c in cumulative),
        formula=meta["formula"],
        panel=meta["panel"], years=tuple(meta["years"]),
        observations=int(meta["observations_used"]), cluster=meta["cluster"],
        standard_errors=meta["standard_errors"], command=command, source=source)


def _path(name: str | Path) -> Path:
    path = Path(name)
    if path.suffix == ".toml" or path.parent != Path("."):
        return path
    return EFFECTS_DIR / f"{name}.toml"


def list_agreement_effects() -> list[str]:
    """Names of the shipped agreement-effect files."""
    return sorted(p.stem for p in EFFECTS_DIR.glob("*.toml"))


def load_agreement_effect(name: str | Path) -> AgreementEffect:
    """Load a shipped agreement effect by name (e.g. ``"agtpa_phase_in"``, see
    :func:`list_agreement_effects`) or any agreement-effect TOML file by path."""
    path = _path(name)
    if not path.is_file():
        raise AgreementEffectError(f"{path}: agreement-effect file not found (shipped: "
                                   f"{', '.join(list_agreement_effects())})")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AgreementEffectError(f"{path}: not valid TOML ({exc})") from None
    try:
        e, p, s = doc["effect"], doc["phase_in"], doc["estimate"]
        return AgreementEffect(
            name=str(doc["name"]), description=str(doc.get("description", "")),
            total=float(e["total"]), std_error=float(e["std_error"]),
            terms=tuple(e["terms"]), coefficients=tuple(float(v) for v in e["coefficients"]),
            horizons=tuple(int(v) for v in p["years_after_entry"]),
            cumulative=tuple(float(v) for v in p["cumulative"]),
            cumulative_std_error=tuple(float(v) for v in p["cumulative_std_error"]),
            share_of_total=tuple(float(v) for v in p["share_of_total"]),
            formula=str(s["formula"]), panel=str(s["panel"]),
            years=tuple(int(v) for v in s["years"]), observations=int(s["observations"]),
            cluster=str(s["cluster"]), standard_errors=str(s["standard_errors"]),
            command=str(s.get("command", "")), source=str(s.get("source", "")))
    except KeyError as exc:
        raise AgreementEffectError(f"{path}: field {exc.args[0]!r} missing") from None
    except (TypeError, ValueError) as exc:
        raise AgreementEffectError(f"{path}: bad value ({exc})") from None


AGTPA_SOURCE = ("Panel: Yotov, Piermartini, Monteiro & Larch (2016), An Advanced Guide to "
                "Trade Policy Analysis: The Structural Gravity Model, UNCTAD and WTO "
                "(CC BY 4.0), shipped as sim/estimate/data/agtpa.csv.gz")


def shipped_effect(name: str) -> AgreementEffect:
    """Estimate the shipped effect ``name`` afresh from the shipped panel."""
    from sim.estimate.specs import GUIDE_SPECS, guide_estimate

    spec = GUIDE_SPECS[name]
    est = guide_estimate(name)
    effect = agreement_effect(est, name=name,
                              description=f"Advanced Guide Table 3 column {spec.column}: "
                                          f"{spec.title}",
                              command=spec.command(), source=AGTPA_SOURCE)
    assert effect is not None
    return effect


def write_shipped_effects(directory: Path = EFFECTS_DIR) -> list[Path]:
    """Re-estimate and write every shipped agreement-effect file."""
    from sim.estimate.specs import EFFECT_SPECS

    return [shipped_effect(name).write(directory / f"{name}.toml") for name in EFFECT_SPECS]
