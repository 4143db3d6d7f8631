"""CSV (UTF-8, header row of schema names, RFC 4180 line ends) and the Excel variant."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

EXCEL_SUFFIX = "-excel"      # resource name of the Excel variant: NAME-excel
FORMULA_FIRST = "=+-@\t\r"   # first characters that make Excel run a cell as a formula
# A cell that is a signed number alone (-5, +3, -5.25, -5%, -1,234) is no formula: Excel reads
# it as the number, so it keeps its sign unprefixed (ASCII digits: the same in text and bytes)
SIGNED_NUMBER = r"[+\-](?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?%?"
# In "," + a CSV line: a cell that may start with one, unless it is a signed number, bare or
# quoted (as one with a comma is), up to the cell's end (a false alarm only costs rendering the
# line again; a literal first character keeps the search fast)
FORMULA_CELL = re.compile(rf',(?!(?:{SIGNED_NUMBER}|"{SIGNED_NUMBER}")(?:,|\r\n|\Z))"?[=+\-@\t\r]')
FORMULA_CELL_UTF8 = re.compile(FORMULA_CELL.pattern.encode())   # the same, in UTF-8 bytes


def write_csv(path: Path, header: list[str], lines: list[str]) -> None:
    """The canonical CSV: a header row of schema names and the rows' lines (csv_lines)."""
    path.write_text(csv_text(header, []) + "".join(lines), encoding="utf-8", newline="")


def csv_text(header: list[str], cells) -> str:
    """What write_csv writes, as text, from a header and rows of cells."""
    return "".join(csv_lines(itertools.chain([header], cells)))


class _Lines(list):
    """A list that csv.writer can write to: each row's line becomes one item."""
    write = list.append


def csv_lines(cells) -> list[str]:
    """Each row of cells as its CSV line (RFC 4180 quoting, CRLF), rendered once: the combined
    table and each plan's slice are joined from the same lines."""
    lines = _Lines()
    csv.writer(lines, lineterminator="\r\n").writerows(cells)
    return lines


def excel_csv_text(schema: dict, cells: list[list[str]], lines: list[str]) -> str:
    """The Excel variant's text from the canonical cells and their lines (csv_lines)."""
    return excel_header(schema) + "".join(excel_lines(cells, lines))


def excel_header(schema: dict) -> str:
    """The header line of the Excel variant, for staff who open CSV in Excel: Japanese column
    titles (the file is UTF-8 with a BOM, its lines from excel_lines: cells that Excel would run
    as formulas neutralised with a leading apostrophe)."""
    return csv_lines([[f["title"] for f in schema["fields"]]])[0]


def excel_lines(cells: list[list[str]], lines: list[str]) -> list[str]:
    """Each row's Excel line: its canonical line, unless a cell of it may start a formula
    (looked for in all lines at once first: most tables have none)."""
    if not may_start_formula("".join(lines)):
        return lines
    risky = FORMULA_CELL.search
    return [line if risky("," + line) is None else
            csv_lines([[_neutralise(cell) for cell in row]])[0] for row, line in zip(cells, lines)]


def may_start_formula(text: str | bytes) -> bool:
    """Whether a cell of these CSV lines (text, or its UTF-8 bytes: the characters looked for
    are ASCII, which no other character's bytes contain) may start a formula in Excel: each
    line's first cell is looked at as if a comma preceded it (a line break inside a quoted cell
    can only add a false alarm, after which each line is looked at alone)."""
    if isinstance(text, bytes):
        return FORMULA_CELL_UTF8.search(b"," + text.replace(b"\r\n", b"\r\n,")) is not None
    return FORMULA_CELL.search("," + text.replace("\r\n", "\r\n,")) is not None


def excel_schema(schema: dict) -> dict:
    """The Table Schema of the Excel variant: Japanese titles as names, every cell text."""
    return {
        "name": f"{schema['name']}{EXCEL_SUFFIX}",
        "title": f"{schema['title']}（Excel用）",
        "description": f"{schema['name']}.csv と同じ内容。列名は日本語、文字コードはBOM付きUTF-8。"
                       "=、+、-、@ で始まるセルは数式として実行されないよう先頭に ' を付けている"
                       "（-5、-5.25、-5% のような数値だけのセルを除く）。",
        "fields": [{"name": f["title"], "type": "string", "title": f["title"],
                    "description": f"{f['name']}: {f['description']}"} for f in schema["fields"]],
        "missingValues": [""],
    }


def _neutralise(cell: str) -> str:
    return "'" + cell if cell and cell[0] in FORMULA_FIRST and not _NUMBER(cell) else cell


_NUMBER = re.compile(SIGNED_NUMBER).fullmatch
