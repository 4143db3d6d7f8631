"""Serialisations of one graph: Turtle, N-Triples, RDF/XML and JSON-LD with a published
@context, so that the JSON-LD reads as plain JSON (`"title": …`, `"isPartOf": "…"`)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

FORMATS = {  # file name: rdflib format
    "graph.ttl": "turtle",
    "graph.nt": "nt",
    "graph.rdf": "xml",
    "graph.jsonld": "json-ld",
}
CONTEXT_FILE = "context.jsonld"
LICENSE_KEY = "license"


def json_ld_context(graph: Graph) -> dict:
    """A context with a short key for every predicate (its local name), prefixes for the rest;
    keys whose objects are all resources are typed @id, so they read as plain strings."""
    context: dict = {prefix: str(ns) for prefix, ns in graph.namespaces()
                     if prefix and not prefix.startswith(("ns", "default", "brick", "csvw",
                                                           "doap", "geo", "odrl", "sh", "sosa",
                                                           "ssn", "time", "vann", "void", "wgs",
                                                           "dcam", "dcmitype", "prof"))}
    context.update({"id": "@id", "type": "@type", "@language": "ja"})
    by_name: dict[str, set[URIRef]] = {}
    for predicate in set(graph.predicates()):
        if predicate != RDF.type:
            by_name.setdefault(_local_name(predicate), set()).add(predicate)
    for name, predicates in sorted(by_name.items()):
        if len(predicates) > 1 or name in context:
            continue           # ambiguous short name: leave it to the prefixed form
        predicate = next(iter(predicates))
        objects = list(graph.objects(None, predicate))
        definition: dict = {"@id": str(predicate)}
        if objects and all(isinstance(o, URIRef) for o in objects):
            definition["@type"] = "@id"
        elif objects and all(isinstance(o, Literal) and o.language is None for o in objects):
            datatypes = {o.datatype for o in objects}
            if len(datatypes) == 1 and None not in datatypes:
                definition["@type"] = str(datatypes.pop())
            elif datatypes == {None}:
                definition["@language"] = None
        context[name] = definition
    return {"@context": context}


def sorted_triples(graph: Graph) -> list:
    """The graph's triples as pyoxigraph triples in a stable (sorted) order."""
    data = graph.serialize(format="nt", encoding="utf-8")
    triples = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _local_name(uri: URIRef) -> str:
    text = str(uri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def write_graph(graph: Graph, folder: Path, context_url: str, license: dict) -> list[str]:
    """Write every serialisation of the graph plus its JSON-LD context; returns file names.

    Both JSON files carry a top-level `license` key for plain-JSON readers; the context
    defines no `license` term, so JSON-LD processors ignore it."""
    folder.mkdir(parents=True, exist_ok=True)
    context = json_ld_context(graph)
    context["@context"].pop(LICENSE_KEY, None)
    (folder / CONTEXT_FILE).write_text(
        json.dumps({**context, LICENSE_KEY: license}, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8")
    triples = sorted_triples(graph)
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix in context["@context"]}
    for name, fmt in FORMATS.items():
        if fmt in ("nt", "xml"):
            # pyoxigraph writes the sorted triples in a stable order (rdflib's order follows hashing)
            target = pyoxigraph.RdfFormat.N_TRIPLES if fmt == "nt" else pyoxigraph.RdfFormat.RDF_XML
            (folder / name).write_bytes(pyoxigraph.serialize(
                triples, format=target, prefixes=prefixes if fmt == "xml" else None))
        elif fmt == "json-ld":
            document = json.loads(graph.serialize(format="json-ld", context=context["@context"],
                                                  auto_compact=True))
            document["@context"] = context_url
            document[LICENSE_KEY] = license
            document["@graph"] = sorted(document.get("@graph", []), key=lambda node: node.get("id", ""))
            (folder / name).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
        else:
            graph.serialize(destination=str(folder / name), format=fmt, encoding="utf-8")
    return [CONTEXT_FILE, *FORMATS]
