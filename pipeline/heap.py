"""The garbage collector at scale: a publication of a thousand documents is millions of small
objects that live to the end of the publish and hold no reference cycles, so the cyclic
collector only costs time there: it is paused while documents are extracted (collector_paused)
and the heap is frozen out of it around forked workers (frozen_heap)."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def frozen_heap():
    """Freeze the objects alive now out of the cyclic garbage collector (gc.freeze), so that
    collections do not walk them again and again, and forked workers do not copy their pages
    by walking them. They are unfrozen on leaving, unless the heap was frozen already (by an
    enclosing frozen_heap): then the outermost one unfreezes."""
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector. Extracting (or unpickling) documents allocates many
    small objects but makes no reference cycles: the collector would only scan them again and
    again, the more often the more documents are kept. Usable as a decorator."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
