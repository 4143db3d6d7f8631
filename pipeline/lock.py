"""One publish at a time per output folder: an exclusive lock file beside it (flock).

The lock file exists only while a publish runs; it is removed on release, and a run that
locked a file just being removed tries again on the new one.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from .errors import PipelineError
from .leftovers import process_alive


@contextmanager
def publish_lock(out_dir: Path, log: Callable[[str], None] = lambda message: None):
    """Hold `.<out>.lock` next to out_dir; a second concurrent run is refused at once. A lock
    file left by a killed run (its process is gone) is taken over, and the log says so."""
    path = out_dir.parent / f".{out_dir.name}.lock"
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        handle = _acquire(path, out_dir, log)
    except OSError as exc:      # a folder the user may not write, a full disk: no lock, no edition
        raise PipelineError(f"cannot write beside the output folder: {exc.strerror} (a publish "
                            "writes its lock, its staging folder and the new edition there)",
                            path) from None
    try:
        yield
    finally:
        try:
            path.unlink(missing_ok=True)
        except OSError:         # (the folder made read-only meanwhile): the next run takes it over;
            pass                # the publish's own outcome, published or not, is what is said
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _acquire(path: Path, out_dir: Path, log: Callable[[str], None]):
    while True:
        handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise PipelineError(f"another publish into {out_dir.name} is running (pid {holder}); "
                                "try again when it has finished", path) from None
        try:
            if os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino:
                handle.seek(0)
                holder = handle.read().strip()
                if holder.isdigit() and not process_alive(int(holder)):
                    log(f"cleanup: took over {path.name}, left by process {holder}, which is gone")
                handle.seek(0)
                handle.truncate()
                _write_holder(handle, path)
                return handle
        except FileNotFoundError:
            pass
        handle.close()          # the file was removed by the holder meanwhile: lock the new one


def _write_holder(handle, path: Path) -> None:
    """This process's id into the lock file it holds; one that cannot be written (a full disk)
    is removed, and unlocked."""
    try:
        handle.write(str(os.getpid()))
        handle.flush()
    except OSError:
        path.unlink(missing_ok=True)
        handle.close()
        raise
