"""Stage timings of a run (for progress lines and the benchmark)."""

from __future__ import annotations

import time
from contextlib import contextmanager


class Stopwatch:
    """Accumulates wall-clock seconds per named stage, in the order stages first ran."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.failed: str | None = None      # the innermost stage an exception left

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            self.failed = self.failed or name
            raise
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
