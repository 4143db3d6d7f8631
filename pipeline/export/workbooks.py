"""The tables' Excel workbooks (xlsx.py), written in a process of their own while the caller
writes the CSV and JSON files.

Each run of one plan's rows (pieces.Run) is rendered and compressed as one piece of its table's
worksheet (xlsx.sheet_piece). With a cache (partcache.py) a piece is kept under the digest of
its rows, the Table Schema, the table row it starts at (the cells carry their row numbers) and
the versions of this code and of zlib: a republish after one plan changed compresses that
plan's rows again (and the rows after them when its row count changed), and joins the rest.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import platform
import zlib
from functools import cache
from pathlib import Path

from ..errors import PipelineError, describe
from ..fingerprint import tree_digest
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
    written = {}
    for table, table_rows in rows.items():
        schema = schemas[table]
        schema_digest = digest_of(schema) if cache.folder is not None else ""
        sheet = [_piece(schema, schema_digest, table_rows, run, cache, stats)
                 for run in runs[table]]
        path = workbook_path(table)
        written[path] = write_xlsx(out / path, schema, table_rows, sheet, license, credit, created)
    cache.prune(stats.used)
    return written


def _piece(schema: dict, schema_digest: str, rows: list[dict], run: Run, cache: PartCache,
           stats: CacheStats) -> Deflated:
    name = cache.entry("sheet-piece", schema_digest, run.digest, run.start) \
        if cache.folder is not None else ""
    piece = cache.load(name, stats) if name else None
    if not isinstance(piece, Deflated):
        part = rows[run.start:run.stop]
        piece = sheet_piece(schema, part, csv_cells(schema, part), run.start)
        cache.store(name, piece, stats)
    return piece


def workbooks_cache(folder: Path | None) -> PartCache:
    """The worksheet pieces' entries in folder (None: no cache)."""
    return PartCache(folder, _version() if folder is not None else "")


@cache
def _version() -> str:
    return f"{tree_digest(*CODE)}:{platform.python_version()}:{zlib.ZLIB_RUNTIME_VERSION}"


_JOB: tuple = ()        # write_workbooks' arguments, inherited by the forked process


class WorkbookWriter:
    """write_workbooks in a forked process, started on creation (the process inherits the rows
    rather than receiving a copy); result() waits for it and returns what it wrote, or raises
    what it raised; close() stops it if it still runs. Where there is no fork or one core,
    result() writes the workbooks itself."""

    def __init__(self, *arguments):
        global _JOB
        self.arguments, self.process, self.answers = arguments, None, None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        if (cores or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.answers, answer = context.Pipe(duplex=False)
        _JOB = arguments
        try:
            self.process = context.Process(target=_write_job, args=(answer,), daemon=True)
            self.process.start()
        finally:
            _JOB = ()
            answer.close()

    def result(self) -> Written:
        if self.process is None:
            return write_workbooks(*self.arguments)
        try:
            kind, value = self.answers.recv()
        except EOFError:
            self.process.join()
            raise PipelineError(f"the workbook process stopped unexpectedly (exit code "
                                f"{self.process.exitcode})", self.arguments[0]) from None
        finally:
            self.close()
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
            self.answers.close()
            self.process = None


def _write_job(answer) -> None:
    """The forked process: the workbooks written, then ("done", what write_workbooks returned)
    or ("error", the exception) sent back."""
    gc.disable()                        # no cycles made here; a collection would copy pages
    try:
        reply = ("done", write_workbooks(*_JOB))
    except Exception as error:          # sent back: the caller raises it
        reply = ("error", error if isinstance(error, PipelineError)
                 else PipelineError(f"workbooks: {describe(error)}", _JOB[0]))
    answer.send(reply)
    answer.close()
