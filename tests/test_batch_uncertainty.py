"""Policy uncertainty in scenario files: validation, realisation, inheritance."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from batch_helpers import TARIFF, scenario_files

from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.uncertainty import realize


def _rng(seed):
    return lambda name: np.random.default_rng([seed, len(name)])


def test_library_declares_ieepa_and_section_122_uncertainty():
    """historical declares the IEEPA ruling and the Section 122 end with sources; tpp12
    inherits them."""
    for name in ("historical", "tpp12"):
        u = {x.name: x for x in load_scenario(name).spec.uncertainty}
        assert {"ieepa_ruling", "section_122_end"} <= set(u)
        assert all(len(x.source) > 10 for x in u.values())


def test_inherited_uncertainty_drops_removed_events():
    """no_deal_2025 removes the deal floor: the inherited entry keeps only what remains."""
    u = {x.name: x for x in load_scenario("no_deal_2025").spec.uncertainty}
    assert u["ieepa_ruling"].otherwise_open == ["reciprocal_baseline_10.until"]


def test_realisations_cover_both_outcomes_and_the_date_range(tmp_path):
    """'occurs' drops the event with 1 - p; 'date' stays in its range, by month."""
    a, _ = scenario_files(tmp_path)
    scn = load_scenario(a)
    seen, dates = set(), set()
    for seed in range(40):
        raw, out = realize(scn.raw, scn.spec, _rng(seed))
        names = {e["name"] for e in raw.get("events", [])}
        seen.add(out["tariff_happens"])
        assert ("us_tariff_jp" in names) == out["tariff_happens"]
        d = date.fromisoformat(out["tariff_end"])
        assert date(2025, 7, 1) <= d <= date(2026, 12, 31) and d.day == 1
        dates.add(d)
        load_scenario(raw)  # every realisation is a valid scenario
    assert seen == {True, False} and len(dates) > 5


def test_otherwise_open_keeps_measures_in_force():
    """When the IEEPA ruling does not occur, the baseline tariff and the floor have no end
    and the Section 122 surcharge is gone."""
    scn = load_scenario("historical")
    raw, out = realize(scn.raw, scn.spec, lambda name: np.random.default_rng(
        0 if name != "ieepa_ruling" else 1))
    ev = {e["name"]: e for e in raw["events"]}
    # find a seed where the ruling does not occur
    for s in range(50):
        raw, out = realize(scn.raw, scn.spec, lambda name, s=s: np.random.default_rng(s))
        if not out["ieepa_ruling"]:
            break
    ev = {e["name"]: e for e in raw["events"]}
    assert "section_122_2026" not in ev
    assert "until" not in ev["reciprocal_baseline_10"] and "until" not in ev[
        "us_japan_deal_floor"]
    assert not any(r == "section_122_2026" for e in ev.values() for r in e.get("replaces", []))


@pytest.mark.parametrize("patch, message", [
    ('events = ["us_tariff_jp"]', None),
    ('events = ["nope"]', "unknown events"),
    ('fields = ["us_tariff_jp.rate"]', "has date fields"),
    ('latest = 2024-01-01', "is before earliest"),
    ('probability = 1.5', "less than or equal to 1"),
])
def test_bad_declarations_name_the_problem(tmp_path, patch, message):
    """Unknown events, non-date fields, reversed ranges and bad probabilities are refused."""
    key = patch.split(" = ")[0]
    lines = TARIFF.splitlines()
    text = "\n".join(patch if ln.startswith(key + " = ") else ln for ln in lines)
    p = tmp_path / "x.toml"
    p.write_text(text)
    if message is None:
        load_scenario(p)
        return
    with pytest.raises(ScenarioError, match=message) as exc:
        load_scenario(p)
    assert str(p) in str(exc.value)
