"""Page furniture: what a PDF's pages print around the records, which a page break puts inside
them. The page headers the document prints (and a line cut from one), a running header or
footer (the document's or its chapter's title, printed beside most page headers) and a page's
bare number before the next page's header.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Container

from .layout import LONE_PAGE_NUMBER, Row
from .template import (LABELS, NUMBERED, PAGE_HEADER, RESPONSIBLE_LABEL, SITES_LABEL, TOPIC_LABEL,
                       starts_with_label)


def page_headers(rows: list[Row]) -> list[str]:
    """The text of each page header the document prints with its 項目, once, sorted."""
    return sorted({row.text for row in rows if not row.blank and row.text.startswith("分野")
                   and (header := PAGE_HEADER.match(row.text)) and header[3] is not None})


def cut_header(text: str, headers: list[str]) -> bool:
    """Whether a row that is no page header is the beginning of one the document prints (`分野`,
    `分野 2 行政の情報化 項`): a header cut short, its end lost or on the next line."""
    at = bisect_left(headers, text)
    return at < len(headers) and headers[at].startswith(text)


RUNNING_MIN = 3         # page breaks a running header or footer is printed at, at least


def running_lines(rows: list[Row]) -> dict[int, tuple[list[int], int] | None]:
    """Rows printed word for word beside the page headers (next to one, blank lines and a
    page's number aside, on the same side), at RUNNING_MIN page breaks or more and at two
    fifths of them (even and odd pages may have their own): a running header or footer (the
    document's or its chapter's title), which a page break prints inside a record. Where it
    may be a label's value (_may_go_on: `担当` / `総務部 税務課`, which may end every initiative
    of a page, or a division wrapped) it does not count; once a line is found running, every
    one of its rows beside a header is left out. By index: the first (the indexes of the
    others, how many headers there are), the others None."""
    headers = [i for i, row in enumerate(rows) if not row.blank
               and row.text.startswith("分野") and PAGE_HEADER.match(row.text)]
    beside: dict[tuple[int, str], list[int]] = {}     # (side, text) -> its rows
    free: dict[tuple[int, str], int] = {}             # … how many are no label's value
    for index in headers:
        for step in (-1, 1):
            near = _nearest_text(rows, index, step)
            if near is not None and _may_run(rows[near]):
                key = (step, rows[near].text)
                beside.setdefault(key, []).append(near)
                free[key] = free.get(key, 0) + (not _may_go_on(rows, near, step))
    least = max(RUNNING_MIN, -(-len(headers) * 2 // 5))
    running: dict[int, tuple[list[int], int] | None] = {}
    for key, found in beside.items():
        if free[key] >= least:
            running.update({index: None for index in found})
            running[found[0]] = (found[1:], len(headers))
    return running


def _may_go_on(rows: list[Row], index: int, step: int) -> bool:
    """Whether the row `index` may be a label's value rather than a running line. Before the
    page header (`step` -1): the label printed alone before it (`担当` / `総務部 税務課`), or a
    担当 (department and division) of one word before it (`担当 総務部`, or `担当` / `総務部`),
    whose division wraps onto this row (`税務課`). After the header (+1): a label right after
    it, as a value's last line is (`主体` / page break / `県` / `担当`)."""
    beyond = _nearest_text(rows, index, step)
    if beyond is None:
        return False
    text = rows[beyond].text
    if step > 0:            # after the header: a value's last line, its label before the header
        return text in LABELS
    if text in LABELS:
        return True
    if starts_with_label(text, RESPONSIBLE_LABEL):
        return " " not in text[len(RESPONSIBLE_LABEL):].strip()
    further = _nearest_text(rows, beyond, step)
    return further is not None and rows[further].text == RESPONSIBLE_LABEL and " " not in text


def _nearest_text(rows: list[Row], index: int, step: int) -> int | None:
    """The nearest row before (step -1) or after (+1) row `index` that is neither blank nor a
    page's bare number (a footer)."""
    at = index + step
    while 0 <= at < len(rows) and abs(at - index) < 6 and (
            rows[at].blank or LONE_PAGE_NUMBER.match(rows[at].text)):
        at += step
    return at if 0 <= at < len(rows) and not rows[at].blank else None


def _may_run(row: Row) -> bool:
    """A line of text alone, no heading, label or page header of the template."""
    return row.kind == "text" and not row.text.startswith("分野") and not NUMBERED.match(row.text) \
        and not row.text.startswith(("【", "(", SITES_LABEL, TOPIC_LABEL)) \
        and not any(starts_with_label(row.text, label) for label in LABELS)


def page_footer(rows: list[Row], index: int, running: Container[int]) -> bool:
    """Whether a row is a page's bare number (`12`, `12/40`) printed where the next page's
    header follows (blank rows and the `running` lines of running_lines aside: the next
    page's running header before its table's header): the page's footer, which went on as
    the record's text or value."""
    row = rows[index]
    if row.kind != "text" or not LONE_PAGE_NUMBER.match(row.text):
        return False
    at = index + 1
    while at < len(rows) and (rows[at].blank or at in running):
        at += 1
    return at < len(rows) and bool(PAGE_HEADER.match(rows[at].text))
