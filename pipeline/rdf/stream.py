"""The graph of a publication of any size, written without holding it in memory.

The rows are cut into parts of whole documents; each part's N-Triples lines are built and
sorted on their own (in forked worker processes where there is more than one core) and kept in
a temporary file; the parts are then merged into one sorted `graph.nt` without duplicates,
which is exactly `sorted(set(lines of the whole))`. The other serialisations are streamed
from that file in chunks whose ends depend on the subjects (see merge_sorted). With a cache
(cache.py), a plan whose rows, sources, settings and code are unchanged is not built again.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
from bisect import bisect_right
import os
import shutil
import tempfile
from collections import defaultdict
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Iterator

from ..assemble import Plan
from ..config import Config
from ..cuts import cut_before
from ..forked import fork_cores, process_pool
from ..heap import frozen_heap, releasing_memory
from ..partcache import CacheStats, PartCache, rows_digest
from .graph import build_ntriples_and_shapes, publication_lines
from .splice import spliced

DOCUMENTS_PER_PART = 25
PLAN_GRAPH = "graph.nt"       # each plan's own graph: plans/<plan_id>/graph.nt
CHUNK_LINES = 10_000          # about this many lines per chunk when the other serialisations are written
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
UNESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t"}

_PARTS: list = []            # what forked workers inherit (set before the pool starts)


@contextmanager
def worker_pool(parts: int) -> Iterator[Executor | None]:
    """Forked worker processes, one per core (at most one per part), or None where there is
    one core, one part or no fork.

    The objects alive at the fork are frozen out of the cyclic garbage collector (see
    heap.frozen_heap) while the pool runs, and the workers, which make no reference cycles,
    do not collect: otherwise each worker's collections walk the whole inherited publication,
    copying its pages, which made the workers twice as slow at a thousand documents."""
    workers = min(fork_cores(), parts)
    if workers < 2:
        yield None
        return
    with frozen_heap():
        pool = process_pool(workers, gc.disable)    # no reference cycles: no collections
        try:
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)


@dataclass
class PlanGroup:
    """One plan with its rows of every table and its sources' descriptors, and the digests
    of its rows (rows_digest) of the tables whose digest the caller knows."""

    plan: Plan
    rows: dict[str, list[dict]]
    sources: list[dict]
    digests: dict[str, str] = field(default_factory=dict)

    def rows_digests(self) -> dict[str, str]:
        """table -> the digest of the plan's rows in it (those not known, computed here)."""
        known = self.digests
        return {table: known.get(table) or rows_digest(rows) for table, rows in self.rows.items()}


def partition(tables: dict[str, list[dict]], sources: list[dict], plans: dict[str, Plan],
              size: int = DOCUMENTS_PER_PART,
              digests: dict[str, dict[str, str]] | None = None) -> list[list[PlanGroup]]:
    """The plans, each with its rows (which follow their `plan_id` column) and sources, packed
    into parts of whole plans of about `size` documents; `digests`: what the caller knows of
    their rows' digests (plan_id -> table -> rows_digest of the plan's rows in it)."""
    digests = digests or {}
    groups = {s["plan_id"]: PlanGroup(plans[s["plan_id"]], {table: [] for table in tables}, [],
                                      digests.get(s["plan_id"], {})) for s in sources}
    for source in sources:
        groups[source["plan_id"]].sources.append(source)
    for table, rows in tables.items():
        for row in rows:
            groups[row["plan_id"]].rows[table].append(row)
    parts: list[list[PlanGroup]] = []
    documents = size
    for group in groups.values():
        if documents >= size:
            parts.append([])
            documents = 0
        parts[-1].append(group)
        documents += len(group.sources)
    return parts


@dataclass
class NTriples:
    """graph.nt as written: its triples, per predicate the kinds of its objects (see
    object_kind), and byte ranges of chunks of whole subjects to convert in parallel."""

    path: Path
    triples: int
    kinds: dict[str, set[str]]
    chunks: list[tuple[int, int]]
    stats: CacheStats = field(default_factory=CacheStats)   # plans built and taken from a cache
    # each plan's graph.nt as written: plan_id -> (bytes, SHA-256)
    plan_digests: dict[str, tuple[int, str]] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)          # the parts' cache entries merged
    chunk_lines: int = 0                                     # what the chunks were cut for
    # each chunk's SHA-256 where known before it is read (a chunk spliced unchanged), else None
    chunk_digests: list[str | None] = field(default_factory=list)


def write_ntriples(tables: dict[str, list[dict]], sources: list[dict], plans: dict[str, Plan],
                   config: Config, schemas: dict[str, dict], path: Path, pool: Executor | None,
                   plans_dir: Path | None = None, cache: PartCache = PartCache(None),
                   digests: dict[str, dict[str, str]] | None = None) -> NTriples:
    """Write the sorted, duplicate-free N-Triples of the publication to path (and each plan's
    own to plans_dir/<plan_id>/graph.nt when given); a plan's lines found in cache are not
    built again (`digests`: see partition)."""
    return start_ntriples(tables, sources, plans, config, schemas, path, pool, plans_dir,
                          cache, digests).finish()


def start_ntriples(tables: dict[str, list[dict]], sources: list[dict], plans: dict[str, Plan],
                   config: Config, schemas: dict[str, dict], path: Path, pool: Executor | None,
                   plans_dir: Path | None = None, cache: PartCache = PartCache(None),
                   digests: dict[str, dict[str, str]] | None = None) -> "PendingNTriples":
    """Have the pool's workers start building the parts; `finish()` merges them."""
    global _PARTS
    _PARTS = [(groups, config, schemas, plans_dir, cache)
              for groups in partition(tables, sources, plans, DOCUMENTS_PER_PART, digests)]
    folder = Path(tempfile.mkdtemp(prefix=".parts-", dir=path.parent))
    jobs = [(index, folder / f"{index}.nt") for index in range(len(_PARTS))]
    futures = None
    try:
        futures = [pool.submit(_write_part, job) for job in jobs] if pool and len(jobs) > 1 else None
    finally:
        if futures is not None:
            _PARTS = []                 # the workers, forked at the first submission, have them
    return PendingNTriples(path, folder, jobs, futures, cache)


@dataclass
class PendingNTriples:
    path: Path
    folder: Path                        # the part files, removed by finish()
    jobs: list[tuple[int, Path]]
    futures: list | None                # None: the parts are built here, by finish()
    cache: PartCache = PartCache(None)

    def finish(self) -> NTriples:
        global _PARTS
        try:
            if self.futures is None:
                results = [_write_part(job) for job in self.jobs]
                _PARTS = []
            else:
                results = [future.result() for future in self.futures]
            kinds: dict[str, set[str]] = defaultdict(set)
            stats, digests, names = CacheStats(), {}, []
            for part_kinds, part_stats, part_digests, name in results:
                stats.add(part_stats)
                digests.update(part_digests)
                names.append(name)
                for predicate, found in part_kinds.items():
                    kinds[predicate] |= found
            files = [file for _, file in self.jobs]
            merged = spliced(self.cache, names, files, self.path, CHUNK_LINES)
            if merged is None:
                count, chunks = merge_sorted(files, self.path, CHUNK_LINES)
                chunk_digests: list[str | None] = [None] * len(chunks)
            else:
                count, chunks, chunk_digests = merged
                stats.spliced += 1
        finally:
            self.discard()
        return NTriples(self.path, count, dict(kinds), chunks, stats, digests, names,
                        CHUNK_LINES, chunk_digests)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@releasing_memory
def _write_part(job: tuple[int, Path]) -> tuple[dict[str, set[str]], CacheStats,
                                                dict[str, tuple[int, str]], str]:
    """A part's sorted lines (its plans' graphs together, sorted) to file, and
    each plan's own graph to plans_dir/<plan_id>/graph.nt; a plan whose entry is in the cache
    is taken from it, and a part all of whose plans are has its files linked from the cache
    (partcache.store_files) instead of being sorted and written again. Returns the kinds of
    the objects of each predicate, the cache's statistics and the bytes and SHA-256 of each
    plan's graph (hashed as it is written, kept with the part's files), so that nobody reads
    the plans' graphs again to describe them, and the name of the part's cache entry ("" without
    a cache), by which the next run finds the merge it was part of (splice.py)."""
    index, file = job
    groups, config, schemas, plans_dir, cache = _PARTS[index]
    stats, lines, shapes = CacheStats(), [], set()
    settings = (config.base_uri, config.name, config.license.url)
    names = [cache.entry("plan", settings, asdict(group.plan), group.sources,   # rows: their
                         group.rows_digests())                      # digests, a fifth of JSON's
             if cache.folder else "" for group in groups]
    written = [file, *(plans_dir / group.plan.plan_id / PLAN_GRAPH for group in groups
                       if plans_dir is not None)]
    base = Path(os.path.commonpath(written)) if len(written) > 1 else file.parent
    paths = [os.path.relpath(path, base) for path in written]   # the part's file: a new folder
    part = cache.entry("part", names, plans_dir is not None) if cache.folder else ""
    found = cache.load_files(part, base, stats, paths) if part else None
    if found is not None:                   # every plan of the part unchanged: its files linked
        stats.used.update(names)
        stats.plans_reused += len(groups)
        kept_kinds, digests = found
        return {predicate: set(kinds) for predicate, kinds in kept_kinds.items()}, stats, \
            digests, part
    digests: dict[str, tuple[int, str]] = {}
    for group, name in zip(groups, names):
        plan_id = group.plan.plan_id
        found = cache.load(name, stats) if name else None
        if found is None:
            plan_lines, plan_shapes = build_ntriples_and_shapes(
                group.rows, group.sources, {plan_id: group.plan}, config, schemas)
            text = "\n".join(plan_lines) + "\n" if plan_lines else ""
            cache.store(name, (sorted(plan_shapes), text), stats)
            stats.plans_built += 1
        else:
            plan_shapes, text = found
            stats.plans_reused += 1
        data = text.encode("utf-8")         # once: the plan's file and the part's lines
        if plans_dir is not None:
            (plans_dir / plan_id).mkdir(parents=True, exist_ok=True)
            (plans_dir / plan_id / PLAN_GRAPH).write_bytes(data)
            digests[plan_id] = len(data), hashlib.sha256(data).hexdigest()
        lines += data.split(b"\n")[:-1]
        shapes.update(plan_shapes)
    # each plan's lines are a sorted run, which sorted() merges fast (bytes sort as the code
    # points of UTF-8 text do); a line that two plans share (a concept) is then written twice,
    # and once by merge_sorted, as is what every part says of the publication's graph
    lines += [line.encode("utf-8") for line in publication_lines(config)]
    lines.sort()
    file.write_bytes(b"\n".join(lines) + b"\n" if lines else b"")
    kinds: dict[str, set[str]] = defaultdict(set)
    for predicate, shape in shapes:
        kinds[predicate].add("@id" if shape == "<" else tail_kind(shape))
    if part:
        cache.store_files(part, base, paths, ({p: sorted(k) for p, k in kinds.items()}, digests),
                          stats)
    return kinds, stats, digests, part


def merge_sorted(files: list[Path], path: Path,
                 chunk_lines: int | None = None) -> tuple[int, list[tuple[int, int]]]:
    """Merge sorted line files into path, each distinct line once (bytes compare as the code
    points of UTF-8 text do). Returns the line count and the byte ranges of chunks of whole
    subjects (a subject's lines stay in one chunk), about chunk_lines lines each.

    Where a chunk ends depends on the subjects, not on line counts from the start of the file:
    after half of chunk_lines, a chunk ends before a subject whose CRC-32 is a multiple of
    chunk_lines / 32 (at the latest at twice chunk_lines). A change in one plan so changes
    only the chunks that hold its subjects, and the others are found again in the cache."""
    chunk_lines = chunk_lines or CHUNK_LINES
    handles = [file.open("rb") for file in files]
    count, previous, offset, start, chunks, since, block = 0, b"", 0, 0, [], 0, []
    least, divisor = max(1, chunk_lines // 2), max(1, chunk_lines // 32)
    try:
        with path.open("wb") as out:
            for line in chain.from_iterable(merged_runs(handles)):
                if line == previous:
                    continue
                # a subject ends in ">", so a line of the same subject starts with it
                if since >= least and not previous.startswith(subject := _subject(line)) and \
                        cut_before(subject, since, chunk_lines, divisor):
                    chunks.append((start, offset))
                    start, since = offset, 0
                    out.write(b"".join(block))      # a chunk at a time: fewer, larger writes
                    block = []
                block.append(line)
                offset += len(line)
                count += 1
                since += 1
                previous = line
            out.write(b"".join(block))
    finally:
        for handle in handles:
            handle.close()
    if offset > start:
        chunks.append((start, offset))
    return count, chunks


def merged_runs(handles: list, block_bytes: int = 1 << 20) -> Iterator[list[bytes]]:
    """The lines of sorted files, in order, as runs of lines taken from one file at a time:
    a run ends before another file's next line (found by bisect), so the lines are not
    compared one by one in Python as heapq.merge does. Lines equal across files follow each
    other. Each file is read a block of lines at a time."""
    blocks = [iter(partial(handle.readlines, block_bytes), []) for handle in handles]
    current: list[tuple[list[bytes], int]] = []     # per file: its block, the next position
    heap = []
    for index, reader in enumerate(blocks):
        block = next(reader, [])
        current.append((block, 0))
        if block:
            heap.append((block[0], index))
    heapq.heapify(heap)
    while heap:
        index = heap[0][1]
        block, position = current[index]
        bound = min(heap[1:3])[0] if len(heap) > 1 else None   # the next head of another file
        end = len(block) if bound is None else bisect_right(block, bound, position)
        yield block[position:end]
        if end == len(block):
            block, end = next(blocks[index], []), 0
            if not block:
                heapq.heappop(heap)
                continue
        current[index] = (block, end)
        heapq.heapreplace(heap, (block[end], index))


def _subject(line: bytes) -> bytes:
    return line[:line.index(b" ")]


# ---- the N-Triples lines this package writes -----------------------------------------------
# Every line is `<s> <p> <o> .` or `<s> <p> "text"[@lang|^^<datatype>] .`; IRIs hold no space
# or `>` (see terms.link), so a line splits at its first two spaces.

def split_triple(line: str) -> tuple[str, str, str]:
    """(subject IRI, predicate IRI, object as written) of one line."""
    subject, predicate, obj = line.split(" ", 2)
    return subject[1:-1], predicate[1:-1], obj[:-2]


def object_kind(obj: str) -> str:
    """@id for a resource; a literal's language (with @ unless it is `ja`), its datatype IRI,
    or @none for a plain string: the distinctions a JSON-LD context can type."""
    return "@id" if obj[0] == "<" else tail_kind(obj[obj.rindex('"') + 1:])


def tail_kind(suffix: str) -> str:
    """object_kind of a literal from what follows its closing quote."""
    if not suffix:
        return "@none"
    if suffix[0] == "@":
        return suffix[1:] if suffix == "@ja" else suffix
    datatype = suffix[3:-1]
    return "@none" if datatype == XSD_STRING else datatype


def literal_text(obj: str) -> str:
    """The text of a literal as written (`"a\\"b"@ja` -> `a"b`)."""
    text = obj[1:obj.rindex('"')]
    if "\\" not in text:
        return text
    out, position = [], 0
    while (found := text.find("\\", position)) >= 0:
        out.append(text[position:found])
        escape = text[found:found + 2]
        if escape in UNESCAPES:
            out.append(UNESCAPES[escape])
            position = found + 2
        else:                               # \uXXXX / \UXXXXXXXX
            width = 6 if escape == "\\u" else 10
            out.append(chr(int(text[found + 2:found + width], 16)))
            position = found + width
    out.append(text[position:])
    return "".join(out)
