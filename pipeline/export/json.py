"""JSON: the same records as the CSV, typed (numbers, dates, arrays), with licence metadata."""

from __future__ import annotations

import json
from pathlib import Path

from ..jsonfile import ITEM_INDENT, close_array, encode_item, json_frame, write_json
from ..schema import json_value


def json_records(rows: list[dict]) -> list[str]:
    """Each row as its JSON text, encoded once: the combined table and each plan's slice are
    joined from the same texts."""
    return [encode_item({k: (v or None) if v.__class__ is str else json_value(v)  # str: inline
                         for k, v in row.items()}) for row in rows]


def write_table_json(path: Path, schema: dict, records: list[str], license: dict,
                     attribution: str, schema_path: str | None = None) -> None:
    """The table's JSON document; `records` from json_records."""
    write_json(path, table_document(schema, license, attribution, schema_path), "records",
               records, encoded=True)


def table_json_frame(schema: dict, records: int, license: dict,
                     attribution: str) -> tuple[bytes, bytes, bytes]:
    """(what comes before the first record, between two records, after the last) in the
    combined table's JSON file as write_table_json writes it with this many records."""
    head, tail = json_frame(table_document(schema, license, attribution), "records")
    separator = "\n" + ITEM_INDENT
    return ((head + (separator if records else "")).encode(), ("," + separator).encode(),
            (close_array(records) + tail).encode())


def table_document(schema: dict, license: dict, attribution: str,
                   schema_path: str | None = None) -> dict:
    """The table's JSON document, its records aside."""
    return {
        "name": schema["name"],
        "title": schema["title"],
        "schema": schema_path or f"schemas/{schema['name']}.json",
        "license": license,
        "attribution": attribution,
        "records": None,
    }

