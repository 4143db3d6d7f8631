"""Narrative sections (【現状、課題と取組の方向性】 with (1), (2) … subsections) and
トピックス (topic columns): headings with paragraphs of prose."""

from __future__ import annotations

from ..model import Section, Term, collect_terms, line_range
from ..paragraphs import Numbered, join_paragraphs
from .structure import Block


def read_section(block: Block, ordinal: int, source: str) -> tuple[Section, list[Term]] | None:
    """The section of a narrative or topic block; None for an empty lead-in block. A section
    without a title of its own (a part without (N) subsections, a トピックス printed without its
    title) is headed by its part, as printed."""
    paragraphs = _paragraphs(block)
    if not paragraphs:
        return None
    ctx = block.context
    item = ctx.item_no if ctx.item_no is not None else 0
    ident = f"{ctx.field_no}-{item}-{block.kind}-{ordinal}"
    section = Section(
        id=ident, kind=block.kind, field_no=ctx.field_no, item_no=ctx.item_no, part=block.part,
        number=block.number, heading=block.title or block.part, body="\n".join(paragraphs),
        source=source, source_lines=line_range(block.lines))
    return section, _terms(ident, block, source)


def _paragraphs(block: Block) -> list[str]:
    """Lines between blank lines form a paragraph; a paragraph that stops mid-sentence
    (cut by a page break) is joined to the next one."""
    groups: list[list[Numbered]] = [[]]
    for row in block.rows:
        if row.blank:
            groups.append([])
        else:
            groups[-1].append((row.line, row.last, row.text))
    return join_paragraphs(groups)


def _terms(ident: str, block: Block, source: str) -> list[Term]:
    occurrences = [(term, "heading", line) for line, term in block.heading.located_terms()]
    occurrences += [(term, "body", line) for row in block.rows
                    for line, term in row.located_terms()]
    return collect_terms(occurrences, "section", ident, source)
