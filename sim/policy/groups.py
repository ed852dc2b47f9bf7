"""Named groups of regions, defined once (TPP-12, CPTPP, EU ...).

A group expands to the member codes present in a baseline; a baseline that aggregates a member
into a larger region (Brunei in a rest-of-world block) simply drops it, and the expansion says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["GROUPS", "expand_regions"]

EU27 = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
        "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
        "SWE")

#: Group name -> member codes. Sources: TPP/CPTPP membership from POLICY_FACTS.md (ustr.gov TPP
#: text; mfat.govt.nz CPTPP page); EU27 as of 2020-02-01.
GROUPS: dict[str, tuple[str, ...]] = {
    "TPP12": ("AUS", "BRN", "CAN", "CHL", "JPN", "MYS", "MEX", "NZL", "PER", "SGP", "USA", "VNM"),
    "CPTPP11": ("AUS", "BRN", "CAN", "CHL", "JPN", "MYS", "MEX", "NZL", "PER", "SGP", "VNM"),
    "CPTPP": ("AUS", "BRN", "CAN", "CHL", "JPN", "MYS", "MEX", "NZL", "PER", "SGP", "VNM", "GBR"),
    # the members that ratified first (in force 2018-12-30): the "original" CPTPP members of the
    # 2022 US-beef three-trigger rule
    "CPTPP_ORIGINAL": ("AUS", "CAN", "JPN", "MEX", "NZL", "SGP"),
    "USMCA": ("USA", "CAN", "MEX"),
    "EU": ("EU", *EU27),
    "RCEP": ("AUS", "BRN", "KHM", "CHN", "IDN", "JPN", "KOR", "LAO", "MYS", "MMR", "NZL", "PHL",
             "SGP", "THA", "VNM"),
}


def expand_regions(names: Iterable[str],
                   regions: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Expand region codes and group names against ``regions``.

    Returns ``(present, missing)``: codes found in ``regions`` (in ``regions`` order) and the
    member codes that the baseline does not hold separately.
    """
    wanted: list[str] = []
    for name in names:
        wanted.extend(GROUPS.get(name, (name,)))
    have = set(regions)
    present = tuple(r for r in regions if r in set(wanted))
    missing = tuple(dict.fromkeys(w for w in wanted if w not in have))
    # EU members are held by an "EU" region where the baseline aggregates them
    if "EU" in have and any(w in EU27 for w in missing):
        missing = tuple(m for m in missing if m not in EU27)
    return present, missing


def is_group(name: str) -> bool:
    """Whether ``name`` is a group name."""
    return name in GROUPS
