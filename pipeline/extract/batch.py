"""Extract many sources: a cache keyed by content hash (only changed documents are
re-extracted) and, for larger batches, several processes (one per core)."""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..fingerprint import tree_digest
from ..forked import process_pool
from ..model import Document
from ..partcache import CacheStats, PartCache
from ..sources import SourceDocument
from ..heap import collector_paused
from . import extract_document

PACKAGE = Path(__file__).resolve().parent.parent
# Code whose change invalidates cached extractions.
CODE_FILES = ("model.py", "normalize.py", "paragraphs.py", "values.py", "errors.py", "extract")
PARALLEL_FROM = 4           # below this many misses, one process is faster


@dataclass
class BatchStats:
    extracted: int = 0
    cached: int = 0
    workers: int = 1


@cache
def code_fingerprint() -> str:
    return tree_digest(*(PACKAGE / name for name in CODE_FILES))


def cache_key(source: SourceDocument) -> str:
    """Content hash, the file's path (warnings name it as given, relative or absolute: both
    forms are in the key) and the code version."""
    return f"{source.sha256}-{_path_key(source)}-{code_fingerprint()}"


def _path_key(source: SourceDocument) -> str:
    path = f"{source.path.resolve()}\0{source.path}"
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:12]


@collector_paused()     # the main process unpickles every document (from workers or the cache)
def extract_all(sources: list[SourceDocument], cache_dir: Path | None = None,
                workers: int | None = None) -> tuple[list[Document], BatchStats]:
    """Documents in source order; cached ones are loaded, the others extracted (in parallel
    when there are enough of them) and stored."""
    stats = BatchStats()
    documents: dict[int, Document] = {}
    misses = []
    for index, source in enumerate(sources):
        cached = _load(cache_dir, source)
        if cached is not None:
            documents[index] = cached
            stats.cached += 1
        else:
            misses.append(index)
    stats.workers = min(workers or os.cpu_count() or 1, len(misses)) if len(misses) >= PARALLEL_FROM else 1
    todo = [sources[i] for i in misses]
    if stats.workers > 1:
        with process_pool(stats.workers) as pool:
            results = list(pool.map(extract_document, todo, chunksize=max(1, len(todo) // (stats.workers * 8))))
    else:
        results = [extract_document(source) for source in todo]
    for index, document in zip(misses, results):
        documents[index] = document
        _store(cache_dir, sources[index], document)
    stats.extracted = len(misses)
    _forget_earlier(cache_dir, sources)
    return [documents[i] for i in range(len(sources))], stats


def _forget_earlier(cache_dir: Path | None, sources: list[SourceDocument]) -> None:
    """The cache keeps one extraction of each of these files, its current one: the entries of
    their earlier contents (or of earlier code) are removed, those of other files (another
    folder's, sharing the cache) left alone."""
    if cache_dir is None:
        return
    current = {_entry(source) for source in sources}
    paths = {_path_key(source) for source in sources}
    try:
        names = os.listdir(cache_dir)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if len(parts) == 3 and parts[1] in paths and name.endswith(".pickle") \
                and name not in current:
            with suppress(OSError):
                (cache_dir / name).unlink()


def _load(cache_dir: Path | None, source: SourceDocument) -> Document | None:
    """The document kept for source; None when absent or damaged on disk (its bytes no longer
    those kept, checked by their SHA-256 as every cache entry: extracted again)."""
    if cache_dir is None:
        return None
    document = PartCache(cache_dir).load(_entry(source), CacheStats())
    return document if isinstance(document, Document) else None


def _store(cache_dir: Path | None, source: SourceDocument, document: Document) -> None:
    PartCache(cache_dir).store(_entry(source), document, CacheStats())


def _entry(source: SourceDocument) -> str:
    return f"{cache_key(source)}.pickle"
