"""Publish: read → extract → assemble → write into a staging folder → validate → swap.

The previous publication is replaced only after the new one has been written and validated
in full; any failure leaves it untouched. Whether there is a new edition at all is decided in
publish_edition.py, the portal and its metadata are written by publish_portal.py.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .config import DEFAULT_CONFIG_PATH, KNOWN_LICENSES, Config, settings_name, toml_line
from .console import say
from .errors import ConfigError, PipelineError, describe, failed_file, resolved
from .export.package import (LinkedDataDigests, describe_linked_data, package_head,
                             side_database_files, side_files, with_folders, write_tables_package)
from .export.datapackage import WARNINGS_KEY, license_descriptor
from .export.description import Records
from .export.datasets import dataset_name_clash
from .export.pageroutes import catalogue_pages, data_pages
from .export.pieces import plan_digests, table_digests, table_runs
from .fingerprint import inputs_digest
from .forked import Forked
from .heap import collector_paused, frozen_heap, release_free_memory
from .lock import publish_lock
from .leftovers import clean_leftovers, fresh_staging, put_back, retire, staging_dir
from .outfolder import (OWN_FILES, Foreign, check_out_dir, checked_cache_dir, keep_foreign_files,
                        keep_late_files, record_own_files, some_of, walk_entries)
from .partcache import CacheStats, cache_folder
from .planrows import Extracted, extract_rows
from .publish_edition import created_timestamp, published_from, published_package, same_files
from .publish_portal import DatabaseFiles, Staged, write_portal
from .rdf import LinkedDataWriter
from .rdf.documents import uri_attributions
from .schema import load_schemas
from .sources import MANIFEST_NAME, SourceDocument, ignored_files, read_sources
from .startup import STOP_SIGNALS
from .stops import raise_if_stopped, settle
from .timing import Stopwatch
from .validate import BackgroundValidation
from .versions import (ISSUED_KEY, PLAN_EDITIONS_KEY, choose_edition, described_changes,
                       load_previous, table_records, with_plan_ids, write_change_report)

Log = Callable[[str], None]


@dataclass
class PublishResult:
    publication: Extracted | None       # None: the inputs were those of the previous edition
    out_dir: Path
    version: str
    changed: bool
    seconds: dict[str, float]
    linked_data: CacheStats | None = None    # RDF plans and chunks built / taken from the cache


def read(raw_dir: Path, config: Config, log: Log, watch: Stopwatch) -> list[SourceDocument]:
    """The sources of the raw folder, decoded, with their manifest entries (or defaults)."""
    with watch.stage("read"):
        sources = read_sources(raw_dir, config, set(KNOWN_LICENSES))
    _check_dataset_names(sources, config, raw_dir)
    log(f"read: {len(sources)} source file(s) from {raw_dir} ({_describe_sources(sources)})")
    for warning in ignored_files(raw_dir):
        log(f"warning: {warning}")
    for source in sources:
        meta = source.meta
        if not meta.in_manifest:
            publisher = f"{meta.publisher} ({meta.publisher_code})" if meta.publisher_code else meta.publisher
            log(f"read: {source.name} has no entry in sources.toml: published as plan {meta.plan_id}"
                f" of {publisher or 'no publisher'}, the defaults of {settings_name(config)}")
        entry = "its [[source]] entry" if meta.in_manifest else \
            f"a [[source]] entry in {MANIFEST_NAME}"
        if meta.period_start_fy is None:
            log(f"warning: {source.path}: no plan period: add period_start_fy and period_end_fy to "
                f"{entry} (the catalogue states no temporal coverage)")
        if meta.publisher and not meta.publisher_code:
            log(f"warning: {source.path}: no publisher_code for its publisher {meta.publisher}: "
                f"add its 全国地方公共団体コード to {entry} (without it the publisher is "
                "named by a digest of its name, publisher-<hex>, in its URIs, CKAN and the "
                "portal, and has no lg-<code> organisation)")
    return sources


def _check_dataset_names(sources: list[SourceDocument], config: Config, raw_dir: Path) -> None:
    clash = dataset_name_clash(dict.fromkeys(s.meta.plan_id for s in sources), config)
    if clash is not None:
        plan_id, dataset, name = clash
        settings = config.origin or DEFAULT_CONFIG_PATH
        raise ConfigError(f"name: {config.name!r} names the publication's {dataset} dataset "
                          f"{name}, the name of plan {plan_id}'s dataset too ("
                          f"{raw_dir / MANIFEST_NAME}): change the publication's name or the "
                          "plan_id", settings, toml_line(settings, "publication", 1, "name"))


def extract(sources: list[SourceDocument], log: Log, watch: Stopwatch,
            cache_dir: Path | None, rows_folder: Path | None) -> Extracted:
    """Every source's rows: the plans whose files changed extracted (their unchanged documents
    from cache_dir) and assembled, the others' rows taken from rows_folder (planrows.py)."""
    with watch.stage("extract"), collector_paused(keep=True):  # millions of objects, no cycles
        publication = extract_rows(sources, cache_dir, rows_folder)
    stats = publication.batch
    if cache_dir is not None and (len(sources) > 1 or stats.cached or publication.plans_reused):
        log(f"cache: {stats.extracted} document(s) extracted ({stats.workers} process(es)), "
            f"{stats.cached} unchanged taken from the cache"
            + (f"; the rows of {publication.plans_reused} unchanged plan(s) taken from the cache"
               if publication.plans_reused else ""))
    counts = ", ".join(f"{len(rows)} {table}" for table, rows in publication.rows.items())
    log(f"extract: {counts}")
    for warning in publication.warnings:
        log(f"warning: {warning}")
    return publication


def _describe_sources(sources: list[SourceDocument], listed: int = 5) -> str:
    """`a.txt [utf-8], b.txt [cp932]`; for many files, the count per encoding."""
    if len(sources) <= listed:
        return ", ".join(f"{s.name} [{s.encoding}]" for s in sources)
    encodings: dict[str, int] = {}
    for source in sources:
        encodings[source.encoding] = encodings.get(source.encoding, 0) + 1
    return ", ".join(f"{count} {encoding}" for encoding, count in sorted(encodings.items()))


class WarningCount:
    """A log that counts its `warning:` lines; with strict, stop() refuses to go on after one."""

    def __init__(self, log: Log, strict: bool):
        self.log, self.strict, self.count = log, strict, 0

    def __call__(self, message: str) -> None:
        self.count += message.startswith("warning:")
        self.log(message)

    def stop(self, raw_dir: Path) -> None:
        if self.strict and self.count:
            raise PipelineError(f"--strict: {_warnings(self.count)} (see above); nothing was "
                                "published", raw_dir)

    def summary(self) -> None:
        if self.count:
            self.log(f"{_warnings(self.count)}: see above")


def _warnings(count: int) -> str:
    return f"{count} warning{'s' if count > 1 else ''}"


def publish(raw_dir: Path, out_dir: Path, config: Config, log: Log = say,
            cache_dir: Path | None = None, strict: bool = False) -> PublishResult:
    """Build, validate and swap in a new edition; one run at a time per output folder, which
    must be absent, empty or a publication of this pipeline (see outfolder.py). With strict,
    any warning stops the run before anything is published."""
    out_dir = resolved(out_dir, "--out-dir")
    check_out_dir(out_dir, raw_dir)
    cache_dir = checked_cache_dir(cache_dir, out_dir, raw_dir, log)
    if not config.publisher:
        raise ConfigError("no publisher: the catalogue must name one; set publisher and "
                          f"publisher_code in [publication] of {settings_name(config)}"
                          f"{'' if config.origin else ' (or pass --config)'}")
    created_timestamp()         # a SOURCE_DATE_EPOCH that is no Unix time: said by every run
    log = WarningCount(log, strict)
    with LateStops(log) as late, publish_lock(out_dir, log):
        clean_leftovers(out_dir, log)
        watch = Stopwatch()
        try:
            with frozen_heap():     # what the publish holds to its end: frozen out of the collector
                result = _publish(raw_dir, out_dir, config, log, watch, cache_dir, late)
            log.summary()
            return result
        except PipelineError as error:
            raise _name_as_published(error, out_dir)
        except OSError as error:        # writing the new edition: a full disk, a file size limit
            raise _name_as_published(PipelineError(
                f"{watch.failed or 'publish'} stage failed: {error.strerror or describe(error)}; "
                "nothing was published", failed_file(error) or staging_dir(out_dir)),
                out_dir) from error
        except Exception as error:      # a bug or a library's limit: one line, nothing published
            raise PipelineError(f"{watch.failed or 'publish'} stage failed: {describe(error)}; "
                                "nothing was published", raw_dir) from error


def _publish(raw_dir: Path, out_dir: Path, config: Config, log: WarningCount, watch: Stopwatch,
             cache_dir: Path | None, late: "LateStops") -> PublishResult:
    sources = read(raw_dir, config, log, watch)
    overrides = (Path(config.site["templates"]),) if config.site.get("templates") else ()
    inputs = inputs_digest(sources, config, overrides)
    published = published_package(out_dir)
    previous_version = published_from(out_dir, published, inputs)
    if previous_version is not None:
        warned = published.get(WARNINGS_KEY)              # what extracting them warned of
        for warning in with_folders([str(w) for w in warned] if isinstance(warned, list) else [],
                                    sources):
            log(f"warning: {warning}")
        log.stop(raw_dir)
        log(f"publish: no change; {out_dir} left as it was (version {previous_version}: the same "
            "sources, code and settings as the published edition)")
        return PublishResult(None, out_dir, previous_version, False, watch.seconds)
    publication = extract(sources, log, watch, cache_dir, cache_folder(cache_dir, out_dir, "rows"))
    log.stop(raw_dir)
    with watch.stage("tables"), collector_paused(keep=True):
        schemas, rows = load_schemas(), publication.rows
        runs = {table: table_runs(table_rows_, publication.digests.get(table))
                for table, table_rows_ in rows.items()}
        digests = plan_digests(runs)
        previous = load_previous(out_dir, published, list(schemas), digests)
        if previous is not None:
            previous = with_plan_ids(previous, {s.name: s.meta.plan_id for s in publication.sources})
        head = package_head(publication, config, "", inputs, None, digests)   # (its edition: below)
        described = described_changes(published, head, {s.name: s.meta.plan_id
                                                        for s in publication.sources})
        edition = choose_edition(previous, rows, schemas, config.version, created_timestamp(),
                                 list(publication.plans), described)
    config = replace(config, version=edition.version)
    head.update({"version": edition.version, "created": edition.created,
                 ISSUED_KEY: edition.issued, PLAN_EDITIONS_KEY: edition.plans})
    with fresh_staging(out_dir) as staging, BackgroundValidation(
            staging, cache_folder(cache_dir, out_dir, "tables")) as validation:
        sources = head["sources"]
        license = license_descriptor(config)
        # a forked process writes the workbooks, the SQLite database (its tables and full-text
        # indexes) and then the Parquet files, and worker processes build the graph's parts,
        # while the CSV and JSON tables are written here (the workers fork at their first task:
        # here with more than one part, else in rdf.finish, which stops them when done)
        with Forked(side_files, staging, rows, runs, schemas, head, license,
                    cache_folder(cache_dir, out_dir, "workbooks"),
                    cache_folder(cache_dir, out_dir, "parquet"),
                    cache_folder(cache_dir, out_dir, "database"), where=staging) as side, \
                LinkedDataWriter(rows, sources, publication.plans, config, schemas, staging,
                                 watch, cache_folder(cache_dir, out_dir), table_digests(runs),
                                 routes=catalogue_pages(config.name),
                                 portal=data_pages(rows, publication.plans)) as rdf:
            with watch.stage("csv-json"):
                package = write_tables_package(
                    publication, rows, config, staging, edition.created,
                    cache_folder=cache_folder(cache_dir, out_dir, "pieces"), runs=runs,
                    workbooks=side.next, head=head, descriptor=False)
                release_free_memory()       # the tables' texts: not held while the rest runs
            hashed = LinkedDataDigests(staging)     # in threads, while the rest goes on
            with watch.stage("rdf"):
                linked = rdf.finish(package.get("attribution", ""),
                                    uri_attributions(publication.sources), hashed.written)
            hashed.rest(linked)
            # the tables, checked while the rest is written, once the linked data's workers
            # have freed their memory (else the validation's would add to the publish's peak)
            validation.check(package)
            log(f"rdf: the four RDF serialisations agree ({linked.triples} triples, counted by "
                "pyoxigraph)")
            if linked.cache.plans_reused or linked.cache.chunks_reused:
                log(f"cache: linked data: {linked.cache.plans_built} plan graph(s) and "
                    f"{linked.cache.chunks_built} chunk(s) built, {linked.cache.plans_reused} "
                    f"and {linked.cache.chunks_reused} unchanged taken from the cache"
                    + ("; rdf/graph.nt spliced from the previous one" if linked.cache.spliced
                       else ""))
            write_change_report(staging, edition, previous, license)
            # the records the portal shows, converted from the rows as its pages ask for them
            # (after the linked data: its workers never hold a copy); the portal's plan pages
            # are drawn while the other process finishes the databases, which the pages about
            # the whole publication list
            records = Records(rows, table_records)
            hashed.wait()
            describe_linked_data(package, linked, staging)
            databases = DatabaseFiles(side, staging, side_database_files(head, schemas), log, watch)
            log(f"export: {_count_files(staging, databases.paths)} files written to staging")
            staged = Staged(staging, config, package, publication, records, digests, databases)
            try:
                write_portal(staged, log, watch, cache_dir, out_dir)
            except PipelineError:
                side.close()            # (if still writing the databases)
                validation.result()     # the tables' own findings, if any, say what went wrong first
                raise
        # frictionless has checked the tables meanwhile, in its own process
        with watch.stage("validate"):
            checked, variants, slices = validation.result()
        log(f"validate: frictionless found the {checked} resources of the tables valid (the "
            f"{variants} Excel variants and {slices} plan slices: each is its validated CSV "
            "rendered for Excel or cut to its plan, byte for byte); the "
            f"{len(package['resources']) - checked} linked-data files are listed with the "
            "SHA-256 of the bytes written, which `pipeline validate` checks")
        log.stop(raw_dir)
        with watch.stage("swap"):
            own = record_own_files(staging, license, package.get("attribution", ""))
            foreign = keep_foreign_files(staging, out_dir, own)
            unchanged = previous is not None and same_files(staging, out_dir)
            raise_if_stopped()      # a stop a finalizer dropped (stops.py): before the swap
            if not unchanged:
                late.hold()
                kept = sorted({*foreign.kept, *_swap(staging, out_dir, foreign)})
    if unchanged:
        log(f"publish: no change; {out_dir} left as it was (version {edition.version})")
    else:
        if kept and foreign.listed:
            log(f"publish: kept {len(kept)} file(s) and folder(s) in {out_dir} that publish did "
                f"not write: {some_of(kept)}")
        elif kept:
            log(f"publish: {out_dir / OWN_FILES} (the list of the files publish wrote) was "
                f"missing: kept {len(kept)} file(s) and folder(s) the new edition does not write, "
                f"as someone else's may be among them: {some_of(kept)}")
        what = "content changed" if edition.changes else "same content, files updated"
        log(f"publish: {out_dir} (version {edition.version}, {what})")
    return PublishResult(publication, out_dir, edition.version, not unchanged, watch.seconds,
                         linked.cache)


def _name_as_published(error: PipelineError, out_dir: Path) -> PipelineError:
    """An error about a file of the staging folder (removed by now) names it as it would have
    been published."""
    staging = str(staging_dir(out_dir))
    if error.path and error.path.startswith(staging):
        error.path = f"{out_dir}{error.path[len(staging):]} (new edition, not published)"
    return error


def _count_files(folder: Path, to_come: list[str]) -> int:
    """The files under folder once the files `to_come` (relative POSIX paths, being written)
    are there: each counted once whether written yet or not (walk_entries: no stat per path)."""
    expected = set(to_come)
    files, _ = walk_entries(folder)
    return sum(name not in expected for name in files) + len(expected)


class LateStops:
    """Ctrl-C and SIGTERM from the swap's start (hold()) to the publish's end: noted, not
    raised. Raised there, they left OUT missing (between the swap's two renames) or said the
    previous publication was unchanged when the new one had replaced it; the publish completes
    instead and says the stop came too late. Only the main thread runs signal handlers: from
    another, nothing is changed."""

    def __init__(self, log: Log):
        self.log, self.previous, self.noted = log, {}, []

    def hold(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self.previous = {signum: signal.signal(signum, self.note) for signum in STOP_SIGNALS}
            settle()                # (the command's own handlers too, once put back below)

    def note(self, signum: int, frame) -> None:
        self.noted.append(signal.Signals(signum).name)

    def __enter__(self) -> "LateStops":
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        if self.noted:
            self.log(f"publish: {self.noted[0]} came once the new edition was being swapped in: "
                     "too late to stop it")


def _swap(staging: Path, out_dir: Path, foreign: Foreign) -> list[str]:
    """Replace out_dir by staging with two renames; the old folder is retired afterwards, once
    what someone else put into it meanwhile is moved into the new one (its paths)."""
    previous = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    if out_dir.exists():
        out_dir.rename(previous)
    try:
        staging.rename(out_dir)
    except OSError as error:
        if previous.exists():
            put_back(previous, out_dir, "moved aside for the new edition, which could not take "
                     f"its place: {error.strerror or describe(error)}")
        raise
    if not previous.exists():
        return []
    late = keep_late_files(previous, out_dir, foreign)
    retire(previous, out_dir)
    return late
