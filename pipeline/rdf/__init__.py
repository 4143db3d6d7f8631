"""Linked data: the publication as one RDF graph, its serialisations and the pv: vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..assemble import Plan
from ..config import Config, file_url
from ..timing import Stopwatch
from ..partcache import CacheStats
from .cache import rdf_cache
from .documents import DocumentTarget, documents_folder
from .negotiation import PageRoute, write_server_configs
from .serialize import CONTEXT_FILE, FORMATS, write_graph
from .splice import keep_merge
from .stream import PLAN_GRAPH, start_ntriples, worker_pool
from .vocabulary import PREFIXES, vocabulary_graph, vocabulary_namespace

RDF_DIR = "rdf"
PLANS_DIR = "plans"          # each plan's own files: plans/<plan_id>/ (see export/plans.py)
VOCABULARY_FILE = "vocabulary.ttl"


@dataclass
class LinkedData:
    paths: list[str]        # relative to the published folder
    triples: int            # in each of the four serialisations of the graph
    plan_paths: list[str]   # each plan's own graph (N-Triples): plans/<plan_id>/graph.nt
    cache: CacheStats       # plans and chunks built, and taken from the cache
    digests: dict[str, tuple[int, str]]     # path: (bytes, SHA-256) of the files known as written


class LinkedDataWriter:
    """Writes rdf/graph.{nt,ttl,rdf,jsonld}, rdf/context.jsonld and rdf/vocabulary.ttl using
    every core, in two steps so that the caller can work in between: entering starts worker
    processes on the graph's parts; finish() merges them and writes every serialisation (timed
    as the sub-stages rdf.ntriples and rdf.formats), raising ValidationFailed unless the four
    serialisations hold the same number of triples (the JSON-LD, written by our own code, is
    read back by pyoxigraph to count). finish() stops the workers once all is written;
    leaving stops them (if still running) and removes what was not finished. With a cache
    folder, each plan's lines and each chunk's serialisations are kept there and taken from it
    when what they are made from is unchanged (cache.py); the entries this run did not use are
    then removed. `digests`: each plan's rows' digest per table where the caller knows it
    (plan_id -> table -> partcache.rows_digest of the plan's rows), which names its entry.
    `routes`: the portal pages of the catalogue's URIs (export/pageroutes.py), which the server
    configurations written beside the URI documents send a browser to; `portal`: the portal
    page of a URI document's resource by the document's name, which its HTML links to."""

    def __init__(self, tables: dict[str, list[dict]], sources: list[dict],
                 plans: dict[str, Plan], config: Config, schemas: dict[str, dict], out: Path,
                 watch: Stopwatch | None = None, cache_dir: Path | None = None,
                 digests: dict[str, dict[str, str]] | None = None, *,
                 routes: tuple[PageRoute, ...],
                 portal: Callable[[str], str | None] | None = None):
        self.folder = out / RDF_DIR
        self.routes = routes
        self.portal = portal
        self.plans_dir = out / PLANS_DIR
        self.cache = rdf_cache(cache_dir)
        self.config = config
        self.watch = watch or Stopwatch()
        self.arguments = (tables, sources, plans, config, schemas)
        self.digests = digests
        self.pools = worker_pool(len(sources))
        self.pending = None

    def __enter__(self) -> "LinkedDataWriter":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pool = self.pools.__enter__()
        try:
            with self.watch.stage("rdf.start"):
                self.pending = start_ntriples(*self.arguments, self.folder / "graph.nt", self.pool,
                                              self.plans_dir, self.cache, self.digests)
        except BaseException:
            self.pools.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.pending is not None:
            self.pending.discard()
        self.stop_workers(*exc)

    def stop_workers(self, *exc) -> None:
        """Stop the worker processes (once; finish does when all is written, so that their
        memory is freed while the publish goes on)."""
        if self.pools is not None:
            pools, self.pools = self.pools, None
            pools.__exit__(*(exc or (None, None, None)))

    def finish(self, credit: str = "", scope_credits: dict[str, str] | None = None,
               written: Callable[[Path], None] = lambda path: None) -> LinkedData:
        """Everything written; `credit` (the attribution sentence) goes in the footer of the
        URIs' HTML documents, those minted under a plan, a publisher or a source carrying its
        own (`scope_credits`, by path: documents.uri_attributions). `written` is told of each
        of the four combined files as soon as it is whole (graph.nt first, while the others are
        written from it, where the workers forked for the graph's parts)."""
        config = self.config
        prefixes = {prefix: str(ns) for prefix, ns in
                    {**PREFIXES, "pv": vocabulary_namespace(config.base_uri)}.items()}
        with self.watch.stage("rdf.ntriples"):
            graph = self.pending.finish()
        # graph.nt told of now if the workers forked for its parts (or never fork), else after
        # write_graph, whose workers fork at their first chunk: never fork beside a thread
        early = self.pending.futures is not None or self.pool is None
        if early:
            written(graph.path)
        with self.watch.stage("rdf.formats"):
            target = DocumentTarget(self.folder.parent, documents_folder(
                config.base_uri, config.download_base), config.base_uri, credit,
                {"name": config.license.id, "path": config.license.url,
                 "title": config.license.title},
                scope_credits or {},
                config.download_base, self.portal) \
                if config.uri_documents else None
            vocabulary = vocabulary_graph(config.base_uri, config.license.url)
            vocabulary.serialize(destination=str(self.folder / VOCABULARY_FILE), format="turtle",
                                 encoding="utf-8")
            names = write_graph(graph, prefixes, self.pool, target,
                                vocabulary.serialize(format="nt", encoding="utf-8"), self.cache,
                                written, context_about={
                                    "id": file_url(config.download_base,
                                                   f"{RDF_DIR}/{CONTEXT_FILE}"),
                                    "license": config.license.url})
            if not early:
                written(graph.path)
            keep_merge(self.cache, graph.parts, graph.triples, graph.chunks, graph.chunk_digests,
                       graph.path, graph.chunk_lines, graph.stats)
            self.cache.prune(graph.stats.used)
            if target is not None:
                write_server_configs(self.folder.parent, target, config.download_base,
                                     self.routes)
        self.stop_workers()
        plans = self.arguments[2]
        return LinkedData([f"{RDF_DIR}/{name}" for name in [*names, VOCABULARY_FILE]],
                          graph.triples, [f"{PLANS_DIR}/{plan}/{PLAN_GRAPH}" for plan in plans],
                          graph.stats, {f"{PLANS_DIR}/{plan}/{PLAN_GRAPH}": digest
                                        for plan, digest in graph.plan_digests.items()})


__all__ = ["FORMATS", "LinkedData", "LinkedDataWriter", "PLANS_DIR", "RDF_DIR"]
