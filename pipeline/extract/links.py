"""関連URL (related URLs) and 参考 (references) of 取組 (initiative) blocks.

関連URL prints an initiative's web addresses; 参考 cites other initiatives by their id
(`2-1-9`: 分野 field, 項目 item and initiative number, as the plans print them), documents by
name, and URLs. The URL helpers read the URL of each 情報発信サイト等 (publishing site) too.
"""

from __future__ import annotations

import re

from ..model import Reference, line_range
from ..normalize import HYPHENS, LONG_DASHES
from .layout import Located

URL = re.compile(r"https?://[^\s<>\"]+")
OPEN_URL = re.compile(r"<https?://[^\s<>\"]*$")     # a URL in angle brackets no > closes yet
ENCLOSED_URL = re.compile(rf"<?\s*{URL.pattern}\s*>?")     # with its brackets, if any
URL_GOES_ON = re.compile(r"[^\s<>\"]+>")          # the rest of it, up to its closing >
URL_MIDDLE = re.compile(r"[!#-;=?-~]+")     # a line of it between: ASCII but space, " < >
SENTENCE_PUNCTUATION = "。、」』】〕"     # never a URL's last character as printed in prose
# An initiative's id as the plans print it (field-item-number, `2-1-9`, its hyphens as the font
# has them: converters write ‐ ‑ ‒ – − too, and between digits ー ― —; after a word, ー ends it:
# `センター2-1-9`), not part of a longer run of digits and dashes (a phone number
# `022-211-2411`, a date `2014-3-31`, `1ー2ー1ー9`)
DIGIT_DASHES = HYPHENS + LONG_DASHES
INITIATIVE_ID = re.compile(rf"(?<![-\d{HYPHENS}])(?<!\d[{LONG_DASHES}])(\d{{1,3}}[-{DIGIT_DASHES}]"
                           rf"\d{{1,3}}[-{DIGIT_DASHES}]\d{{1,3}})(?![-\d{HYPHENS}]|[{LONG_DASHES}]\d)")
ASCII_HYPHEN = str.maketrans(DIGIT_DASHES, "-" * len(DIGIT_DASHES))


def read_urls(entries: list[Located]) -> tuple[list[str], list[tuple[int, str]], list[str]]:
    """The URLs printed under 関連URL, (line, text) of what else is printed there, and the
    doubts about URLs that may have run into the text around them (kept as printed: a URL may
    hold any character)."""
    urls, stray, doubts = [], [], []
    for line, value in with_wrapped_urls(entries):
        found, rest = split_urls(value)
        urls += found
        doubts += [f"関連URL at line {line}: 「{url}」 {doubt} Kept as printed"
                   for url in found for doubt in url_doubts(url)]
        if rest:
            stray.append((line, rest))
    return urls, stray, doubts


def with_wrapped_urls(entries: list[Located]) -> list[tuple[int, str]]:
    """(line, value) of the entries' cells, a URL that the end of its line cut put back
    together: a cell ending inside a URL its `<` opens (`<http://…/soshik`) and the next cell,
    which goes on with no space up to the `>` closing it (`i/iyoho-s/kiban1.html>`), are one
    value at the first one's line (with the cells between, holding no space, when the URL
    took more lines). The angle brackets say where the URL ends; a URL printed without them is
    never joined to the text after it (a line's end may end it)."""
    cells = [cell for entry in entries for cell in entry.located_cells()]
    joined: list[tuple[int, str]] = []
    at = 0
    while at < len(cells):
        line, value = cells[at]
        end = url_closing(cells, at)
        joined.append((line, "".join(text for _, text in cells[at:end + 1])))
        at = end + 1
    return joined


def url_closing(cells: list[tuple[int, str]], opening: int) -> int:
    """The index of the cell whose `>` closes the URL that the cell at `opening` ends inside
    (its `<` opened, no `>` closing it), the cells between holding a URL's characters of ASCII
    and no space (a label's line, `担当:総務部広報課`, is none); `opening` itself when it leaves
    no URL open, or nothing closes it so (with_wrapped_urls)."""
    if not OPEN_URL.search(cells[opening][1]):
        return opening
    for at in range(opening + 1, len(cells)):
        if URL_GOES_ON.match(cells[at][1]):
            return at
        if not URL_MIDDLE.fullmatch(cells[at][1]):
            break
    return opening


def split_urls(value: str) -> tuple[list[str], str]:
    """The URLs printed in a value, and the text beside them (the angle brackets around a URL,
    `<http://…>`, one of them alone or an empty pair are no text; any other `<` or `>` is, as
    printed: `…?y=<z>` leaves `<z>`)."""
    return URL.findall(value), " ".join(ENCLOSED_URL.sub(" ", value).replace("<>", " ").split())


def url_doubts(url: str) -> list[str]:
    """Why a URL as read may hold the text after it: it ends with a sentence's punctuation
    (。、」), or holds a second URL after a comma."""
    doubts = [f"ends with 「{url[-1]}」 (the sentence's punctuation after it?)"] \
        if url[-1] in SENTENCE_PUNCTUATION else []
    if ",http://" in url or ",https://" in url:
        doubts.append("holds 「,http」: two URLs printed without a space?")
    return doubts


def read_references(ident: str, entries: list[Located], source: str) -> list[Reference]:
    """参考: initiative ids (`2-1-9庁内…`), document names and URLs."""
    found: list[tuple[str | None, str, str, int]] = []
    for line, value in with_wrapped_urls(entries):
        for url in URL.findall(value):
            found.append((None, url, url, line))
        text = URL.sub("", value).replace("<>", " ")
        parts = INITIATIVE_ID.split(text)
        if parts[0].strip():
            found.append((None, parts[0].strip(), "", line))
        for printed, label in zip(parts[1::2], parts[2::2]):   # an id printed alone is
            found.append((printed.translate(ASCII_HYPHEN), label.strip() or printed, "",
                          line))                                    # its own label
    return [Reference(ident, seq, to_id, to_id, label, url, source, line_range([line]))
            for seq, (to_id, label, url, line) in enumerate(found, 1)]
