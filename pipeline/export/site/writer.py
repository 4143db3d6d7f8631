"""Writing the portal: every page once; from PARALLEL_FROM initiative pages on, the pages of the
plans (their initiatives, items and search indexes: nearly all of the site) by forked worker
processes in tasks of about CHUNK_PAGES initiatives, rendered or linked from the cache, while
this process writes the dataset pages of the plans, the pages about the whole publication and,
once its files are all written, the pages of its datasets (the files' digests, computed once
per process, then serve the DCAT catalogue); each page encoded once, hashed for the manifest
from memory and written with one call. With a cache folder, the pages of a plan (a slice of
at most CHUNK_PAGES of its initiatives) whose inputs are unchanged are hard-linked from the
cache, which keeps them as links to the files written (pagecache.py, partcache.store_files).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import traceback
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable

from jinja2 import TemplateError, TemplateSyntaxError

from ...config import Config
from ...errors import PipelineError, describe
from ...forked import fork_cores, process_pool
from ...heap import collector_paused
from ...partcache import CacheStats, PartCache
from ..datasets import media_type
from ..listing import SITE_ASSETS, SITE_FILES, SITE_FOLDERS, SITE_LANDING_PAGE, SITE_MANIFEST
from ..description import Description
from ..tables import plan_runs
from .context import Publication
from .pagecache import PageKeys, code_version, dataset_shows, site_cache
from .pages import Pages, dataset_path
from .templating import TEMPLATES, check_templates, environment

ASSETS = Path(__file__).resolve().with_name("assets")
PARALLEL_FROM = 2000    # from this many initiative pages on, worker processes write the plans' pages
CHUNK_PAGES = 1000      # initiative pages per task of a worker (and per cache entry, at most)
Slice = tuple[str, int, int, int]   # (plan id, position of its first initiative, start, stop)


def _template_frame(error: BaseException) -> tuple[str | None, int | None]:
    """(file, line) of the template being rendered when `error` was raised: Jinja gives its
    frames the template's file and line; a worker process's traceback comes as text."""
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(error.__traceback__)
              if f.filename.endswith(".html")]
    remote = getattr(error.__cause__, "tb", "")             # concurrent.futures' _RemoteTraceback
    frames += [(name, int(line)) for name, line in
               re.findall(r'File "([^"]+\.html)", line (\d+)', remote)]
    return frames[-1] if frames else (None, None)


def write_site(out: Path, description: Description, cache_folder: Path | None = None,
               stats: CacheStats | None = None, ready: Callable[[], None] | None = None) -> list[str]:
    """Write the static portal of the publication `description` describes into its published
    folder `out`; returns the relative paths written (the pages, the assets and the site
    manifest). Any earlier site in `out` (index.html, the manifest and the site folders) is
    removed first, so the pages never describe an earlier site and the same folder always gives
    the same bytes. With `cache_folder`, unchanged plans' pages come from there (the same bytes);
    `stats` gets the plans' pages rendered and reused. `ready` is called before the pages of
    the datasets of the whole publication, which show their files' digests, and after every
    other page but those the worker processes may still be writing: publish waits there for
    the files another process is still writing."""
    remove_site(out)
    templates = config_templates(description.config)
    if templates is not None:
        check_templates(templates)
    cache, compiled = site_cache(cache_folder, templates), compiled_templates(cache_folder)
    try:
        with collector_paused():
            site = Publication(out, description)
            writer = Writer(out, Pages(site, environment(templates, compiled)), cache,
                            overridden=templates is not None)
            written = writer.write(ready or (lambda: None))
    except TemplateSyntaxError as exc:          # a division's template: file and line
        raise PipelineError(f"template: {exc.message}", exc.filename, exc.lineno) from None
    except TemplateError as exc:                # raised while rendering: the template's line
        where, line = _template_frame(exc)
        raise PipelineError(f"template: {exc.message}", where or templates or TEMPLATES,
                            line) from None
    except Exception as exc:                    # a template's expression failed: `{{ 1 // 0 }}`
        where, line = _template_frame(exc)
        if where is None or isinstance(exc, PipelineError):
            raise
        raise PipelineError(f"template: {describe(exc)}", where, line) from None
    cache.prune(writer.stats.used | ({compiled.name} if compiled is not None else set()))
    if stats is not None:
        stats.add(writer.stats)
    return written


def compiled_templates(cache_folder: Path | None) -> Path | None:
    """The folder of the cache where Jinja2 keeps the templates compiled: one per version of
    this code (the code Jinja2 generates is partly ours: templating.py), the others pruned."""
    if cache_folder is None:
        return None
    version = hashlib.sha256(code_version().encode("utf-8")).hexdigest()[:16]
    return cache_folder / f"compiled-templates-{version}"


def config_templates(config: Config) -> Path | None:
    """The folder of a division's own templates (`[site] templates` in pipeline.toml)."""
    folder = config.site.get("templates")
    return Path(folder) if folder else None


def remove_site(out: Path) -> None:
    for path in SITE_FILES:
        (out / path).unlink(missing_ok=True)
    for folder in SITE_FOLDERS:
        shutil.rmtree(out / folder, ignore_errors=True)


def page_workers(pages: int) -> int:
    """Worker processes for `pages` initiative pages: one per available core from
    PARALLEL_FROM pages on (fork only: the workers share the parent's tables and compiled
    templates, never copied or reloaded), else 0 (written in this process)."""
    cores = fork_cores()
    if pages < PARALLEL_FROM or cores < 2:
        return 0
    return min(cores, -(-pages // CHUNK_PAGES))


_FORKED: "Writer | None" = None             # the writer a forked worker writes pages of


def _write_slices(slices: list[Slice]) -> tuple[list[str], list[dict], CacheStats]:
    """In a worker: write slices of the plans' pages (see `Writer.write_slice`); return (paths,
    manifest entries, cache statistics)."""
    writer = _FORKED
    writer.written, writer.manifest, writer.stats = [], [], CacheStats()
    for piece in slices:
        writer.write_slice(*piece)
    return writer.written, writer.manifest, writer.stats


def plan_slices(site: Publication) -> list[Slice]:
    """The initiatives of each plan (consecutive in `site.initiatives`) in slices of at most
    CHUNK_PAGES."""
    records = site.initiatives
    return [(site.plan_id(records[first]), first, start, min(start + CHUNK_PAGES, stop))
            for first, stop in plan_runs(records, site.plan_id)
            for start in range(first, stop, CHUNK_PAGES)]


def worker_tasks(slices: list[Slice]) -> list[list[Slice]]:
    """Consecutive slices grouped into tasks of about CHUNK_PAGES initiatives."""
    tasks, size = [], CHUNK_PAGES
    for piece in slices:
        if size >= CHUNK_PAGES:
            tasks.append([])
            size = 0
        tasks[-1].append(piece)
        size += piece[3] - piece[2]
    return tasks


class Writer:
    def __init__(self, out: Path, pages: Pages, cache: PartCache = PartCache(None),
                 overridden: bool = False):
        self.out, self.pages, self.site, self.cache = out, pages, pages.site, cache
        self.written: list[str] = []
        self.manifest: list[dict] = []
        self.folders: set[str] = set()
        self.stats = CacheStats()
        self.keys = PageKeys(self.site, pages.labels, pages.schedule_labels, pages.sites_title,
                             overridden) if cache.folder is not None else None

    def write(self, ready: Callable[[], None]) -> list[str]:
        """Every page, then the manifest: the plans' pages first (see write_site for `ready`)."""
        for path in SITE_ASSETS:
            self.emit_bytes(path, (ASSETS / path.rpartition("/")[2]).read_bytes())
        for plan in self.site.plans.values():     # before the workers fork: no race
            self.folder(f"initiatives/{plan.slug}")
            if self.keys is not None:               # once, here: the workers inherit them
                self.keys.of_plan(plan)
        pool, results = self.start_workers()
        done = False
        try:
            for spec in self.site.datasets:     # here: the digests of their files stay in
                if spec.plan is not None:       # this process, for the DCAT catalogue
                    self.write_dataset(spec)
            if pool is None:
                for piece in plan_slices(self.site):
                    self.write_slice(*piece)
            for path, document in self.pages.shared():
                self.emit(path, document)
            ready()
            for path, document in self.pages.combined_datasets():
                self.emit(path, document)
            try:
                for written, manifest, stats in results or ():
                    self.written.extend(written)
                    self.manifest.extend(manifest)
                    self.stats.add(stats)
            except BrokenProcessPool as exc:     # killed (out of memory?): one readable line
                raise PipelineError(f"a worker process writing the initiative pages stopped "
                                    f"unexpectedly ({exc})", self.out / "initiatives") from None
            done = True
        finally:        # on failure too, no worker is left writing into the folder
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=not done)
        self.write_manifest()
        return self.written

    def write_slice(self, plan_id: str, first: int, start: int, stop: int) -> None:
        """The initiative pages [start, stop) of a plan whose first initiative is at `first`,
        and the plan's other pages when start is first: from the cache when there."""
        plan = self.site.plans[plan_id]
        if self.keys is None:
            for path, document in self.render_slice(plan, first, start, stop):
                self.emit(path, document)
            return
        name = self.slice_entry(plan_id, first, start, stop)
        if self.from_cache(name, lambda: self.render_slice(plan, first, start, stop)):
            self.stats.plans_reused += 1
        else:
            self.stats.plans_built += 1

    def slice_entry(self, plan_id: str, first: int, start: int, stop: int) -> str:
        """The name of the cache entry of a slice of a plan's pages (see write_slice)."""
        return self.cache.entry("pages", self.keys.of_plan(self.site.plans[plan_id]),
                                start - first, stop - first)

    def write_dataset(self, spec) -> None:
        """The page of a plan's dataset: from the cache when its plan's pages and what it
        shows of the dataset (files with their digests, previews, metadata) are unchanged."""
        context, path = self.pages.dataset_context(spec), dataset_path(spec)
        plan = self.site.plans.get(spec.plan.plan_id)     # None: a plan without initiatives
        if self.keys is None or plan is None:
            self.emit(path, self.pages.render(**context))
            return
        self.from_cache(self.cache.entry("dataset-page", self.keys.of_plan(plan),
                                         dataset_shows(context)),
                        lambda: [(path, self.pages.render(**context))])

    def from_cache(self, name: str, render) -> bool:
        """The files of cache entry `name` linked here (True), or the pages render() gives
        written and kept in the cache under that name (False)."""
        manifest = self.cache.load_files(name, self.out, self.stats)
        if manifest is not None:
            self.written.extend(entry["path"] for entry in manifest)
            self.manifest.extend(manifest)
            return True
        before = len(self.manifest)
        for path, document in render():
            self.emit(path, document)
        manifest = self.manifest[before:]
        self.cache.store_files(name, self.out, [entry["path"] for entry in manifest], manifest,
                               self.stats)
        return False

    def render_slice(self, plan, first: int, start: int, stop: int):
        pages = self.pages
        for position in range(start, stop):
            yield pages.initiative_path(position), pages.initiative(position)
            if position == first:
                yield from pages.of_plan(plan)

    def start_workers(self):
        """(executor, results in order) of the forked workers writing the plans' pages in tasks
        of about CHUNK_PAGES initiatives, or (None, None): too few pages, one core, or no fork
        here. They also link the pages the cache has (a republish after one plan changed
        renders that plan's and links the others': some 40,000 files at N = 1000, measured
        faster beside this process's own pages than after them). With fork, the executor starts
        all its workers at the first submission, before any thread of its own; a worker that
        dies fails the publish (BrokenProcessPool), never hangs it."""
        slices = plan_slices(self.site)
        workers = page_workers(sum(stop - start for _, _, start, stop in slices))
        if not workers:
            return None, None
        tasks = worker_tasks(slices)
        global _FORKED
        _FORKED = self                       # what the workers inherit
        pool = process_pool(workers)
        try:
            results = pool.map(_write_slices, tasks)
        except OSError:                      # no processes left: write the pages here
            pool.shutdown(wait=False, cancel_futures=True)
            return None, None
        finally:
            _FORKED = None
        return pool, results

    def folder(self, folder: str) -> None:
        if folder and folder not in self.folders:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)

    def emit(self, path: str, document: str) -> None:
        self.emit_bytes(path, document.encode("utf-8"))

    def emit_bytes(self, path: str, data: bytes) -> None:
        """Write one file of the site (one open, one write) and note it for the manifest."""
        self.folder(path.rpartition("/")[0])
        with open(os.path.join(self.out, path), "xb") as handle:    # never through a link
            handle.write(data)
        self.written.append(path)
        self.manifest.append({"path": path, "bytes": len(data),
                              "sha256": hashlib.sha256(data).hexdigest(),
                              "mediatype": media_type(path)[0]})

    def write_manifest(self) -> None:
        """site-manifest.json: every file just written (not itself), sorted by path, one per
        line. The catalogue describes the site by this file instead of page by page."""
        site = self.site
        entries = sorted(self.manifest, key=lambda e: e["path"])
        head = {
            "name": f"{site.package.get('name') or site.config.name}-site-manifest",
            "title": f"ウェブサイトのファイル一覧（{site.title}）",
            "description": "ウェブサイトの全ファイル（このファイル自身を除く）のパス・バイト数・SHA-256・"
                           "メディアタイプ（パス順）。入口は index.html。",
            "version": site.version,
            "created": site.created,
            "license": site.licence_terms,
            "attribution": site.attribution,
            "landing_page": SITE_LANDING_PAGE,
            "count": len(entries),
            "bytes": sum(e["bytes"] for e in entries),
        }
        dump = json.JSONEncoder(ensure_ascii=False).encode
        lines = [f" {dump(k)}: {dump(v)}," for k, v in head.items() if v not in (None, "")]
        files = ",\n".join(f"  {dump(e)}" for e in entries)
        document = "{\n" + "\n".join(lines) + '\n "files": [\n' + files + "\n ]\n}\n"
        (self.out / SITE_MANIFEST).write_bytes(document.encode("utf-8"))
        self.written.append(SITE_MANIFEST)
