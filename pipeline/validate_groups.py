"""The combined tables validated by frictionless in groups of whole plans, each group's findings
kept in a cache under the digest of what was validated.

Every primary key of the Table Schemas begins with plan_id and no field is `unique` on its own:
a group of whole plans is self-contained, and frictionless validating each group's rows of all
tables (types, constraints, primary keys) finds what it finds in the whole tables. The foreign
keys, between text fields, are checked here over the whole tables as frictionless checks them
(cells all missing are not looked up): one of them leaves its plan (references.to_plan_id),
and frictionless would read the referenced table again for each key. Were a schema to hold
another constraint across plans, all plans would form one group.

A group's CSV is the header and its plans' rows as the combined CSV renders them; each combined
CSV must be exactly its header and the groups' rows in order (so every published row is
validated, once), and a finding names the combined table and its row number there. Where a
group is cut depends on its plans' ids (cuts.py), so a change in one plan changes one group.
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .cuts import cut_before
from .export.csv import csv_lines, csv_text
from .export.tables import PLAN_KEY
from .fingerprint import library_versions, tree_digest
from .partcache import CacheStats, PartCache, identity, rows_digest

GROUP_ROWS = 24_000     # about this many rows of all tables per group (at least half, at most twice)
GROUP_DIVISOR = 8       # from half of GROUP_ROWS on, a group ends before one plan in about 8
CODE = (Path(__file__), Path(__file__).with_name("validate.py"))   # what keeps the entries
RENDERER = Path(__file__).with_name("export") / "csv.py"


@dataclass
class Table:
    """A combined CSV as read: its resource, schema, header and each plan's rows, the size and
    SHA-256 of its bytes, and whether they are its rows as the CSV exporter writes them; then
    where each plan's rows lie in the file (the bytes themselves are not kept: read again where
    needed, from the file read, unless it changed since)."""

    resource: dict
    schema: dict
    header: list[str]
    rows: list[list[str]]
    plans: dict[str, list[list[str]]]       # plan_id -> its rows, in file order
    size: int = 0
    sha256: str = ""                        # "sha256:<hex>", as datapackage.json states it
    as_written: bool = True
    path: Path | None = None                # the file read
    identity: tuple = ()                    # its identity when read (partcache.identity)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # plan_id -> its bytes

    @property
    def name(self) -> str:
        return self.resource["name"]

    def body(self, plan: str) -> str:
        """A plan's rows as the CSV exporter writes them (rendered: a table is held once, as
        its parsed rows)."""
        return "".join(csv_lines(self.plans.get(plan, ())))

    def written(self, plans: list[str]) -> bytes:
        """The bytes of these plans' rows, consecutive in the file, as the CSV exporter writes
        them: read from the file where it is exactly that (as_written), else rendered."""
        spans = [self.spans[plan] for plan in plans if plan in self.spans]
        if self.as_written and self.path is not None and spans:
            with self.path.open("rb") as handle:
                if identity(os.fstat(handle.fileno())) == self.identity:
                    handle.seek(spans[0][0])
                    return handle.read(spans[-1][1] - spans[0][0])
        return "".join(map(self.body, plans)).encode("utf-8")

    def file_lines(self) -> list[str]:
        """The rows' CSV lines in file order (once the file is known to be its rows plan by
        plan: see validate_tables)."""
        return csv_lines(self.rows)


@dataclass
class RenderedPieces:
    """Plans' rows known to be rendered by the CSV exporter as certain bytes: the digest of the
    rows as parsed (partcache.rows_digest) -> (size, SHA-256) of their rendering; `known` from
    the last validation, `seen` this one's (kept for the next). A republish's unchanged plans
    are then checked by hashing their bytes instead of rendering their rows again."""

    known: dict[str, tuple[int, str]] = field(default_factory=dict)
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)


def rendering_version() -> str:
    """The code that renders rows as CSV (export/csv.py, with Python's csv module):
    RenderedPieces hold for it alone."""
    return f"{tree_digest(RENDERER)}:{sys.version}"


def read_table(folder: Path, resource: dict, schema: dict,
               rendered: RenderedPieces | None = None) -> Table | str:
    """The combined CSV of a resource, or a finding saying why it cannot be read."""
    path = resource["path"]
    try:
        with (folder / path).open("rb") as handle:
            read_as, data = identity(os.fstat(handle.fileno())), handle.read()
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except OSError as error:
        return f"{resource['name']}: {path}: cannot be read ({error.strerror or error})"
    except (UnicodeDecodeError, csv.Error) as error:
        return f"{resource['name']}: {path}: not a UTF-8 CSV file ({error})"
    header, rows = (rows[0], rows[1:]) if rows else ([], [])
    plans: dict[str, list[list[str]]] = {}
    column = plan_column(header)
    for row in rows:
        plans.setdefault(_cell(row, column), []).append(row)
    table = Table(resource, schema, header, rows, plans, len(data),
                  "sha256:" + hashlib.sha256(data).hexdigest(), path=folder / path,
                  identity=read_as)
    table.as_written = _as_written(table, data, rendered or RenderedPieces())
    return table


def plan_column(header: list[str]) -> int | None:
    """Where the header has plan_id (None: nowhere, the table is one plan "")."""
    return header.index(PLAN_KEY) if PLAN_KEY in header else None


def _cell(row: list[str], column: int | None) -> str:
    return row[column] if column is not None and column < len(row) else ""


def plan_groups(tables: list[Table], size: int | None = GROUP_ROWS) -> list[list[str]]:
    """The plans in file order, cut into groups of about size rows of all tables (one group
    when size is None)."""
    order = list(dict.fromkeys(plan for table in tables for plan in table.plans))
    groups: list[list[str]] = []
    since = 0
    for plan in order:
        if not groups or size and cut_before(plan.encode("utf-8"), since, size, GROUP_DIVISOR):
            groups.append([])
            since = 0
        groups[-1].append(plan)
        since += sum(len(table.plans.get(plan, ())) for table in tables)
    return groups


def is_plan_scoped(schema: dict, checked_here: list[dict]) -> bool:
    """Whether every key of the schema holds inside one plan, the foreign keys checked here
    (over the whole tables) aside."""
    unique = any(f.get("constraints", {}).get("unique") for f in schema["fields"])
    key = schema.get("primaryKey", [])
    return not unique and (not key or PLAN_KEY in ([key] if isinstance(key, str) else key)) \
        and all(within_plan(k) for k in schema.get("foreignKeys", []) if k not in checked_here)


def within_plan(foreign_key: dict) -> bool:
    """A foreign key from (plan_id, …) to (plan_id, …): it resolves inside its own plan."""
    fields, target = foreign_key["fields"], foreign_key["reference"]["fields"]
    return isinstance(fields, list) and isinstance(target, list) and PLAN_KEY in fields \
        and fields.index(PLAN_KEY) == (target.index(PLAN_KEY) if PLAN_KEY in target else -1)


def keys_checked_here(table: Table, tables: dict[str, Table]) -> list[dict]:
    """The table's foreign keys between text fields of two tables: checked here over the whole
    tables (a cell is its text, or missing when empty), rather than by frictionless reading
    the referenced table once more for each key."""
    def text_fields(schema: dict, names) -> bool:
        types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
        return isinstance(names, list) and all(types.get(name) == "string" for name in names)

    checked = []
    for key in table.schema.get("foreignKeys", []):
        target = tables.get(key["reference"].get("resource") or table.name)
        if target is not None and text_fields(table.schema, key["fields"]) and \
                text_fields(target.schema, key["reference"]["fields"]) and \
                set(key["fields"]) <= set(table.header) and \
                set(key["reference"]["fields"]) <= set(target.header) and \
                target.schema.get("missingValues", [""]) == [""] == \
                table.schema.get("missingValues", [""]):
            checked.append(key)
    return checked


def validate_tables(tables: list[Table], cache: PartCache,
                    size: int | None = None) -> tuple[list[str], CacheStats]:
    """Findings of frictionless on the tables, group by group, and of the foreign keys checked
    here; the groups found in cache are not validated again."""
    stats = CacheStats()
    by_name = {table.name: table for table in tables}
    here = {table.name: keys_checked_here(table, by_name) for table in tables}
    grouped = all(is_plan_scoped(table.schema, here[table.name]) for table in tables)
    groups = plan_groups(tables, (size or GROUP_ROWS) if grouped else None)
    findings = _order_findings(tables, [plan for group in groups for plan in group])
    if findings:
        return findings, stats
    findings = _layout_findings(tables)
    schemas = {table.name: _without(table.schema, here[table.name]) for table in tables}
    before = {table.name: 0 for table in tables}
    for group in groups:
        data = {table.name: csv_text(table.header, []).encode("utf-8") + table.written(group)
                for table in tables}
        name = cache.entry("table-group", schemas,       # named by the SHA-256 of its CSVs
                           {key: hashlib.sha256(part).hexdigest() for key, part in data.items()})
        errors = cache.load(name, stats)
        if errors is None:
            texts = {key: part.decode("utf-8") for key, part in data.items()}
            errors = _frictionless_errors(tables, texts, schemas)
            cache.store(name, errors, stats)
            stats.chunks_built += 1
        else:
            stats.chunks_reused += 1
        findings += [_line(error, before[error["table"]]) for error in errors]
        for table in tables:
            before[table.name] += sum(len(table.plans.get(plan, ())) for plan in group)
    for table in tables:
        findings += foreign_key_findings(table, by_name, here[table.name])
    return list(dict.fromkeys(findings)), stats


def tables_cache(folder: Path | None) -> PartCache:
    """The validated groups' entries in folder (None: no cache)."""
    return PartCache(folder, _versions() if folder is not None else "")


@functools.cache
def _versions() -> str:
    """This code and frictionless's version: a group's findings depend on both."""
    return tree_digest(*CODE) + library_versions(("frictionless",))


def _order_findings(tables: list[Table], order: list[str]) -> list[str]:
    """Each table's rows must come plan by plan, the plans in one order for all tables (a
    finding's row number is counted so)."""
    findings = []
    for table in tables:
        column = plan_column(table.header)
        plans = [_cell(row, column) for row in table.rows]
        runs = [plan for index, plan in enumerate(plans) if index == 0 or plan != plans[index - 1]]
        if len(runs) != len(set(runs)) or runs != [plan for plan in order if plan in table.plans]:
            findings.append(f"{table.name}: {table.resource['path']} does not hold its rows "
                            "plan by plan in the order of the other tables")
    return findings


def _layout_findings(tables: list[Table]) -> list[str]:
    """Each combined CSV must be its header and its plans' rows (so the groups' rows, in
    order) as the CSV exporter writes them, byte for byte."""
    return [f"{table.name}: {table.resource['path']} is not its header and rows as the CSV "
            "exporter writes them" for table in tables if not table.as_written]


def _as_written(table: Table, data: bytes, rendered: RenderedPieces) -> bool:
    """Whether the file's bytes are its header and then each plan's body, compared part by part
    (no second copy of the whole table); records where each plan's body lies. A plan whose
    rows `rendered` knows is compared by the size and SHA-256 of their rendering."""
    data, header = memoryview(data), csv_text(table.header, []).encode("utf-8")
    offset = len(header)
    if data[:offset] != header:
        return False
    for plan, rows in table.plans.items():
        digest = rows_digest(rows)
        size, sha256 = rendered.known.get(digest) or (-1, "")
        if size < 0 or hashlib.sha256(data[offset:offset + size]).hexdigest() != sha256:
            part = table.body(plan).encode("utf-8")
            if data[offset:offset + len(part)] != part:
                return False
            size, sha256 = len(part), hashlib.sha256(part).hexdigest()
        rendered.seen[digest] = (size, sha256)
        table.spans[plan] = (offset, offset + size)
        offset += size
    return offset == len(data)


def _without(schema: dict, keys: list[dict]) -> dict:
    """The schema less the given foreign keys."""
    schema = copy.deepcopy(schema)
    kept = [key for key in schema.pop("foreignKeys", []) if key not in keys]
    return {**schema, "foreignKeys": kept} if kept else schema


def _frictionless_errors(tables: list[Table], texts: dict[str, str],
                         schemas: dict[str, dict]) -> list[dict]:
    """frictionless's errors in one group's tables, as plain data (see _line)."""
    from frictionless import Package

    with tempfile.TemporaryDirectory(prefix="table-group-") as work:
        resources = []
        for table in tables:
            (Path(work) / f"{table.name}.csv").write_text(texts[table.name], encoding="utf-8",
                                                         newline="")
            (Path(work) / f"{table.name}.schema.json").write_text(
                json.dumps(schemas[table.name], ensure_ascii=False), encoding="utf-8")
            resources.append({key: table.resource[key] for key in
                              ("name", "type", "profile", "format", "mediatype", "encoding",
                               "dialect") if key in table.resource}
                             | {"path": f"{table.name}.csv", "schema": f"{table.name}.schema.json"})
        report = Package({"name": "group", "resources": resources}, basepath=work).validate()
    errors = [{"table": task.name, "template": type(error).template,
               "descriptor": {k: v for k, v in error.to_descriptor().items() if k != "message"}}
              for task in report.tasks for error in task.errors]
    return errors + [{"table": None, "template": type(error).template,
                      "descriptor": error.to_descriptor()} for error in report.errors]


def _line(error: dict, before: int) -> str:
    """One finding's line, its row number counted in the combined table (`before` rows of that
    table precede the group's)."""
    from frictionless.helpers import safe_format

    descriptor = dict(error["descriptor"])
    if error["table"] is None:
        return f"package: {descriptor['type']}: {descriptor['message']}"
    where = [error["table"]]
    if descriptor.get("rowNumber"):
        descriptor["rowNumber"] += before
        where.append(f"row {descriptor['rowNumber']}")
    if descriptor.get("fieldName"):
        where.append(f"column {descriptor['fieldName']}")
    return f"{', '.join(where)}: {descriptor['type']}: {safe_format(error['template'], descriptor)}"


def foreign_key_findings(table: Table, tables: dict[str, Table], keys: list[dict]) -> list[str]:
    """The given foreign keys checked over the whole tables as frictionless checks one: cells
    all missing, or found among the referenced rows' cells (those all missing left out)."""
    findings = []
    for key in keys:
        target = tables[key["reference"].get("resource") or table.name]
        known = _key_cells(target, key["reference"]["fields"])
        columns = [table.header.index(name) for name in key["fields"]]
        for number, row in enumerate(table.rows, start=2):
            cells = _cells(row, columns)
            if cells not in known and set(cells) != {None}:
                findings.append(_missing_reference(table.name, number, key, cells))
    return findings


def _key_cells(table: Table, fields: list[str]) -> set[tuple]:
    columns = [table.header.index(name) for name in fields]
    return {_cells(row, columns) for row in table.rows}


def _cells(row: list[str], columns: list[int]) -> tuple:
    """The row's cells in the columns, None where missing (empty, or a short row)."""
    return tuple(row[i] or None if i < len(row) else None for i in columns)


def _missing_reference(table: str, number: int, key: dict, cells: tuple) -> str:
    """frictionless's foreign-key finding, word for word."""
    note = (f'for "{", ".join(key["fields"])}": values "{", ".join(map(str, cells))}" not found '
            f'in the lookup table "{key["reference"]["resource"]}" as '
            f'"{", ".join(key["reference"]["fields"])}"')
    return f'{table}, row {number}: foreign-key: Row at position "{number}" violates the ' \
           f'foreign key: {note}'
