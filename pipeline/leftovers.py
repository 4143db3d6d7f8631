"""The folders a publish works in beside the output folder OUT: its staging folder, the
editions it retires, and what killed runs left (`.<out>.staging-<pid>`, `.<out>.previous-<pid>`,
`.<out>.retired-<pid>-<n>`). A retired folder is removed by a detached process, so that a
publish does not wait while the disk deletes tens of thousands of files; the next run removes
(or names) what a dead run left, and puts back a last publication a kill left between the
swap's two renames."""

from __future__ import annotations

import fcntl
import itertools
import os
import re
import shutil
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import PipelineError, describe
from .outfolder import is_publication


def staging_dir(out_dir: Path) -> Path:
    """Where this process builds the new edition: `.<out>.staging-<pid>` beside out_dir."""
    return out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"


@contextmanager
def fresh_staging(out_dir: Path) -> Iterator[Path]:
    """An empty staging folder for out_dir's new edition; on leaving, retired unless it was
    swapped in (renamed to out_dir) meanwhile."""
    staging = staging_dir(out_dir)
    left = remove_tree(staging) if os.path.lexists(staging) else None
    if left is not None:            # (what it holds would be published)
        raise PipelineError(f"could not be emptied for the new edition ({left}): remove it "
                            "yourself, and publish again", staging)
    try:
        yield staging
    finally:
        if staging.exists():
            retire(staging, out_dir)


def leftover_pattern(out_dir: Path) -> re.Pattern:
    """`.<out>.staging-<pid>`, `.<out>.previous-<pid>` and `.<out>.retired-<pid>-<n>` beside
    out_dir."""
    return re.compile(rf"^\.{re.escape(out_dir.name)}\.(staging|previous|retired)-(\d+)(?:-\d+)?$")


_retired = itertools.count(1)
_removals: list[subprocess.Popen] = []
_REMOVE = ("import sys; sys.path.insert(0, sys.argv[1]); "
           "from pipeline.leftovers import remove_tree; remove_tree(sys.argv[2])")
_CODE_ROOT = str(Path(__file__).resolve().parent.parent)    # (the detached process imports it)


def retire(folder: Path, out_dir: Path) -> None:
    """Remove a folder of publish's own (the replaced edition, a staging folder that was not
    published) without waiting for it: renamed to `.<out>.retired-<pid>-<n>` it is removed by a
    detached process, so a publish does not wait while the disk deletes tens of thousands of
    files. What is left (a removal cut short, or a file that could not be deleted) is removed,
    or said, by the next run's clean_leftovers."""
    target = out_dir.parent / f".{out_dir.name}.retired-{os.getpid()}-{next(_retired)}"
    try:
        folder.rename(target)
    except OSError:
        remove_tree(folder)
        return
    _remove_detached(target)


def _remove_detached(folder: Path) -> None:
    """folder removed by a detached process, which holds the folder's lock (flock) until it is
    done: see _being_removed."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        remove_tree(folder)
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (handed on to the process)
        except OSError:                     # (a file system without locks)
            pass
        _removals.append(subprocess.Popen(
            [sys.executable, "-c", _REMOVE, _CODE_ROOT, str(folder)], pass_fds=(handle,),
            start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))
    except OSError:                         # no process to spare: remove it here
        remove_tree(folder)
    finally:
        os.close(handle)


def _being_removed(folder: Path) -> bool:
    """True when a detached process (see _remove_detached) still removes folder."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:                         # (a file system without locks)
        pass
    finally:
        os.close(handle)
    return False


def remove_tree(folder: Path | str) -> str | None:
    """Remove folder, one of publish's own, and all it holds. A folder in it that its owner may
    not write (a read-only folder someone put into OUT, retired with the old edition) is made
    writable by its owner first: a folder is never shared with the new edition, which makes its
    kept folders afresh, while its kept files are links to the same files (whose permissions
    are left alone). Returns what is left: `path: reason` of the first entry that could not be
    removed; None once everything is gone."""
    top, left, tried = os.fspath(folder), [], set()

    def failed(function, path: str, error: BaseException) -> None:
        if isinstance(error, FileNotFoundError):
            return                          # (removed meanwhile)
        if isinstance(error, PermissionError) and path not in tried:
            tried.add(path)                 # (once: made writable, it may still be refused)
            try:
                if path != top:             # (never a folder above it)
                    _owner_writes(os.path.dirname(path))
                if _owner_writes(path):     # a folder: removed with what it holds
                    _rmtree(path, failed)
                else:
                    os.unlink(path)
                return
            except OSError as again:
                error = again
        left.append(f"{path}: {getattr(error, 'strerror', None) or describe(error)}")

    _rmtree(top, failed)
    return left[0] if left else None


def _rmtree(path: str, failed: Callable[[Callable, str, BaseException], None]) -> None:
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=failed)
    else:
        shutil.rmtree(path, onerror=lambda function, where, info: failed(function, where, info[1]))


def _owner_writes(path: str) -> bool:
    """True when path is a folder (not a link), then made readable, writable and searchable by
    its owner."""
    mode = os.lstat(path).st_mode
    if not stat.S_ISDIR(mode):
        return False
    os.chmod(path, stat.S_IMODE(mode) | stat.S_IRWXU)
    return True


def wait_for_removals() -> None:
    """Wait until the folders this process retired are gone (tests; a caller that must know)."""
    while _removals:
        _removals.pop().wait()


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True             # someone else's process
    return True


def clean_leftovers(out_dir: Path, log: Callable[[str], None]) -> None:
    """Remove the staging and retired folders of dead runs (a removal cut short, or one that
    failed: see retire), before the publish goes on; what cannot be removed stays, and is said.
    A `previous` folder of a run killed between its two renames is the last publication: it is
    put back when OUT is missing or an empty folder (made again meanwhile: a deploy script's
    `mkdir -p`), else removed (OUT is the edition that replaced it)."""
    if not out_dir.parent.is_dir():
        return
    pattern = leftover_pattern(out_dir)
    for entry in sorted(out_dir.parent.iterdir()):
        match = pattern.match(entry.name)
        if not match or process_alive(int(match[2])) or entry.is_symlink() or not entry.is_dir() \
                or _being_removed(entry):
            continue
        left_by = f"left by process {match[2]}, which is gone"
        if match[1] == "previous" and _vacant(out_dir) and is_publication(entry):
            put_back(entry, out_dir, left_by)
            log(f"cleanup: {out_dir.name} restored from {entry.name} ({left_by})")
            continue
        left = remove_tree(entry)
        log(f"cleanup: removed {entry.name} ({left_by})" if left is None else
            f"cleanup: could not remove {entry.name} ({left_by}): {left}; it stays beside "
            f"{out_dir.name}: remove it yourself")


def _vacant(out_dir: Path) -> bool:
    """True when out_dir is missing or an empty folder (not a link)."""
    if not os.path.lexists(out_dir):
        return True
    return out_dir.is_dir() and not out_dir.is_symlink() and next(out_dir.iterdir(), None) is None


def put_back(previous: Path, out_dir: Path, left_by: str) -> None:
    """previous (the last publication, moved aside as `left_by` says) renamed back to out_dir,
    missing or an empty folder; one that cannot be is never removed: the publish stops, naming
    it."""
    try:
        if out_dir.is_dir():
            out_dir.rmdir()     # (fails if something was put there meanwhile)
        previous.rename(out_dir)
    except OSError as error:
        raise PipelineError(f"is the last publication ({left_by}) and could not be put back as "
                            f"{out_dir} ({error.strerror or describe(error)}): rename it to "
                            f"{out_dir.name} yourself, and publish again", previous) from None
