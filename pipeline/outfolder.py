"""The output folder (OUT): what a publish may replace, and whose files it keeps
(leftovers.py: the folders a publish works in beside it).

A publish replaces OUT only when it is absent, empty, or a publication written by this
pipeline: its datapackage.json carries the mark `"generator": GENERATOR` (or, for editions
written before the mark, the layout only this pipeline writes: the initiatives table in
datapackage.json, site-manifest.json and catalog.ttl). Anything else (a
folder of documents, the working directory, the raw folder, a file) is refused, so that a
mistyped `--out-dir` never deletes a user's files.

Each edition lists the files publish wrote into it (OWN_FILES). A file someone else put into
OUT (notes, a link-check report) is not in that list: the next publish keeps it, at the same
path in the new edition, instead of retiring it with the old one. Without the list (lost by a
copy that skips dotfiles, or an edition from before it) only what the new edition writes again
is taken as publish's: everything else is kept.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import PipelineError, describe, resolved
from .parsing import json_document

GENERATOR_KEY, GENERATOR = "generator", "plan-opendata-pipeline"
SHOWN_FILES = 3
OWN_FILES = ".publish-files.json"   # the files publish wrote into an edition (not published data)


def is_publication(folder: Path) -> bool:
    """True when folder/datapackage.json (a real file, not a link) carries this pipeline's mark."""
    descriptor = folder / "datapackage.json"
    if descriptor.is_symlink() or not descriptor.is_file():
        return False
    try:
        package = json_document(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError):
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
        raw = resolved(raw_dir, "--raw-dir")
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
        raise PipelineError(f"not a publication of this pipeline (it holds {some_of(entries)}); "
                            "refusing to replace it: choose a new or empty folder as --out-dir",
                            out_dir)


def checked_cache_dir(cache_dir: Path | None, out_dir: Path, raw_dir: Path,
                      log: Callable[[str], None]) -> Path | None:
    """The cache folder a publish uses: refused in OUT (its entries, pickles among them, would
    be published as files someone else put there) or in the raw folder (named as files that
    are not read); None, said, when it is a file or under one (a cache only saves time: the
    publish goes on without it). out_dir is absolute (resolved)."""
    if cache_dir is None:
        return None
    cache = resolved(cache_dir, "--cache-dir")
    for name, folder in (("output", out_dir), ("raw", resolved(raw_dir, "--raw-dir"))):
        if cache == folder or folder in cache.parents:
            raise PipelineError(f"the cache folder is (inside) the {name} folder {folder}: "
                                "choose another --cache-dir", cache_dir)
    blocking = next((p for p in (cache, *cache.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        log(f"cache: {cache_dir} is no folder ({blocking} is a file): publishing without the "
            "cache (every document extracted afresh)")
        return None
    return cache_dir


def some_of(names: list[str]) -> str:
    """The first SHOWN_FILES names, and how many more there are."""
    more = f" and {len(names) - SHOWN_FILES} more" if len(names) > SHOWN_FILES else ""
    return ", ".join(names[:SHOWN_FILES]) + more


# --- files publish did not write ---------------------------------------------------------

def record_own_files(staging: Path, license: dict, attribution: str) -> frozenset[str]:
    """OWN_FILES in the new edition: every file publish wrote there (sorted POSIX paths), so
    that the next publish tells them from files someone else puts into OUT; with the
    publication's licence, as every published file states it. Returns those files."""
    files, _ = walk_entries(staging)
    document = {GENERATOR_KEY: GENERATOR,
                "description": "この版でパイプラインが書き出したファイル（このファイル自身を除く）。"
                               "ここにないファイルは、次の公開でもそのまま残される。",
                "license": license, "attribution": attribution, "files": files}
    (staging / OWN_FILES).write_text(json.dumps(document, ensure_ascii=False) + "\n",
                                     encoding="utf-8")      # (one line: json's C encoder)
    return frozenset(files)


@dataclass(frozen=True)
class Foreign:
    """What keep_foreign_files found in OUT: the paths it kept (outermost, a folder as
    `name/`), the files of publish's old and new editions, and whether the old edition listed
    its files (else its files are those the new edition writes again)."""

    kept: list[str] = field(default_factory=list)
    old_own: frozenset[str] = frozenset()
    new_own: frozenset[str] = frozenset()
    old_folders: frozenset[str] = frozenset()
    listed: bool = True

    def is_publishs(self, name: str) -> bool:
        """name is a file or folder of publish's old edition (or its list)."""
        return name == OWN_FILES or name in self.old_own or name in self.old_folders


def keep_foreign_files(staging: Path, out_dir: Path, new_own: frozenset[str]) -> Foreign:
    """Link (or copy) into staging, at the same paths, the files and folders of out_dir that
    its edition's OWN_FILES does not account for, so that the swap keeps them; from an edition
    without that list (lost, or written before it existed), every one the new edition (new_own:
    its files) does not write again. Nothing is kept when there is no out_dir. One where the
    new edition has a file of the same name fails the publish: it would be replaced."""
    if not out_dir.is_dir():
        return Foreign()
    own = _recorded_files(out_dir)
    files, folders = walk_entries(out_dir)
    if own is None:
        found = _written_again(files, folders, new_own)
    else:
        found = Foreign(old_own=frozenset(own), new_own=new_own, old_folders=_folders_of_all(own))
    _refuse_mounts(out_dir, folders)
    kept = [name for name in folders if not found.is_publishs(name)]
    made = []
    for name in kept:               # (sorted: parents first)
        target = staging / name
        if not (target.is_dir() and not target.is_symlink()):
            _refuse_replacing(out_dir / name, target)
            target.mkdir(parents=True)
            made.append(name)
    kept_files = [name for name in files if not found.is_publishs(name)]
    for name in kept_files:
        _refuse_replacing(out_dir / name, staging / name)
        try:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            _keep(out_dir / name, staging / name)
        except OSError as error:
            raise PipelineError(f"was not written by this pipeline and could not be kept in the "
                                f"new edition ({error.strerror or describe(error)})",
                                out_dir / name) from None
    for name in reversed(made):     # once filled, children first: their permissions and times
        shutil.copystat(out_dir / name, staging / name, follow_symlinks=False)
    return replace(found, kept=_outermost(kept, kept_files))


def _written_again(files: list[str], folders: list[str], new_own: frozenset[str]) -> Foreign:
    """An edition without its list: its files and folders taken as publish's are those the new
    edition writes again, at the same path or as a folder of its files (and what lies under a
    file of it)."""
    new_folders = _folders_of_all(new_own)

    def taken(name: str) -> bool:
        return name in new_own or name in new_folders \
            or not new_own.isdisjoint(_folders_of(name))
    return Foreign(old_own=frozenset(filter(taken, files)), new_own=new_own,
                   old_folders=frozenset(filter(taken, folders)), listed=False)


def keep_late_files(previous: Path, out_dir: Path, found: Foreign) -> list[str]:
    """Move into out_dir, just swapped in, what someone else put into the old edition (renamed
    `previous`) after keep_foreign_files looked at it (`found`), so that it is not retired with
    it: a file or folder out_dir lacks, a kept file replaced meanwhile (the paths moved, a
    folder as `name/`). What cannot be moved stays."""
    if not found.old_own:
        return []
    try:
        files, folders = walk_entries(previous)
    except OSError:                         # (published: nothing to stop)
        return []
    moved = []
    for name in [*folders, *files]:         # (a folder moved whole takes what it holds)
        if found.is_publishs(name) or name in found.new_own \
                or not _late(previous / name, out_dir / name):
            continue
        try:
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(previous / name, out_dir / name)
        except OSError:
            continue
        moved.append(f"{name}/" if name in folders else name)
    return moved


def _late(source: Path, target: Path) -> bool:
    """True when source is to be moved to target: target is missing, or is the kept link to a
    file that source replaced meanwhile (neither is a folder)."""
    try:
        found = os.lstat(source)
        there = os.lstat(target)
    except FileNotFoundError:
        return os.path.lexists(source)
    return not (stat.S_ISDIR(found.st_mode) or stat.S_ISDIR(there.st_mode)
                or os.path.samestat(found, there))


def _outermost(folders: list[str], files: list[str]) -> list[str]:
    """The folders (as `name/`) and files not inside one of the folders."""
    inside = set(folders)
    return sorted(f"{path}/" if path in inside else path for path in [*folders, *files]
                  if inside.isdisjoint(_folders_of(path)))


def _folders_of(path: str) -> Iterator[str]:
    """The folders a relative POSIX path is in: `a/b/c` is in `a/b` and `a`."""
    folder = path.rpartition("/")[0]
    while folder:
        yield folder
        folder = folder.rpartition("/")[0]


def _folders_of_all(paths: Iterable[str]) -> frozenset[str]:
    """The folders the paths are in (each folder's ancestors walked once)."""
    folders: set[str] = set()
    for folder in {path.rpartition("/")[0] for path in paths}:
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return frozenset(folders)


def walk_entries(folder: Path) -> tuple[list[str], list[str]]:
    """(the files, the folders) under folder as relative POSIX paths, sorted; a symbolic link or
    a special file counts as a file (os.scandir: no stat per entry)."""
    files: list[str] = []
    folders: list[str] = []
    stack = [(os.fspath(folder), "")]
    while stack:
        path, prefix = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(prefix + entry.name)
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    files.append(prefix + entry.name)
    return sorted(files), sorted(folders)


def _recorded_files(out_dir: Path) -> set[str] | None:
    """The files OWN_FILES in out_dir lists; None without one (lost, or an edition written
    before the list existed). One that is not a list publish wrote (damaged, a link, a special
    file that reading would wait on for ever) fails the publish: taking every file as
    publish's would delete the others."""
    path = out_dir / OWN_FILES
    if not os.path.lexists(path):
        return None
    try:
        document = json_document(path.read_text(encoding="utf-8")) \
            if stat.S_ISREG(os.lstat(path).st_mode) else None
    except (OSError, ValueError):
        document = None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        raise PipelineError("is not the list of the files publish wrote that it should be, so the "
                            "files someone else put into the published folder cannot be told "
                            "apart and kept: put it back, or remove it to have every file the new "
                            "edition does not write kept", path)
    return set(files)


def _refuse_mounts(out_dir: Path, folders: list[str]) -> None:
    """A folder of out_dir on another file system (mounted there) cannot be linked into the new
    edition: its files would be copied, and deleted from their file system with the old one."""
    device = os.lstat(out_dir).st_dev
    for name in folders:            # (sorted: the outermost first)
        if os.lstat(out_dir / name).st_dev != device:
            raise PipelineError("is a mount point: the files on it cannot be kept in the new "
                                "edition, and would be deleted with the old one; unmount it or "
                                "move it out of the published folder, and publish again",
                                out_dir / name)


def _refuse_replacing(source: Path, target: Path) -> None:
    if os.path.lexists(target):
        raise PipelineError("was not written by this pipeline, and the new edition has a file of "
                            "that name; move it out of the published folder and publish again",
                            source)


def _keep(source: Path, target: Path) -> None:
    """target as a hard link to source (the same file, whatever it is), else a copy."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
