"""The media types of the files a publication holds, by file extension: one table for
datapackage.json, the catalogue, CKAN, the portal, the URI documents and the server
configurations."""

from __future__ import annotations

# Extension -> (IANA media type, human format).
MEDIA_TYPES = {
    ".csv": ("text/csv", "CSV"),
    ".json": ("application/json", "JSON"),
    ".jsonld": ("application/ld+json", "JSON-LD"),
    ".ttl": ("text/turtle", "Turtle"),
    ".nt": ("application/n-triples", "N-Triples"),
    ".rdf": ("application/rdf+xml", "RDF/XML"),
    ".html": ("text/html", "HTML"),
    ".css": ("text/css", "CSS"),
    ".js": ("text/javascript", "JavaScript"),
    ".md": ("text/markdown", "Markdown"),
    ".txt": ("text/plain", "TXT"),
    ".sqlite": ("application/vnd.sqlite3", "SQLite"),
    ".parquet": ("application/vnd.apache.parquet", "Parquet"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
}
OCTET_STREAM = "application/octet-stream"
URI_DOCUMENT_SUFFIXES = (".html", ".ttl", ".jsonld")    # a URI's documents: `<its path><suffix>`


def media_types(*suffixes: str) -> dict[str, str]:
    """{suffix: IANA media type} of these extensions (with their dot)."""
    return {suffix: MEDIA_TYPES[suffix][0] for suffix in suffixes}
