"""Pieces of a publish kept between runs (the linked data's plans and chunks, the tables'
validated groups), each entry named by a digest of exactly what it is made from and of the code
version that made it, so that a republish after one plan changed redoes only what that plan
reaches.

An entry file is `<sha256 of its payload>\\n<payload>`; one whose payload does not match its
digest (cut short, changed) is removed and rebuilt, never used. Entries are written to a
temporary file and renamed, so a reader sees a whole entry or none. After a successful run,
prune() removes every entry that run did not use, which bounds the folder by one publication.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

SUFFIX = ".entry"


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
    used: set[str] = field(default_factory=set, repr=False)   # entry names this run read or wrote

    def add(self, other: "CacheStats") -> None:
        self.plans_built += other.plans_built
        self.plans_reused += other.plans_reused
        self.chunks_built += other.chunks_built
        self.chunks_reused += other.chunks_reused
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
            path.unlink(missing_ok=True)
            return None
        try:
            value = pickle.loads(payload)
        except Exception:                       # a payload this code cannot read: rebuild it
            path.unlink(missing_ok=True)
            return None
        stats.used.add(name)
        return value

    def store(self, name: str, value, stats: CacheStats) -> None:
        if self.folder is None:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{name}.{os.getpid()}.tmp"
            temporary.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(temporary, self.folder / name)
            stats.used.add(name)
        except OSError:
            pass                                # a cache that cannot be written only costs time

    def prune(self, used: set[str]) -> int:
        """Remove every entry (and leftover temporary file) not in used; returns how many."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        try:
            for path in self.folder.iterdir():
                if path.name not in used and path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        except OSError:                         # left for the next run: only costs disk space
            pass
        return removed


def cache_folder(cache_dir: Path | None, out_dir: Path, kind: str = "rdf") -> Path | None:
    """The folder of one publication's entries of a kind (rdf, tables) under a publish's
    cache_dir (pruning one publication's entries leaves another's, sharing the cache_dir,
    alone)."""
    if cache_dir is None:
        return None
    return cache_dir / kind / hashlib.sha256(str(out_dir).encode("utf-8")).hexdigest()[:16]
