"""Work done in a forked process beside the caller: the process inherits what the caller holds
(the publication's rows) instead of receiving a copy, and sends back what each step returns.

Forked, not spawned: only where the platform forks and there is more than one core; elsewhere
the steps run in the caller when their results are asked for. The child makes no reference
cycles, so its garbage collector is off (a collection would copy the inherited pages).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Callable, Iterator

from .errors import PipelineError, describe

_STEPS: tuple = ()      # the generator function and its arguments, inherited by the child


class Forked:
    """Run steps(*arguments), a generator, in a forked process started on creation; next()
    returns what it yields, in order, or raises what it raised; close() stops it if it still
    runs. `where` names the files it writes, for an error's message."""

    def __init__(self, steps: Callable[..., Iterator], *arguments, where=None):
        global _STEPS
        self.steps, self.arguments, self.where = steps, arguments, where
        self.process, self.answers, self.inline = None, None, None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        if (cores or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.answers, answer = context.Pipe(duplex=False)
        _STEPS = (steps, arguments)
        try:
            self.process = context.Process(target=_run, args=(answer, where), daemon=True)
            self.process.start()
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


def _run(answer, where) -> None:
    """The forked process: each step's result sent back as ("done", value), or the first
    exception as ("error", a PipelineError)."""
    gc.disable()
    steps, arguments = _STEPS
    try:
        for value in steps(*arguments):
            answer.send(("done", value))
    except Exception as error:          # sent back: the caller raises it
        answer.send(("error", error if isinstance(error, PipelineError)
                     else PipelineError(describe(error), where)))
    answer.close()
