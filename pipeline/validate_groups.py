"""The combined tables validated by frictionless plan by plan, each plan's findings kept in a
cache under the digest of its rows' bytes.

Every primary key of the Table Schemas begins with plan_id and no field is `unique` on its own:
a plan's rows are self-contained, and frictionless validating them alone (types, constraints,
primary keys) finds what it finds of them in the whole tables. The foreign keys, between text
fields, are checked here over the whole tables as frictionless checks them (cells all missing
are not looked up): one of them leaves its plan (references.to_plan_id), and frictionless would
read the referenced table again for each key. Were a schema to hold another constraint across
plans, all plans would form one unit.

The plans not found in the cache are validated in groups of about GROUP_ROWS rows of all tables
(a first publish: every plan; a republish: the plan that changed), each group's CSV the header
and its plans' rows as the combined CSV renders them; a finding is kept with its plan, its row
counted from the plan's first. Each combined CSV must be exactly its header and its plans' rows
in order (so every published row is validated, once), and a finding names the combined table
and its row number there.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import tempfile
from pathlib import Path

from .export.csv import csv_text
from .export.tables import PLAN_KEY
from .fingerprint import library_versions, tree_digest
from .partcache import CacheStats, PartCache
from .validate_read import Table, row_cells, well_formed

GROUP_ROWS = 24_000     # at most about this many rows of all tables per frictionless run
READ_AS = ("type", "profile", "format", "mediatype", "encoding", "dialect")
OTHER_ROW = re.compile(r"(in the row at position )(\d+)")   # frictionless's note on a repeated key
CODE = tuple(Path(__file__).with_name(name) for name in      # what keeps the entries
             ("validate_groups.py", "validate_read.py", "validate.py", "validate_descriptor.py"))


def unit_groups(indexes: list[int], units: list[list[str]], tables: list[Table],
                size: int) -> list[list[int]]:
    """The units of these indexes (each a list of plans), in order, gathered into groups of
    at most about size rows of all tables."""
    groups: list[list[int]] = []
    since = 0
    for index in indexes:
        rows = sum(table.count(plan) for table in tables for plan in units[index])
        if not groups or since and since + rows > size:
            groups.append([])
            since = 0
        groups[-1].append(index)
        since += rows
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
    if not well_formed(foreign_key):
        return False
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
        if not well_formed(key):
            continue
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
    """Findings of frictionless on the tables, plan by plan, and of the foreign keys checked
    here; the plans found in the cache are not validated again (stats: the groups validated as
    chunks built, the plans taken from the cache as chunks reused)."""
    stats = CacheStats()
    by_name = {table.name: table for table in tables}
    here = {table.name: keys_checked_here(table, by_name) for table in tables}
    order = list(dict.fromkeys(plan for table in tables for plan in table.plans))
    findings = _order_findings(tables, order)
    if findings:
        return findings, stats
    findings = _layout_findings(tables)
    schemas = {table.name: _without(table.schema, here[table.name]) for table in tables}
    grouped = all(is_plan_scoped(table.schema, here[table.name]) for table in tables)
    units = [[plan] for plan in order] if grouped else [order]
    errors = _unit_errors(tables, units, schemas, cache, size or GROUP_ROWS, stats)
    before = {table.name: 0 for table in tables}
    for unit, unit_errors in zip(units, errors):
        findings += [_line(error, before.get(error["table"], 0)) for error in unit_errors]
        for table in tables:
            before[table.name] += sum(table.count(plan) for plan in unit)
    for table in tables:
        findings += foreign_key_findings(table, by_name, here[table.name])
    return list(dict.fromkeys(findings)), stats


def _unit_errors(tables: list[Table], units: list[list[str]], schemas: dict[str, dict],
                 cache: PartCache, size: int, stats: CacheStats) -> list[list[dict]]:
    """frictionless's errors of each unit (a list of plans), its rows counted from its first:
    taken from the cache under the SHA-256 of the unit's CSVs, or validated (the units missed
    together, in groups of about size rows) and stored there."""
    heads = {table.name: csv_text(table.header, []).encode("utf-8") for table in tables}
    read_as = {table.name: _read_as(table.resource) for table in tables}
    names, errors, missed = [], [], {}
    for index, unit in enumerate(units):
        data = {table.name: table.written(unit) for table in tables}     # read once
        names.append(cache.entry("table-unit", schemas, read_as, {
            name: hashlib.sha256(heads[name] + part).hexdigest() for name, part in data.items()}))
        errors.append(cache.load(names[-1], stats))
        if errors[-1] is None:
            missed[index] = data                # kept for frictionless: the units missed alone
    for group in unit_groups(list(missed), units, tables, size):
        texts = {table.name: (heads[table.name] + b"".join(
            missed[index][table.name] for index in group)).decode("utf-8") for table in tables}
        found = _frictionless_errors(tables, texts, schemas)
        for index, unit_errors in zip(group, _by_unit(found, [units[i] for i in group], tables)):
            errors[index] = unit_errors
            cache.store(names[index], unit_errors, stats)
        stats.chunks_built += 1
    stats.chunks_reused = len(units) - len(missed)
    return errors


def _by_unit(errors: list[dict], units: list[list[str]], tables: list[Table]) -> list[list[dict]]:
    """A group's errors by unit, each row counted from the unit's first; an error of no row
    (of a header, of the package: every group has it) goes with each unit."""
    counts = {table.name: [sum(table.count(plan) for plan in unit) for unit in units]
              for table in tables}
    split: list[list[dict]] = [[] for _ in units]
    for error in errors:
        row = error["descriptor"].get("rowNumber") if error["table"] is not None else None
        if not row:
            for unit_errors in split:
                unit_errors.append(error)
            continue
        index, before = 0, 0
        for index, count in enumerate(counts[error["table"]]):
            if row - 1 <= before + count:
                break
            before += count
        split[index].append({**error, "descriptor": _moved(error["descriptor"], -before)})
    return split


def _moved(descriptor: dict, rows: int) -> dict:
    """An error's descriptor with its row, and the other row its note names (a primary key or
    unique value "the same as in the row at position N": always of the same plan), moved by
    `rows`."""
    moved = {**descriptor, "rowNumber": descriptor["rowNumber"] + rows}
    if isinstance(moved.get("note"), str):
        moved["note"] = OTHER_ROW.sub(lambda m: f"{m[1]}{int(m[2]) + rows}", moved["note"])
    return moved


def _read_as(resource: dict) -> dict:
    """What frictionless is told of a table besides its schema (how to read its bytes)."""
    return {key: resource[key] for key in READ_AS if key in resource}


def tables_cache(folder: Path | None) -> PartCache:
    """The validated plans' entries in folder (None: no cache)."""
    return PartCache(folder, _versions() if folder is not None else "")


@functools.cache
def _versions() -> str:
    """This code and frictionless's version: a plan's findings depend on both."""
    return tree_digest(*CODE) + library_versions(("frictionless",))


def _order_findings(tables: list[Table], order: list[str]) -> list[str]:
    """Each table's rows must come plan by plan, the plans in one order for all tables (a
    finding's row number is counted so)."""
    findings = []
    for table in tables:
        runs = table.runs
        if len(runs) != len(set(runs)) or runs != [plan for plan in order if plan in table.plans]:
            findings.append(f"{table.name}: {table.resource['path']} does not hold its rows "
                            "plan by plan in the order of the other tables")
    return findings


def _layout_findings(tables: list[Table]) -> list[str]:
    """Each combined CSV must be its header and its plans' rows (so the groups' rows, in
    order) as the CSV exporter writes them, byte for byte."""
    return [f"{table.name}: {table.resource['path']} is not its header and rows as the CSV "
            "exporter writes them" for table in tables if not table.as_written]


def _without(schema: dict, keys: list[dict]) -> dict:
    """The schema less the given foreign keys."""
    schema = copy.deepcopy(schema)
    kept = [key for key in schema.pop("foreignKeys", []) if key not in keys]
    return {**schema, "foreignKeys": kept} if kept else schema


def _frictionless_errors(tables: list[Table], texts: dict[str, str],
                         schemas: dict[str, dict]) -> list[dict]:
    """frictionless's errors in one group's tables, as plain data (see _line)."""
    from frictionless import FrictionlessException, Package

    with tempfile.TemporaryDirectory(prefix="table-group-") as work:
        resources = []
        for table in tables:
            (Path(work) / f"{table.name}.csv").write_text(texts[table.name], encoding="utf-8",
                                                         newline="")
            (Path(work) / f"{table.name}.schema.json").write_text(
                json.dumps(schemas[table.name], ensure_ascii=False), encoding="utf-8")
            resources.append({"name": table.name, **_read_as(table.resource),
                              "path": f"{table.name}.csv", "schema": f"{table.name}.schema.json"})
        try:
            report = Package({"name": "group", "resources": resources},     # every error: a
                             basepath=work).validate(limit_errors=0)        # plan's kept whole
        except FrictionlessException as exception:      # a schema it cannot read
            return [{"table": None, "template": type(exception.error).template,
                     "descriptor": exception.error.to_descriptor()}]
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
        descriptor = _moved(descriptor, before)
        where.append(f"row {descriptor['rowNumber']}")
    if descriptor.get("fieldName"):
        where.append(f"column {descriptor['fieldName']}")
    return f"{', '.join(where)}: {descriptor['type']}: {safe_format(error['template'], descriptor)}"


def foreign_key_findings(table: Table, tables: dict[str, Table], keys: list[dict]) -> list[str]:
    """The given foreign keys checked over the whole tables as frictionless checks one: cells
    all missing, or found among the referenced rows' cells (those all missing left out). Each
    is checked on the plans' cells (PlanRows) first; the rows are read only for a finding."""
    findings = []
    for key in keys:
        target = tables[key["reference"].get("resource") or table.name]
        if _resolved(table, target, key):
            continue
        known = _key_cells(target, key["reference"]["fields"])
        columns = [table.header.index(name) for name in key["fields"]]
        for number, row in enumerate(table.rows, start=2):
            cells = row_cells(row, columns)
            if cells not in known and set(cells) != {None}:
                findings.append(_missing_reference(table.name, number, key, cells))
    return findings


def _resolved(table: Table, target: Table, key: dict) -> bool:
    """Whether every plan's cells of the key are all missing or among the target's."""
    fields, reference = tuple(key["fields"]), tuple(key["reference"]["fields"])
    try:
        known = set().union(*(plan.keys[reference] for plan in target.plans.values()))
        return all(cells in known or set(cells) == {None}
                   for plan in table.plans.values() for cells in plan.keys[fields])
    except KeyError:                        # cells not held: read from the rows
        return False


def _key_cells(table: Table, fields: list[str]) -> set[tuple]:
    columns = [table.header.index(name) for name in fields]
    return {row_cells(row, columns) for row in table.rows}


def _missing_reference(table: str, number: int, key: dict, cells: tuple) -> str:
    """frictionless's foreign-key finding, word for word."""
    note = (f'for "{", ".join(key["fields"])}": values "{", ".join(map(str, cells))}" not found '
            f'in the lookup table "{key["reference"]["resource"]}" as '
            f'"{", ".join(key["reference"]["fields"])}"')
    return f'{table}, row {number}: foreign-key: Row at position "{number}" violates the ' \
           f'foreign key: {note}'
