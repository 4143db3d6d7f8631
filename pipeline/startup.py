"""A program's start (`python -m pipeline`, `python -m pipeline.serve`): until the command
takes over the stop signals, Ctrl-C or SIGTERM end it at once with one line. Nothing has been
done yet, and Python's own handler would print a traceback of whatever module was being
imported. Kept free of imports beyond the standard library's: it runs first."""

import os
import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
BEFORE_START = b"error: interrupted before the command began; nothing was done\n"


def stop_at_once_while_starting() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop_before_start)


def _stop_before_start(signum, frame) -> None:
    os.write(2, BEFORE_START)
    os._exit(128 + signum)
