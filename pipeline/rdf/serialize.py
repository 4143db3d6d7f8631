"""Serialisations of one graph: Turtle, N-Triples, RDF/XML and JSON-LD whose @context is
written inline (so that a downloaded copy reads offline in any JSON-LD processor, with no
document loader) and is also published on its own as context.jsonld; the JSON-LD reads as
plain JSON (`"title": …`, `"isPartOf": "…"`).

The graph arrives as a sorted N-Triples file (see stream.py), cut into chunks of whole
subjects; pyoxigraph (Rust) writes each chunk as Turtle and RDF/XML, and the compact JSON-LD is
written here, node by node, so every file is stable and fast to produce, in little memory, at
millions of triples. Every chunk is counted as pyoxigraph reads it; the JSON-LD, written by our
own code, is read back by pyoxigraph and counted too.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph

from ..bytefiles import copy_range, write_all
from ..errors import ValidationFailed
from ..heap import releasing_memory
from ..jsonfile import ITEM_INDENT, close_array, json_frame, write_json
from ..partcache import CacheStats, PartCache
from .documents import DOCUMENTS_MANIFEST, DocumentTarget, write_documents, write_manifest
from .stream import NTriples, literal_text, object_kind, split_triple, tail_kind

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS = {  # file name: format
    "graph.ttl": "turtle",
    "graph.nt": "nt",
    "graph.rdf": "xml",
    "graph.jsonld": "json-ld",
}
CONTEXT_FILE = "context.jsonld"
LANGUAGE = "ja"
RESERVED = {"id", "type"}


OXIGRAPH_FORMATS = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
                    "xml": pyoxigraph.RdfFormat.RDF_XML, "json-ld": pyoxigraph.RdfFormat.JSON_LD}


def write_graph(graph: NTriples, prefixes: dict[str, str], pool: Executor | None = None,
                documents: DocumentTarget | None = None, described: bytes = b"",
                cache: PartCache = PartCache(None),
                written: Callable[[Path], None] = lambda path: None,
                context_about: dict[str, str] | None = None) -> list[str]:
    """From the sorted N-Triples file, write the JSON-LD context and the Turtle, RDF/XML and
    JSON-LD files beside it (`written` is told of each as soon as it is whole, the caller hashing
    it while the others are written); returns the file names. Raises ValidationFailed unless every file
    holds the same number of triples. With `documents`, every URI under its base gets its
    documents (documents.py), written from the same parsed chunks, and rdf/uri-documents.json;
    so do the subjects of `described` (N-Triples of what the publication mints beside the
    graph: the vocabulary's terms).

    The file is converted chunk by chunk (in parallel with a pool), each chunk read once by
    pyoxigraph for both Turtle and RDF/XML; as a chunk holds whole subjects, the joined
    chunks are byte for byte what one pass over the whole file writes. A chunk found in `cache`
    (same bytes, context and code: cache.py) is taken from it, and the chunks built and reused
    are counted in graph.stats; its URI documents are written all the same. A chunk whose
    SHA-256 graph.chunk_digests knows (copied unchanged by a splice) is looked up by it without
    being read, where no URI documents are written; graph.chunk_digests is then set to every
    chunk's SHA-256, for the next run's splice (splice.keep_merge).

    The licence is a triple of the graph (`<graph> dcterms:license <URL>`, and likewise of
    each plan's graph), so the JSON-LD shows it as a node with a `license` key; the document
    has no other top-level key, which would make the graph a named graph. context.jsonld holds the context and what
    `context_about` says of the file itself (its URL as `id`, its `license`): a processor that
    loads it as a remote context reads its `@context` alone, one that reads it as a document
    reads those as a triple."""
    folder = graph.path.parent
    context = json_ld_context(graph.kinds, prefixes)
    write_json(folder / CONTEXT_FILE, {"@context": context, **(context_about or {})})
    with tempfile.TemporaryDirectory(prefix=".chunks-", dir=folder) as work:
        known = graph.chunk_digests or [None] * len(graph.chunks)
        jobs = [(graph.path, start, end, digest, Path(work) / str(index), prefixes, context,
                 documents, cache)
                for index, ((start, end), digest) in enumerate(zip(graph.chunks, known))]
        done = list(pool.map(_convert_chunk, jobs)) if pool and len(jobs) > 1 \
            else [_convert_chunk(job) for job in jobs]
        for chunk in done:
            graph.stats.add(chunk.stats)
        graph.chunk_digests = [chunk.digest for chunk in done]
        found = {"graph.nt": graph.triples}
        for name, suffix, fmt in (("graph.ttl", ".ttl", "turtle"), ("graph.rdf", ".rdf", "xml")):
            found[name] = _join(folder / name, jobs, suffix, done, fmt)
            written(folder / name)
        found["graph.jsonld"] = sum(chunk.json_ld for chunk in done)
        _join_json_ld(folder / "graph.jsonld", context, [job[4].with_suffix(".jsonl") for job in jobs])
        written(folder / "graph.jsonld")
    names = [CONTEXT_FILE, *FORMATS]
    if documents is not None:
        own = sorted(pyoxigraph.parse(described, format=OXIGRAPH_FORMATS["nt"]), key=str)
        entries = [entry for chunk in done for entry in chunk.documents]
        entries += write_documents(own, documents, prefixes)
        if len({e["path"] for e in entries}) != len(entries):
            raise ValidationFailed("the URI documents are inconsistent; nothing was published",
                                   ["a document was written from two chunks"], folder)
        write_manifest(folder / DOCUMENTS_MANIFEST, entries, documents)
        names.append(DOCUMENTS_MANIFEST)
    if len(set(found.values())) > 1:
        raise ValidationFailed("the linked-data files are inconsistent; nothing was published",
                               ["serialisations differ in triple count: "
                                + ", ".join(f"{n} {c}" for n, c in found.items())], folder)
    return names


def small_graph(lines: list[str], prefixes: dict[str, str]) -> tuple[bytes, dict]:
    """(Turtle, JSON-LD document) of a graph small enough to hold, from its sorted N-Triples
    lines, written as write_graph writes each chunk: pyoxigraph's Turtle, our JSON-LD with an
    inline @context built from the lines."""
    text = "".join(line + "\n" for line in lines).encode("utf-8")
    turtle = pyoxigraph.serialize(pyoxigraph.parse(text, format=OXIGRAPH_FORMATS["nt"]),
                                  format=OXIGRAPH_FORMATS["turtle"], prefixes=prefixes)
    kinds: dict[str, set[str]] = {}
    for line in lines:
        _, predicate, obj = split_triple(line)
        kinds.setdefault(predicate, set()).add(object_kind(obj))
    context = json_ld_context(kinds, prefixes)
    return turtle, {"@context": context, "@graph": list(json_ld_nodes(lines, context))}


@dataclass
class Chunk:
    triples: int                    # read by pyoxigraph from the N-Triples chunk
    json_ld: int                    # read by pyoxigraph back from the chunk's JSON-LD nodes
    frames: dict[str, tuple[int, int]]   # per format: (header, footer) lengths in bytes
    documents: list[dict]           # manifest entries of the chunk's URI documents
    stats: CacheStats = field(default_factory=CacheStats)
    digest: str = ""                # SHA-256 of the chunk's N-Triples


CHUNK_FILES = (".ttl", ".rdf", ".jsonl")
NODE_INDENT = ITEM_INDENT.encode("utf-8")


@releasing_memory
def _convert_chunk(job) -> Chunk:
    """One chunk of graph.nt as Turtle, RDF/XML and JSON-LD node lines, in files beside
    `stem` (linked from the cache when it holds them: partcache.store_files), and its URI
    documents (written from the chunk's triples, whether converted or found); the Turtle and
    RDF/XML files are whole documents, to be joined by _join."""
    nt_path, start, end, digest, stem, prefixes, context, documents, cache = job
    data = None if digest and documents is None else _read(nt_path, start, end)
    digest = hashlib.sha256(data).hexdigest() if data is not None else digest
    stats = CacheStats()

    def entry(digest: str) -> str:
        return cache.entry("chunk", digest, context, prefixes) if cache.folder else ""

    name = entry(digest)
    files = [stem.name + suffix for suffix in CHUNK_FILES]
    # linked at this chunk's place, which a chunk kept in an earlier run may not have had
    found = cache.load_files(name, stem.parent, stats, files) if name else None
    triples = None
    if found is None:
        if data is None:            # kept under the digest of the bytes read, never another
            data = _read(nt_path, start, end)
            digest = hashlib.sha256(data).hexdigest()
            name = entry(digest)
        triples = _parse(data, nt_path)
        chunk, texts = _convert(triples, data, nt_path, prefixes, context)
        for file, text in zip(files, texts):
            (stem.parent / file).write_bytes(text)
        if chunk.triples == chunk.json_ld == data.count(b"\n"):      # only what agrees is kept
            cache.store_files(name, stem.parent, files,
                              (chunk.triples, chunk.json_ld, chunk.frames), stats)
        stats.chunks_built += 1
    else:
        triples_count, json_ld, frames = found
        chunk = Chunk(triples_count, json_ld, frames, [])
        stats.chunks_reused += 1
    if documents is not None:
        chunk.documents = write_documents(triples if triples is not None
                                          else _parse(data, nt_path), documents, prefixes)
    chunk.stats, chunk.digest = stats, digest
    return chunk


def _read(path: Path, start: int, end: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(start)
        return handle.read(end - start)


def _parse(data: bytes, nt_path: Path) -> list:
    """The triples pyoxigraph reads from a chunk of graph.nt. Read leniently (the IRIs are not
    validated here, which took two thirds of the time): the chunk's JSON-LD, read back
    strictly, drops a triple whose IRI is not valid, so its count then disagrees."""
    try:
        return list(pyoxigraph.parse(data, format=OXIGRAPH_FORMATS["nt"], lenient=True))
    except (SyntaxError, ValueError) as error:
        raise ValidationFailed("the linked-data files are inconsistent; nothing was published",
                               [f"{nt_path.name}: does not parse: {error}"], nt_path) from None


def _convert(triples: list, data: bytes, nt_path: Path, prefixes: dict[str, str],
             context: dict) -> tuple[Chunk, tuple[bytes, bytes, bytes]]:
    """A chunk's Turtle, RDF/XML and JSON-LD node lines from its triples and its bytes."""
    frames, texts = {}, []
    for fmt in ("turtle", "xml"):
        text = pyoxigraph.serialize(triples, format=OXIGRAPH_FORMATS[fmt], prefixes=prefixes)
        texts.append(text)
        frames[fmt] = _frame(text, fmt)
    lines = data.decode("utf-8").removesuffix("\n").split("\n")     # LF only: U+2028 is in values
    nodes = [_NODE(node).encode("utf-8") for node in json_ld_nodes(lines, context)]
    texts.append(b"".join(NODE_INDENT + node + b",\n" for node in nodes))   # as in graph.jsonld
    return Chunk(len(triples), _count_nodes(context, nodes, nt_path.with_suffix(".jsonld")),
                 frames, []), tuple(texts)


XML_FOOTER = b"</rdf:RDF>"


def _frame(text: bytes, fmt: str) -> tuple[int, int]:
    """(header, footer) lengths of a serialised chunk: Turtle's @prefix lines; the XML
    declaration with the rdf:RDF start tag, and its end tag."""
    if fmt == "turtle":
        header = 0
        while text.startswith(b"@prefix ", header):
            header = text.index(b"\n", header) + 1
        return header, 0
    header = text.index(b">\n", text.index(b"<rdf:RDF")) + 2
    if not text.endswith(XML_FOOTER):
        raise ValidationFailed("RDF/XML chunk without its end tag", [], None)
    return header, len(XML_FOOTER)


def _join(path: Path, jobs: list, suffix: str, done: list[Chunk], fmt: str) -> int:
    """Join the chunks of one format: the first header, every body, the last footer (copied by
    the kernel, never through Python). Every chunk must have the same header (the prefixes);
    returns the triples of the chunks."""
    headers = set()
    with path.open("wb", buffering=0) as out:
        for position, (job, chunk) in enumerate(zip(jobs, done)):
            file = job[4].with_suffix(suffix)
            header, footer = chunk.frames[fmt]
            size = file.stat().st_size
            with file.open("rb") as source:
                headers.add(source.read(header))
                copy_range(source, out, 0 if position == 0 else header,
                      size if position == len(jobs) - 1 else size - footer)
    if len(headers) > 1:
        raise ValidationFailed(f"{path.name}: the chunks were written with different headers",
                               [h.decode("utf-8", "replace")[:200] for h in headers], path)
    return sum(chunk.triples for chunk in done)


def _join_json_ld(path: Path, context: dict, files: list[Path]) -> None:
    """graph.jsonld as jsonfile.write_json writes it, its @graph joined from the chunks' node
    lines (each `NODE_INDENT node,\n`; the last node loses its comma)."""
    head, tail = json_frame({"@context": context, "@graph": None}, "@graph")
    sizes = [file.stat().st_size for file in files]
    last = max((index for index, size in enumerate(sizes) if size), default=-1)
    with path.open("wb", buffering=0) as out:
        write_all(out, head.encode("utf-8") + (b"\n" if last >= 0 else b""))
        for index in range(last + 1):
            with files[index].open("rb") as source:
                copy_range(source, out, 0, sizes[index] - (2 if index == last else 0))
        write_all(out, (close_array(last + 1) + tail).encode("utf-8"))


_NODE = json.JSONEncoder(ensure_ascii=False).encode


def count_json_ld(path: Path, context: dict, nodes_per_read: int = 20_000) -> int:
    """The triples pyoxigraph reads from a JSON-LD file written by write_graph (one node per
    line) under its @context. The nodes are read in groups,
    each as a document of its own, so memory stays small whatever the size of the graph
    (pyoxigraph holds a whole document while it reads JSON-LD)."""
    count, group = 0, []
    with path.open("rb") as handle:
        for line in handle:
            if line.startswith(b"    {"):
                group.append(line.rstrip().rstrip(b","))
                if len(group) == nodes_per_read:
                    count += _count_nodes(context, group, path)
                    group = []
    return count + (_count_nodes(context, group, path) if group else 0)


def _count_nodes(context: dict, nodes: list[bytes], path: Path) -> int:
    """The triples pyoxigraph reads from JSON-LD node objects (JSON text, UTF-8) under
    context."""
    if not nodes:
        return 0
    document = b"".join((b'{"@context": ', json.dumps(context, ensure_ascii=False).encode("utf-8"),
                         b', "@graph": [\n', b",\n".join(nodes), b"]}"))
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
    subject's lines are consecutive). How a predicate's objects of one shape (`<` for a
    resource, else a literal's tail after its closing quote) show is worked out once."""
    keys = {definition["@id"]: (name, definition) for name, definition in context.items()
            if isinstance(definition, dict) and "@id" in definition}
    namespaces = sorted(((ns, prefix) for prefix, ns in context.items() if isinstance(ns, str)
                         and ns.startswith("http")), key=lambda item: -len(item[0]))
    forms: dict[tuple[str, str], tuple] = {}     # (<predicate>, shape): (key, text key, others)
    types: dict[str, str] = {}                   # <class>: its compact form
    node: dict = {}
    current = ""
    for line in lines:
        subject, predicate, obj = line.split(" ", 2)
        if subject != current:
            if node:
                yield node
            current, node = subject, {"id": subject[1:-1]}
        if obj[0] == "<":
            shape, text = "<", obj[1:-3]
        else:
            quote = obj.rindex('"')
            shape, text = obj[quote + 1:-2], obj[1:quote]
            if "\\" in text:
                text = literal_text(obj[:-2])
        form = forms.get((predicate, shape))
        if form is None:
            form = forms[(predicate, shape)] = _key_form(predicate[1:-1], shape, keys, namespaces)
        name, text_key, others = form
        if name == "type":
            text = types.get(text) or types.setdefault(text, _compact(text, namespaces))
        value = text if text_key is None else {text_key: text, **others}
        found = node.get(name)      # one value bare, several in a list (a value is no list)
        if found is None:
            node[name] = value
        elif found.__class__ is list:
            found.append(value)
        else:
            node[name] = [found, value]
    if node:
        yield node


def _key_form(predicate: str, shape: str, keys: dict, namespaces: list) -> tuple:
    """(key, text key, other keys) of a predicate's objects of one shape (see _form)."""
    if predicate == RDF_TYPE:
        return "type", None, {}
    if predicate not in keys:
        keys[predicate] = (_compact(predicate, namespaces), {})
    name, definition = keys[predicate]
    return (name, *_form("@id" if shape == "<" else tail_kind(shape), definition))


def _compact(iri: str, namespaces: list[tuple[str, str]]) -> str:
    for namespace, prefix in namespaces:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _form(kind: str, definition: dict) -> tuple:
    """(None, {}) when a value shows as its bare text, else (key for the text, other keys)."""
    if kind == "@id":
        return (None, {}) if definition.get("@type") == "@id" else ("id", {})
    if kind == LANGUAGE and "@language" not in definition and "@type" not in definition:
        return None, {}
    if kind == "@none" and definition.get("@language", "unset") is None:
        return None, {}
    if definition.get("@type") == kind:
        return None, {}
    if kind == LANGUAGE or kind.startswith("@") and kind != "@none":
        return "@value", {"@language": kind.lstrip("@")}
    if kind == "@none":     # a value object takes no default language: a plain string
        return "@value", {}
    return "@value", {"@type": kind}
