"""Printed dates and values read: Japanese era dates (和暦) and indicator values (number, unit,
note). Structure only: nothing here knows the content of any particular document.
"""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from .normalize import normalize_width

# --- Japanese eras (和暦) --------------------------------------------------

ERA_OFFSETS = {"昭和": 1925, "平成": 1988, "令和": 2018}
ERA_LETTERS = {"S": "昭和", "H": "平成", "R": "令和"}
_ERA = r"(?P<era>昭和|平成|令和|[SHR])?(?P<year>\d{1,4}|元)"
_YEAR_ONLY = re.compile(_ERA + r"(?:年度?)?")
_DATE = re.compile(_ERA + r"年(?:(?P<fy>度)(?P<fyend>末)?|(?P<yend>末)|"
                   r"(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日|(?P<mend>末)日?)?)?(?:現在|時点)?")


# The first day of each era: a date that ends before it is no date of that era
# (`R元年3月31日`: 令和 began on 1 May 2019); one after its last day is read on (`平成32年3月31日`,
# printed in plans written before 令和, is 2020-03-31).
ERA_STARTS = {"昭和": datetime.date(1926, 12, 25), "平成": datetime.date(1989, 1, 8),
              "令和": datetime.date(2019, 5, 1)}


def _read_year(era: str | None, number: str, default_era: str | None
               ) -> tuple[str | None, int] | None:
    """(the era a year is read in, its Gregorian year); a 4-digit bare number is a Gregorian
    year (no era); None: no era to read it in, or no year of that era."""
    if not era and len(number) == 4:
        return None, int(number)
    era = ERA_LETTERS.get(era or default_era or "", era or default_era)
    n = 1 if number == "元" else int(number)
    if era not in ERA_OFFSETS or not 1 <= n <= 99:
        return None
    return era, ERA_OFFSETS[era] + n


def _year(era: str | None, number: str, default_era: str | None) -> int | None:
    """Gregorian year of an era year (_read_year)."""
    read = _read_year(era, number, default_era)
    return read[1] if read else None


_WHITESPACE = re.compile(r"\s+")


def _compact(text: object) -> str:
    if not isinstance(text, str):
        return ""
    return _WHITESPACE.sub("", normalize_width(text)).strip("()")


def era_year(text: str, default_era: str | None = None) -> int | None:
    """Gregorian year of a Japanese era year (和暦): "H26"/"平成26" -> 2014, "R2" -> 2020,
    "元" = year 1 (元年). A leading "～" (from/until mark) is ignored. A number printed without
    its era ("26") is read in default_era (None: not read, never an era assumed)."""
    m = _YEAR_ONLY.fullmatch(_compact(text).lstrip("～~"))
    return _year(m["era"], m["year"], default_era) if m else None


def era_period(text: str, default_era: str | None = None
               ) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of what an era date prints: 年 year, 年度 fiscal year (April to
    March), 月 month, 日 day; 末 (末日) the last day; 現在 or 時点 after it, "as of". A day is a
    period of one: "H26年3月末" -> 2014-03-31 to 2014-03-31, "H28年度末" -> 2017-03-31 (31 March
    of the next year); "H26年度" -> 2014-04-01 to 2015-03-31, "平成29年7月" -> 2017-07-01 to
    2017-07-31. A year printed without its era ("28年度末") is read in default_era (None: not
    read). None for any other text, and for a date or period that ends before its era began
    (before_its_era)."""
    printed = _printed_period(text, default_era)
    return None if printed is None or _before_era(*printed) else printed[1:]


def before_its_era(text: str, default_era: str | None = None) -> str | None:
    """The era a date prints (`R元年3月31日`: 令和) when what it prints ends before that era
    began (ERA_STARTS), else None."""
    printed = _printed_period(text, default_era)
    return printed[0] if printed is not None and _before_era(*printed) else None


def _before_era(era: str | None, first: datetime.date, last: datetime.date) -> bool:
    return era in ERA_STARTS and last < ERA_STARTS[era]


def _printed_period(text: str, default_era: str | None
                    ) -> tuple[str | None, datetime.date, datetime.date] | None:
    """(era, first day, last day) of what an era date prints (see era_period), unchecked
    against the era's first day."""
    m = _DATE.fullmatch(_compact(text))
    read = _read_year(m["era"], m["year"], default_era) if m else None
    period = _period_of(m, read[1]) if read else None
    return (read[0], *period) if period else None


def _period_of(m: re.Match, year: int) -> tuple[datetime.date, datetime.date] | None:
    """(first day, last day) of a _DATE match whose year is `year`; None: no such day."""
    try:
        if m["fy"]:
            last = datetime.date(year + 1, 3, 31)
            return (last, last) if m["fyend"] else (datetime.date(year, 4, 1), last)
        if not m["month"]:
            last = datetime.date(year, 12, 31)
            return (last, last) if m["yend"] else (datetime.date(year, 1, 1), last)
        month = int(m["month"])
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        if m["day"]:
            day = datetime.date(year, month, int(m["day"]))
            return day, day
        return (last, last) if m["mend"] else (datetime.date(year, month, 1), last)
    except (ValueError, calendar.IllegalMonthError):
        return None


def parse_era_date(text: str, default_era: str | None = None) -> datetime.date | None:
    """The day an era date prints (era_period): "H26年3月末" -> 2014-03-31, "H28年度末" ->
    2017-03-31. None for a period, which names no day ("H26年度", "平成29年7月": never its first
    day), and for any other text."""
    period = era_period(text, default_era)
    return period[0] if period and period[0] == period[1] else None


_ERA_NAMED = re.compile("[SHRＳＨＲ]|昭和|平成|令和")     # (in either width)


def printed_era(text: str) -> str | None:
    """The era (昭和, 平成, 令和) a date or a fiscal year prints with its year: "H26年3月末",
    "～H25" -> 平成, "令和元年度" -> 令和; None for one printed without it ("28年度末", "2014"),
    for a year no era has ("H0", "H100": a typo names no era the document is written in) and
    for any other text (most cells of a document: those naming no era are not parsed)."""
    if not _ERA_NAMED.search(text):
        return None
    compact = _compact(text).lstrip("～~")
    match = _DATE.fullmatch(compact) or _YEAR_ONLY.fullmatch(compact)
    if not match or not match["era"] or _year(match["era"], match["year"], None) is None:
        return None
    return ERA_LETTERS.get(match["era"], match["era"])


def is_date(text: str) -> bool:
    """Whether text prints a date or a period era_period reads in its era or, printed without
    one, in some era (its shape tells a date from other text: `R元年3月31日`, before its era
    began, is a date not read)."""
    return any(_printed_period(text, era) for era in ERA_OFFSETS)


@dataclass(frozen=True)
class DocumentEras:
    """The eras a document prints its years in (printed_era of its dates and fiscal years). A
    year printed without its era is read in the one era the document prints (`era`); in none
    when it prints none or several: it is never assumed."""
    printed: tuple[str, ...] = ()

    @property
    def era(self) -> str | None:
        return self.printed[0] if len(self.printed) == 1 else None

    def described(self) -> str:
        """What the document prints, said where a year without its era is not read."""
        if not self.printed:
            return "the document prints no year with its era"
        return f"the document prints years of {len(self.printed)} eras ({'、'.join(self.printed)})"


# --- indicator values ------------------------------------------------------

@dataclass(frozen=True)
class Quantity:
    """An indicator value split into number, unit (単位) and remaining note."""
    value: int | float | None
    unit: str
    note: str


# A value's unit: what follows its number up to a space or a bracket, a word that qualifies the
# number (comparison, approximation, change: `50%以上`, `5件程度`, `5ポイント増`) or hiragana (a
# particle: `60%を目指す`; a counter may begin with one: `10か所`, `5つ`); the rest is its note.
# A mark is never a unit's either (`50%※`, `12件。`, `5%↑`: 50 / % / ※), nor a superscript
# digit but after a unit's letter (`m²`; `80%¹` is a footnote's mark, `10²件` a power: no value).
_QUALIFIER = "以上|以下|未満|以内|超|程度|前後|強|弱|余り|増|減"
_MARKS = "※。、,.;:！？!?↑↓←→⇒⇔"     # (after widths are made half: ，． are , .)
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_UNIT_CHAR = rf"(?!{_QUALIFIER})(?!(?<![A-Za-z])[{_SUPERSCRIPT_DIGITS}])[^\s(（\u3041-\u309f{_MARKS}]"
_QUALIFIED_RATE = re.compile(rf"(?:{_QUALIFIER})\s*/")     # `回以上/年`: a qualifier inside a rate
_QUANTITY = re.compile(rf"(?P<num>[+-]?\d[\d,]*(?:\.\d+)?)\s*"
                       rf"(?P<unit>(?:[かつ]|{_UNIT_CHAR})?(?:{_UNIT_CHAR})*)\s*(?P<note>.*)", re.DOTALL)


# What makes the number read no number of the value: the printed text goes on with another
# number outside brackets (a note's `(15システム)`, `(H27-H28)`) and a rate's denominator
# (`人/10万人`, `回/2年`: between a unit's word and its own): a number split or cut (`12 883件`,
# `38. 25%`, `1、234件`, `1.2.3`), a fraction (`1/2`), a range (`40%～45%`, `40-45%`), a change
# (`50%→70%`), a list (`50%、70%`, `50%/70%`). Either way the number first is not the value.
_BRACKETED = re.compile(r"\([^()]*\)")
_DENOMINATOR = re.compile(r"(?<=[^\s\d.,/])/\s*\d[\d,.]*(?=[^\s\d.,%])")   # its own unit after it
_DIGIT = re.compile(r"\d")          # a decimal digit (`m²`'s ² is none)
_UNIT_DIGIT = re.compile(r"(?<=[A-Za-z])\d(?!\d)")   # a digit of a unit's letters (`m2`, `CO2`)
_EXPONENT = re.compile(rf"[eE][+-]?\d|[{_SUPERSCRIPT_DIGITS}]")  # `1e3`, `10²`: a power, no unit
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?")     # commas group thousands

EXACT_WHOLE = 1 << 53  # the largest whole number every double holds exactly: a value is a
                      # double in Parquet (float64) and SQLite (REAL), a number in JSON


def parse_quantity(text: str) -> Quantity:
    """Split "12,883件" -> (12883, "件", ""), "1回/年 (15システム)" ->
    (1, "回/年", "(15システム)"). Non-numeric text -> (None, "", ""), as is a whole number
    beyond 2**53, which no double holds exactly, or a decimal whose digits the nearest double
    does not give back (`99999999999999999999.5`: 1e+20); the text keeps it. So is a text with
    another number after the first, outside brackets (`40%～45%`, `50%→70%`, `1/2`, `12 883件`,
    `38. 25%`; `3,5件`): its first digits are not its value; and one whose rate a qualifier
    cuts (`1回以上/年`: its unit would be 回 alone)."""
    m = _QUANTITY.fullmatch(normalize_width(text).strip()) if isinstance(text, str) else None
    if not m or _another_number(m.string[m.end("num"):]) or _QUALIFIED_RATE.match(m["note"]) \
            or "," in m["num"] and not _GROUPED.fullmatch(m["num"]):
        return Quantity(None, "", "")
    num = m["num"].replace(",", "")
    value = float(num) if "." in num else int(num)
    exact = Decimal(num)
    if abs(exact) > EXACT_WHOLE or Decimal(repr(float(value))) != exact:
        return Quantity(None, "", "")
    return Quantity(value, m["unit"], m["note"].strip())


def _another_number(rest: str) -> bool:
    """Whether the text after a value's number holds another number, but in brackets, as a
    rate's denominator or as a digit of its unit's letters (_BRACKETED, _DENOMINATOR,
    _UNIT_DIGIT)."""
    rest = _DENOMINATOR.sub("", _BRACKETED.sub("", rest))
    return bool(_EXPONENT.match(rest) or _DIGIT.search(_UNIT_DIGIT.sub("", rest)))
