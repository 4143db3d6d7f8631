"""Linked data: the publication as one RDF graph, its serialisations and the pv: vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph

from ..config import Config
from ..errors import ValidationFailed
from .graph import build_ntriples
from .serialize import CONTEXT_FILE, FORMATS, write_graph
from .vocabulary import PREFIXES, vocabulary_graph, vocabulary_namespace

RDF_DIR = "rdf"
VOCABULARY_FILE = "vocabulary.ttl"


def write_linked_data(tables: dict[str, list[dict]], sources: list[dict], config: Config,
                      schemas: dict[str, dict], out: Path, license: dict) -> list[str]:
    """Write rdf/graph.{ttl,nt,rdf,jsonld}, rdf/context.jsonld and rdf/vocabulary.ttl."""
    folder = out / RDF_DIR
    lines = build_ntriples(tables, sources, config, schemas)
    prefixes = {prefix: str(ns) for prefix, ns in
                {**PREFIXES, "pv": vocabulary_namespace(config.base_uri)}.items()}
    names = write_graph(lines, prefixes, folder, f"{config.download_base}{RDF_DIR}/context.jsonld",
                        license)
    vocabulary_graph(config.base_uri).serialize(destination=str(folder / VOCABULARY_FILE),
                                                format="turtle", encoding="utf-8")
    return [f"{RDF_DIR}/{name}" for name in [*names, VOCABULARY_FILE]]


OXIGRAPH_FORMATS = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
                    "xml": pyoxigraph.RdfFormat.RDF_XML, "json-ld": pyoxigraph.RdfFormat.JSON_LD}


def check_linked_data(out: Path) -> int:
    """Parse every serialisation with an independent parser (pyoxigraph); all must hold the
    same triples. Returns the triple count; raises ValidationFailed otherwise."""
    folder = out / RDF_DIR
    counts, findings = {}, []
    for name, fmt in FORMATS.items():
        data = (folder / name).read_bytes()
        if fmt == "json-ld":       # the published @context is a URL: use the local copy
            document = json.loads(data)
            document["@context"] = json.loads((folder / CONTEXT_FILE).read_bytes())["@context"]
            data = json.dumps(document).encode("utf-8")
        try:
            counts[name] = sum(1 for _ in pyoxigraph.parse(data, format=OXIGRAPH_FORMATS[fmt]))
        except (SyntaxError, ValueError) as error:
            findings.append(f"{RDF_DIR}/{name}: does not parse: {error}")
    if len(set(counts.values())) > 1:
        findings.append("serialisations differ in triple count: "
                        + ", ".join(f"{n} {c}" for n, c in counts.items()))
    if findings:
        raise ValidationFailed("the linked-data files are inconsistent; nothing was published",
                               findings, folder)
    return next(iter(counts.values()), 0)
