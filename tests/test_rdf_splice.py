"""graph.nt spliced from the previous merge is what a merge of every part writes (rdf/splice.py)."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from pipeline.partcache import CacheStats, PartCache
from pipeline.rdf import splice
from pipeline.rdf.stream import merge_sorted

CHUNK_LINES = 64


def random_parts(rng: random.Random, parts: int = 6) -> list[list[bytes]]:
    """Sorted, duplicate-free line files: subjects of 1-12 lines each, dealt to the parts; one
    line in 20 also held by a second part (a node plans share)."""
    files: list[set[bytes]] = [set() for _ in range(parts)]
    for subject in rng.sample(range(100_000), 300):
        home = rng.randrange(parts)
        for predicate in range(rng.randint(1, 12)):
            line = f'<http://x/s{subject:06d}> <http://x/p{predicate}> "{rng.random():.3f}" .\n'.encode()
            files[home].add(line)
            if rng.random() < 0.05:
                files[(home + 1) % parts].add(line)
    return [sorted(lines) for lines in files]


def changed_part(rng: random.Random, part: list[bytes], others: list[list[bytes]]) -> list[bytes]:
    """The part with lines dropped (shared ones among them), lines added (new subjects, new
    lines of its subjects, lines another part holds, lines before and after all others)."""
    kept = [line for line in part if rng.random() > 0.08]
    added = set(kept)
    for _ in range(rng.randint(0, 40)):
        subject = rng.choice([rng.randrange(100_000), *(int(line[11:17]) for line in part[:50])])
        added.add(f'<http://x/s{subject:06d}> <http://x/q> "{rng.random():.3f}" .\n'.encode())
    for other in others:
        added.update(rng.sample(other, min(3, len(other))))
    if rng.random() < 0.3:
        added.update({b'<http://x/a> <http://x/p> "first" .\n', b'<http://x/z> <http://x/p> "last" .\n'})
    return sorted(added)


def write_files(folder: Path, parts: list[list[bytes]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, lines in enumerate(parts):
        path = folder / f"{index}.nt"
        path.write_bytes(b"".join(lines))
        paths.append(path)
    return paths


@pytest.mark.parametrize("seed", range(60))
def test_a_spliced_file_is_the_merge_of_the_new_parts_byte_for_byte_and_chunk_for_chunk(
        tmp_path, seed):
    rng = random.Random(seed)
    parts = random_parts(rng)
    old_files = write_files(tmp_path / "old", parts)
    count, chunks = merge_sorted(old_files, tmp_path / "old.nt", CHUNK_LINES)
    assert len(chunks) > 10
    which = rng.randrange(len(parts))
    new_parts = list(parts)
    new_parts[which] = changed_part(rng, parts[which], parts[:which] + parts[which + 1:])
    new_files = write_files(tmp_path / "new", new_parts)
    expected = merge_sorted(new_files, tmp_path / "merged.nt", CHUNK_LINES)

    unchanged = [file for index, file in enumerate(new_files) if index != which]
    before, after = set(parts[which]), set(new_parts[which])
    removed = splice._not_held(unchanged, before - after)
    got = splice.splice(tmp_path / "old.nt", count, chunks, removed, sorted(after - before),
                        tmp_path / "spliced.nt", CHUNK_LINES)
    data, old = (tmp_path / "spliced.nt").read_bytes(), (tmp_path / "old.nt").read_bytes()
    assert data == (tmp_path / "merged.nt").read_bytes()
    assert got[:2] == expected
    copied = [(new, old_chunk) for new, old_chunk in zip(got[1], got[2]) if old_chunk]
    assert 0 < len(copied) < len(got[1])                # chunks copied, and chunks cut again
    assert all(data[a:b] == old[c:d] for (a, b), (c, d) in copied)


def test_a_removed_line_missing_from_the_old_file_stops_the_splice(tmp_path):
    old = tmp_path / "old.nt"
    old.write_bytes(b"<a> <p> 1 .\n<b> <p> 1 .\n")
    assert splice.splice(old, 2, [(0, 24)], [b"<c> <p> 1 .\n"], [], tmp_path / "new.nt", 4) is None
    assert not (tmp_path / "new.nt").exists()


def test_the_next_run_splices_from_the_kept_merge_and_never_from_an_edited_one(tmp_path,
                                                                             monkeypatch):
    """The merge kept under the parts' names is found again when a part changed; one that
    cannot be read, or whose published copy (a hard link to the kept one) was edited in place,
    is not (the caller merges)."""
    rng = random.Random(7)
    parts = random_parts(rng)
    cache = PartCache(tmp_path / "cache", "v1")
    stats = CacheStats()
    names = []
    for index, lines in enumerate(parts):        # each part kept as _write_part keeps it
        name = cache.entry("part", index)
        write_files(tmp_path / "p", [lines])
        (tmp_path / "p" / "0.nt").rename(tmp_path / "p" / f"part{index}")
        cache.store_files(name, tmp_path / "p", [f"part{index}"], ({}, {}), stats)
        names.append(name)
    files = [tmp_path / "p" / f"part{index}" for index in range(len(parts))]
    count, chunks = merge_sorted(files, tmp_path / "graph.nt", CHUNK_LINES)
    data = (tmp_path / "graph.nt").read_bytes()
    digests = [hashlib.sha256(data[start:end]).hexdigest() for start, end in chunks]
    splice.keep_merge(cache, names, count, chunks, digests, tmp_path / "graph.nt", CHUNK_LINES,
                      stats)

    parts[2] = changed_part(rng, parts[2], parts[:2] + parts[3:])
    (tmp_path / "p" / "part2").unlink()
    (tmp_path / "p" / "part2").write_bytes(b"".join(parts[2]))
    names[2] = cache.entry("part", "2, changed")
    expected = merge_sorted(files, tmp_path / "merged.nt", CHUNK_LINES)
    count, chunks, known = splice.spliced(cache, names, files, tmp_path / "new.nt", CHUNK_LINES)
    assert (count, chunks) == expected
    data = (tmp_path / "new.nt").read_bytes()
    assert data == (tmp_path / "merged.nt").read_bytes()
    assert None in known and any(known)         # the old digests of the chunks copied
    assert all(hashlib.sha256(data[start:end]).hexdigest() == digest
               for (start, end), digest in zip(chunks, known) if digest)

    assert splice.spliced(cache, names[:2] + ["other"] * 4, files, tmp_path / "x.nt",
                          CHUNK_LINES) is None          # most parts changed: a merge
    kept = PartCache.kept

    def unreadable(self, name, stats):          # found and intact, then unreadable (EIO, ...)
        found = kept(self, name, stats)
        return found and (found[0], [tmp_path / "gone"] * len(found[1]), found[2])
    monkeypatch.setattr(PartCache, "kept", unreadable)
    assert splice.spliced(cache, names, files, tmp_path / "z.nt", CHUNK_LINES) is None
    monkeypatch.undo()
    with (tmp_path / "graph.nt").open("r+b") as published:      # an edit in place
        published.write(b"#")
    assert splice.spliced(cache, names, files, tmp_path / "y.nt", CHUNK_LINES) is None
    assert not (tmp_path / "x.nt").exists() and not (tmp_path / "y.nt").exists()
