"""Policy layer: measures, agreements, staging, product lines -> tariff arrays at a date.

Imports numpy only (no SimPy, no Streamlit). Axis convention ``[exporter, importer, sector]``.
"""

from sim.policy.groups import GROUPS, expand_regions
from sim.policy.lines import ProductLine, load_lines
from sim.policy.model import Agreement, Concession, Measure, Member, Policy, Scope
from sim.policy.staging import Equal, Free, Keep, Path, Stages, cuts_made
from sim.policy.tariffs import TariffModel, load_mfn_table

__all__ = [
    "GROUPS",
    "Agreement",
    "Concession",
    "Equal",
    "Free",
    "Keep",
    "Measure",
    "Member",
    "Path",
    "Policy",
    "ProductLine",
    "Scope",
    "Stages",
    "TariffModel",
    "cuts_made",
    "expand_regions",
    "load_lines",
    "load_mfn_table",
]
