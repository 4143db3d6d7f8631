"""Settings and descriptors parsed from their text: every way such a text can be bad is one
ValueError, so that its reader names the file in one line. Besides the parsers' own errors
(and UnicodeDecodeError, a ValueError too), a document nested deeper than the parser goes
raises RecursionError, which is no ValueError and became a traceback or a line naming no file."""

from __future__ import annotations

import codecs
import json
import tomllib
from datetime import date, time
from pathlib import Path


def json_document(text: str | bytes):
    """json.loads, a document nested too deeply a ValueError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested deeper than can be read") from None


def toml_document(text: str) -> dict:
    """tomllib.loads, a document nested too deeply a ValueError (TOMLDecodeError is one)."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("nested deeper than can be read") from None


def toml_file(path: Path) -> dict:
    """A settings file's TOML document: UTF-8, with or without the BOM Windows' Notepad writes
    (tomllib refuses it: `Invalid statement (at line 1, column 1)`); bytes that are no UTF-8 a
    ValueError naming their line. Reading it may raise OSError."""
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(f"line {line} is not UTF-8 (byte {data[error.start]:#04x}): save the "
                         "file as UTF-8") from None
    return toml_document(text)


def as_written(value) -> str:
    """A TOML value as a settings file writes it, for a message: `2016-04-01`, `true`, `'v1'`
    (not Python's `datetime.date(2016, 4, 1)`, `True`)."""
    if isinstance(value, (date, time)):         # (a datetime is a date)
        return value.isoformat()
    return str(value).lower() if isinstance(value, bool) else repr(value)
