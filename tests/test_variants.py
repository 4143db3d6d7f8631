"""The same plan as different converters and editors write it gives exactly the same tables:
tabs written as runs of spaces, ideographic / no-break / thin spaces, CRLF with a BOM, invisible
control and format characters (bidi marks, BEL, zero-width space) at line starts and ends,
kana written decomposed (NFD: シ and a combining dakuten U+3099 for ジ, as macOS writes text),
the text NFKC-normalised (`～H25` written `~H25`), rule lines of full-width dashes (`－－－－`),
actors separated by `；`, which the width rule makes the tables' list delimiter `;` (one actor
`県;市町村` in JSON was two in the CSV)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.export.tables import table_rows
from assembled import build

ROOT = Path(__file__).resolve().parent.parent
NAME = "miyagi-ict-plan-2014-2016-field2.txt"


def tables_of(tmp_path: Path, data: bytes, warnings: list[str] | None = None) -> dict[str, list[dict]]:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    (raw / NAME).write_bytes(data)
    (raw / "sources.toml").write_bytes((ROOT / "data" / "raw" / "sources.toml").read_bytes())
    log = warnings.append if warnings is not None else (lambda message: None)
    return table_rows(build(raw, load_config(ROOT / "pipeline.toml"), log))


@pytest.fixture(scope="module")
def expected(tmp_path_factory, source_text):
    return tables_of(tmp_path_factory.mktemp("seed"), source_text.encode("utf-8"))


def with_invisibles(text: str) -> str:
    return "\n".join(("\u200f\x07" + line + "\u200b" if number % 40 == 0 else "\u202b" + line + "\ufeff")
                     for number, line in enumerate(text.split("\n")))


VARIANTS = {
    "tabs as 4 spaces (pdftotext -layout)": lambda t: t.replace("\t", "    ").encode("utf-8"),
    "tabs as 2 spaces": lambda t: t.replace("\t", "  ").encode("utf-8"),
    "ideographic spaces U+3000": lambda t: t.replace(" ", "\u3000").encode("utf-8"),
    "no-break spaces": lambda t: t.replace(" ", "\u00a0").encode("utf-8"),
    "thin spaces": lambda t: t.replace(" ", "\u2009").encode("utf-8"),
    "CRLF with BOM": lambda t: t.replace("\n", "\r\n").encode("utf-8-sig"),
    "CRLF UTF-16": lambda t: t.replace("\n", "\r\n").encode("utf-16"),
    "a vertical tab at every line's end (Word's manual line break)":
        lambda t: t.replace("\n", "\x0b\n").encode("utf-8"),
    "bidi marks, BEL, zero-width": lambda t: with_invisibles(t).encode("utf-8"),
    "rule lines of full-width dashes": lambda t: re.sub(
        "(?m)^-[-\t]*$", lambda rule: rule[0].replace("-", "－"), t).encode("utf-8"),
    "NFKC (its ～ written ~)": lambda t: unicodedata.normalize("NFKC", t).encode("utf-8"),
    "decomposed kana (NFD, as macOS writes text)": lambda t: unicodedata.normalize("NFD", t).encode("utf-8"),
    "actors separated by full-width semicolons":
        lambda t: t.replace("県，市町村", "県；市町村").replace("県, 市町村", "県；市町村").encode("utf-8"),
    "all at once, CP932": lambda t: t.replace("\t", "    ").replace(" ", "\u3000")
                                     .replace("\n", "\r\n").encode("cp932"),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_variant_gives_exactly_the_same_tables(tmp_path, source_text, expected, variant):
    warnings: list[str] = []
    got = tables_of(tmp_path, VARIANTS[variant](source_text), warnings)
    for table, rows in expected.items():
        assert got[table] == rows, table
    warned = [w for w in warnings if w.startswith("warning:")]    # the seed's own: eight
    assert len(warned) == 8 and all("prints no column for fiscal year 2016" in w for w in warned)
    assert sum(len(rows) for rows in got.values()) == 186     # 33 initiatives, 93 schedules …


def test_a_schedule_whose_fiscal_years_are_not_read_is_not_said_to_lack_them(tmp_path, source_text):
    """2-2-5's schedule printing `26 27 28` in a document of two eras (a target `R2年度末`): its
    fiscal years are not read (named), and the schedule was also said to print no column for
    FY 2014, 2015 and 2016 (「a column lost in the text?」), columns it prints."""
    lines = source_text.split("\n")
    assert lines[600].startswith("スケジュール\t\tH 2 6") and "目標値(28年度末)" in lines[620]
    lines[600] = "スケジュール\t\t26\t27\t28"
    lines[620] = lines[620].replace("目標値(28年度末)", "目標値(R2年度末)")
    warnings: list[str] = []
    tables = tables_of(tmp_path, "\n".join(lines).encode("utf-8"), warnings)
    assert [(row["period"], row["fiscal_year"]) for row in tables["schedules"]
            if row["initiative_id"] == "2-2-5"] == [("26", None), ("27", None), ("28", None)]
    assert [w.partition("「電子申請オンライン利用の促進」: ")[2] for w in warnings if "2-2-5 " in w][:3] == [
        f"the schedule at line 601 prints the fiscal year 「{period}」 with no era and the document "
        "prints years of 2 eras (平成、令和): its fiscal year is left empty" for period in ("26", "27", "28")]
    assert not [w for w in warnings if "2-2-5 " in w and "prints no column" in w]
