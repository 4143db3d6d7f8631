"""Pieces of a publish kept between runs (the linked data's plans and chunks, the tables'
validated groups), each entry named by a digest of exactly what it is made from and of the code
version that made it, so that a republish after one plan changed redoes only what that plan
reaches.

An entry file is `<sha256 of its payload>\\n<payload>`; one whose payload does not match its
digest (cut short, changed) is removed and rebuilt, never used. Entries are written to a
temporary file and renamed, so a reader sees a whole entry or none. After a successful run,
prune() removes every entry that run did not use, which bounds the folder by one publication.

An entry may keep files of a publication beside it (store_files): hard links to the files
written, so keeping them costs no bytes, and a later run links them into its new edition
instead of writing them again. A file that changed since it was kept (its inode, size or
modification time differ, as after an edit in place of the published copy) voids its entry.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

SUFFIX = ".entry"
FILES = ".files"               # beside an entry: the folder of the files it keeps


def digest_of(*parts) -> str:
    """SHA-256 of JSON-encodable parts (dates and decimals as their text)."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rows_digest(rows: list[dict]) -> str:
    """SHA-256 of the rows pickled without memo (so the bytes depend on the values alone, not
    on which of them are one object)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(rows)
    return hashlib.sha256(buffer.getbuffer()).hexdigest()


@dataclass
class CacheStats:
    """What a run took from the cache and what it built (0 and 0 without a cache)."""

    plans_built: int = 0
    plans_reused: int = 0
    chunks_built: int = 0
    chunks_reused: int = 0
    spliced: int = 0            # graph.nt made from the previous one (rdf/splice.py): 1
    used: set[str] = field(default_factory=set, repr=False)   # entry names this run read or wrote

    def add(self, other: "CacheStats") -> None:
        self.plans_built += other.plans_built
        self.plans_reused += other.plans_reused
        self.chunks_built += other.chunks_built
        self.chunks_reused += other.chunks_reused
        self.spliced += other.spliced
        self.used |= other.used


@dataclass(frozen=True)
class PartCache:
    """Entries in one folder (None: no cache; every load misses and nothing is stored)."""

    folder: Path | None
    version: str = ""           # of the code (and libraries) that makes the entries

    def entry(self, kind: str, *parts) -> str:
        """The name of the entry of a kind made from parts by this version of the code."""
        return f"{kind}-{digest_of(self.version, *parts)[:40]}{SUFFIX}"

    def load(self, name: str, stats: CacheStats):
        """The object stored under name, or None when absent or damaged (then removed)."""
        if self.folder is None:
            return None
        path = self.folder / name
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest, _, payload = data.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != digest:
            return _removed(path)
        try:
            value = pickle.loads(payload)
        except Exception:                       # a payload this code cannot read: rebuild it
            return _removed(path)
        stats.used.add(name)
        return value

    def made(self, name: str, kind: type, make: Callable[[], object], stats: CacheStats):
        """The `kind` stored under name ("": none), else what make() returns, stored there;
        counted in stats as a chunk reused or built."""
        value = self.load(name, stats) if name else None
        if isinstance(value, kind):
            stats.chunks_reused += 1
            return value
        value = make()
        if name:
            self.store(name, value, stats)
        stats.chunks_built += 1
        return value

    def store(self, name: str, value, stats: CacheStats) -> None:
        if self.folder is None:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(temporary, self.folder / name)
            stats.used.add(name)
        except OSError:                         # a cache that cannot be written only costs time
            with suppress(OSError):             # (what a full disk let be written: not kept)
                temporary.unlink(missing_ok=True)

    def store_files(self, name: str, folder: Path, paths: list[str], value,
                    stats: CacheStats) -> None:
        """Store value under name with the files folder/<path> of paths, each hard-linked
        (copied where the cache is on another file system) into the entry's own folder."""
        if self.folder is None:
            return
        files = self.folder / f"{name}{FILES}"
        temporary = self.folder / f".{name}.{os.getpid()}{FILES}.tmp"
        try:
            shutil.rmtree(temporary, ignore_errors=True)
            temporary.mkdir(parents=True)
            identities = []
            for index, path in enumerate(paths):
                _link_or_copy(folder / path, temporary / str(index))
                identities.append(file_identity(temporary / str(index)))
            shutil.rmtree(files, ignore_errors=True)
            os.replace(temporary, files)
        except OSError:                         # a cache that cannot be written only costs time
            shutil.rmtree(temporary, ignore_errors=True)
            return
        self.store(name, (paths, identities, value), stats)

    def kept(self, name: str, stats: CacheStats) -> tuple[list[str], list[Path], object] | None:
        """(paths, kept files, value) of an entry stored by store_files: the paths it was
        stored with, its files in the cache (to read, never to write) and its value; None when
        the entry is absent or damaged or any of its files changed since it was kept."""
        found = self._kept(name, stats)
        if found is None:
            return None
        paths, files, value = found
        return paths, [Path(file) for file in files], value

    def _kept(self, name: str, stats: CacheStats) -> tuple[list[str], list[str], object] | None:
        """kept(), its files as strings (tens of thousands per run: no Path objects)."""
        found = self.load(name, stats)
        if found is None:
            return None
        paths, identities, value = found
        folder = f"{self.folder}/{name}{FILES}/"
        files = [f"{folder}{index}" for index in range(len(identities))]
        try:
            if any(identity(os.stat(file)) != kept for file, kept in zip(files, identities)):
                return None
        except OSError:
            return None
        return paths, files, value

    def load_files(self, name: str, folder: Path, stats: CacheStats,
                   paths: list[str] | None = None):
        """The value stored under name by store_files, its files linked (or copied) into folder
        at their paths (or at the given paths, as many, where a file's place changes from run
        to run); None, with nothing linked, when the entry is absent or damaged or any of its
        files changed since it was kept."""
        found = self._kept(name, stats)
        if found is None:
            return None
        kept, files, value = found
        if paths is None:
            paths = kept
        elif len(paths) != len(kept):
            return None
        linked: list[str] = []
        try:
            for file, path in zip(files, paths):
                target = f"{folder}/{path}"
                try:
                    _link_or_copy(file, target)
                except FileNotFoundError:       # its folder is not there yet (or the file)
                    os.makedirs(target.rpartition("/")[0], exist_ok=True)
                    _link_or_copy(file, target)
                linked.append(target)
        except FileExistsError:                 # never written through: the caller's error
            raise
        except OSError:
            for target in linked:
                Path(target).unlink(missing_ok=True)
            return None
        return value

    def prune(self, used: set[str]) -> int:
        """Remove every entry (with its files) and leftover temporary file not in used;
        returns how many."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        try:
            for path in self.folder.iterdir():
                if path.name in used or path.name.removesuffix(FILES) in used:
                    continue
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                    removed += 1
                elif path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        except OSError:                         # left for the next run: only costs disk space
            pass
        return removed


def file_identity(path: Path) -> tuple[int, int, int, int]:
    """identity() of the file at path: (device, inode, size, modification time in ns). The
    change time is left out (linking a file into a new edition changes it); an edit that
    restores the modification time (`touch -r`) is not seen."""
    return identity(os.stat(path))


def identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What changes when a file is replaced or written in place."""
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _link_or_copy(source: Path | str, target: Path | str) -> None:
    """target as a hard link to source, or a copy where no link can be made; never written
    into an existing target (it may be a link to a published file)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        with open(source, "rb") as reading, open(target, "xb") as writing:
            shutil.copyfileobj(reading, writing)


def cache_folder(cache_dir: Path | None, out_dir: Path, kind: str = "rdf") -> Path | None:
    """The folder of one publication's entries of a kind (rdf, tables) under a publish's
    cache_dir (pruning one publication's entries leaves another's, sharing the cache_dir,
    alone)."""
    if cache_dir is None:
        return None
    return cache_dir / kind / hashlib.sha256(str(out_dir).encode("utf-8")).hexdigest()[:16]


def _removed(path: Path) -> None:
    """Remove a damaged entry (a cache that cannot be written, read-only, keeps it: its next
    reader finds it damaged too, which only costs time)."""
    with suppress(OSError):
        path.unlink(missing_ok=True)
