"""Exporters: write the tables of a publication into a folder.

Each exporter reads table rows (never raw text); column order, types and titles come from
the Table Schemas in schemas/.
"""

from __future__ import annotations

from pathlib import Path

from ..assemble import Plan, Publication
from ..config import Config
from ..rdf import LinkedData
from ..schema import csv_cells, field_names, load_schemas
from .csv import EXCEL_SUFFIX, csv_lines, excel_schema, write_csv, write_excel_csv
from .datasette import write_datasette_metadata
from .datapackage import (file_resource, license_descriptor, package_descriptor,
                          source_descriptor, tabular_resource)
from .json import json_records, write_json_file, write_table_json
from .plans import write_plan_tables
from .sqlite import database_name, write_sqlite
from .tables import attribution
from .xlsx import XLSX_SUFFIX, write_xlsx

RDF_TITLES = {".ttl": "Turtle", ".nt": "N-Triples", ".rdf": "RDF/XML", ".jsonld": "JSON-LD"}


def write_tables_package(publication: Publication, rows: dict[str, list[dict]], config: Config,
                         out: Path, created: str, inputs: str = "",
                         plan_editions: dict[str, dict] | None = None) -> dict:
    """The tables (CSV, JSON, Excel CSV, Table Schemas) and a datapackage.json describing them
    (with each plan's edition, see versions.plan_editions); returns that descriptor."""
    credit = attribution(publication)
    resources = write_tables(rows, load_schemas(), out, license_descriptor(config), credit,
                             created, publication.plans)
    sources = [source_descriptor(s) for s in publication.sources]
    package = package_descriptor(config, sources, resources, credit, created, inputs,
                                 plan_editions or {})
    write_json_file(out / "datapackage.json", package)
    return package


def describe_linked_data(package: dict, linked: LinkedData, out: Path) -> None:
    """Add the linked-data files to the package and its datapackage.json."""
    for path in linked.paths:
        kind = RDF_TITLES.get(Path(path).suffix, "RDF")
        package["resources"].append(file_resource(path.replace("/", "-").replace(".", "-"), path,
                                                  f"リンクトデータ {Path(path).name}（{kind}）", out))
    for path in linked.plan_paths:
        plan_id = path.split("/")[1]
        package["resources"].append(file_resource(f"graph-plan-{plan_id.lower()}", path,
                                                  f"リンクトデータ（計画 {plan_id}、N-Triples）", out))
    write_json_file(out / "datapackage.json", package)


def write_database(out: Path, rows: dict[str, list[dict]], schemas: dict[str, dict],
                   package: dict) -> str:
    """The SQLite distribution and the Datasette metadata that serves it; returns its name."""
    name = database_name(package)
    write_sqlite(out / name, rows, schemas, package)
    write_datasette_metadata(out, name, schemas, package)
    return name


def write_tables(rows: dict[str, list[dict]], schemas: dict[str, dict], out: Path,
                 license: dict, credit: str, created: str, plans: dict[str, Plan]) -> list[dict]:
    """Every table as CSV, JSON, Excel CSV and .xlsx, with its Table Schema, and each plan's
    slices under plans/<plan_id>/; returns their datapackage resources."""
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    (out / "excel").mkdir(exist_ok=True)
    tables, files, slices = [], [], []
    for table, table_rows_ in rows.items():
        schema = schemas[table]
        write_json_file(out / "schemas" / f"{table}.json", {**schema, "license": license})
        cells = csv_cells(schema, table_rows_)
        lines, records = csv_lines(cells), json_records(table_rows_)
        write_csv(out / f"{table}.csv", field_names(schema), lines)
        write_table_json(out / f"{table}.json", schema, records, license, credit)
        excel = excel_schema(schema)
        write_json_file(out / "schemas" / f"{table}-excel.json", {**excel, "license": license})
        write_excel_csv(out / "excel" / f"{table}.csv", schema, cells, lines)
        workbook = f"excel/{table}{XLSX_SUFFIX}"
        write_xlsx(out / workbook, schema, table_rows_, cells, license, credit, created)
        tables.append(tabular_resource(table, f"{table}.csv", f"schemas/{table}.json", schema, out))
        tables.append(tabular_resource(f"{table}{EXCEL_SUFFIX}", f"excel/{table}.csv",
                                       f"schemas/{table}-excel.json", excel, out, "utf-8-sig"))
        files.append(file_resource(f"{table}-json", f"{table}.json", f"{schema['title']}（JSON）", out))
        files.append(file_resource(f"{table}-xlsx", workbook, f"{schema['title']}（Excel）", out))
        slices += write_plan_tables(table, schema, table_rows_, lines, records, plans, out,
                                    license, credit)
    return tables + files + slices
