"""Each plan's rows kept between runs (pipeline/planrows.py): the rows, warnings and digests a
republish takes from the cache are those a fresh extraction gives, and a plan whose files are
unchanged is neither extracted nor even loaded.

The corpus: Miyagi's field 2 (a-miyagi.txt, the heading of 2-2-5 lost: two warnings) and the
real text as field 3 (c-miyagi-3.txt), one plan over two files, with "Fukushima's" plan between
them in source order (b-fukushima.txt, one of its 参考 citing 2-1-100, which it lacks: a
warning), so that Miyagi's rows come in two runs in every table.
"""

from __future__ import annotations

from pathlib import Path

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
HEADING_2_2_5 = "5\t電子申請オンライン利用の促進"   # line 594


@pytest.fixture
def raw(tmp_path, source_text):
    assert source_text.count(CITED) == 1
    folder = tmp_path / "raw"
    folder.mkdir()
    lines = source_text.split("\n")
    assert lines[593].startswith(HEADING_2_2_5)
    (folder / "a-miyagi.txt").write_text("\n".join(lines[:593] + lines[594:]), encoding="utf-8")
    (folder / "b-fukushima.txt").write_text(
        source_text.replace(CITED, CITED + "0"), encoding="utf-8")
    (folder / "c-miyagi-3.txt").write_text(field_3(source_text), encoding="utf-8")
    (folder / "sources.toml").write_text(manifest(
        miyagi_entry("a-miyagi.txt"), fukushima_entry("b-fukushima.txt"),
        miyagi_entry("c-miyagi-3.txt", title="みやぎICT推進プラン 分野3")), encoding="utf-8")
    return folder


def sources_of(raw, project_root):
    """In the files' name order (read_sources puts a plan's files together: this module takes
    any order)."""
    sources = read_sources(raw, load_config(project_root / "pipeline.toml"), set())
    return sorted(sources, key=lambda source: source.name)


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
    # each source's warnings in source order: its document's, then its references' (a 参考 at
    # line 216 cites 2-2-5, which Miyagi's plan lacks, in both of its files); the seed's eight
    # schedules without an H28 column aside (in each file, against its plan's period)
    lost_column = "prints no column for fiscal year"
    assert [w.split(": ", 1)[0] for w in warnings if lost_column not in w] == [
        f"{raw / 'a-miyagi.txt'}:594", f"{raw / 'a-miyagi.txt'}:609", f"{raw / 'a-miyagi.txt'}:216",
        f"{raw / 'b-fukushima.txt'}:301", f"{raw / 'c-miyagi-3.txt'}:216"]
    files = [w.split(":", 1)[0] for w in warnings if lost_column in w]
    assert files == sorted(files) and len(set(files)) == 3
    others = [w for w in warnings if lost_column not in w]
    assert "initiative 2-2-5 is missing" in others[1] and "cites 2-2-5" in others[4]
    assert [r["plan_id"] for r in extracted.rows["initiatives"]].count(MIYAGI) == 65
    assert [r["id"] for r in extracted.rows["initiatives"][:2]] == ["2-1-1", "2-1-2"]
    assert extracted.rows["initiatives"][32]["plan_id"] == FUKUSHIMA
    assert extracted.rows["initiatives"][65]["id"] == "3-1-1"


def test_a_republish_loads_no_document_of_an_unchanged_plan(raw, project_root, tmp_path, monkeypatch):
    sources = sources_of(raw, project_root)
    cache, folder = tmp_path / "documents", tmp_path / "rows"
    first = extract_rows(sources, cache, folder)
    assert (first.batch.extracted, first.plans_reused) == (3, 0)

    def loaded(*args):
        raise AssertionError("a document was loaded")
    monkeypatch.setattr(batch, "_load", loaded)
    again = extract_rows(sources, cache, folder)
    assert (again.batch.extracted, again.batch.cached, again.plans_reused) == (0, 0, 2)
    assert (again.rows, again.warnings, again.digests) == (first.rows, first.warnings, first.digests)
    monkeypatch.undo()

    path = raw / "c-miyagi-3.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("県内の公共機関", "県内の各公共機関"),
                    encoding="utf-8")
    changed = sources_of(raw, project_root)
    third = extract_rows(changed, cache, folder)
    # Miyagi's plan again (its unchanged field 2 from the documents' cache), Fukushima's not
    assert (third.batch.extracted, third.batch.cached, third.plans_reused) == (1, 1, 1)
    assert (third.rows, third.warnings) == fresh(changed)
    assert third.rows["initiatives"][65]["summary"].startswith("県内の各公共機関")
    assert third.rows["initiatives"][:65] == first.rows["initiatives"][:65]


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


def test_entries_of_other_code_are_not_used_and_are_removed(raw, project_root, tmp_path,
                                                             monkeypatch):
    sources = sources_of(raw, project_root)
    folder = tmp_path / "rows"
    extract_rows(sources, None, folder)
    entries = sorted(p.name for p in folder.iterdir())
    assert len(entries) == 2
    monkeypatch.setattr("pipeline.planrows.code_digest", lambda: "another version")
    other = extract_rows(sources, None, folder)
    assert other.plans_reused == 0
    assert not set(entries) & {p.name for p in folder.iterdir()}     # the old ones pruned


def rename(raw, old, new):
    (raw / old).rename(raw / new)
    manifest = raw / "sources.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(f'"{old}"', f'"{new}"'),
                        encoding="utf-8")


def retitle(raw, old, new):
    manifest = raw / "sources.toml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count(old) == 1
    manifest.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("edit, files", [
    (lambda raw: rename(raw, "b-fukushima.txt", "b2-fukushima.txt"), 1),     # Fukushima's name
    (lambda raw: retitle(raw, "福島県ICT計画 分野2", "福島県ICT計画 第2分野"), 1),  # its entry
    (lambda raw: rename(raw, "c-miyagi-3.txt", "0-miyagi-3.txt"), 2),          # Miyagi's order
])
def test_a_plan_whose_files_changed_otherwise_than_in_bytes_is_rebuilt(
        raw, project_root, tmp_path, edit, files):
    """The plan is rebuilt (all its files extracted: no documents' cache here), the other not."""
    folder = tmp_path / "rows"
    extract_rows(sources_of(raw, project_root), None, folder)
    edit(raw)
    sources = sources_of(raw, project_root)
    again = extract_rows(sources, None, folder)
    assert (again.plans_reused, again.batch.extracted) == (1, files)
    assert (again.rows, again.warnings) == fresh(sources)


def test_a_raw_folder_given_by_another_path_is_rebuilt(raw, project_root, tmp_path, monkeypatch):
    """The warnings name the path as given (absolute here, then relative)."""
    folder = tmp_path / "rows"
    extract_rows(sources_of(raw, project_root), None, folder)
    monkeypatch.chdir(raw.parent)
    sources = sources_of(Path("raw"), project_root)
    again = extract_rows(sources, None, folder)
    assert again.plans_reused == 0
    assert again.warnings[0].startswith(f"{Path('raw') / 'a-miyagi.txt'}:594")
    assert (again.rows, again.warnings) == fresh(sources)


def test_a_damaged_entry_is_rebuilt(raw, project_root, tmp_path):
    sources, folder = sources_of(raw, project_root), tmp_path / "rows"
    first = extract_rows(sources, None, folder)
    entry = sorted(folder.iterdir())[0]
    data = bytearray(entry.read_bytes())
    data[-20] ^= 1
    entry.write_bytes(bytes(data))
    again = extract_rows(sources, None, folder)
    assert again.plans_reused == 1 and again.batch.extracted in (1, 2)
    assert (again.rows, again.warnings, again.digests) == (first.rows, first.warnings, first.digests)
