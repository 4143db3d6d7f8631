"""Table rows for the exporters: records in schema column order, never raw text."""

from __future__ import annotations

from ..assemble import Publication
from ..schema import load_schemas, record_values


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
