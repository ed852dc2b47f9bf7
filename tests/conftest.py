"""Shared fixtures. Tests that need ``../shared/data`` skip with a reason when it is absent;
with ``TRADESIM_REQUIRE_SHARED=1`` (set by ``.ci/run``) they fail instead."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    env = os.environ.get("TRADESIM_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def require_shared(*parts: str) -> Path:
    """The path under the shared data directory, or skip (fail under CI) if it is absent."""
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        message = (f"shared data not found at {path}: this test needs the project's "
                   "../shared/data (set TRADESIM_SHARED_DATA to point elsewhere)")
        if os.environ.get("TRADESIM_REQUIRE_SHARED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_data() -> Path:
    return require_shared()


@pytest.fixture
def tiny_baseline_dir() -> Path:
    return ROOT / "tests" / "data" / "tiny"
