"""The program: `python -m pipeline` and the `plan-pipeline` command (both call entry).

Until the command takes over (cli.main, which turns Ctrl-C and SIGTERM into a clean stop of
what it does), a stop signal ends the program at once with one line: nothing has been done yet,
and Python's own handler would print a traceback of whatever module was being imported."""

import os
import signal
import sys


def _stop_before_start(signum, frame) -> None:
    os.write(2, b"error: interrupted before the command began; nothing was done\n")
    os._exit(128 + signum)


for _signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_signum, _stop_before_start)

from .cli import entry  # noqa: E402  (after the handlers: importing is the program's first work)

if __name__ == "__main__":
    sys.exit(entry())
