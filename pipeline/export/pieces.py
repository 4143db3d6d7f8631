"""Each plan's rows of a table rendered once for every file that holds them (the combined CSV,
JSON and Excel CSV, and the plan's slices; the workbooks keep their own: workbooks.py), and
kept between runs (see partcache.py): a republish after one plan changed renders that plan's
rows alone and joins the rest from the cache.

A piece is one run of consecutive rows of one plan (the tables hold their rows plan by plan: one
run per plan). Its entry is named by a digest of the Table Schema, the rows' values (pickled:
their types and values) and the version of the code that renders them (the modules below, and
Python's); an entry holds exactly what rendering
the rows gives, so a file joined from entries is byte for byte the file rendered without cache.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..fingerprint import tree_digest
from ..partcache import CacheStats, PartCache, digest_of, rows_digest
from ..schema import csv_cells
from .csv import csv_lines, excel_lines
from .json import json_records
from .tables import PLAN_KEY, plan_runs

HERE = Path(__file__).resolve().parent
CODE = (HERE / "pieces.py", HERE / "csv.py", HERE / "json.py", HERE / "plans.py",
        HERE / "datapackage.py",
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


def table_runs(rows: list[dict]) -> list[Run]:
    """The table's runs of consecutive rows of one plan (one run per plan: the tables hold
    their rows plan by plan)."""
    return [Run(start, stop, rows[start][PLAN_KEY], rows_digest(rows[start:stop]))
            for start, stop in plan_runs(rows)]


def plan_digests(runs: dict[str, list[Run]]) -> dict[str, str]:
    """Per plan, a digest of its rows in every table (table -> runs) and of the code that
    renders them: a plan with the same digest in two editions published the same records."""
    parts: dict[str, list[str]] = {}
    for table, table_runs_ in runs.items():
        for run in table_runs_:
            parts.setdefault(run.plan_id, []).append(f"{table}:{run.digest}")
    return {plan_id: digest_of(_version(), *own) for plan_id, own in parts.items()}


def table_pieces(schema: dict, rows: list[dict], runs: list[Run], pieces_cache: PartCache,
                 stats: CacheStats) -> list[Piece]:
    """The table's pieces (one per run) in table order, from the cache where their rows are
    unchanged."""
    schema_digest = digest_of(schema) if pieces_cache.folder is not None else ""
    pieces = []
    for run in runs:
        name = pieces_cache.entry("table-rows", schema_digest, run.digest) \
            if pieces_cache.folder is not None else ""
        piece = pieces_cache.load(name, stats) if name else None
        if isinstance(piece, Piece):
            stats.chunks_reused += 1
        else:
            piece = render_piece(schema, rows[run.start:run.stop])
            pieces_cache.store(name, piece, stats)
            stats.chunks_built += 1
        pieces.append(piece)
    return pieces


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
