"""The tables of a publication written into a folder (CSV, JSON, Excel CSV, workbooks, each
plan's slices) with the datapackage.json that describes them; the databases and the
linked-data files added to that description."""

from __future__ import annotations

import codecs
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

from ..assemble import Plan, Publication
from ..config import Config
from ..heap import release_free_memory
from ..jsonfile import write_json
from ..partcache import CacheStats, PartCache
from ..planrows import Extracted
from ..rdf import LinkedData
from ..schema import field_names, load_schemas
from .csv import EXCEL_SUFFIX, csv_text, excel_header, excel_schema
from .datapackage import (WARNINGS_KEY, file_resource, license_descriptor, package_descriptor,
                          source_descriptor, tabular_resource)
from .datasette import DATASETTE_METADATA, write_datasette_metadata
from .json import table_json_frame
from .listing import digests_meanwhile, file_digest, remember_digest
from .parquet import parquet_path, write_parquet
from .pieces import Pieces, Run, pieces_cache, plan_digests, table_runs, write_joined
from .plans import write_plan_tables
from .sqlite import (built_database, database_cache, database_name, keep_database,
                     write_sqlite)
from .tables import PLAN_KEY, attribution, plan_attributions
from .workbooks import Written, workbook_path, write_workbooks

RDF_TITLES = {".ttl": "Turtle", ".nt": "N-Triples", ".rdf": "RDF/XML", ".jsonld": "JSON-LD"}


def write_tables_package(publication: Extracted | Publication, rows: dict[str, list[dict]],
                         config: Config, out: Path, created: str, inputs: str = "",
                         plan_editions: dict[str, dict] | None = None,
                         cache_folder: Path | None = None,
                         runs: dict[str, list[Run]] | None = None,
                         workbooks: Callable[[], Written] | None = None,
                         workbook_cache: Path | None = None, head: dict | None = None,
                         descriptor: bool = True) -> dict:
    """The tables (CSV, JSON, Excel CSV and workbooks, Table Schemas) and a datapackage.json
    describing them (package_head with the tables' resources; not written with `descriptor`
    False: publish writes it once, when the linked data is added), the tables' unchanged pieces
    taken from cache_folder (None: no cache); returns that descriptor. runs: each table's runs
    of one plan's rows (pieces.table_runs), when already made. workbooks: what another process
    wrote of them (side_files), asked for once the rest is written; None: they are written
    here, after the rest, their pieces taken from workbook_cache. head: package_head as the
    caller made it (None: made here from created, inputs and plan_editions)."""
    cache, stats = pieces_cache(cache_folder), CacheStats()
    runs = runs if runs is not None else {table: table_runs(r) for table, r in rows.items()}
    package = {**head} if head is not None else \
        package_head(publication, config, created, inputs, plan_editions, plan_digests(runs))
    package["resources"] = write_tables(
        rows, runs, load_schemas(), out, license_descriptor(config), package["attribution"],
        created, publication.plans, plan_attributions(publication.sources), cache, stats,
        workbooks, workbook_cache)
    cache.prune(stats.used)
    if descriptor:
        write_json(out / "datapackage.json", package)
    return package


def side_files(out: Path, rows: dict[str, list[dict]], runs: dict[str, list[Run]],
               schemas: dict[str, dict], head: dict, license: dict,
               workbook_cache: Path | None, parquet_cache: Path | None,
               database_cache: Path | None = None) -> Iterator:
    """What a process beside the tables' writer writes (forked.Forked): the workbooks, then
    the SQLite database and the Parquet files together; yields what write_workbooks returns,
    what write_database returns, then the Parquet files' paths. `head`: package_head, the
    publication's description. The database is built here rather than in a thread of the
    caller: its rows go in through Python, which would hold the caller's interpreter lock
    half the time, while this process holds them already. The Parquet files are written in a
    thread beside it: SQLite releases the interpreter lock while it builds the full-text
    indexes, the database's longest step, and so does Arrow while it compresses."""
    written = write_workbooks(out, rows, runs, schemas, license, head["attribution"],
                              head["created"], workbook_cache)
    release_free_memory()               # the worksheets' texts, before the database
    yield written
    with ThreadPoolExecutor(1) as beside:
        parquet = beside.submit(write_parquet, out, rows, schemas, head, runs, parquet_cache)
        yield write_database(out, rows, schemas, head, runs, database_cache)
        yield parquet.result()
    release_free_memory()


def side_database_files(head: dict, schemas: dict[str, dict]) -> list[str]:
    """The files side_files writes after the workbooks, known before they are written (the
    portal is drawn meanwhile): the database, its Datasette metadata, the Parquet files."""
    return [database_name(head), DATASETTE_METADATA, *(parquet_path(table) for table in schemas)]


def package_head(publication: Extracted | Publication, config: Config, created: str, inputs: str,
                 plan_editions: dict[str, dict] | None, digests: dict[str, str]) -> dict:
    """datapackage.json's descriptor before its files are written (no resources yet): what
    the publication is, its licence, sources, attribution, each plan's edition and the digest
    of its records (`digests`: pieces.plan_digests); all a database or Parquet file states
    about itself. When extracting the
    sources gave warnings (records seen but not complete, gaps in the numbering, references to
    initiatives not published), those too, each naming its file by name alone: a reader sees
    what the tables lack, and a run over the same inputs says them again with its `no change`."""
    sources = [source_descriptor(s) for s in publication.sources]
    head = package_descriptor(config, sources, [], attribution(publication.sources), created,
                              inputs, plan_editions or {}, digests)
    if publication.warnings:
        folders = {f"{source.path.parent}{os.sep}" for source in publication.sources}
        head[WARNINGS_KEY] = [_without_folder(warning, folders) for warning in publication.warnings]
    return head


def _without_folder(warning: str, folders: set[str]) -> str:
    """A warning that starts with a source's path, starting with its file name instead (the
    raw folder's place on this machine is no part of the publication)."""
    return next((warning[len(folder):] for folder in folders if warning.startswith(folder)),
                warning)


def with_folders(warnings: list[str], sources: list) -> list[str]:
    """The warnings the edition states (each starting with a source's file name), each starting
    with that source's path as this run was given it, as the run that extracted it said it.
    A name may hold `:` (`plan:2014.txt`): the first source in order whose name and `:` begin
    the warning is its own."""
    order = {f"{source.name}:": (index, source.path) for index, source in
             reversed(list(enumerate(sources)))}        # (a name twice: its first source)
    return [_with_folder(warning, order) for warning in warnings]


def _with_folder(warning: str, order: dict[str, tuple[int, Path]]) -> str:
    colons = [at for at, char in enumerate(warning) if char == ":"]
    found = [order[warning[:at + 1]] for at in colons if warning[:at + 1] in order]
    if not found:
        return warning
    index, path = min(found, key=lambda item: item[0])
    return f"{path}{warning[len(path.name):]}"


class LinkedDataDigests:
    """The linked-data files hashed in threads while the publish goes on: each of the four
    combined files (about 1 GB at N = 1000) as soon as the linked data's writer has it whole
    (`written`, LinkedDataWriter.finish's callback), the rest once it is done (`rest`, those
    whose digests the writers found as they wrote them not read again); `wait()` before
    describe_linked_data."""

    def __init__(self, out: Path):
        self.out, self.started, self.waits = out, set(), []

    def written(self, path: Path) -> None:
        self.started.add(path)
        self.waits.append(digests_meanwhile([path]))

    def rest(self, linked: LinkedData) -> None:
        for path, (size, sha256) in linked.digests.items():
            remember_digest(self.out / path, size, sha256)
        paths = [self.out / path for path in [*linked.paths, *linked.plan_paths]]
        self.waits.append(digests_meanwhile([p for p in paths if p not in self.started]))

    def wait(self) -> None:
        for wait in self.waits:
            wait()


def describe_linked_data(package: dict, linked: LinkedData, out: Path) -> None:
    """Add the linked-data files to the package and its datapackage.json (their digests as
    LinkedDataDigests found them)."""
    for path in linked.paths:
        kind = RDF_TITLES.get(Path(path).suffix, "RDF")
        package["resources"].append(file_resource(path.replace("/", "-").replace(".", "-"), path,
                                                  f"リンクトデータ {Path(path).name}（{kind}）", out))
    for path in linked.plan_paths:
        plan_id = path.split("/")[1]
        package["resources"].append({**file_resource(f"graph-plan-{plan_id.lower()}", path,
                                                     f"リンクトデータ（計画 {plan_id}、N-Triples）", out),
                                     PLAN_KEY: plan_id})
    write_json(out / "datapackage.json", package)


def write_database(out: Path, rows: dict[str, list[dict]], schemas: dict[str, dict],
                   package: dict, runs: dict[str, list[Run]] | None = None,
                   cache_folder: Path | None = None) -> tuple[str, tuple[int, str]]:
    """The SQLite distribution and the Datasette metadata that serves it; returns its name
    and (size, SHA-256) as written (for listing.remember_digest: another process writes it).
    With cache_folder, the unchanged plans' rows are copied from the database built last."""
    name = database_name(package)
    cache, stats = database_cache(cache_folder), CacheStats()
    entry = cache.entry("database", name) if cache.folder is not None else ""
    if entry and runs is None:          # (only the cache needs them)
        runs = {table: table_runs(table_rows) for table, table_rows in rows.items()}
    previous = built_database(cache, entry, stats) if entry else None
    write_sqlite(out / name, rows, schemas, package, runs, previous)
    if entry:
        keep_database(cache, entry, out / name, runs, stats)
        cache.prune(stats.used)
    write_datasette_metadata(out, name, schemas, package)
    return name, file_digest(out / name)


def write_tables(rows: dict[str, list[dict]], runs: dict[str, list[Run]],
                 schemas: dict[str, dict], out: Path,
                 license: dict, credit: str, created: str, plans: dict[str, Plan],
                 plan_credits: dict[str, str], cache: PartCache = pieces_cache(None),
                 stats: CacheStats | None = None, workbooks: Callable[[], Written] | None = None,
                 workbook_cache: Path | None = None) -> list[dict]:
    """Every table as CSV, JSON, Excel CSV and .xlsx, with its Table Schema, and each plan's
    slices under plans/<plan_id>/ (attributed to that plan's sources: plan_credits), joined
    from the tables' pieces (unchanged ones from cache); the workbooks as write_tables_package
    says; returns their datapackage resources."""
    stats = stats if stats is not None else CacheStats()
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    (out / "excel").mkdir(exist_ok=True)
    tables, json_files, slices = _write_table_files(
        rows, runs, schemas, out, license, credit, plans, plan_credits, cache, stats)
    written = workbooks() if workbooks is not None else \
        write_workbooks(out, rows, runs, schemas, license, credit, created, workbook_cache)
    files = []
    for table in rows:
        path = workbook_path(table)
        remember_digest(out / path, *written[path])      # hashed as written: not read again
        files += [json_files[table], file_resource(f"{table}-xlsx", path,
                                                   f"{schemas[table]['title']}（Excel）", out)]
    return tables + files + slices


def _write_table_files(rows: dict[str, list[dict]], runs: dict[str, list[Run]],
                       schemas: dict[str, dict], out: Path, license: dict, credit: str,
                       plans: dict[str, Plan], plan_credits: dict[str, str], cache: PartCache,
                       stats: CacheStats) -> tuple[list[dict], dict[str, dict], list[dict]]:
    """The CSV, JSON and Excel CSV files of every table and its plans' slices; returns their
    resources: the tables', each table's JSON file's and the slices'."""
    tables, json_files, slices = [], {}, []
    for table, table_rows_ in rows.items():
        schema = schemas[table]
        pieces = Pieces(schema, table_rows_, runs[table], cache, stats)
        write_json(out / "schemas" / f"{table}.json", {**schema, "license": license})
        _write_combined(out, table, len(table_rows_), pieces, license, credit)
        excel = excel_schema(schema)
        write_json(out / "schemas" / f"{table}-excel.json", {**excel, "license": license})
        tables.append(tabular_resource(table, f"{table}.csv", f"schemas/{table}.json", schema, out))
        tables.append(tabular_resource(f"{table}{EXCEL_SUFFIX}", f"excel/{table}.csv",
                                       f"schemas/{table}-excel.json", excel, out, "utf-8-sig"))
        json_files[table] = file_resource(f"{table}-json", f"{table}.json",
                                          f"{schema['title']}（JSON）", out)
        slices += write_plan_tables(table, pieces, plans, out, license, plan_credits)
    return tables, json_files, slices


def _write_combined(out: Path, table: str, records: int, pieces: Pieces, license: dict,
                    credit: str) -> None:
    """The table's CSV, JSON and Excel CSV, joined from its pieces (see pieces.write_joined:
    in a republish, the unchanged plans' blocks copied from the previous files)."""
    schema, cache = pieces.schema, pieces.cache
    json_head, between, json_tail = table_json_frame(schema, records, license, credit)
    for path, head, separator, tail, block in (
            (f"{table}.csv", csv_text(field_names(schema), []).encode(), b"", b"",
             lambda index: pieces[index].csv.encode()),
            (f"{table}.json", json_head, between, json_tail,
             lambda index: between.decode().join(pieces[index].records).encode()),
            (f"excel/{table}.csv", codecs.BOM_UTF8 + excel_header(schema).encode(), b"", b"",
             lambda index: pieces[index].excel_text.encode())):
        name = cache.entry("joined", path, pieces.schema_digest) if cache.folder else ""
        write_joined(out / path, head, separator, tail, pieces.runs, block, cache, name,
                     pieces.stats)
