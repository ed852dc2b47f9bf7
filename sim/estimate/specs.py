"""The Advanced Guide's specifications (Yotov et al. 2016, ch. 1, Application 3, Table 3)
on the shipped panel, and the figures published for them.

Published figures are taken from ``../shared/data/README.md``, section ``agtpa_2016/``, which
quotes Table 3 (p. 51) of the guide and the authors' Stata log; the guide's own data readme
(``agtpa_readme.pdf``, read with ``pdftotext``) contains no estimates. Figures of the other
columns (lead, phase-in lags, globalisation controls) were not available to the project, so
those specifications are reproduced and reported without a published figure beside them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.estimate.fit import Estimate

__all__ = ["EFFECT_SPECS", "GUIDE_SPECS", "GUIDE_YEARS", "GuideSpec", "Published",
           "guide_estimate"]

GUIDE_YEARS = "1986:2006:4"
FE = "exporter_year + importer_year"
LAGS = "rta + rta_lag4 + rta_lag8 + rta_lag12"
TABLE3 = ("Yotov, Piermartini, Monteiro & Larch (2016), An Advanced Guide to Trade Policy "
          "Analysis, ch. 1, Table 3 (p. 51)")
QUOTED = "as quoted in ../shared/data/README.md, section agtpa_2016"


@dataclass(frozen=True)
class Published:
    """One published figure and where it was read."""

    value: float
    source: str


@dataclass(frozen=True)
class GuideSpec:
    """A specification of the guide's Table 3 as a tradesim estimate."""

    name: str
    column: str
    title: str
    formula: str
    short: str = ""
    international_only: bool = False
    published: dict[str, Published] = field(default_factory=dict)  # metric -> figure

    def command(self, out: str = "DIR") -> str:
        flag = " --international-only" if self.international_only else ""
        return (f'tradesim estimate --panel agtpa --formula "{self.formula}" --years '
                f"{GUIDE_YEARS}{flag} --cluster pair --out {out}")


GUIDE_SPECS: dict[str, GuideSpec] = {s.name: s for s in [
    GuideSpec(
        "agtpa_international", "(2)",
        "international trade only, ln distance, contiguity, language, colony; no pair FE",
        f"trade ~ ln_dist + cntg + lang + clny + rta | {FE}",
        "international only, gravity covariates", international_only=True,
        published={"rta": Published(0.191, f"{TABLE3}, column (2), {QUOTED}"),
                   "rta std. error": Published(0.066, f"{TABLE3}, column (2), {QUOTED}")}),
    GuideSpec(
        "agtpa_pair_fe", "(4)",
        "intra-national trade included, pair fixed effects",
        f"trade ~ rta | {FE} + pair", "pair fixed effects",
        published={"rta": Published(0.557, f"{TABLE3}, column (4), {QUOTED}"),
                   "rta std. error": Published(0.102, f"{TABLE3}, column (4), {QUOTED}"),
                   "observations": Published(28482, "the authors' Stata log (N = 28,482), "
                                                    f"{QUOTED}")}),
    GuideSpec(
        "agtpa_phase_in", "(6)",
        "pair fixed effects, phase-in lags of 4, 8 and 12 years",
        f"trade ~ {LAGS} | {FE} + pair", "phase-in lags"),
    GuideSpec(
        "agtpa_globalisation", "(7)",
        "phase-in lags and international-border × year terms (globalisation controls)",
        f"trade ~ {LAGS} + i(year, intl, ref=2006) | {FE} + pair",
        "lags + globalisation controls"),
]}

#: shipped agreement-effect files (sim/estimate/effects/NAME.toml)
EFFECT_SPECS = ("agtpa_pair_fe", "agtpa_phase_in", "agtpa_globalisation")


@functools.cache
def guide_estimate(name: str) -> Estimate:
    """The guide's specification ``name`` estimated from the shipped panel (cached in the
    process; treat the result as read-only)."""
    from sim.estimate.fit import estimate

    spec = GUIDE_SPECS[name]
    return estimate("agtpa", spec.formula, years=GUIDE_YEARS,
                    international_only=spec.international_only)
