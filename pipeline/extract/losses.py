"""Signs that the text lost something in conversion, read from the structure alone: each is a
(line, problem) pair that extraction turns into a warning naming the file, so that text the
readers cannot place is never dropped, nor given to a record, in silence.

- `unplaced` blocks: rows outside any initiative, section or site list (after a page header,
  before the next heading);
- `damaged-header` blocks: a row that reads like a 分野 … 項目 … page header but not as one;
- the narrative's outline: each 【…】 part once per item, its (N) subsections numbered from
  1 without a gap (a lost heading merges its text into the section before it), and from (1)
  again only under their part printed again (else a page printed twice);
- the next item's heading read as text (its 【…】 part line lost), recognised by the title its
  page headers give it;
- a site entry after an entry whose 担当 has no division: named like one of the list's media
  badges (its name line read as that 担当, whose own value line was lost), or with no badge
  (that 担当 wrapped, its division read as this entry's name);
- a site entry or a トピックス column printed again word for word in its item (a page the
  converter printed twice): both are published, the second named;
- a page number alone on a line of a section's text (`12`, `P.12`): kept, named;
- the document's last block, a section whose text stops mid-sentence (its last sentence shows
  it goes on: a clause, a bracket left open) or has none: a document cut short (as an
  initiative left incomplete by it is);
- a section's heading holding a sentence (its text's first line joined to it), and the next
  (N) heading ending a line of its text (joined to the text before it), or alone on a line of
  it as the next item's or initiative's heading may be (its 【…】 part or 目的・概要 not after
  it: read as text);
- an initiative's labelled row in a section's text (printed after the next page's header), a
  numbered subsection or a トピックス column with no text;
- a site entry named like a media badge another entry prints (name and badge swapped), or
  with no badge where most entries print one (its badge line joined to another);
- a 参考 entry wrapped over two lines (its second line completes the cited initiative's title);
- an initiative whose 重点目標 prints more or fewer options than most of its document's (the
  options are the plan's list, printed in every initiative: a line lost, or read under the
  next label).
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import lines_named
from ..paragraphs import is_paragraph_end, sentence_goes_on, stands_alone
from .initiatives import SENTENCE_END
from .layout import LONE_PAGE_NUMBER, Row
from .schedule import is_schedule_mark
from .structure import Block
from .template import LABELS, NUMBERED, SUBSECTION, starts_with_label

Problem = tuple[int, str]       # (line, what was lost there)
# Said of the document's last block when it lacks what a whole one prints (a cut document)
DOCUMENT_ENDS = "the document ends inside it (cut?)"
# A sentence's end, then a (N) heading with its title ending the line (`…いきます。(5) 情報…`)
SUBSECTION_AFTER_SENTENCE = re.compile(
    rf"{SENTENCE_END}\s*\((\d{{1,3}})\)\s*[^{SENTENCE_END}\s][^{SENTENCE_END}]*$")


class Losses:
    """The signs of loss in a document's blocks, block by block, in document order."""

    def __init__(self, blocks: list[Block]):
        self.titles = {(b.context.field_no, b.context.item_no): b.context.item_title
                       for b in blocks if b.context.item_title}     # from the page headers
        self.parts: dict[tuple, int] = {}           # (field, item, part) -> line printed
        self.last: dict[tuple, int] = {}            # (field, item, part) -> last (N) read
        self.reprinted: set[tuple] = set()          # parts printed again since their last (N)
        self.initiatives: dict[tuple, int] = {}     # (field, item) -> highest initiative read

    def of(self, block: Block, last: bool = False) -> list[Problem]:
        """The problems of a block; `last`: the document's last block (where a cut one ends)."""
        if block.kind == "unplaced":
            return [unplaced(block)]
        if block.kind == "running":
            lines = [block.heading.line, *(row.line for row in block.rows)]
            shown = ", ".join(map(str, lines[:5])) + (", …" if len(lines) > 5 else "")
            return [(block.heading.line, f"「{block.heading.text[:60]}」 is printed beside {len(lines)} "
                                         f"of the {block.number} page headers (lines {shown}): a "
                                         "running header or footer, left out of the records")]
        if block.kind == "damaged-header":
            retitles = f", retitling {block.title}" if block.title else ""
            return [(block.heading.line, f"「{block.heading.text[:60]}」 reads like a 分野 … 項目 … "
                                         f"page header but not as one{retitles}: left out (the "
                                         "field and item go on from the header before)")]
        if block.kind == "initiative":
            key = (block.context.field_no, block.context.item_no)
            self.initiatives[key] = max(self.initiatives.get(key, 0), block.number or 0)
        problems = self.item_headings_in_text(block)
        if block.kind == "narrative":
            problems += [(block.heading.line, problem) for problem in self.outline(block)]
        if block.kind in ("narrative", "topic"):
            problems += page_numbers_in_prose(block)
            problems += sentence_in_heading(block)
            problems += next_subsection_in_text(block)
            problems += labelled_rows_in_prose(block)
            problems += self.next_headings_in_text(block, {line for line, _ in problems})
            if (block.number is not None or block.kind == "topic") and all(
                    row.blank for row in block.rows):
                problems.append((block.heading.line, f"{shown_heading(block)} has no text (its "
                                 "lines printed elsewhere, or lost?): not in the tables"
                                 + (f"; {DOCUMENT_ENDS}" if last else "")))
        return problems

    def outline(self, block: Block) -> list[str]:
        ctx = block.context
        key, item = (ctx.field_no, ctx.item_no, block.part), f"{ctx.field_no}-{ctx.item_no}"
        if block.number is None:                    # the part's own heading
            first = self.parts.setdefault(key, block.heading.line)
            self.last.setdefault(key, 0)            # printed again: its numbering goes on
            if first != block.heading.line:
                self.reprinted.add(key)             # … or begins again at (1)
                return [f"【{block.part}】 of item {item} is printed again (first at line {first}): "
                        "the next item's heading lost? Its sections are kept under item " + item]
            return []
        before, self.last[key] = self.last.get(key, 0), block.number
        reprinted = key in self.reprinted
        self.reprinted.discard(key)
        if block.number == before + 1 or block.number == 1 and reprinted:
            return []                               # the next one, or begun again under its part
        if block.number == 1:
            return [f"(1) 「{block.title}」 of 【{block.part}】 of item {item} follows ({before}) with "
                    "no 【…】 part printed again: numbered again from (1) (a page printed twice?)"]
        missing = f"({before + 1})" if block.number == before + 2 else \
            f"({before + 1})-({block.number - 1})" if block.number > before else ""
        if not missing:
            return [f"({block.number}) 「{block.title}」 of 【{block.part}】 of item {item} follows "
                    f"({before}): numbered out of order"]
        return [f"({block.number}) 「{block.title}」 of 【{block.part}】 of item {item}: {missing} is "
                "missing (its heading lost? its text is kept in the section before)"]

    def item_headings_in_text(self, block: Block) -> list[Problem]:
        """Rows of an initiative, section or site list that are the next item's heading as
        its page headers title it (`3 市町村行政の情報化` within item 2): a heading whose 【…】
        part line was lost is not recognised, and what follows it joins the block before."""
        following = (block.context.item_no or 0) + 1
        title = self.titles.get((block.context.field_no, following), "").replace(" ", "")
        return [(row.line, f"「{row.text[:40]}」 is the heading of item {following} but no 【…】 "
                           "part follows it: read as text of the block before (its part line "
                           "lost?)")
                for row in block.rows if title and not row.blank
                and (numbered := NUMBERED.match(row.text)) and int(numbered[1]) == following
                and numbered[2].replace(" ", "") == title]


    def next_headings_in_text(self, block: Block, named: set[int]) -> list[Problem]:
        """Lines of a section's text that stand alone after a sentence's end, hold no sentence
        and are numbered as the plan's next heading: the next item's, the next initiative of
        the item, the next (N) subsection of its part (as next_subsection_in_text reads one
        joined to a line). Not read as one (no 【…】 part or 目的・概要 after it, or a (N) after a
        トピックス, outside its part), its text joined the section's: named, kept in the text.
        Lines named already (`named`: the next item's heading as its page headers title it)
        are not named again."""
        ctx = block.context
        item = f"{ctx.field_no}-{ctx.item_no}"
        initiative = self.initiatives.get((ctx.field_no, ctx.item_no), 0) + 1
        problems, text_before = [], None        # the last line of text before the row
        for before, row, after in zip([None, *block.rows], block.rows, [*block.rows[1:], None]):
            if row.blank:
                continue
            previous, text_before = text_before, row
            if row.line in named or not (before is None or before.blank) \
                    or not (after is None or after.blank) or SENTENCE_END in row.text \
                    or row.text.endswith("、") or not (previous and is_paragraph_end(previous.text)):
                continue
            headings = []
            if sub := SUBSECTION.match(row.text):
                if int(sub[1]) in self.next_subsections(ctx):
                    headings.append(f"subsection ({sub[1]}) of item {item} (outside its 【…】 part)")
            elif numbered := NUMBERED.match(row.text):
                number = int(numbered[1])
                if ctx.item_no is not None and number == ctx.item_no + 1:
                    headings.append(f"item {ctx.field_no}-{number} (no 【…】 part after it)")
                # (not 1: a numbered list of the item's narrative, before its initiatives)
                if ctx.item_no is not None and number == initiative > 1:
                    headings.append(f"initiative {item}-{number} (no 目的・概要 after it)")
            if headings:
                problems.append((row.line, f"「{row.text[:40]}」 alone after a sentence in the text "
                                           f"of {shown_heading(block, 40)} is numbered as the next "
                                           f"heading, of {' or '.join(headings)}: its lines lost, "
                                           "or printed out of their place? Kept in the text"))
        return problems


    def next_subsections(self, ctx) -> set[int]:
        """The numbers the next (N) of an item's parts would have ((1) before any part)."""
        return {n + 1 for (field, item, _), n in self.last.items()
                if (field, item) == (ctx.field_no, ctx.item_no)} or {1}


def unplaced(block: Block) -> Problem:
    """Text the structure could not place in any record: named, never silently dropped."""
    shown = block.heading.text
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    return (block.heading.line, f"text outside any initiative, section or site list "
                                f"({lines_named(block.lines)}, 「{shown}」): not in the tables "
                                "(a heading lost, or text the plan's template does not have)")


def page_numbers_in_prose(block: Block) -> list[Problem]:
    """Lines of a section's text that hold a page number alone (`12`, `P.12`): a page break the
    converter kept, joined to the text; named, kept (a bare number is never dropped)."""
    return [(row.line, f"「{row.text}」 alone on its line in the text under "
                       f"「{block.heading.text[:40]}」: a page number the converter kept? Kept in "
                       "the text")
            for row in block.rows if row.kind == "text" and LONE_PAGE_NUMBER.match(row.text)]


def stops_mid_sentence(block: Block) -> Row | None:
    """The last line of a section's text when its last sentence stops mid-way (sentence_goes_on,
    a table's row opening an item as a list's does): in the document's last block, the end of
    a document cut short. Not ending as a paragraph does (is_paragraph_end) is not enough: a
    whole section may end with a URL, a list item, a date or an amount. A page number after it
    is passed over."""
    text = [row for row in block.rows if not row.blank
            and not (row.kind == "text" and LONE_PAGE_NUMBER.match(row.text))]
    if not sentence_goes_on([(row.line, row.last, row.text) for row in text],
                            [opens_an_item(row) for row in text]):
        return None
    return text[-1]


def opens_an_item(row: Row) -> bool:
    """A list's item (its mark first) or a table's row (cells): whole as printed, its 、
    separating entries rather than clauses."""
    return row.kind == "table" or len(row.values) > 1 or stands_alone(row.text)


def sentence_in_heading(block: Block) -> list[Problem]:
    """A section's heading (`(N)` subsection, トピックス title) that holds a sentence (。): the
    first line of its text joined to it (a line break lost), read as the heading. Named; kept
    as printed (where the heading ends, the text does not say)."""
    if SENTENCE_END not in block.title:
        return []
    return [(block.heading.line, f"{shown_heading(block, 40)} is a heading that holds a "
                                 "sentence: the first line of its text joined to it (a line "
                                 "break lost)? Kept as the heading, as printed")]


def shown_heading(block: Block, width: int | None = None) -> str:
    """A section's heading as warnings name it: `(N) 「title」`, `トピックス 「title」`."""
    shown = f"({block.number})" if block.number is not None else block.part
    return f"{shown} 「{block.title[:width]}」" if block.title else f"{shown} (no title)"


def next_subsection_in_text(block: Block) -> list[Problem]:
    """A line of subsection (N)'s text that ends, after a sentence's end, with `(N+1)` and a
    title (no sentence): the next subsection's heading joined to the text before it (a line
    break lost), its text read as (N)'s. Named; kept in the text."""
    if block.number is None:
        return []
    return [(row.line, f"「{found[0][1:]}」 ends a line of the text of ({block.number}) "
                       f"「{block.title[:40]}」 after a sentence: the heading of the next "
                       "subsection, its line break lost? Kept in the text, with the text after it")
            for row in block.rows if not row.blank
            and (found := SUBSECTION_AFTER_SENTENCE.search(row.text))
            and int(found[1]) == block.number + 1]


def labelled_rows_in_prose(block: Block) -> list[Problem]:
    """Rows of a narrative or topic that print an initiative's label with a value (`参考
    2-1-10…`): an initiative's row printed after the next page's header (a converter's reading
    order), read as the section's text. Named; kept in the text."""
    return [(row.line, f"「{row.text[:40]}」 prints an initiative's label with its value in the "
                       f"text of 「{block.title}」: a row of the initiative before, printed after "
                       "the page's header? Kept in the text")
            for row in block.rows if not row.blank and len(row.text.split(maxsplit=1)) == 2
            and any(starts_with_label(row.text, label) for label in LABELS)]


def _first_line(record) -> int:
    """The line a record's text starts on (its `source_lines`: `12-15` or `12`)."""
    return int(record.source_lines.partition("-")[0])


def _after_one_word_responsible(before, site) -> bool:
    """Whether the site entry follows one of its field whose 担当 names no division
    (sites_after_a_one_word_responsible names those entries)."""
    return before is not None and before.field_no == site.field_no and not before.division


def sites_after_a_one_word_responsible(sites: list) -> list[Problem]:
    """Site entries after an entry of the same field whose 担当 is one word (no division), each
    named with what it suggests, both kept as printed:
    - named like a 担当 of the list (a department with its division): that 担当 and this
      entry's name swapped;
    - named like one of the list's media badges (ウェブ, ブログ…): its name line was read as
      that 担当, whose own value line was lost;
    - named like a division of the list's 担当, or with no media badge: that 担当 wrapped over
      two lines, its division read as this entry's name (and this entry's own name line as its
      badge or summary), or its value line lost."""
    badges = {badge for site in sites for badge in site.media}
    departments = {site.department for site in sites if site.division}
    divisions = {site.division for site in sites if site.division}
    problems = []
    for before, site in zip(sites, sites[1:]):
        if not _after_one_word_responsible(before, site):
            continue
        line = _first_line(site)
        if site.name.partition(" ")[0] in departments:
            problems.append((line, f"site entry 「{site.name}」 is named like a 担当 of the list, "
                                   f"and the entry before has 「{before.department}」 as its 担当: "
                                   "the two lines swapped? Kept as printed"))
        elif site.name in badges:
            problems.append((line, f"site entry 「{site.name}」 is named like a media badge of the "
                                   "list: its name line lost? (the entry before took "
                                   f"「{before.department}」 as its 担当)"))
        elif not site.media or site.name in divisions:
            problems.append((line, f"site entry 「{site.name}」 "
                                   + ("is named like a division of the list's 担当"
                                      if site.media else "has no media badge") + " and follows an "
                                   f"entry whose 担当 names no division (「{before.department}」, "
                                   f"line {before.source_lines.rpartition('-')[2]}): that 担当 "
                                   "wrapped over two lines (its division read as this entry's "
                                   "name) or a line lost? Kept as printed"))
    return problems


def sites_named_like_a_badge(sites: list) -> list[Problem]:
    """Site entries named like a media badge another entry of the list prints (ウェブ), after
    an entry whose 担当 names a division (else sites_after_a_one_word_responsible names them):
    its name and badge lines swapped (a converter's reading order)? Kept as printed."""
    printing = Counter(badge for site in sites for badge in set(site.media))  # entries per badge
    problems = []
    for before, site in zip([None, *sites], sites):
        if _after_one_word_responsible(before, site):
            continue
        if printing[site.name] - (site.name in site.media) > 0:
            problems.append((_first_line(site),
                             f"site entry 「{site.name}」 is named like a media badge of the list "
                             f"(its badges: 「{site.media_text}」): its name and badge lines "
                             "swapped? Kept as printed"))
    return problems


def sites_without_a_badge(sites: list) -> list[Problem]:
    """Site entries with no media badge where over half of at least three entries of the
    document print one: its badge line joined to its name or summary (a line break lost: the
    badge read as their text), or the entry's name joined to the 担当 before it (its badge line
    read as its name). Named, kept as printed; not after an entry whose 担当 names no division
    (sites_after_a_one_word_responsible names those), nor when named with a sentence (its
    name line out of its place: read_sites names those)."""
    badged = sum(1 for site in sites if site.media)
    if len(sites) < 3 or badged * 2 <= len(sites):
        return []
    return [(_first_line(site),
             f"site entry 「{site.name[:40]}」 prints no media badge where {badged} of the "
             f"document's {len(sites)} entries print one: its badge line joined to another line "
             "(a line break lost), or lost? Kept as printed")
            for before, site in zip([None, *sites], sites)
            if not site.media and SENTENCE_END not in site.name
            and not _after_one_word_responsible(before, site)]


def sites_named_as_the_responsible_before(sites: list) -> list[Problem]:
    """Site entries named as the 担当 of the entry before them: that 担当 printed twice (a
    converter's page break), its copy read as this entry's name (and the entry's own name as a
    media badge). Named; kept as printed."""
    problems = []
    for before, site in zip(sites, sites[1:]):
        responsible = f"{before.department or ''}{before.division or ''}".replace(" ", "")
        if before.field_no == site.field_no and responsible == site.name.replace(" ", ""):
            problems.append((_first_line(site),
                             f"site entry 「{site.name}」 is named as the 担当 of the entry before "
                             f"(「{before.name}」): that 担当 printed twice, its copy read as this "
                             "entry's name? Kept as printed"))
    return problems


def references_wrapped(references: list, titles: dict[str, str]) -> list[Problem]:
    """A 参考 document name that, after the citation printed on the line before it, completes
    the cited initiative's title (`titles`: by id, of the same document): one entry wrapped
    over two lines, its end read as a document of its own. Named; both kept as printed."""
    problems = []
    for before, after in zip(references, references[1:]):
        title = titles.get(before.cited_id or "")
        if (after.from_id == before.from_id and after.cited_id is None and title
                and before.label != title and before.label + after.label == title):
            problems.append((_first_line(after),
                             f"{after.from_id}: 参考 「{after.label}」 completes 「{before.label}」 "
                             f"(line {before.source_lines.partition('-')[0]}) as "
                             f"{before.cited_id}'s title 「{title}」: one entry wrapped over two "
                             "lines? Kept as two references, as printed"))
    return problems


def printed_twice(records: list, described) -> list[Problem]:
    """Records that repeat an earlier one of the list word for word (their `described` text:
    all but their number and lines), each named with the lines of the first: a page printed
    twice by the converter, or a plan that prints the entry twice. Both stay in the tables."""
    first: dict = {}
    problems = []
    for record in records:
        key = described(record)
        if key in first:
            line = _first_line(record)
            where = first[key].source_lines
            problems.append((line, f"{record.id} repeats {first[key].id} "
                                   f"({'lines' if '-' in where else 'line'} {where}) word for "
                                   "word: a page printed twice? Both are in the tables"))
        else:
            first[key] = record
    return problems


def priority_goal_counts_differ(initiatives: list) -> list[Problem]:
    """Initiatives whose 重点目標 (priority goals) prints a number of options that most of the
    document's initiatives do not: every initiative prints the plan's list of goals (its
    wording may vary), so one option more or fewer is a line lost or read under the label
    before or after it (`主体 県情報活用力の向上`). Named when over half of at least three
    initiatives agree on the number; kept as printed. A schedule's mark among them is not
    counted, nor is the list printed whole twice or not at all (named as such by
    initiatives.py: a schedule's row out of its place, labels printed again, no 重点目標)."""
    options = {i.id: [o for o in i.priority_goal_options if not is_schedule_mark(o)]
               for i in initiatives}
    counts = Counter(map(len, options.values()))
    usual, agreeing = counts.most_common(1)[0] if counts else (0, 0)
    if len(initiatives) < 3 or agreeing * 2 <= len(initiatives):
        return []
    return [(_first_line(i),
             f"initiative {i.id} 「{i.title}」: its 重点目標 prints {len(options[i.id])} "
             f"option(s) where {agreeing} of the document's {len(initiatives)} initiatives print "
             f"{usual} (a line lost, or read under another label?): kept as printed")
            for i in initiatives if usual and len(options[i.id]) % usual]
