"""Settings and descriptors parsed from their text: every way such a text can be bad is one
ValueError, so that its reader names the file in one line. Besides the parsers' own errors
(and UnicodeDecodeError, a ValueError too), a document nested deeper than the parser goes
raises RecursionError, which is no ValueError and became a traceback or a line naming no file."""

from __future__ import annotations

import json
import tomllib


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
