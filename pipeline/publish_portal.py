"""Publish's portal step: the web portal, the CKAN metadata and the DCAT catalogue of the
edition in the staging folder, written once its tables and linked data are.

publish hands over the edition as `Staged`, with the database files the forked process is
still writing (`DatabaseFiles`): the portal's plan pages are drawn meanwhile, and the pages
that show the databases' digests wait for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .config import Config
from .errors import PipelineError
from .export.ckan import write_ckan
from .export.datasette import DATASETTE_METADATA
from .export.dcat import catalog_triples, write_catalog
from .export.description import Description, Records, describe_publication
from .export.listing import remember_digest
from .export.site import write_site
from .forked import Forked
from .heap import collector_paused
from .partcache import CacheStats, PartCache, cache_folder
from .planrows import Extracted
from .shacl import catalogue_cache, check_catalog
from .timing import Stopwatch


class DatabaseFiles:
    """The SQLite database and the Parquet files the forked process writes after the workbooks
    (package.side_files), named before they are written: wait() for them (once)."""

    def __init__(self, side: Forked, folder: Path, paths: list[str], log: Callable[[str], None],
                 watch: Stopwatch):
        self.side, self.folder, self.paths, self.log, self.watch = side, folder, paths, log, watch
        self.written = False

    def wait(self) -> None:
        if self.written:
            return
        with self.watch.stage("sqlite"):
            database, (size, sha256) = self.side.next()
            remember_digest(self.folder / database, size, sha256)
        with self.watch.stage("parquet"):
            parquet = self.side.next()
        written = [database, DATASETTE_METADATA, *parquet]
        if written != self.paths:                                       # a bug, never a guess
            raise PipelineError(f"the databases were written as {written}, not as listed "
                                f"({self.paths})", self.folder)
        self.written = True
        self.log(f"databases: {database} (SQLite, with its Datasette metadata) and "
                 f"{len(parquet)} Parquet files written")


@dataclass
class Staged:
    """The edition in the staging folder as the portal and its metadata describe it: the
    package written, the records the portal shows, each plan's rows' digest
    (pieces.plan_digests) and the database files still being written."""

    folder: Path
    config: Config
    package: dict
    publication: Extracted
    records: Records
    digests: dict[str, str]
    databases: DatabaseFiles


def write_portal(staged: Staged, log: Callable[[str], None], watch: Stopwatch,
                 cache_dir: Path | None, out_dir: Path) -> None:
    """The web portal (its plans' pages while the databases are written), then the CKAN
    metadata and the DCAT catalogue, of the staged edition."""
    with watch.stage("site"):
        description = describe_publication(
            staged.folder, staged.config, staged.package, staged.publication.plans,
            staged.records, staged.digests, tuple(staged.databases.paths))
        site_cache = CacheStats()
        pages = write_site(staged.folder, description, cache_folder(cache_dir, out_dir, "site"),
                           site_cache, staged.databases.wait)
    staged.databases.wait()         # (waited for by write_site already)
    log(f"site: {len(pages)} files of the web portal written")
    if site_cache.plans_reused:
        log(f"cache: site: {site_cache.plans_built} plans' pages rendered, "
            f"{site_cache.plans_reused} unchanged taken from the cache")
    with watch.stage("catalogue"):
        _write_portal_metadata(staged.folder, description, log,
                               catalogue_cache(cache_folder(cache_dir, out_dir, "catalogue")))


def _write_portal_metadata(staging: Path, description: Description, log: Callable[[str], None],
                           cache: PartCache) -> None:
    """CKAN package JSON, then the DCAT-AP catalogue, checked with the official SHACL shapes
    (the parts of it checked in a previous run taken from cache) while a forked process writes
    its files (a violation still fails the publish: nothing is published)."""
    write_ckan(staging, description)                # before the catalogue, which describes it
    with collector_paused(keep=True):               # its triples: many small objects, no cycles
        catalog = catalog_triples(staging, description)
    with Forked(_catalog_files, staging, description, catalog, where=staging) as files:
        warnings = check_catalog(catalog, staging / "catalog.ttl", cache)
        files.next()
    for warning in warnings:
        log(f"warning: DCAT-AP recommended: {warning}")
    log(f"catalog: DCAT-AP 3.0.1 SHACL shapes conform ({len(catalog)} triples, "
        f"{len(warnings)} recommendation warnings); CKAN metadata written")


def _catalog_files(staging: Path, description: Description, catalog) -> Iterator[list[str]]:
    """The catalogue's files (Forked's steps: one)."""
    yield write_catalog(staging, description, catalog)
