"""Baseline builders: turn public source data into baseline directories (docs/data.md).

Builders read the source files under a data directory (``../shared/data`` layout, see
``docs/data.md``) and the concordance files in ``sim/data/concordances/``; they write the tidy
CSV tables described in ``docs/baseline_format.md``.  Every problem with an input file raises
:class:`BuildError` with the file, the row and the offending value.
"""

from __future__ import annotations


class BuildError(ValueError):
    """A source file or concordance is missing or malformed (message names file, row, value)."""


__all__ = ["BuildError"]
