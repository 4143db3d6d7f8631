"""HTML fragment reader: the text blocks and tables of a `<p>`, `<div>` or `<table>` fragment of
a line (or of several lines joined, a table the converter cut over them), each numbered with
the lines it starts and ends on. Cell texts stay as printed but for their line breaks (joined
by cell_text); the layout reader cleans them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from ..normalize import (APART_BETWEEN_DIGITS, HTML_ELEMENT_NAMES, HTML_TAG,
                         INLINE_ELEMENT_NAMES, UrlEnd, digits_meet, escape_incomplete_references)
from ..paragraphs import line_separator

HTML_END = re.compile(r"</(?:p|div|table|span)\s*>", re.IGNORECASE)
# Plain markup read without HTMLParser: end tags and start tags whose attributes are
# double-quoted without entities. A fragment with anything else goes to HTMLParser.
PLAIN_TAG = re.compile(r'<(?:/([a-zA-Z][a-zA-Z0-9]*) *|([a-zA-Z][a-zA-Z0-9]*)'
                       r'((?: +[a-zA-Z][a-zA-Z0-9-]*="[^"<>&]*")*) *(/?))>')
PLAIN_ATTR = re.compile(r' +([a-zA-Z][a-zA-Z0-9-]*)="([^"]*)"')
RAW_TEXT_TAG = re.compile(r"<(?:script|style)[ />]", re.IGNORECASE)    # content is not markup
# A "<": html.parser read `「a<b」…` or `(x<y and z>w)` as a tag up to the next ">", the text in it
# lost. One that begins no HTML tag (normalize.HTML_TAG: an element's name, then attributes) or
# comment is text, as on a plain line.
LESS_THAN = re.compile("<")
MAX_SPAN = 100              # a colspan or rowspan beyond this (or none, or 0) counts as 1


@dataclass
class Cell:
    """A table cell as printed: its text, the columns and rows it spans, and its line (counted
    from the fragment's first)."""

    text: str
    columns: int = 1
    rows: int = 1
    line: int = 0


def table_slots(table: list[list[Cell]]) -> list[list[int | None]]:
    """Each row's columns as HTML lays the table out: the index in the row of the cell in each
    column it spans, None where a cell of a row above spans down into it (printed there, once).
    Without this a cell spanning rows moved the cells after it in the next rows one column to
    the left: a schedule's phase went under the year before its own."""
    below: dict[int, int] = {}              # column -> rows a cell above still covers
    laid = []
    for row in table:
        slots: list[int | None] = []
        for index, cell in enumerate(row):
            while below.get(len(slots)):
                _cover(slots, below)
            for _ in range(cell.columns):
                if cell.rows > 1:
                    below[len(slots)] = cell.rows - 1
                slots.append(index)
        while any(rows and column >= len(slots) for column, rows in below.items()):
            _cover(slots, below)
        laid.append(slots)
    return laid


def _cover(slots: list[int | None], below: dict[int, int]) -> None:
    """A row's next column left empty: a cell above covers it (one row less), or a cell above
    covers a column after it."""
    if below.get(len(slots)):
        below[len(slots)] -= 1
    slots.append(None)


def last_end_tag(line: str) -> int:
    """Where the last block end tag (`</table>` …) of a line ends; the line's end if none."""
    start = line.rfind("</")
    while start >= 0:
        if match := HTML_END.match(line, start):
            return match.end()
        start = line.rfind("</", 0, start)
    return len(line)


def cell_text(parts: list[str]) -> str:
    """A table cell's text; its lines (broken by `<br>`) joined as a paragraph's are: `現状値<br>
    (H26年3月末)` is `現状値(H26年3月末)`, `LGWAN<br>ASP` (or full-width) is `LGWAN ASP`, a
    list's items (`・調査<br>・設計`) one per line. Nothing is dropped: a cell breaks no page, so
    a line starting as the last ends (`県、市町村<br>市町村教育委員会`) is no page-break echo."""
    text = "".join(parts)
    if "\n" not in text:
        return text
    joined = ""
    for line in text.split("\n"):
        if line := line.strip():
            joined += line_separator(joined, line) + line
    return joined


def _elements_only(parts: list[str]) -> bool:
    """True when every tag PLAIN_TAG split a fragment at names an HTML element (`<x>` is text)."""
    return all((end or start).lower() in HTML_ELEMENT_NAMES
               for end, start in zip(parts[1::5], parts[2::5]))


def _tag_or_text(less_than: re.Match) -> str:
    """A `<` as it is when it begins a tag or a comment, else escaped as text."""
    text, start = less_than.string, less_than.start()
    return "<" if HTML_TAG.match(text, start) or text.startswith("<!", start) else "&lt;"


class FragmentParser(HTMLParser):
    """Collects text blocks (p, div, loose text) and tables (rows of Cell; a table inside a
    cell is that cell's lines), each with the lines it starts and ends on
    (counted from 0: a fragment of several lines joined by line breaks, each read as a space;
    a cell's line is that of its first text).
    Character references stay as printed: clean_text decodes them, once (decoded here too,
    `&lt;b&gt;` became a tag and was dropped, `&amp;copy;` became ©)."""

    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[str, object, int, int]] = []
        self.text: list[str] = []
        self.table: list[list[Cell]] | None = None
        self.cell: list[str] | None = None
        self.spans = (1, 1)     # (columns, rows) of the cell being read
        self.start = 0          # the line the table being read starts on
        self.first: int | None = None   # the line of the first text of a cell or text block
        self.nested = 0         # tables open inside a cell of the table being read
        self.lines = False      # the fragment holds several lines (else all is on line 0)
        self.url_end = UrlEnd()     # whether the text read so far ends inside a URL
        self.apart: str | None = None   # the text before a <sup> or <sub> (digits_meet)

    def _line(self, data: str = "") -> int:
        """The line of what is being read, counted from 0: of its first character that is no
        space in data."""
        if not self.lines:
            return 0
        return self.getpos()[0] - 1 + data[:len(data) - len(data.lstrip())].count("\n")

    def read(self, fragment: str) -> None:
        """feed() with a fast path: plain markup is split here, making the same tag calls
        and passing the same text as HTMLParser would: an `&` that begins no complete
        reference in its own text escaped, so that no reference is made of the text on both
        sides of a tag (`&reg<sup>;`)."""
        parts = PLAIN_TAG.split(fragment)   # data, then the 4 groups of a tag, ..., data
        if fragment.count("<") != len(parts) // 5 or RAW_TEXT_TAG.search(fragment) \
                or not _elements_only(parts) or "\n" in fragment:
            # a "<" that starts no plain tag, script/style, or lines to number (its getpos):
            # html.parser's, which reads a legacy name without its ";" (`&region=` as
            # `&reg;ion=`), so such an "&" is escaped first
            self.lines = "\n" in fragment
            self.feed(LESS_THAN.sub(_tag_or_text, escape_incomplete_references(fragment)))
            return
        tokens = iter(parts)
        for data, end, start, attrs, empty in zip(tokens, tokens, tokens, tokens, tokens):
            if data:
                self.handle_data(escape_incomplete_references(data))
            if end:
                self.handle_endtag(end.lower())
                continue
            start = start.lower()
            cell = start in ("td", "th")    # only table cells use attributes (their spans)
            self.handle_starttag(start, [(key.lower(), value) for key, value in
                                         PLAIN_ATTR.findall(attrs)] if attrs and cell else [])
            if empty:
                self.handle_endtag(start)
        if parts[-1]:
            self.handle_data(escape_incomplete_references(parts[-1]))

    def handle_starttag(self, tag, attrs):
        if tag not in INLINE_ELEMENT_NAMES:     # (a cell's, a block's tag: no URL goes on)
            self.url_end.add("\n")
        if self.table is not None and (self.nested or tag == "table") and \
                tag in ("table", "tr", "td", "th"):
            self._nested(tag, +1)
        elif tag == "table":
            self._flush_text()
            self.table, self.start = [], self._line()
        elif tag in ("tr", "td", "th") and self.table is not None:
            self._end_cell()                # (its end tag, which HTML lets a page leave out)
            self._flush_text()              # text outside the cells: a block before the table
            if tag == "tr":
                self.table.append([])
            else:
                self.cell, self.first = [], None
                attrs = dict(attrs)
                self.spans = (_span(attrs.get("colspan")), _span(attrs.get("rowspan")))
        elif tag in self.BLOCKS:
            self._break()
        elif tag == "a":
            self._link_tag()
        elif tag in APART_BETWEEN_DIGITS:
            self.apart = self._text_so_far()

    def _text_so_far(self) -> str:
        """The last piece of text of the cell or block being read."""
        pieces = self.cell if self.cell is not None else self.text
        return next((piece for piece in reversed(pieces) if piece), "")

    def handle_endtag(self, tag):
        if tag not in INLINE_ELEMENT_NAMES:
            self.url_end.add("\n")
        if self.nested and tag in ("table", "tr", "td", "th"):
            self._nested(tag, -1)
        elif tag in ("td", "th", "tr", "table") and self.table is not None:
            self._end_cell()
            self._flush_text()
            if tag == "table":
                self.blocks.append(("table", self.table, self.start, self._line()))
                self.table = None
        elif tag in self.BLOCKS:
            self._break()
        elif tag == "a":
            self._link_tag()

    def _link_tag(self):
        """A link's tag after a URL: a space, as on a plain line (normalize.strip_html), for it
        is all that ends the URL (`…/x</a>を参照`); any other link's tag goes without a trace."""
        if self.url_end.ends_a_url("a"):
            self.handle_data(" ")

    def _nested(self, tag: str, opens: int) -> None:
        """A tag of a table inside a table's cell: its cells are the enclosing cell's lines (read
        as a table of its own, it dropped the cells before it and made the rest loose text)."""
        if tag == "table":
            self.nested += opens
            if self.cell is None:       # (not in a cell: one of its own, after the text before)
                self._flush_text()
                self.cell, self.first, self.spans = [], None, (1, 1)
        self.cell.append("\n")

    def _break(self):
        """A block's start or end: a line break inside a cell (joined at its end), else the
        end of a text block."""
        if self.cell is not None:
            self.cell.append("\n")
        else:
            self._flush_text()

    def _end_cell(self):
        if self.cell is not None:
            if not self.table:
                self.table.append([])
            line = self._line() if self.first is None else self.first
            self.table[-1].append(Cell(cell_text(self.cell), *self.spans, line))
            self.cell = self.first = None

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")

    def handle_data(self, data):
        if self.apart is not None and data:
            before, self.apart = self.apart, None
            if digits_meet(before, data):
                data = " " + data
        self.url_end.add(data)
        if self.first is None and data.strip():
            self.first = self._line(data)
        if "\n" in data:                # lines joined (a table cut over them): a space
            data = data.replace("\n", " ")
        if self.cell is not None:
            self.cell.append(data)
        else:       # (in a table, outside its cells: a caption, or a page's furniture)
            self.text.append(data)

    def close(self):
        super().close()
        if self.table is not None:
            self._end_cell()
            self.blocks.append(("table", self.table, self.start, self._line()))
            self.table = None
        self._flush_text()

    def _flush_text(self):
        if not self.text:
            return
        text = "".join(self.text).strip()
        if text:
            self.blocks.append(("text", text, self.first, self._line()))
        self.text, self.first = [], None


def _span(value: str | None) -> int:
    """A colspan or rowspan attribute's number of columns or rows."""
    return int(value) if value and value.isdigit() and 0 < int(value) < MAX_SPAN else 1
