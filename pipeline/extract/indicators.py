"""指標 (indicators): a name, then 現状値 (baseline) and 目標値 (target), each printed as
`現状値(H26年3月末)` followed by the value cell, in tab rows or HTML tables alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..normalize import parse_era_date, parse_quantity

BASELINE, TARGET = "現状値", "目標値"
VALUE_LABEL = re.compile(rf"^({BASELINE}|{TARGET})\s*[(（]?\s*(.*?)\s*[)）]?$")
# Dates of values ("H26年3月末") repeat from indicator to indicator.
_date = lru_cache(maxsize=1024)(parse_era_date)


@dataclass
class IndicatorDraft:
    name: str
    lines: list[int]
    values: dict = field(default_factory=dict)


def read_indicators(tokens: list[tuple[int, str]]) -> list[IndicatorDraft]:
    """Indicators from the 指標 cells in reading order: (line, text) pairs."""
    drafts: list[IndicatorDraft] = []
    pending: str | None = None
    for line, text in tokens:
        label = VALUE_LABEL.match(text)
        if label and drafts:
            pending = "baseline" if label[1] == BASELINE else "target"
            drafts[-1].values[f"{pending}_date_text"] = label[2]
            drafts[-1].values[f"{pending}_date"] = _date(label[2])
            drafts[-1].lines.append(line)
        elif pending:
            _set_value(drafts[-1], pending, text)
            drafts[-1].lines.append(line)
            pending = None
        elif drafts and not drafts[-1].values:
            drafts[-1].name += text          # a name wrapped onto a second line
            drafts[-1].lines.append(line)
        else:
            drafts.append(IndicatorDraft(text, [line]))
    return drafts


def _set_value(draft: IndicatorDraft, kind: str, text: str) -> None:
    quantity = parse_quantity(text)
    draft.values.update({
        f"{kind}_text": text,
        f"{kind}_value": quantity.value,
        f"{kind}_unit": quantity.unit,
        f"{kind}_note": quantity.note,
    })
