"""指標 (indicators): a name, then 現状値 (baseline) and 目標値 (target), each printed as
`現状値(H26年3月末)` followed by the value cell, in tab rows or HTML tables alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import lines_named
from ..values import (ERA_STARTS, DocumentEras, before_its_era, era_period, is_date, parse_era_date,
                      parse_quantity)

BASELINE, TARGET = "現状値", "目標値"
# The label alone, with its date in brackets, or with a date after it (checked: is_date).
VALUE_LABEL = re.compile(rf"^({BASELINE}|{TARGET})\s*(?:[(（]\s*([^()（）]*?)\s*[)）]|(\S*))$")
# Dates of values ("H26年3月末") repeat from indicator to indicator.
_date = lru_cache(maxsize=1024)(parse_era_date)
_period = lru_cache(maxsize=1024)(era_period)
_is_date = lru_cache(maxsize=1024)(is_date)


def value_label(text: str) -> tuple[str, str] | None:
    """("baseline" or "target", the date as printed) of a 現状値/目標値 label cell; None for
    any other cell, prose that merely begins with the word (「目標値の達成に向けて…」) too."""
    match = VALUE_LABEL.match(text)
    if match is None or match[3] and not _is_date(match[3]):
        return None
    return ("baseline" if match[1] == BASELINE else "target"), match[2] or match[3] or ""


@dataclass
class IndicatorDraft:
    name: str
    lines: list[int]
    values: dict = field(default_factory=dict)
    last_value: tuple[str, int] | None = None     # (kind, line) of the value read last


@dataclass
class IndicatorReading:
    """The indicators read, and what could not be read into one (a label without its
    indicator: a name lost, or a value cell cut so that a name was read as that value)."""
    drafts: list[IndicatorDraft]
    problems: list[str]
    # what each token was read as: (its draft, the column: name, baseline_text …), in order
    roles: list[tuple[IndicatorDraft, str]] = field(default_factory=list)


def read_indicators(tokens: list[tuple[int, str]], eras: DocumentEras = DocumentEras()
                    ) -> IndicatorReading:
    """Indicators from the 指標 cells in reading order: (line, text) pairs; a date printed
    without its era is read in the document's (`eras`), if one. A 現状値 or 目標値
    label printed again for the same indicator starts values whose indicator is unknown: they
    are left out, and so is the text read as the value just before it (the next indicator's
    name if a value cell was cut), each named in a problem. What the cells cannot tell: with
    a value cut and the next name wrapped over two cells, the name's first cell is read as
    that value and its second as the name."""
    drafts: list[IndicatorDraft] = []
    problems: list[str] = []
    roles: list[tuple[IndicatorDraft, str]] = []
    orphan: IndicatorDraft | None = None     # values after a label printed again: no indicator
    pending: str | None = None
    for line, text in tokens:
        label = value_label(text)
        current = orphan or (drafts[-1] if drafts else None)
        if label:
            pending, date_text = label
            if current is None or f"{pending}_date_text" in current.values:
                if orphan is not None:
                    problems.append(_orphan_problem(orphan))
                orphan = current = IndicatorDraft("", [])
                if drafts and drafts[-1].last_value:
                    problems.append(_ambiguous_value(drafts, line, text))
            else:
                current.last_value = None       # its own label follows it: a value, for sure
            current.values.update(_dates(pending, date_text, eras))
            current.lines.append(line)
            roles.append((current, f"{pending}_date_text"))
        elif pending:
            _set_value(current, pending, text)
            current.lines.append(line)
            current.last_value = (pending, line)
            roles.append((current, f"{pending}_text"))
            pending = None
        elif current is not None and not current.values:
            current.name += text          # a name wrapped onto a second line
            current.lines.append(line)
            roles.append((current, "name"))
        else:
            if orphan is not None:
                problems.append(_orphan_problem(orphan))
                orphan = None
            drafts.append(IndicatorDraft(text, [line]))
            roles.append((drafts[-1], "name"))
    if orphan is not None:
        problems.append(_orphan_problem(orphan))
    return IndicatorReading(drafts, problems + _dates_not_read(drafts, eras), roles)


def _dates(kind: str, text: str, eras: DocumentEras) -> dict:
    """A value's date as printed (`H26年3月末`, `H26年度`), the first and last day of what it
    prints (era_period: a day, or a period such as a fiscal year) and the ISO date of the day
    it names (None for a period: never its first day)."""
    start, end = _period(text, eras.era) or (None, None)
    return {f"{kind}_date_text": text, f"{kind}_date": _date(text, eras.era),
            f"{kind}_period_start": start, f"{kind}_period_end": end}


def _dates_not_read(drafts: list[IndicatorDraft], eras: DocumentEras) -> list[str]:
    """A value's date printed in a way not read (`24.3末`, `平成26～28年度`) or without its era
    in a document that prints none or several (`28年度末`): published as printed, its ISO date
    and period empty, and named, as it is not guessed. (A period, `H26年度`, is read: its first
    and last day.)"""
    return [f"indicator {seq} 「{draft.name}」: its {kind} date 「{text}」 ({lines_named(draft.lines)}) "
            f"{_why_no_date(text, eras)}: published as printed, its ISO date and period empty"
            for seq, draft in enumerate(drafts, 1) for kind in ("baseline", "target")
            if (text := draft.values.get(f"{kind}_date_text"))
            and draft.values[f"{kind}_period_start"] is None]


def _why_no_date(text: str, eras: DocumentEras) -> str:
    """Why a value's printed date gives no day or period: before its era began, no era, or
    no date."""
    if era := before_its_era(text, eras.era):
        return f"falls before {era} began ({ERA_STARTS[era]}): no date of that era"
    if _is_date(text):
        return f"prints no era and {eras.described()}"
    return "is not read as a date (年, 年度, 月, 日, 末)"


def _ambiguous_value(drafts: list[IndicatorDraft], line: int, label: str) -> str:
    """The value the previous indicator read last, withdrawn: it may be the next one's name."""
    draft = drafts[-1]
    kind, value_line = draft.last_value
    text = draft.values.get(f"{kind}_text", "")
    for key in ("text", "value", "unit", "note"):
        draft.values.pop(f"{kind}_{key}", None)
    draft.last_value = None
    return (f"indicator {len(drafts)} 「{draft.name}」: 「{label}」 at line {line} follows it with "
            f"no name between: 「{text}」 (line {value_line}) is its {kind} value or the next "
            "indicator's name (a cell cut?); not published as either")


def _orphan_problem(orphan: IndicatorDraft) -> str:
    shown = "、".join(f"{kind} 「{orphan.values[f'{kind}_text']}」" for kind in ("baseline", "target")
                     if orphan.values.get(f"{kind}_text"))
    where = lines_named(orphan.lines)
    if not shown:
        return f"a 現状値/目標値 label at {where} belongs to no named indicator (no value after it)"
    return f"values at {where} belong to no named indicator ({shown}): left out"


def _set_value(draft: IndicatorDraft, kind: str, text: str) -> None:
    quantity = parse_quantity(text)
    draft.values.update({
        f"{kind}_text": text,
        f"{kind}_value": quantity.value,
        f"{kind}_unit": quantity.unit,
        f"{kind}_note": quantity.note,
    })
