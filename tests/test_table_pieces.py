"""The tables' pieces kept between runs (pipeline/export/pieces.py): a republish after one plan
changed renders that plan's rows alone and writes the bytes a run without cache writes (the
combined CSV, JSON, Excel CSV and workbooks (whose worksheets are joined from compressed pieces
kept apart: workbooks.py), and the plans' slices, whose unchanged files are linked from the
cache); a damaged entry or an edited slice is rebuilt, never used; entries the
last run did not use are removed."""

from __future__ import annotations

import copy
import datetime
import hashlib
import shutil

import openpyxl
import pytest

from benchmarks.corpus import write_corpus
from pipeline.config import load_config
from pipeline.errors import PipelineError
from pipeline.export.xlsx import CELL_MAX
from pipeline.model import EXCEL_CUT_MARK
from pipeline.export.package import write_tables_package
from pipeline.export import pieces
from pipeline.export.pieces import plan_runs
from pipeline.partcache import CacheStats, PartCache, rows_digest
from pipeline.export.tables import table_rows
from assembled import build
from pipeline.schema import load_schemas

CREATED = "2026-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, project_root):
    raw = tmp_path_factory.mktemp("corpus")
    write_corpus(raw, 8)
    config = load_config(project_root / "pipeline.toml")
    publication = build(raw, config, lambda message: None)
    return publication, table_rows(publication), config


def table_files(out):
    """Every file the tables write, by its path in the folder."""
    return {str(path.relative_to(out)): path.read_bytes()
            for path in sorted(out.rglob("*")) if path.is_file()}


def write(corpus, out, cache, rows=None):
    publication, plain_rows, config = corpus
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return write_tables_package(publication, rows or plain_rows, config, out, CREATED, "",
                                cache_folder=cache)


def entries(cache, kind="table-rows"):
    """The names of the cache's entries of a kind: table-rows (pieces) or plan-slice."""
    return sorted(path.name for path in cache.glob(f"{kind}-*.entry"))


def changed_rows(corpus) -> dict[str, list[dict]]:
    """The rows with one initiative's summary of the second plan changed."""
    publication, rows, _ = corpus
    rows = copy.deepcopy(rows)
    second = list(publication.plans)[1]
    row = next(r for r in rows["initiatives"] if r["plan_id"] == second)
    row["summary"] += "（改）"
    return rows


def test_tables_from_the_cache_are_the_bytes_written_without_it(corpus, tmp_path):
    cache = tmp_path / "cache"
    write(corpus, tmp_path / "plain", None)
    plain = table_files(tmp_path / "plain")
    assert len([name for name in plain if name.startswith("plans/")]) == 2 * 7 * 2
    write(corpus, tmp_path / "cold", cache)
    first = entries(cache)
    assert len(first) == 2 * 7                     # one piece per plan and table
    assert table_files(tmp_path / "cold") == plain
    stamps = {name: (cache / name).stat().st_mtime_ns for name in first}
    write(corpus, tmp_path / "warm", cache)
    assert table_files(tmp_path / "warm") == plain
    assert entries(cache) == first and all((cache / n).stat().st_mtime_ns == stamps[n] for n in first)
    assert len(entries(cache, "plan-slice")) == 2 * 7  # one per plan and table: its CSV and JSON
    for name in (name for name in plain if name.startswith("plans/")):
        assert (tmp_path / "warm" / name).samefile(tmp_path / "cold" / name)   # linked, not written


def test_after_one_plan_changed_only_its_piece_is_rendered_again(corpus, tmp_path):
    cache = tmp_path / "cache"
    write(corpus, tmp_path / "out", cache)
    first, slices = set(entries(cache)), set(entries(cache, "plan-slice"))
    rows = changed_rows(corpus)
    write(corpus, tmp_path / "out", cache, rows)
    again = set(entries(cache))
    assert len(again - first) == 1 and len(first - again) == 1     # the old piece is pruned
    assert len(set(entries(cache, "plan-slice")) ^ slices) == 2     # one slice's entry replaced
    write(corpus, tmp_path / "plain", None, rows)
    cached, plain = table_files(tmp_path / "out"), table_files(tmp_path / "plain")
    assert cached == plain
    second = list(corpus[0].plans)[1]
    assert "（改）" in cached[f"plans/{second}/initiatives.csv"].decode("utf-8")
    assert "（改）" in cached["initiatives.json"].decode("utf-8")


def test_a_damaged_entry_is_rebuilt_and_never_published(corpus, tmp_path):
    cache = tmp_path / "cache"
    write(corpus, tmp_path / "plain", None)
    write(corpus, tmp_path / "out", cache)
    first, second = (cache / name for name in entries(cache)[:2])
    first.write_bytes(first.read_bytes()[:-100])                      # cut short
    data = bytearray(second.read_bytes())
    data[-10] ^= 1                                                    # one bit changed
    second.write_bytes(bytes(data))
    stamps = {name: (cache / name).stat().st_mtime_ns for name in entries(cache)}
    for kept in cache.glob("joined-*"):        # no combined file to copy from: every piece read
        shutil.rmtree(kept) if kept.is_dir() else kept.unlink()
    write(corpus, tmp_path / "out", cache)
    assert table_files(tmp_path / "out") == table_files(tmp_path / "plain")
    rewritten = [name for name in entries(cache) if (cache / name).stat().st_mtime_ns != stamps[name]]
    assert sorted(rewritten) == sorted([first.name, second.name])


def test_a_republish_copies_the_unchanged_plans_rows_of_the_combined_files(corpus, tmp_path,
                                                                           monkeypatch):
    """The combined CSV, JSON and Excel CSV keep the place of each plan's rows: after one plan
    changed, the others' bytes are copied from the previous files and only the changed plan's
    pieces are read (one per table), and the files are those written without any cache."""
    cache = tmp_path / "cache"
    write(corpus, tmp_path / "out", cache)
    read = []
    original = pieces.Pieces._piece
    monkeypatch.setattr(pieces.Pieces, "_piece",
                        lambda self, index: read.append(self.runs[index].plan_id) or original(self, index))
    rows = changed_rows(corpus)
    write(corpus, tmp_path / "out", cache, rows)
    second = list(corpus[0].plans)[1]
    assert read == [second]                     # initiatives: the only table that changed
    write(corpus, tmp_path / "plain", None, rows)
    assert table_files(tmp_path / "out") == table_files(tmp_path / "plain")


def test_joining_onto_the_kept_file_itself_copies_from_it_never_through_it(tmp_path):
    """write_joined into the very path the cache keeps a link of (a folder written again in
    place) replaces the file: the kept bytes it copies from stay whole."""
    cache = PartCache(tmp_path / "cache", "v1")
    runs = [pieces.Run(0, 1, "a", "digest-a"), pieces.Run(1, 2, "b", "digest-b")]
    blocks = {0: b"a,1\r\n", 1: b"b,2\r\n"}
    path, name = tmp_path / "t.csv", cache.entry("joined", "t.csv")
    pieces.write_joined(path, b"h\r\n", b"", b"", runs, blocks.__getitem__, cache, name, CacheStats())
    runs[1] = pieces.Run(1, 2, "b", "digest-b2")
    blocks = {1: b"b,3\r\n"}                       # run a: copied from the kept file
    pieces.write_joined(path, b"h\r\n", b"", b"", runs, blocks.__getitem__, cache, name, CacheStats())
    assert path.read_bytes() == b"h\r\na,1\r\nb,3\r\n"


def test_a_kept_file_that_cannot_be_read_only_costs_a_full_join(tmp_path, monkeypatch):
    cache = PartCache(tmp_path / "cache", "v1")
    runs = [pieces.Run(0, 1, "a", "digest-a")]
    path, name = tmp_path / "t.csv", cache.entry("joined", "t.csv")
    pieces.write_joined(path, b"h\r\n", b"", b"", runs, {0: b"a,1\r\n"}.__getitem__, cache, name,
                        CacheStats())
    gone = tmp_path / "gone"                    # found and intact, then unreadable (EIO, ...)
    monkeypatch.setattr(PartCache, "kept", lambda self, n, stats: ([], [gone], (["digest-a"], [(3, 8)])))
    pieces.write_joined(path, b"h\r\n", b"", b"", runs, {0: b"a,1\r\n"}.__getitem__, cache, name,
                        CacheStats())
    assert path.read_bytes() == b"h\r\na,1\r\n"


def test_a_combined_file_edited_in_place_is_joined_again_never_carried(corpus, tmp_path):
    cache = tmp_path / "cache"
    write(corpus, tmp_path / "plain", None)
    write(corpus, tmp_path / "out", cache)
    with (tmp_path / "out" / "initiatives.json").open("r+b") as handle:
        handle.seek(200)
        handle.write(b"X")
    write(corpus, tmp_path / "again", cache)
    assert table_files(tmp_path / "again") == table_files(tmp_path / "plain")


def test_a_slice_edited_in_place_is_written_again_never_carried(corpus, tmp_path):
    """A plan's slice, kept by the cache as a link to the file written, edited in place
    afterwards (the published copy: the cache's link too) is written again by the next run."""
    cache = tmp_path / "cache"
    write(corpus, tmp_path / "plain", None)
    write(corpus, tmp_path / "out", cache)
    second = list(corpus[0].plans)[1]
    edited = tmp_path / "out" / "plans" / second / "indicators.csv"
    with edited.open("r+b") as handle:
        handle.seek(0)
        handle.write(b"X")
    write(corpus, tmp_path / "again", cache)
    assert table_files(tmp_path / "again") == table_files(tmp_path / "plain")


def test_a_digest_of_rows_depends_on_their_values_not_on_shared_objects():
    text = "".join(["県", "庁"])
    shared = [{"plan_id": "p", "a": text, "b": text}]
    copied = [{"plan_id": "p", "a": "県庁", "b": "".join(["県", "庁"])}]
    assert rows_digest(shared) == rows_digest(copied)
    assert rows_digest([{"plan_id": "p", "n": 1}]) != rows_digest([{"plan_id": "p", "n": "1"}])
    assert rows_digest([{"d": datetime.date(2020, 1, 1)}]) != rows_digest([{"d": "2020-01-01"}])
    assert rows_digest([{"n": 1.0}]) != rows_digest([{"n": 1}])


def test_each_run_of_a_plans_rows_is_one_piece():
    rows = [{"plan_id": plan} for plan in ("a", "a", "b", "a")]
    assert plan_runs(rows) == [(0, 2), (2, 3), (3, 4)]
    assert plan_runs([]) == []


def write_with_workbooks(corpus, out, cache, rows=None):
    publication, plain_rows, config = corpus
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return write_tables_package(publication, rows or plain_rows, config, out, CREATED, "",
                                cache_folder=cache / "pieces", workbook_cache=cache / "workbooks")


def workbooks(out):
    return {path.name: path.read_bytes() for path in sorted((out / "excel").glob("*.xlsx"))}


def test_workbooks_joined_from_kept_pieces_are_the_bytes_written_without_them(corpus, tmp_path):
    """Each run of a plan's rows is one compressed piece of its worksheet, kept under its rows
    and the row it starts at: a change in the second plan's summary compresses that run
    again; one more row in the first plan moves the runs after it, which are compressed again
    at their new rows; the workbooks are always those of a run without cache."""
    cache = tmp_path / "cache"
    write(corpus, tmp_path / "plain", None)
    write_with_workbooks(corpus, tmp_path / "cold", cache)
    first = set(entries(cache / "workbooks", "sheet-piece"))
    assert len(first) == 2 * 7 and workbooks(tmp_path / "cold") == workbooks(tmp_path / "plain")
    package = write_with_workbooks(corpus, tmp_path / "warm", cache)
    assert set(entries(cache / "workbooks", "sheet-piece")) == first
    assert workbooks(tmp_path / "warm") == workbooks(tmp_path / "plain")
    stated = {r["path"]: r for r in package["resources"] if r["path"].endswith(".xlsx")}
    data = (tmp_path / "warm" / "excel" / "initiatives.xlsx").read_bytes()
    assert stated["excel/initiatives.xlsx"]["bytes"] == len(data)
    assert stated["excel/initiatives.xlsx"]["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()

    rows = changed_rows(corpus)
    write_with_workbooks(corpus, tmp_path / "warm", cache, rows)
    assert len(set(entries(cache / "workbooks", "sheet-piece")) ^ first) == 2   # one replaced
    write(corpus, tmp_path / "plain", None, rows)
    assert workbooks(tmp_path / "warm") == workbooks(tmp_path / "plain")

    first_plan = list(corpus[0].plans)[0]
    at = max(i for i, r in enumerate(rows["schedules"]) if r["plan_id"] == first_plan)
    rows["schedules"].insert(at + 1, dict(rows["schedules"][at]))
    before = set(entries(cache / "workbooks", "sheet-piece"))
    write_with_workbooks(corpus, tmp_path / "warm", cache, rows)
    assert len(set(entries(cache / "workbooks", "sheet-piece")) - before) == 2  # both plans' runs
    write(corpus, tmp_path / "plain", None, rows)
    assert workbooks(tmp_path / "warm") == workbooks(tmp_path / "plain")


def parquet_files(corpus, out, cache, rows=None):
    """The Parquet files written from the rows (the corpus's unless given), by file name."""
    from pipeline.export.datapackage import license_descriptor
    from pipeline.export.parquet import write_parquet
    publication, plain_rows, config = corpus
    shutil.rmtree(out, ignore_errors=True)
    package = {"name": "p", "licenses": [license_descriptor(config)], "sources": [],
               "attribution": "出典"}
    write_parquet(out, rows or plain_rows, load_schemas(), package, cache_folder=cache)
    return {path.name: path.read_bytes() for path in sorted((out / "parquet").glob("*.parquet"))}


def test_parquet_joined_from_kept_runs_is_the_bytes_written_without_them(corpus, tmp_path):
    """Each run of a plan's rows is converted to Arrow once and kept under its rows and the
    Table Schema: a change in the second plan's summary converts that run again, and the files
    are always those of a run without cache, holding the rows as they are."""
    import pyarrow.parquet as pq
    cache = tmp_path / "cache"
    plain = parquet_files(corpus, tmp_path / "plain", None)
    assert parquet_files(corpus, tmp_path / "cold", cache) == plain and len(plain) == 7
    first = set(entries(cache, "parquet-piece"))
    assert len(first) == 2 * 7
    assert parquet_files(corpus, tmp_path / "warm", cache) == plain
    assert set(entries(cache, "parquet-piece")) == first
    initiatives = pq.read_table(tmp_path / "warm" / "parquet" / "initiatives.parquet")
    assert initiatives.column("id").to_pylist() == [r["id"] for r in corpus[1]["initiatives"]]
    assert initiatives.schema.metadata[b"attribution"].decode() == "出典"

    rows = changed_rows(corpus)
    changed = parquet_files(corpus, tmp_path / "warm", cache, rows)
    assert len(set(entries(cache, "parquet-piece")) ^ first) == 2               # one replaced
    assert changed == parquet_files(corpus, tmp_path / "plain", None, rows) != plain
    summaries = pq.read_table(tmp_path / "warm" / "parquet" / "initiatives.parquet")
    assert summaries.column("summary").to_pylist() == \
        [r["summary"] or None for r in rows["initiatives"]]


def test_a_cell_excel_cannot_hold_is_cut_in_its_piece_and_whole_in_the_csv(corpus, tmp_path):
    rows = copy.deepcopy(corpus[1])
    rows["initiatives"][2]["summary"] = "あ" * (CELL_MAX + 1)
    write_with_workbooks(corpus, tmp_path / "out", tmp_path / "cache", rows)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "excel" / "initiatives.xlsx").worksheets[0]
    summaries = [v for row in sheet.iter_rows(values_only=True) for v in row
                 if isinstance(v, str) and v.startswith("ああ")]
    assert summaries == ["あ" * (CELL_MAX - len(EXCEL_CUT_MARK)) + EXCEL_CUT_MARK]
    assert "あ" * (CELL_MAX + 1) in (tmp_path / "out" / "initiatives.csv").read_text(encoding="utf-8")
