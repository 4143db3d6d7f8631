"""Excel workbooks (.xlsx, written with XlsxWriter): one per table, for staff who open files in
Excel, typed from the Table Schema so that Excel never guesses.

- sheet 1 (the table's Japanese title): a header row of Japanese column titles, frozen, with an
  autofilter; ids and every text or list column as text cells (`2-1-12` stays `2-1-12`, never
  the date 2002/1/12; text is never run as a formula), integers and numbers as numbers, dates
  as dates shown `yyyy-mm-dd`; column widths from the longest cells;
- sheet 2 `説明` (about): title, description, licence, attribution (出典) and, per column, its
  name, Japanese title, type and description.

Written in constant-memory mode (row by row) and reproducibly: the document properties carry
the publication's `created` time, and XlsxWriter stamps every zip member with a fixed date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

import xlsxwriter

from ..errors import PipelineError
from ..schema import csv_cell

XLSX_SUFFIX = ".xlsx"
ABOUT_SHEET = "説明"
CELL_MAX = 32_767            # the most characters an Excel cell holds
WIDTH_MIN, WIDTH_MAX = 6, 60  # column widths in characters of the default font
WIDTH_SAMPLE = 2_000          # rows measured for the column widths
NUMBER_TYPES = {"integer", "number"}
SHEET_NAME_JUNK = re.compile(r"[\[\]:*?/\\]")
TYPE_TITLES = {"string": "文字列", "integer": "整数", "number": "数値", "date": "日付",
               "list": "文字列（; 区切りのリスト）", "boolean": "真偽値"}


def write_xlsx(path: Path, schema: dict, rows: list[dict], license: dict, credit: str,
               created: str) -> None:
    """The workbook of one table; `rows` are the table's records as {column: value}."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    try:
        workbook.set_properties({"title": schema["title"], "comments": credit,
                                 "created": _moment(created)})
        formats = {"header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                                  "bg_color": "#DDEBF7", "border": 1}),
                   "text": workbook.add_format({"num_format": "@"}),
                   "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
                   "wrap": workbook.add_format({"text_wrap": True, "valign": "top"})}
        _table_sheet(workbook, formats, schema, rows)
        _about_sheet(workbook, formats, schema, license, credit)
    finally:
        workbook.close()


def _table_sheet(workbook, formats: dict, schema: dict, rows: list[dict]) -> None:
    fields = schema["fields"]
    sheet = workbook.add_worksheet(SHEET_NAME_JUNK.sub("_", schema["title"])[:31])
    for column, width in enumerate(_widths(fields, rows)):
        sheet.set_column(column, column, width, formats["text"] if _is_text(fields[column]) else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(fields) - 1)
    for column, field in enumerate(fields):
        sheet.write_string(0, column, field["title"], formats["header"])
    for number, row in enumerate(rows, start=1):
        for column, field in enumerate(fields):
            value = row[field["name"]]
            if value is None or value == "" or value == []:
                continue
            if field["type"] in NUMBER_TYPES and not isinstance(value, bool):
                sheet.write_number(number, column, value)
            elif field["type"] == "date":
                sheet.write_datetime(number, column, value, formats["date"])
            elif field["type"] == "boolean":
                sheet.write_boolean(number, column, value)
            else:
                sheet.write_string(number, column, _text(value, schema, field, number), formats["text"])


def _about_sheet(workbook, formats: dict, schema: dict, license: dict, credit: str) -> None:
    """Title, licence, attribution and the column descriptions of the Table Schema."""
    sheet = workbook.add_worksheet(ABOUT_SHEET)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2, 22)
    sheet.set_column(3, 3, 80, formats["wrap"])
    about = [("表", schema["title"]), ("説明", schema.get("description", "")),
             ("ライセンス", f"{license['title']}（{license['path']}）"),
             ("ライセンスの注記", license.get("description", "")), ("出典", credit)]
    for number, (label, value) in enumerate(about):
        sheet.write_string(number, 0, label, formats["header"])
        sheet.write_string(number, 1, value)
    start = len(about) + 1
    for column, title in enumerate(("列名", "項目名", "型", "説明")):
        sheet.write_string(start, column, title, formats["header"])
    for number, field in enumerate(schema["fields"], start=start + 1):
        sheet.write_string(number, 0, field["name"])
        sheet.write_string(number, 1, field["title"])
        sheet.write_string(number, 2, TYPE_TITLES.get(field["type"], field["type"]))
        sheet.write_string(number, 3, field.get("description", ""), formats["wrap"])


def _is_text(field: dict) -> bool:
    return field["type"] not in NUMBER_TYPES | {"date", "boolean"}


def _text(value, schema: dict, field: dict, row: int) -> str:
    text = csv_cell(value)
    if len(text) > CELL_MAX:
        raise PipelineError(f"{schema['name']} row {row} column {field['name']}: {len(text)} "
                            f"characters, more than an Excel cell holds ({CELL_MAX})")
    return text


def _widths(fields: list[dict], rows: list[dict]) -> list[float]:
    """Per column: the display width of the title or the longest of the first rows' cells
    (full-width characters count double), within WIDTH_MIN..WIDTH_MAX."""
    widths = []
    for field in fields:
        longest = _display_width(field["title"])
        for row in rows[:WIDTH_SAMPLE]:
            value = row[field["name"]]
            cell = csv_cell(value) if not isinstance(value, date) else "0000-00-00"
            longest = max(longest, _display_width(cell[:WIDTH_MAX * 2]))
        widths.append(min(max(longest + 2, WIDTH_MIN), WIDTH_MAX))
    return widths


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _moment(created: str) -> datetime:
    """The publication's `created` (ISO 8601 UTC, `Z`) as a naive UTC datetime."""
    moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
