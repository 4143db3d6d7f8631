"""The CSV renderings of pipeline/export/csv.py: lines rendered once, and the Excel variant
that reuses a canonical line unless a cell of it may start a formula."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from pipeline.export.csv import csv_lines, csv_text, excel_csv_text

SCHEMA = {"name": "t", "fields": [{"name": "a", "title": "列A"}, {"name": "b", "title": "列B"},
                                  {"name": "c", "title": "列C"}]}
cell = st.text(alphabet='=+-@\t\r\n",\'a あ', max_size=6)
rows = st.lists(st.lists(cell, min_size=3, max_size=3), max_size=8)


def _rendered(header, table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(table)
    return buffer.getvalue()


def test_a_formula_cell_gets_an_apostrophe_and_other_lines_stay_canonical():
    table = [["2-1-1", "=SUM(A1)", "x"], ["a,b", '"=1"', "-3"], ["plain", "@", "\tx"], ["ok", "", "1"]]
    lines = csv_lines(table)
    assert lines[3] == "ok,,1\r\n"
    assert excel_csv_text(SCHEMA, table, lines).splitlines() == [
        "列A,列B,列C", "2-1-1,'=SUM(A1),x", '"a,b","""=1""",\'-3', "plain,'@,'\tx", "ok,,1"]


@given(rows)
def test_lines_and_the_excel_variant_are_what_csv_writer_renders(table):
    assert csv_text(["a", "b", "c"], table) == _rendered(["a", "b", "c"], table)
    neutralised = [["'" + c if c and c[0] in "=+-@\t\r" else c for c in row] for row in table]
    assert excel_csv_text(SCHEMA, table, csv_lines(table)) == _rendered(["列A", "列B", "列C"],
                                                                        neutralised)
