"""Linked data: the publication as one RDF graph, its serialisations and the pv: vocabulary."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from .graph import build_graph
from .serialize import write_graph
from .vocabulary import vocabulary_graph

RDF_DIR = "rdf"
VOCABULARY_FILE = "vocabulary.ttl"


def write_linked_data(tables: dict[str, list[dict]], sources: list[dict], config: Config,
                      schemas: dict[str, dict], out: Path, license: dict) -> list[str]:
    """Write rdf/graph.{ttl,nt,rdf,jsonld}, rdf/context.jsonld and rdf/vocabulary.ttl."""
    folder = out / RDF_DIR
    graph = build_graph(tables, sources, config, schemas)
    names = write_graph(graph, folder, f"{config.download_base}{RDF_DIR}/context.jsonld", license)
    vocabulary_graph(config.base_uri).serialize(destination=str(folder / VOCABULARY_FILE),
                                                format="turtle", encoding="utf-8")
    return [f"{RDF_DIR}/{name}" for name in [*names, VOCABULARY_FILE]]
