"""Types of the command line's arguments (argparse `type=`), shared by `pipeline` and
`pipeline.serve`: a bad value is argparse's one-line usage error, never the server's."""

from __future__ import annotations

import argparse
from pathlib import Path


def at_least_one(text: str) -> int:
    """A count of at least 1 (argparse type): `--workers 0` is an error, not one worker."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def tcp_port(text: str) -> int:
    """A TCP port (argparse type): `--port 99999` is an error here, not in the server."""
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text} is no TCP port (0 to 65535)")
    return int(text)


def a_path(text: str) -> Path:
    """A file's or folder's path (argparse type): an empty one (`--raw-dir ""`, a variable of
    a scheduled job left unset) is an error, not the current folder."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no file or folder")
    return Path(text)
