"""Every library scenario's headline numbers equal the golden file to 1e-9 relative.

A failure here means a change moved results. If that was meant, regenerate the file with
``python tests/golden/headline.py --write`` and say in the commit which scenario moved, by how
much and why; never regenerate to make a failure go away.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "golden"
_spec = importlib.util.spec_from_file_location("golden_headline", HERE / "headline.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

PINNED = json.loads(golden.GOLDEN.read_text())
TARIFFS_ONLY = json.loads(golden.TARIFFS_ONLY.read_text())


def test_every_library_scenario_is_pinned():
    """A new library scenario gets golden numbers too."""
    assert sorted(PINNED) == golden.library_scenarios()
    assert sorted(TARIFFS_ONLY) == golden.library_scenarios()


def _moved(name: str, got: dict, want: dict) -> None:
    assert sorted(got) == sorted(want)
    moved = []
    for series, points in want.items():
        assert sorted(got[series]) == sorted(points), f"{name} {series}: dates differ"
        for day, value in points.items():
            new = got[series][day]
            if not math.isclose(new, value, rel_tol=1e-9, abs_tol=1e-12):
                moved.append(f"{series} {day}: {value!r} -> {new!r}")
    assert not moved, f"{name}: {len(moved)} headline numbers moved:\n" + "\n".join(moved[:20])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PINNED))
def test_headline_numbers_unchanged(name):
    _moved(name, golden.headline(name), PINNED[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARIFFS_ONLY))
def test_channels_off_give_the_tariff_only_results(name):
    """With every agreement trade-cost channel off, each library scenario gives exactly the
    results from before the channels existed (issue 12)."""
    _moved(name, golden.headline(name, ()), TARIFFS_ONLY[name])
