"""Merge the documents of several sources into one publication and check them together."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ExtractionError
from .model import TABLES, Document
from .sources import SourceDocument


@dataclass
class Publication:
    """All records of a publication, table by table, plus the sources they came from."""

    sources: list[SourceDocument]
    tables: dict[str, list] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def assemble(sources: list[SourceDocument], documents: list[Document]) -> Publication:
    """One publication from per-file documents; an initiative id may occur in one file only."""
    owners: dict[str, str] = {}
    paths = {source.name: str(source.path) for source in sources}
    for document in documents:
        for initiative in document.initiatives:
            if initiative.id in owners:
                raise ExtractionError(
                    f"initiative {initiative.id} appears in both {owners[initiative.id]} "
                    f"and {document.source}", paths.get(document.source, document.source))
            owners[initiative.id] = document.source
    publication = Publication(sources)
    for table in TABLES:
        publication.tables[table] = [record for d in documents for record in getattr(d, table)]
    publication.warnings = [w for d in documents for w in d.warnings]
    publication.warnings += _resolve_references(publication.tables["references"], set(owners))
    return publication


def _resolve_references(references: list, known_ids: set[str]) -> list[str]:
    """Link each cited initiative number to an initiative of this publication, if present."""
    warnings = []
    for reference in references:
        if reference.cited_id and reference.cited_id not in known_ids:
            reference.to_id = None
            warnings.append(f"{reference.source}:{reference.source_lines.split('-')[0]}: "
                            f"{reference.from_id} cites {reference.cited_id}, which is not in this "
                            f"publication (kept as cited_id only)")
        else:
            reference.to_id = reference.cited_id
    return warnings
