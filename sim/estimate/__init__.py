"""Structural-gravity estimation (PPML with high-dimensional fixed effects) and agreement
effects for scenarios. See docs/estimation.md.

Layering: numpy/pandas level; imports nothing from ``sim.app``; ``sim.model`` does not import
it. The PPML fit uses the optional library pyfixest (``pip install -e '.[estimate]'``),
imported only when a fit runs.

>>> from sim.estimate import estimate, load_agreement_effect
>>> est = estimate("agtpa", "trade ~ rta | exporter_year + importer_year + pair",
...                years="1986:2006:4")                                  # doctest: +SKIP
>>> load_agreement_effect("agtpa_phase_in").total                       # doctest: +SKIP
"""

from sim.estimate.effects import (
    AgreementEffect,
    AgreementEffectError,
    agreement_effect,
    list_agreement_effects,
    load_agreement_effect,
)
from sim.estimate.fit import ConvergenceError, Estimate, EstimationUnavailable, estimate
from sim.estimate.panel import Panel, PanelError, load_panel, parse_years

__all__ = ["AgreementEffect", "AgreementEffectError", "ConvergenceError", "Estimate",
           "EstimationUnavailable", "Panel", "PanelError", "agreement_effect", "estimate",
           "list_agreement_effects", "load_agreement_effect", "load_panel", "parse_years"]
