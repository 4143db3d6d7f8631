"""The geometry of the portal's pictures, computed at publish time: plain numbers and texts that
the templates (`templates/partials/charts.html`) draw as inline SVG, so the pictures need no
script and every number stays in a table or text beside them.

- `indicator_chart`: an indicator (指標) from its baseline (現状値) to its target (目標値) on a
  time axis; a target printed as text only (such as 全所属, "every office") is shown as text;
- `schedule_bars` / `timeline`: a schedule (スケジュール) as bars across the plan's fiscal years
  (年度, April to March), a continuation (→) drawn as one bar with the period it continues;
- `bar_chart`: counts by label (initiatives by status, by department).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

CONTINUATION = "→"
PALETTE = 3            # bar colours, classes bar-0 .. bar-2 in style.css (white text >= 4.5:1)
FONT = 13              # px of the charts' text
ROW = 30               # px per row of a timeline or bar chart
CHART_WIDTH = 440      # px of the viewBox of an indicator or count chart (fits a phone)


def char_width(character: str, size: int = FONT) -> float:
    """Approximate width in px of a character: full-width 1 em, others 0.6 em."""
    return size if unicodedata.east_asian_width(character) in "WF" else size * 0.6


@lru_cache(maxsize=1 << 16)
def clip(text: str, width: float, size: int = FONT) -> str:
    """`text` cut with … to fit `width` px ('' when not even one character fits); cached: a
    plan's page and its item's page clip the same titles."""
    room, used, fits = width - size, 0.0, 0          # room for the text before the ellipsis
    for end, character in enumerate(text):
        used += char_width(character, size)
        if used > width:
            break
        if used <= room:
            fits = end + 1
    else:
        return text
    return text[:fits] + "…" if room > 0 and fits else ""


# ---- indicators ------------------------------------------------------------------------------

def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def indicator_chart(indicator: dict) -> dict | None:
    """Baseline and target of an indicator on a time axis of whole years, or None without both
    dates. Numeric values of one unit are drawn at their height over zero and joined by a line;
    a value without a number is drawn as its printed text."""
    start, end = _day(indicator.get("baseline_date")), _day(indicator.get("target_date"))
    if start is None or end is None or end < start:
        return None
    width, height, left, right, top, bottom = CHART_WIDTH, 200, 36, 30, 34, 40
    first, last = date(start.year, 1, 1), date(end.year + 1, 1, 1)
    span = (last - first).days

    def x(day: date) -> float:
        return round(left + (width - left - right) * (day - first).days / span, 1)

    values = [indicator.get("baseline_value"), indicator.get("target_value")]
    units = {indicator.get("baseline_unit"), indicator.get("target_unit")}
    numeric = [v for v in values if isinstance(v, (int, float))]
    top_value = max(numeric, default=0) * 1.15 or 1
    plot = height - top - bottom

    def y(value) -> float:
        return round(top + plot * (1 - value / top_value), 1)

    points = []
    for kind, day in (("baseline", start), ("target", end)):
        value = indicator.get(f"{kind}_value")
        printed = indicator.get(f"{kind}_text") or ""
        is_number = isinstance(value, (int, float)) and (len(numeric) == 1 or len(units) == 1)
        points.append({"kind": kind, "x": x(day), "y": y(value) if is_number else top + plot / 2,
                       "numeric": is_number, "label": printed, "date": day.isoformat(),
                       "anchor": "start" if kind == "baseline" else "end"})
    ticks = [{"x": x(date(year, 1, 1)), "label": str(year)}
             for year in range(start.year, end.year + 2)]
    return {"width": width, "height": height, "left": left, "right": width - right,
            "top": top, "base": height - bottom, "ticks": ticks, "points": points,
            "line": all(p["numeric"] for p in points), "name": indicator.get("name") or ""}


# ---- schedules -------------------------------------------------------------------------------

@dataclass
class Bar:
    """One phase (実施内容) from fiscal year `first` to `last`, with the periods as printed."""
    label: str
    first: int
    last: int
    periods: list[str]


def schedule_bars(schedule: list[dict]) -> list[Bar]:
    """The periods of a schedule as bars: a cell printed as a continuation (→) extends the bar
    before it instead of starting one; a period with nothing printed has none."""
    bars: list[Bar] = []
    for row in schedule:
        year = row.get("fiscal_year")
        raw = (row.get("raw") or "").strip()
        if year is None or not raw:
            continue
        if bars and raw.startswith(CONTINUATION) and bars[-1].last in (year, year - 1):
            bars[-1].last = year
            bars[-1].periods.append(row.get("period") or "")
        else:
            bars.append(Bar(row.get("phase") or raw, year, year, [row.get("period") or ""]))
    return bars


def fiscal_years(start: int | None, end: int | None, schedules) -> list[int]:
    """The fiscal years of a plan's axis: its period, widened to every year a schedule names."""
    years = {y for rows in schedules for y in (r.get("fiscal_year") for r in rows) if y is not None}
    if start is not None:
        years |= set(range(start, (end or start) + 1))
    return list(range(min(years), max(years) + 1)) if years else []


def period_labels(schedules) -> dict[int, str]:
    """Fiscal year -> the period as the plan prints it (`H26`, `～H25`), the first seen."""
    labels: dict[int, str] = {}
    for rows in schedules:
        for r in rows:
            if r.get("fiscal_year") is not None and r.get("period"):
                labels.setdefault(r["fiscal_year"], r["period"])
    return labels


UP_TO = ("～", "~")      # a period printed `～H25`: up to fiscal year 2013 (schedules' `period`)


def fiscal_span(bar: Bar) -> str:
    """The fiscal years of a bar in words: `2015～2016年度`, `2014年度`, or `～2013年度` for a
    bar from a period printed `～H25` (up to that year, its first unknown)."""
    if bar.periods and bar.periods[0].startswith(UP_TO):
        return f"～{bar.last}年度"
    return f"{bar.first}年度" if bar.first == bar.last else f"{bar.first}～{bar.last}年度"


def timeline(rows: list[tuple[str, list[Bar]]], years: list[int], labels: dict[int, str],
             width: int = 880, label_width: int = 280) -> dict | None:
    """A Gantt chart: one row per (label, bars), one column per fiscal year; a bar's text is
    shown where it fits (the table beside always has it)."""
    if not years or not rows:
        return None
    head, column = 44, (width - label_width - 8) / len(years)
    first = years[0]
    columns = [{"x": round(label_width + column * i, 1), "year": year,
                "period": labels.get(year, ""), "middle": round(label_width + column * (i + .5), 1)}
               for i, year in enumerate(years)]
    drawn = []
    for index, (label, bars) in enumerate(rows):
        y = head + index * ROW
        shapes = []
        for n, bar in enumerate(bars):
            start = max(bar.first, first) - first
            stop = min(bar.last, years[-1]) - first + 1
            if stop <= start:
                continue
            x, length = label_width + column * start + 2, column * (stop - start) - 4
            shapes.append({"x": round(x, 1), "width": round(length, 1), "colour": n % PALETTE,
                           "text": clip(bar.label, length - 10), "label": bar.label,
                           "first": bar.first, "last": bar.last, "periods": "・".join(bar.periods),
                           "span": fiscal_span(bar),
                           "years": bar.last - bar.first + 1})
        drawn.append({"y": y, "label": clip(label, label_width - 12), "full": label,
                      "bars": shapes})
    return {"width": width, "height": head + len(rows) * ROW + 6, "head": head,
            "label_width": label_width, "column": round(column, 1), "columns": columns,
            "rows": drawn, "years": f"{years[0]}年度～{years[-1]}年度"}


# ---- counts ----------------------------------------------------------------------------------

def bar_chart(counts: list[tuple[str, int]], classes: dict[str, str] | None = None,
              label_width: int = 150) -> dict | None:
    """Horizontal bars of counts, longest = the widest bar; `classes` colours some labels."""
    if not counts:
        return None
    top = max(c for _, c in counts) or 1
    room = CHART_WIDTH - label_width - 50
    rows = [{"y": 8 + i * ROW, "label": clip(label, label_width - 10), "full": label,
             "count": count, "width": round(max(room * count / top, 2), 1),
             "class": (classes or {}).get(label, "bar-0")}
            for i, (label, count) in enumerate(counts)]
    return {"width": CHART_WIDTH, "height": 12 + len(rows) * ROW, "label_width": label_width,
            "rows": rows}
