"""datapackage.json: every published file as a resource, with schema, licence and sources."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..mediatypes import MEDIA_TYPES
from ..outfolder import GENERATOR, GENERATOR_KEY
from ..sources import SourceDocument
from ..versions import ISSUED_KEY, PLAN_DIGESTS_KEY, PLAN_EDITIONS_KEY
from .listing import file_digest, remember_digest


def license_descriptor(config: Config) -> dict:
    return {"name": config.license.id, "path": config.license.url, "title": config.license.title,
            "description": config.license.note}


def file_stats(path: Path) -> dict:
    """bytes and sha256 of a written file (read once per process: see listing.file_digest)."""
    size, sha256 = file_digest(path)
    return {"bytes": size, "hash": "sha256:" + sha256}


def remember_resources(out: Path, resources: list[dict]) -> None:
    """What resources state of their files (file_stats: written or linked from a cache just
    now) remembered for the files (listing.remember_digest), so that the pages and the
    catalogue describing them do not read them again."""
    for resource in resources:
        algorithm, _, digest = resource["hash"].partition(":")
        if algorithm == "sha256":
            remember_digest(out / resource["path"], resource["bytes"], digest)


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
    suffix = Path(path).suffix
    fmt, mediatype = suffix[1:], MEDIA_TYPES[suffix][0]
    encoding = {} if fmt == "xlsx" else {"encoding": "utf-8"}      # a zip file has no encoding
    return {"name": name, "path": path, "type": "file", "title": title, "format": fmt,
            "mediatype": mediatype, **encoding, **file_stats(out / path)}


INPUTS_KEY = "pipeline_inputs"     # fingerprint of what the publication was made from
WARNINGS_KEY = "pipeline_warnings"  # what extracting the sources warned of


def package_descriptor(config: Config, sources: list[dict], resources: list[dict],
                       attribution: str, created: str, inputs: str = "",
                       plan_editions: dict[str, dict] | None = None,
                       plan_digests: dict[str, str] | None = None) -> dict:
    return {
        "name": config.name,
        "title": config.title,
        "description": config.description,
        "version": config.version,
        "created": created,
        ISSUED_KEY: created,      # first issued: a later edition's is its first's (publish)
        GENERATOR_KEY: GENERATOR,       # marks the folder as ours: a later publish may replace it
        "language": config.language,
        "keywords": list(config.keywords),
        "licenses": [license_descriptor(config)],
        "attribution": attribution,
        "contributors": [{"title": config.publisher, "role": "publisher",
                          "organization": config.publisher_code}] if config.publisher else [],
        "sources": sources,
        PLAN_EDITIONS_KEY: plan_editions or {},
        PLAN_DIGESTS_KEY: plan_digests or {},
        "resources": resources,
        INPUTS_KEY: inputs,
    }


def source_descriptor(source: SourceDocument) -> dict:
    """A raw source as listed in datapackage.json `sources`, with its sha256: `path` is its web
    page (or download URL), left out when it has neither (a relative path would name a file of
    the package, and the raw file is not one); `file` names the raw file."""
    meta = source.meta
    page = meta.page or meta.url
    described = {
        "title": meta.title, **({"path": page} if page else {}), "file": source.name,
        "sha256": source.sha256, "bytes": source.size,
        "encoding": source.encoding, "publisher": meta.publisher,
        "publisher_code": meta.publisher_code, "license": meta.license,
        "in_manifest": meta.in_manifest,
    }
    for key in ("title_en", "publisher_en", "plan_title", "plan_title_en"):      # given in the manifest
        if getattr(meta, key):
            described[key] = getattr(meta, key)
    if meta.publisher_bbox:
        described["publisher_bbox"] = list(meta.publisher_bbox)
    if meta.plan_id:
        described["plan_id"] = meta.plan_id
    if meta.period_start_fy:
        described["period"] = {"start_fiscal_year": meta.period_start_fy,
                               "end_fiscal_year": meta.period_end_fy}
    return described
