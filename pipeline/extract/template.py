"""The plan template's own markers, which the readers recognise (never the content): its
labels, its page header (`分野 2 行政の情報化 項目 1 …`), its headings (`1 <title>`, `【…】`,
`(1) <heading>`), and the rows that follow a row.
"""

from __future__ import annotations

import re

from .layout import Row

PURPOSE_LABEL = "目的・概要"
LABELS = ("目的・概要", "性質・手法", "重点目標", "主体", "関連URL", "スケジュール", "指標", "担当", "参考")
TOPIC_LABEL = "トピックス"
RESPONSIBLE_LABEL = "担当"
SITES_LABEL = "情報発信サイト等"

PAGE_HEADER = re.compile(r"^分野\s*(\d+)\s*(\S+?)(?:\s*項目\s*(\d+)\s*(\S.*?))?$")
# A page header that lost a cell: 項目 after 分野 or a field number, 分野 N title N title, or
# 分野 N alone (the rest on the next line).
HEADER_LIKE = re.compile(r"^(?:(?:分野|\d{1,3}\s).*?(?:\s|\d)項目(?:\s|\d|$)"
                         r"|分野\s*\d{1,3}(?:\s+\S+\s+\d{1,3}\s+\S+)?$)")
FIELD_NUMBERED = re.compile(r"分野\s*\d")
MAX_DIGITS = 3                  # fields, items and initiatives are numbered 1 … 999
# The cleaner glues a lone digit to the following word, so the separator is optional.
NUMBERED = re.compile(r"^(\d{1,3})\s*(?![\d\-.])(\S.*)$")
PART = re.compile(r"^【(.+)】$")
# An item's heading and its 【…】 part on one line (`3 市町村行政の情報化【現状、…】`: a line break lost)
TITLE_AND_PART = re.compile(r"^(.*?\S)\s*【([^【】]+)】$")
SUBSECTION = re.compile(r"^\((\d{1,3})\)\s*(\S.*)$")
# First characters of the markers above (besides digits): other rows are plain content.
MARKER_INITIALS = frozenset(["分", "【", "(", SITES_LABEL[0], TOPIC_LABEL[0]])


def flat_text(row: Row) -> str:
    """A row's cells joined with single spaces (cleaned cells are stripped already)."""
    return row.text


def starts_with_label(text: str, label: str) -> bool:
    return text == label or text.startswith(label + " ")


def next_row(rows: list[Row], index: int, reach: int | None = 3) -> Row | None:
    """The first row that is not blank among the `reach` rows after row `index` (any number
    of blank rows: reach None)."""
    stop = len(rows) if reach is None else min(len(rows), index + 1 + reach)
    return next((rows[at] for at in range(index + 1, stop) if not rows[at].blank), None)


def next_text(rows: list[Row], index: int, reach: int = 3) -> str:
    row = next_row(rows, index, reach)
    return "" if row is None else flat_text(row)
