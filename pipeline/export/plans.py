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
from .pieces import Piece

SLICE_KEY = "plan_id"       # a resource with this key is its table's slice for that plan


def plan_folder(plan_id: str) -> str:
    return f"{PLANS_DIR}/{plan_id}"


def slice_name(table: str, plan_id: str) -> str:
    """Resource name of a plan's slice (frictionless names are lowercase)."""
    return f"{table}-plan-{plan_id.lower()}"


def write_plan_tables(table: str, schema: dict, pieces: list[Piece], plans: dict[str, Plan],
                      out: Path, license: dict, credits: dict[str, str]) -> list[dict]:
    """One table's slice for every plan (a plan without rows gets the header alone), joined
    from the plan's pieces of the combined table, its JSON attributed to the plan's own sources
    (credits[plan_id]); returns the datapackage resources describing them."""
    by_plan: dict[str, list[Piece]] = {}
    for piece in pieces:
        by_plan.setdefault(piece.plan_id, []).append(piece)
    resources = []
    for plan_id, plan in plans.items():
        folder = plan_folder(plan_id)
        (out / folder).mkdir(parents=True, exist_ok=True)
        own = by_plan.get(plan_id, [])
        write_csv(out / folder / f"{table}.csv", field_names(schema), [p.csv for p in own])
        write_table_json(out / folder / f"{table}.json", schema,
                         (record for p in own for record in p.records), license,
                         credits[plan_id], schema_path=f"../../schemas/{table}.json")
        name = slice_name(table, plan_id)
        csv_resource = tabular_resource(name, f"{folder}/{table}.csv", f"schemas/{table}.json",
                                        schema, out)
        csv_resource["title"] = f"{schema['title']}（{plan.title}）"
        csv_resource[SLICE_KEY] = plan_id
        resources.append(csv_resource)
        resources.append(file_resource(f"{name}-json", f"{folder}/{table}.json",
                                       f"{schema['title']}（{plan.title}、JSON）", out))
    return resources
