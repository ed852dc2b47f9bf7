"""Gravity rows of ``tradesim validate``: the guide's Table 3 reproduced from the shipped panel.

Each specification of :data:`sim.estimate.specs.GUIDE_SPECS` is estimated from
``sim/estimate/data/agtpa.csv.gz`` (no ``../shared`` needed) and reported as
:class:`sim.data.shared.Check` rows: published beside reproduced, tolerance 0.002 on
coefficients and standard errors (0 on the observation count). Specifications without a
published figure available to the project are reported as ``info`` rows (published = None).
"""

from __future__ import annotations

import pandas as pd

from sim.data.shared import Check
from sim.estimate.effects import agreement_effect
from sim.estimate.specs import GUIDE_SPECS, guide_estimate

__all__ = ["TOLERANCE", "gravity_checks", "gravity_table"]

TOLERANCE = 0.002
CASE = "Gravity, Yotov et al. (2016) Table 3 {column}: {title}"
NOT_PUBLISHED = ("reproduced only: the published figure of this column was not available to "
                 "the project (Yotov et al. 2016, Table 3, p. 51)")


def gravity_checks() -> list[Check]:
    """Published against reproduced for the guide's specifications (needs pyfixest)."""
    checks: list[Check] = []
    for name, spec in GUIDE_SPECS.items():
        est = guide_estimate(name)
        case = CASE.format(column=spec.column, title=spec.short)
        lag_terms = [t for t in est.terms if t.startswith("rta")]
        for term in lag_terms:
            for metric, value in ((term, est.coef(term)),
                                  (f"{term} std. error", est.std_error(term))):
                pub = spec.published.get(metric)
                checks.append(Check(case, "all", metric, None if pub is None else pub.value,
                                    value, None if pub is None else TOLERANCE,
                                    NOT_PUBLISHED if pub is None else pub.source))
        effect = agreement_effect(est)
        if effect is not None and len(effect.terms) > 1:
            for metric, value in (("total (sum of rta terms)", effect.total),
                                  ("total std. error", effect.std_error)):
                checks.append(Check(case, "all", metric, None, value, None, NOT_PUBLISHED))
        pub = spec.published.get("observations")
        if pub is not None:
            checks.append(Check(case, "all", "observations", pub.value,
                                float(est.meta["observations_used"]), 0.0, pub.source))
    return checks


def gravity_table() -> pd.DataFrame:
    """:func:`gravity_checks` as a table for the app's Validation page."""
    rows = []
    for c in gravity_checks():
        rows.append({"specification": c.case.split(": ", 1)[1],
                     "column": c.case.split("Table 3 ")[1].split(")")[0] + ")",
                     "term": c.metric, "published": c.published, "reproduced": c.reproduced,
                     "tolerance": c.tolerance,
                     "result": {True: "pass", False: "MISS", None: "info"}[c.passed],
                     "source": c.source})
    return pd.DataFrame(rows)
