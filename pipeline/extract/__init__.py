"""Extraction: one source text -> the records of a `Document`.

layout (lines -> rows) -> structure (rows -> blocks) -> readers (blocks -> records), with
losses (blocks -> warnings of text the conversion lost) beside the readers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from itertools import accumulate

from ..errors import ExtractionError, PipelineError, describe
from ..heap import collector_paused
from ..model import EXCEL_CELL_MAX, EXCEL_CUT_MARK, LIST_DELIMITER, TABLES, Document, excel_length
from ..sources import SourceDocument
from ..values import ERA_OFFSETS, DocumentEras, printed_era
from .indicators import value_label
from .initiatives import Incomplete, is_short_label, read_initiative
from .layout import MAX_VALUE_CHARS, read_rows
from .losses import (DOCUMENT_ENDS, Losses, printed_twice, priority_goal_counts_differ,
                     references_wrapped, sites_after_a_one_word_responsible,
                     sites_named_as_the_responsible_before, sites_named_like_a_badge,
                     sites_without_a_badge, stops_mid_sentence)
from .sections import read_section
from .sites import read_sites, split_media
from .structure import split_blocks


@collector_paused()
def extract_document(source: SourceDocument) -> Document:
    """All records of one source; incomplete initiatives are left out with a warning. Any
    failure is an ExtractionError naming the source."""
    try:
        return _extract(source)
    except PipelineError:
        raise
    except Exception as error:      # a bug: still one line naming the file, never a traceback
        raise ExtractionError(f"extraction failed: {describe(error)}", str(source.path)) from error


def _extract(source: SourceDocument) -> Document:
    name, path = source.name, str(source.path)
    document = Document(name)
    ordinals: Counter = Counter()
    seen: dict[str, int] = {}
    items: dict[tuple, int] = {}            # (field, item) -> first line of any block in it
    site_items: dict[str, int | None] = {}  # site id -> the item whose list prints it
    rows = read_rows(source.text, path)
    blocks = split_blocks(rows, path)
    eras = printed_eras(blocks)
    losses = Losses(blocks)
    for block in blocks:
        last = block is blocks[-1]              # where a document cut short ends
        if block.context.item_no is not None:
            items.setdefault((block.context.field_no, block.context.item_no), block.heading.line)
        document.warnings += [f"{path}:{line}: {problem}" for line, problem in losses.of(block, last)]
        if block.kind == "initiative":
            _add_initiative(document, block, name, path, seen, last, eras)
        elif block.kind in ("unplaced", "damaged-header", "running"):
            continue                            # (warned of by losses.of)
        elif block.kind == "sites":
            first = sum(1 for s in document.sites if s.field_no == block.context.field_no) + 1
            sites, terms, warnings = read_sites(block, first, name)
            document.sites += sites
            site_items.update((site.id, block.context.item_no) for site in sites)
            document.terms += terms
            document.warnings += [f"{path}:{line}: {warning}" for line, warning in warnings]
        else:
            key = (block.context.field_no, block.context.item_no, block.kind)
            ordinals[key] += 1
            result = read_section(block, ordinals[key], name)
            if result:
                document.sections.append(result[0])
                document.terms += result[1]
                document.warnings += [f"{path}:{block.heading.line}: {problem}"
                                      for problem in _section_problems(result[0], block, last)]
            else:
                ordinals[key] -= 1
    split_media(document.sites)
    topics = [section for section in document.sections if section.kind == "topic"]
    document.warnings += [f"{path}:{line}: {problem}" for line, problem in (
        *sites_after_a_one_word_responsible(document.sites),
        *sites_named_as_the_responsible_before(document.sites),
        *sites_named_like_a_badge(document.sites),
        *sites_without_a_badge(document.sites),
        *references_wrapped(document.references, {i.id: i.title for i in document.initiatives}),
        *printed_twice(document.sites, lambda site: (site_items[site.id], *_site_text(site))),
        *printed_twice(topics, _topic_text),
        *priority_goal_counts_differ(document.initiatives))]
    if not document.initiatives:
        raise ExtractionError("no initiatives (取組) found", path)
    document.numbering_gaps = _numbering_gaps(seen, items, path)
    document.warnings += [warning for _, warning in document.numbering_gaps]
    listed = {row.line for block in blocks if block.kind == "sites" for row in block.rows
              if is_short_label(row.text)}
    document.warnings += _lines_printed_twice(rows, document.warnings, listed, path)
    if LIST_DELIMITER in source.text or "；" in source.text:     # else no item can hold it
        document.warnings += _list_items_holding_the_delimiter(document, path)
    document.items = sorted(items)
    if len(source.text) > MAX_VALUE_CHARS:         # else no value can be that long
        _check_value_sizes(document, path)
    if len(source.text) * 2 > EXCEL_CELL_MAX:      # (UTF-16: 2 units a character at most)
        document.warnings += _values_excel_cuts(document, path)
    return document


def printed_eras(blocks) -> DocumentEras:
    """The eras of the dates and fiscal years the initiatives print with theirs (an indicator's
    `現状値(H26年3月末)`, a schedule's `H26`): a year printed without its era (`28年度末`) is read
    in the one era they print, and in none when they print none or several."""
    eras = {era for block in blocks if block.kind == "initiative" for row in block.rows
            for cell in row.cells if (era := printed_era(_printed_date(cell)))}
    return DocumentEras(tuple(sorted(eras, key=list(ERA_OFFSETS).index)))


def _printed_date(cell: str) -> str:
    """The date a 現状値/目標値 label prints, or the cell itself (a schedule's `H26`)."""
    label = value_label(cell)
    return label[1] if label else cell


def _section_problems(section, block, last: bool) -> list[str]:
    """What a section lacks that its text does not give: a トピックス's title (the section headed
    by its part instead, as printed), the end of its text in a document cut short (`last`: the
    document's last block)."""
    problems = []
    if block.kind == "topic" and not block.title:
        problems.append(f"section {section.id}: its heading 「{block.part}」 prints no title (its "
                        "title's cell lost, or printed as the first line of its text?): kept, "
                        f"headed 「{section.heading}」 as printed")
    if last and (end := stops_mid_sentence(block)):
        problems.append(f"section {section.id} 「{section.heading}」 is incomplete (its text stops "
                        f"mid-sentence at line {end.last}: 「…{end.text[-20:]}」); kept as printed; "
                        f"{DOCUMENT_ENDS}")
    return problems


def _site_text(site) -> tuple:
    """What a site entry prints (an item's list printing it twice is named)."""
    return (site.field_no, site.name, tuple(site.media), site.summary, site.url,
            site.department, site.division)


def _topic_text(section) -> tuple:
    """What a トピックス column prints, with its item."""
    return (section.field_no, section.item_no, section.heading, section.body)


def _numbering_gaps(headings: dict[str, int], items: dict[tuple, int], path: str) -> list[
        tuple[str, str]]:
    """Plans number the items of a field and the initiatives of an item 1, 2, 3 …: every number
    missing below the highest one is named, and every item without initiatives (a lost
    heading, a damaged or cut document); each with what fills it (the initiative's id, the
    item's key), which another file of the plan may print."""
    numbers: dict[str, dict[int, int]] = {f"{field}-{item}": {} for field, item in items}
    for ident, line in headings.items():
        item, _, number = ident.rpartition("-")
        numbers.setdefault(item, {})[int(number)] = line
    warnings = []
    for item, found in numbers.items():
        if not found:
            line = items.get(tuple(map(int, item.split("-"))))
            warnings.append((item, f"{path}:{line}: item {item} has no initiative (a lost heading "
                                   "or a cut document?)"))
            continue
        for missing in sorted(set(range(1, max(found) + 1)) - set(found)):
            after = min(n for n in found if n > missing)
            warnings.append((f"{item}-{missing}", f"{path}:{found[after]}: initiative {item}-{missing} "
                             f"is missing: the numbering of item {item} goes on to {item}-{after} "
                             "(a lost heading?)"))
    return warnings


# The lines a warning names after its `file:N:`: `line N`, `lines N-M`, `lines N, M, …`
# (outside the text it quotes in 「…」, which is the source's).
NAMED_LINES = re.compile(r"\blines? ([0-9]{1,9}(?:(?:-|, )[0-9]{1,9})*)\b")
QUOTED = re.compile(r"「[^「」]*」")


def _named_spans(warning: str, path: str) -> list[tuple[int, int]]:
    """The (first, last) lines a warning names: `file:N:` (the file's path as given, which may
    hold a colon), `line N`, `lines 15, 31, 47`, `lines 885-902`; text quoted in it that reads
    otherwise (`line 022-211-2111`) names none."""
    spans = []
    head = warning[len(path) + 1:].partition(":")[0] if warning.startswith(f"{path}:") else ""
    if head.isascii() and head.isdigit() and len(head) <= 9:
        spans.append((int(head), int(head)))
    for found in NAMED_LINES.finditer(QUOTED.sub("", warning)):
        for part in found[1].split(", "):
            ends = part.split("-")
            if len(ends) <= 2 and int(ends[0]) <= int(ends[-1]):
                spans.append((int(ends[0]), int(ends[-1])))
    return spans


class _Named:
    """The lines some warnings name, as spans (a warning may name thousands of lines at once):
    `in` looks a line up among them."""

    def __init__(self, spans):
        self.spans = sorted(spans)
        self.reach = list(accumulate((last for _, last in self.spans), max))   # furthest end so far
        self.starts = [first for first, _ in self.spans]

    def __contains__(self, line: int) -> bool:
        at = bisect_right(self.starts, line)
        return at > 0 and self.reach[at - 1] >= line


def _lines_printed_twice(rows, warnings: list[str], listed: set[int], path: str) -> list[str]:
    """A line printed again right after itself (blank lines between aside), as a converter
    repeats a line at a page break, where no other warning names either: read as printed (a
    value, an actor, a URL, a sentence twice), so named. A page header repeated is none (read
    as one), nor a site list's short line (`listed`: a site may be named as its badge,
    電子申請システム / 電子申請システム)."""
    named = _Named(span for warning in warnings for span in _named_spans(warning, path))
    printed: list[tuple[int, list]] = []        # (line, the rows read from it), in order
    for row in rows:
        if row.blank:
            continue
        if printed and printed[-1][0] == row.line:
            printed[-1][1].append((row.kind, row.raw))
        else:
            printed.append((row.line, [(row.kind, row.raw)]))
    return [f"{path}:{line}: line {line} repeats line {before} word for word (a line printed "
            "twice?): read as printed"
            for (before, first), (line, again) in zip(printed, printed[1:])
            if again == first and before not in named and line not in named and line not in listed
            and not "".join(again[0][1]).lstrip().startswith("分野")]


def _record_values(document: Document):
    """(record, column, value) of every value of the document's records."""
    for records in (document.initiatives, document.indicators, document.schedules,
                    document.references, document.sites, document.sections):
        for record in records:
            for column, value in vars(record).items():
                yield record, column, value


def _check_value_sizes(document: Document, path: str) -> None:
    """A value joined from many lines may exceed the limit that each cell keeps."""
    for record, column, value in _record_values(document):
        values = value if isinstance(value, list) else [value]
        longest = max((len(v) for v in values if isinstance(v, str)), default=0)
        if longest > MAX_VALUE_CHARS:
            line = int(record.source_lines.partition("-")[0] or 0) or None
            raise ExtractionError(
                f"{column} of {type(record).__name__.lower()} {_record_name(record)} is "
                f"{longest:,} characters long: over the limit of {MAX_VALUE_CHARS:,}", path, line)


def _values_excel_cuts(document: Document, path: str) -> list[str]:
    """A value longer than an Excel cell holds is published whole, but the workbooks show its
    beginning and EXCEL_CUT_MARK (export/xlsx.py): named, with its record."""
    warnings = []
    for record, column, value in _record_values(document):
        text = LIST_DELIMITER.join(value) if isinstance(value, list) else value
        # (UTF-16 units counted only where there can be too many: 2 a character at most)
        if not (isinstance(text, str) and len(text) * 2 > EXCEL_CELL_MAX):
            continue
        units = excel_length(text)
        if units > EXCEL_CELL_MAX:
            line = record.source_lines.partition("-")[0]
            counted = "" if units == len(text) else f" ({units:,} as Excel counts: UTF-16 units)"
            warnings.append(
                f"{path}:{line + ':' if line else ''} {column} of {type(record).__name__.lower()} "
                f"{_record_name(record)} is {len(text):,} characters long{counted}: the Excel "
                f"workbooks show its first part, cut at Excel's {EXCEL_CELL_MAX:,} with "
                f"「{EXCEL_CUT_MARK}」; the other formats hold it whole")
    return warnings


def _list_items_holding_the_delimiter(document: Document, path: str) -> list[str]:
    """An item of a list that holds `;` (a URL's `;jsessionid=`, `(A;B)` inside one 主体) is
    kept whole; in a CSV cell, whose items `;` joins, it reads back as two: named."""
    return [f"{path}:{record.source_lines.partition('-')[0]}: {type(record).__name__.lower()} "
            f"{_record_name(record)}: {column} 「{item}」 holds 「{LIST_DELIMITER}」, the delimiter "
            "of a list in the CSV: read back from the CSV it is two values (JSON and RDF keep it "
            "whole)"
            for table in TABLES for record in getattr(document, table)
            for column, value in vars(record).items() if value.__class__ is list
            for item in value if isinstance(item, str) and LIST_DELIMITER in item]


def _record_name(record) -> str:
    return getattr(record, "id", None) or getattr(record, "initiative_id", None) \
        or getattr(record, "from_id", "")


def _add_initiative(document: Document, block, name: str, path: str, seen: dict[str, int],
                    last: bool, eras: DocumentEras) -> None:
    ctx = block.context
    ident = f"{ctx.field_no}-{ctx.item_no}-{block.number}"
    if ident in seen:
        raise ExtractionError(f"initiative {ident} appears twice (also at line {seen[ident]})",
                              path, block.heading.line)
    seen[ident] = block.heading.line
    try:
        records = read_initiative(block, name, eras)
    except Incomplete as missing:
        document.warnings.append(
            f"{path}:{block.heading.line}: initiative {ident} 「{block.title}」 is incomplete "
            f"(no {missing}); left out" + (f"; {DOCUMENT_ENDS}" if last else ""))
        return
    for gap in records.gaps:
        document.warnings.append(
            f"{path}:{block.heading.line}: initiative {ident} 「{block.title}」: {gap}")
    document.initiatives.append(records.initiative)
    document.indicators += records.indicators
    document.schedules += records.schedules
    document.references += records.references
    document.terms += records.terms
