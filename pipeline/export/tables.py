"""Table rows for the exporters: records in schema column order, never raw text."""

from __future__ import annotations

import json

from ..assemble import Publication
from ..schema import load_schemas, record_values

# The table of the SQLite distribution holding distribution_metadata (key, value).
METADATA_TABLE = "metadata"


def table_rows(publication: Publication) -> dict[str, list[dict]]:
    """{table: [ {column: value} ]} for every table of the publication."""
    return {table: [record_values(r, schema) for r in publication.tables[table]]
            for table, schema in load_schemas().items()}


def attribution(publication: Publication) -> str:
    """The Japanese attribution sentence that PDL1.0 / 政府標準利用規約 ask users to show."""
    cited = []
    for source in publication.sources:
        meta = source.meta
        where = f"（{meta.page}）" if meta.page else ""
        cited.append(f"{meta.publisher}「{meta.title}」{where}")
    return f"出典：{'、'.join(dict.fromkeys(cited))}を加工して作成"


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
