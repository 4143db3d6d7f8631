"""The output folder (OUT): what a publish may replace, and what killed runs left beside it.

A publish replaces OUT only when it is absent, empty, or a publication written by this
pipeline: its datapackage.json carries the mark `"generator": GENERATOR` (or, for editions
written before the mark, the layout only this pipeline writes: the initiatives table in
datapackage.json, site-manifest.json and catalog.ttl). Anything else (a
folder of documents, the working directory, the raw folder, a file) is refused, so that a
mistyped `--out-dir` never deletes a user's files.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import PipelineError

GENERATOR_KEY, GENERATOR = "generator", "plan-opendata-pipeline"
SHOWN_FILES = 3


def is_publication(folder: Path) -> bool:
    """True when folder/datapackage.json (a real file, not a link) carries this pipeline's mark."""
    descriptor = folder / "datapackage.json"
    if descriptor.is_symlink() or not descriptor.is_file():
        return False
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):       # (nested beyond the parser's depth)
        return False
    if not isinstance(package, dict):
        return False
    return package.get(GENERATOR_KEY) == GENERATOR or _earlier_edition(folder, package)


def _earlier_edition(folder: Path, package: dict) -> bool:
    """An edition of this pipeline from before the mark (the weekly workflow restores one)."""
    resources = package.get("resources")
    tables = [r for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []
    return ("attribution" in package
            and any(r.get("name") == "initiatives" and r.get("path") == "initiatives.csv"
                    and r.get("profile") == "tabular-data-resource" for r in tables)
            and all((folder / name).is_file() and not (folder / name).is_symlink()
                    for name in ("site-manifest.json", "catalog.ttl")))


def check_out_dir(out_dir: Path, raw_dir: Path | None = None) -> None:
    """Refuse an OUT that a publish must not replace; out_dir is absolute (resolved)."""
    if raw_dir is not None:
        raw = raw_dir.resolve()
        if out_dir == raw or raw in out_dir.parents:
            raise PipelineError("the output folder is (inside) the raw folder "
                                f"{raw}; publishing would replace the sources: choose another --out-dir",
                                out_dir)
        if out_dir in raw.parents:
            raise PipelineError(f"the output folder contains the raw folder {raw}; publishing "
                                "would replace the sources: choose another --out-dir", out_dir)
    here = Path.cwd().resolve()
    if out_dir == here or out_dir in here.parents:
        raise PipelineError("the output folder is (or holds) the working directory; a publish "
                            "replaces it whole, by renames, leaving this shell in a removed folder: "
                            "choose a folder below it as --out-dir", out_dir)
    if not out_dir.exists():
        blocking = next((parent for parent in out_dir.parents
                         if parent.exists() and not parent.is_dir()), None)
        if blocking is not None:
            raise PipelineError(f"cannot be made: {blocking} is a file, not a folder: choose "
                                "another --out-dir", out_dir)
        return
    if not out_dir.is_dir():
        raise PipelineError("exists and is not a folder; refusing to replace it: choose a new "
                            "or empty folder as --out-dir", out_dir)
    entries = sorted(entry.name for entry in out_dir.iterdir())
    if entries and not is_publication(out_dir):
        shown = ", ".join(entries[:SHOWN_FILES])
        more = f" and {len(entries) - SHOWN_FILES} more" if len(entries) > SHOWN_FILES else ""
        raise PipelineError(f"not a publication of this pipeline (it holds {shown}{more}); "
                            "refusing to replace it: choose a new or empty folder as --out-dir",
                            out_dir)


# --- what killed runs leave behind ------------------------------------------------------

def staging_dir(out_dir: Path) -> Path:
    """Where this process builds the new edition: `.<out>.staging-<pid>` beside out_dir."""
    return out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"


@contextmanager
def fresh_staging(out_dir: Path) -> Iterator[Path]:
    """An empty staging folder for out_dir's new edition; on leaving, retired unless it was
    swapped in (renamed to out_dir) meanwhile."""
    staging = staging_dir(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
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
_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def retire(folder: Path, out_dir: Path) -> None:
    """Remove a folder of publish's own (the replaced edition, a staging folder that was not
    published, a dead run's leftover) without waiting for it: renamed to `.<out>.retired-<pid>-<n>` it is removed by a
    detached process, so a publish does not wait while the disk deletes tens of thousands of
    files. A removal cut short is finished by the next run's clean_leftovers."""
    target = out_dir.parent / f".{out_dir.name}.retired-{os.getpid()}-{next(_retired)}"
    try:
        folder.rename(target)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_detached(target)


def _remove_detached(folder: Path) -> None:
    try:
        _removals.append(subprocess.Popen(
            [sys.executable, "-c", _REMOVE, str(folder)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    except OSError:                         # no process to spare: remove it here
        shutil.rmtree(folder, ignore_errors=True)


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
    """Retire staging and retired folders of dead runs (see retire); a
    `previous` folder of a run killed between its two renames is the last publication: it is put
    back when OUT is missing, else removed."""
    if not out_dir.parent.is_dir():
        return
    pattern = leftover_pattern(out_dir)
    for entry in sorted(out_dir.parent.iterdir()):
        match = pattern.match(entry.name)
        if not match or process_alive(int(match[2])) or entry.is_symlink() or not entry.is_dir():
            continue
        if match[1] == "previous" and not out_dir.exists() and is_publication(entry):
            entry.rename(out_dir)
            log(f"cleanup: {out_dir.name} restored from {entry.name} "
                f"(left by process {match[2]}, which is gone)")
            continue
        retire(entry, out_dir)
        log(f"cleanup: removed {entry.name} (left by process {match[2]}, which is gone)")
