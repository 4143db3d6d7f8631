"""Each plan's rows of a table rendered once for every file that holds them (the combined CSV,
JSON and Excel CSV, and the plan's slices; the workbooks keep their own: workbooks.py), and
kept between runs (see partcache.py): a republish after one plan changed renders that plan's
rows alone and joins the rest from the cache.

A piece is one run of consecutive rows of one plan (the tables hold their rows plan by plan: one
run per plan). Its entry is named by a digest of the Table Schema, the rows' values (pickled:
their types and values) and the version of the code that renders them (the modules below, and
Python's); an entry holds exactly what rendering
the rows gives, so a file joined from entries is byte for byte the file rendered without cache.

The combined files are joined by write_joined, which keeps each file in the cache (a hard link)
with the place of every run's rows in it: a republish copies the unchanged runs' bytes from
there and reads (or renders) the pieces of the changed runs alone; the pieces of the others stay
in the cache, unread, for a run that cannot copy them (a file edited in place since).
"""

from __future__ import annotations

import contextlib
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

from ..bytefiles import copy_range, write_all
from ..fingerprint import tree_digest
from ..partcache import CacheStats, PartCache, digest_of, rows_digest
from ..schema import csv_cells
from .csv import csv_lines, excel_lines
from .json import json_records
from .tables import PLAN_KEY, plan_runs

HERE = Path(__file__).resolve().parent
CODE = (HERE / "pieces.py", HERE / "csv.py", HERE / "json.py", HERE / "plans.py",
        HERE / "datapackage.py", HERE / "package.py",
        HERE.parent / "schema.py", HERE.parent / "jsonfile.py",
        HERE.parent / "mediatypes.py")     # plans.py, datapackage.py: a slice's files and entry


@dataclass
class Piece:
    """One run of a plan's rows of one table, rendered."""

    plan_id: str
    csv: str                # the rows' CSV lines
    records: list[str]      # the rows' JSON texts
    excel: str | None       # the rows' Excel CSV lines (None: the same as csv)

    @property
    def excel_text(self) -> str:
        return self.csv if self.excel is None else self.excel


@dataclass(frozen=True)
class Run:
    """Rows start..stop of a table, all of one plan, and the digest of their values."""

    start: int
    stop: int
    plan_id: str
    digest: str


def table_runs(rows: list[dict], known: dict[str, tuple[int, str]] | None = None) -> list[Run]:
    """The table's runs of consecutive rows of one plan (one run per plan: the tables hold
    their rows plan by plan). known: each plan's number of rows in the table and their
    rows_digest (planrows.Extracted.digests), taken for a run that holds all of them."""
    known = known or {}
    runs = []
    for start, stop in plan_runs(rows):
        plan_id = rows[start][PLAN_KEY]
        count, digest = known.get(plan_id, (None, ""))
        runs.append(Run(start, stop, plan_id,
                        digest if count == stop - start else rows_digest(rows[start:stop])))
    return runs


def table_digests(runs: dict[str, list[Run]]) -> dict[str, dict[str, str]]:
    """Per plan, the digest of its rows in each table where they are one run: rows_digest of
    the plan's rows of that table, as the linked data's workers name their cache entries."""
    counts: dict[tuple[str, str], int] = {}
    for table, table_runs_ in runs.items():
        for run in table_runs_:
            counts[run.plan_id, table] = counts.get((run.plan_id, table), 0) + 1
    digests: dict[str, dict[str, str]] = {}
    for table, table_runs_ in runs.items():
        for run in table_runs_:
            if counts[run.plan_id, table] == 1:
                digests.setdefault(run.plan_id, {})[table] = run.digest
    return digests


def plan_digests(runs: dict[str, list[Run]]) -> dict[str, str]:
    """Per plan, a digest of its rows in every table (table -> runs) and of the code that
    renders them: a plan with the same digest in two editions published the same records."""
    parts: dict[str, list[str]] = {}
    for table, table_runs_ in runs.items():
        for run in table_runs_:
            parts.setdefault(run.plan_id, []).append(f"{table}:{run.digest}")
    return {plan_id: digest_of(_version(), *own) for plan_id, own in parts.items()}


class Pieces(Sequence):
    """A table's pieces, loaded (or rendered and kept) one by one as they are asked for: a
    republish that splices the combined files (write_joined) needs the changed plans' alone."""

    def __init__(self, schema: dict, rows: list[dict], runs: list[Run], cache: PartCache,
                 stats: CacheStats):
        self.schema, self.rows, self.runs, self.cache, self.stats = schema, rows, runs, cache, stats
        # "" without a cache; the slices' and joined files' entries are named by it too
        self.schema_digest = digest_of(schema) if cache.folder is not None else ""
        self.names = [cache.entry("table-rows", self.schema_digest, run.digest)
                      if cache.folder is not None else "" for run in runs]
        stats.used.update(self.names)       # kept, loaded or not: the next run may need them
        self.loaded: dict[int, Piece] = {}

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        piece = self.loaded.get(index)
        if piece is None:
            piece = self.loaded[index] = self._piece(index)
        return piece

    def _piece(self, index: int) -> Piece:
        run = self.runs[index]
        return self.cache.made(self.names[index], Piece,
                               lambda: render_piece(self.schema, self.rows[run.start:run.stop]),
                               self.stats)


def write_joined(path: Path, head: bytes, separator: bytes, tail: bytes, runs: list[Run],
                 block: Callable[[int], bytes], cache: PartCache, name: str,
                 stats: CacheStats) -> None:
    """Write path: head, the blocks of the runs (block(index): a run's bytes) with separator
    between them, tail. The file is kept in the cache under name with the place of each run's
    block, so the next run copies the block of a run with the same rows (digest) from it, by
    the kernel, instead of loading the piece and writing it again; a kept file that cannot be
    read only costs that (every block is then made)."""
    kept = cache.kept(name, CacheStats()) if name else None
    try:
        places = _join(path, head, separator, tail, runs, block, kept)
    except OSError:
        if kept is None:
            raise
        places = _join(path, head, separator, tail, runs, block, None)
    if name:
        cache.store_files(name, path.parent, [path.name], ([run.digest for run in runs], places),
                          stats)


def _join(path: Path, head: bytes, separator: bytes, tail: bytes, runs: list[Run],
          block: Callable[[int], bytes], kept) -> list[tuple[int, int]]:
    """write_joined's file, the blocks found in the kept file (its entry) copied from it;
    returns the place of each run's block."""
    old = dict(zip(*kept[2])) if kept is not None else {}
    places: list[tuple[int, int]] = []
    path.unlink(missing_ok=True)                # never written through (a link to the kept file?)
    with contextlib.ExitStack() as files:
        source = files.enter_context(kept[1][0].open("rb")) if kept is not None else None
        out = files.enter_context(path.open("xb", buffering=0))
        write_all(out, head)
        offset = len(head)
        for index, run in enumerate(runs):
            if index:
                write_all(out, separator)
                offset += len(separator)
            if run.digest in old:
                start, end = old[run.digest]
                copy_range(source, out, start, end)
                length = end - start
            else:
                data = block(index)
                write_all(out, data)
                length = len(data)
            places.append((offset, offset + length))
            offset += length
        write_all(out, tail)
    return places


def render_piece(schema: dict, rows: list[dict]) -> Piece:
    """The rows rendered for every file."""
    cells = csv_cells(schema, rows)
    lines = csv_lines(cells)
    text, excel = "".join(lines), "".join(excel_lines(cells, lines))
    return Piece(rows[0][PLAN_KEY], text, json_records(rows), None if excel == text else excel)


def pieces_cache(folder: Path | None) -> PartCache:
    """The pieces' entries in folder (None: no cache)."""
    return PartCache(folder, _version() if folder is not None else "")


@cache
def _version() -> str:
    return f"{tree_digest(*CODE)}:{platform.python_version()}"
