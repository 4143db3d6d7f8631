"""Many documents: parallel extraction equals sequential, and the cache re-extracts only
what changed."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.corpus import write_corpus
from pipeline.config import load_config
from pipeline.errors import ExtractionError
from pipeline.extract.batch import extract_all
from pipeline.sources import read_sources


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("corpus")
    write_corpus(raw, 6)
    return raw


def test_parallel_extraction_equals_sequential(corpus):
    sources = read_sources(corpus, load_config())
    parallel, stats = extract_all(sources, workers=2)
    sequential = [extract_all([source])[0][0] for source in sources]
    assert stats.workers == 2 and stats.extracted == 6
    assert parallel == sequential
    assert [d.source for d in parallel] == sorted(p.name for p in corpus.glob("*.txt"))
    # plans of 3 to 6 fields, each numbering its fields from 1
    assert [d.source for d in parallel[:3]] == [f"plan-0001-field-{k}.txt" for k in (1, 2, 3)]
    assert parallel[2].initiatives[0].id.startswith("3-1-")


def test_only_changed_documents_are_extracted_again(corpus, tmp_path):
    cache = tmp_path / "cache"
    sources = read_sources(corpus, load_config())
    first, stats = extract_all(sources, cache)
    assert (stats.extracted, stats.cached) == (6, 0)
    again, stats = extract_all(sources, cache)
    assert (stats.extracted, stats.cached) == (0, 6) and again == first
    changed_text = sources[3].text.replace("運用", "運営")
    changed = replace(sources[3], text=changed_text,
                      sha256=hashlib.sha256(changed_text.encode()).hexdigest())
    third, stats = extract_all([*sources[:3], changed, *sources[4:]], cache)
    assert (stats.extracted, stats.cached) == (1, 5)
    assert third[:3] == first[:3] and third[4:] == first[4:] and third[3] != first[3]


def test_a_changed_documents_old_extraction_leaves_the_cache(corpus, tmp_path):
    """The cache kept every extraction of every version of a file, growing with each change of
    a weekly publish. Another file's entries, of another folder sharing the cache, stay."""
    cache = tmp_path / "cache"
    sources = read_sources(corpus, load_config())
    extract_all(sources, cache)
    other = tmp_path / "other" / sources[0].path.name
    other.parent.mkdir()
    other.write_text(sources[0].text, encoding="utf-8")
    extract_all([replace(sources[0], path=other)], cache)
    entries = sorted(p.name for p in cache.iterdir())
    assert len(entries) == 7
    changed_text = sources[3].text.replace("運用", "運営")
    changed = replace(sources[3], text=changed_text,
                      sha256=hashlib.sha256(changed_text.encode()).hexdigest())
    extract_all([*sources[:3], changed, *sources[4:]], cache)
    now = sorted(p.name for p in cache.iterdir())
    assert len(now) == 7 and len(set(now) - set(entries)) == 1
    assert [name for name in entries if name not in now] == [
        name for name in entries if name.startswith(sources[3].sha256)]


@pytest.mark.parametrize("damage", [b"garbage\n", pickle.dumps(1), b"\x80\x05\x95"])
def test_a_damaged_cache_entry_is_extracted_again(corpus, tmp_path, damage):
    """An entry damaged on disk (`garbage` once failed the publish with `ValueError: invalid
    literal for int()`) or holding no document is extracted again, never a failed publish."""
    cache = tmp_path / "cache"
    sources = read_sources(corpus, load_config())[:2]
    first, _ = extract_all(sources, cache)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(damage)
    again, stats = extract_all(sources, cache)
    assert (stats.extracted, stats.cached) == (2, 0) and again == first


def test_a_cache_entry_changed_on_disk_is_extracted_again(corpus, tmp_path):
    """A word changed in a kept document (a bit flipped by the disk, a copy's fault) still
    unpickled, into a document the source does not print: it was published so, under the
    source's name (a kill campaign changed bytes of the cache between runs)."""
    cache = tmp_path / "cache"
    sources = read_sources(corpus, load_config())[:2]
    first, _ = extract_all(sources, cache)
    for entry in cache.glob("*.pickle"):
        kept = entry.read_bytes()
        assert "運用".encode() in kept
        entry.write_bytes(kept.replace("運用".encode(), "運営".encode()))    # (as many bytes)
    again, stats = extract_all(sources, cache)
    assert (stats.extracted, stats.cached) == (2, 0) and again == first


def test_a_damaged_entry_of_a_read_only_cache_is_extracted_again(corpus, tmp_path, monkeypatch):
    """A damaged entry that cannot be removed (the cache on a read-only mount) failed the
    publish (`extract stage failed: Read-only file system`): it is extracted again, as any
    damaged entry is, and kept where it is."""
    import errno
    cache = tmp_path / "cache"
    sources = read_sources(corpus, load_config())[:2]
    first, _ = extract_all(sources, cache)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:-10])                      # cut short

    def read_only(path, missing_ok=False):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(Path, "unlink", read_only)
    again, stats = extract_all(sources, cache)
    assert (stats.extracted, stats.cached) == (2, 0) and again == first


def test_a_full_disk_leaves_no_part_of_an_entry_in_the_cache(corpus, tmp_path, monkeypatch):
    """A document that could not be kept (the disk full as its entry was written) left its
    temporary file, cut short, in the cache for ever: one more after each such run (a
    disk-full campaign found three after twelve runs)."""
    import errno
    cache = tmp_path / "cache"
    sources = read_sources(corpus, load_config())[:2]

    def full(path, data):
        with open(path, "wb") as handle:
            handle.write(data[:len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    documents, stats = extract_all(sources, cache)
    monkeypatch.undo()
    assert stats.extracted == 2 and documents == extract_all(sources)[0]
    assert list(cache.iterdir()) == []


def test_warnings_name_the_path_as_given_whatever_the_cache_holds(tmp_path, project_root,
                                                                   source_text, monkeypatch):
    """A warning names its file by the path the run was given: a document kept by a run given
    an absolute path is not taken by a run given a relative one (a machine's folders leaked
    into the published warnings so)."""
    lines = source_text.split("\n")
    assert lines[593].startswith("5\t電子申請オンライン利用の促進")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text("\n".join(lines[:593] + lines[594:]), encoding="utf-8")
    config, cache = load_config(project_root / "pipeline.toml"), tmp_path / "cache"
    absolute, _ = extract_all(read_sources(raw, config), cache)
    assert absolute[0].warnings[-1].startswith(f"{raw / 'plan.txt'}:609: initiative 2-2-5 is missing")
    monkeypatch.chdir(tmp_path)
    relative, stats = extract_all(read_sources(Path("raw"), config), cache)
    assert stats.extracted == 1
    assert relative[0].warnings[-1].startswith(f"{Path('raw') / 'plan.txt'}:609: initiative 2-2-5")


def test_an_error_in_a_worker_keeps_file_and_line(corpus, tmp_path):
    sources = read_sources(corpus, load_config())
    broken_text = sources[4].text + "\n1\tもう一度の取組\n目的・概要\t\t性質・手法\tシステム\n"
    broken = replace(sources[4], text=broken_text)
    with pytest.raises(ExtractionError) as error:
        extract_all([*sources[:4], broken, sources[5]], workers=2)
    # the first item of a document repeated at its end: the same id twice
    assert error.value.path == str(sources[4].path)
    assert error.value.line == broken_text.count("\n") - 1
    assert "appears twice" in str(error.value)


# Modules `import pipeline.extract` loads that shape no extracted record: the source's type and
# the reading of sources (its text, path and name are in the cache key; the plan ids files are
# given, by names and media types' suffixes, are not cached) and of the settings, the
# collector's pause
NOT_EXTRACTION = {"pipeline", "pipeline.config", "pipeline.heap", "pipeline.mediatypes",
                  "pipeline.names", "pipeline.parsing", "pipeline.sourceplans", "pipeline.sources"}


def test_the_extraction_cache_s_code_version_covers_every_module_extraction_runs():
    """pipeline/paragraphs.py (the line joins, moved out of normalize.py) was not in
    CODE_FILES: a change to how lines join would have kept publishing the documents extracted
    and cached by the code before it. Every module the extraction imports is in the code
    version, or named here as shaping no record."""
    import subprocess
    import sys
    from pipeline.extract.batch import CODE_FILES, PACKAGE
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, pipeline.extract; print(*sorted(m for m in sys.modules "
         "if m == 'pipeline' or m.startswith('pipeline.')))"],
        capture_output=True, text=True, check=True).stdout.split()
    covered = [PACKAGE / name for name in CODE_FILES]
    files = {module: PACKAGE.parent / (module.replace(".", "/") + ".py") for module in loaded}
    files.update({m: PACKAGE.parent / m.replace(".", "/") / "__init__.py"
                  for m, f in files.items() if not f.exists()})
    uncovered = [module for module, file in files.items() if module not in NOT_EXTRACTION
                 and not any(file == path or path in file.parents for path in covered)]
    assert "pipeline.paragraphs" in loaded and "pipeline.values" in loaded
    assert uncovered == []
