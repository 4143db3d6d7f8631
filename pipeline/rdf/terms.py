"""The terms of the graph as N-Triples text, made without a graph to hold them.

IRIs are plain strings (`URIRef`), written as <…> by GraphBuilder.add; a literal is its
N-Triples text (`Literal`: it starts with `"`, which no IRI does); a URL printed in the source
is a resource only if it is a valid IRI (`link`). The URI paths below base_uri are minted here
from identifiers and labels alone (`slug`, `plan_path`, `initiative_path`, `publisher_path`),
so the same input gives the same URIs whatever the row order, and the portal and the catalogue
link to the very URIs the graph describes.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from string import Formatter
from decimal import Decimal
from urllib.parse import quote

from rdflib import namespace as rdflib_namespaces

from ..config import is_iri
from ..mediatypes import URI_DOCUMENT_SUFFIXES
from ..names import publisher_name
from . import vocabulary


class Names:
    """A namespace whose terms are plain strings, computed once (rdflib's Namespace builds and
    validates a URIRef on every attribute access, which dominates at millions of triples)."""

    def __init__(self, base):
        self._base = str(base)

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self.__dict__[name] = self._base + name
        return value

    def __getitem__(self, name: str) -> str:
        return self._base + name

    def __str__(self) -> str:
        return self._base


DCTERMS, FOAF, PROV, RDF, SKOS, XSD = (Names(getattr(rdflib_namespaces, name)) for name in
                                       ("DCTERMS", "FOAF", "PROV", "RDF", "SKOS", "XSD"))
ORG, QB, SPDX = Names(vocabulary.ORG), Names(vocabulary.QB), Names(vocabulary.SPDX)
DCAT = Names(vocabulary.DCAT)
SDMX_DIMENSION, SDMX_MEASURE = Names(vocabulary.SDMX_DIMENSION), Names(vocabulary.SDMX_MEASURE)
URIRef = str                # IRIs are plain strings here; `add` writes them as <…>


def nt_escape(value: str) -> str:
    """Text as an N-Triples string body (backslash, quote and line breaks escaped)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value or "\r" in value or "\t" in value:
        value = value.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return value


def Literal(value, lang: str | None = None, datatype=None) -> str:  # noqa: N802 (rdflib's name)
    """A literal as N-Triples text (it starts with `"`, which no IRI does); types as rdflib
    would infer them for bool, int and date."""
    if datatype is None and lang is None and value.__class__ is not str:
        if isinstance(value, bool):
            value, datatype = "true" if value else "false", XSD.boolean
        elif isinstance(value, int):
            datatype = XSD.integer
        elif isinstance(value, date):
            value, datatype = value.isoformat(), XSD.date
    text = nt_escape(value if value.__class__ is str else str(value))
    if lang:
        return f'"{text}"@{lang}'
    return f'"{text}"^^<{datatype}>' if datatype else f'"{text}"'


def decimal_literal(value) -> str:
    """xsd:decimal in canonical form (`43.0`, `38.25`), as every serialiser writes it back."""
    text = format(Decimal(str(value)), "f")
    return Literal(text if "." in text else f"{text}.0", datatype=XSD.decimal)


def is_literal(node: str) -> bool:
    return node[0] == '"'


def link(url: str):
    """A URL printed in the source as a resource; a URL that is no valid absolute IRI as
    pyoxigraph reads IRIs (no scheme such as `http:`, as in `www.…` or `-`; a space, a quote, a
    bad percent escape, a second `#`) stays a literal of type xsd:anyURI rather than being
    "fixed" (every serialisation must hold the same triples, and a reader drops such an IRI)."""
    return URIRef(url) if is_iri(url) else Literal(url, datatype=XSD.anyURI)


# ---- URI paths below base_uri ---------------------------------------------------

@lru_cache(maxsize=None)
def template_fields(template: str) -> tuple[str, ...]:
    """The column names a URI template uses: `initiative/{id}` -> ("id",)."""
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


SEGMENT_BYTES = 200     # a URI's segment names a file (`<segment>.jsonld`: 255 bytes at most)
DIGEST_CHARS = 12
NOT_IN_FILE_NAMES = "/?\\"   # (a folder's separator; refused by documents._safe)


@lru_cache(maxsize=1 << 16)
def slug(value) -> str:
    """A path segment for a URI: identifiers stay readable, Japanese is percent-encoded. A
    value that cannot name a file as it is (longer than SEGMENT_BYTES of UTF-8, a document's
    name of some 70 characters; holding a character no file's name may hold, `/` `?` `\\`;
    `.` or `..`; ending as a document's file does, `概要.html`) is its first characters with
    those replaced by `-`, then `-` and DIGEST_CHARS hex digits of the SHA-256 of the whole
    value, so that its URI's documents can be written as files and still name it alone
    (`総務部/広報課` and the division 広報課 of 総務部 would otherwise share one document)."""
    text = str(value)
    if len(text.encode("utf-8")) > SEGMENT_BYTES or text in (".", "..") or \
            text.endswith(URI_DOCUMENT_SUFFIXES) or any(c in text for c in NOT_IN_FILE_NAMES):
        keep = SEGMENT_BYTES - DIGEST_CHARS - 1
        head = text.encode("utf-8")[:keep].decode("utf-8", errors="ignore")
        head = head.translate({ord(c): "-" for c in NOT_IN_FILE_NAMES})
        text = f"{head}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:DIGEST_CHARS]}"
    return quote(text, safe="-_.~")


def publisher_path(source: dict) -> str | None:
    """`organization/lg-040002`: a publisher (発行者) by its 全国地方公共団体コード, or where the
    manifest gives no code by the digest of its name (names.publisher_name)."""
    if not source.get("publisher"):
        return None
    name = publisher_name(source['publisher'], source.get('publisher_code') or '')
    return f"{ORGANIZATION_SEGMENT}/{name}"


ORGANIZATION_SEGMENT = "organization"   # the first segment of every publisher's path


def organization_scope(plan_id: str, publisher: str, publisher_code: str) -> str:
    """The path a plan's organisations (its 担当 departments and divisions, its actors) are
    minted under: its publisher's (`organization/lg-040002`), where the manifest names none
    the plan's own (`plan/<plan_id>/organization`)."""
    owner = {"publisher": publisher, "publisher_code": publisher_code}
    return publisher_path(owner) or f"{plan_path(plan_id)}/{ORGANIZATION_SEGMENT}"


def department_path(scope: str, department: str) -> str:
    """A 担当 department's (部局) path under its plan's organisation_scope."""
    return f"{scope}/{slug(department)}"


PLAN_SEGMENT = "plan"       # the first segment of every plan's path


def source_path(file: str) -> str:
    """`source/miyagi-ict-plan-2014-2016-field2.txt`: a raw text file (its lines below it)."""
    return f"source/{slug(file.rsplit('/', 1)[-1])}"


def plan_path(plan_id: str) -> str:
    """`plan/miyagi-ict-plan-2014-2016`: every plan's records are minted under its path,
    since every plan numbers its fields, items and initiatives from 1."""
    return f"{PLAN_SEGMENT}/{slug(plan_id)}"


def initiative_path(plan_id: str, initiative_id: str) -> str:
    """`plan/<plan_id>/initiative/2-1-12`: an initiative's URI below base_uri."""
    return f"{plan_path(plan_id)}/initiative/{slug(initiative_id)}"
