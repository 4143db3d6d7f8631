"""JSON: the same records as the CSV, typed (numbers, dates, arrays), with licence metadata."""

from __future__ import annotations

import json
from pathlib import Path

from ..jsonfile import write_json
from ..schema import json_value


def write_table_json(path: Path, schema: dict, rows: list[dict], license: dict, attribution: str,
                     schema_path: str | None = None) -> None:
    document = {
        "name": schema["name"],
        "title": schema["title"],
        "schema": schema_path or f"schemas/{schema['name']}.json",
        "license": license,
        "attribution": attribution,
        "records": None,
    }
    records = ({k: json_value(v) for k, v in row.items()} for row in rows)
    write_json(path, document, "records", records)


def write_json_file(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
