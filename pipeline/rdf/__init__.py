"""Linked data: the publication as one RDF graph, its serialisations and the pv: vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..timing import Stopwatch
from .serialize import CONTEXT_FILE, FORMATS, write_graph
from .stream import worker_pool, write_ntriples
from .vocabulary import PREFIXES, vocabulary_graph, vocabulary_namespace

RDF_DIR = "rdf"
VOCABULARY_FILE = "vocabulary.ttl"


@dataclass
class LinkedData:
    paths: list[str]        # relative to the published folder
    triples: int            # in each of the four serialisations of the graph


def write_linked_data(tables: dict[str, list[dict]], sources: list[dict], config: Config,
                      schemas: dict[str, dict], out: Path, license: dict,
                      watch: Stopwatch | None = None) -> LinkedData:
    """Write rdf/graph.{nt,ttl,rdf,jsonld}, rdf/context.jsonld and rdf/vocabulary.ttl, using
    every core (timed as the sub-stages rdf.ntriples and rdf.formats); raises
    ValidationFailed unless the four serialisations hold the same number of triples (the
    JSON-LD, written by our own code, is read back by pyoxigraph to count)."""
    folder = out / RDF_DIR
    folder.mkdir(parents=True, exist_ok=True)
    prefixes = {prefix: str(ns) for prefix, ns in
                {**PREFIXES, "pv": vocabulary_namespace(config.base_uri)}.items()}
    watch = watch or Stopwatch()
    with worker_pool(len(sources)) as pool:
        with watch.stage("rdf.ntriples"):
            graph = write_ntriples(tables, sources, config, schemas, folder / "graph.nt", pool)
        with watch.stage("rdf.formats"):
            names = write_graph(graph, prefixes, f"{config.download_base}{RDF_DIR}/{CONTEXT_FILE}",
                                license, pool)
    vocabulary_graph(config.base_uri).serialize(destination=str(folder / VOCABULARY_FILE),
                                                format="turtle", encoding="utf-8")
    return LinkedData([f"{RDF_DIR}/{name}" for name in [*names, VOCABULARY_FILE]], graph.triples)


__all__ = ["FORMATS", "LinkedData", "RDF_DIR", "write_linked_data"]
