"""スケジュール (schedule) tables: a grid of period columns, a status marker and phases.

The printed table has period columns (`～H25` = up to FY2013, `H26`, `H27`, `H28`), a
status marker `新` (new) or `継続` (continued), the phase text of each period, and an
arrow `→` meaning "the phase goes on to the end of the plan period". Whatever layout it
came in (tab grid or HTML table), the grid is read by column position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..normalize import era_year

SCHEDULE_LABEL = "スケジュール"
STATUS_MARKERS = ("新", "継続")
PERIOD = re.compile(r"^(～|~)?\s*((?:H|R|S|平成|令和|昭和)?\s*\d{1,2}|\d{4})\s*(?:年度)?$")
ARROW = re.compile(r"^[→⇒➡]+$")


@dataclass(frozen=True)
class Period:
    period: str
    fiscal_year: int | None
    phase: str
    raw: str


def read_schedule(grid: list[list[str]]) -> tuple[str | None, list[Period]]:
    """(status, periods) of one schedule grid; periods in column order."""
    width = max(map(len, grid), default=0)
    rows = [[("" if cell == SCHEDULE_LABEL else cell) for cell in row] + [""] * (width - len(row))
            for row in grid]
    status = next((cell for row in rows for cell in row if cell in STATUS_MARKERS), None)
    header = next((i for i, row in enumerate(rows) if any(_plan_period(c) for c in row)), None)
    if header is None:
        return status, []
    labels = _column_labels(rows, header)
    content: dict[int, str] = {}
    arrow_from: int | None = None
    for row in rows[header + 1:]:
        for column, cell in enumerate(row):
            if not cell or _period_mark(cell) is not None or cell in STATUS_MARKERS:
                continue
            if ARROW.match(cell):
                arrow_from = column if arrow_from is None else min(arrow_from, column)
                continue
            target = column if labels[column] else _nearest_free_label(labels, content, column)
            if target is not None:
                content[target] = f"{content[target]} {cell}" if target in content else cell
    return status, _periods(labels, content, arrow_from)


@lru_cache(maxsize=4096)
def _period_mark(cell: str) -> str | None:
    """None unless cell is a period label; then its from/until mark (`～`), "" for a plan period.
    Cached: a schedule's period labels and phases repeat in every initiative."""
    match = PERIOD.match(cell)
    return (match[1] or "") if match else None


def _plan_period(cell: str) -> bool:
    """A period of the plan itself, not a `～` (up to) label."""
    return _period_mark(cell) == ""


def _column_labels(rows: list[list[str]], header: int) -> list[str]:
    """Period label of each column: the header cell, or a `～` cell printed in that column."""
    labels = [cell if _plan_period(cell) else "" for cell in rows[header]]
    for row in rows:
        for column, cell in enumerate(row):
            if not labels[column] and _period_mark(cell):
                labels[column] = cell
    return labels


def _nearest_free_label(labels: list[str], content: dict[int, str], column: int) -> int | None:
    """A cell the text extraction shifted into an unlabelled column: nearest labelled column,
    looking right first (extraction drops empty cells on the left)."""
    order = list(range(column + 1, len(labels))) + list(range(column - 1, -1, -1))
    return next((c for c in order if labels[c] and c not in content), None)


def _periods(labels: list[str], content: dict[int, str], arrow_from: int | None) -> list[Period]:
    periods, phase = [], ""
    for column, label in enumerate(labels):
        if not label:
            continue
        if column in content:
            phase = content[column]
            periods.append(Period(label, _fiscal_year(label), phase, phase))
        elif arrow_from is not None and column >= arrow_from and _plan_period(label):
            periods.append(Period(label, _fiscal_year(label), phase, "→"))
    return periods


@lru_cache(maxsize=1024)
def _fiscal_year(label: str) -> int | None:
    return era_year(label.lstrip("～~").strip())
