"""Each plan's tables alone, for a developer who wants one plan without the combined tables:
`plans/<plan_id>/<table>.csv` and `.json`, the plan's rows of the combined tables with the same
cells, columns and Table Schema (the slices are checked byte for byte against the validated
combined CSV, see validate.check_plan_slices)."""

from __future__ import annotations

from pathlib import Path

from ..assemble import Plan
from ..rdf import PLANS_DIR
from ..schema import field_names
from .csv import write_csv
from .datapackage import file_resource, tabular_resource
from .json import write_table_json

SLICE_KEY = "plan_id"       # a resource with this key is its table's slice for that plan


def plan_folder(plan_id: str) -> str:
    return f"{PLANS_DIR}/{plan_id}"


def slice_name(table: str, plan_id: str) -> str:
    """Resource name of a plan's slice (frictionless names are lowercase)."""
    return f"{table}-plan-{plan_id.lower()}"


def rows_by_plan(rows: list[dict]) -> dict[str, list[int]]:
    """Row positions of each plan, in table order."""
    groups: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        groups.setdefault(row["plan_id"], []).append(position)
    return groups


def write_plan_tables(table: str, schema: dict, rows: list[dict], lines: list[str],
                      records: list[str], plans: dict[str, Plan], out: Path, license: dict,
                      credits: dict[str, str]) -> list[dict]:
    """One table's slice for every plan (a plan without rows gets the header alone), cut from
    the combined table's CSV lines and JSON records, its JSON attributed to the plan's own
    sources (credits[plan_id]); returns the datapackage resources describing them."""
    groups = rows_by_plan(rows)
    resources = []
    for plan_id, plan in plans.items():
        folder = plan_folder(plan_id)
        (out / folder).mkdir(parents=True, exist_ok=True)
        positions = groups.get(plan_id, [])
        write_csv(out / folder / f"{table}.csv", field_names(schema), [lines[i] for i in positions])
        write_table_json(out / folder / f"{table}.json", schema, [records[i] for i in positions],
                         license, credits[plan_id], schema_path=f"../../schemas/{table}.json")
        name = slice_name(table, plan_id)
        csv_resource = tabular_resource(name, f"{folder}/{table}.csv", f"schemas/{table}.json",
                                        schema, out)
        csv_resource["title"] = f"{schema['title']}（{plan.title}）"
        csv_resource[SLICE_KEY] = plan_id
        resources.append(csv_resource)
        resources.append(file_resource(f"{name}-json", f"{folder}/{table}.json",
                                       f"{schema['title']}（{plan.title}、JSON）", out))
    return resources
