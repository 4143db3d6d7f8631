"""Work done in a forked process beside the caller: the process inherits what the caller holds
(the publication's rows) instead of receiving a copy, and sends back what each step returns.

Forked, not spawned: only where the platform forks and there is more than one core (and the
fork succeeds); elsewhere the steps run in the caller when their results are asked for. The
child makes no reference cycles, so its garbage collector is off (a collection would copy the
inherited pages); it leaves Ctrl-C to the caller, which stops it, and dies with the caller
(it holds the caller's descriptors, the publish lock's among them).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from functools import partial
from typing import Callable, Iterator

from .errors import PipelineError, describe, failed_file
from .heap import c_library
from .startup import STOP_SIGNALS         # Ctrl-C, kill: held while a child is forked

_STEPS: tuple = ()      # the generator function and its arguments, inherited by the child
PR_SET_PDEATHSIG = 1    # Linux prctl: the signal a process gets when its parent dies


def fork_cores() -> int:
    """The cores this process may use where worker processes can be forked, else 1."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                   # not Linux
        return os.cpu_count() or 1


class Forked:
    """Run steps(*arguments), a generator, in a forked process started on creation; next()
    returns what it yields, in order, or raises what it raised; close() stops it if it still
    runs. `where` names the files it writes, for an error's message."""

    def __init__(self, steps: Callable[..., Iterator], *arguments, where=None):
        global _STEPS
        self.steps, self.arguments, self.where = steps, arguments, where
        self.process, self.answers, self.inline = None, None, None
        if fork_cores() < 2:
            return
        self.answers, answer = _CONTEXT.Pipe(duplex=False)
        _STEPS = (steps, arguments)
        try:
            self.process = _CONTEXT.Process(target=_run, args=(answer, where, os.getpid()),
                                            daemon=True)
            self.process.start()
        except OSError:                 # no fork (out of memory, too many processes): run here
            self.process = None
            self.answers.close()
        finally:
            _STEPS = ()
            answer.close()

    def next(self):
        if self.process is None:        # no fork: the steps run here, one per call
            self.inline = self.inline or self.steps(*self.arguments)
            return next(self.inline)
        try:
            kind, value = self.answers.recv()
        except EOFError:
            self.process.join()
            raise PipelineError(f"a writing process stopped unexpectedly (exit code "
                                f"{self.process.exitcode})", self.where) from None
        if kind == "error":
            self.close()
            raise value
        return value

    def close(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
            self.answers.close()
            self.process = None

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _run(answer, where, parent: int) -> None:
    """The forked process: each step's result sent back as ("done", value), or the first
    exception as ("error", a PipelineError)."""
    gc.disable()
    _start_child(parent)
    steps, arguments = _STEPS
    try:
        for value in steps(*arguments):
            answer.send(("done", value))
    except Exception as error:          # sent back: the caller raises it
        answer.send(("error", error if isinstance(error, PipelineError)
                     else PipelineError(describe(error), failed_file(error) or where)))
    answer.close()


def process_pool(workers: int, start: Callable[[], None] | None = None):
    """Forked worker processes that leave Ctrl-C to this one and die with it (_start_child),
    each running `start` first; an OSError a task raises comes back naming its file
    (_naming_its_file)."""
    from concurrent.futures import ProcessPoolExecutor

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):       # (map submits through it too)
            return super().submit(partial(_naming_its_file, fn), *args, **kwargs)

    return Pool(workers, mp_context=_CONTEXT, initializer=_start_worker,
                initargs=(os.getpid(), start))


def _naming_its_file(fn, *args, **kwargs):
    """fn(*args, **kwargs) in a worker; an OSError that names no file (a write's: a full disk,
    a file size limit) is given the file open for writing in its traceback (failed_file)
    before it is sent back, which keeps its filename but not its traceback."""
    try:
        return fn(*args, **kwargs)
    except OSError as error:
        if error.filename is None:
            error.filename = failed_file(error)
        raise


def _start_worker(parent: int, start: Callable[[], None] | None) -> None:
    _start_child(parent)
    if start is not None:
        start()


class _HeldProcess(multiprocessing.context.ForkProcess):
    """A process forked with Ctrl-C and SIGTERM held (blocked) in the forking thread: the
    child inherits the caller's handlers, which raise, and a signal arriving before the child
    has set its own (a close() right after the start sends SIGTERM) would raise in the
    interpreter's after-fork code (a traceback) or, between the fork and the child's first
    step, unwind the child into the caller's code, which it would then go on running as a
    second copy of the publish. The child handles what was held once _start_child has run."""

    def start(self) -> None:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


class _HeldContext(multiprocessing.context.ForkContext):
    Process = _HeldProcess


_CONTEXT = _HeldContext()


def _start_child(parent: int) -> None:
    """A forked child's first step: Ctrl-C ignored (the caller handles it and stops its
    children), SIGTERM ends it at once, it dies with its parent; then the held signals come."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere the parent's
    close() stops it), and stop now if the parent is already gone; a SIGTERM ends it at once
    (the parent's handler, inherited by a fork, would raise in it). For every process a publish
    starts: one left behind would hold the caller's descriptors (its stdout, the lock) for
    ever."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    prctl = getattr(c_library(), "prctl", None)
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
