"""Stop signals while a command runs: Ctrl-C raises KeyboardInterrupt and SIGTERM Terminated,
so that the command cleans up on its way out (publish: nothing published).

Each stop is noted before it is raised. Raised while a finalizer runs (`__del__`, e.g. of a
multiprocessing Connection a stage lets go), Python drops the exception, printing it as
`Exception ignored in: …` with a traceback, and the command would go on to the end: a publish
stopped just before its swap replaced the previous edition and exited 0. So the interpreter's
hook for such exceptions stays silent about a noted stop, and a command asks
`raise_if_stopped()` before a step that cannot be undone (publish: before its swap).

Once a command's outcome is settled (`settle()`: publish from its swap on, any command as it
returns), a stop is noted, never raised: raised there, it said the previous publication was
unchanged over a new edition, or escaped the command as a traceback."""

from __future__ import annotations

import signal
import sys

from .startup import STOP_SIGNALS


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job's timeout, `kill`), raised as Ctrl-C is, so that the run cleans up."""


_noted: list[int] = []          # the stop signals received since raise_on_stop()
_settled: list[bool] = []       # [True] once the command's outcome is settled (settle())
_hook = [sys.__unraisablehook__]  # the hook raise_on_stop() replaced, which the others reach
UNRAISABLE = "unraisablehook"     # (the key of that hook among what raise_on_stop replaced)


def raise_on_stop() -> dict:
    """Ctrl-C and SIGTERM raise from now on (none noted yet); returns the handlers and the hook
    replaced, for restore()."""
    _noted.clear()
    _settled.clear()
    replaced = {UNRAISABLE: sys.unraisablehook}
    if sys.unraisablehook is not _quiet_about_stops:    # (a command run by a command: one hook)
        _hook[0] = sys.unraisablehook
    sys.unraisablehook = _quiet_about_stops
    return {**replaced, **{signum: signal.signal(signum, _raise) for signum in STOP_SIGNALS}}


def restore(replaced: dict) -> None:
    """The handlers and the hook raise_on_stop() replaced back in place; the stops noted are
    forgotten (the command has answered them)."""
    for signum, handler in replaced.items():
        if signum != UNRAISABLE:
            signal.signal(signum, handler)
    sys.unraisablehook = replaced[UNRAISABLE]
    _noted.clear()
    _settled.clear()


def settle() -> None:
    """From now on (until restore()) a stop is noted, not raised: the command's outcome is
    settled (publish: its swap has begun)."""
    _settled[:] = [True]


def raise_if_stopped() -> None:
    """Raise the first stop received, if any (one a finalizer dropped: see the module)."""
    if _noted:
        raise _interrupt(_noted[0])


def _raise(signum: int, frame) -> None:
    _noted.append(signum)
    if not _settled:
        raise _interrupt(signum)


def _interrupt(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _quiet_about_stops(unraisable) -> None:
    if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and _noted):
        _hook[0](unraisable)
