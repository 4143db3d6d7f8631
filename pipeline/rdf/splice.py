"""A republish's graph.nt made from the previous one instead of merging every part again.

graph.nt is `sorted(set(lines of every part))` (stream.merge_sorted), cut into chunks of whole
subjects. The cache keeps the last merge: its file (a hard link, see partcache.store_files),
the names of the parts it was merged from, its line count and its chunks. When a run's parts
are those of the last merge but a few (the plans of one part changed), the new file is the old
one with
- the lines the changed parts lost removed, unless an unchanged part holds them too (a line
  shared by plans, such as a concept or a publisher), and
- the lines they gained inserted, unless the old file holds them already;
the chunks without an edit are copied by the kernel, and only the lines from the chunk of an
edit on are cut again, until a cut falls where the old file was cut (from there on the cuts are
the old ones: a cut depends only on the lines since the previous cut, see cuts.py). The result
is byte for byte, and chunk for chunk, what merge_sorted writes (tests/test_rdf_splice.py).
"""

from __future__ import annotations

import mmap
from bisect import bisect_right
from pathlib import Path

from ..bytefiles import copy_range, write_all
from ..cuts import cut_before
from ..partcache import CacheStats, PartCache

CHANGED_AT_MOST = 0.5       # of the parts: with more changed, a merge is no slower
INSERT, REMOVE = 0, 1       # an edit's kind (at one offset, insertions come first)

Edit = tuple[int, int, bytes]       # (offset in the old file, kind, line with its newline)


def merge_entry(cache: PartCache, chunk_lines: int) -> str:
    return cache.entry("graph-merge", chunk_lines)


def spliced(cache: PartCache, names: list[str], files: list[Path], path: Path, chunk_lines: int) \
        -> tuple[int, list[tuple[int, int]], list[str | None]] | None:
    """(line count, chunks, their SHA-256s) of path written from the last merge kept in cache,
    whose parts were those named `names` (this run's, whose files are `files`) but a few; a
    chunk copied unchanged has its old digest, one cut again None. None, with nothing
    written, when there is no such merge or it cannot be read (then merge_sorted makes the
    file: a cache only ever costs time)."""
    if cache.folder is None or not names or not all(names):
        return None
    try:
        return _spliced(cache, names, files, path, chunk_lines)
    except OSError:
        return None


def _spliced(cache: PartCache, names: list[str], files: list[Path], path: Path,
             chunk_lines: int) -> tuple[int, list[tuple[int, int]], list[str | None]] | None:
    last = cache.kept(merge_entry(cache, chunk_lines), CacheStats())
    if last is None:
        return None
    _, (merged,), (old_names, count, chunks, digests) = last
    changed = [index for index, (old, new) in enumerate(zip(old_names, names)) if old != new]
    if len(old_names) != len(names) or not chunks or len(changed) > CHANGED_AT_MOST * len(names):
        return None
    before: set[bytes] = set()
    for name in (old_names[index] for index in changed):
        kept = cache.kept(name, CacheStats())        # not used by this run: pruned after it
        if kept is None:
            return None
        before.update(_lines(kept[1][0]))
    after = set().union(*(_lines(files[index]) for index in changed))
    unchanged = [file for index, file in enumerate(files) if index not in changed]
    removed = _not_held(unchanged, before - after)
    done = splice(merged, count, chunks, removed, sorted(after - before), path, chunk_lines)
    if done is None:
        return None
    known = dict(zip(chunks, digests))
    new_count, new_chunks, copied = done
    return new_count, new_chunks, [known.get(old) if old else None for old in copied]


def keep_merge(cache: PartCache, names: list[str], count: int, chunks: list[tuple[int, int]],
               digests: list[str], path: Path, chunk_lines: int, stats: CacheStats) -> None:
    """Keep the merge just written (path), with its chunks' SHA-256s, for the next run's
    splice."""
    if cache.folder is not None and names and all(names):
        cache.store_files(merge_entry(cache, chunk_lines), path.parent, [path.name],
                          (names, count, chunks, digests), stats)


def splice(old_path: Path, count: int, chunks: list[tuple[int, int]], removed: list[bytes],
           added: list[bytes], path: Path, chunk_lines: int) \
        -> tuple[int, list[tuple[int, int]], list[tuple[int, int] | None]] | None:
    """Write path: the sorted lines of old_path (count lines in `chunks`) without `removed`
    and with `added` (both sorted, each line with its newline), cut as merge_sorted cuts;
    returns its line count, its chunks and for each the old chunk it is a copy of (None: cut
    again), or None (nothing written) when a removed line is not in the old file (it is then
    not the file the caller thinks it is)."""
    with old_path.open("rb") as source:
        if not chunks or source.seek(0, 2) != chunks[-1][1]:
            return None
        with mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as old:
            edits = _edits(old, removed, added)
            if edits is None:
                return None
            path.unlink(missing_ok=True)        # never written through (a link to old_path?)
            with path.open("xb", buffering=0) as out:
                splicer = _Splicer(old, source, out, chunks, edits, chunk_lines)
                new_chunks = splicer.run()
    inserted = sum(1 for _, kind, _ in edits if kind == INSERT)
    return count + inserted - (len(edits) - inserted), new_chunks, splicer.copied


class _Splicer:
    """Writes the old file's chunks with the edits applied: clean chunks copied, and from a
    chunk with an edit on the lines cut again until a cut meets an old chunk start."""

    def __init__(self, old: mmap.mmap, source, out, chunks: list[tuple[int, int]],
                 edits: list[Edit], chunk_lines: int):
        self.old, self.source, self.out, self.chunks, self.edits = old, source, out, chunks, edits
        self.size, self.divisor = chunk_lines, max(1, chunk_lines // 32)
        self.starts = [start for start, _ in chunks]
        self.dirty = _dirty(edits, self.starts)
        self.new: list[tuple[int, int]] = []
        self.copied: list[tuple[int, int] | None] = []      # per new chunk: the old one copied
        self.written = 0
        self.pending = 0                    # the next edit
        self.offset = 0                     # in the old file, of the next line to re-cut

    def run(self) -> list[tuple[int, int]]:
        index = 0
        while index < len(self.chunks):
            if index in self.dirty:
                index = self.recut(index)
                continue
            start, end = self.chunks[index]
            copy_range(self.source, self.out, start, end)
            self.new.append((self.written, self.written + end - start))
            self.copied.append((start, end))
            self.written += end - start
            index += 1
        return self.new

    def recut(self, index: int) -> int:
        """Cut the lines from old chunk index's start on (the edits applied) into new chunks;
        returns the index of the old chunk from which the old cuts hold again."""
        old, starts = self.old, self.starts
        offset = self.offset = starts[index]
        previous = old[old.rfind(b"\n", 0, offset - 1) + 1:offset] if offset else b""
        block, since, first, ahead = [], 0, self.written, index + 1
        while True:
            line, at = self.next_line()
            if line is None:
                break
            if at is not None:
                while ahead < len(starts) and starts[ahead] < at:
                    ahead += 1
            subject = line[:line.index(b" ")]
            if not previous.startswith(subject) and cut_before(subject, since, self.size,
                                                               self.divisor):
                self.flush(block, first)
                block, since, first = [], 0, self.written
                if at is not None and ahead < len(starts) and starts[ahead] == at \
                        and ahead not in self.dirty:
                    return ahead            # the old cuts from here on
            block.append(line)
            since += 1
            previous = line
        self.flush(block, first)
        return len(self.chunks)

    def next_line(self) -> tuple[bytes | None, int | None]:
        """The next line of the new file, from the old file's self.offset on: (an inserted
        line, None) or (an old line, its offset); removed lines are skipped; (None, None) at
        the end."""
        edits, old, offset = self.edits, self.old, self.offset
        while True:
            if self.pending < len(edits) and edits[self.pending][0] == offset \
                    and edits[self.pending][1] == INSERT:
                self.pending += 1
                self.offset = offset
                return edits[self.pending - 1][2], None
            if offset >= len(old):
                self.offset = offset
                return None, None
            end = old.find(b"\n", offset) + 1
            if self.pending < len(edits) and edits[self.pending][0] == offset:   # REMOVE
                self.pending += 1
                offset = end
                continue
            self.offset = end
            return old[offset:end], offset

    def flush(self, block: list[bytes], first: int) -> None:
        data = b"".join(block)
        write_all(self.out, data)
        self.written += len(data)
        if self.written > first:
            self.new.append((first, self.written))
            self.copied.append(None)


def _edits(old: mmap.mmap, removed: list[bytes], added: list[bytes]) -> list[Edit] | None:
    """The edits in file order; None when a removed line is not in the old file. An added
    line the old file holds already is no edit."""
    edits: list[Edit] = []
    for line in removed:
        at = _position(old, line)
        if old[at:at + len(line)] != line:
            return None
        edits.append((at, REMOVE, line))
    for line in added:
        at = _position(old, line)
        if old[at:at + len(line)] != line:
            edits.append((at, INSERT, line))
    edits.sort()
    return edits


def _dirty(edits: list[Edit], starts: list[int]) -> set[int]:
    """The old chunks an edit falls in, and the chunk before one whose first line an edit
    precedes or removes (where that chunk ends may then change)."""
    dirty = set()
    for offset, _, _ in edits:
        index = bisect_right(starts, offset) - 1
        dirty.add(index)
        if offset == starts[index] and index:
            dirty.add(index - 1)
    return dirty


def _position(data, line: bytes) -> int:
    """The offset of the first line of the sorted lines `data` not less than line (binary
    search over the lines' offsets)."""
    low, high = 0, len(data)
    while low < high:
        middle = (low + high) // 2
        start = max(low, data.rfind(b"\n", low, middle) + 1)
        end = data.find(b"\n", start) + 1 or len(data)
        if data[start:end] < line:
            low = end
        else:
            high = start
    return low


def _not_held(files: list[Path], lines: set[bytes]) -> list[bytes]:
    """The lines, sorted, that none of the sorted line files holds."""
    left = sorted(lines)
    for file in files:
        if not left:
            break
        with file.open("rb") as handle:
            if not handle.seek(0, 2):
                continue
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                left = [line for line in left
                        if data[(at := _position(data, line)):at + len(line)] != line]
    return left


def _lines(path: Path) -> list[bytes]:
    """The lines of a file, each with its newline (split at newlines only, as merge_sorted)."""
    with path.open("rb") as handle:
        return handle.readlines()
