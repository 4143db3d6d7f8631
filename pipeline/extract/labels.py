"""The label/value pairs of 取組 (initiative) blocks, in any of the three layouts.

A block prints the template's labels (template.LABELS): 目的・概要 (purpose and summary),
性質・手法 (method: システム, 情報発信, その他 …), 重点目標 (priority goals), 主体 (actors),
関連URL (related URLs), スケジュール (schedule), 指標 (indicators), 担当 (responsible department
and division), 参考 (references); each at the start of a cell, its values after it.
label_entries groups a block's rows into the entries (Entry) printed under each label; text
before the first label is kept as notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .indicators import value_label
from .layout import CellLines, Located, Row
from .links import INITIATIVE_ID
from .template import LABELS

LABEL_INITIALS = frozenset(label[0] for label in LABELS)
INDICATORS = "指標"
REFERENCES = "参考"
# A label ends its cell or is followed by a space; 参考 glued to the id of an initiative (`参考2-2-5
# 電子申請…`: its line break lost) is the label and its first entry, which begins with that id.
LABEL_START = re.compile("^(" + "|".join(map(re.escape, LABELS)) + ")(?: |$|(?<=" + REFERENCES
                         + ")(?=" + INITIATIVE_ID.pattern + "))")


@dataclass
class Entry(Located):
    """One value printed under a label: positional cells, a text, or a table (its cells, each
    printed once, and its grid, a cell spanning columns in each of them)."""

    line: int
    cells: list[str] = field(default_factory=list)
    grid: list[list[str]] | None = None
    terms: list[str] = field(default_factory=list)
    spans: list[tuple[int, int] | None] | None = None   # where its cells are (Row.spans), if known
    uneven: bool = False                # Row.uneven
    cut: CellLines | None = None        # Row.cut: the lines of its cells (positions kept)
    after_blank: bool = False           # a blank line printed before it (a paragraph begins)

    @property
    def values(self) -> list[str]:
        return [cell for cell in self.cells if cell]


def label_entries(rows: list[Row]) -> tuple[dict[str, list[Entry]], list[str],
                                             dict[str, list[int]], list[tuple[str, int]]]:
    """Values grouped by the label they are printed under (an empty list: the label is printed
    without a value); unlabelled text goes to notes; the lines each label is printed on; and
    (term, line) of the glossary terms of the notes."""
    fields: dict[str, list[Entry]] = {}
    notes: list[str] = []
    note_terms: list[tuple[str, int]] = []
    printed: dict[str, list[int]] = {}
    label: str | None = None
    after_blank = False
    for row in rows:
        if row.blank:
            after_blank = True
            continue
        if row.grid is not None:
            first = row.values[0]               # a table row that is not blank
            if first in LABELS:
                label = first
                printed.setdefault(label, []).append(row.line)
            if label:
                fields.setdefault(label, []).append(Entry(row.line, row.cells, row.grid, row.terms,
                                                          cut=row.cut, after_blank=after_blank))
            after_blank = False
            continue
        for seg_label, cells, started in _segments(row, label):
            if started:
                printed.setdefault(seg_label, []).append(row.line)
            label = seg_label
            if label not in (None, INDICATORS) and any(map(value_label, cells)):
                label = INDICATORS      # 現状値/目標値 cells: an indicator's table, its label lost
            if label is not None:
                fields.setdefault(label, [])        # a label printed, with or without a value
            if not any(cells):
                continue
            if label is None:
                notes.append(" ".join(c for c in cells if c))
                note_terms += [(term, line) for line, term in row.located_terms()]
            else:
                fields.setdefault(label, []).append(Entry(row.line, cells, None, row.terms,
                                                          row.spans, row.uneven, row.cut,
                                                          after_blank))
        after_blank = False
    return fields, notes, printed, note_terms


def _segments(row: Row, label: str | None) -> list[tuple[str | None, list[str], bool]]:
    """Split a row where labels start: (label, cells, whether the label is printed here rather
    than going on from the row before); keeps cell positions (schedule grids need them)."""
    cells: list[str] = []
    segments: list[tuple[str | None, list[str], bool]] = [(label, cells, False)]
    for cell in row.cells:
        while cell[:1] in LABEL_INITIALS and (found := LABEL_START.match(cell)):
            cells = [""] * len(cells)
            segments.append((found[1], cells, True))
            cell = cell[found.end():].strip()
        cells.append(cell)
    if len(segments) == 1:                  # most rows: no label in them
        return segments if label is not None or any(cells) else [(label, [], False)]
    return [s for s in segments if s[0] is not None or any(s[1])] or [(label, [], False)]
