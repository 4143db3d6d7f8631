"""The combined CSVs as the validation reads them (validate.py, validate_groups.py): each table's
header, where each plan's rows lie in its bytes, and what the checks across plans need of them
(PlanRows: how many rows, and the cells of the fields its foreign keys name).

A table never read before is parsed whole. A republish's tables are read plan by plan: the
plans' rows of the last validation are known by the SHA-256 of their bytes (KnownPlans, kept in
the cache), so the file is walked from one plan's rows to the next, a run of bytes whose digest
is known taken as those rows, checked before, and only the other runs parsed (and rendered back,
byte for byte, as the CSV exporter writes them). The rows themselves are parsed only where a
check needs them (a finding names its row, an Excel cell may start a formula). Anything
unexpected on the way (a run not as the exporter writes it, a plan's rows in two places) has the
table parsed whole, which finds what is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .export.csv import csv_lines, csv_text
from .export.tables import PLAN_KEY
from .fingerprint import tree_digest
from .partcache import identity

RENDERER = Path(__file__).with_name("export") / "csv.py"
Fields = tuple[str, ...]


@dataclass(frozen=True)
class PlanRows:
    """One plan's rows in a table, as the checks across plans need them: how many, and for
    each field list a foreign key names (to or from the table), the set of its cells in them
    (None where missing)."""

    plan: str
    count: int
    keys: dict[Fields, frozenset[tuple]]


@dataclass
class KnownPlans:
    """The plans' rows of the last validation by table (its path and header): the SHA-256 of
    their bytes, their size and PlanRows, in file order; `known` from the last validation,
    `seen` this one's (kept for the next)."""

    known: dict[tuple[str, tuple[str, ...]], list[tuple[str, int, PlanRows]]] = \
        field(default_factory=dict)
    seen: dict[tuple[str, tuple[str, ...]], list[tuple[str, int, PlanRows]]] = \
        field(default_factory=dict)


@dataclass
class Table:
    """A combined CSV as read: its resource, schema, header and each plan's rows (PlanRows, in
    file order), the size and SHA-256 of its bytes, and whether they are its rows as the CSV
    exporter writes them; where each plan's rows lie in the file and, in file order, the plan
    of each run of rows. The rows are parsed when first asked for; the bytes are kept when
    read plan by plan, else read again where needed from the file read (unless it changed)."""

    resource: dict
    schema: dict
    header: list[str]
    plans: dict[str, PlanRows]
    runs: list[str]                         # the plan of each run of consecutive rows
    size: int = 0
    sha256: str = ""                        # "sha256:<hex>", as datapackage.json states it
    as_written: bool = True
    path: Path | None = None                # the file read
    identity: tuple = ()                    # its identity when read (partcache.identity)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # plan_id -> its bytes
    data: bytes | None = None               # the file's bytes, when kept
    parsed: list[list[str]] | None = None   # its rows, once parsed
    by_plan: dict[str, list[list[str]]] | None = None

    @property
    def name(self) -> str:
        return self.resource["name"]

    @property
    def rows(self) -> list[list[str]]:
        """Every row, in file order (parsed from the bytes read, at the first call)."""
        if self.parsed is None:             # (read plan by plan: its bytes are kept)
            self.parsed = _parse(self.data.decode("utf-8"))[1:]
        return self.parsed

    def rows_of(self, plan: str) -> list[list[str]]:
        if self.by_plan is None:
            self.by_plan = rows_by_plan(self.rows, plan_column(self.header))
        return self.by_plan.get(plan, [])

    def count(self, plan: str) -> int:
        found = self.plans.get(plan)
        return found.count if found is not None else 0

    def body(self, plan: str) -> str:
        """A plan's rows as the CSV exporter writes them (rendered from the parsed rows)."""
        return "".join(csv_lines(self.rows_of(plan)))

    def written(self, plans: list[str]) -> bytes:
        """The bytes of these plans' rows, consecutive in the file, as the CSV exporter writes
        them: taken from the file where it is exactly that (as_written), else rendered."""
        spans = [self.spans[plan] for plan in plans if plan in self.spans]
        if self.as_written and not spans:
            return b""                      # (the file is its plans' rows: these have none)
        if self.as_written:
            if self.data is not None:
                return self.data[spans[0][0]:spans[-1][1]]
            if self.path is not None:
                with self.path.open("rb") as handle:
                    if identity(os.fstat(handle.fileno())) == self.identity:
                        handle.seek(spans[0][0])
                        return handle.read(spans[-1][1] - spans[0][0])
        return "".join(map(self.body, plans)).encode("utf-8")

    def file_lines(self) -> list[str]:
        """The rows' CSV lines in file order (once the file is known to be its rows plan by
        plan: see validate_tables)."""
        return csv_lines(self.rows)


def open_regular(path: Path):
    """path opened for reading (binary) if it is a regular file; OSError if not. A FIFO, a
    device or a folder is found without reading it (opened without blocking: a FIFO's open
    would wait for a writer, its read for ever)."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OSError(None, "not a regular file")
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def unreadable(resource: dict, error: OSError) -> str:
    """The finding of a resource whose file cannot be read (missing, no regular file)."""
    return f"{resource['name']}: {resource['path']}: cannot be read ({error.strerror or error})"


def rendering_version() -> str:
    """The code that renders rows as CSV (export/csv.py, with Python's csv module): the bytes
    KnownPlans know hold for it alone."""
    return f"{tree_digest(RENDERER)}:{sys.version}"


def key_fields(schemas: dict[str, dict]) -> dict[str, list[Fields]]:
    """For each table (by resource name), the field lists its PlanRows hold the cells of: those
    of its foreign keys and those other tables' foreign keys refer to in it."""
    found: dict[str, set[Fields]] = {name: set() for name in schemas}
    for name, schema in schemas.items():
        for key in schema.get("foreignKeys", []):
            fields, reference = (key["fields"], key["reference"]) if well_formed(key) else ([], {})
            if isinstance(fields, list) and isinstance(reference.get("fields"), list):
                found[name].add(tuple(fields))
                found.setdefault(reference.get("resource") or name, set()).add(
                    tuple(reference["fields"]))
    return {name: sorted(lists) for name, lists in found.items()}


def well_formed(foreign_key) -> bool:
    """A foreign key with fields and a reference with fields (any other is left to
    frictionless, which names what is wrong with it)."""
    return isinstance(foreign_key, dict) and "fields" in foreign_key and \
        isinstance(foreign_key.get("reference"), dict) and "fields" in foreign_key["reference"]


def read_table(folder: Path, resource: dict, schema: dict, known: KnownPlans | None = None,
               fields: list[Fields] = ()) -> Table | str:
    """The combined CSV of a resource (plan by plan where `known` knows it, else whole), or a
    finding saying why it cannot be read. `fields`: the field lists of its PlanRows."""
    path = resource["path"]
    known = known if known is not None else KnownPlans()
    try:
        with open_regular(folder / path) as handle:
            read_as, data = identity(os.fstat(handle.fileno())), handle.read()
        table = _by_plans(data, resource, schema, known, fields) or \
            _whole(data, resource, schema, fields)
    except OSError as error:
        return unreadable(resource, error)
    except (UnicodeDecodeError, csv.Error) as error:
        return f"{resource['name']}: {path}: not a UTF-8 CSV file ({error})"
    table.size, table.sha256 = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    table.path, table.identity = folder / path, read_as
    if table.as_written:
        known.seen[path, tuple(table.header)] = [
            (hashlib.sha256(data[start:stop]).hexdigest(), stop - start, table.plans[plan])
            for plan, (start, stop) in table.spans.items()]
    return table


def _whole(data: bytes, resource: dict, schema: dict, fields: list[Fields]) -> Table:
    """The table parsed whole; its plans' bytes found by rendering their rows."""
    rows = _parse(data.decode("utf-8"))
    header, rows = (rows[0], rows[1:]) if rows else ([], [])
    column = plan_column(header)
    by_plan = rows_by_plan(rows, column)
    plans = {plan: plan_rows(plan, rows_, header, fields) for plan, rows_ in by_plan.items()}
    cells = [_cell(row, column) for row in rows]
    runs = [plan for index, plan in enumerate(cells) if index == 0 or plan != cells[index - 1]]
    table = Table(resource, schema, header, plans, runs, parsed=rows, by_plan=by_plan)
    table.as_written = _as_written(table, data)
    return table


def _as_written(table: Table, data: bytes) -> bool:
    """Whether the file's bytes are its header and then each plan's body, compared part by part
    (no second copy of the whole table); records where each plan's body lies."""
    data, header = memoryview(data), csv_text(table.header, []).encode("utf-8")
    offset = len(header)
    if data[:offset] != header:
        return False
    for plan in table.plans:
        part = table.body(plan).encode("utf-8")
        if data[offset:offset + len(part)] != part:
            return False
        table.spans[plan] = (offset, offset + len(part))
        offset += len(part)
    return offset == len(data)


def _by_plans(data: bytes, resource: dict, schema: dict, known: KnownPlans,
              fields: list[Fields]) -> Table | None:
    """The table read plan by plan (see the module's docstring); None where it must be parsed
    whole: a header or plan order never seen, bytes not as the exporter writes them."""
    end = data.find(b"\r\n")
    header = _parse(data[:end].decode("utf-8"))[0] if end > 0 else []
    head = csv_text(header, []).encode("utf-8")
    before = known.known.get((resource["path"], tuple(header)))
    if not before or data[:len(head)] != head:
        return None
    try:
        walked = _walk(data, len(head), header, before, fields)
    except (UnicodeDecodeError, csv.Error):
        return None                         # the whole parse words it
    if walked is None:
        return None
    plans, spans = walked
    return Table(resource, schema, header, plans, list(plans), spans=spans, data=data)


def _walk(data: bytes, offset: int, header: list[str], before: list[tuple[str, int, PlanRows]],
          fields: list[Fields]) -> tuple[dict[str, PlanRows], dict[str, tuple[int, int]]] | None:
    """Each plan's PlanRows and bytes, from offset to the end: a run whose digest is the next
    one known (`before`, in file order) taken as known, any other parsed; None where the table
    must be parsed whole."""
    column = plan_column(header)
    plans: dict[str, PlanRows] = {}
    spans: dict[str, tuple[int, int]] = {}
    at = 0
    while offset < len(data):
        if at < len(before) and _digest(data, offset, before[at][1]) == before[at][0]:
            size, rows = before[at][1], before[at][2]
            at += 1
        else:
            found = _parse_plan(data, offset, header, column, fields)
            if found is None:
                return None
            size, rows = found
            at = next((index + 1 for index in range(at, len(before))
                       if before[index][2].plan == rows.plan), at)
        last, start = next(reversed(spans), None), offset
        if rows.plan in plans and rows.plan != last:
            return None                     # a plan's rows in two places: the order finding
        if rows.plan == last:               # more rows of the plan before: one run
            rows, start = _joined(plans[last], rows), spans[last][0]
        plans[rows.plan], spans[rows.plan] = rows, (start, offset + size)
        offset += size
    return plans, spans


def _digest(data: bytes, offset: int, size: int) -> str:
    if offset + size > len(data):
        return ""
    return hashlib.sha256(memoryview(data)[offset:offset + size]).hexdigest()


def _parse_plan(data: bytes, offset: int, header: list[str], column: int | None,
                fields: list[Fields]) -> tuple[int, PlanRows] | None:
    """(size, PlanRows) of the run of one plan's rows starting at offset, parsed up to the
    next plan's first row; None when its bytes are not the rows as the exporter writes them."""
    buffer = io.BytesIO(data)                  # shares the bytes: nothing copied
    buffer.seek(offset)
    rows: list[list[str]] = []
    for row in csv.reader(io.TextIOWrapper(buffer, encoding="utf-8", newline="")):
        if rows and _cell(row, column) != _cell(rows[0], column):
            break
        rows.append(row)
    body = "".join(csv_lines(rows)).encode("utf-8")
    if not rows or memoryview(data)[offset:offset + len(body)] != body:
        return None
    return len(body), plan_rows(_cell(rows[0], column), rows, header, fields)


def _joined(first: PlanRows, then: PlanRows) -> PlanRows:
    return PlanRows(first.plan, first.count + then.count,
                    {names: first.keys.get(names, frozenset()) | cells
                     for names, cells in then.keys.items()})


def plan_rows(plan: str, rows: list[list[str]], header: list[str],
              fields: list[Fields]) -> PlanRows:
    """A plan's PlanRows from its parsed rows (the field lists the header lacks left out)."""
    keys = {}
    for names in fields:
        if set(names) <= set(header):
            columns = [header.index(name) for name in names]
            keys[names] = frozenset(row_cells(row, columns) for row in rows)
    return PlanRows(plan, len(rows), keys)


def rows_by_plan(rows: list[list[str]], column: int | None) -> dict[str, list[list[str]]]:
    by_plan: dict[str, list[list[str]]] = {}
    for row in rows:
        by_plan.setdefault(_cell(row, column), []).append(row)
    return by_plan


def plan_column(header: list[str]) -> int | None:
    """Where the header has plan_id (None: nowhere, the table is one plan "")."""
    return header.index(PLAN_KEY) if PLAN_KEY in header else None


def _cell(row: list[str], column: int | None) -> str:
    return row[column] if column is not None and column < len(row) else ""


def row_cells(row: list[str], columns: list[int]) -> tuple:
    """The row's cells in the columns, None where missing (empty, or a short row)."""
    return tuple(row[i] or None if i < len(row) else None for i in columns)


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))
