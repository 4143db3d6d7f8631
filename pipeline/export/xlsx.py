"""Excel workbooks (.xlsx): one per table, for staff who open files in Excel, typed from the
Table Schema so that Excel never guesses.

- sheet 1 (the table's Japanese title): a header row of Japanese column titles, frozen, with an
  autofilter; ids and every text or list column as text cells (`2-1-12` stays `2-1-12`, never
  the date 2002/1/12; text is never run as a formula), integers and numbers as numbers, dates
  as dates shown `yyyy-mm-dd`; column widths from the longest cells;
- sheet 2 `説明` (about): title, description, licence, attribution (出典) and, per column, its
  name, Japanese title, type and description.

Written here as SpreadsheetML (ECMA-376 Part 1, §18): a zip of XML parts with inline-string
cells. The worksheet's rows are rendered a block at a time, column by column (one escape check
per text cell), and compressed a run of rows at a time (sheet_piece): the worksheet is joined
from those pieces (zipstream.py), which workbooks.py keeps between runs. Reproducible: the
document properties carry the publication's `created` time and every zip member has a fixed
date.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

from ..errors import PipelineError
from ..model import EXCEL_CELL_MAX, EXCEL_CUT_MARK, excel_length
from ..schema import csv_cells
from . import xlsxparts
from .xlsxparts import DATE, HEADER, TEXT, WRAP
from .zipstream import Deflated, deflate, joined, write_zip

XLSX_SUFFIX = ".xlsx"
ABOUT_SHEET = "説明"
CELL_MAX = EXCEL_CELL_MAX    # the most characters an Excel cell holds
WIDTH_MIN, WIDTH_MAX = 6, 60  # column widths in characters of the default font
WIDTH_SAMPLE = 2_000          # rows measured for the column widths
BLOCK = 2_000                 # rows rendered at a time
NUMBER_TYPES = {"integer", "number"}
SHEET_NAME_JUNK = re.compile(r"[\[\]:*?/\\]")
TYPE_TITLES = {"string": "文字列", "integer": "整数", "number": "数値", "date": "日付",
               "list": "文字列（; 区切りのリスト）", "boolean": "真偽値"}
DAY_ZERO = date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system, after its 1900-02-29)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)           # every member's date: the same bytes on every run
ZIP_LEVEL = 1      # deflate level: 6 makes the workbooks ~25% smaller for twice the CPU

# A cell text that needs more than wrapping in <t>: XML's own characters, control characters
# and non-characters (written _xHHHH_), a literal _xHHHH_ (its underscore escaped, so that
# Excel reads it back unchanged), or leading or trailing whitespace (kept by xml:space).
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\s|\s\Z")
_ESCAPABLE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff_]")   # any of those but whitespace
PRESERVE = ' xml:space="preserve"'
_EDGE_SPACE = re.compile(r"\A\s|\s\x00|\x00\s|\s\Z")    # in texts joined by \x00


def write_xlsx(path: Path, schema: dict, rows: list[dict], sheet: list[Deflated],
               license: dict, credit: str, created: str) -> tuple[int, str]:
    """The workbook of one table: `rows` are its records as {column: value}, `sheet` the same
    rows' compressed pieces from sheet_piece, in table order. Returns the file's size and
    SHA-256."""
    fields = schema["fields"]
    title = SHEET_NAME_JUNK.sub("_", schema["title"])[:31]
    last = f"{column_letter(len(fields) - 1)}{max(len(rows), 1) + 1}"   # autofilter's corner
    parts = xlsxparts.package_parts(title, ABOUT_SHEET, last, schema["title"], credit,
                                    _moment(created))
    widths = _widths(fields, csv_cells(schema, rows[:WIDTH_SAMPLE]))
    head = xlsxparts.sheet_head(widths, [_is_text(f) for f in fields], f"A1:{last}", frozen=True) \
        + _row(1, [_text_cell(f"{column_letter(c)}1", f["title"], HEADER)
                   for c, f in enumerate(fields)])
    members = [(name, _member(text)) for name, text in parts.items()]
    members.append(("xl/worksheets/sheet1.xml", joined(
        [deflate(head.encode(), ZIP_LEVEL), *sheet,
         deflate(xlsxparts.sheet_tail(f"A1:{last}").encode(), ZIP_LEVEL)])))
    members.append(("xl/worksheets/sheet2.xml", _member(_about_sheet(schema, license, credit))))
    return write_zip(path, members, ZIP_DATE)


def sheet_piece(schema: dict, rows: list[dict], cells: list[list[str]], first: int) -> Deflated:
    """Rows rows[0] of which is row `first` of the table (0: the first after the header),
    rendered (sheet_rows) and compressed as one piece of the worksheet."""
    return deflate("".join(sheet_rows(schema, rows, cells, first)).encode(), ZIP_LEVEL)


def sheet_rows(schema: dict, rows: list[dict], cells: list[list[str]], first: int = 0) -> list[str]:
    """The worksheet's <row> elements of rows (`cells`: the same rows as CSV cells, which the
    text columns show); rows[0] is row `first` of the table (0: the first after the header),
    which numbers them and an error's message. Rendered BLOCK rows at a time, column by
    column."""
    rendered = []
    for start in range(0, len(rows), BLOCK):
        stop = min(start + BLOCK, len(rows))
        numbers = range(first + start + 2, first + stop + 2)    # the header is row 1
        columns = []
        for index, field in enumerate(schema["fields"]):
            letter = column_letter(index)
            heads = [f'<c r="{letter}{n}"' for n in numbers]
            if _is_text(field):
                texts = [row[index] for row in cells[start:stop]]
                if max(map(len, texts), default=0) * 2 > CELL_MAX:     # (UTF-16: 2 units at most)
                    texts = list(map(fitted, texts))
                columns.append(_text_column(heads, texts))
            else:
                values = [row[field["name"]] for row in rows[start:stop]]
                columns.append(_typed_column(schema, field, heads, values))
        rendered += [f'<row r="{n}">{"".join(row)}</row>' for n, *row in zip(numbers, *columns)]
    return rendered


def _text_column(heads: list[str], texts: list[str]) -> list[str]:
    """The cells of a text column ("": no cell), each opened by its head (`<c r="A2"`).
    Characters to escape, then whitespace at either end of a cell, are looked for once in the
    whole block: most blocks have neither."""
    if _ESCAPABLE.search("\n".join(texts)) is not None:
        return [f'{h} s="{TEXT}" t="inlineStr">{_inline(t)}</c>' if t else ""
                for h, t in zip(heads, texts)]
    if _EDGE_SPACE.search("\x00".join(texts)) is not None:     # \x00: escapable, so in no text
        return [f'{h} s="{TEXT}" t="inlineStr"><is>'
                f'<t{PRESERVE if t[0].isspace() or t[-1].isspace() else ""}>{t}</t></is></c>'
                if t else "" for h, t in zip(heads, texts)]
    start, end = f' s="{TEXT}" t="inlineStr"><is><t>', "</t></is></c>"
    return [h + start + t + end if t else "" for h, t in zip(heads, texts)]


def _typed_column(schema: dict, field: dict, heads: list[str], values: list) -> list[str]:
    """The cells of a number, date or boolean column (None: no cell)."""
    kind = field["type"]
    if kind == "date":
        return [f'{h} s="{DATE}"><v>{v.toordinal() - DAY_ZERO}</v></c>'
                if v is not None else "" for h, v in zip(heads, values)]
    if kind == "boolean":
        return [f'{h} t="b"><v>{int(v)}</v></c>' if v is not None else ""
                for h, v in zip(heads, values)]
    present = [v for v in values if v is not None]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present) or \
            not all(map(math.isfinite, present)):
        raise PipelineError(f"{schema['name']} column {field['name']}: a value that is not a "
                            "finite number cannot be an Excel number")
    return [f'{h}><v>{v!r}</v></c>' if v is not None else "" for h, v in zip(heads, values)]


def _about_sheet(schema: dict, license: dict, credit: str) -> str:
    """Title, licence, attribution and the column descriptions of the Table Schema."""
    about = [("表", schema["title"]), ("説明", schema.get("description", "")),
             ("ライセンス", f"{license['title']}（{license['path']}）"),
             ("ライセンスの注記", license.get("description", "")), ("出典", credit)]
    rows = {n: [_text_cell(f"A{n}", label, HEADER), _text_cell(f"B{n}", value)]
            for n, (label, value) in enumerate(about, start=1)}
    start = len(about) + 2                       # after an empty row
    rows[start] = [_text_cell(f"{column_letter(c)}{start}", title, HEADER)
                   for c, title in enumerate(("列名", "項目名", "型", "説明"))]
    for n, field in enumerate(schema["fields"], start=start + 1):
        rows[n] = [_text_cell(f"A{n}", field["name"]), _text_cell(f"B{n}", field["title"]),
                   _text_cell(f"C{n}", TYPE_TITLES.get(field["type"], field["type"])),
                   _text_cell(f"D{n}", field.get("description", ""), WRAP)]
    return (xlsxparts.sheet_head([18, 28, 22, 80], [False] * 4, f"A1:D{max(rows)}", wrapped=3)
            + "".join(_row(n, cells) for n, cells in rows.items()) + xlsxparts.sheet_tail())


def column_letter(index: int) -> str:
    """A, B, …, Z, AA, … for the column at a zero-based index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row(number: int, cells) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr">{_inline(text)}</c>' if text else ""


def _inline(text: str) -> str:
    """A cell text as the <is> of an inline-string cell."""
    if _SPECIAL.search(text) is None:
        return f"<is><t>{text}</t></is>"
    space = PRESERVE if text[0].isspace() or text[-1].isspace() else ""
    return f"<is><t{space}>{xlsxparts.xml_text(text)}</t></is>"


def fitted(text: str) -> str:
    """The text as an Excel cell holds it: whole, or cut to end with EXCEL_CUT_MARK within
    CELL_MAX UTF-16 units (the CSV, JSON and the other formats hold it whole; extraction warns
    of it)."""
    if excel_length(text) <= CELL_MAX:
        return text
    budget = CELL_MAX - len(EXCEL_CUT_MARK)
    cut = text[:budget]
    if excel_length(cut) > budget:                  # characters beyond the BMP count two
        units = itertools.accumulate(2 if ord(c) > 0xFFFF else 1 for c in cut)
        cut = cut[:sum(1 for used in units if used <= budget)]
    return cut + EXCEL_CUT_MARK


def _member(text: str) -> Deflated:
    return joined([deflate(text.encode(), ZIP_LEVEL)])


def _is_text(field: dict) -> bool:
    return field["type"] not in NUMBER_TYPES | {"date", "boolean"}


def _widths(fields: list[dict], cells: list[list[str]]) -> list[float]:
    """Per column: the display width of the title or the longest of the first rows' cells
    (full-width characters count double), within WIDTH_MIN..WIDTH_MAX."""
    widths = []
    for index, field in enumerate(fields):
        longest = _display_width(field["title"])
        for row in cells[:WIDTH_SAMPLE]:
            text = row[index]
            if len(text) * 2 > longest and longest < WIDTH_MAX:  # else it cannot change the width
                longest = max(longest, _display_width(text[:WIDTH_MAX * 2]))
        widths.append(min(max(longest + 2, WIDTH_MIN), WIDTH_MAX))
    return widths


_CHAR_WIDTHS: dict[str, int] = {}     # character -> 2 (East Asian wide or full-width) or 1


def _display_width(text: str) -> int:
    try:
        return sum(map(_CHAR_WIDTHS.__getitem__, text))
    except KeyError:                    # characters not met before: looked up once each
        _CHAR_WIDTHS.update((c, 2 if unicodedata.east_asian_width(c) in "WF" else 1)
                            for c in set(text))
        return sum(map(_CHAR_WIDTHS.__getitem__, text))


def _moment(created: str) -> datetime:
    """The publication's `created` (ISO 8601 UTC, `Z`) as a naive UTC datetime."""
    moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
