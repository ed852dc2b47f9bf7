"""Read a user's text file: UTF-8 with or without a byte-order mark, UTF-16 with one (as Excel
writes "Unicode text"); anything else is refused with the file named and a way out.

Used by every reader of user files (scenario TOML, shock CSV, baseline CSV and metadata)."""

from __future__ import annotations

import codecs
from pathlib import Path

__all__ = ["MAX_TEXT_BYTES", "TextFileError", "decode_text", "read_text"]

MAX_TEXT_BYTES = 64 * 1024 * 1024


class TextFileError(ValueError):
    """A file that cannot be read as text; the message names it."""


def decode_text(data: bytes, label: str) -> str:
    """``data`` as text; ``label`` names the file in messages."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise TextFileError(f"{label}: UTF-32 text; save it as UTF-8")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" in text:
            raise TextFileError(f"{label}: starts as UTF-16 but is not valid UTF-16 text; "
                                "save it as UTF-8")
        return text
    if b"\x00" in data:
        raise TextFileError(f"{label}: not a text file (it holds NUL bytes: binary data, or "
                            "UTF-16 without a byte-order mark); save it as UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TextFileError(f"{label}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                            "save the file as UTF-8") from None


def read_text(path: str | Path, label: str | None = None,
              max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read ``path`` as text (see :func:`decode_text`); at most ``max_bytes``."""
    p = Path(path)
    name = label or str(p)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise TextFileError(f"{name}: {size:,} bytes, more than the {max_bytes:,} allowed")
        with open(p, "rb") as f:
            data = f.read(max_bytes + 1)
    except IsADirectoryError:
        raise TextFileError(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise TextFileError(f"{name}: cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise TextFileError(f"{name}: more than the {max_bytes:,} bytes allowed")
    return decode_text(data, name)
