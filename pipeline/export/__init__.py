"""Exporters: write the tables of a publication into a folder.

Each exporter reads table rows (never raw text); column order, types and titles come from
the Table Schemas in schemas/.
"""

from __future__ import annotations

from pathlib import Path

from ..assemble import Publication
from ..config import Config
from ..rdf import write_linked_data
from ..schema import load_schemas
from ..timing import Stopwatch
from .csv import excel_schema, write_csv, write_excel_csv
from .datapackage import (file_resource, license_descriptor, package_descriptor,
                          source_descriptor, tabular_resource)
from .json import write_json, write_json_file
from .tables import attribution

RDF_TITLES = {".ttl": "Turtle", ".nt": "N-Triples", ".rdf": "RDF/XML", ".jsonld": "JSON-LD"}


def write_publication(publication: Publication, rows: dict[str, list[dict]], config: Config,
                      out: Path, created: str, watch: Stopwatch | None = None) -> None:
    """Tables as CSV, JSON and Excel CSV, the linked-data files, and datapackage.json."""
    watch = watch or Stopwatch()
    credit = attribution(publication)
    license = license_descriptor(config)
    schemas = load_schemas()
    with watch.stage("csv-json"):
        resources = write_tables(rows, schemas, out, license, credit)
    sources = [source_descriptor(s) for s in publication.sources]
    with watch.stage("rdf"):
        rdf_paths = write_linked_data(rows, sources, config, schemas, out, license)
    for path in rdf_paths:
        kind = RDF_TITLES.get(Path(path).suffix, "RDF")
        resources.append(file_resource(path.replace("/", "-").replace(".", "-"), path,
                                       f"リンクトデータ {Path(path).name}（{kind}）", out))
    write_json_file(out / "datapackage.json",
                    package_descriptor(config, sources, resources, credit, created))


def write_tables(rows: dict[str, list[dict]], schemas: dict[str, dict], out: Path,
                 license: dict, credit: str) -> list[dict]:
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    (out / "excel").mkdir(exist_ok=True)
    tables, files = [], []
    for table, table_rows_ in rows.items():
        schema = schemas[table]
        write_json_file(out / "schemas" / f"{table}.json", {**schema, "license": license})
        write_csv(out / f"{table}.csv", schema, table_rows_)
        write_json(out / f"{table}.json", schema, table_rows_, license, credit)
        excel = excel_schema(schema)
        write_json_file(out / "schemas" / f"{table}-excel.json", {**excel, "license": license})
        write_excel_csv(out / "excel" / f"{table}.csv", schema, table_rows_)
        tables.append(tabular_resource(table, f"{table}.csv", f"schemas/{table}.json", schema, out))
        tables.append(tabular_resource(f"{table}-excel", f"excel/{table}.csv",
                                       f"schemas/{table}-excel.json", excel, out, "utf-8-sig"))
        files.append(file_resource(f"{table}-json", f"{table}.json", f"{schema['title']}（JSON）", out))
    return tables + files
