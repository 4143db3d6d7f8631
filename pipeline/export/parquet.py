"""Parquet distribution: one file per table, `parquet/<table>.parquet` (pyarrow).

Column types come from the Table Schemas: integer → int64, number → float64, date → date32,
boolean → bool, list → list of the field's `itemType`, everything else string; empty cells are
nulls, as in the JSON tables, and a column is nullable unless its field is required or in the
primary key (NOT NULL in SQLite). The file's key-value metadata carries the licence, the
attribution (出典) and the sources (see tables.distribution_metadata), and the Table Schema
itself under `table_schema`, so a file that travels alone keeps its titles and its terms of use.

Each run of one plan's rows (pieces.Run) is converted to Arrow on its own; with a cache
(partcache.py) the converted run is kept under the digest of its rows, the Table Schema and the
versions of this code and of pyarrow, so a republish after one plan changed converts that plan's
rows alone and writes each file from the runs joined in order (the same bytes with or without
the cache: the runs are always joined the same way).

pyarrow rather than DuckDB (README, "API": "Why pyarrow"): measured, it writes these rows
faster from Python objects, types them straight from the schema without SQL casts, and it is
what pandas reads Parquet with anyway.
"""

from __future__ import annotations

import importlib.abc
import json
import sys
from functools import cache
from pathlib import Path

from ..errors import PipelineError
from ..fingerprint import library_versions, tree_digest
from ..partcache import CacheStats, PartCache, digest_of
from .pieces import Run, table_runs
from .tables import distribution_metadata

PARQUET_FOLDER = "parquet"
ARROW_TYPES = {"integer": "int64", "number": "float64", "date": "date32", "boolean": "bool_"}
CODE = Path(__file__).resolve()


@cache
def _arrow():
    """pyarrow and pyarrow.parquet, imported where the Parquet files are written (the process
    that writes the databases), not by every process that imports this module."""
    import pyarrow
    import pyarrow.parquet
    _without_pandas(pyarrow)
    return pyarrow, pyarrow.parquet


def _without_pandas(pyarrow) -> None:
    """Keep pyarrow from importing pandas, which it does at its first conversion of Python
    values only to ask whether they are pandas objects (0.4 CPU s and 40 MB in the process that
    writes the databases; these rows never are). The import is made to fail once, which
    pyarrow remembers; pandas stays importable, and pyarrow imports it when asked for pandas
    objects (`to_pandas`). Nothing to do where pandas is loaded already."""
    if "pandas" in sys.modules:
        return
    refusal = _Refused()
    sys.meta_path.insert(0, refusal)
    try:
        pyarrow.array([], type=pyarrow.int64())
    finally:
        sys.meta_path.remove(refusal)


class _Refused(importlib.abc.MetaPathFinder):
    """An import finder under which `import pandas` fails."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas: not imported by the Parquet writer", name=name)
        return None


def parquet_path(table: str) -> str:
    return f"{PARQUET_FOLDER}/{table}.parquet"


def arrow_schema(schema: dict):
    """The Arrow schema of a table's columns (each with its title and description), nullable
    unless required or in the primary key."""
    pa, _ = _arrow()
    key = schema.get("primaryKey") or []
    key = {key} if isinstance(key, str) else set(key)
    return pa.schema([pa.field(f["name"], _arrow_type(f),
                               nullable=not (f.get("constraints", {}).get("required")
                                             or f["name"] in key),
                               metadata={"title": f.get("title", ""),
                                         "description": f.get("description", "")})
                      for f in schema["fields"]])


def file_metadata(schema: dict, package: dict) -> dict[str, str]:
    """The publication's metadata a file carries, and its Table Schema."""
    return {**distribution_metadata(package), "table_schema": json.dumps(schema, ensure_ascii=False)}


def _arrow_type(field: dict):
    pa, _ = _arrow()
    if field["type"] == "list":
        return pa.list_(getattr(pa, ARROW_TYPES.get(field.get("itemType", "string"), "string"))())
    return getattr(pa, ARROW_TYPES.get(field["type"], "string"))()


def write_parquet(out: Path, rows: dict[str, list[dict]], schemas: dict[str, dict],
                  package: dict, runs: dict[str, list[Run]] | None = None,
                  cache_folder: Path | None = None) -> list[str]:
    """Write every table under out/parquet/ from its runs (pieces.table_runs, made here when
    not given), the unchanged ones' Arrow columns taken from cache_folder (None: no cache);
    returns the relative paths written."""
    pa, pq = _arrow()
    (out / PARQUET_FOLDER).mkdir(parents=True, exist_ok=True)
    cache, stats = parquet_cache(cache_folder), CacheStats()
    written = []
    for table, schema in schemas.items():
        table_rows = rows.get(table, [])
        path = parquet_path(table)
        try:
            columns = arrow_schema(schema)
            schema_digest = digest_of(schema) if cache.folder is not None else ""
            pieces = [_piece(schema, columns, schema_digest, table_rows, run, cache, stats)
                      for run in (runs or {}).get(table) or table_runs(table_rows)]
            data = pa.concat_tables(pieces).combine_chunks() if pieces else columns.empty_table()
            pq.write_table(data.replace_schema_metadata(file_metadata(schema, package)),
                           out / path, compression="zstd")
        except pa.ArrowException as error:
            raise PipelineError(f"cannot write the Parquet file: {error}", out / path) from None
        written.append(path)
    cache.prune(stats.used)
    pa.default_memory_pool().release_unused()   # Arrow's allocator keeps freed pages otherwise
    return written


def _piece(schema: dict, columns, schema_digest: str, rows: list[dict], run: Run,
           cache: PartCache, stats: CacheStats):
    """One run's rows as an Arrow table: from the cache when there."""
    pa, _ = _arrow()
    name = cache.entry("parquet-piece", schema_digest, run.digest) if cache.folder is not None else ""
    part = rows[run.start:run.stop]
    return cache.made(name, pa.Table, lambda: pa.Table.from_pydict(
        {f["name"]: [_cell(row[f["name"]]) for row in part] for f in schema["fields"]},
        schema=columns), stats)


def parquet_cache(folder: Path | None) -> PartCache:
    """The converted runs' entries in folder (None: no cache)."""
    return PartCache(folder, _version() if folder is not None else "")


@cache
def _version() -> str:
    return f"{tree_digest(CODE)}:{library_versions(('pyarrow',))}"


def _cell(value):
    """Empty text and empty lists are nulls (as in the JSON tables); dates stay dates."""
    return None if value == "" or value == [] else value
