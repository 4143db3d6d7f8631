"""What the pipeline says on stderr: one line per message, written with one call.

A file name can hold a newline, a carriage return or a terminal's escape sequence; printed as
it is, one message would span two lines (or rewrite the terminal). Control characters are
written escaped as Python writes them in a string (`\\n`, `\\x1b`), so a message is always one
line and names its file unambiguously.
"""

from __future__ import annotations

import os
import re
import sys

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")   # C0, DEL, C1, line/paragraph separators


def one_line(message: str) -> str:
    """The message with every control character escaped (`a\\nb.txt` for a name with a newline)."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], message)


def say(message: str) -> None:
    """Write one line to stderr (one write: an interrupt never cuts a line's end off). Once
    its reader has gone (`make publish 2>&1 | head`), what follows is lost and the command goes
    on: its exit status says how it ended (a publish is not given up for its log)."""
    try:
        sys.stderr.write(one_line(message) + "\n")
        sys.stderr.flush()
    except BrokenPipeError:
        to_devnull(sys.stderr)


def to_devnull(stream) -> None:
    """A stream whose reader has gone sent to /dev/null, so that what is still written to it
    (and the text left in its buffer, flushed as the interpreter exits) goes nowhere instead of
    failing again (Python's documented way for a broken pipe)."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError, AttributeError):   # (no descriptor: a test's capture)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    except OSError:
        pass
    finally:
        os.close(null)
