"""Table rows for the exporters: records in schema column order, never raw text."""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Callable

from ..assemble import Publication
from ..schema import load_schemas, table_values
from ..sources import SourceDocument

# The table of the SQLite distribution holding distribution_metadata (key, value).
METADATA_TABLE = "metadata"
PLAN_KEY = "plan_id"     # the tables' first column; and the key by which every resource of a
                         # plan's own files (plans/<plan_id>/) names its plan


def is_slice(resource: dict) -> bool:
    """A table's slice for one plan (`plans/<plan_id>/<table>.csv`): a tabular resource that
    names its plan."""
    return PLAN_KEY in resource and resource.get("profile") == "tabular-data-resource"


def table_rows(publication: Publication) -> dict[str, list[dict]]:
    """{table: [ {column: value} ]} for every table of the publication."""
    return {table: table_values(publication.tables[table], schema)
            for table, schema in load_schemas().items()}


def plan_runs(rows: list[dict], plan_of: Callable[[dict], str] = itemgetter(PLAN_KEY)) \
        -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive rows of one plan (`plan_of` a row): the tables
    hold their rows plan by plan."""
    starts = [i for i in range(len(rows)) if i == 0 or plan_of(rows[i]) != plan_of(rows[i - 1])]
    return list(zip(starts, starts[1:] + [len(rows)]))


def attribution(sources: list[SourceDocument]) -> str:
    """The Japanese attribution sentence that PDL1.0 / 政府標準利用規約 ask users to show for
    data made from these sources (the whole publication's, or one plan's)."""
    cited = []
    for source in sources:
        meta = source.meta
        where = f"（{meta.page}）" if meta.page else ""
        cited.append(f"{meta.publisher}「{meta.title}」{where}")
    return credit_sentence(cited)


def credit_sentence(cited: list[str]) -> str:
    """出典：<the words citing each source, once each>を加工して作成."""
    return f"出典：{'、'.join(dict.fromkeys(cited))}を加工して作成"


def plan_attributions(sources: list[SourceDocument]) -> dict[str, str]:
    """{plan_id: the attribution sentence of that plan's sources alone}."""
    by_plan: dict[str, list[SourceDocument]] = {}
    for source in sources:
        by_plan.setdefault(source.meta.plan_id, []).append(source)
    return {plan_id: attribution(plan_sources) for plan_id, plan_sources in by_plan.items()}


def distribution_metadata(package: dict) -> dict[str, str]:
    """What a database or Parquet file carries about itself, from the datapackage.json
    descriptor: title, version, licence, attribution (出典) and sources, as strings."""
    license = (package.get("licenses") or [{}])[0]
    sources = [{key: s[key] for key in ("title", "path", "publisher") if s.get(key)}
               for s in package.get("sources", [])]
    entries = {
        "name": package.get("name", ""), "title": package.get("title", ""),
        "version": package.get("version", ""), "created": package.get("created", ""),
        "license": license.get("name", ""), "license_title": license.get("title", ""),
        "license_url": license.get("path", ""), "license_note": license.get("description", ""),
        "attribution": package.get("attribution", ""),
        "sources": json.dumps(sources, ensure_ascii=False),
    }
    return {key: value for key, value in entries.items() if value}
