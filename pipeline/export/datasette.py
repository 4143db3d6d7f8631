"""Datasette metadata for the SQLite distribution: `datasette/metadata.json`.

Datasette (https://datasette.io) serves the published database as a read-only JSON/SQL API
(`make api`). This file gives it the publication's title, licence and source (出典), which
Datasette shows on every page and adds to every JSON response of the default shape, and, from
the Table Schemas, the Japanese title and description of every table and column.
"""

from __future__ import annotations

import json
from pathlib import Path

from .tables import METADATA_TABLE

DATASETTE_METADATA = "datasette/metadata.json"


def datasette_metadata(database: str, schemas: dict[str, dict], package: dict) -> dict:
    """Datasette's metadata.json for the database file `database` (its stem names it)."""
    license = (package.get("licenses") or [{}])[0]
    source_url = next((s["path"] for s in package.get("sources", [])
                       if str(s.get("path", "")).startswith(("http://", "https://"))), "")
    tables = {name: _table(schema) for name, schema in schemas.items()}
    tables[METADATA_TABLE] = {
        "title": "メタデータ",
        "description": "このデータベースのタイトル・版・ライセンス・出典（key と value の組）。",
    }
    described = {
        "title": package.get("title", ""),
        "description": package.get("description", ""),
        "license": license.get("title") or license.get("name", ""),
        "license_url": license.get("path", ""),
        "source": package.get("attribution", ""),
        "source_url": source_url,
        "databases": {Path(database).stem: {"title": package.get("title", ""),
                                            "tables": tables}},
    }
    return {key: value for key, value in described.items() if value}


def _table(schema: dict) -> dict:
    return {
        "title": schema.get("title", schema["name"]),
        "description": schema.get("description", ""),
        "columns": {f["name"]: f"{f.get('title', f['name'])}：{f.get('description', '')}".rstrip("：")
                    for f in schema["fields"]},
    }


def write_datasette_metadata(out: Path, database: str, schemas: dict[str, dict],
                             package: dict) -> str:
    (out / DATASETTE_METADATA).parent.mkdir(parents=True, exist_ok=True)
    metadata = datasette_metadata(database, schemas, package)
    (out / DATASETTE_METADATA).write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    return DATASETTE_METADATA
