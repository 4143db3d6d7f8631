"""Structure reader: splits the row stream into blocks (initiatives, narrative/topic sections,
site lists) and tracks the 分野 (field) / 項目 (item) context from page headers and headings.

It recognises only the plan template's own markers, never the content:
- page headers `分野 2 行政の情報化 項目 1 …` (tab, pipe or space separated),
- item headings `1 <title>` followed by a `【…】` part marker (or ending with it),
- initiative headings `12 <title>` (also `12 | <title>`) followed by the 目的・概要 label,
- `【…】` narrative parts with `(1) <heading>` subsections, `トピックス` columns,
- `情報発信サイト等` site lists.
What it cannot place is kept as blocks of their own, which extraction warns of: rows outside
any block (`unplaced`: after a page header, before the next heading), rows that read like a
page header but not as one (`damaged-header`) and a line printed beside most page headers
(`running`: a running header or footer, left out of the records).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ExtractionError
from .furniture import cut_header, page_footer, page_headers, running_lines
from .layout import Row
from .template import (FIELD_NUMBERED, HEADER_LIKE, LABELS, MARKER_INITIALS, MAX_DIGITS, NUMBERED,
                       PAGE_HEADER, PART, PURPOSE_LABEL, RESPONSIBLE_LABEL, SITES_LABEL, SUBSECTION,
                       TITLE_AND_PART, TOPIC_LABEL, flat_text, next_row, next_text,
                       starts_with_label)

# field -> its title and the line it was first printed on
Titles = dict[int, tuple[str, int]]


@dataclass
class Context:
    """Where in the plan a block sits: 分野 (field) and 項目 (item)."""

    field_no: int | None = None
    field_title: str = ""
    item_no: int | None = None
    item_title: str = ""


@dataclass
class Block:
    kind: str                      # initiative | narrative | topic | sites | unplaced |
                                   # damaged-header | running (a running header's lines)
    context: Context
    heading: Row
    number: int | None = None
    title: str = ""
    part: str = ""
    rows: list[Row] = field(default_factory=list)

    @property
    def lines(self) -> list[int]:
        """The lines of its rows (the first of each, and the last of one read from several)."""
        return [self.heading.line, self.heading.last] + [
            line for row in self.rows if not row.blank for line in (row.line, row.last)]


def split_blocks(rows: list[Row], path: str) -> list[Block]:
    """Blocks in document order; raises ExtractionError when no 分野 header is found."""
    context, blocks = Context(), []
    titles: Titles = {}                 # where a field's title was first printed
    headers = page_headers(rows)
    running = running_lines(rows)
    current: Block | None = None
    part = ""
    seen_header = False
    for index, row in enumerate(rows):
        if row.blank:
            if current:
                current.rows.append(row)
            continue
        text = flat_text(row)
        if (text[0].isdecimal() or text[0] in "Pp") and page_footer(rows, index, running):
            continue
        if index in running:
            if running[index]:      # (its first: named once, with every line it is printed on)
                others, breaks = running[index]
                blocks.append(Block("running", context, row, breaks,
                                    rows=[rows[i] for i in others]))
            continue
        if text[0] not in MARKER_INITIALS and not text[0].isdecimal():   # most rows: content
            if current:
                current.rows.append(row)
            else:
                current = _unplaced(blocks, context, row)
            continue
        header = PAGE_HEADER.match(text) if text.startswith("分野") else None
        too_long = header and next((n for n in (header[1], header[3])
                                    if n and len(n) > MAX_DIGITS), None)
        if too_long:
            raise ExtractionError(f"page header numbers a field or item {too_long[:20]}…: "
                                  f"not a number of a plan (at most {MAX_DIGITS} digits)",
                                  path, row.line)
        retitled = header and _retitled(header, titles)
        if header is None and HEADER_LIKE.match(text) or header and (
                retitled or _numbered_zero(header[1], header[3])):
            # warned of, not read: the field and item go on from the header before
            blocks.append(Block("damaged-header", context, row, title=retitled or ""))
            current, part = None, ""
            continue
        if header is None and cut_header(text, headers):
            # warned of and left out; one that names its field ends the record before, as a
            # header does (`分野 2 行政の情報化 項`: its rest on the next line is then named as
            # text outside any record); a bare `分野` does not: inside an initiative it is no
            # page, and where a page begins the next heading begins the next record anyway
            blocks.append(Block("damaged-header", context, row))
            if FIELD_NUMBERED.match(text):
                current, part = None, ""
            continue
        if header:
            previous, context = context, _context_from_header(header, context)
            _note_titles(titles, context, row.line)
            if not seen_header:     # a field may open with its narrative before any header
                _complete_opening(blocks, context)
            seen_header = True
            if not _page_goes_on(current, header, previous, context,
                                 next_row(rows, index, None)):
                current = None
            if current is None or current.kind != "narrative":
                part = ""       # (a narrative's part goes on over the page: its (4), (5) …)
            continue
        numbered = NUMBERED.match(text)
        sub = SUBSECTION.match(text) if part and text.startswith("(") else None
        if numbered and _numbered_zero(numbered[1]):    # plans number from 1: `0 …` is text
            numbered = None
        if sub and _numbered_zero(sub[1]):
            sub = None
        following = next_text(rows, index) if numbered else ""     # only read after a number
        if text == SITES_LABEL:
            current = Block("sites", context, row)
        elif row.values[0] == TOPIC_LABEL:
            current = Block("topic", context, row, title=" ".join(row.values[1:]), part=TOPIC_LABEL)
        elif numbered and PART.match(following):
            context = Context(context.field_no, context.field_title, int(numbered[1]), numbered[2])
            _note_titles(titles, context, row.line)
            current, part = None, ""
            continue
        elif numbered and starts_with_label(following, PURPOSE_LABEL):
            _require_context(context, path, row.line)
            current = Block("initiative", context, row, int(numbered[1]), numbered[2])
            part = ""       # (a narrative's part ends with it: its `(1)` is the initiative's)
        elif numbered and (glued := TITLE_AND_PART.match(numbered[2])):
            context = Context(context.field_no, context.field_title, int(numbered[1]), glued[1])
            part = glued[2]
            current = Block("narrative", context, row, title=part, part=part)
        elif text.startswith("【") and PART.match(text):
            part = PART.match(text)[1]
            current = Block("narrative", context, row, title=part, part=part)
        elif sub:
            current = Block("narrative", context, row, int(sub[1]), sub[2], part=part)
        elif current:
            current.rows.append(row)
            continue
        else:
            current = _unplaced(blocks, context, row)
            continue
        blocks.append(current)
    if not seen_header:
        raise ExtractionError("no 分野 (field) header found: not a plan document in the expected layout", path)
    return blocks


def _numbered_zero(*numbers: str | None) -> bool:
    """A field, item, initiative or section numbered 0 (`0`, `00`): no number of a plan, which
    numbers them from 1 (its heading is read as text; a page header so numbered is damaged)."""
    return any(number is not None and not int(number) for number in numbers)


def _retitled(header: re.Match, titles: Titles) -> str | None:
    """What a header without 項目 retitles, as first printed (`field 2 「行政の情報化」 (line
    3)`), when it gives its field another title than the headings and headers before: never a
    new title, but cells the cleaner glued (`分野2行政の情報化1行政情報…`). An item's title
    printed otherwise by a page header than by its heading is read as before (a header may
    shorten it, and the heading may come after it: which is the item's is not in the text)."""
    known = titles.get(int(header[1]))
    if header[3] is None and known is not None and known[0] != header[2]:
        return f"field {int(header[1])} 「{known[0]}」 (line {known[1]})"
    return None


def _note_titles(titles: Titles, context: Context, line: int) -> None:
    """The field's title of a header or item heading, where first printed."""
    if context.field_no is not None:
        titles.setdefault(context.field_no, (context.field_title, line))


def _unplaced(blocks: list[Block], context: Context, row: Row) -> Block:
    """A run of text rows outside any initiative, section or site list (after a page header,
    before the next heading: a heading lost?), kept as a block of its own to be warned of."""
    block = Block("unplaced", context, row)
    blocks.append(block)
    return block


# The records a page's header printed inside of goes on over the page break: an item's header
# (`分野 2 … 項目 1 …`) those of an item, a field's header (`分野 2 …`) those of a field.
GOES_ON_UNDER = {True: {"initiative", "narrative", "topic", "unplaced"},
                 False: {"sites", "narrative", "unplaced"}}


def _page_goes_on(current: Block | None, header: re.Match, previous: Context, context: Context,
                  following: Row | None) -> bool:
    """Whether the header (the page's table header, 分野 and 項目) is a page break inside the
    current record: it repeats the field and item the record is under (the field, where none
    was printed before: a field opening with its narrative), and an initiative goes on with
    one of its rows, a table's or a label's but 目的・概要 (which begins the next initiative,
    its heading lost), or with a loose line while it has not printed its 担当 (a value on its
    own line, a sentence the page cut); a loose line after its 担当 is no initiative's (named
    as text outside any record)."""
    if current is None or current.kind not in GOES_ON_UNDER[bool(header[3])] or \
            context.item_no != previous.item_no or previous.field_no not in (None, context.field_no):
        return False
    return current.kind != "initiative" or following is not None and \
        not starts_with_label(following.text, PURPOSE_LABEL) and (
            _initiative_row(following) or not _printed_its_responsible(current))


def _printed_its_responsible(initiative: Block) -> bool:
    """Whether an initiative has printed its 担当, the last label the template prints for every
    one (a 参考 may follow it): loose text after a page header then is no more its own."""
    return any(starts_with_label(row.text, RESPONSIBLE_LABEL) for row in initiative.rows
               if not row.blank)


def _initiative_row(row: Row) -> bool:
    """A row only an initiative prints: a table's (cells), or one under its labels but
    目的・概要."""
    return row.kind in ("tab", "table") and not starts_with_label(row.text, PURPOSE_LABEL) or \
        any(starts_with_label(row.text, label) for label in LABELS if label != PURPOSE_LABEL)


def _context_from_header(match: re.Match, previous: Context) -> Context:
    field_no, field_title = int(match[1]), match[2]
    if match[3]:
        return Context(field_no, field_title, int(match[3]), match[4])
    if previous.field_no in (field_no, None):    # same field, or the item heading came first
        return Context(field_no, field_title, previous.item_no, previous.item_title)
    return Context(field_no, field_title)


def _complete_opening(blocks: list[Block], first: Context) -> None:
    """Blocks read before the first 分野 header (an item heading and its 【…】 narrative open
    many fields) take the field from that header, and the item from it where their own
    heading gave none."""
    for block in blocks:
        context = block.context
        if context.field_no is None:
            block.context = Context(first.field_no, first.field_title,
                                    context.item_no if context.item_no is not None else first.item_no,
                                    context.item_title or first.item_title)


def _require_context(context: Context, path: str, line: int) -> None:
    if context.field_no is None or context.item_no is None:
        raise ExtractionError("initiative heading before any 分野/項目 header", path, line)
