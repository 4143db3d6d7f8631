"""The tables' Excel workbooks (xlsx.py), written by a process of their own (see publish.py)
while the CSV and JSON files are written.

Each run of one plan's rows (pieces.Run) is rendered and compressed as one piece of its table's
worksheet (xlsx.sheet_piece). With a cache (partcache.py) a piece is kept under the digest of
its rows, the Table Schema, the table row it starts at (the cells carry their row numbers) and
the versions of this code and of zlib: a republish after one plan changed compresses that
plan's rows again (and the rows after them when its row count changed), and joins the rest.
"""

from __future__ import annotations

import platform
import zlib
from functools import cache
from pathlib import Path

from ..fingerprint import tree_digest
from ..heap import release_free_memory
from ..partcache import CacheStats, PartCache, digest_of
from ..schema import csv_cells
from .pieces import Run
from .xlsx import XLSX_SUFFIX, write_xlsx, sheet_piece
from .zipstream import Deflated

HERE = Path(__file__).resolve().parent
CODE = (HERE / "workbooks.py", HERE / "xlsx.py", HERE / "xlsxparts.py", HERE / "zipstream.py",
        HERE.parent / "schema.py")
Written = dict[str, tuple[int, str]]     # path -> (bytes, SHA-256 hex) of each workbook


def workbook_path(table: str) -> str:
    return f"excel/{table}{XLSX_SUFFIX}"


def write_workbooks(out: Path, rows: dict[str, list[dict]], runs: dict[str, list[Run]],
                    schemas: dict[str, dict], license: dict, credit: str, created: str,
                    cache_folder: Path | None = None) -> Written:
    """Every table's workbook, its worksheet joined from its runs' pieces (unchanged ones from
    cache_folder; None: no cache); returns each workbook's size and SHA-256."""
    cache, stats = workbooks_cache(cache_folder), CacheStats()
    (out / "excel").mkdir(parents=True, exist_ok=True)
    written = {}
    for table, table_rows in rows.items():
        schema = schemas[table]
        schema_digest = digest_of(schema) if cache.folder is not None else ""
        sheet = [_piece(schema, schema_digest, table_rows, run, cache, stats)
                 for run in runs[table]]
        path = workbook_path(table)
        written[path] = write_xlsx(out / path, schema, table_rows, sheet, license, credit, created)
        release_free_memory()           # the table's rendered rows
    cache.prune(stats.used)
    return written


def _piece(schema: dict, schema_digest: str, rows: list[dict], run: Run, cache: PartCache,
           stats: CacheStats) -> Deflated:
    name = cache.entry("sheet-piece", schema_digest, run.digest, run.start) \
        if cache.folder is not None else ""
    part = rows[run.start:run.stop]
    return cache.made(name, Deflated,
                      lambda: sheet_piece(schema, part, csv_cells(schema, part), run.start), stats)


def workbooks_cache(folder: Path | None) -> PartCache:
    """The worksheet pieces' entries in folder (None: no cache)."""
    return PartCache(folder, _version() if folder is not None else "")


@cache
def _version() -> str:
    return f"{tree_digest(*CODE)}:{platform.python_version()}:{zlib.ZLIB_RUNTIME_VERSION}"
