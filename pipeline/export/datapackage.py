"""datapackage.json: every published file as a resource, with schema, licence and sources."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..assemble import Publication
from ..config import Config


def license_descriptor(config: Config) -> dict:
    return {"name": config.license.id, "path": config.license.url, "title": config.license.title,
            "description": config.license.note}


def file_stats(path: Path) -> dict:
    data = path.read_bytes()
    return {"bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}


def tabular_resource(name: str, path: str, schema_path: str, schema: dict, out: Path,
                     encoding: str = "utf-8") -> dict:
    return {
        "name": name, "path": path, "type": "table", "profile": "tabular-data-resource",
        "title": schema["title"], "description": schema.get("description", ""),
        "format": "csv", "mediatype": "text/csv", "encoding": encoding,
        "dialect": {"csv": {"delimiter": ",", "lineTerminator": "\r\n"}},
        "schema": schema_path, **file_stats(out / path),
    }


def file_resource(name: str, path: str, title: str, out: Path) -> dict:
    return {"name": name, "path": path, "type": "file", "title": title, "format": "json",
            "mediatype": "application/json", "encoding": "utf-8", **file_stats(out / path)}


def package_descriptor(publication: Publication, config: Config, resources: list[dict],
                       attribution: str, created: str) -> dict:
    return {
        "name": config.name,
        "title": config.title,
        "description": config.description,
        "version": config.version,
        "created": created,
        "language": config.language,
        "keywords": list(config.keywords),
        "licenses": [license_descriptor(config)],
        "attribution": attribution,
        "contributors": [{"title": config.publisher, "role": "publisher",
                          "organization": config.publisher_code}] if config.publisher else [],
        "sources": [_source(s) for s in publication.sources],
        "resources": resources,
    }


def _source(source) -> dict:
    meta = source.meta
    described = {
        "title": meta.title, "path": meta.page or meta.url or source.name,
        "file": f"data/raw/{source.name}", "sha256": source.sha256, "bytes": source.size,
        "encoding": source.encoding, "publisher": meta.publisher,
        "publisher_code": meta.publisher_code, "license": meta.license,
        "in_manifest": meta.in_manifest,
    }
    if meta.period_start_fy:
        described["period"] = {"start_fiscal_year": meta.period_start_fy,
                               "end_fiscal_year": meta.period_end_fy}
    return described
