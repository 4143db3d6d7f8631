"""SQLite distribution: every table of the publication in one database file.

Everything comes from the Table Schemas: column types (integer → INTEGER, number → REAL, the
rest TEXT: dates as ISO 8601, list fields as JSON arrays), NOT NULL for required columns,
primary keys, foreign keys (checked by `PRAGMA foreign_key_check`), an index on every foreign
key that does not lead the primary key, and a full-text index `<table>_fts` over the fields
marked `"fullText": true` (titles, summaries, methods, section bodies). The full-text indexes use FTS5's `trigram` tokenizer
(SQLite 3.34+): Japanese has no spaces between words, so the default tokenizer would index
whole sentences, while trigrams find any substring of three or more characters (`クラウド`).

Empty cells are NULL, as in the JSON tables. The table `metadata` (key, value) carries the
licence, the attribution sentence and the sources, so a copy that travels alone still says
where the data come from and how they may be used.

A republish builds the database anew, in the same order, but copies the rows of the plans whose
rows did not change from the database built before (`Built`, kept in a cache by
package.write_database) with `INSERT … SELECT`, run for run: the same rows inserted in the same
order give the same file, byte for byte, as inserting them from Python (tests); the full-text
indexes are then filled from the tables as always.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path

from ..errors import PipelineError
from ..fingerprint import code_digest
from ..partcache import CacheStats, PartCache
from ..schema import foreign_keys, full_text_fields, json_value, tables_in_key_order
from .pieces import Run
from .tables import METADATA_TABLE, distribution_metadata

SQLITE_SUFFIX = ".sqlite"
# SQLite column type per Table Schema type (the rest TEXT)
COLUMN_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
TRIGRAM_SQLITE = (3, 34, 0)
FTS_SUFFIX = "_fts"
FTS_HASH_BYTES = 16 * 1024 * 1024
CACHE_KIB = 16 * 1024        # SQLite's page cache while the database is built
CONVERTED_TYPES = ("list", "date", "datetime")   # the rest SQLite takes as they are
# One encoder for every list cell (json.dumps with options builds a new encoder per call).
_JSON_ARRAY = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True)
class Built:
    """A database this code built (`path`, never written to) and the runs each table was built
    from, in order: table -> [(plan_id, digest of the rows, row count)] (pieces.Run)."""

    path: Path
    runs: dict[str, list[tuple[str, str, int]]]


def built_runs(runs: dict[str, list[Run]]) -> dict[str, list[tuple[str, str, int]]]:
    """What Built keeps of the runs a database is built from."""
    return {table: [(run.plan_id, run.digest, run.stop - run.start) for run in table_runs]
            for table, table_runs in runs.items()}


def built_database(cache: PartCache, name: str, stats: CacheStats) -> Built | None:
    """The database built last (kept under `name` by keep_database), None: none."""
    kept = cache.kept(name, stats) if cache.folder is not None else None
    if kept is None or len(kept[1]) != 1 or not isinstance(kept[2], dict):
        return None
    return Built(kept[1][0], kept[2])


def keep_database(cache: PartCache, name: str, path: Path, runs: dict[str, list[Run]],
                  stats: CacheStats) -> None:
    """Keep the database just written at `path` (a hard link) for the next build."""
    if cache.folder is not None:
        cache.store_files(name, path.parent, [path.name], built_runs(runs), stats)


def database_cache(folder: Path | None) -> PartCache:
    """The database built last in folder (None: no cache), under the version of the code and
    Table Schemas (its tables' columns) and SQLite."""
    return PartCache(folder, _version() if folder is not None else "")


@cache
def _version() -> str:
    return f"{code_digest()}:{sqlite3.sqlite_version}"


def database_name(package: dict) -> str:
    """The file name of the database: `<publication name>.sqlite` (Datasette's database name
    is the stem)."""
    return f"{package['name']}{SQLITE_SUFFIX}"


def write_sqlite(path: Path, rows: dict[str, list[dict]], schemas: dict[str, dict],
                 package: dict, runs: dict[str, list[Run]] | None = None,
                 previous: Built | None = None) -> None:
    """Write the database at `path` (replaced if present) from the rows the publish holds
    (their runs: pieces.table_runs), the runs `previous` was built from copied from it."""
    if sqlite3.sqlite_version_info < TRIGRAM_SQLITE:
        raise PipelineError(f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer "
                           "(3.34 or later needed)")
    try:
        try:
            _write(path, rows, schemas, package, runs or {}, previous)
        except sqlite3.Error:
            if previous is None:
                raise
            _write(path, rows, schemas, package, runs or {}, None)   # a cache only costs time
    except (sqlite3.Error, OverflowError) as error:    # OverflowError: an integer past 64 bits
        raise PipelineError(f"cannot write the SQLite database: {error}", path) from None


def _write(path: Path, rows: dict[str, list[dict]], schemas: dict[str, dict], package: dict,
           runs: dict[str, list[Run]], previous: Built | None) -> None:
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path.resolve().as_uri(), uri=True, isolation_level=None)
    try:
        # a new file in the staging folder: a failed write fails the publish, so no journal
        connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
                                 f"PRAGMA cache_size = -{CACHE_KIB};")
        if previous is not None:
            connection.execute("ATTACH DATABASE ? AS previous",
                               (f"{previous.path.resolve().as_uri()}?mode=ro",))
        connection.execute("BEGIN")
        for table in tables_in_key_order(schemas):
            _create_table(connection, schemas[table])
            table_rows = rows.get(table, [])
            kept = previous.runs.get(table) if previous is not None and \
                _rowids_in_order(schemas[table]) else None
            for copied, start, stop in _segments(len(table_rows), runs.get(table), kept):
                if copied:
                    _copy_rows(connection, schemas[table], start, stop)
                else:
                    _insert_rows(connection, schemas[table], table_rows[start:stop])
        _write_metadata(connection, package)
        connection.execute("COMMIT")
        for table in schemas:
            _full_text_index(connection, table, full_text_fields(schemas[table]))
    finally:
        connection.close()


def _create_table(connection: sqlite3.Connection, schema: dict) -> None:
    """The table of a Table Schema, as sqlite-utils creates it (the same SQL, so the same file):
    its columns' types, a one-column primary key, NOT NULL where required and a one-column
    foreign key on their column; compound foreign keys, then a compound primary key, after
    them; and an index on each foreign key that does not lead the primary key (whose own index
    then serves)."""
    name = schema["name"]
    primary = schema.get("primaryKey") or ()
    primary = (primary,) if isinstance(primary, str) else tuple(primary)
    keys = foreign_keys(schema)
    inline = {key.columns[0]: key for key in keys if len(key.columns) == 1}
    lines = []
    for field in schema["fields"]:
        column = field["name"]
        line = f'{_quoted(column)} {COLUMN_TYPES.get(field["type"], "TEXT")}'
        line += " PRIMARY KEY" if primary == (column,) else ""
        line += " NOT NULL" if field.get("constraints", {}).get("required") else ""
        if column in inline:
            key = inline[column]
            line += f" REFERENCES {_quoted(key.other_table)}({_quoted(key.other_columns[0])})"
        lines.append(line)
    lines += [f"FOREIGN KEY ({_names(key.columns)}) REFERENCES {_quoted(key.other_table)}"
              f"({_names(key.other_columns)})" for key in keys if len(key.columns) > 1]
    lines += [f"PRIMARY KEY ({_names(primary)})"] if len(primary) > 1 else []
    connection.execute(f"CREATE TABLE {_quoted(name)} (\n   " + ",\n   ".join(lines) + "\n)")
    for key in keys:
        if primary[:len(key.columns)] != key.columns:
            _create_index(connection, name, key.columns)


def _create_index(connection: sqlite3.Connection, table: str, columns: tuple[str, ...]) -> None:
    """`idx_<table>_<columns>` (spaces in the table's name as _), numbered from _2 on where an
    index of that name exists, as sqlite-utils names it."""
    name, number = f"idx_{table.replace(' ', '_')}_{'_'.join(columns)}", 1
    while True:
        index = f"{name}_{number}" if number > 1 else name
        try:
            connection.execute(f"CREATE INDEX {_quoted(index)}\n    ON {_quoted(table)} "
                               f"({_names(columns)})")
            return
        except sqlite3.OperationalError as error:
            if not str(error) == f"index {index} already exists":
                raise
            number += 1


def _segments(count: int, runs: list[Run] | None,
              kept: list[tuple[str, str, int]] | None) -> list[tuple[bool, int, int]]:
    """The table's rows in order as (copied, start, stop): rowids start..stop-1 of the
    previous database to copy (a run it was built from with the same plan, digest and size),
    or rows start..stop-1 of this build to insert. All inserted unless the runs cover the
    rows, one after the other."""
    ends = [0] + [run.stop for run in runs or ()]
    if not kept or not runs or ends[-1] != count or [run.start for run in runs] != ends[:-1]:
        return [(False, 0, count)]
    at, rowid = {}, 1                   # a table built anew: its rows' rowids are 1, 2, …
    for plan_id, digest, size in kept:
        at[plan_id, digest, size] = rowid
        rowid += size
    segments: list[tuple[bool, int, int]] = []
    for run in runs:
        size = run.stop - run.start
        first = at.get((run.plan_id, run.digest, size)) if size else None
        copied, start, stop = (True, first, first + size) if first is not None \
            else (False, run.start, run.stop)
        if segments and segments[-1][0] == copied and segments[-1][2] == start:
            segments[-1] = (copied, segments[-1][1], stop)      # continues the last one
        else:
            segments.append((copied, start, stop))
    return segments


def _rowids_in_order(schema: dict) -> bool:
    """Whether a table built anew numbers its rows 1, 2, … in the order they go in: a rowid
    table whose primary key is not one INTEGER column (which would be the rowid itself)."""
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    types = {f["name"]: f.get("type") for f in schema["fields"]}
    return not (len(key) == 1 and types.get(key[0]) == "integer")


def _copy_rows(connection: sqlite3.Connection, schema: dict, start: int, stop: int) -> None:
    """Rows start..stop-1 (rowids) of the previous database's table, in order."""
    name, columns = _quoted(schema["name"]), ", ".join(_quoted(f["name"]) for f in schema["fields"])
    connection.execute(f"INSERT INTO main.{name} ({columns}) SELECT {columns} FROM previous.{name} "
                       "WHERE rowid >= ? AND rowid < ? ORDER BY rowid", (start, stop))


def _full_text_index(connection: sqlite3.Connection, table: str, columns: list[str]) -> None:
    """`<table>_fts` (FTS5, trigram, the table as its content), created empty and then filled
    with an in-memory hash of FTS_HASH_BYTES instead of 1 MB: the index is written in a few large
    segments, a third less CPU for the section bodies at N = 1000 (2.5 s -> 1.6 s). 16 MB, with
    a page cache of CACHE_KIB, is as fast as 64 MB of each in a build at N = 1000 (4.4-6.4 s
    either way) and holds 77 MB less: the database is built beside the linked data's workers."""
    if not columns:
        return
    fts = _quoted(f"{table}{FTS_SUFFIX}")
    connection.execute(f"CREATE VIRTUAL TABLE {fts} USING FTS5 ({_names(columns)}, "
                       f"tokenize='trigram', content={_quoted(table)})")
    connection.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
    connection.execute(f"INSERT INTO {fts} (rowid, {_names(columns)}) "
                       f"SELECT rowid, {_names(columns)} FROM {_quoted(table)}")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _names(names) -> str:
    return ", ".join(map(_quoted, names))


def _insert_rows(connection: sqlite3.Connection, schema: dict, rows: list[dict]) -> None:
    """One executemany per table. Text goes in as it is and NULLIF turns "" into NULL inside
    SQLite; only list and date columns are converted here (see sqlite_value)."""
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    quoted = ", ".join(f'"{n}"' for n in names)
    slots = ", ".join("NULLIF(?, '')" if f["type"] == "string" else "?" for f in fields)
    sql = f'INSERT INTO "{schema["name"]}" ({quoted}) VALUES ({slots})'
    converted = [i for i, f in enumerate(fields) if f["type"] in CONVERTED_TYPES]
    values = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    if not converted:
        connection.executemany(sql, map(values, rows))
        return

    def cells(row: dict) -> list:
        converted_row = list(values(row))
        for i in converted:
            converted_row[i] = sqlite_value(converted_row[i])
        return converted_row
    connection.executemany(sql, map(cells, rows))


def sqlite_value(value):
    """A list as JSON array text (NULL when empty), a date as ISO 8601, "" as NULL."""
    value = json_value(value)
    return _JSON_ARRAY(value) if isinstance(value, list) else value


def _write_metadata(connection: sqlite3.Connection, package: dict) -> None:
    table = _quoted(METADATA_TABLE)
    connection.execute(f'CREATE TABLE {table} (\n   "key" TEXT PRIMARY KEY,\n'
                       '   "value" TEXT NOT NULL\n)')
    connection.executemany(f'INSERT INTO {table} ("key", "value") VALUES (?, ?)',
                           distribution_metadata(package).items())
