"""The downloads open right in the tools people use: Excel (.xlsx read back with openpyxl),
DuckDB and pandas, each reading the published files the way the README shows."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_block(marker: str, language: str) -> str:
    """The first ```language block after the line containing marker in the README."""
    text = README.read_text(encoding="utf-8")
    start = text.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(text, start)
    return match.group(1)


@pytest.fixture(scope="module")
def workbook(published):
    return openpyxl.load_workbook(published / "excel" / "initiatives.xlsx")


def test_xlsx_keeps_ids_as_text_and_types_numbers_and_dates(published, workbook):
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["計画ID", "取組ID", "分野番号"]
    ids = {row[1].value: row for row in sheet.iter_rows(min_row=2)}     # after the plan id
    cell = ids["2-1-12"][1]
    assert cell.data_type == "s" and cell.value == "2-1-12"      # never the date 2002/1/12
    assert ids["2-1-12"][header.index("分野番号")].value == 2
    indicators = openpyxl.load_workbook(published / "excel" / "indicators.xlsx").worksheets[0]
    titles = [cell.value for cell in indicators[1]]
    row = next(r for r in indicators.iter_rows(min_row=2) if r[1].value == "2-2-5")
    baseline = row[titles.index("現状値（数値）")]
    assert baseline.data_type == "n" and baseline.value == 38.25
    when = row[titles.index("現状値の時点")]
    assert when.is_date and when.value == datetime(2012, 3, 31)
    assert when.number_format == "yyyy-mm-dd"


def test_xlsx_has_frozen_header_autofilter_widths_and_formula_text(workbook):
    sheet = workbook.worksheets[0]
    assert sheet.title == "取組"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    assert sheet.column_dimensions["A"].width >= 8
    # no formulas anywhere: text starting with = stays text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_about_sheet_has_licence_attribution_and_column_descriptions(published, workbook):
    about = {row[0]: row[1] for row in workbook["説明"].iter_rows(values_only=True) if row[0]}
    assert "https://creativecommons.org/licenses/by/4.0/" in about["ライセンス"]
    package = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    assert about["出典"] == package["attribution"]
    assert about["id"] == "取組ID"
    rows = list(workbook["説明"].iter_rows(values_only=True))
    described = next(row for row in rows if row[0] == "department")
    assert "担当" in described[3]


def test_xlsx_is_listed_in_the_data_package(published):
    package = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["path"] == "excel/initiatives.xlsx")
    assert resource["mediatype"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert resource["bytes"] == (published / "excel" / "initiatives.xlsx").stat().st_size


def test_duckdb_guesses_ids_as_dates_without_the_readme_types(published):
    """Why the README names the types: DuckDB's sniffer reads 2-1-1 as a date."""
    con = duckdb.connect()
    joined = con.sql(f"""SELECT count(*) FROM read_csv('{published}/initiatives.csv') i
                         JOIN read_csv('{published}/indicators.csv') x ON x.initiative_id = i.id""")
    assert joined.fetchall() == [(0,)]


def test_duckdb_query_of_the_readme_joins_initiatives_to_indicators(published, monkeypatch):
    monkeypatch.chdir(published)
    rows = duckdb.connect().sql(readme_block("**DuckDB**", "sql")).fetchall()
    found = {row[1]: row for row in rows}
    assert found["2-2-5"][0] == "miyagi-ict-plan-2014-2016"
    assert found["2-2-5"][3:] == (38.25, 43.0, datetime(2012, 3, 31))
    assert len(rows) == 6


def test_the_readme_s_join_pairs_each_indicator_with_its_own_plan(published, tmp_path,
                                                                   monkeypatch):
    """Two plans number their initiatives alike: joined on the id alone, each indicator was
    paired with both plans' 2-2-5 (twice as many rows, half of them wrong)."""
    for table in ("initiatives", "indicators"):
        head, *rows = (published / f"{table}.csv").read_text(encoding="utf-8").splitlines(True)
        other = [row.replace("miyagi-ict-plan-2014-2016", "other-plan", 1) for row in rows]
        (tmp_path / f"{table}.csv").write_text(head + "".join(rows + other), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    rows = duckdb.connect().sql(readme_block("**DuckDB**", "sql")).fetchall()
    assert len(rows) == 12
    assert sorted(row[0] for row in rows if row[1] == "2-2-5") == \
        ["miyagi-ict-plan-2014-2016", "other-plan"]


def test_the_readme_s_pandas_lines_keep_a_value_printed_na_as_text(published, tmp_path,
                                                                   monkeypatch):
    """`NA` printed as a baseline was read by pandas as a missing value: the JSON, SQLite and
    Parquet hold the text 「NA」."""
    for name in ("initiatives.csv", "indicators.json"):
        (tmp_path / name).write_bytes((published / name).read_bytes())
    text = (published / "indicators.csv").read_text(encoding="utf-8")
    assert text.count(",38.25%,") == 1
    (tmp_path / "indicators.csv").write_text(text.replace(",38.25%,", ",NA,"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(readme_block("**pandas**", "python"), scope)
    indicators = scope["indicators"]
    row = indicators.loc[indicators.initiative_id == "2-2-5"].iloc[0]
    assert row.baseline_text == "NA" and row.baseline_value == 38.25
    assert pd.isna(indicators.loc[indicators.initiative_id == "2-1-12"].iloc[0].target_value)


def test_pandas_lines_of_the_readme_read_csv_and_json(published, monkeypatch):
    monkeypatch.chdir(published)
    scope: dict = {}
    exec(readme_block("**pandas**", "python"), scope)
    indicators, records = scope["indicators"], scope["records"]
    row = indicators.loc[indicators.initiative_id == "2-2-5"].iloc[0]
    assert row.baseline_value == 38.25 and row.baseline_date == pd.Timestamp("2012-03-31")
    assert scope["initiatives"].id.tolist()[:2] == ["2-1-1", "2-1-2"]
    assert records.loc[records.initiative_id == "2-2-5", "target_value"].tolist() == [43]
