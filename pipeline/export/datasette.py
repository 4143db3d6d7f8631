"""Datasette metadata for the SQLite distribution: `datasette/metadata.json`.

Datasette (https://datasette.io) serves the published database as a read-only JSON/SQL API
(`make api`). This file gives it the publication's title, licence and source (出典), which
Datasette shows on every page and adds to every JSON response of the default shape, and, from
the Table Schemas, the Japanese title and description of every table and column.
"""

from __future__ import annotations

import socket
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from ..errors import PipelineError, describe
from ..jsonfile import write_json
from ..parsing import json_document

from .planinfo import source_page
from .tables import METADATA_TABLE

DATASETTE_METADATA = "datasette/metadata.json"
# Datasette's defaults, stated so that they are seen: a query stops after 1 s, a page of JSON
# holds at most 1,000 rows.
LIMITS = {"sql_time_limit_ms": "1000", "max_returned_rows": "1000"}


def datasette_metadata(database: str, schemas: dict[str, dict], package: dict) -> dict:
    """Datasette's metadata.json for the database file `database` (its stem names it)."""
    license = (package.get("licenses") or [{}])[0]
    source_url = source_page(package)       # (none for sources of several pages)
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
    write_json(out / DATASETTE_METADATA, metadata)
    return DATASETTE_METADATA


def datasette_command(out: Path, host: str, port: int) -> list[str]:
    """The command serving the published database of `out` read-only: `-i` opens it immutable
    (Datasette never writes it, and its SQL endpoint runs only SELECT), with the metadata."""
    databases = sorted(out.glob("*.sqlite"))
    metadata = out / DATASETTE_METADATA
    if len(databases) != 1 or not metadata.is_file():
        raise PipelineError("no published database (one .sqlite and datasette/metadata.json): "
                            "run make publish first", out)
    _check_readable(databases[0], _listed_tables(metadata, databases[0].stem))
    _check_listening(host, port)
    settings = [arg for name, value in LIMITS.items() for arg in ("--setting", name, value)]
    return [sys.executable, "-m", "datasette", "serve", "-i", str(databases[0]),
            "-m", str(metadata), "--host", host, "--port", str(port), "--cors", *settings]


def _check_readable(database: Path, tables: list[str]) -> None:
    """One error line naming a database that SQLite cannot read (cut short, not a database)
    or that lacks a table its Datasette metadata lists (emptied: SQLite reads an empty file as
    an empty database), before Datasette starts: it printed a traceback of some 200 lines, or
    served an API without tables. Opened immutable, as Datasette's -i does: never written. (A
    page damaged inside is for `pipeline validate`, which checks the file's SHA-256.)"""
    try:
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?immutable=1", uri=True)) as db:
            held = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        raise PipelineError(f"not a readable SQLite database ({error}): publish again",
                            database) from None
    missing = [table for table in tables if table not in held]
    if missing:
        raise PipelineError(f"holds no table {', '.join(missing)} (datasette/metadata.json lists "
                            "them): publish again", database)


def _listed_tables(metadata: Path, database: str) -> list[str]:
    """The tables the Datasette metadata lists for the database (publish writes it)."""
    try:
        tables = json_document(metadata.read_text(encoding="utf-8"))["databases"][database]["tables"]
        if not isinstance(tables, dict):
            raise TypeError(f"its tables are {type(tables).__name__}, not an object")
        return list(tables)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PipelineError(f"not the Datasette metadata publish writes ({describe(error)}): "
                            "publish again", metadata) from None


def _check_listening(host: str, port: int) -> None:
    """One error line when host:port cannot be listened on (a port in use, an unknown host),
    before Datasette starts: its server says so in its own log lines, after starting up."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # as the server does
            probe.bind(address)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        where = f"[{host}]" if ":" in host else host
        raise PipelineError(f"cannot listen on http://{where}:{port}/: {reason}") from None
