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
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..normalize import clean_text

HTML_START = re.compile(r"<(?:p|div|table|span)\b", re.IGNORECASE)
HTML_END = re.compile(r"</(?:p|div|table|span)\s*>", re.IGNORECASE)
PIPE = re.compile(r"\s+\|\s+")
RULE_LINE = re.compile(r"^[\s|:]*-{3,}[\s|:-]*$")


@dataclass
class Row:
    """One logical row of the source: its line number, cleaned cells and glossary terms."""

    line: int
    kind: str                         # tab | text | table | blank
    cells: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    grid: list[list[str]] | None = None   # table rows, colspans expanded

    # Rows are not changed once read: their non-empty cells and text are computed once.
    values: list[str] = field(init=False, repr=False)   # non-empty cells in reading order
    text: str = field(init=False, repr=False)
    blank: bool = field(init=False, repr=False)

    def __post_init__(self):
        if self.grid is not None:
            self.values = [cell for row in self.grid for cell in row if cell]
        else:
            self.values = [cell for cell in self.cells if cell]
        self.text = " ".join(self.values)
        self.blank = not self.values


def read_rows(text: str) -> list[Row]:
    """All rows of a document, in order; table echoes and rule lines removed."""
    rows: list[Row] = []
    echo: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        if RULE_LINE.match(line):
            continue
        if HTML_START.search(line):
            line_rows, echo = _html_rows(number, line)
            rows.extend(line_rows)
            continue
        row = _plain_row(number, line)
        if echo and row.values and echo[: len(row.values)] == row.values:
            echo = echo[len(row.values):]
            continue
        if not row.blank:
            echo = []
        rows.append(row)
    return rows


def _plain_row(number: int, line: str) -> Row:
    """A tab- or pipe-separated table row, or a loose line of text (one cell)."""
    if "\t" in line:
        raw = line.split("\t")
    elif PIPE.search(line):
        raw = PIPE.split(line)
    else:
        raw = [line]
    cells, terms = _clean_cells(raw)
    kind = "blank" if not any(cells) else ("tab" if len(raw) > 1 else "text")
    return Row(number, kind, cells, raw, terms)


def _clean_cells(raw: list[str]) -> tuple[list[str], list[str]]:
    cells, terms = [], []
    for cell in raw:
        text, found = clean_text(cell)
        cells.append(text)
        terms.extend(found)
    return cells, terms


def _html_rows(number: int, line: str) -> tuple[list[Row], list[str]]:
    """Rows of a line holding an HTML fragment, and the table cells its echo will repeat."""
    start = HTML_START.search(line).start()
    ends = list(HTML_END.finditer(line))
    end = ends[-1].end() if ends else len(line)
    prefix, fragment, suffix = line[:start], line[start:end], line[end:]
    rows = []
    if prefix.strip():
        rows.append(_plain_row(number, prefix))
    parser = _FragmentParser()
    parser.feed(fragment)
    parser.close()
    echo: list[str] = []
    for kind, content in parser.blocks:
        if kind == "text":
            text, terms = clean_text(content)
            if text:
                rows.append(Row(number, "text", [text], [content], terms))
        else:
            grid, terms = [], []
            for raw_row in content:
                cells, found = _clean_cells([cell for cell, _ in raw_row])
                terms.extend(found)
                echo.extend(cell for cell in cells if cell)
                grid.append([cell for cell, (_, span) in zip(cells, raw_row) for _ in range(span)])
            rows.append(Row(number, "table", [], [], terms, grid))
    tail = _plain_row(number, suffix)
    if not tail.blank and echo[: len(tail.values)] != tail.values:
        rows.append(tail)
    return rows, echo


class _FragmentParser(HTMLParser):
    """Collects text blocks (p, div, loose text) and tables (rows of (text, colspan))."""

    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, object]] = []
        self.text: list[str] = []
        self.table: list[list[tuple[str, int]]] | None = None
        self.cell: list[str] | None = None
        self.span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._flush_text()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
            span = dict(attrs).get("colspan") or "1"
            self.span = int(span) if span.isdigit() and 0 < int(span) < 100 else 1
        elif tag in self.BLOCKS and self.table is None:
            self._flush_text()

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.table is not None:
            if not self.table:
                self.table.append([])
            self.table[-1].append(("".join(self.cell), self.span))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(("table", self.table))
            self.table = None
        elif tag in self.BLOCKS and self.table is None:
            self._flush_text()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        elif self.table is None:
            self.text.append(data)

    def close(self):
        super().close()
        if self.table is not None:
            self.blocks.append(("table", self.table))
            self.table = None
        self._flush_text()

    def _flush_text(self):
        text = "".join(self.text).strip()
        if text:
            self.blocks.append(("text", text))
        self.text = []
