"""Documents of the URIs the publication mints, so that every URI resolves (5-star rule 3).

Every subject of graph.nt under `base_uri` gets three documents in the documents folder, at the
URI's path after `base_uri` (percent-encoding decoded, as web servers map paths to files):
`<path>.html` for people, `<path>.ttl` (Turtle) and `<path>.jsonld` (expanded JSON-LD, no
context to fetch) for machines; e.g. `BASE/initiative/2-1-12` -> `initiative/2-1-12.html`.
Which URIs exist is read from the graph's subjects, never from a URI pattern. They are written
chunk by chunk from the triples serialize.py has already parsed (a chunk holds whole subjects),
in the worker processes that write the other serialisations; `rdf/uri-documents.json` lists
every document with its size and SHA-256 (so the catalogue describes them as one distribution,
as the site manifest does for the portal). negotiation.py maps the URIs to these files.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

import jinja2
import pyoxigraph

from ..export.tables import attribution
from ..mediatypes import URI_DOCUMENT_SUFFIXES, media_types
from ..sources import SourceDocument
from .terms import plan_path, publisher_path, source_path

DOCUMENTS_MANIFEST = "uri-documents.json"     # in rdf/
SUFFIXES = media_types(*URI_DOCUMENT_SUFFIXES)
LABELS = ("http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://www.w3.org/2000/01/rdf-schema#label", "http://xmlns.com/foaf/0.1/name",
          "http://purl.org/dc/terms/identifier")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
LICENSE = "http://purl.org/dc/terms/license"
ATTRIBUTION_TEXT = "http://creativecommons.org/ns#attributionText"

PAGE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""\
<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ label }}</title>
<link rel="stylesheet" href="{{ root }}assets/style.css">
<link rel="alternate" type="text/turtle" href="{{ name }}.ttl">
<link rel="alternate" type="application/ld+json" href="{{ name }}.jsonld">
</head>
<body>
<a class="skip-link" href="#main">本文へ移動</a>
<header><p><a href="{{ root }}index.html">データセット一覧</a></p></header>
<main id="main">
<h1>{{ label }}</h1>
<p>URI: <code>{{ uri }}</code></p>
{% if portal %}<p>ウェブポータルのページ: <a class="portal-page" href="{{ portal }}">{{ label }}</a></p>{% endif %}
<p>機械可読な形式: <a href="{{ name }}.ttl">Turtle</a> ・ <a href="{{ name }}.jsonld">JSON-LD</a>
 ・ データ全体: <a href="{{ root }}rdf/graph.ttl">graph.ttl</a></p>
<div class="table-scroll" role="region" aria-label="このリソースについての記述" tabindex="0">
<table>
<caption>このリソースについての記述（RDF）</caption>
<thead><tr><th scope="col">プロパティ</th><th scope="col">値</th></tr></thead>
<tbody>
{% for predicate, value, href in rows %}
<tr><th scope="row">{{ predicate }}</th><td>{% if href %}<a href="{{ href }}">{{ value }}</a>{% else %}{{ value }}{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
</main>
<footer><p>{{ credit }}</p>
{% if license and license.path %}<p>ライセンス：<a rel="license" href="{{ license.path }}">{{ license.title or license.name }}</a></p>{% endif %}
</footer>
</body>
</html>
""")


@dataclass(frozen=True)
class DocumentTarget:
    """Where the documents go: `folder` (inside the published folder `out`), for the URIs
    under `base_uri`."""
    out: Path
    folder: str                 # e.g. "id/" (POSIX, ends with /)
    base_uri: str
    credit: str = ""            # the attribution sentence (出典：…), in every page's footer
    license: dict | None = None  # the licence (name, path, title), stated in every document
    # a plan's, a publisher's or a source's path (plan/<plan_id>, organization/lg-<code>,
    # source/<file>) -> the credit of what is minted under it
    scope_credits: dict[str, str] = field(default_factory=dict)
    download_base: str = ""     # where the published folder is downloaded from
    # the portal page of a document's resource, by its name (export/pageroutes.data_page)
    portal: Callable[[str], str | None] | None = None

    def document_url(self, uri: str, suffix: str) -> str:
        """Where the document of `uri` with `suffix` is downloaded (the URI's path as the URI
        encodes it, below the documents folder)."""
        return f"{self.download_base}{self.folder}{local_part(uri, self.base_uri)}{suffix}"

    def credit_of(self, name: str) -> str:
        """The credit in the footer of document `name`: a plan's documents (under its path,
        `plan/<plan_id>/…`) credit that plan's sources alone, a publisher's and its
        departments' (`organization/lg-040002/…`) its plans', a source's and its lines'
        (`source/<file>/…`) that source, the others the publication's."""
        scope = "/".join(name.split("/", 2)[:2])
        return self.scope_credits.get(scope, self.credit)


def uri_attributions(sources: list[SourceDocument]) -> dict[str, str]:
    """{a URI path below base_uri (decoded): the attribution sentence of the sources of what
    is minted under it}: a plan's (`plan/<plan_id>`), a publisher's and its departments'
    (`organization/lg-040002`: its plans'), a source file's and its lines' (`source/<file>`)."""
    by_scope: dict[str, list[SourceDocument]] = {}
    for source in sources:
        meta = source.meta
        owner = {"publisher": meta.publisher, "publisher_code": meta.publisher_code}
        for scope in (plan_path(meta.plan_id), publisher_path(owner), source_path(source.name)):
            if scope:
                by_scope.setdefault(unquote(scope), []).append(source)
    return {scope: attribution(own) for scope, own in by_scope.items()}


def documents_folder(base_uri: str, download_base: str) -> str:
    """The URIs' path below the download location (`id/` for BASE = DOWNLOAD/id/), so that a
    plain static server already maps a URI's path to its documents; else `id/`."""
    if base_uri.startswith(download_base) and base_uri != download_base:
        folder = base_uri[len(download_base):]
        if folder.endswith("/") and _safe(folder[:-1]):
            return folder
    return "id/"


def document_name(uri: str, base_uri: str) -> str | None:
    """The documents' path without suffix for a URI under base_uri (fragment dropped,
    percent-encoding decoded), or None for a URI that cannot name a file safely."""
    if not uri.startswith(base_uri):
        return None
    name = unquote(local_part(uri, base_uri))
    return name if _safe(name) else None


def local_part(uri: str, base_uri: str) -> str:
    """The path of a URI under base_uri, as the URI encodes it, without its fragment."""
    return uri[len(base_uri):].split("#", 1)[0]


def _safe(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and all(p and p not in (".", "..") for p in parts) and \
        not any(c in name for c in "?\\\0") and not name.endswith(tuple(SUFFIXES))


def write_documents(triples: list, target: DocumentTarget, prefixes: dict[str, str]) -> list[dict]:
    """The documents of the subjects in `triples` (pyoxigraph triples, a subject's
    consecutive); returns their manifest entries. Subjects whose URIs share a document (a
    fragment) must be in the same call. Hundreds of thousands of small files at scale: names
    and short IRIs are computed once per IRI, folders created once, files written with os."""
    entries = []
    by_name: dict[str, list] = {}
    names = _Names(target.base_uri, prefixes)
    for subject, group in groupby(triples, key=lambda t: t.subject.value):
        name = names.document(subject)
        if name is not None:
            by_name.setdefault(name, []).extend(group)
    folders: set[str] = set()
    out = os.fspath(target.out)
    for name, own in by_name.items():
        depth = target.folder.count("/") + name.count("/")
        used = names.prefixes(own)
        credit = target.credit_of(name)
        documents = (
            (".ttl", pyoxigraph.serialize(own + _about(".ttl", own, target, credit),
                                          format=pyoxigraph.RdfFormat.TURTLE, prefixes=used)),
            (".jsonld", pyoxigraph.serialize(own + _about(".jsonld", own, target, credit),
                                             format=pyoxigraph.RdfFormat.JSON_LD)),
            (".html", _page(name, own, target, "../" * depth, names, credit).encode("utf-8")),
        )
        stem = f"{target.folder}{name}"
        folder = stem.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(os.path.join(out, folder), exist_ok=True)
            folders.add(folder)
        for suffix, data in documents:
            path = stem + suffix
            handle = os.open(os.path.join(out, path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(handle, data)
            finally:
                os.close(handle)
            entries.append({"path": path, "bytes": len(data),
                            "sha256": hashlib.sha256(data).hexdigest(), "mediatype": SUFFIXES[suffix]})
    return entries


class _Names:
    """Per IRI, computed once: its document name and its short form (`dcterms:title`)."""

    def __init__(self, base_uri: str, prefixes: dict[str, str]):
        self.base_uri = base_uri
        self.namespaces = prefixes
        self.by_namespace = {namespace: prefix for prefix, namespace in prefixes.items()}
        self.documents: dict[str, str | None] = {}
        self.shorts: dict[str, tuple[str, str | None]] = {}

    def document(self, iri: str) -> str | None:
        if iri not in self.documents:
            self.documents[iri] = document_name(iri, self.base_uri)
        return self.documents[iri]

    def short(self, iri: str) -> tuple[str, str | None]:
        """(short form, prefix used or None): split at the last `#` or `/`."""
        known = self.shorts.get(iri)
        if known is None:
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            prefix = self.by_namespace.get(iri[:cut]) if 0 < cut < len(iri) else None
            known = self.shorts[iri] = (f"{prefix}:{iri[cut:]}", prefix) if prefix else (iri, None)
        return known

    def prefixes(self, triples: list) -> dict[str, str]:
        """The prefixes the Turtle of `triples` can use (of predicates and IRI objects)."""
        used = {}
        for triple in triples:
            for node in (triple.predicate, triple.object):
                if isinstance(node, pyoxigraph.NamedNode):
                    prefix = self.short(node.value)[1]
                    if prefix is not None:
                        used[prefix] = self.namespaces[prefix]
        return dict(sorted(used.items()))


def _about(suffix: str, triples: list, target: DocumentTarget, credit: str) -> list:
    """What a document says of itself, as it may travel alone: its primary topic (the URI),
    its licence and the attribution it asks for (cc:attributionText), about the document,
    which they cover, not about the resource."""
    topic = triples[0].subject.value.split("#", 1)[0]
    document = pyoxigraph.NamedNode(target.document_url(topic, suffix))
    about = [(PRIMARY_TOPIC, pyoxigraph.NamedNode(topic))]
    if target.license and target.license.get("path"):
        about.append((LICENSE, pyoxigraph.NamedNode(target.license["path"])))
    if credit:
        about.append((ATTRIBUTION_TEXT, pyoxigraph.Literal(credit, language="ja")))
    return [pyoxigraph.Triple(document, pyoxigraph.NamedNode(predicate), value)
            for predicate, value in about]


def _page(name: str, triples: list, target: DocumentTarget, root: str, names: _Names,
          credit: str) -> str:
    rows = []
    for triple in sorted(triples, key=lambda t: (t.predicate.value != RDF_TYPE, t.predicate.value)):
        obj = triple.object
        href = None
        if isinstance(obj, pyoxigraph.NamedNode):
            value = names.short(obj.value)[0]
            other = names.document(obj.value)
            href = f"{root}{target.folder}{other}.html" if other else obj.value
        else:
            value = obj.value
        rows.append((names.short(triple.predicate.value)[0], value, href))
    uri = triples[0].subject.value
    labels = {t.predicate.value: t.object.value for t in triples
              if isinstance(t.object, pyoxigraph.Literal)}
    label = next((labels[p] for p in LABELS if p in labels), uri)
    portal = target.portal(name) if target.portal else None
    return PAGE.render(label=label, uri=uri, name=name.rsplit("/", 1)[-1], root=root, rows=rows,
                       credit=credit, license=target.license,
                       portal=f"{root}{portal}" if portal else None)


def write_manifest(path: Path, entries: list[dict], target: DocumentTarget) -> None:
    """rdf/uri-documents.json: every URI document (path, bytes, SHA-256, media type) by path."""
    head = {"description": "URI ごとの文書（HTML・Turtle・JSON-LD）の一覧。"
                           f"{target.base_uri} 以下のURIは {target.folder} 以下のこれらの文書に解決される。",
            "base_uri": target.base_uri, "folder": target.folder, "license": target.license,
            "attribution": target.credit, "count": len(entries)}
    head = {key: value for key, value in head.items() if value not in (None, "")}
    lines = ",\n".join("    " + json.dumps(e, ensure_ascii=False) for e in
                       sorted(entries, key=lambda e: e["path"]))
    text = json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "files": [\n' + lines + "\n  ]\n}\n"
    path.write_text(text, encoding="utf-8")
