"""取組 (initiative) blocks read into records: the initiative, its schedule (スケジュール), its
indicators (指標), its references (参考) and glossary terms, and what it lacks of what the
template prints. The values are grouped by the label printed over them in labels.py; 関連URL
(related URLs) and 参考 are read in links.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import (Indicator, Initiative, Reference, ScheduleEntry, Term, collect_terms,
                     line_range)
from ..paragraphs import is_list_item, join_lines, join_paragraphs, without_list_mark
from ..values import DocumentEras, printed_era
from .indicators import read_indicators
from .labels import INDICATORS, Entry, label_entries
from .layout import LONE_PAGE_NUMBER
from .links import INITIATIVE_ID, read_references, read_urls, split_urls
from .schedule import (SCHEDULE_LABEL, Period, ScheduleReading, grid_by_position, is_schedule_mark,
                       read_schedule)
from .structure import Block
from .template import LABELS

SENTENCE_END = "。"         # ends prose; never in a name (of a site, of a 参考 document)
# Labels the template prints for every initiative (the others only where there is a value).
ALWAYS_PRINTED = ("目的・概要", "重点目標", "主体", "スケジュール", "担当")
LEADING_NUMBER = re.compile(r"(\d{1,3})(?!\d)\s*(?!年|月|日|件|回|人|%|％|[.,])")   # a heading's number
PROSE_MARKS = re.compile(r"[。、,「」]")
METHOD_MAX_LENGTH = 15

# Which column a label's text (and its glossary terms) ends up in.
LABEL_COLUMNS = {
    "目的・概要": "summary", "性質・手法": "summary", "重点目標": "priority_goal_options",
    "主体": "actors", "関連URL": "urls", "スケジュール": "schedules", "指標": "indicators",
    "担当": "department", "参考": "references",
}


@dataclass
class InitiativeRecords:
    initiative: Initiative
    indicators: list[Indicator]
    schedules: list[ScheduleEntry]
    references: list[Reference]
    terms: list[Term]
    gaps: list[str]         # what the template prints for every initiative and this one lacks


def _numbered(text: str, number: int) -> bool:
    """Whether text begins with `number` and a title, as a heading does (`2`, then its title in
    the next cell; `4社会保障…`), and is no sentence."""
    match = LEADING_NUMBER.match(text)
    return bool(match) and int(match[1]) == number and "。" not in text


class Incomplete(Exception):
    """A block that lacks a required part (a cut document); carries the missing labels."""


def read_initiative(block: Block, source: str, eras: DocumentEras) -> InitiativeRecords:
    """The records of an initiative's block; a year printed without its era is read in the
    document's (`eras`), if one."""
    ctx = block.context
    ident = f"{ctx.field_no}-{ctx.item_no}-{block.number}"
    fields, notes, printed, note_terms = label_entries(block.rows)
    described = fields.get("目的・概要", []) + fields.get("性質・手法", [])
    methods, summary, late = _methods_and_summary(fields.get("目的・概要", []),
                                                  fields.get("性質・手法", []))
    responsible = fields.get("担当", [])
    missing = [label for label, present in (("目的・概要", summary), ("担当", responsible)) if not present]
    if missing:
        raise Incomplete("、".join(missing))
    filled = {LABEL_COLUMNS[label] for label, entries in fields.items() if entries}
    gaps = [f"label {label} has no value" for label, entries in fields.items()
            if not entries and LABEL_COLUMNS[label] not in filled]    # 目的・概要 shares with 性質・手法
    gaps += [f"no {label} (printed for every initiative)"
             for label in ALWAYS_PRINTED if label not in fields]
    repeated = [f"{label} at lines {', '.join(map(str, lines))}" for label, lines in printed.items()
                if label in ALWAYS_PRINTED and len(lines) > 1]
    if repeated:        # two initiatives' labels in one block: a heading lost between them
        gaps.append(f"labels printed once per initiative are printed again ({'; '.join(repeated)}): "
                    "the heading of the next initiative lost? Its text is kept in this one")
    gaps += [f"「{value}」 alone on line {line} under 目的・概要: a page number the converter "
             "kept? Kept as printed (in the summary or the methods)"
             for entry in described
             if len(entry.values) == 1 and LONE_PAGE_NUMBER.match(entry.values[0])
             for line, value in entry.located_cells()]
    gaps += [f"「{value}」 (line {line}) is printed alone after the 目的・概要 prose, short as a "
             "性質・手法 value: its line out of its place? Kept in the summary"
             for line, value in late]
    if "性質・手法" in printed and not methods and not late:
        gaps.append(f"性質・手法 (line {printed['性質・手法'][0]}) has no value read as one (short "
                    "labels printed before the 目的・概要 prose): its value's line out of its place? "
                    "What is printed under it is kept in the summary")
    urls, stray, doubts = read_urls(fields.get("関連URL", []))
    gaps += doubts
    notes += [text for _, text in stray]
    gaps += [f"関連URL at line {line}: 「{text}」 is no URL: kept as notes (a URL wrapped over two "
             "lines?)" for line, text in stray]
    value = " ".join(responsible[0].values)
    department, division = split_responsible(value)
    if INITIATIVE_ID.match(value):      # 参考's entry as 担当's value: the lines between lost
        gaps.append(f"担当 at line {responsible[0].line} is 「{value}」, an initiative's id and "
                    "title (its value and 参考 lost?): read as its department")
    notes += [" ".join(e.values) for e in responsible[1:]]
    citing = [line for e in responsible[1:] for line, value in e.located_cells()
              if INITIATIVE_ID.match(value)]
    if citing:      # 参考's entries (they begin with an initiative's id) under 担当: its label lost
        gaps.append(f"lines after 担当 cite initiatives (line {citing[0]}): 参考 printed without "
                    "its label? Kept as notes, not as references")
    elif not division and responsible[1:]:    # 部局 on one line, 課 on the next
        after = responsible[1]
        gaps.append(f"担当 at line {responsible[0].line} names no division and the line after it "
                    f"(line {after.line}: 「{' '.join(after.values)}」) is kept as notes: 担当 "
                    "wrapped over two lines?")
    gaps += [f"line {e.line} after 担当, 「{' '.join(e.values)}」, reads like the heading of the "
             "next initiative: printed twice? Kept as notes"
             for e in responsible[1:] if not repeated and _numbered(e.values[0], block.number + 1)]
    gaps += _schedule_marks_elsewhere(fields)
    gaps += _printed_elsewhere(fields, described)
    gaps += _labels_run_on(fields, printed)
    status, schedules, repeated_periods = _schedules(ident, fields.get("スケジュール", []), source,
                                                     eras)
    gaps += repeated_periods
    if fields.get("スケジュール") and not schedules:
        line = fields["スケジュール"][0].line
        gaps.append(f"the schedule at line {line} has no row of fiscal years (H26 …); its "
                    "values are not in the tables")
    indicators, problems, indicator_terms, unplaced_terms = _indicators(
        ident, fields.get(INDICATORS, []), source, eras)
    gaps += problems
    gaps += [f"indicator {i.seq} 「{i.name}」 has no {what} value"
             for i in indicators for what, value in (("baseline", i.baseline_text),
                                                      ("target", i.target_text)) if not value]
    references, doubts = read_references(ident, fields.get("参考", []), source)
    gaps += doubts
    lines = block.lines
    initiative = Initiative(
        id=ident, field_no=ctx.field_no, field_title=ctx.field_title, item_no=ctx.item_no,
        item_title=ctx.item_title, number=block.number, title=block.title, summary=summary,
        methods=methods, actors=_actors(fields.get("主体", [])), urls=urls,
        department=department, division=division, status=status, priority_goals=None,
        priority_goal_options=[v for e in fields.get("重点目標", []) for c in e.values for v in c.split()],
        notes="\n".join(notes), source=source, source_lines=line_range(lines))
    return InitiativeRecords(
        initiative,
        indicators,
        schedules,
        references,
        _terms(initiative, block, fields, note_terms, unplaced_terms, source) + indicator_terms,
        gaps)


def _schedule_marks_elsewhere(fields: dict[str, list[Entry]]) -> list[str]:
    """A schedule's status marker, arrow or period printed under another label: a row of the
    schedule out of its place (a converter's reading order), read as that label's value (主体
    `県 運用 →`, an indicator named `…継続 →`), its schedule without it."""
    marks: dict[str, list[tuple[int, str]]] = {}
    for label, entries in fields.items():
        if label != SCHEDULE_LABEL:
            marks[label] = [(line, value) for entry in entries for line, value in entry.located_cells()
                            if is_schedule_mark(value)]
    return [f"{'、'.join(f'「{value}」 (line {line})' for line, value in found)} under {label}: "
            f"what a {SCHEDULE_LABEL} prints (a status, an arrow or a fiscal year), its row printed "
            "out of its place? Kept as printed, not in the schedule"
            for label, found in marks.items() if found]


# Labels whose values are names, never a web address: a URL there belongs to another label.
NAMES_ONLY = ("重点目標", "主体", "担当")


def _printed_elsewhere(fields: dict[str, list[Entry]], described: list[Entry]) -> list[str]:
    """Lines of one label printed under another (a converter's reading order, or a label
    lost), each kept where it was read: a URL under a label whose values are names (主体,
    担当, 重点目標); 参考's entries (they begin with an initiative's id) under 目的・概要
    (`described`: its entries and 性質・手法's), the initiative before's printed after this
    heading; a sentence under 参考, a section's line printed before the next page's header."""
    found = {label: [(line, url) for entry in fields.get(label, []) for line, value in
                     entry.located_cells() for url in split_urls(value)[0]] for label in NAMES_ONLY}
    problems = [f"{'、'.join(f'「{url}」 (line {line})' for line, url in urls)} under {label}: a "
                "line of 関連URL or 参考 out of its place, or their label lost? Kept as printed, "
                "not in the URLs" for label, urls in found.items() if urls]
    cited = [(line, value) for e in described for line, value in e.located_cells()
             if INITIATIVE_ID.match(value)]
    if cited:
        problems.append(f"{'、'.join(f'「{value[:40]}」 (line {line})' for line, value in cited)} "
                        "under 目的・概要 begin with an initiative's id, as 参考's entries do: the "
                        "参考 of the initiative before, printed after this one's heading? Kept in "
                        "the summary")
    return problems + [f"参考 at line {line} prints a sentence, 「{value[:40]}」: a section's line "
                       "printed before the next page's header? Kept as a reference"
                       for e in fields.get("参考", []) for line, value in e.located_cells()
                       if SENTENCE_END in value]


def _labels_run_on(fields: dict[str, list[Entry]], printed: dict[str, list[int]]) -> list[str]:
    """A name (under 重点目標, 主体 or 担当) ending with a label the initiative prints nowhere
    (`震災復興・企画部 情報政策課参考`): the label's line joined to the name's, its line break
    lost, what the label's lines print read under the name's label. Named; kept as printed."""
    return [f"「{value[-30:]}」 (line {line}) under {label} ends with {other}, a label this "
            "initiative prints nowhere else: its line joined to this one (a line break lost)? "
            f"Kept as printed, what follows it under {label}"
            for label in NAMES_ONLY for entry in fields.get(label, [])
            for line, value in entry.located_cells()
            for other in LABELS if other not in printed and value.endswith(other) and value != other]


def _methods_and_summary(summary: list[Entry], method: list[Entry]) -> tuple[
        list[str], str, list[tuple[int, str]]]:
    """(性質・手法 tokens, 目的・概要 prose, (line, value) of the lines of short labels alone
    after the prose) of the entries under the two labels: the tokens are short and come before
    the prose, or are the value printed right after 性質・手法 (its line printed after the
    prose: a converter's reading order). A line of short labels after the prose is kept in it,
    and named (but a list's item: `・電子申請システム`): a 性質・手法 value out of its place? The
    prose's paragraphs (between blank lines: join_paragraphs) are separated by a line break."""
    methods, prose, late = [], [[]], []
    lead = method[0] if method else None
    for entry in summary + method:
        for line, value in entry.located_cells():
            short = all(is_short_label(t) for t in value.split())
            if (not prose[0] or entry is lead) and short:
                methods.extend(value.split())
                continue
            if short and len(entry.values) == 1 and not LONE_PAGE_NUMBER.match(value) \
                    and not is_list_item(value):        # (a page number: named as one)
                late.append((entry.line, value))
            if entry.after_blank and prose[-1]:
                prose.append([])
            prose[-1].append((line, line, value))
    return methods, "\n".join(join_paragraphs(prose)), late


def is_short_label(token: str) -> bool:
    """A short label (性質・手法 value, media badge) rather than prose."""
    return len(token) <= METHOD_MAX_LENGTH and not PROSE_MARKS.search(token)


def _actors(entries: list[Entry]) -> list[str]:
    """主体: separated by commas or semicolons (outside parentheses), possibly wrapped over
    lines. `；` is `;` after the width rule; one inside parentheses stays in its actor (named:
    it is the CSV's list delimiter).
    The lines are joined as one text; the cells of one line keep the column break between
    them as a space (`県  市町村` is never `県市町村`), as a row's text does; a line opening a
    list's item (`・県`) begins an actor (join_lines keeps its line break), without its mark
    (`県`, the organisation other initiatives name so)."""
    text = join_lines([(e.line, e.last, " ".join(e.values)) for e in entries])
    actors, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "(（" 
        depth -= ch in ")）"
        if ch in ",、;\n" and depth <= 0:
            actors.append(current.strip())
            current = ""
        else:
            current += ch
    actors.append(current.strip())
    return [without_list_mark(a) for a in actors if without_list_mark(a)]


def split_responsible(text: str) -> tuple[str, str]:
    """担当 `部局 課` -> (department, division)."""
    department, _, division = text.partition(" ")
    return department.strip(), division.strip()


def _schedules(ident: str, entries: list[Entry], source: str, eras: DocumentEras) -> tuple[
        str | None, list[ScheduleEntry], list[str]]:
    """(status, one entry per period, problems): a period printed twice in the row of fiscal
    years (`H26 H27 H26`) keeps its first column; the other is warned of, not published, as is
    a phase printed where no period's column is left for it."""
    tables = [e for e in entries if e.grid is not None]
    placed, uncertain = (None, False) if tables else grid_by_position(
        [(e.cells, e.spans, e.uneven) for e in entries])
    grid = tables[0].grid if tables else placed or [e.cells for e in entries]
    used = tables[:1] or entries
    if not grid:
        return None, [], []
    reading = read_schedule(grid, eras.era)
    lines = line_range([line for e in used for line in (e.line, e.last)])
    distinct: dict[str, Period] = {}
    problems = [f"the schedule at line {used[0].line} prints 「{cell}」 in its row of fiscal "
                "years, not read as one fiscal year: the periods of its column are not in the "
                "tables, and a phase under it may be placed under the next year's"
                for cell in reading.unread]
    def line_of(row: int, column: int) -> int:      # the line a cell of the grid is printed on
        return used[0 if tables else row].grid_line(row, column)
    where = [(cell, line_of(row, column), why)
             for cells, why in ((reading.unplaced, "where no fiscal year's column is left for it "
                                 "(a column lost in the text?)"),
                                (reading.above, "above its row of fiscal years (its rows printed "
                                 "out of order?)"),
                                (reading.beyond, "right of its last fiscal year's column (a "
                                 "year's column lost in the text, or two of its rows on one "
                                 "line, their line break lost?)"))
             for row, column, cell in cells]
    problems += [f"the schedule at line {used[0].line} prints 「{cell}」 (line {line}) {why}: "
                 "not in the tables" for cell, line, why in where]
    problems += [f"the schedule at line {used[0].line} prints 「{cell}」 "
                 f"(line {line_of(row, column)}), "
                 "a period's label whose from/until mark is lost (a character the conversion "
                 "could not write?): its column is read as no period" +
                 (f"; its phase 「{phase}」 is not in the tables" if phase else "")
                 for (row, column, cell), phase in reading.lost]
    problems += [f"the schedule at line {used[0].line} prints 「{before}」 and 「{cell}」 (line "
                 f"{line_of(row, column)}) in one row under one fiscal year: read as one phase "
                 "(a column break lost in the layout?)"
                 for (row, column, cell), before in reading.joined]
    problems += [f"the schedule at line {used[0].line} prints 「{cell}」 (line {line_of(row, column)}) "
                 f"in the column of {label}: its period is not in the tables, and the phases may "
                 "be under other fiscal years than their own (a cell of its row of fiscal years "
                 "lost?)" for (row, column, cell), label in reading.crowded]
    problems += [f"the schedule at line {used[0].line} prints its row 「{cells}」 again at line "
                 f"{line_of(row, column)}: its phases are read twice (a line printed twice?)"
                 for row, column, cells in reading.repeated]
    problems += _arrow_without_phase(reading, used[0].line, line_of)
    if uncertain:
        problems.append(f"the schedule at line {used[0].line} is laid out with spaces, and the "
                        "count of its column breaks and the position of its cells put its "
                        "phases under different fiscal years: read by its breaks, they may be "
                        "under other fiscal years than their own")
    if tables:      # the schedule is read from its first table: what else is under the label
        printed = {cell for row in grid for cell in row}    # and not in it lands nowhere
        for entry in entries:
            if entry is not tables[0] and (
                    left := [(line, v) for line, v in entry.located_cells() if v not in printed]):
                problems.append(f"the schedule at line {used[0].line} is read from its table; "
                                f"{'、'.join(f'「{v}」' for _, v in left)} printed under it at "
                                f"line {left[0][0]} is not in that table (the table cut over two "
                                "lines, or its echo differs?): not in the tables")
    problems += [f"the schedule at line {used[0].line} prints the fiscal year 「{period.period}」 "
                 f"with no era and {eras.described()}: its fiscal year is left empty"
                 for period in reading.periods
                 if period.fiscal_year is None and not printed_era(period.period)]
    for period in reading.periods:
        if period.period in distinct:
            problems.append(f"the schedule at line {used[0].line} prints the period "
                            f"{period.period} twice: the phase 「{period.raw}」 of its second "
                            "column is not in the tables")
        else:
            distinct[period.period] = period
    return reading.status, [ScheduleEntry(ident, p.period, p.fiscal_year, p.phase, p.raw, source,
                                          lines) for p in distinct.values()], problems


def _arrow_without_phase(reading: ScheduleReading, first_line: int, line_of) -> list[str]:
    """An arrow (the phase goes on) with no phase printed before it in its row: its periods are
    published with no phase, and said (the phase's row printed under another label?), unless
    the phase was found out of its place in the grid (named as such). line_of: the line a
    cell of the grid (row, column) is printed on."""
    bare = [p.period for p in reading.periods if p.raw == "→" and not p.phase]
    if not bare or reading.arrow is None or reading.above or reading.unplaced \
            or reading.beyond or reading.lost:
        return []
    row, column, cell = reading.arrow
    return [f"the schedule at line {first_line} prints 「{cell}」 (line {line_of(row, column)}) "
            "with no phase before it to go on with (its phase printed under another label?): "
            f"{'、'.join(bare)} published with no phase"]


def _indicators(ident: str, entries: list[Entry], source: str, eras: DocumentEras) -> tuple[
        list[Indicator], list[str], list[Term], list[tuple[str, int]]]:
    """(indicators, problems, the glossary terms of each indicator, and (term, line) of the
    terms of the 指標 rows that no published indicator holds)."""
    tokens = [(index, line, v) for index, e in enumerate(entries) for line, v in e.located_cells()]
    reading = read_indicators([(line, value) for _, line, value in tokens], eras)
    seqs = {id(draft): seq for seq, draft in enumerate(reading.drafts, 1)}
    roles: dict[int, list[tuple]] = {}          # entry -> what its tokens were read as
    for (index, _, _), role in zip(tokens, reading.roles):
        roles.setdefault(index, []).append(role)
    found: dict[int, list[tuple[str, str, int]]] = {}
    unplaced: list[tuple[str, int]] = []
    look = worth_looking_for(term for entry in entries for term in entry.terms)
    for index, entry in enumerate(entries):
        read = roles.get(index, []) if look else []     # (else all under 指標, unlooked for)
        for line, term in entry.located_terms():
            place = next(((draft, column) for draft, column in read if id(draft) in seqs and
                          term in (draft.name if column == "name" else
                                   str(draft.values.get(column) or ""))), None)
            if place is None:
                unplaced.append((term, line))
            else:
                found.setdefault(seqs[id(place[0])], []).append((term, place[1], line))
    terms = [term for seq, occurrences in found.items()
             for term in collect_terms(occurrences, "indicator", f"{ident}#{seq}", source)]
    return [Indicator(ident, seq, d.name, **d.values, source=source, source_lines=line_range(d.lines))
            for seq, d in enumerate(reading.drafts, 1)], reading.problems, terms, unplaced


# 性質・手法 and 目的・概要 share rows, a 担当 gives department and division (its other lines are
# notes), and what 関連URL prints besides URLs is kept as notes.
TERM_COLUMNS = {"目的・概要": ("summary", "methods"), "性質・手法": ("methods", "summary"),
                "担当": ("department", "division", "notes"), "関連URL": ("urls", "notes")}
# Terms looked for in the columns' text, each a search of the whole text: beyond this many
# distinct ones in an initiative (a plan has a few; a run of thousands of `*` marks is no
# glossary) a term is given, unlooked for, the label's column that holds most of its text,
# which keeps this linear.
TERMS_LOOKED_FOR = 200


def worth_looking_for(terms) -> bool:
    """Whether a record's glossary terms are few enough (TERMS_LOOKED_FOR distinct) to look for
    each in its text."""
    return len(set(terms)) <= TERMS_LOOKED_FOR


def _terms(initiative: Initiative, block: Block, fields: dict[str, list[Entry]],
           note_terms: list[tuple[str, int]], indicator_terms: list[tuple[str, int]],
           source: str) -> list[Term]:
    """The initiative's own terms, each with the column it is published in; its indicators'
    are theirs (but for (term, line) of what no published indicator holds: the initiative's
    under 指標, as printed there)."""
    occurrences = [(term, "title", line) for line, term in block.heading.located_terms()]
    labelled = [(term, label, line) for label, entries in fields.items()
                if label != INDICATORS for entry in entries for line, term in entry.located_terms()]
    column_of = _term_columns(initiative, labelled)
    occurrences += [(term, column_of(term, label), line) for term, label, line in labelled]
    occurrences += [(term, "notes", line) for term, line in note_terms]
    occurrences += [(term, LABEL_COLUMNS[INDICATORS], line) for term, line in indicator_terms]
    return collect_terms(occurrences, "initiative", initiative.id, source)


def _term_columns(initiative: Initiative, labelled: list[tuple[str, str, int]]):
    """(term, label) -> the first of the label's columns whose text holds the term (the first
    column if none does); with more than TERMS_LOOKED_FOR terms to look for, its longest."""
    look = worth_looking_for(term for term, _, _ in labelled)
    texts: dict[str, str] = {}

    def text(column: str) -> str:
        if column not in texts:
            value = getattr(initiative, column)
            texts[column] = "\n".join(value) if isinstance(value, list) else value or ""
        return texts[column]

    def column_of(term: str, label: str) -> str:
        columns = TERM_COLUMNS.get(label)
        if columns is None:
            return LABEL_COLUMNS[label]
        if not look:
            return max(columns, key=lambda column: len(text(column)))
        return next((column for column in columns if term in text(column)), columns[0])
    return column_of
