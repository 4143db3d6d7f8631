"""Layout reader: turns the mixed PDF-to-text dump into a uniform stream of rows.

The dump mixes three layouts, often for the same kind of content:
- tab-separated table rows (`担当\t\t震災復興・企画部 情報システム課`),
- HTML fragments (`<p>…</p>`, `<div>…</div>`, `<table>…</table>`), usually followed by a
  tab-separated echo of the same table, on the rest of the line and on the next lines,
- loose lines of text.
Each line becomes one or more `Row`s with cleaned cells; HTML echoes are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ..errors import ExtractionError
from ..normalize import HYPHENS, INVISIBLE, INVISIBLE_CHARS, SPACE_CHARS, SPACES, clean_text
from ..paragraphs import joined_by_a_space
from .fragment import Cell, FragmentParser, last_end_tag, table_slots

# Where a line's HTML fragment begins: a block's tag. An inline element's (`<span>`, `<b>`) is
# markup of the line's text wherever it is (`情報<span>システム</span>課`, `⇥⇥<span>運用</span>`)
HTML_START = re.compile(r"<(?:p|div|table)\b", re.IGNORECASE)
# A line that goes on with a table's markup (`<tr>`, `<td>`, `</table>` …): the rest of a
# `<table>` that the converter cut over two lines. One opening a table begins a table of its own
# (after one whose end was lost: joined, the first was lost in the second)
TABLE_GOES_ON = re.compile(r"\s*(?:</table|</?(?:caption|colgroup|col|tbody|thead|tfoot|tr|td|th))\b",
                           re.IGNORECASE)
PIPE = re.compile(r"\s+\|\s+")
# A rule line's dashes: ASCII, or full-width as a converter that widens ASCII writes them
RULE_DASH = r"\-－"
# A rule line: dashes from its start, or two runs of them (`⇥⇥－－－` alone is a row's cell: a
# value, 「－－－」 for none)
RULE_LINE = re.compile(rf"^(?:[|:]*|[\s|:]*[{RULE_DASH}]{{3,}}[\s|:]+)[{RULE_DASH}]{{3,}}"
                       rf"[\s|:{RULE_DASH}]*$")
# A rule line's cell in a row joined to it, and its dashes glued on to a cell of the row
RULE_CELL = re.compile(rf"^[\s:]*[{RULE_DASH}]{{3,}}[\s:{RULE_DASH}]*$")
LEADING_RULE = re.compile(rf"^[:{RULE_DASH}]*[{RULE_DASH}]{{3,}}")
TRAILING_RULE = re.compile(rf"[{RULE_DASH}]{{3,}}[:{RULE_DASH}]*$")
# A page's number between dashes (`- 12 -`, `－１２－`, `— 12 —`), kept by the converter where
# the page broke: page furniture, never text (a bare `12` may be a value, and `-\t12\t-` is a
# table row of three cells: both kept)
PAGE_DASH = f"[-－{HYPHENS}\u2014\u2015]"
PAGE_NUMBER = re.compile(rf"^\s*{PAGE_DASH}[ \u3000]?[0-9０-９]{{1,4}}[ \u3000]?{PAGE_DASH}\s*$")
# A page's number printed bare (`12`, `P.12`, `12/40`, `12ページ`), a cleaned row's whole text:
# in a table it may be a value; alone in prose it is named (extraction), never dropped
LONE_PAGE_NUMBER = re.compile(r"^(?:[Pp]\.?\s*)?\d{1,4}(?:\s*/\s*\d{1,4}|\s*ページ)?$")
# Combining marks, which some converters and macOS write after their letter (シ + U+3099 for ジ,
# the NFD form): a letter and its marks are read as the character printed (NFC), only those runs
# (NFC would also replace CJK compatibility ideographs, 神 U+FA19, with others).
COMBINING_CHARS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f"
MANUAL_BREAK = "\x0b"          # a vertical tab: Word's manual line break (Shift+Enter)
DECOMPOSED = re.compile(f".[{COMBINING_CHARS}]+")
UNUSUAL = re.compile(f"[{INVISIBLE_CHARS}{SPACE_CHARS}{COMBINING_CHARS}]")
# A run of two or more spaces is a column break where a tab would be (pdftotext -layout, or
# tabs written as spaces): n spaces are round(n / w) breaks, at least one, where w is the most
# common length of such runs in the document (4 when every tab became 4 spaces).
SPACE_RUN = re.compile(r" {2,}")
# The longest value read: a cell of the text, or a field of a record joined from several lines
# (pyoxigraph refuses a literal over 16 MiB; a plan's longest value is a few thousand).
MAX_VALUE_CHARS = 1_000_000


@dataclass
class CellLines:
    """Where the content of a row read from several lines is (a table the converter cut over
    lines, read as one): the line of each cell (Row.cells), of each term (Row.terms) and of each
    grid cell (Row.grid); None: all on the row's first line. And the last line it used."""

    cells: list[int] | None
    terms: list[int] | None
    grid: list[list[int]] | None
    last: int


class Located:
    """The lines of a row's cells and terms (a Row, or a value read from one): `line`, `cells`,
    `terms` and `cut` (its CellLines, None when all is on `line`)."""

    line: int
    cells: list[str]
    terms: list[str]
    cut: CellLines | None

    @property
    def last(self) -> int:
        """The last line it was read from."""
        return self.cut.last if self.cut else self.line

    def located_cells(self) -> list[tuple[int, str]]:
        """(line, cell) of each non-empty cell."""
        return _located(self.cells, self.line, self.cut and self.cut.cells)

    def located_terms(self) -> list[tuple[int, str]]:
        """(line, term) of each glossary term."""
        return _located(self.terms, self.line, self.cut and self.cut.terms)

    def grid_line(self, row: int, column: int) -> int:
        """The line of a cell of its grid."""
        return self.cut.grid[row][column] if self.cut and self.cut.grid else self.line


def _located(items: list[str], line: int, lines: list[int] | None) -> list[tuple[int, str]]:
    if not items:                   # (most rows hold no glossary term)
        return []
    if lines is None:
        return [(line, item) for item in items if item]
    return [(at, item) for at, item in zip(lines, items) if item]


@dataclass(init=False)
class Row(Located):
    """One logical row of the source: its line number, cleaned cells and glossary terms.

    Rows are not changed once read: their non-empty cells and text are computed once, and the
    rows of a repeated line share their lists."""

    line: int
    kind: str                         # tab | text | table | blank
    cells: list[str]                  # a table's: each cell printed once, in reading order
    raw: list[str]                    # the cells as printed (a table's too, in reading order)
    terms: list[str]
    grid: list[list[str]] | None      # table rows, colspans expanded (a cell in each column)
    # a line laid out with spaces alone in a text whose runs of spaces stand for positions
    # (pdftotext -layout): where each raw cell is, its first display column and the one after
    # its last (a CJK character two columns wide); None for an empty cell
    spans: list[tuple[int, int] | None] | None
    uneven: bool                      # laid out with a run of spaces no multiple of the tab width
    cut: CellLines | None             # where its content is, when read from several lines
    values: list[str] = field(repr=False)   # non-empty cells in reading order
    text: str = field(repr=False)
    blank: bool = field(repr=False)

    # Written out rather than generated with a __post_init__: a row is made for every line.
    def __init__(self, line: int, kind: str, cells: list[str] | None = None,
                 raw: list[str] | None = None, terms: list[str] | None = None,
                 grid: list[list[str]] | None = None,
                 spans: list[tuple[int, int] | None] | None = None, uneven: bool = False,
                 cut: CellLines | None = None):
        self.line, self.kind, self.grid, self.spans, self.uneven = line, kind, grid, spans, uneven
        self.cut = cut
        self.cells = [] if cells is None else cells
        self.raw = [] if raw is None else raw
        self.terms = [] if terms is None else terms
        cells = self.cells
        # The cells themselves when none is empty (most rows): one list less to allocate.
        self.values = values = cells if "" not in cells else [cell for cell in cells if cell]
        self.text = " ".join(values)
        self.blank = not values

    def with_terms(self, terms: list[str]) -> Row:
        """The same row with other glossary terms (the others shared)."""
        row = self.at(self.line)
        row.terms = terms
        return row

    def at(self, line: int) -> Row:
        """The same row at another line (a repeated line): it shares the lists and the text."""
        row = object.__new__(Row)
        row.line, row.kind, row.cells, row.raw, row.terms, row.grid, row.spans, row.uneven = (
            line, self.kind, self.cells, self.raw, self.terms, self.grid, self.spans, self.uneven)
        row.cut = self.cut
        row.values, row.text, row.blank = self.values, self.text, self.blank
        return row


def read_rows(text: str, path: str | None = None) -> list[Row]:
    """All rows of a document, in order; table echoes, rule lines and page numbers between
    dashes removed. A cell over
    MAX_VALUE_CHARS is an ExtractionError naming path and line."""
    rows: list[Row] = []
    echo: list[str] = []
    memo = _Memo(*_tab_width(text))
    unusual = UNUSUAL.search(text) is not None      # one scan of the text: most have none
    lines = text.split("\n")
    numbered = enumerate(lines, 1)
    for number, line in numbered:
        if unusual and UNUSUAL.search(line):
            line = canonical_line(line)
        if len(line) > MAX_VALUE_CHARS:
            _check_cells(number, line, memo, path)
        seen = memo.rows.get(line)
        if seen is not None:            # a repeated plain line (most often a blank one)
            row = seen.at(number)
        elif _may_hold_a_rule(line) and RULE_LINE.match(line) or PAGE_NUMBER.match(line):
            continue
        elif "<" in line and HTML_START.search(line):
            if _tables_opened(line) > 0:
                line = _with_the_rest_of_its_table(line, lines, number, numbered)
                if len(line) > MAX_VALUE_CHARS:     # (its lines joined: not checked one by one)
                    _check_cells(number, line, memo, path)
            line_rows, echo = _html_rows(number, line, memo)
            rows.extend(line_rows)
            continue
        else:
            row = memo.rows[line] = _plain_row(number, line, memo)
        if echo and row.values and _echoes(echo, row.values):
            echo = echo[len(row.values):]
            continue
        if not row.blank:
            echo = []
        if row.terms and rows and row.kind == rows[-1].kind == "text" and \
                rows[-1].line == number - 1 and _open_bracket(rows[-1].text) >= 0:
            row = _with_terms_begun_before(rows[-1], row)
        rows.append(row)
    return rows


def _open_bracket(text: str) -> int:
    """Where the outermost 「 that no 」 closes after it is in a text (-1: none; nested
    brackets counted: `「みやぎ「食」の情報発` leaves the first open)."""
    opened: list[int] = []
    for at, char in enumerate(text):
        if char == "「":
            opened.append(at)
        elif char == "」" and opened:
            opened.pop()
    return opened[0] if opened else -1


def _begun_in_brackets(term: str, before: str) -> bool:
    """Whether a term read across two lines begins right after a 「 of the line before that
    is still open there: the line ends with the term's first part, printed after that 「."""
    return any(before.endswith(term[:cut]) and before[:len(before) - cut].endswith("「") and
               _open_bracket(before[len(before) - cut - 1:]) == 0
               for cut in range(len(term) + 1))


def _with_terms_begun_before(before: Row, row: Row) -> Row:
    """A line of text after one that leaves a 「 open: its first glossary term as the two lines
    read as one give it, when that term is the bracket's, begun on the line before (`「情報セキュ`
    / `リティポリシー*」`: 情報セキュリティポリシー, not リティポリシー; `「` /
    `総合行政ネットワーク(LGWAN)*」`: the bracketed name, not LGWAN), the line's end having cut it.
    The brackets say where the term begins; without them (`データセンタ` / `ー*活用`) a term cut
    by a line's end cannot be told from one that begins the line, and is the line's own. The
    row itself when its terms are its own."""
    separator = " " if joined_by_a_space(before.raw[0], row.raw[0], wrapped=True) else ""
    joined = clean_text(before.raw[0] + separator + row.raw[0])[1]
    own = len(before.terms)
    if joined[:own] != before.terms or joined[own + 1:] != row.terms[1:] or \
            len(joined) != own + len(row.terms) or joined[own] == row.terms[0] or \
            not _begun_in_brackets(joined[own], before.text) or row.terms[0] not in joined[own]:
        return row
    return row.with_terms([joined[own], *row.terms[1:]])


def _tables_opened(line: str) -> int:
    """How many more tables a line opens than it closes."""
    lower = line.lower()
    return lower.count("<table") - lower.count("</table")


def _with_the_rest_of_its_table(line: str, lines: list[str], number: int, numbered) -> str:
    """A line opening a table joined with the lines after it that go on with the table's
    markup, up to the one closing it; those lines are taken from `numbered` (read as one, at
    the first line's number, each after a line break: _html_rows reads it as a space and
    numbers each cell with its own line). Page furniture between them (the page's number, blank
    lines: the table cut where its page broke) is dropped, its lines kept as empty ones. Each
    line is counted once: a table of 50,000 lines counted the joined text again at each
    (quadratic)."""
    parts, opened = [line], _tables_opened(line)
    while opened > 0 and number < len(lines):
        ahead = number
        while ahead < len(lines) and _page_furniture(lines[ahead]):
            ahead += 1
        if ahead == len(lines) or not TABLE_GOES_ON.match(lines[ahead]):
            break
        parts += [""] * (ahead - number)
        for _ in range(ahead - number + 1):
            number, _ = next(numbered)
        following = lines[number - 1]
        following = canonical_line(following) if UNUSUAL.search(following) else following
        parts.append(following)
        opened += _tables_opened(following)
    return "\n".join(parts)


def _page_furniture(line: str) -> bool:
    """A blank line, or a page's number between dashes: what a page break prints."""
    return not line.strip() or PAGE_NUMBER.match(line) is not None


def canonical_line(line: str) -> str:
    """The line without invisible characters, a manual line break (a vertical tab: Word's
    Shift+Enter) joined as two lines are (nothing between Japanese, a space between ASCII
    words), every other kind of space an ASCII space, each letter written decomposed composed."""
    line = INVISIBLE.sub("", line)
    if MANUAL_BREAK in line:
        line = _joined_manual_breaks(line)
    return DECOMPOSED.sub(lambda m: unicodedata.normalize("NFC", m[0]), SPACES.sub(" ", line))


def _joined_manual_breaks(line: str) -> str:
    parts = line.split(MANUAL_BREAK)
    joined = parts[0]
    for part in parts[1:]:
        if joined_by_a_space(joined, part):
            joined += " "
        joined += part
    return joined


def _check_cells(number: int, line: str, memo: _Memo, path: str | None) -> None:
    """The cells of a plain line as printed; those of an HTML line as read from its markup."""
    if HTML_START.search(line):
        cells = [cell for row in _html_rows(number, line, memo)[0] for cell in row.values]
    else:
        cells = _split_cells(line, memo)
    longest = max(map(len, cells), default=0)
    if longest > MAX_VALUE_CHARS:
        raise ExtractionError(f"a cell of {longest:,} characters: longer than the limit of "
                              f"{MAX_VALUE_CHARS:,} (is this a plan's text?)", path, number)


def _tab_width(text: str) -> tuple[int, bool]:
    """The most common length of a run of spaces standing for a tab (the shortest of equals),
    and whether the text is laid out with spaces (pdftotext -layout): some run is no multiple
    of it, so the runs stand for positions, not for a count of tabs."""
    if "  " not in text:
        return 1, False
    counts = Counter(len(run) for run in SPACE_RUN.findall(text))
    width = min(counts, key=lambda length: (-counts[length], length))
    return width, any(length % width for length in counts)


class _Memo:
    """Cleaned lines and cells of one document by their raw text: labels, table headers
    and table echoes repeat the same lines and cells many times."""

    def __init__(self, tab_width: int = 1, laid_out: bool = False):
        self.tab, self.laid_out = tab_width, laid_out
        self.cells: dict[str, tuple[str, list[str]]] = {}   # raw cell -> clean_text(cell)
        self.rows: dict[str, Row] = {}      # plain line (no rule, no HTML) -> its first row

    def clean(self, cell: str) -> tuple[str, list[str]]:
        """clean_text(cell), computed once per distinct cell."""
        cleaned = self.cells.get(cell)
        if cleaned is None:
            cleaned = self.cells[cell] = clean_text(cell)
        return cleaned


def _plain_row(number: int, line: str, memo: _Memo) -> Row:
    """A tab- or pipe-separated table row, or a loose line of text (one cell)."""
    spans, uneven = None, False
    if memo.laid_out and "\t" not in line and "|" not in line:     # (one cell too: `継続` alone)
        raw, spans, uneven = _laid_out_cells(line, memo.tab)
    else:
        raw = _split_cells(line, memo)
    cells, terms, _ = _clean_cells(raw, memo)
    kind = "blank" if not any(cells) else ("tab" if len(raw) > 1 else "text")
    return Row(number, kind, cells, raw, terms, spans=spans, uneven=uneven)


def _laid_out_cells(line: str, tab: int) -> tuple[list[str], list[tuple[int, int] | None], bool]:
    """The raw cells of a line laid out with spaces alone, split as _split_cells splits it (a
    run of n spaces is round(n / tab) column breaks), where each cell is (Row.spans), and
    whether a run is no multiple of tab (Row.uneven)."""
    cells: list[str] = []
    spans: list[tuple[int, int] | None] = []
    column = start = 0
    uneven = False
    for run in SPACE_RUN.finditer(line):
        column = _add_cell(line[start:run.start()], column, cells, spans)
        uneven = uneven or len(run[0]) % tab != 0
        breaks = max(1, round(len(run[0]) / tab))
        cells += [""] * (breaks - 1)
        spans += [None] * (breaks - 1)
        column += len(run[0])
        start = run.end()
    _add_cell(line[start:], column, cells, spans)
    return cells, spans, uneven


def _add_cell(text: str, column: int, cells: list[str],
              spans: list[tuple[int, int] | None]) -> int:
    """Add a cell starting at a display column; the column after it."""
    width = len(text) if text.isascii() else sum(
        2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    cells.append(text)
    spans.append((column, column + width) if text else None)
    return column + width


def _split_cells(line: str, memo: _Memo) -> list[str]:
    """The raw cells of a plain line: tab-, space-run- or pipe-separated, else the line. Tabs
    (or space runs) only at the ends of a pipe-separated line pad it: it is split at its pipes."""
    if "  " in line:
        line = SPACE_RUN.sub(lambda run: "\t" * max(1, round(len(run[0]) / memo.tab)), line)
    if "|" in line:
        inner = line.strip("\t")
        if "\t" not in inner and PIPE.search(inner):
            return PIPE.split(inner)
    return line.split("\t")


def _clean_cells(raw: list[str], memo: _Memo) -> tuple[list[str], list[str], list[int]]:
    """Cleaned cells, their glossary terms and the index of each term's cell; a rule line's
    cells joined to the row blanked."""
    cells, terms, owners = [], [], []
    raw, rule = _joined_rule(raw)
    for index, cell in enumerate(raw):
        if index in rule:               # layout, never content
            cells.append("")
            continue
        cleaned = memo.cells.get(cell) or memo.clean(cell)
        cells.append(cleaned[0])
        if cleaned[1]:
            terms.extend(cleaned[1])
            owners.extend([index] * len(cleaned[1]))
    return cells, terms, owners


def _may_hold_a_rule(text: str) -> bool:
    """Whether the text holds three dashes of a rule in a row (a quick test before the regex)."""
    return "---" in text or "－－－" in text


def _joined_rule(raw: list[str]) -> tuple[list[str], set[int]]:
    """The cells of a rule line (`----`, two or more) that a converter left at the start or
    the end of a row, its line end lost; a single `---` cell is content (it may mean none).
    Returns the row, the dashes of the rule's first (last) cell taken off the cell they were
    glued to when nothing was left between the lines (`行政情報の基盤整備----`), and the rule's
    cells."""
    if not _may_hold_a_rule("".join(raw)):
        return raw, set()
    found: set[int] = set()
    raw = list(raw)
    for order, glued in ((range(len(raw)), LEADING_RULE),
                         (range(len(raw) - 1, -1, -1), TRAILING_RULE)):
        run, boundary = [], None
        for index in order:
            if RULE_CELL.match(raw[index]):
                run.append(index)
            elif raw[index].strip():
                boundary = index
                break
        if len(run) >= 2:
            found.update(run)
            if boundary is not None:
                raw[boundary] = glued.sub("", raw[boundary])
    return raw, found


def _html_rows(number: int, line: str, memo: _Memo) -> tuple[list[Row], list[str]]:
    """Rows of a line holding an HTML fragment, and the table cells its echo will repeat. The
    line may be several joined by line breaks (a table cut over them): each row is numbered
    with the line it starts on, and its cells and terms with theirs (Row.cut)."""
    start = HTML_START.search(line).start()
    end = last_end_tag(line)
    prefix, fragment, suffix = line[:start], line[start:end], line[end:]
    rows = []
    if prefix.strip():
        rows.append(_plain_row(number, prefix, memo))
    parser = FragmentParser()
    parser.read(fragment)
    parser.close()
    echo: list[str] = []
    for kind, content, first, last in parser.blocks:
        if kind == "text":          # (a page's number between dashes: furniture, as on a line)
            text, terms = memo.clean(content)
            if text and not PAGE_NUMBER.match(content):
                cut = CellLines(None, None, None, number + last) if last > first else None
                rows.append(Row(number + first, "text", [text], [content], terms, cut=cut))
        else:
            rows.append(_table_row(number, first, last, content, memo))
            echo.extend(cell for cell in rows[-1].cells if cell)
    tail = _plain_row(number + line.count("\n", 0, end), suffix.replace("\n", " "), memo)
    if "\n" in suffix:     # (a table whose end is lost, read as text)
        tail.cut = CellLines(None, None, None, number + line.count("\n"))
    if not tail.blank and not _echoes(echo, tail.values):
        rows.append(tail)
    return rows, echo


def _table_row(number: int, first: int, last: int, content: list[list[Cell]],
               memo: _Memo) -> Row:
    """The row of a table of a line numbered `number` (several joined: its lines first to last
    after it), made of its rows of cells (each cell's line counted after `number`). Its grid
    repeats a cell in each column it spans (a schedule's phase runs through its years) and
    leaves empty a column that a cell of a row above spans down into."""
    grid, raw, printed, terms = [], [], [], []
    cell_lines: list[int] = []
    term_lines: list[int] = []
    grid_lines: list[list[int]] = []
    for raw_row, slots in zip(content, table_slots(content)):
        row_raw = [cell.text for cell in raw_row]
        raw += row_raw
        cells, found, owners = _clean_cells(row_raw, memo)
        terms.extend(found)
        printed += cells
        grid.append(["" if index is None else cells[index] for index in slots])
        if last > first:
            cell_lines += [number + cell.line for cell in raw_row]
            term_lines += [number + raw_row[index].line for index in owners]
            grid_lines.append([number + (first if index is None else raw_row[index].line)
                               for index in slots])
    cut = CellLines(cell_lines, term_lines, grid_lines, number + last) if last > first else None
    return Row(number + first, "table", printed, raw, terms, grid, cut=cut)


def _echoes(echo: list[str], values: list[str]) -> bool:
    """True when a row's cells are the next cells of a table's echo: equal, or differing only
    in spaces and line breaks (a `<br>` in a cell, joined as a line break is, or kept between
    a list's items, that the echo prints as a space)."""
    head = echo[: len(values)]
    return head == values or len(head) == len(values) and all(
        "".join(cell.split()) == "".join(value.split()) for cell, value in zip(head, values))
