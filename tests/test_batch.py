"""Many documents: parallel extraction equals sequential, and the cache re-extracts only
what changed."""

from __future__ import annotations

import hashlib
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
