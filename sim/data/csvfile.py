"""Strict reading of users' CSV tables (shock files, baseline tables).

* encodings as :func:`sim.data.textfile.read_text` (UTF-8 with or without BOM, UTF-16 with BOM);
* every row must have as many fields as the header (a decimal comma such as ``0,25`` splits a
  value in two and is refused with that hint); blank lines are skipped;
* numbers are plain decimals (``0.25``, ``-1``, ``1e-3``): no underscores (``0_25``), no decimal
  commas, no ``inf``/``nan``, no ``true``/``false``; overflow (``1e400``) is refused.

Errors are raised as the caller's error class and name the file, the line, the column and the
value.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from sim.data.textfile import TextFileError, read_text

__all__ = ["NUMBER", "number", "rows"]

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def rows(path: Path, required: tuple[str, ...], error: type[ValueError],
         allowed: tuple[str, ...] | None = None,
         check: Callable[[list[str]], None] | None = None
         ) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` of a CSV file with stripped cells, checking the header
    (``check(header)`` first, then ``required`` columns present; with ``allowed``, no other
    columns)."""
    try:
        text = read_text(path)
    except TextFileError as exc:
        raise error(str(exc)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise error(f"{path}, line 1: not a CSV header ({exc})") from None
    if check is not None:
        check(header)
    missing = [c for c in required if c not in header]
    if missing:
        raise error(f"{path}: missing column(s) {', '.join(missing)} "
                    f"(header is {','.join(header) or 'empty'})")
    if allowed is not None:
        unknown = [c for c in header if c not in allowed]
        if unknown:
            raise error(f"{path}: unknown column(s) {', '.join(unknown)} "
                        f"(expected {','.join(allowed)})")
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise error(f"{path}: column(s) {', '.join(dup)} appear twice in the header")
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise error(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None
        line = reader.line_num
        if not any(f.strip() for f in fields):        # a blank line
            continue
        if len(fields) != len(header):
            hint = (" (a decimal comma? write 0.25, not 0,25)"
                    if len(fields) > len(header) else "")
            raise error(f"{path}, line {line}: {len(fields)} fields, the header has "
                        f"{len(header)}{hint}")
        yield line, {h: f.strip() for h, f in zip(header, fields, strict=True)}


def number(text: str, where: str, column: str, error: type[ValueError]) -> float:
    """A finite plain decimal number, else ``error`` naming ``where``, column and value."""
    if not text:
        raise error(f"{where}: column {column!r} is blank (a number is needed)")
    if not NUMBER.match(text):
        if re.fullmatch(r"[+-]?\d+,\d+", text):
            hint = " (a decimal comma: write it with a point)"
        elif "_" in text:
            hint = " (write numbers without underscores)"
        elif text.lower() in ("inf", "+inf", "-inf", "infinity", "nan"):
            hint = " (must be finite)"
        else:
            hint = ""
        raise error(f"{where}: column {column!r} is not a number: {text[:40]!r}{hint}")
    value = float(text)
    if not math.isfinite(value):
        raise error(f"{where}: column {column!r} is too large: {text[:40]!r}")
    return value
