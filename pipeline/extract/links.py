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
    """Why a URL as read may hold the text around it: it ends with a sentence's punctuation
    (。、」) or a bracket it does not open (`（http://…）`: the bracket around it), holds a
    sentence's punctuation (`…html、2-1-10…`: the next entry after it) or a second URL after a
    comma."""
    doubts = [f"ends with 「{url[-1]}」 (the sentence's punctuation after it?)"] \
        if url[-1] in SENTENCE_PUNCTUATION else []
    if url[-1] == ")" and url.count("(") < url.count(")"):
        doubts.append("ends with 「)」 (the bracket around it?)")
    if any(mark in url[:-1] for mark in SENTENCE_PUNCTUATION):
        doubts.append("holds a sentence's punctuation (the text after it?)")
    if ",http://" in url or ",https://" in url:
        doubts.append("holds 「,http」: two URLs printed without a space?")
    return doubts


# The words right before which (no space between) a number like an initiative's id numbers a
# figure, a table, a chapter or a page of the document cited (`図表2-1-3`, `第2-1-3表`,
# `資料2-1-3`, `p.2-1-3`): no citation. After a space it is one (`…関係資料 2-1-13…`).
NUMBERING_WORDS = ("第", "図", "表", "資料", "別紙", "別表", "様式", "No.", "No", "no.", "P.", "p.", "頁")
# What only separates entries or brackets them: never a document's name or a citation's label.
SEPARATORS = " \t、,，・;；/"
OPENING = "(（「『【[<"
UNCLOSED_URL = re.compile(rf"<\s*(?>{URL.pattern})(?!\s*>)")   # `<http://…/a b.html>`: cut at a space


def read_references(ident: str, entries: list[Located], source: str) -> tuple[
        list[Reference], list[str]]:
    """参考: initiative ids (`2-1-9庁内…`), document names and URLs; and the doubts about its
    URLs (kept as printed)."""
    found: list[tuple[str | None, str, str, int]] = []
    doubts = []
    for line, value in with_wrapped_urls(entries):
        urls, text = split_urls(value)
        for url in urls:
            found.append((None, url, url, line))
            doubts += [f"参考 at line {line}: 「{url}」 {doubt} Kept as printed"
                       for doubt in url_doubts(url)]
        doubts += [f"参考 at line {line}: 「{m[0]}」 is in angle brackets not closed after it (a "
                   "space in the URL?): kept as printed, the rest as a document"
                   for m in UNCLOSED_URL.finditer(value)]
        cuts = [m for m in INITIATIVE_ID.finditer(text)
                if not text[:m.start()].endswith(NUMBERING_WORDS)]
        starts = [0, *(m.end() for m in cuts)]
        ends = [m.start() for m in cuts] + [len(text)]
        _document(found, text[starts[0]:ends[0]], line)
        for cut, start, end in zip(cuts, starts[1:], ends[1:]):    # an id printed alone is
            label = _words(text[start:end]) or cut[0]                # its own label
            found.append((cut[0].translate(ASCII_HYPHEN), label, "", line))
    references = [Reference(ident, seq, to_id, to_id, label, url, source, line_range([line]))
                  for seq, (to_id, label, url, line) in enumerate(found, 1)]
    return references, doubts


def _document(found: list, text: str, line: int) -> None:
    """A document's name printed before the first citation of a line, if it is one, without
    the separators and the bracket opening what follows it (`「…基本方針」（http://…）`)."""
    name = text.strip(SEPARATORS).rstrip(OPENING).strip(SEPARATORS)
    if _words(name):
        found.append((None, name, "", line))


def _words(text: str) -> str:
    """The text without the separators around it; "" for separators or brackets alone."""
    words = text.strip(SEPARATORS)
    return words if words.strip(SEPARATORS + "()（）「」『』【】[]<>") else ""
