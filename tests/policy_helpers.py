"""Helpers for the policy, timeline and scenario tests (synthetic baseline in tests/data/mini)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini"


@lru_cache(maxsize=1)
def mini():
    """The synthetic 7-region, 7-sector baseline (invented numbers)."""
    from sim.data.baseline import load_baseline

    return load_baseline(MINI)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(text)
    return p
