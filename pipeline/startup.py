"""A program's start (`python -m pipeline`, `python -m pipeline.serve`): until the command
takes over the stop signals, Ctrl-C or SIGTERM end it at once with one line. Nothing has been
done yet, and Python's own handler would print a traceback of whatever module was being
imported. Kept free of imports beyond the standard library's: it runs first."""

import codecs
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


def with_utf8_file_names() -> None:
    """A publication's file names are UTF-8 (the URI document of a period `～H25`, a
    department's): under a locale of another encoding (ja_JP.eucJP, or C with PYTHONUTF8=0)
    they cannot be written or read, and publish, validate and query failed on the first one.
    There the program runs itself again in Python's UTF-8 mode (`-X utf8`), its messages still
    in the locale's encoding (a character it lacks written as an escape)."""
    if sys.flags.utf8_mode or codecs.lookup(sys.getfilesystemencoding()).name == "utf-8":
        return
    environment = dict(os.environ)
    environment.setdefault("PYTHONIOENCODING", f"{sys.stderr.encoding}:backslashreplace")
    os.execve(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]], environment)
