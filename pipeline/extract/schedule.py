"""スケジュール (schedule) tables: a grid of period columns, a status marker and phases.

The printed table has period columns (`～H25` = up to FY2013, `H26`, `H27`, `H28`), a
status marker `新` (new) or `継続` (continued), the phase text of each period, and an
arrow `→` meaning "the phase goes on to the end of the plan period". Whatever layout it
came in (tab grid or HTML table), the grid is read by column position; a table laid out with
spaces alone (pdftotext -layout) is first made a grid by where its cells are (grid_by_position).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..values import era_year

SCHEDULE_LABEL = "スケジュール"
STATUS_MARKERS = ("新", "継続")
# The from/until mark of a `～H25` column. Converters that map Shift_JIS as JIS does write it as
# 〜 (U+301C, WAVE DASH), and NFKC as ~: the same mark, published as ～ (U+FF5E), as sources.py
# reads EUC-JP.
RANGE_MARK, OTHER_RANGE_MARKS = "～", "〜~"
# An era's first year is printed 元 (令和元年度, R元): after its era only, as era_year reads it.
# What a lossy conversion writes for a character its encoding lacks (Shift_JIS has no ～, U+FF5E):
# `?H25` is a `～` label whose mark is lost, read as no period (never guessed to be `～`).
LOST_MARKS = "?？\ufffd"
# A year of an era is 1 to 99 (H0 or 00 is none), a year of the calendar 1000 to 2999.
PERIOD = re.compile(r"^(～|~|〜|[?？\ufffd])?\s*((?:H|R|S|平成|令和|昭和)?\s*(?:0?[1-9]|[1-9]\d)|"
                    r"(?:H|R|S|平成|令和|昭和)\s*元|[12]\d{3})\s*(?:年度)?$")
ARROW = re.compile(r"^[→⇒➡]+$")


@dataclass(frozen=True)
class Period:
    period: str
    fiscal_year: int | None
    phase: str
    raw: str


Cell = tuple[int, int, str]      # (row, column, text) of a cell of a grid


@dataclass
class ScheduleReading:
    """What read_schedule read of one schedule grid, and what it could not place."""

    status: str | None                  # 新 or 継続, if printed
    periods: list[Period]               # in column order
    unplaced: list[Cell] = field(default_factory=list)  # phases with no period's column left
    unread: list[str] = field(default_factory=list)     # fiscal-year row cells read as none
    above: list[Cell] = field(default_factory=list)     # phases, arrows above the fiscal years
    arrow: Cell | None = None                           # the first arrow, if printed
    beyond: list[Cell] = field(default_factory=list)    # phases, arrows right of the last period
    lost: list[tuple[Cell, str]] = field(default_factory=list)  # labels `?H25`, their column's phase
    joined: list[tuple[Cell, str]] = field(default_factory=list)  # a phase, the cell before it
    crowded: list[tuple[Cell, str]] = field(default_factory=list)  # `～` labels, another's column
    repeated: list[Cell] = field(default_factory=list)  # a row of phases printed again: its first cell
    unheaded: list[Cell] = field(default_factory=list)  # phases, arrows in a column no period heads


def read_schedule(grid: list[list[str]], era: str | None = None) -> ScheduleReading:
    """One schedule grid read: its periods (a fiscal year printed without its era, `26`, read in
    `era`, the document's, if one), the phases printed where no period's column is left
    for them (a column lost in the text), above its row of fiscal years (its rows out of
    order: the row of `～H25` printed first) or right of its last period's column (two rows on
    one line, its line break lost: `～H25 調査 構築 新 各種調査 →`), and the cells of the row of
    fiscal years not read as one (`H26・H27`)."""
    # Rows are not padded to the widest one: a missing cell is an empty one, and padding
    # made rows x width cells (one 100,000-cell line and 37,500 one-cell lines: 30 GB).
    width = max(map(len, grid), default=0)
    rows = [[("" if cell == SCHEDULE_LABEL else cell) for cell in row] for row in grid]
    status = next((cell for row in rows for cell in row if cell in STATUS_MARKERS), None)
    header = next((i for i, row in enumerate(rows) if any(_plan_period(c) for c in row)), None)
    if header is None:
        return ScheduleReading(status, [])
    labels, crowded = _column_labels(rows, header, width)
    unread = [cell for cell in rows[header] if cell and _period_mark(cell) is None
              and cell not in STATUS_MARKERS and not ARROW.match(cell)]
    above = [(number, column, cell) for number, row in enumerate(rows[:header])
             for column, cell in enumerate(row)
             if cell and (not _is_marker(cell) or ARROW.match(cell))]
    free = _FreeLabels(labels)
    last = max((column for column, label in enumerate(labels) if label), default=width)
    content: dict[int, str] = {}
    unplaced: list[Cell] = []
    beyond: list[Cell] = []
    joined: list[tuple[Cell, str]] = []
    arrow_from: int | None = None
    arrow: Cell | None = None
    printed: set[tuple[str, ...]] = set()
    repeated: list[Cell] = []
    unheaded: list[Cell] = []
    for number, row in enumerate(rows[header + 1:], header + 1):
        if _repeats(row, printed):
            column = next(column for column, cell in enumerate(row) if cell)
            repeated.append((number, column, " ".join(cell for cell in row if cell)))
        placed = -1                 # the row's cells keep their order: none goes left of this
        placed_cell = ""
        for column, cell in enumerate(row):
            if not cell or _period_mark(cell) is not None or cell in STATUS_MARKERS:
                continue
            if column > last:       # no period's column there: never moved left to one
                beyond.append((number, column, cell))
                continue
            if not labels[column]:
                unheaded.append((number, column, cell))
            if ARROW.match(cell):
                arrow_from = column if arrow_from is None else min(arrow_from, column)
                arrow = arrow or (number, column, cell)
                continue
            target = column if labels[column] else free.nearest(column)
            if target is None or target < placed:     # no column left for it (one lost?)
                unplaced.append((number, column, cell))
                continue
            if target == placed:    # two cells of a row in one period's column: one phase
                joined.append(((number, column, cell), placed_cell))
            content[target] = f"{content[target]} {cell}" if target in content else cell
            free.take(target)
            placed, placed_cell = target, cell
    lost = [((number, column, cell), content.get(column, "")) for number, row in enumerate(rows)
            for column, cell in enumerate(row) if _mark_lost(cell)]
    return ScheduleReading(status, _periods(labels, content, arrow_from, era), unplaced, unread,
                           above, arrow, beyond, lost, joined, crowded, repeated, unheaded)


def _repeats(row: list[str], printed: set[tuple[str, ...]]) -> bool:
    """Whether a row printing a phase was printed before, the same cells in the same columns
    (a line printed twice), its phases then read twice; adds it to printed."""
    if not any(cell and not _is_marker(cell) for cell in row):
        return False
    cells = tuple(row[:max(column for column, cell in enumerate(row) if cell) + 1])
    if cells in printed:
        return True
    printed.add(cells)
    return False


Span = tuple[int, int]       # a cell's first display column and the one after its last


def grid_by_position(rows: list[tuple[list[str], list[Span | None] | None, bool]]
                     ) -> tuple[list[list[str]] | None, bool]:
    """A schedule's rows, each cell moved under the cell of the row of fiscal years it is
    aligned with, when every row was laid out with spaces (pdftotext -layout: a run is as long
    as the cells before it are narrow, so the count of breaks says little); None: read by its
    breaks. And whether which reading is right is uncertain (to be named). A row is its cells,
    where each is (layout.Row.spans) and whether a run of spaces in it is no multiple of the
    tab width (Row.uneven).
    A schedule with such a run is read by position. One whose runs are all multiples of it may
    be tabs written as spaces (its breaks exact, a stray run elsewhere laying out the text) or
    laid out: it is read by position only when its breaks put a phase or an arrow in a column
    no period heads while each cell is aligned exactly under its year (2-1-1's 運用 under H 2 6,
    both from column 16, read by its breaks in the 9th column, and moved to H27); when neither
    reading fits so, or both do, and they differ, it is read by its breaks and uncertain.
    A cell is aligned by its left edge, centre or right edge, whichever is nearest: a phase
    wider than its year (`運用・利用促進` under `H26`, left-aligned) is centred nearer the next
    year. None too when a status marker, a period's label or an arrow would share a cell with
    another (a row of fiscal years without a cell over the rows' labels: `～H25` and `継続` went
    under H26, its phase became `～H25 運用 継続 →`, the status and the arrow lost)."""
    if not rows or any(spans is None for _, spans, _ in rows):
        return None, False
    placed = _placed(rows)
    if placed is None:
        return None, False
    grid, exact = placed
    if any(uneven for _, _, uneven in rows):
        return grid, False
    breaks = read_schedule([cells for cells, _, _ in rows])
    fits = not breaks.unheaded
    if exact and not fits:
        return grid, False
    return None, exact == fits and breaks.periods != read_schedule(grid).periods


def _placed(rows: list[tuple[list[str], list[Span | None], bool]]
            ) -> tuple[list[list[str]], bool] | None:
    """grid_by_position's grid, and whether every cell is aligned exactly with its year's; None
    when a marker would share a cell or no row holds fiscal years."""
    header = next((i for i, (cells, _, _) in enumerate(rows) if any(map(_plan_period, cells))), None)
    if header is None:
        return None
    header_cells, header_spans, _ = rows[header]
    anchors = [(span, index) for index, span in enumerate(header_spans) if span is not None]
    # a row of fiscal years printed after a blank (スケジュール on a line of its own) has no
    # cell over the rows' labels: a cell ending before its first cell begins is in that column
    labels_end = anchors[0][0][0] if anchors and header_spans[0] is None else -1
    grid, exact = [], True
    for number, (cells, spans, _) in enumerate(rows):
        if number == header:
            grid.append(cells)
            continue
        row = [""] * len(header_cells)
        for cell, span in zip(cells, spans):
            if not cell:
                continue
            if span[1] <= labels_end:
                index = 0
            else:
                offset, index = min((_offset(span, anchor), index) for anchor, index in anchors)
                exact = exact and offset == 0
            if row[index] and (_is_marker(cell) or _is_marker(row[index])):
                return None
            row[index] = f"{row[index]} {cell}" if row[index] else cell
        grid.append(row)
    return grid, exact


def _offset(span: Span, anchor: Span) -> int:
    """How far a cell is from aligned with a cell above it (twice, in display columns): the
    least of the distances between their left edges, centres and right edges."""
    (start, end), (first, last) = span, anchor
    return min(2 * abs(start - first), abs(start + end - first - last), 2 * abs(end - last))


@lru_cache(maxsize=4096)
def _period_mark(cell: str) -> str | None:
    """None unless cell is a period label; then its from/until mark (`～`), "" for a plan period.
    Cached: a schedule's period labels and phases repeat in every initiative."""
    match = PERIOD.match(cell)
    return (match[1] or "") if match else None


def _mark_lost(cell: str) -> bool:
    """A `～` period label whose mark a lossy conversion wrote as `?` (LOST_MARKS)."""
    return bool(mark := _period_mark(cell)) and mark in LOST_MARKS


def _plan_period(cell: str) -> bool:
    """A period of the plan itself, not a `～` (up to) label."""
    return _period_mark(cell) == ""


def _is_marker(cell: str) -> bool:
    """A status marker, a period's label or an arrow: a cell of its own, never a phase's text."""
    return cell in STATUS_MARKERS or _period_mark(cell) is not None or ARROW.match(cell) is not None


def is_schedule_mark(cell: str) -> bool:
    """A cell only a schedule prints: a status marker, an arrow, or a period's label with its
    era or from/until mark (`H26`, `～H25`; a bare number any table may print)."""
    return _is_marker(cell) and not cell.isdigit()


def _column_labels(rows: list[list[str]], header: int, width: int) -> tuple[
        list[str], list[tuple[Cell, str]]]:
    """Period label of each column: the header cell, or a `～` cell printed in that column; and
    each `～` cell printed in a column another label holds, with that label (read as none)."""
    labels = [cell if _plan_period(cell) else "" for cell in rows[header]]
    labels += [""] * (width - len(labels))
    crowded = []
    for number, row in enumerate(rows):
        for column, cell in enumerate(row):
            if not _period_mark(cell):
                continue
            label = RANGE_MARK + cell[1:] if cell[0] in OTHER_RANGE_MARKS else cell
            if not labels[column]:
                labels[column] = label
            elif labels[column] != label and not _mark_lost(cell):
                crowded.append(((number, column, cell), labels[column]))
    return labels, crowded


class _FreeLabels:
    """Labelled columns that hold no text yet. A cell the text extraction shifted into an
    unlabelled column goes to the nearest free one, looking right first (extraction drops empty
    cells on the left), never left of a cell printed before it in its row (read_schedule).
    Two "next free column" chains (union-find with path halving) keep a row of any width
    linear."""

    def __init__(self, labels: list[str]):
        width = len(labels)
        # right[c]: c if column c is free, else a pointer towards the next free one (width: none)
        self.right = [c if c == width or labels[c] else c + 1 for c in range(width + 1)]
        # left[c + 1]: the same towards the left, shifted by one (0: none)
        self.left = [0] + [c + 1 if labels[c] else c for c in range(width)]
        self.width = width

    @staticmethod
    def _find(chain: list[int], index: int) -> int:
        while chain[index] != index:
            chain[index] = chain[chain[index]]
            index = chain[index]
        return index

    def nearest(self, column: int) -> int | None:
        right = self._find(self.right, column + 1)
        if right < self.width:
            return right
        left = self._find(self.left, column)        # column - 1, shifted by one
        return left - 1 if left > 0 else None

    def take(self, column: int) -> None:
        self.right[column] = column + 1
        self.left[column + 1] = column


def _periods(labels: list[str], content: dict[int, str], arrow_from: int | None,
             era: str | None) -> list[Period]:
    """A period for every column of the row of fiscal years (its phase blank where nothing is
    printed and no arrow reaches) and for a `～` column that holds a phase."""
    periods, phase = [], ""
    for column, label in enumerate(labels):
        if not label or _mark_lost(label):        # (named by read_schedule's caller)
            continue
        if column in content:
            phase = content[column]
            periods.append(Period(label, _fiscal_year(label, era), phase, phase))
        elif arrow_from is not None and column >= arrow_from and _plan_period(label):
            periods.append(Period(label, _fiscal_year(label, era), phase, "→"))
        elif _plan_period(label):
            periods.append(Period(label, _fiscal_year(label, era), "", ""))
    return periods


@lru_cache(maxsize=1024)
def _fiscal_year(label: str, era: str | None) -> int | None:
    return era_year(label.lstrip("～~").strip(), era)
