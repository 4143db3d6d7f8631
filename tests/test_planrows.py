"""Each plan's rows kept between runs (pipeline/planrows.py): the rows, warnings and digests a
republish takes from the cache are those a fresh extraction gives, and a plan whose files are
unchanged is neither extracted nor even loaded.

The corpus: Miyagi's field 2 (a-miyagi.txt) and the same text as field 3 (c-miyagi-3.txt), one
plan over two files, with "Fukushima's" plan between them in source order (b-fukushima.txt,
one of its 参考 citing 2-1-100, which it lacks: a warning), so that Miyagi's rows come in two
runs in every table.
"""

from __future__ import annotations

import pytest

from pipeline import partcache
from pipeline.assemble import assemble
from pipeline.config import load_config
from pipeline.export import pieces
from pipeline.export.pieces import table_runs
from pipeline.export.tables import table_rows
from pipeline.extract import batch
from pipeline.extract.batch import extract_all
from pipeline.planrows import extract_rows
from pipeline.sources import read_sources
from test_plans import FUKUSHIMA, MIYAGI, field_3, fukushima_entry, manifest, miyagi_entry

CITED = "2-1-9庁内ITアドバイザーの設置\n2-1-10"     # 参考 lines of an initiative (300, 301)


@pytest.fixture
def raw(tmp_path, source_text):
    assert source_text.count(CITED) == 1
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a-miyagi.txt").write_text(source_text, encoding="utf-8")
    (folder / "b-fukushima.txt").write_text(
        source_text.replace(CITED, CITED + "0"), encoding="utf-8")
    (folder / "c-miyagi-3.txt").write_text(field_3(source_text), encoding="utf-8")
    (folder / "sources.toml").write_text(manifest(
        miyagi_entry("a-miyagi.txt"), fukushima_entry("b-fukushima.txt"),
        miyagi_entry("c-miyagi-3.txt", title="みやぎICT推進プラン 分野3")), encoding="utf-8")
    return folder


def sources_of(raw, project_root):
    return read_sources(raw, load_config(project_root / "pipeline.toml"), set())


def fresh(sources):
    """The rows and warnings of all documents assembled at once (publish's way before)."""
    documents, _ = extract_all(sources)
    publication = assemble(sources, documents)
    return table_rows(publication), publication.warnings


def test_rows_and_warnings_are_those_of_one_assembly(raw, project_root):
    sources = sources_of(raw, project_root)
    rows, warnings = fresh(sources)
    extracted = extract_rows(sources)
    assert extracted.rows == rows and extracted.warnings == warnings
    assert [w.split(": ", 1)[0] for w in warnings] == ["b-fukushima.txt:301"]
    assert [r["plan_id"] for r in extracted.rows["initiatives"]].count(MIYAGI) == 66
    assert [r["id"] for r in extracted.rows["initiatives"][:2]] == ["2-1-1", "2-1-2"]
    assert extracted.rows["initiatives"][33]["plan_id"] == FUKUSHIMA
    assert extracted.rows["initiatives"][66]["id"] == "3-1-1"


def test_a_republish_loads_no_document_of_an_unchanged_plan(raw, project_root, tmp_path, monkeypatch):
    sources = sources_of(raw, project_root)
    cache, folder = tmp_path / "documents", tmp_path / "rows"
    first = extract_rows(sources, cache, folder)
    assert (first.documents.extracted, first.plans_reused) == (3, 0)

    def loaded(*args):
        raise AssertionError("a document was loaded")
    monkeypatch.setattr(batch, "_load", loaded)
    again = extract_rows(sources, cache, folder)
    assert (again.documents.extracted, again.documents.cached, again.plans_reused) == (0, 0, 2)
    assert (again.rows, again.warnings, again.digests) == (first.rows, first.warnings, first.digests)
    monkeypatch.undo()

    path = raw / "c-miyagi-3.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("県内の公共機関", "県内の各公共機関"),
                    encoding="utf-8")
    changed = sources_of(raw, project_root)
    third = extract_rows(changed, cache, folder)
    # Miyagi's plan again (its unchanged field 2 from the documents' cache), Fukushima's not
    assert (third.documents.extracted, third.documents.cached, third.plans_reused) == (1, 1, 1)
    assert (third.rows, third.warnings) == fresh(changed)
    assert third.rows["initiatives"][66]["summary"].startswith("県内の各公共機関")
    assert third.rows["initiatives"][:66] == first.rows["initiatives"][:66]


def test_runs_take_the_plans_digests(raw, project_root, monkeypatch):
    """A run holding all of a plan's rows of a table is named by the plan's digest; the runs of
    a plan whose files are not together are digested as before; the runs are the same."""
    extracted = extract_rows(sources_of(raw, project_root))
    expected = {table: table_runs(rows) for table, rows in extracted.rows.items()}
    digested = []
    original = partcache.rows_digest
    monkeypatch.setattr(pieces, "rows_digest", lambda rows: digested.append(rows) or original(rows))
    runs = {table: table_runs(rows, extracted.digests[table])
            for table, rows in extracted.rows.items()}
    assert runs == expected
    assert {rows[0]["plan_id"] for rows in digested} == {MIYAGI}       # its two runs, not whole
    assert len(digested) == 2 * sum(1 for rows in extracted.rows.values()
                                    if any(r["plan_id"] == MIYAGI for r in rows))
    wrong = {FUKUSHIMA: (1, "not the digest")}
    assert table_runs(extracted.rows["initiatives"], wrong) == expected["initiatives"]


def test_entries_of_other_code_or_other_bytes_are_not_used(raw, project_root, tmp_path, monkeypatch):
    sources = sources_of(raw, project_root)
    folder = tmp_path / "rows"
    extract_rows(sources, None, folder)
    entries = sorted(p.name for p in folder.iterdir())
    assert len(entries) == 2
    monkeypatch.setattr("pipeline.planrows.code_digest", lambda: "another version")
    other = extract_rows(sources, None, folder)
    assert other.plans_reused == 0
    assert not set(entries) & {p.name for p in folder.iterdir()}     # the old ones pruned
