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
per text cell), with a mark for their row numbers, so that a plan's rows render the same
wherever they stand (pieces.py keeps them between runs); they are numbered as they are
streamed into the zip. Reproducible: the document properties carry the
publication's `created` time and every zip member has a fixed date.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

from ..errors import PipelineError
from ..schema import csv_cells
from . import xlsxparts
from .xlsxparts import DATE, HEADER, TEXT, WRAP

XLSX_SUFFIX = ".xlsx"
ABOUT_SHEET = "説明"
CELL_MAX = 32_767            # the most characters an Excel cell holds
WIDTH_MIN, WIDTH_MAX = 6, 60  # column widths in characters of the default font
WIDTH_SAMPLE = 2_000          # rows measured for the column widths
BLOCK = 2_000                 # rows rendered (and numbered) at a time
ROW_MARK = "\x00"   # stands for a row's number in sheet_rows (never in a cell: written _x0000_)
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


def write_xlsx(path: Path, schema: dict, rows: list[dict], sheet: Iterable[str],
               license: dict, credit: str, created: str) -> None:
    """The workbook of one table: `rows` are its records as {column: value}, `sheet` the same
    rows' <row> elements from sheet_rows (in table order, joined from pieces of any size)."""
    fields = schema["fields"]
    title = SHEET_NAME_JUNK.sub("_", schema["title"])[:31]
    last = f"{column_letter(len(fields) - 1)}{max(len(rows), 1) + 1}"   # autofilter's corner
    parts = xlsxparts.package_parts(title, ABOUT_SHEET, last, schema["title"], credit,
                                    _moment(created))
    widths = _widths(fields, csv_cells(schema, rows[:WIDTH_SAMPLE]))
    with zipfile.ZipFile(path, "w") as package:
        for name, text in parts.items():
            _member(package, name, text)
        with package.open(_info("xl/worksheets/sheet1.xml"), "w") as part:
            part.write(xlsxparts.sheet_head(widths, [_is_text(f) for f in fields],
                                            f"A1:{last}", frozen=True).encode())
            part.write(_row(1, [_text_cell(f"{column_letter(c)}1", f["title"], HEADER)
                                for c, f in enumerate(fields)]).encode())
            numbered = zip(itertools.count(2), sheet)
            while block := list(itertools.islice(numbered, BLOCK)):
                part.write("".join(row.replace(ROW_MARK, str(n)) for n, row in block).encode())
            part.write(xlsxparts.sheet_tail(f"A1:{last}").encode())
        _member(package, "xl/worksheets/sheet2.xml", _about_sheet(schema, license, credit))


def sheet_rows(schema: dict, rows: list[dict], cells: list[list[str]], first: int = 0) -> list[str]:
    """The worksheet's <row> elements of rows (`cells`: the same rows as CSV cells, which the
    text columns show), their row number left as ROW_MARK: the same rows render the same
    wherever they stand in the table. `first`: the table row of rows[0], for an error's
    message. Rendered BLOCK rows at a time, column by column."""
    rendered = []
    for start in range(0, len(rows), BLOCK):
        stop = min(start + BLOCK, len(rows))
        columns = []
        for index, field in enumerate(schema["fields"]):
            head = f'<c r="{column_letter(index)}{ROW_MARK}"'
            if _is_text(field):
                texts = [row[index] for row in cells[start:stop]]
                _check_lengths(schema, field, texts, first + start)
                columns.append(_text_column(head, texts))
            else:
                values = [row[field["name"]] for row in rows[start:stop]]
                columns.append(_typed_column(schema, field, head, values))
        rendered += [f'<row r="{ROW_MARK}">{"".join(row)}</row>' for row in zip(*columns)]
    return rendered


def _text_column(head: str, texts: list[str]) -> list[str]:
    """The cells of a text column ("": no cell). Characters to escape, then whitespace at
    either end of a cell, are looked for once in the whole block: most blocks have neither."""
    if _ESCAPABLE.search("\n".join(texts)) is not None:
        return [f'{head} s="{TEXT}" t="inlineStr">{_inline(t)}</c>' if t else "" for t in texts]
    if _EDGE_SPACE.search("\x00".join(texts)) is not None:     # \x00: escapable, so in no text
        return [f'{head} s="{TEXT}" t="inlineStr"><is>'
                f'<t{PRESERVE if t[0].isspace() or t[-1].isspace() else ""}>{t}</t></is></c>'
                if t else "" for t in texts]
    start, end = f'{head} s="{TEXT}" t="inlineStr"><is><t>', "</t></is></c>"
    return [start + t + end if t else "" for t in texts]


def _typed_column(schema: dict, field: dict, head: str, values: list) -> list[str]:
    """The cells of a number, date or boolean column (None: no cell)."""
    kind = field["type"]
    if kind == "date":
        return [f'{head} s="{DATE}"><v>{v.toordinal() - DAY_ZERO}</v></c>'
                if v is not None else "" for v in values]
    if kind == "boolean":
        return [f'{head} t="b"><v>{int(v)}</v></c>' if v is not None else "" for v in values]
    present = [v for v in values if v is not None]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present) or \
            not all(map(math.isfinite, present)):
        raise PipelineError(f"{schema['name']} column {field['name']}: a value that is not a "
                            "finite number cannot be an Excel number")
    return [f'{head}><v>{v!r}</v></c>' if v is not None else "" for v in values]


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


def _check_lengths(schema: dict, field: dict, texts: list[str], start: int) -> None:
    if texts and max(map(len, texts)) > CELL_MAX:
        row = next(i for i, t in enumerate(texts) if len(t) > CELL_MAX)
        raise PipelineError(f"{schema['name']} row {start + row + 1} column {field['name']}: "
                            f"{len(texts[row])} characters, more than an Excel cell holds "
                            f"({CELL_MAX})")


def _member(package: zipfile.ZipFile, name: str, text: str) -> None:
    package.writestr(_info(name), text.encode())


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = ZIP_LEVEL         # what ZipFile(compresslevel=) sets, for a ZipInfo given
    info.external_attr = 0o600 << 16
    return info


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
