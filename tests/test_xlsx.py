"""The project's own .xlsx writer (pipeline/export/xlsx.py) on small tables, read back with
openpyxl: typed cells, escaped text, limits and reproducible bytes."""

from __future__ import annotations

import hashlib
import re
import warnings
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from pipeline.errors import PipelineError
from pipeline.model import EXCEL_CUT_MARK
from pipeline.export.xlsx import CELL_MAX, column_letter, sheet_piece, sheet_rows, write_xlsx
from pipeline.schema import csv_cells

SCHEMA = {
    "name": "things", "title": "もの", "description": "試験用の表。",
    "fields": [{"name": "id", "title": "ID", "type": "string", "description": "識別子"},
               {"name": "count", "title": "件数", "type": "integer", "description": "数"},
               {"name": "share", "title": "割合", "type": "number", "description": "率"},
               {"name": "when", "title": "時点", "type": "date", "description": "日付"},
               {"name": "tags", "title": "タグ", "type": "list", "description": "一覧"},
               {"name": "open", "title": "公開", "type": "boolean", "description": "真偽"}],
}
LICENSE = {"title": "CC BY 4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "description": "出典を記載してください。"}
TEXTS = ["2-1-12", "=SUM(A1:A2)", "a & b <c>", "bell\x07 tab\t cr\r end", "_x0041_ stays",
         "  spaced  ", "改行\nあり", "emoji 😀", "+81", "@home"]


def _rows() -> list[dict]:
    rows = [{"id": text, "count": n, "share": n + 0.25, "when": date(2012, 3, 31),
             "tags": ["x", "y"], "open": n % 2 == 0} for n, text in enumerate(TEXTS)]
    rows.append({"id": "empty", "count": None, "share": None, "when": None, "tags": [],
                 "open": None})
    return rows


def _as_excel_reads(text: str) -> str:
    """Cell text with the _xHHHH_ escapes of ECMA-376 (ST_Xstring) decoded, as Excel shows it."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda match: chr(int(match.group(1), 16)), text)


def _write(path, rows, created="2026-01-02T03:04:05Z"):
    sheet = [sheet_piece(SCHEMA, rows, csv_cells(SCHEMA, rows), 0)]
    write_xlsx(path, SCHEMA, rows, sheet, LICENSE, "出典：県「計画」を加工して作成", created)
    return path


@pytest.fixture
def sheets(tmp_path):
    path = _write(tmp_path / "things.xlsx", _rows())
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # openpyxl reads it without a warning
        book = openpyxl.load_workbook(path)
    return book


def test_text_cells_keep_every_character_and_are_never_formulas(sheets):
    sheet = sheets.worksheets[0]
    ids = [row[0] for row in sheet.iter_rows(min_row=2)]
    stored = [cell.value for cell in ids[:len(TEXTS)]]     # openpyxl leaves the escapes as they are
    assert stored[3:5] == ["bell_x0007_ tab\t cr_x000D_ end", "_x005F_x0041_ stays"]
    assert [_as_excel_reads(text) for text in stored] == TEXTS
    assert all(cell.data_type == "s" for cell in ids)
    assert sheet["A2"].number_format == "@"


def test_whitespace_at_either_end_is_kept_in_a_column_with_nothing_to_escape(tmp_path):
    rows = _rows()[:2]
    rows[0]["tags"], rows[1]["tags"] = [" lead"], ["trail\n"]
    with zipfile.ZipFile(_write(tmp_path / "space.xlsx", rows)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="E2" s="2" t="inlineStr"><is><t xml:space="preserve"> lead</t></is></c>' in sheet
    assert '<t xml:space="preserve">trail\n</t>' in sheet
    assert '<c r="A2" s="2" t="inlineStr"><is><t>2-1-12</t></is></c>' in sheet


def test_numbers_dates_booleans_and_empty_cells_are_typed(sheets):
    sheet = sheets.worksheets[0]
    assert [c.value for c in sheet[1]] == ["ID", "件数", "割合", "時点", "タグ", "公開"]
    second = sheet[3]
    assert second[1].value == 1 and second[1].data_type == "n"
    assert second[2].value == 1.25
    assert second[3].is_date and second[3].value == datetime(2012, 3, 31)
    assert second[3].number_format == "yyyy-mm-dd"
    assert second[4].value == "x;y"
    assert second[5].value is False and sheet["F2"].value is True
    empty = [c.value for c in sheet[len(TEXTS) + 2]]
    assert empty == ["empty", None, None, None, None, None]


def test_header_frozen_filtered_and_about_sheet(sheets):
    sheet = sheets.worksheets[0]
    assert sheet.title == "もの" and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:F{len(TEXTS) + 2}"
    assert sheet.column_dimensions["A"].width > 8
    assert sheet.cell(1, 1).font.b
    about = {row[0]: row[1] for row in sheets["説明"].iter_rows(values_only=True) if row[0]}
    assert about["表"] == "もの" and about["出典"] == "出典：県「計画」を加工して作成"
    assert "https://creativecommons.org/licenses/by/4.0/" in about["ライセンス"]
    assert about["when"] == "時点"
    assert sheets.properties.title == "もの"
    assert sheets.properties.created == datetime(2026, 1, 2, 3, 4, 5)


def test_same_rows_same_bytes(tmp_path):
    first = _write(tmp_path / "a.xlsx", _rows()).read_bytes()
    assert _write(tmp_path / "b.xlsx", _rows()).read_bytes() == first
    assert _write(tmp_path / "c.xlsx", _rows(), "2027-01-01T00:00:00Z").read_bytes() != first
    with zipfile.ZipFile(tmp_path / "a.xlsx") as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_cell_longer_than_excel_holds_shows_its_beginning_and_the_mark(tmp_path):
    """Excel holds 32,767 UTF-16 units a cell: a longer value (whole in the CSV and JSON, and
    named by a warning when it is extracted) is cut to end with the mark within them."""
    rows = _rows()
    rows[3]["id"] = "あ" * (CELL_MAX + 1)
    rows[2]["id"] = "𠮷" * 20000                          # beyond the BMP: two units each
    book = openpyxl.load_workbook(_write(tmp_path / "long.xlsx", rows))
    cut = book.worksheets[0]["A5"].value
    assert cut == "あ" * (CELL_MAX - len(EXCEL_CUT_MARK)) + EXCEL_CUT_MARK and len(cut) == CELL_MAX
    astral = book.worksheets[0]["A4"].value
    assert astral == "𠮷" * ((CELL_MAX - len(EXCEL_CUT_MARK)) // 2) + EXCEL_CUT_MARK
    rows[3]["id"] = "あ" * CELL_MAX
    book = openpyxl.load_workbook(_write(tmp_path / "full.xlsx", rows))
    assert book.worksheets[0]["A5"].value == "あ" * CELL_MAX            # whole


def test_a_number_that_is_not_finite_is_an_error(tmp_path):
    rows = _rows()
    rows[0]["share"] = float("nan")
    with pytest.raises(PipelineError, match="things column share"):
        _write(tmp_path / "nan.xlsx", rows)


def test_an_empty_table_has_its_header_and_many_rows_span_blocks(tmp_path):
    book = openpyxl.load_workbook(_write(tmp_path / "empty.xlsx", []))
    assert [c.value for c in book.worksheets[0][1]][:2] == ["ID", "件数"]
    assert book.worksheets[0].max_row == 1
    rows = [dict(_rows()[0], id=f"1-{n}", count=n) for n in range(4_500)]
    sheet = openpyxl.load_workbook(_write(tmp_path / "many.xlsx", rows), read_only=True).worksheets[0]
    values = [(row[0], row[1]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [(f"1-{n}", n) for n in range(4_500)]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_rows_compressed_in_pieces_make_the_same_workbook(tmp_path):
    """A table's rows rendered and compressed plan by plan (workbooks.py) join into the
    worksheet rendered at once: the same members, numbered alike, read alike."""
    rows = [dict(_rows()[n % len(TEXTS)], id=f"{n} 県 {TEXTS[n % len(TEXTS)]}", count=n)
            for n in range(25)]
    _write(tmp_path / "whole.xlsx", rows)
    cells = csv_cells(SCHEMA, rows)
    pieces = [sheet_piece(SCHEMA, rows[a:b], cells[a:b], a) for a, b in ((0, 7), (7, 8), (8, 25))]
    size, sha256 = write_xlsx(tmp_path / "pieces.xlsx", SCHEMA, rows, pieces, LICENSE,
                              "出典：県「計画」を加工して作成", "2026-01-02T03:04:05Z")
    data = (tmp_path / "pieces.xlsx").read_bytes()
    assert (size, sha256) == (len(data), hashlib.sha256(data).hexdigest())
    with zipfile.ZipFile(tmp_path / "whole.xlsx") as whole, \
            zipfile.ZipFile(tmp_path / "pieces.xlsx") as joined:
        assert joined.testzip() is None
        assert joined.namelist() == whole.namelist()
        assert all(joined.read(name) == whole.read(name) for name in whole.namelist())
        sheet = joined.read("xl/worksheets/sheet1.xml").decode()
    assert '<row r="10"><c r="A10" s="2" t="inlineStr"><is><t>8 県 +81</t></is></c>' in sheet
    values = [row[0] for row in openpyxl.load_workbook(tmp_path / "pieces.xlsx").worksheets[0]
              .iter_rows(min_row=2, values_only=True)]
    assert len(values) == 25 and values[8] == "8 県 +81"
    rows[9]["id"] = "あ" * (CELL_MAX + 1)              # cut in a piece as in the whole sheet
    piece = "".join(sheet_rows(SCHEMA, rows[8:], csv_cells(SCHEMA, rows[8:]), 8))
    assert f'<c r="A11" s="2" t="inlineStr"><is><t>{"あ" * 100}' in piece and \
        f'{EXCEL_CUT_MARK}</t></is></c>' in piece


def test_a_member_a_zip_without_zip64_cannot_hold_is_an_error_naming_it(tmp_path):
    from pipeline.export.zipstream import ZIP_LIMIT, Deflated, write_zip
    too_large = Deflated(b"\x03\x00", 0, ZIP_LIMIT)          # stated size: 4 GiB - 1
    with pytest.raises(PipelineError, match="sheet1.xml makes the file larger than a zip"):
        write_zip(tmp_path / "big.xlsx", [("xl/worksheets/sheet1.xml", too_large)],
                  (1980, 1, 1, 0, 0, 0))
