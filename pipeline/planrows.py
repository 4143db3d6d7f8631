"""Each plan's (計画) table rows kept between runs, so that a republish after one plan's file
changed extracts, assembles and converts that plan alone: every other plan's rows, warnings and
digests come from the cache, and their documents are not even loaded.

An entry holds what one plan gives publish: for each of its files its rows of every table and
its warnings (assemble's, per source), and for each table the number of the plan's rows and their
digest (partcache.rows_digest: what pieces.table_runs names a plan's run of rows by). It is
keyed by this version of the code and Table Schemas (fingerprint.code_digest) and by each of
the plan's files, in source order: its path (warnings name it), name, bytes (SHA-256) and
manifest entry. What assemble checks and links is each plan's own (its ids, gaps and
references), so the plans rebuilt are assembled together without the others, and the
publication's rows are its files' rows in source order, exactly as assemble and
export.tables.table_rows give them from all documents at once (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .assemble import Plan, Publication, assemble, group_plans
from .extract.batch import BatchStats, extract_all
from .fingerprint import code_digest
from .partcache import CacheStats, PartCache, rows_digest
from .schema import load_schemas, table_values
from .sources import SourceDocument

Digests = dict[str, tuple[int, str]]      # plan_id -> (its rows in a table, their rows_digest)


@dataclass
class PlanRows:
    """One plan's entry: rows by source name and table, warnings by source name, and per
    table the plan's row count and rows_digest."""

    rows: dict[str, dict[str, list[dict]]]
    warnings: dict[str, list[str]]
    digests: dict[str, tuple[int, str]]


@dataclass
class Extracted:
    """What publish works from: the sources and their plans, every table's rows (the sources'
    in source order), the warnings of every source (in source order), each table's Digests,
    the extraction's counts for the plans not in the cache (their documents extracted or taken
    from the extraction cache), and how many plans' rows were taken from this cache."""

    sources: list[SourceDocument]
    plans: dict[str, Plan]
    rows: dict[str, list[dict]]
    warnings: list[str]
    digests: dict[str, Digests] = field(default_factory=dict)
    batch: BatchStats = field(default_factory=BatchStats)
    plans_reused: int = 0


def extract_rows(sources: list[SourceDocument], cache_dir: Path | None = None,
                 folder: Path | None = None) -> Extracted:
    """The rows of every source: documents extracted (or taken from the extraction cache in
    cache_dir) and assembled only for the plans whose entry is not in folder (None: no
    entries); those plans' entries are then stored, and entries this run did not use removed."""
    plans = group_plans(sources)
    cache, stats = PartCache(folder, code_digest() if folder is not None else ""), CacheStats()
    files: dict[str, list[list[str]]] = {}
    for source in sources:
        files.setdefault(source.meta.plan_id, []).append(_identity(source))
    names = {plan_id: cache.entry("plan-rows", files[plan_id]) for plan_id in plans}
    entries: dict[str, PlanRows] = {}
    for plan_id, name in names.items():
        entry = cache.load(name, stats)
        if isinstance(entry, PlanRows):
            entries[plan_id] = entry
    missed = [s for s in sources if s.meta.plan_id not in entries]
    documents, batch = extract_all(missed, cache_dir)
    built = plan_entries(assemble(missed, documents), documents)
    for plan_id, entry in built.items():
        cache.store(names[plan_id], entry, stats)
    cache.prune(stats.used)
    return combined(sources, plans, {**entries, **built}, batch, len(entries))


def plan_entries(publication: Publication, documents: list) -> dict[str, PlanRows]:
    """The entry of each plan of an assembled publication (its documents in source order)."""
    schemas = load_schemas()
    entries: dict[str, PlanRows] = {}
    for source, document in zip(publication.sources, documents):
        entry = entries.setdefault(source.meta.plan_id, PlanRows({}, {}, {}))
        entry.rows[source.name] = {table: table_values(getattr(document, table), schema)
                                   for table, schema in schemas.items()}
        entry.warnings[source.name] = publication.source_warnings[source.name]
    for entry in entries.values():
        for table in schemas:
            rows = [row for own in entry.rows.values() for row in own[table]]
            entry.digests[table] = (len(rows), rows_digest(rows))
    return entries


def combined(sources: list[SourceDocument], plans: dict[str, Plan],
             entries: dict[str, PlanRows], batch: BatchStats, reused: int) -> Extracted:
    """The publication's rows and warnings, source by source, from its plans' entries."""
    tables = list(load_schemas())
    rows: dict[str, list[dict]] = {table: [] for table in tables}
    warnings: list[str] = []
    for source in sources:
        entry = entries[source.meta.plan_id]
        for table in tables:
            rows[table] += entry.rows[source.name][table]
        warnings += entry.warnings[source.name]
    digests = {table: {plan_id: entry.digests[table] for plan_id, entry in entries.items()}
               for table in tables}
    return Extracted(sources, plans, rows, warnings, digests, batch, reused)


def _identity(source: SourceDocument) -> list[str]:
    """What a plan's rows and warnings take from one of its files."""
    return [str(source.path), str(source.path.resolve()), source.name, source.sha256,
            repr(source.meta)]
