"""Extraction: one source text -> the records of a `Document`.

layout (lines -> rows) -> structure (rows -> blocks) -> readers (blocks -> records).
"""

from __future__ import annotations

from collections import Counter

from ..errors import ExtractionError, PipelineError, describe
from ..heap import collector_paused
from ..model import Document
from ..sources import SourceDocument
from .initiatives import Incomplete, read_initiative
from .layout import MAX_VALUE_CHARS, read_rows
from .sections import read_section
from .sites import read_sites, split_media
from .structure import NUMBERED, split_blocks


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
    blocks = split_blocks(read_rows(source.text, path), path)
    outline = _Outline()
    item_titles = {(b.context.field_no, b.context.item_no): b.context.item_title
                   for b in blocks if b.context.item_title}
    for block in blocks:
        if block.context.item_no is not None:
            items.setdefault((block.context.field_no, block.context.item_no), block.heading.line)
        if block.kind == "damaged-header":
            document.warnings.append(f"{path}:{block.heading.line}: 「{block.heading.text[:60]}」 "
                                     "reads like a 分野 … 項目 … page header but not as one: left "
                                     "out (the field and item go on from the header before)")
            continue
        if block.kind != "unplaced":
            document.warnings += [f"{path}:{line}: {problem}"
                                  for line, problem in _item_headings_in_text(block, item_titles)]
        if block.kind == "initiative":
            _add_initiative(document, block, name, path, seen, block is blocks[-1])
        elif block.kind == "unplaced":
            document.warnings.append(_unplaced_warning(block, path))
        elif block.kind == "sites":
            first = sum(1 for s in document.sites if s.field_no == block.context.field_no) + 1
            sites, terms, warnings = read_sites(block, first, name)
            document.sites += sites
            document.terms += terms
            document.warnings += [f"{path}:{line}: {warning}" for line, warning in warnings]
        else:
            document.warnings += [f"{path}:{block.heading.line}: {problem}"
                                  for problem in outline.check(block)]
            key = (block.context.field_no, block.context.item_no, block.kind)
            ordinals[key] += 1
            result = read_section(block, ordinals[key], name)
            if result:
                document.sections.append(result[0])
                document.terms += result[1]
            else:
                ordinals[key] -= 1
    split_media(document.sites)
    document.warnings += _sites_named_like_badges(document.sites, path)
    if not document.initiatives:
        raise ExtractionError("no initiatives (取組) found", path)
    document.warnings += _numbering_gaps(seen, items, path)
    document.items = sorted(items)
    document.item_gaps = _item_gaps(items, path)
    if len(source.text) > MAX_VALUE_CHARS:         # else no value can be that long
        _check_value_sizes(document, path)
    return document


def _numbering_gaps(headings: dict[str, int], items: dict[tuple, int], path: str) -> list[str]:
    """Plans number the items of a field and the initiatives of an item 1, 2, 3 …: every number
    missing below the highest one is named, and every item without initiatives (a lost
    heading, a damaged or cut document)."""
    numbers: dict[str, dict[int, int]] = {f"{field}-{item}": {} for field, item in items}
    for ident, line in headings.items():
        item, _, number = ident.rpartition("-")
        numbers.setdefault(item, {})[int(number)] = line
    warnings = []
    for item, found in numbers.items():
        if not found:
            line = items.get(tuple(map(int, item.split("-"))))
            warnings.append(f"{path}:{line}: item {item} has no initiative (a lost heading or a cut "
                            "document?)")
            continue
        for missing in sorted(set(range(1, max(found) + 1)) - set(found)):
            after = min(n for n in found if n > missing)
            warnings.append(f"{path}:{found[after]}: initiative {item}-{missing} is missing: the "
                            f"numbering of item {item} goes on to {item}-{after} (a lost heading?)")
    return warnings


def _item_gaps(items: dict[tuple, int], path: str) -> list[tuple[int, int, str]]:
    """Every item number missing below the highest of its field in this file (a field's items
    may also come in several files of one plan: assemble keeps the gaps none of them fills)."""
    by_field: dict[int, set[int]] = {}
    for field, item in items:
        by_field.setdefault(field, set()).add(item)
    return [(field, missing, f"{path}: item {field}-{missing} is missing: field {field} numbers "
                             f"its items up to {max(numbers)}")
            for field, numbers in by_field.items()
            for missing in sorted(set(range(1, max(numbers) + 1)) - numbers)]


def _check_value_sizes(document: Document, path: str) -> None:
    """A value joined from many lines may exceed the limit that each cell keeps."""
    for records in (document.initiatives, document.indicators, document.schedules,
                    document.references, document.sites, document.sections):
        for record in records:
            for column, value in vars(record).items():
                values = value if isinstance(value, list) else [value]
                longest = max((len(v) for v in values if isinstance(v, str)), default=0)
                if longest > MAX_VALUE_CHARS:
                    line = int(record.source_lines.partition("-")[0] or 0) or None
                    raise ExtractionError(
                        f"{column} of {type(record).__name__.lower()} {_record_name(record)} is "
                        f"{longest:,} characters long: over the limit of {MAX_VALUE_CHARS:,}",
                        path, line)


class _Outline:
    """The narrative's outline as printed: each 【…】 part once per item, its (N) subsections
    numbered from 1 without a gap. A heading lost merges its text into the section before it
    (the reading order says nothing else): that is warned of, never silent."""

    def __init__(self) -> None:
        self.parts: dict[tuple, int] = {}           # (field, item, part) -> line printed
        self.last: dict[tuple, int] = {}            # (field, item, part) -> last (N) read

    def check(self, block) -> list[str]:
        if block.kind != "narrative":
            return []
        ctx = block.context
        key, item = (ctx.field_no, ctx.item_no, block.part), f"{ctx.field_no}-{ctx.item_no}"
        if block.number is None:                    # the part's own heading
            first = self.parts.setdefault(key, block.heading.line)
            self.last.setdefault(key, 0)            # printed again: its numbering goes on
            if first != block.heading.line:
                return [f"【{block.part}】 of item {item} is printed again (first at line {first}): "
                        "the next item's heading lost? Its sections are kept under item " + item]
            return []
        before, self.last[key] = self.last.get(key, 0), block.number
        if block.number in (before + 1, 1):         # the next one, or a numbering begun again
            return []
        missing = f"({before + 1})" if block.number == before + 2 else \
            f"({before + 1})-({block.number - 1})" if block.number > before else ""
        if not missing:
            return [f"({block.number}) 「{block.title}」 of 【{block.part}】 of item {item} follows "
                    f"({before}): numbered out of order"]
        return [f"({block.number}) 「{block.title}」 of 【{block.part}】 of item {item}: {missing} is "
                "missing (its heading lost? its text is kept in the section before)"]


def _item_headings_in_text(block, titles: dict[tuple, str]) -> list[tuple[int, str]]:
    """Rows of an initiative, section or site list that are the next item's heading as its
    page headers title it (`3 市町村行政の情報化` within item 2): a heading whose 【…】 part
    line was lost is not recognised, and what follows it joins the block before."""
    following = (block.context.item_no or 0) + 1
    title = titles.get((block.context.field_no, following), "").replace(" ", "")
    return [(row.line, f"「{row.text[:40]}」 is the heading of item {following} but no 【…】 "
                       "part follows it: read as text of the block before (its part line "
                       "lost?)")
            for row in block.rows if title and not row.blank
            and (numbered := NUMBERED.match(row.text)) and int(numbered[1]) == following
            and numbered[2].replace(" ", "") == title]


def _sites_named_like_badges(sites: list, path: str) -> list[str]:
    """A site entry whose name is one of the media badges printed in the list (ウェブ, ブログ…),
    after an entry whose 担当 is one word (no division): its name line was read as that 担当,
    whose own value line was lost. Named, with what the entry before took."""
    badges = {badge for site in sites for badge in site.media}
    warnings = []
    for before, site in zip([None, *sites], sites):
        # the entry before took a name (one word, no division) as its 担当
        if site.name in badges and before is not None and before.field_no == site.field_no \
                and not before.division:
            warnings.append(f"{path}:{site.source_lines.partition('-')[0]}: site entry "
                            f"「{site.name}」 is named like a media badge of the list: its name "
                            f"line lost? (the entry before took 「{before.department}」 as its 担当)")
    return warnings


def _unplaced_warning(block, path: str) -> str:
    """Text the structure could not place in any record: named, never silently dropped."""
    lines = block.lines
    where = f"lines {lines[0]}-{lines[-1]}" if len(lines) > 1 else f"line {lines[0]}"
    shown = block.heading.text
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    return (f"{path}:{lines[0]}: text outside any initiative, section or site list ({where}, "
            f"「{shown}」): not in the tables (a heading lost, or text the plan's template "
            "does not have)")


def _record_name(record) -> str:
    return getattr(record, "id", None) or getattr(record, "initiative_id", None) \
        or getattr(record, "from_id", "")


def _add_initiative(document: Document, block, name: str, path: str, seen: dict[str, int],
                    last: bool) -> None:
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
            f"(no {missing}); left out" + ("; the document ends inside it (cut?)" if last else ""))
        return
    for gap in records.gaps:
        document.warnings.append(
            f"{path}:{block.heading.line}: initiative {ident} 「{block.title}」: {gap}")
    document.initiatives.append(records.initiative)
    document.indicators += records.indicators
    document.schedules += records.schedules
    document.references += records.references
    document.terms += records.terms
