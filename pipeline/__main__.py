"""The program: `python -m pipeline` and the `plan-pipeline` command (both call entry)."""

import sys

from .startup import stop_at_once_while_starting

stop_at_once_while_starting()       # (before the command line's modules are imported)

from .cli import entry  # noqa: E402

if __name__ == "__main__":
    sys.exit(entry())
