"""The SQLite and Parquet distributions of the real source's publication.

Both are written from the rows the publish holds; they must say what the JSON tables say
(same rows, same types), carry the keys of the Table Schemas, and carry the licence."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.export.sqlite import write_sqlite
from pipeline.schema import foreign_keys, full_text_fields, load_schemas

SCHEMAS = load_schemas()
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture(scope="module")
def database(published: Path):
    files = list(published.glob("*.sqlite"))
    assert [f.name for f in files] == ["miyagi-ict-plan.sqlite"]
    connection = sqlite3.connect(f"file:{files[0]}?mode=ro", uri=True)
    yield connection
    connection.close()


def json_records(published: Path, table: str) -> list[dict]:
    return json.loads((published / f"{table}.json").read_text(encoding="utf-8"))["records"]


def test_indicator_2_2_5_has_its_baseline_and_target(database):
    rows = database.execute("SELECT baseline_value, target_value, baseline_date, target_date "
                            "FROM indicators WHERE initiative_id = '2-2-5'").fetchall()
    assert rows == [(38.25, 43, "2012-03-31", "2017-03-31")]


def test_every_table_holds_the_json_records(database, published):
    for table, schema in SCHEMAS.items():
        names = [f["name"] for f in schema["fields"]]
        quoted = ", ".join(f'"{n}"' for n in names)
        cursor = database.execute(f'SELECT {quoted} FROM "{table}" ORDER BY rowid')
        lists = {f["name"] for f in schema["fields"] if f["type"] == "list"}
        rows = [{n: json.loads(v) if n in lists and v is not None else v for n, v in zip(names, row)}
                for row in cursor]
        assert rows == json_records(published, table), table


def test_keys_and_types_come_from_the_table_schemas(database):
    affinity = {"integer": "INTEGER", "number": "REAL"}
    for table, schema in SCHEMAS.items():
        info = database.execute(f'PRAGMA table_info("{table}")').fetchall()
        assert [c[1] for c in info] == [f["name"] for f in schema["fields"]]
        assert [c[2] for c in info] == [affinity.get(f["type"], "TEXT") for f in schema["fields"]]
        primary = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]]
        assert primary == schema["primaryKey"], table
        declared = {(k.columns, k.other_table, k.other_columns) for k in foreign_keys(schema)}
        found: dict[int, list] = {}
        for key in database.execute(f'PRAGMA foreign_key_list("{table}")'):
            found.setdefault(key[0], []).append(key)
        stored = {(tuple(k[3] for k in parts), parts[0][2], tuple(k[4] for k in parts))
                  for parts in found.values()}
        assert stored == declared, table
        indexed = [tuple(c[2] for c in database.execute(f'PRAGMA index_info("{index[1]}")'))
                   for index in database.execute(f'PRAGMA index_list("{table}")').fetchall()]
        for columns, _, _ in declared:
            assert any(index[:len(columns)] == columns for index in indexed), (table, columns)


def test_foreign_keys_hold(database):
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute("SELECT count(*) FROM \"references\" WHERE to_id IS NOT NULL").fetchone()[0] > 0


def test_full_text_search_finds_katakana_substrings(database, published):
    """Trigram FTS5 finds `クラウド` inside Japanese text, exactly in the initiatives whose
    indexed text contains it (2-3-3 共同クラウド化)."""
    columns = full_text_fields(SCHEMAS["initiatives"])
    assert columns[:3] == ["title", "summary", "methods"]
    expected = sorted(r["id"] for r in json_records(published, "initiatives")
                      if any("クラウド" in json.dumps(r[c], ensure_ascii=False) for c in columns))
    found = sorted(row[0] for row in database.execute(
        "SELECT id FROM initiatives WHERE rowid IN "
        "(SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH '\"クラウド\"')"))
    assert found == expected and "2-3-3" in found
    sections = database.execute("SELECT count(*) FROM sections_fts WHERE sections_fts MATCH "
                                "'\"情報セキュリティ\"'").fetchone()[0]
    assert sections == sum("情報セキュリティ" in (r["heading"] + (r["body"] or ""))
                           for r in json_records(published, "sections"))
    tokenizer = database.execute("SELECT sql FROM sqlite_master WHERE name = 'initiatives_fts'").fetchone()[0]
    assert "trigram" in tokenizer


def test_the_database_carries_licence_attribution_and_source(database):
    metadata = dict(database.execute("SELECT key, value FROM metadata"))
    assert metadata["license"] == "CC-BY-4.0" and metadata["license_url"] == LICENSE_URL
    assert metadata["attribution"].startswith("出典：宮城県「みやぎICT推進プラン(2014～2016)")
    assert json.loads(metadata["sources"])[0]["path"] == \
        "https://www.pref.miyagi.jp/soshiki/jyoho/indexictplan2014.html"


def _plain(value):
    """A pandas cell as the JSON tables write it: arrays as lists, dates ISO, NaN/NaT null."""
    if hasattr(value, "tolist") and not isinstance(value, (int, float)):
        value = value.tolist()
    if isinstance(value, list):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    return value


def test_parquet_reads_with_pandas_to_the_json_rows(published):
    for table, schema in SCHEMAS.items():
        frame = pd.read_parquet(published / "parquet" / f"{table}.parquet")
        assert list(frame.columns) == [f["name"] for f in schema["fields"]]
        rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        assert rows == json_records(published, table), table


WRITE_WITHOUT_PANDAS = """
import json, sys
from pathlib import Path
from pipeline.export.parquet import write_parquet
from pipeline.schema import load_schemas
schemas = {"terms": load_schemas()["terms"]}
rows = json.loads(sys.argv[2])
write_parquet(Path(sys.argv[1]), {"terms": rows}, schemas, {"name": "p", "sources": []})
loaded = "pandas" in sys.modules
import pyarrow.parquet as pq
frame = pq.read_table(Path(sys.argv[1]) / "parquet" / "terms.parquet").to_pandas()
print(json.dumps([loaded, frame["term"].tolist()], ensure_ascii=False))
"""


def test_the_parquet_writer_leaves_pandas_unloaded_and_usable(published, tmp_path):
    """pyarrow would import pandas at its first conversion (0.4 CPU s in the process that
    writes the databases); the writer keeps it from doing so, and pandas still reads the file
    afterwards in the same process."""
    import subprocess
    import sys
    rows = json_records(published, "terms")[:2]
    done = subprocess.run([sys.executable, "-c", WRITE_WITHOUT_PANDAS, str(tmp_path),
                           json.dumps(rows, ensure_ascii=False)], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [False, [row["term"] for row in rows]]
    assert [row["term"] for row in rows] == ["総合行政ネットワーク(LGWAN)", "WAN"]


def test_parquet_is_typed_from_the_schemas(published):
    initiatives = pq.read_table(published / "parquet" / "initiatives.parquet")
    methods = initiatives.schema.field("methods").type
    assert pa.types.is_list(methods) and methods.value_type == pa.string()
    assert initiatives.column("methods").to_pylist()[0] == ["システム"]
    terms = pq.read_table(published / "parquet" / "terms.parquet")
    lines = terms.schema.field("lines").type
    assert pa.types.is_list(lines) and lines.value_type == pa.int64()
    indicators = pq.read_table(published / "parquet" / "indicators.parquet").to_pylist()
    row = next(r for r in indicators if r["initiative_id"] == "2-2-5")
    assert (row["baseline_value"], row["target_value"]) == (38.25, 43)
    assert row["baseline_date"] == date(2012, 3, 31) and row["seq"] == 1
    types = {f.name: str(f.type) for f in pq.read_schema(published / "parquet" / "indicators.parquet")}
    assert types["seq"] == "int64" and types["baseline_value"] == "double"
    assert types["baseline_date"] == "date32[day]"


def test_parquet_columns_are_nullable_as_in_the_table_schemas_and_sqlite(published, database):
    """A required or primary-key column (plan_id, id, title) is not nullable, as it is NOT NULL
    in SQLite (every column was nullable); the others are."""
    for table, schema in SCHEMAS.items():
        columns = pq.read_schema(published / "parquet" / f"{table}.parquet")
        nullable = {f.name: f.nullable for f in columns}
        assert nullable == {f["name"]: not (f.get("constraints", {}).get("required")
                                            or f["name"] in schema["primaryKey"])
                            for f in schema["fields"]}, table
        not_null = {c[1]: not c[3] for c in database.execute(f'PRAGMA table_info("{table}")')}
        assert nullable == not_null, table
    initiatives = pq.read_schema(published / "parquet" / "initiatives.parquet")
    assert [initiatives.field(n).nullable for n in ("plan_id", "id", "title", "summary")] == \
        [False, False, False, True]


def test_parquet_carries_licence_and_attribution(published):
    metadata = pq.read_schema(published / "parquet" / "sections.parquet").metadata
    assert metadata[b"license"] == b"CC-BY-4.0"
    assert metadata[b"license_url"].decode() == LICENSE_URL
    assert metadata[b"attribution"].decode().startswith("出典：宮城県")
    assert json.loads(metadata[b"table_schema"])["primaryKey"] == SCHEMAS["sections"]["primaryKey"]


def test_a_value_the_schema_type_cannot_hold_is_one_error_line(tmp_path):
    """Parquet and SQLite writers fail with the pipeline's error naming the file, never a
    traceback (a row whose integer column holds text)."""
    from pipeline.errors import PipelineError
    from pipeline.export.parquet import write_parquet
    from pipeline.export.sqlite import write_sqlite

    schemas = {"sites": SCHEMAS["sites"]}
    row = {f["name"]: "" for f in SCHEMAS["sites"]["fields"]}
    row.update({"id": "2-site-1", "field_no": "二", "seq": 1, "name": "x", "media": [],
                "source": "a.txt", "source_lines": "1-2"})
    package = {"name": "p", "licenses": [{"name": "CC-BY-4.0"}], "sources": []}
    with pytest.raises(PipelineError, match="Parquet") as raised:
        write_parquet(tmp_path, {"sites": [row]}, schemas, package)
    assert raised.value.path == str(tmp_path / "parquet" / "sites.parquet")
    row["field_no"], row["name"] = 2, None          # NOT NULL column `name`
    with pytest.raises(PipelineError, match="SQLite"):
        write_sqlite(tmp_path / "p.sqlite", {"sites": [row]}, schemas, package)
    row["name"], row["seq"] = "x", 2 ** 63          # past SQLite's 64-bit INTEGER
    with pytest.raises(PipelineError, match="SQLite.*too large"):
        write_sqlite(tmp_path / "q.sqlite", {"sites": [row]}, schemas, package)


def test_a_database_built_from_the_previous_one_is_byte_for_byte_one_built_from_the_rows(
        tmp_path, project_root, monkeypatch):
    """A republish copies the unchanged plans' rows from the database built last (INSERT …
    SELECT, run for run) and inserts the changed plan's: the same file as a build from the
    rows alone; a damaged kept database is not used."""
    import shutil
    from benchmarks.corpus import write_corpus
    from pipeline.config import load_config
    from pipeline.export import sqlite as sqlite_export
    from pipeline.export.package import write_database, write_tables_package
    from pipeline.export.pieces import table_runs
    from pipeline.export.tables import table_rows
    from assembled import build

    write_corpus(tmp_path / "raw", 12)
    config = load_config(project_root / "pipeline.toml")
    rows = table_rows(build(tmp_path / "raw", config, lambda message: None))
    package = write_tables_package(build(tmp_path / "raw", config, lambda message: None), rows,
                                   config, tmp_path / "tables", "2024-01-01T00:00:00Z")
    cache = tmp_path / "cache"

    def database(folder, rows, cache_folder):
        folder.mkdir()
        runs = {table: table_runs(table_rows_) for table, table_rows_ in rows.items()}
        name, _ = write_database(folder, rows, SCHEMAS, package, runs, cache_folder)
        return (folder / name).read_bytes()

    inserted = []
    insert = sqlite_export._insert_rows
    monkeypatch.setattr(sqlite_export, "_insert_rows",
                        lambda connection, schema, rows: inserted.append(len(rows)) or
                        insert(connection, schema, rows))
    first = database(tmp_path / "first", rows, cache)
    total = sum(inserted)
    changed = {table: [dict(row) for row in table_rows_] for table, table_rows_ in rows.items()}
    plans = list(dict.fromkeys(row["plan_id"] for row in changed["initiatives"]))
    assert len(plans) > 2
    target = next(row for row in changed["initiatives"] if row["plan_id"] == plans[1])
    target["summary"] += "（改訂）"
    last = max(i for i, row in enumerate(changed["schedules"]) if row["plan_id"] == plans[1])
    del changed["schedules"][last]                   # the later plans' rows move up one
    inserted.clear()
    again = database(tmp_path / "again", changed, cache)
    assert 0 < sum(inserted) < total / 2                # the changed plan's rows (and metadata)
    assert again == database(tmp_path / "rows", changed, None) != first
    (kept,) = [path for path in cache.rglob("*") if path.is_file() and path.parent.name.endswith(".files")]
    kept.unlink()                                        # the kept database replaced
    shutil.copy(tmp_path / "again" / "miyagi-ict-plan.sqlite", kept)
    inserted.clear()
    assert database(tmp_path / "damaged", changed, cache) == again
    assert sum(inserted) >= total / 2


def test_rows_are_copied_only_where_a_new_table_numbers_them_in_order():
    """A table whose primary key is one INTEGER column has that column as its rowids: its rows
    are never copied by rowid from the database built last."""
    from pipeline.export.sqlite import _rowids_in_order
    assert all(_rowids_in_order(schema) for schema in SCHEMAS.values())
    assert not _rowids_in_order({"name": "t", "primaryKey": ["n"],
                                 "fields": [{"name": "n", "type": "integer"}]})
    assert _rowids_in_order({"name": "t", "primaryKey": "id",
                             "fields": [{"name": "id", "type": "string"}]})


def test_the_rows_to_copy_and_to_insert_keep_the_tables_order():
    """_segments: runs the previous build had (plan, digest, size) are copied by rowid, the
    others inserted, neighbours joined; runs that do not cover the rows one after the other
    are all inserted."""
    from pipeline.export.pieces import Run
    from pipeline.export.sqlite import _segments
    kept = [("a", "1", 2), ("b", "2", 3), ("c", "3", 1)]        # rowids 1-2, 3-5, 6
    runs = [Run(0, 2, "a", "1"), Run(2, 5, "b", "2"), Run(5, 7, "c", "new"), Run(7, 8, "d", "4")]
    assert _segments(8, runs, kept) == [(True, 1, 6), (False, 5, 8)]
    moved = [Run(0, 3, "b", "2"), Run(3, 5, "a", "1")]          # copied, in this build's order
    assert _segments(5, moved, kept) == [(True, 3, 6), (True, 1, 3)]
    assert _segments(5, [Run(0, 2, "a", "1"), Run(3, 5, "b", "2")], kept) == [(False, 0, 5)]
    assert _segments(3, runs[:2], kept) == [(False, 0, 3)]       # the runs are not the rows
    assert _segments(2, runs[:1], None) == [(False, 0, 2)]


def _field(name, kind="string", required=False):
    return {"name": name, "type": kind, **({"constraints": {"required": True}} if required else {})}


# Schemas a division might write, beyond the project's own (whose keys all span two or more
# columns): a one-column primary key (as a list and as a string), one-column foreign keys (two
# on one column), a table name with a space, no key at all.
ODD_SCHEMAS = [
    {"name": "p", "fields": [_field("id", required=True), _field("n", "integer")],
     "primaryKey": ["id"]},
    {"name": "c", "fields": [_field("id", "integer", True), _field("pid", required=True),
                             _field("x", "number"), _field("y")], "primaryKey": "id",
     "foreignKeys": [{"fields": "pid", "reference": {"resource": "p", "fields": "id"}},
                     {"fields": ["pid"], "reference": {"resource": "p", "fields": ["id"]}}]},
    {"name": "my t", "fields": [_field("a", required=True), _field("b", required=True),
                                _field("x"), _field("y", "boolean")], "primaryKey": ["a", "b"],
     "foreignKeys": [{"fields": ["x"], "reference": {"resource": "p", "fields": ["id"]}},
                     {"fields": ["a", "x"], "reference": {"resource": "my t", "fields": ["a", "b"]}},
                     {"fields": ["x", "a"], "reference": {"resource": "my t", "fields": ["a", "b"]}}]},
    {"name": "q", "fields": [_field("a"), _field("b", "date")]},
]


def test_tables_and_indexes_are_created_with_the_sql_sqlite_utils_wrote(tmp_path):
    """The database is written with the sqlite3 module alone, with the statements sqlite-utils
    4.2 generated for the same schemas (recorded from it), so a database is the same file as
    before, whatever keys a schema has."""
    path = tmp_path / "odd.sqlite"
    write_sqlite(path, {}, {schema["name"]: schema for schema in ODD_SCHEMAS}, {"name": "odd"})
    assert sorted(tuple(row) for row in sqlite3.connect(path).execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'metadata'")) \
        == sorted([
        ("table", "p", 'CREATE TABLE "p" (\n   "id" TEXT PRIMARY KEY NOT NULL,\n   "n" INTEGER\n)'),
        ("table", "c", 'CREATE TABLE "c" (\n   "id" INTEGER PRIMARY KEY NOT NULL,\n'
                       '   "pid" TEXT NOT NULL REFERENCES "p"("id"),\n   "x" REAL,\n   "y" TEXT\n)'),
        ("index", "idx_c_pid", 'CREATE INDEX "idx_c_pid"\n    ON "c" ("pid")'),
        ("index", "idx_c_pid_2", 'CREATE INDEX "idx_c_pid_2"\n    ON "c" ("pid")'),
        ("table", "my t", 'CREATE TABLE "my t" (\n   "a" TEXT NOT NULL,\n   "b" TEXT NOT NULL,\n'
                          '   "x" TEXT REFERENCES "p"("id"),\n   "y" INTEGER,\n'
                          '   FOREIGN KEY ("a", "x") REFERENCES "my t"("a", "b"),\n'
                          '   FOREIGN KEY ("x", "a") REFERENCES "my t"("a", "b"),\n'
                          '   PRIMARY KEY ("a", "b")\n)'),
        ("index", "idx_my_t_x", 'CREATE INDEX "idx_my_t_x"\n    ON "my t" ("x")'),
        ("index", "idx_my_t_a_x", 'CREATE INDEX "idx_my_t_a_x"\n    ON "my t" ("a", "x")'),
        ("index", "idx_my_t_x_a", 'CREATE INDEX "idx_my_t_x_a"\n    ON "my t" ("x", "a")'),
        ("table", "q", 'CREATE TABLE "q" (\n   "a" TEXT,\n   "b" TEXT\n)')])


def test_a_whole_number_no_double_holds_exactly_stays_text_in_every_format(
        tmp_path, project_root, source_text):
    """Parquet (float64) and SQLite (REAL) hold an indicator's value as a double: 2**53 + 1 is
    no double (pyarrow refused it, and the whole publish failed), 2**53 is. The one beyond
    stays text with an empty number in every table, as `全所属` does."""
    from pipeline.config import load_config
    from pipeline.publish import publish
    assert source_text.count("12,883件") == 1 and source_text.count("\t16,000件") == 1
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text(source_text.replace("12,883件", "9,007,199,254,740,993件")
                                  .replace("\t16,000件", "\t9,007,199,254,740,992件"),
                                  encoding="utf-8")
    out = tmp_path / "out"
    publish(raw, out, load_config(project_root / "pipeline.toml"), lambda message: None)
    record = next(r for r in json_records(out, "indicators") if r["initiative_id"] == "2-2-6")
    assert (record["baseline_text"], record["baseline_value"], record["baseline_unit"]) == \
        ("9,007,199,254,740,993件", None, None)
    assert (record["target_value"], record["target_unit"]) == (2 ** 53, "件")
    parquet = pq.read_table(out / "parquet" / "indicators.parquet").to_pylist()
    assert [(r["baseline_value"], r["target_value"]) for r in parquet
            if r["initiative_id"] == "2-2-6"] == [(None, 2.0 ** 53)]
    database = sqlite3.connect(out / "miyagi-ict-plan.sqlite")
    assert database.execute("SELECT baseline_value, target_value FROM indicators WHERE "
                            "initiative_id = '2-2-6'").fetchall() == [(None, 2.0 ** 53)]
