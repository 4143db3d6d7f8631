"""The linked data's cache (pipeline/rdf/cache.py): a republish after one plan changed builds
only that plan's graph and the chunks it reaches, and writes the bytes a run without cache
writes; a damaged entry is rebuilt, never used; entries a run did not use are removed."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace

import pytest

from benchmarks.corpus import write_corpus
from pipeline.config import load_config
from pipeline.export import listing
from pipeline.forked import fork_cores
from pipeline.export.datapackage import source_descriptor
from pipeline.export.pieces import table_digests, table_runs
from pipeline.export.tables import table_rows
from assembled import build
from pipeline.publish import publish
from pipeline.rdf import LinkedDataWriter, stream
from pipeline.schema import load_schemas

CHANGED = "plan-0002-field-1.txt"       # benchmarks/corpus.py: plan 2 of two


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(stream, "CHUNK_LINES", 400)     # many chunks from eight documents


def linked_files(out):
    files = sorted([*out.glob("rdf/*"), *out.glob("plans/*/graph.nt")])
    return {str(path.relative_to(out)): path.read_bytes() for path in files}


def change_one_plan(raw):
    path = raw / CHANGED
    text = path.read_text(encoding="utf-8")
    assert "電子県庁の運用" in text
    path.write_text(text.replace("電子県庁の運用", "電子県庁の運用と改善", 1), encoding="utf-8")


def test_a_republish_after_one_plan_changed_rebuilds_it_alone_with_the_same_bytes(
        tmp_path, project_root, small_chunks, monkeypatch):
    """Each plan in a part of its own: the unchanged plan's part (its sorted lines and its
    graph.nt) is linked from the cache, not written again."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(stream, "DOCUMENTS_PER_PART", 4)    # four documents per plan
    # the chunks are cached where no URI documents are written (the benchmark's settings)
    config = replace(load_config(project_root / "pipeline.toml"), uri_documents=False)
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    write_corpus(raw, 8)
    quiet = lambda message: None  # noqa: E731
    first = publish(raw, tmp_path / "cached", config, quiet, cache_dir=cache).linked_data
    assert (first.plans_built, first.plans_reused, first.chunks_reused) == (2, 0, 0)
    assert first.chunks_built > 10
    before = linked_files(tmp_path / "cached")
    inodes = {plan: (tmp_path / "cached" / "plans" / plan / "graph.nt").stat().st_ino
              for plan in ("pref01-plan-0001", "pref02-plan-0002")}
    publish(raw, tmp_path / "uncached", config, quiet)

    change_one_plan(raw)
    again = publish(raw, tmp_path / "cached", config, quiet, cache_dir=cache).linked_data
    assert (again.plans_built, again.plans_reused) == (1, 1)
    assert (first.spliced, again.spliced) == (0, 1)     # graph.nt: from the first run's
    assert 0 < again.chunks_built < first.chunks_built / 2
    assert again.chunks_built + again.chunks_reused > 10
    publish(raw, tmp_path / "uncached", config, quiet)
    cached, uncached = linked_files(tmp_path / "cached"), linked_files(tmp_path / "uncached")
    assert list(cached) == list(uncached) and len(cached) == 6 + 2
    for name in cached:
        assert cached[name] == uncached[name], name
    database = "miyagi-ict-plan.sqlite"         # copied from the first run's but one plan's
    assert (tmp_path / "cached" / database).read_bytes() == \
        (tmp_path / "uncached" / database).read_bytes()
    assert cached["plans/pref01-plan-0001/graph.nt"] == before["plans/pref01-plan-0001/graph.nt"]
    assert cached["plans/pref02-plan-0002/graph.nt"] != before["plans/pref02-plan-0002/graph.nt"]
    assert cached["rdf/graph.ttl"] != before["rdf/graph.ttl"]
    graphs = {plan: tmp_path / "cached" / "plans" / plan / "graph.nt" for plan in inodes}
    assert graphs["pref01-plan-0001"].stat().st_ino == inodes["pref01-plan-0001"]    # linked
    assert graphs["pref02-plan-0002"].stat().st_ino != inodes["pref02-plan-0002"]
    # one publication's entries, those of the last run only: two plans, two parts, the merge,
    # the chunks
    entries = [path.name for path in cache.glob("rdf/*/*.entry")]
    assert len(entries) == 2 + 2 + 1 + again.chunks_built + again.chunks_reused
    assert all(path.with_name(path.name + ".files").is_dir() for path in cache.glob("rdf/*/chunk-*.entry"))


def without_file(raw, name):
    """The raw folder without one of its files and that file's manifest entry."""
    (raw / name).unlink()
    manifest = raw / "sources.toml"
    entries = manifest.read_text(encoding="utf-8").split("[[source]]")
    manifest.write_text("[[source]]".join(e for e in entries if f'"{name}"' not in e),
                        encoding="utf-8")


def test_a_republish_after_a_file_is_removed_takes_the_chunks_at_their_new_places(
        tmp_path, project_root, small_chunks, monkeypatch):
    """The chunks after the removed file's lines come one or more places earlier: each is
    taken from the cache as the chunk it now is (it once failed: `FileNotFoundError: …
    .chunks-…/2.ttl`, its files linked under the number it had when kept)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = replace(load_config(project_root / "pipeline.toml"), uri_documents=False)
    raw, cache, quiet = tmp_path / "raw", tmp_path / "cache", lambda message: None
    write_corpus(raw, 8)
    first = publish(raw, tmp_path / "cached", config, quiet, cache_dir=cache).linked_data
    without_file(raw, "plan-0001-field-2.txt")
    again = publish(raw, tmp_path / "cached", config, quiet, cache_dir=cache).linked_data
    assert again.chunks_reused > 5 and again.chunks_built < first.chunks_built / 2
    publish(raw, tmp_path / "uncached", config, quiet)
    assert linked_files(tmp_path / "cached") == linked_files(tmp_path / "uncached")


def test_with_uri_documents_a_republish_reuses_chunks_and_writes_the_same_documents(
        tmp_path, project_root, small_chunks, monkeypatch):
    """The default settings write a document per URI: the chunks are cached all the same, and
    a chunk taken from the cache still gets its documents, byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = load_config(project_root / "pipeline.toml")
    assert config.uri_documents
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    write_corpus(raw, 8)
    quiet = lambda message: None  # noqa: E731
    first = publish(raw, tmp_path / "cached", config, quiet, cache_dir=cache).linked_data
    assert first.chunks_built > 10 and first.chunks_reused == 0
    change_one_plan(raw)
    again = publish(raw, tmp_path / "cached", config, quiet, cache_dir=cache).linked_data
    assert 0 < again.chunks_built < first.chunks_built / 2 < again.chunks_reused
    publish(raw, tmp_path / "uncached", config, quiet)
    cached, uncached = (documented_files(tmp_path / name) for name in ("cached", "uncached"))
    assert len([name for name in cached if name.startswith("id/")]) > 1000
    assert "rdf/uri-documents.json" in cached
    assert list(cached) == list(uncached)
    for name in cached:
        assert cached[name] == uncached[name], name


def documented_files(out):
    """The linked data with the URIs' documents and their manifest."""
    files = sorted(path for path in (out / "id").rglob("*") if path.is_file())
    return {**linked_files(out), **{str(path.relative_to(out)): path.read_bytes() for path in files}}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, project_root):
    raw = tmp_path_factory.mktemp("corpus")
    write_corpus(raw, 8)
    config = replace(load_config(project_root / "pipeline.toml"), uri_documents=False)
    publication = build(raw, config, lambda message: None)
    return (table_rows(publication), [source_descriptor(s) for s in publication.sources],
            publication.plans, config)


def write_linked_data(corpus, out, cache):
    rows, sources, plans, config = corpus
    shutil.rmtree(out, ignore_errors=True)
    with LinkedDataWriter(rows, sources, plans, config, load_schemas(), out, cache_dir=cache,
                          routes=()) as writer:
        return writer.finish()


def test_a_damaged_entry_is_rebuilt_and_never_published(corpus, tmp_path, small_chunks):
    cache = tmp_path / "cache"
    plain = linked_files(tmp_path / "plain") if write_linked_data(corpus, tmp_path / "plain", None) else {}
    write_linked_data(corpus, tmp_path / "out", cache)
    plan, part = next(cache.glob("plan-*")), next(cache.glob("part-*.entry"))
    chunk, edited = sorted(cache.glob("chunk-*.entry"))[3:5]
    plan.write_bytes(plan.read_bytes()[:-100])                         # cut short
    part.write_bytes(part.read_bytes()[:-100])                         # its part's too
    data = bytearray(chunk.read_bytes())
    data[-10] ^= 1                                                     # one bit changed
    chunk.write_bytes(bytes(data))
    kept = edited.with_name(edited.name + ".files") / "0"             # a kept chunk file,
    with kept.open("r+b") as handle:                                   # edited in place
        handle.write(b"#")
    stats = write_linked_data(corpus, tmp_path / "out", cache).cache
    assert (stats.plans_built, stats.plans_reused, stats.chunks_built) == (1, 1, 2)
    assert stats.chunks_reused > 10
    assert linked_files(tmp_path / "out") == plain
    again = write_linked_data(corpus, tmp_path / "out", cache).cache     # the entries are whole again
    assert (again.plans_built, again.chunks_built) == (0, 0)


def test_entries_the_last_run_did_not_use_are_removed(corpus, tmp_path, small_chunks):
    cache = tmp_path / "cache"
    write_linked_data(corpus, tmp_path / "out", cache)
    stale = cache / "chunk-0000.entry"
    stale.write_bytes(b"left by an older run")
    (cache / ".plan-1.entry.123.tmp").write_bytes(b"cut short by a crash")
    count = len(list(cache.iterdir()))
    stats = write_linked_data(corpus, tmp_path / "out", cache).cache
    assert stats.plans_built == stats.chunks_built == 0
    # the plans' entries; the part's entry and its files; the merge's (graph.nt, kept for the
    # next run's splice); each chunk's entry and its files
    assert len(list(cache.iterdir())) == count - 2 == 2 + 2 + 2 + 2 * stats.chunks_reused
    assert not stale.exists()


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path, project_root, monkeypatch):
    """A cache_dir that is a file (or read-only): the publish goes on without a cache and
    writes what a run without cache writes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = replace(load_config(project_root / "pipeline.toml"), uri_documents=False)
    raw, blocked = tmp_path / "raw", tmp_path / "not-a-folder"
    write_corpus(raw, 4)
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    quiet = lambda message: None  # noqa: E731
    stats = publish(raw, tmp_path / "cached", config, quiet, cache_dir=blocked).linked_data
    assert (stats.plans_built, stats.plans_reused, stats.chunks_reused) == (1, 0, 0)
    publish(raw, tmp_path / "uncached", config, quiet)
    assert linked_files(tmp_path / "cached") == linked_files(tmp_path / "uncached")
    assert blocked.read_text(encoding="utf-8") == "a file where the cache folder would be"


def test_a_republish_describes_the_unchanged_plans_files_without_reading_them(
        tmp_path, project_root, monkeypatch):
    """The bytes and SHA-256 of an unchanged plan's files come back with them from the cache
    (its slices of the tables, with their resources; its graph.nt, with its part of the
    graph), and those of a changed plan's files from what wrote them: the datasets, the pages
    and the catalogue describing them never read a plan's files again to hash them."""
    monkeypatch.setattr(stream, "DOCUMENTS_PER_PART", 4)    # each plan a part of its own
    config = replace(load_config(project_root / "pipeline.toml"), uri_documents=False)
    raw, cache, out = tmp_path / "raw", tmp_path / "cache", tmp_path / "out"
    write_corpus(raw, 8)
    quiet = lambda message: None  # noqa: E731
    publish(raw, out, config, quiet, cache_dir=cache)
    change_one_plan(raw)
    hashed = []

    def recording_open(path, *args, **kwargs):     # file_digest reading a file to hash it
        hashed.append(str(path))
        return open(path, *args, **kwargs)
    monkeypatch.setattr(listing, "open", recording_open, raising=False)
    publish(raw, out, config, quiet, cache_dir=cache)
    for name in ("graph.nt", "graph.ttl", "graph.rdf", "graph.jsonld"):  # joined by the kernel:
        assert sum(path.endswith(f"/rdf/{name}") for path in hashed) == 1, name   # read once
    assert not [path for path in hashed if "/plans/" in path]
    published = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for resource in published["resources"]:                                # still true digests
        if resource["path"].startswith("plans/"):
            data = (out / resource["path"]).read_bytes()
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)


def test_the_publish_digests_of_a_plans_rows_name_the_entries_the_workers_would(corpus, tmp_path,
                                                                                 monkeypatch):
    """publish hands the workers the digests it made of each plan's rows (pieces.table_digests),
    so that they do not digest the rows again; the entries keep their names, and with a digest
    that is not the rows' the plan is built anew, not taken from the cache."""
    rows, sources, plans, config = corpus
    cache = tmp_path / "cache"
    write_linked_data(corpus, tmp_path / "out", cache)
    digests = table_digests({table: table_runs(table_rows_) for table, table_rows_ in rows.items()})
    assert sorted(digests) == sorted(plans) and digests["pref01-plan-0001"]["initiatives"]
    digest = stream.rows_digest

    def digested_again(rows):           # (in the workers too: forked after this)
        assert rows == [], "a plan's rows digested again"      # (a table without its rows)
        return digest(rows)
    monkeypatch.setattr(stream, "rows_digest", digested_again)

    def written(digests):
        shutil.rmtree(tmp_path / "out")
        with LinkedDataWriter(rows, sources, plans, config, load_schemas(), tmp_path / "out",
                              cache_dir=cache, digests=digests, routes=()) as writer:
            return writer.finish().cache
    stats = written(digests)
    assert (stats.plans_built, stats.plans_reused) == (0, 2)
    wrong = {plan: {table: "0" * 64 for table in tables} for plan, tables in digests.items()}
    assert written(wrong).plans_built == 2


@pytest.mark.parametrize("documents_per_part", [4, 25])
def test_each_combined_file_is_announced_as_soon_as_it_is_whole(corpus, tmp_path, monkeypatch,
                                                                documents_per_part):
    """publish hashes the four combined files in threads as the writer finishes each: graph.nt
    first where the workers forked for the graph's parts (two here, of four documents each),
    else after the other three (the workers fork for their chunks: never beside a thread);
    what it is told of is the file as published."""
    monkeypatch.setattr(stream, "DOCUMENTS_PER_PART", documents_per_part)
    seen = []
    out = tmp_path / "out"
    rows, sources, plans, config = corpus
    with LinkedDataWriter(rows, sources, plans, config, load_schemas(), out, routes=()) as writer:
        writer.finish(written=lambda path: seen.append((path.name, path.read_bytes())))
    names = ["graph.ttl", "graph.rdf", "graph.jsonld"]
    first = documents_per_part == 4 or fork_cores() < 2         # (one core: no worker forks)
    assert [name for name, _ in seen] == (["graph.nt", *names] if first else [*names, "graph.nt"])
    assert all(data == (out / "rdf" / name).read_bytes() and data for name, data in seen)
