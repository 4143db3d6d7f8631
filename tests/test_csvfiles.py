"""The CSV renderings of pipeline/export/csv.py: lines rendered once, and the Excel variant
that reuses a canonical line unless a cell of it may start a formula."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given
from hypothesis import strategies as st

from pipeline.export.csv import (csv_lines, csv_text, excel_csv_text, excel_header,
                                 may_start_formula)

SCHEMA = {"name": "t", "fields": [{"name": "a", "title": "列A"}, {"name": "b", "title": "列B"},
                                  {"name": "c", "title": "列C"}]}
cell = st.text(alphabet='=+-@\t\r\n",\'a あ15.%', max_size=6)
NUMBER = re.compile(r"[+-]([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?%?")   # -5, +3, -1,234.5%
rows = st.lists(st.lists(cell, min_size=3, max_size=3), max_size=8)


def _rendered(header, table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(table)
    return buffer.getvalue()


def test_a_formula_cell_gets_an_apostrophe_and_other_lines_stay_canonical():
    table = [["2-1-1", "=SUM(A1)", "x"], ["a,b", '"=1"', "-3+1"], ["plain", "@", "\tx"], ["ok", "", "1"]]
    lines = csv_lines(table)
    assert lines[3] == "ok,,1\r\n"
    assert excel_csv_text(SCHEMA, table, lines).splitlines() == [
        "列A,列B,列C", "2-1-1,'=SUM(A1),x", '"a,b","""=1""",\'-3+1', "plain,'@,'\tx", "ok,,1"]


def test_a_signed_number_is_no_formula_and_keeps_its_sign():
    """An indicator's target -5% is -5% in the Excel variant as in the CSV (it was '-5%): a
    cell that is a number alone, with a sign, decimals, thousands commas or %, is not prefixed;
    anything more after the sign is (OWASP's -2+3+cmd|..., +1+1, -1+1, -5%%)."""
    numbers = [["-5%", "-5", "-5.25"], ["+3", "-1,234", "-1,234.5%"]]
    assert excel_csv_text(SCHEMA, numbers, csv_lines(numbers)).splitlines() == [
        "列A,列B,列C", "-5%,-5,-5.25", '+3,"-1,234","-1,234.5%"']
    assert not may_start_formula("".join(csv_lines(numbers)))
    formulas = [["-2+3+cmd|' /C calc'!A0", "+1+1", "-1+1"], ["-5%%", "-1,23", "-.5"],
                ["-1,234,=1", "-5\r\n=1", "-１"], ["=HYPERLINK(\"x\")", "@SUM(1)", "-5 "]]
    assert excel_csv_text(SCHEMA, formulas, csv_lines(formulas)) == _rendered(
        ["列A", "列B", "列C"], [["'" + c for c in row] for row in formulas])
    for row in formulas:
        for cell in row:
            line = "".join(csv_lines([["x", cell, "-5"]]))
            assert may_start_formula(line) and may_start_formula(line.encode("utf-8"))


@given(rows)
def test_lines_and_the_excel_variant_are_what_csv_writer_renders(table):
    assert csv_text(["a", "b", "c"], table) == _rendered(["a", "b", "c"], table)
    neutralised = [["'" + c if c and c[0] in "=+-@\t\r" and not NUMBER.fullmatch(c) else c
                    for c in row] for row in table]
    assert excel_csv_text(SCHEMA, table, csv_lines(table)) == _rendered(["列A", "列B", "列C"],
                                                                        neutralised)


@given(rows)
def test_a_formula_is_found_alike_in_the_lines_and_in_their_utf8_bytes(table):
    """The validation looks for formula cells in the bytes it read (may_start_formula of bytes):
    it finds one exactly where the exporter finds one in the text, and where neither does, the
    Excel variant's rows are the canonical lines."""
    text = "".join(csv_lines(table))
    assert may_start_formula(text.encode("utf-8")) is may_start_formula(text)
    if not may_start_formula(text):
        assert excel_csv_text(SCHEMA, table, csv_lines(table)) == excel_header(SCHEMA) + text


def test_a_formula_after_a_multibyte_character_is_found_in_bytes():
    lines = "".join(csv_lines([["あ", "=1", "い"], ["う", "ok", "え"]]))
    assert may_start_formula(lines.encode("utf-8")) and may_start_formula(lines)
    assert not may_start_formula("".join(csv_lines([["あ", "1=", "い+"]])).encode("utf-8"))
