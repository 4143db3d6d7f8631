"""The garbage collector at scale: a publication of a thousand documents is millions of small
objects that live to the end of the publish and hold no reference cycles, so the cyclic
collector only costs time there: it is paused while documents are extracted and the tables'
rows and records are made (collector_paused), and the heap is frozen out of it for the whole
publish (frozen_heap), what those stages made joining it as each ends. Memory freed after a
stage's large texts is handed back to the system (release_free_memory), so that the processes
that run side by side do not hold it at once."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from contextlib import contextmanager


_FROZEN = [0]       # frozen_heap's depth in this process


@contextmanager
def frozen_heap():
    """Freeze the objects alive now out of the cyclic garbage collector (gc.freeze), so that
    collections do not walk them again and again, and forked workers do not copy their pages
    by walking them. They are unfrozen on leaving, unless the heap was frozen already (by an
    enclosing frozen_heap): then the outermost one unfreezes."""
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    _FROZEN[0] += 1
    try:
        yield
    finally:
        _FROZEN[0] -= 1
        if not frozen_before:
            gc.unfreeze()


@contextmanager
def collector_paused(keep: bool = False):
    """Pause the cyclic garbage collector. Extracting (or unpickling) documents allocates many
    small objects but makes no reference cycles: the collector would only scan them again and
    again, the more often the more documents are kept. Usable as a decorator.

    keep: the objects made meanwhile live as long as the enclosing frozen_heap (the publish's
    records): inside one, they are frozen before the collector resumes, else its first
    collection would walk them all (the youngest generation holds every object made while it
    was paused). Whatever else was made meanwhile is frozen with them (another thread's
    objects, garbage in cycles): kept until the frozen heap ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if keep and _FROZEN[0]:
            gc.freeze()
        gc.enable()


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim; nothing where the
    C library has none). A stage that renders a table's texts frees hundreds of MB at its end,
    but glibc keeps freed pages that lie below pages still in use, so the process would hold
    them while the linked-data workers and the validation process run beside it."""
    trim = getattr(c_library(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def releasing_memory(task):
    """A worker's task that hands its freed memory back to the system once it returns (its
    locals gone): a worker lives for many tasks and would otherwise keep the largest one's."""
    @functools.wraps(task)
    def run(*args, **kwargs):
        try:
            return task(*args, **kwargs)
        finally:
            release_free_memory()
    return run


@functools.cache
def c_library() -> ctypes.CDLL | None:
    """The C library (for glibc's malloc_trim and Linux's prctl), None where it cannot be
    loaded."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
