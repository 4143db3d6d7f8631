"""Publish: read → extract → assemble → write into a staging folder → validate → swap.

The previous publication is replaced only after the new one has been written and validated
in full; any failure leaves it untouched.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .assemble import Publication, assemble
from .config import Config
from .export import write_publication
from .export.ckan import write_ckan
from .export.dcat import build_catalog, write_catalog
from .shacl import check_catalog
from .extract import extract_document
from .sources import read_sources
from .validate import validate_package

Log = Callable[[str], None]


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class PublishResult:
    publication: Publication
    out_dir: Path


def build(raw_dir: Path, config: Config, log: Log = stderr_log) -> Publication:
    """Read and extract every source of the raw folder into one publication."""
    sources = read_sources(raw_dir, config)
    log(f"read: {len(sources)} source file(s) from {raw_dir} "
        f"({', '.join(f'{s.name} [{s.encoding}]' for s in sources)})")
    documents = [extract_document(source) for source in sources]
    publication = assemble(sources, documents)
    counts = ", ".join(f"{len(rows)} {table}" for table, rows in publication.tables.items())
    log(f"extract: {counts}")
    for warning in publication.warnings:
        log(f"warning: {warning}")
    return publication


def publish(raw_dir: Path, out_dir: Path, config: Config, log: Log = stderr_log) -> PublishResult:
    publication = build(raw_dir, config, log)
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_publication(publication, config, staging, created_timestamp())
        log(f"export: {_count_files(staging)} files written to staging")
        checked = validate_package(staging)
        log(f"validate: frictionless found the package valid ({checked} resources)")
        write_ckan(staging, config)
        catalog = build_catalog(staging, config)
        warnings = check_catalog(catalog, staging / "catalog.ttl")
        for warning in warnings:
            log(f"warning: DCAT-AP recommended: {warning}")
        write_catalog(staging, config, catalog)
        log(f"catalog: DCAT-AP 3.0.1 SHACL shapes conform ({len(catalog)} triples, "
            f"{len(warnings)} recommendation warnings); CKAN metadata written")
        _swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"publish: {out_dir}")
    return PublishResult(publication, out_dir)


def _count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def created_timestamp() -> str:
    """SOURCE_DATE_EPOCH (reproducible builds) if set, else now; UTC, ISO 8601."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() \
        else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _swap(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by staging with two renames; the old folder is removed afterwards."""
    previous = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    if out_dir.exists():
        out_dir.rename(previous)
    try:
        staging.rename(out_dir)
    except OSError:
        if previous.exists():
            previous.rename(out_dir)
        raise
    shutil.rmtree(previous, ignore_errors=True)
