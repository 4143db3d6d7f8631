"""Serialisations of one graph: Turtle, N-Triples, RDF/XML and JSON-LD with a published
@context, so that the JSON-LD reads as plain JSON (`"title": …`, `"isPartOf": "…"`).

The graph arrives as sorted N-Triples lines; pyoxigraph (Rust) writes Turtle and RDF/XML,
and the compact JSON-LD is written here, node by node, so every file is stable and fast to
produce at millions of triples.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS = {  # file name: format
    "graph.ttl": "turtle",
    "graph.nt": "nt",
    "graph.rdf": "xml",
    "graph.jsonld": "json-ld",
}
CONTEXT_FILE = "context.jsonld"
LICENSE_KEY = "license"
LANGUAGE = "ja"
RESERVED = {"id", "type", LICENSE_KEY}


def write_graph(lines: list[str], prefixes: dict[str, str], folder: Path, context_url: str,
                license: dict) -> list[str]:
    """Write every serialisation plus the JSON-LD context; returns file names.

    Both JSON files carry a top-level `license` key for plain-JSON readers; the context
    defines no `license` term, so JSON-LD processors ignore it."""
    folder.mkdir(parents=True, exist_ok=True)
    ntriples = ("\n".join(lines) + "\n").encode("utf-8")
    triples = list(pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES))
    context = json_ld_context(triples, prefixes)
    _write_json(folder / CONTEXT_FILE, {"@context": context, LICENSE_KEY: license}, sort_keys=True)
    (folder / "graph.nt").write_bytes(ntriples)
    for name, fmt in (("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
                      ("graph.rdf", pyoxigraph.RdfFormat.RDF_XML)):
        (folder / name).write_bytes(pyoxigraph.serialize(triples, format=fmt, prefixes=prefixes))
    document = {"@context": context_url, "@graph": json_ld_nodes(triples, context), LICENSE_KEY: license}
    _write_json(folder / "graph.jsonld", document)
    return [CONTEXT_FILE, *FORMATS]


def _write_json(path: Path, document: dict, sort_keys: bool = False) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=sort_keys) + "\n",
                    encoding="utf-8")


def json_ld_context(triples: list, prefixes: dict[str, str]) -> dict:
    """Prefixes, `id`/`type` aliases, `ja` as the default language, and a short key (the local
    name) for every predicate whose local name is unambiguous; a key whose objects are all
    resources is typed @id, one whose literals share a datatype is typed with it."""
    context: dict = dict(prefixes)
    context.update({"id": "@id", "type": "@type", "@language": LANGUAGE})
    kinds: dict[str, set] = defaultdict(set)
    for triple in triples:
        predicate = triple.predicate.value
        if predicate != RDF_TYPE:
            kinds[predicate].add(_kind(triple.object))
    by_name: dict[str, list[str]] = defaultdict(list)
    for predicate in kinds:
        by_name[local_name(predicate)].append(predicate)
    for name, predicates in sorted(by_name.items()):
        if len(predicates) > 1 or name in context or name in RESERVED:
            continue
        predicate = predicates[0]
        definition: dict = {"@id": predicate}
        found = kinds[predicate]
        if found == {"@id"}:
            definition["@type"] = "@id"
        elif len(found) == 1 and next(iter(found)) not in (LANGUAGE, "@none") \
                and not next(iter(found)).startswith("@"):
            definition["@type"] = next(iter(found))
        elif found == {"@none"}:
            definition["@language"] = None
        context[name] = definition
    return context


def _kind(term) -> str:
    """@id for a resource; else the literal's language (with @ for non-default), datatype,
    or @none for a plain string."""
    if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.BlankNode)):
        return "@id"
    if term.language:
        return LANGUAGE if term.language == LANGUAGE else "@" + term.language
    datatype = term.datatype.value
    return "@none" if datatype == "http://www.w3.org/2001/XMLSchema#string" else datatype


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def json_ld_nodes(triples: list, context: dict) -> list[dict]:
    """One JSON object per subject (sorted by id), keys from the context."""
    keys = {definition["@id"]: (name, definition) for name, definition in context.items()
            if isinstance(definition, dict) and "@id" in definition}
    namespaces = sorted(((ns, prefix) for prefix, ns in context.items() if isinstance(ns, str)
                         and ns.startswith("http")), key=lambda item: -len(item[0]))
    nodes: dict[str, dict] = {}
    for triple in triples:
        subject = triple.subject.value
        node = nodes.setdefault(subject, {"id": subject})
        predicate = triple.predicate.value
        if predicate == RDF_TYPE:
            node.setdefault("type", []).append(_compact(triple.object.value, namespaces))
            continue
        name, definition = keys.get(predicate, (_compact(predicate, namespaces), {}))
        node.setdefault(name, []).append(_value(triple.object, definition))
    for node in nodes.values():
        for key, values in node.items():
            if isinstance(values, list) and len(values) == 1:
                node[key] = values[0]
    return [nodes[subject] for subject in sorted(nodes)]


def _compact(iri: str, namespaces: list[tuple[str, str]]) -> str:
    for namespace, prefix in namespaces:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _value(term, definition: dict):
    if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.BlankNode)):
        return term.value if definition.get("@type") == "@id" else {"id": term.value}
    kind = _kind(term)
    if kind == LANGUAGE and "@language" not in definition and "@type" not in definition:
        return term.value
    if kind == "@none" and definition.get("@language", "unset") is None:
        return term.value
    if definition.get("@type") == kind:
        return term.value
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if kind == "@none":
        return {"@value": term.value, "@language": None} if "@language" not in definition \
            else {"@value": term.value}
    return {"@value": term.value, "@type": kind}
