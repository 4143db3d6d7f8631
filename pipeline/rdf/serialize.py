"""Serialisations of one graph: Turtle, N-Triples, RDF/XML and JSON-LD with a published
@context, so that the JSON-LD reads as plain JSON (`"title": …`, `"isPartOf": "…"`).

The graph arrives as a sorted N-Triples file (see stream.py); pyoxigraph (Rust) streams it
into Turtle and RDF/XML, and the compact JSON-LD is written here, node by node, so every file
is stable and fast to produce, in little memory, at millions of triples. Each writer counts
the triples it wrote; the JSON-LD, written by our own code, is read back by pyoxigraph.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph

from ..errors import ValidationFailed
from ..jsonfile import write_json
from .stream import literal_text, object_kind, read_lines, split_triple

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


OXIGRAPH_FORMATS = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
                    "xml": pyoxigraph.RdfFormat.RDF_XML, "json-ld": pyoxigraph.RdfFormat.JSON_LD}


def write_graph(nt_path: Path, triples: int, kinds: dict[str, set[str]], prefixes: dict[str, str],
                context_url: str, license: dict, pool: Executor | None = None) -> list[str]:
    """From the sorted N-Triples file (with `triples` lines), write the JSON-LD context and
    the Turtle, RDF/XML and JSON-LD files beside it (in parallel with a pool); returns the file
    names. Raises ValidationFailed unless every file holds the same number of triples.

    Both JSON files carry a top-level `license` key for plain-JSON readers; the context
    defines no `license` term, so JSON-LD processors ignore it."""
    folder = nt_path.parent
    context = json_ld_context(kinds, prefixes)
    write_json(folder / CONTEXT_FILE, {"@context": context, LICENSE_KEY: license})
    jobs = [(convert, nt_path, folder / "graph.ttl", "turtle", prefixes),
            (convert, nt_path, folder / "graph.rdf", "xml", prefixes),
            (write_json_ld, nt_path, folder / "graph.jsonld", context, context_url, license)]
    if pool is None:
        counts = [job[0](*job[1:]) for job in jobs]
    else:
        counts = [future.result() for future in [pool.submit(*job) for job in jobs]]
    found = {"graph.nt": triples, **{job[2].name: count for job, count in zip(jobs, counts)}}
    if len(set(found.values())) > 1:
        raise ValidationFailed("the linked-data files are inconsistent; nothing was published",
                               ["serialisations differ in triple count: "
                                + ", ".join(f"{n} {c}" for n, c in found.items())], folder)
    return [CONTEXT_FILE, *FORMATS]


def convert(nt_path: Path, out: Path, fmt: str, prefixes: dict[str, str]) -> int:
    """Stream the N-Triples file into another format with pyoxigraph; returns the triples
    read (a line that does not parse stops it with ValidationFailed)."""
    count = 0

    def counted(triples):
        nonlocal count
        for triple in triples:
            count += 1
            yield triple
    try:
        pyoxigraph.serialize(counted(pyoxigraph.parse(path=str(nt_path), format=OXIGRAPH_FORMATS["nt"])),
                             output=str(out), format=OXIGRAPH_FORMATS[fmt], prefixes=prefixes)
    except (SyntaxError, ValueError) as error:
        raise ValidationFailed("the linked-data files are inconsistent; nothing was published",
                               [f"{nt_path.name}: does not parse: {error}"], nt_path) from None
    return count


def write_json_ld(nt_path: Path, out: Path, context: dict, context_url: str, license: dict) -> int:
    """graph.jsonld, one node per line; returns the triples pyoxigraph reads back from it."""
    document = {"@context": context_url, "@graph": None, LICENSE_KEY: license}
    write_json(out, document, "@graph", json_ld_nodes(read_lines(nt_path), context))
    return count_json_ld(out, context)


def count_json_ld(path: Path, context: dict, nodes_per_read: int = 20_000) -> int:
    """The triples pyoxigraph reads from a JSON-LD file written by write_json_ld (one node per
    line), with its @context (published as a URL) given inline. The nodes are read in groups,
    each as a document of its own, so memory stays small whatever the size of the graph
    (pyoxigraph holds a whole document while it reads JSON-LD)."""
    opening = '{"@context": ' + json.dumps(context, ensure_ascii=False) + ', "@graph": [\n'
    count, group = 0, []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("    {"):
                group.append(line.rstrip().rstrip(","))
                if len(group) == nodes_per_read:
                    count += _count_nodes(opening, group, path)
                    group = []
    return count + (_count_nodes(opening, group, path) if group else 0)


def _count_nodes(opening: str, nodes: list[str], path: Path) -> int:
    document = (opening + ",\n".join(nodes) + "]}").encode("utf-8")
    try:
        return sum(1 for _ in pyoxigraph.parse(document, format=OXIGRAPH_FORMATS["json-ld"]))
    except (SyntaxError, ValueError) as error:
        raise ValidationFailed("the linked-data files are inconsistent; nothing was published",
                               [f"{path.name}: does not parse: {error}"], path) from None


def json_ld_context(kinds: dict[str, set[str]], prefixes: dict[str, str]) -> dict:
    """Prefixes, `id`/`type` aliases, `ja` as the default language, and a short key (the local
    name) for every predicate whose local name is unambiguous; a key whose objects are all
    resources is typed @id, one whose literals share a datatype is typed with it. `kinds` gives,
    per predicate, the kinds of its objects (stream.object_kind)."""
    context: dict = dict(prefixes)
    context.update({"id": "@id", "type": "@type", "@language": LANGUAGE})
    by_name: dict[str, list[str]] = {}
    for predicate in kinds:
        if predicate != RDF_TYPE:
            by_name.setdefault(local_name(predicate), []).append(predicate)
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
    return dict(sorted(context.items()))


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def json_ld_nodes(lines: Iterable[str], context: dict) -> Iterator[dict]:
    """One JSON object per subject, keys from the context, from sorted N-Triples lines (a
    subject's lines are consecutive)."""
    keys = {definition["@id"]: (name, definition) for name, definition in context.items()
            if isinstance(definition, dict) and "@id" in definition}
    namespaces = sorted(((ns, prefix) for prefix, ns in context.items() if isinstance(ns, str)
                         and ns.startswith("http")), key=lambda item: -len(item[0]))
    node: dict = {}
    for line in lines:
        subject, predicate, obj = split_triple(line)
        if node.get("id") != subject:
            if node:
                yield _single_values(node)
            node = {"id": subject}
        if predicate == RDF_TYPE:
            node.setdefault("type", []).append(_compact(obj[1:-1], namespaces))
            continue
        name, definition = keys.get(predicate) or (_compact(predicate, namespaces), {})
        node.setdefault(name, []).append(_value(obj, definition))
    if node:
        yield _single_values(node)


def _single_values(node: dict) -> dict:
    for key, values in node.items():
        if isinstance(values, list) and len(values) == 1:
            node[key] = values[0]
    return node


def _compact(iri: str, namespaces: list[tuple[str, str]]) -> str:
    for namespace, prefix in namespaces:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _value(obj: str, definition: dict):
    """An object (as written in N-Triples) as a JSON-LD value under its key's definition."""
    if obj[0] == "<":
        return obj[1:-1] if definition.get("@type") == "@id" else {"id": obj[1:-1]}
    kind, text = object_kind(obj), literal_text(obj)
    if kind == LANGUAGE and "@language" not in definition and "@type" not in definition:
        return text
    if kind == "@none" and definition.get("@language", "unset") is None:
        return text
    if definition.get("@type") == kind:
        return text
    if kind == LANGUAGE or kind.startswith("@") and kind != "@none":
        return {"@value": text, "@language": kind.lstrip("@")}
    if kind == "@none":
        return {"@value": text, "@language": None} if "@language" not in definition \
            else {"@value": text}
    return {"@value": text, "@type": kind}
