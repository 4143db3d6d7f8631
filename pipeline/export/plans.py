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
from .datapackage import file_resource, remember_resources, tabular_resource
from .json import write_table_json
from .pieces import Piece, Pieces
from .tables import PLAN_KEY


def plan_folder(plan_id: str) -> str:
    return f"{PLANS_DIR}/{plan_id}"


def slice_name(table: str, plan_id: str) -> str:
    """Resource name of a plan's slice (frictionless names are lowercase)."""
    return f"{table}-plan-{plan_id.lower()}"


def write_plan_tables(table: str, pieces: Pieces, plans: dict[str, Plan], out: Path,
                      license: dict, credits: dict[str, str]) -> list[dict]:
    """One table's slice for every plan (a plan without rows gets the header alone), joined
    from the plan's pieces of the combined table (loaded only for a slice written), its JSON
    attributed to the plan's own sources (credits[plan_id]); returns the datapackage resources
    describing them. A plan's slices whose rows, schema, licence and credit are unchanged are
    linked from the pieces' cache with their resources (partcache.store_files)."""
    schema, runs, cache, stats = pieces.schema, pieces.runs, pieces.cache, pieces.stats
    by_plan: dict[str, list[int]] = {}          # the plan's runs
    for index, run in enumerate(runs):
        by_plan.setdefault(run.plan_id, []).append(index)
    resources = []
    for plan_id, plan in plans.items():
        own = by_plan.get(plan_id, [])
        name = cache.entry("plan-slice", table, pieces.schema_digest, [runs[i].digest for i in own],
                           license, credits[plan_id], plan_id, plan.title) \
            if cache.folder is not None else ""
        found = cache.load_files(name, out, stats) if name else None
        if found is None:
            found = _write_slice(table, schema, [pieces[i] for i in own], plan, out, license,
                                 credits[plan_id])
            cache.store_files(name, out, [resource["path"] for resource in found], found, stats)
        remember_resources(out, found)
        resources += found
    return resources


def _write_slice(table: str, schema: dict, own: list[Piece], plan: Plan, out: Path,
                 license: dict, credit: str) -> list[dict]:
    """A plan's slice of one table as CSV and JSON; their two resources."""
    folder = plan_folder(plan.plan_id)
    (out / folder).mkdir(parents=True, exist_ok=True)
    write_csv(out / folder / f"{table}.csv", field_names(schema), [p.csv for p in own])
    write_table_json(out / folder / f"{table}.json", schema,
                     (record for p in own for record in p.records), license, credit,
                     schema_path=f"../../schemas/{table}.json")
    name = slice_name(table, plan.plan_id)
    csv_resource = tabular_resource(name, f"{folder}/{table}.csv", f"schemas/{table}.json",
                                    schema, out)
    csv_resource["title"] = f"{schema['title']}（{plan.title}）"
    json_resource = file_resource(f"{name}-json", f"{folder}/{table}.json",
                                  f"{schema['title']}（{plan.title}、JSON）", out)
    csv_resource[PLAN_KEY] = json_resource[PLAN_KEY] = plan.plan_id
    return [csv_resource, json_resource]
