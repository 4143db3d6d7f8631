"""Exporters: write the validated tables of a publication into a folder.

Each exporter reads table rows (never raw text); column order, types and titles come from
the Table Schemas in schemas/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..assemble import Publication
from ..config import Config
from ..schema import SCHEMA_DIR, load_schemas
from .csv import excel_schema, write_csv, write_excel_csv
from .datapackage import file_resource, license_descriptor, package_descriptor, tabular_resource
from .json import write_json, write_json_file
from .tables import attribution, table_rows


def write_publication(publication: Publication, config: Config, out: Path, created: str) -> list[str]:
    """Write every table as CSV, JSON and Excel CSV plus datapackage.json; returns file names."""
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    (out / "excel").mkdir(exist_ok=True)
    credit = attribution(publication)
    license = license_descriptor(config)
    resources, json_resources = [], []
    for table, rows in table_rows(publication).items():
        schema = load_schemas()[table]
        shutil.copyfile(SCHEMA_DIR / f"{table}.json", out / "schemas" / f"{table}.json")
        write_csv(out / f"{table}.csv", schema, rows)
        write_json(out / f"{table}.json", schema, rows, license, credit)
        excel = excel_schema(schema)
        write_json_file(out / "schemas" / f"{table}-excel.json", excel)
        write_excel_csv(out / "excel" / f"{table}.csv", schema, rows)
        resources.append(tabular_resource(table, f"{table}.csv", f"schemas/{table}.json", schema, out))
        resources.append(tabular_resource(f"{table}-excel", f"excel/{table}.csv",
                                          f"schemas/{table}-excel.json", excel, out, "utf-8-sig"))
        json_resources.append(file_resource(f"{table}-json", f"{table}.json",
                                            f"{schema['title']}（JSON）", out))
    descriptor = package_descriptor(publication, config, resources + json_resources, credit, created)
    write_json_file(out / "datapackage.json", descriptor)
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
