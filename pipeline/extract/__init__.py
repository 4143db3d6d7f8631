"""Extraction: one source text -> the records of a `Document`.

layout (lines -> rows) -> structure (rows -> blocks) -> readers (blocks -> records).
"""

from __future__ import annotations

import gc
from collections import Counter
from contextlib import contextmanager

from ..errors import ExtractionError
from ..model import Document
from ..sources import SourceDocument
from .initiatives import Incomplete, read_initiative
from .layout import read_rows
from .sections import read_section
from .sites import read_sites, split_media
from .structure import split_blocks


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector. Extracting (or unpickling) documents allocates many
    small objects but makes no reference cycles: the collector would only scan them again and
    again, the more often the more documents are kept. Usable as a decorator."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@collector_paused()
def extract_document(source: SourceDocument) -> Document:
    """All records of one source; incomplete initiatives are left out with a warning."""
    name, path = source.name, str(source.path)
    document = Document(name)
    ordinals: Counter = Counter()
    seen: dict[str, int] = {}
    for block in split_blocks(read_rows(source.text), path):
        if block.kind == "initiative":
            _add_initiative(document, block, name, path, seen)
        elif block.kind == "sites":
            first = sum(1 for s in document.sites if s.field_no == block.context.field_no) + 1
            sites, terms = read_sites(block, first, name)
            document.sites += sites
            document.terms += terms
        else:
            key = (block.context.field_no, block.context.item_no, block.kind)
            ordinals[key] += 1
            result = read_section(block, ordinals[key], name)
            if result:
                document.sections.append(result[0])
                document.terms += result[1]
            else:
                ordinals[key] -= 1
    split_media(document.sites)
    if not document.initiatives:
        raise ExtractionError("no initiatives (取組) found", path)
    return document


def _add_initiative(document: Document, block, name: str, path: str, seen: dict[str, int]) -> None:
    ctx = block.context
    ident = f"{ctx.field_no}-{ctx.item_no}-{block.number}"
    if ident in seen:
        raise ExtractionError(f"initiative {ident} appears twice (also at line {seen[ident]})",
                              path, block.heading.line)
    seen[ident] = block.heading.line
    try:
        records = read_initiative(block, name)
    except Incomplete as missing:
        document.warnings.append(
            f"{path}:{block.heading.line}: initiative {ident} 「{block.title}」 is incomplete "
            f"(no {missing}); left out")
        return
    document.initiatives.append(records.initiative)
    document.indicators += records.indicators
    document.schedules += records.schedules
    document.references += records.references
    document.terms += records.terms
