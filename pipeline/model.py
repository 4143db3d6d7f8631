"""The records of a publication: plain data classes whose field names are the schema columns.

Every record keeps its provenance (`source` file name and `source_lines` range).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Initiative:
    """取組 (initiative): one numbered entry of an item's table."""

    id: str
    field_no: int
    field_title: str
    item_no: int
    item_title: str
    number: int
    title: str
    summary: str = ""                 # 目的・概要
    methods: list[str] = field(default_factory=list)   # 性質・手法
    actors: list[str] = field(default_factory=list)    # 主体
    urls: list[str] = field(default_factory=list)      # 関連URL
    department: str = ""              # 担当 (部局)
    division: str = ""                # 担当 (課)
    status: str | None = None         # 新 / 継続
    priority_goals: str | None = None  # 重点目標: selection not recoverable, always unknown
    priority_goal_options: list[str] = field(default_factory=list)
    notes: str = ""
    source: str = ""
    source_lines: str = ""
    plan_id: str = ""        # the plan (sources.toml plan_id) the record belongs to


@dataclass
class Indicator:
    """指標 (indicator) with 現状値 (baseline) and 目標値 (target)."""

    initiative_id: str
    seq: int
    name: str
    baseline_text: str = ""
    baseline_value: int | float | None = None
    baseline_unit: str = ""
    baseline_note: str = ""
    baseline_date: date | None = None
    baseline_period_start: date | None = None     # the days the printed date covers
    baseline_period_end: date | None = None
    baseline_date_text: str = ""
    target_text: str = ""
    target_value: int | float | None = None
    target_unit: str = ""
    target_note: str = ""
    target_date: date | None = None
    target_period_start: date | None = None     # the days the printed date covers
    target_period_end: date | None = None
    target_date_text: str = ""
    source: str = ""
    source_lines: str = ""
    plan_id: str = ""        # the plan (sources.toml plan_id) the record belongs to


@dataclass
class ScheduleEntry:
    """スケジュール: what an initiative does in one period column."""

    initiative_id: str
    period: str
    fiscal_year: int | None
    phase: str
    raw: str
    source: str = ""
    source_lines: str = ""
    plan_id: str = ""        # the plan (sources.toml plan_id) the record belongs to


@dataclass
class Reference:
    """参考: a cross-reference to another initiative, a document or a URL."""

    from_id: str
    seq: int
    cited_id: str | None      # the initiative number as printed
    to_id: str | None         # cited_id when that initiative is in the same plan
    label: str
    url: str = ""
    source: str = ""
    source_lines: str = ""
    plan_id: str = ""        # the plan (sources.toml plan_id) the record belongs to
    to_plan_id: str | None = None   # plan_id when to_id is set (references resolve in their plan)


@dataclass
class Site:
    """情報発信サイト等: a web site or medium the field's departments publish through."""

    id: str
    field_no: int
    seq: int
    name: str
    media: list[str] = field(default_factory=list)
    media_text: str = ""
    summary: str = ""
    url: str = ""
    department: str = ""
    division: str = ""
    source: str = ""
    source_lines: str = ""
    plan_id: str = ""        # the plan (sources.toml plan_id) the record belongs to


@dataclass
class Section:
    """A narrative part (【現状、課題と取組の方向性】 (1), (2) …) or a トピックス column."""

    id: str
    kind: str                # narrative | topic
    field_no: int
    item_no: int | None
    part: str
    number: int | None
    heading: str
    body: str = ""
    source: str = ""
    source_lines: str = ""
    plan_id: str = ""        # the plan (sources.toml plan_id) the record belongs to


@dataclass
class Term:
    """A glossary-marked term (`LGWAN*`) and where it occurs."""

    term: str
    record_kind: str
    record_id: str
    column: str
    lines: list[int]
    source: str = ""
    plan_id: str = ""


@dataclass
class Document:
    """Everything extracted from one source file."""

    source: str
    initiatives: list[Initiative] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    schedules: list[ScheduleEntry] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: list[tuple[int, int]] = field(default_factory=list)     # its (分野, 項目) numbers
    # the gaps in its numbering, each with what fills it (a missing initiative's id, or an
    # item's `2-2` that has none): another file of its plan may (assemble)
    numbering_gaps: list[tuple[str, str]] = field(default_factory=list)


TABLES = ("initiatives", "indicators", "schedules", "references", "sites", "sections", "terms")
# What joins a list's items in a CSV cell (every list column of the Table Schemas declares it)
LIST_DELIMITER = ";"
# The most characters (UTF-16 units) an Excel cell holds: a longer value is cut in the
# workbooks (export/xlsx.py, with CUT_MARK) and named by a warning when it is extracted.
EXCEL_CELL_MAX = 32_767
EXCEL_CUT_MARK = "…［Excelのセルに収まらないため以下省略。全文はCSV・JSONに］"


def excel_length(text: str) -> int:
    """Characters as Excel counts them: UTF-16 units."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def collect_terms(occurrences, record_kind: str, record_id: str, source: str) -> list[Term]:
    """Terms from (term, column, line) occurrences: one Term per term and column, with the
    sorted distinct lines it occurs on, in order of first occurrence."""
    lines: dict[tuple[str, str], list[int]] = {}
    for term, column, line in occurrences:
        lines.setdefault((term, column), []).append(line)
    return [Term(term, record_kind, record_id, column, sorted(set(found)), source)
            for (term, column), found in lines.items()]


def line_range(lines: list[int]) -> str:
    """'59-82' from the line numbers a record was read from."""
    return f"{min(lines)}-{max(lines)}"


def lines_named(lines: list[int]) -> str:
    """'line 446' or 'lines 604-605': where a warning points to."""
    first, last = min(lines), max(lines)
    return f"line {first}" if first == last else f"lines {first}-{last}"
