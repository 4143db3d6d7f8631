"""Finished pieces of the linked data kept between runs (see partcache.py), so that a
republish after one plan changed rebuilds only what that plan reaches.

Two kinds of entry, each keyed by a digest of exactly what it is made from:
- a plan's N-Triples lines and their (predicate, object shape) pairs: the plan's rows of every
  table and its sources' descriptors (as JSON), the settings the graph reads (base_uri, the
  publication's name, the licence URL), the RDF code and Table Schemas, the library versions;
- a chunk of graph.nt converted to Turtle, RDF/XML and JSON-LD node lines (serialize.py): the
  chunk's bytes, the JSON-LD context, the prefixes, the same code and library versions.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..fingerprint import SCHEMAS, library_versions, tree_digest
from ..partcache import PartCache

RDF_CODE = Path(__file__).resolve().parent
JSON_CODE = RDF_CODE.parent / "jsonfile.py"      # the layout of the JSON-LD nodes a chunk keeps
LIBRARIES = ("pyoxigraph", "rdflib")


@cache
def code_version() -> str:
    """The RDF code, the Table Schemas (their `rdf` mappings) and the libraries' versions."""
    return f"{tree_digest(RDF_CODE, JSON_CODE, SCHEMAS)}:{library_versions(LIBRARIES)}"


def rdf_cache(folder: Path | None) -> PartCache:
    """The linked data's entries in folder (None: no cache)."""
    return PartCache(folder, code_version() if folder is not None else "")


__all__ = ["code_version", "rdf_cache"]
