"""Small scenario files and plans for the batch tests (mini baseline, quarterly, 4 years)."""

from __future__ import annotations

from pathlib import Path

from policy_helpers import MINI

BASELINE = str(MINI)

TARIFF = """
name = "tiny_tariff"
start = 2024-01-01
end = 2028-01-01
calibrated_to = "self"

[settings]
reporting = "quarterly"
adjustment_speed = 0.5

[[events]]
kind = "measure"
name = "us_tariff_jp"
actor = "USA"
exporters = ["JPN"]
rate = 0.10
stacking = "add"
effective = 2025-01-01
until = 2026-06-30
source = "test fixture"

[[uncertainty]]
kind = "occurs"
name = "tariff_happens"
probability = 0.5
events = ["us_tariff_jp"]
source = "test fixture"

[[uncertainty]]
kind = "date"
name = "tariff_end"
fields = ["us_tariff_jp.until"]
earliest = 2025-07-01
latest = 2026-12-31
source = "test fixture"
"""

REF = """
name = "tiny_ref"
start = 2024-01-01
end = 2028-01-01
calibrated_to = "self"

[settings]
reporting = "quarterly"
adjustment_speed = 0.5
"""


def scenario_files(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "tiny_tariff.toml"
    b = tmp_path / "tiny_ref.toml"
    a.write_text(TARIFF)
    b.write_text(REF)
    return a, b
