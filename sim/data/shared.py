"""Where the shared source data live, and the row type of a reproduced published figure.

The source data (``../shared/data`` in development and CI; not on a user's machine) are found
through ``$TRADESIM_SHARED_DATA`` first, then ``../shared/data`` from the working directory
(:func:`default_data_dir`, what ``tradesim validate`` and ``tradesim estimate`` use) or beside
the repository (:func:`repository_data_dir`, what the baseline build scripts use).

:class:`Check` is one published figure beside the one this code reproduces; the validation
(``sim.validation``) and the gravity estimates (``sim.estimate``) both return lists of them,
so the type lives below both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENV", "Check", "default_data_dir", "repository_data_dir"]

#: environment variable naming the shared data directory
ENV = "TRADESIM_SHARED_DATA"


def default_data_dir() -> Path:
    """``$TRADESIM_SHARED_DATA`` or ``../shared/data`` from the working directory."""
    env = os.environ.get(ENV)
    return Path(env) if env else Path("..") / "shared" / "data"


def repository_data_dir() -> Path:
    """``$TRADESIM_SHARED_DATA`` or ``../shared/data`` beside the source tree."""
    env = os.environ.get(ENV)
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


@dataclass(frozen=True)
class Check:
    """One published (or analytic) figure beside the reproduced one; ``passed`` is None when
    there is no published figure or no tolerance (shown unscored)."""

    case: str
    region: str
    metric: str
    published: float | None
    reproduced: float
    tolerance: float | None
    source: str

    @property
    def passed(self) -> bool | None:
        if self.published is None or self.tolerance is None:
            return None
        return bool(abs(self.reproduced - self.published) <= self.tolerance)
