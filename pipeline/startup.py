"""A program's start (`python -m pipeline`, `python -m pipeline.serve`): until the command
takes over the stop signals, Ctrl-C or SIGTERM end it at once with one line. Nothing has been
done yet, and Python's own handler would print a traceback of whatever module was being
imported. And before a command begins, the file names it writes and reads must be UTF-8
(require_utf8_file_names). Kept free of imports beyond the standard library's: it runs first."""

import codecs
import contextlib
import os
import signal
import sys

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
BEFORE_START = b"error: interrupted before the command began; nothing was done\n"


def stop_at_once_while_starting() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop_before_start)


def _stop_before_start(signum, frame) -> None:
    os.write(2, BEFORE_START)
    os._exit(128 + signum)


NOT_UTF8 = ("error: the locale's encoding is {}, but a publication's file names are UTF-8 (such "
            "as id/.../~H25.ttl): run in a UTF-8 locale (LANG=C.UTF-8 or ja_JP.UTF-8) or with "
            "PYTHONUTF8=1, as make does; nothing was done\n")


def utf8_file_names() -> bool:
    """Whether file names are UTF-8 here (Python's UTF-8 mode, or a UTF-8 locale); where they
    are not, what the program prints that the console cannot show is written as an escape
    (`\u53d6`), so that its help (Japanese in places) is said rather than a traceback."""
    if sys.flags.utf8_mode or codecs.lookup(sys.getfilesystemencoding()).name == "utf-8":
        return True
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):     # (none, or not a text file)
            stream.reconfigure(errors="backslashreplace")
    return False


def require_utf8_file_names() -> None:
    """A publication's file names are UTF-8 (the URI document of a period `～H25`, a
    department's): under a locale of another encoding (ja_JP.eucJP, or C with PYTHONUTF8=0)
    they can be neither written nor read, and publish, validate and query failed on the first
    one. There the program stops before it begins, with one line saying how to run it."""
    if utf8_file_names():
        return
    line = NOT_UTF8.format(sys.getfilesystemencoding())
    with contextlib.suppress(OSError):          # (no stderr: the exit status says it)
        os.write(2, line.encode("ascii", "backslashreplace"))
    os._exit(1)
