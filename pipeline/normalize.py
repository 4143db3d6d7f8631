"""Pure text normalisers for PDF-to-text dumps of Japanese plan documents.

Structure only: nothing here knows the content of any particular document.
"""
from __future__ import annotations

import html
import html.entities
import re
import unicodedata

# Hyphens as converters write the font's `-` (‐ ‑ ‒ – −), and the long dashes (ー ― —) that
# stand for it between digits (`2ー1ー9`, OCR and some Japanese fonts)
HYPHENS = "\u2010\u2011\u2012\u2013\u2212"
LONG_DASHES = "\u30fc\u2015\u2014"

# What PDF-to-text converters write differently: control and format characters (bidi marks,
# zero-width characters, BEL, a BOM inside the text) and the noncharacters U+FDD0–U+FDEF,
# U+FFFE and U+FFFF (no text holds them; XML forbids the last two) are removed; every Unicode
# space and the line-breaking controls that are not LF (form feed, U+2028 …) stand for a space.
INVISIBLE_CHARS = ("\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f"
                   "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufdd0-\ufdef"
                   "\ufeff\ufff9-\ufffb\ufffe\uffff")
SPACE_CHARS = "\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]+")
SPACES = re.compile(f"[{SPACE_CHARS}]")

# --- width -----------------------------------------------------------------

# Full-width ASCII U+FF01..U+FF5D -> ASCII; U+FF5E "～" (range mark) is kept.
_WIDTH_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5E)} | {0x3000: " "}
# Runs of the characters in _WIDTH_TABLE: translate() is slow on characters it does not map.
_FULL_WIDTH = re.compile(r"[\uFF01-\uFF5D\u3000]+")
_HALF_KANA = re.compile(r"[\uFF61-\uFF9F]+")


def normalize_width(text: str) -> str:
    """Fold full-width ASCII (全角英数字) to ASCII and the ideographic space
    (全角スペース) to " "; widen half-width katakana (半角カナ) with NFKC.
    "～" (波ダッシュ, range mark) and Japanese punctuation are kept."""
    text = _FULL_WIDTH.sub(lambda m: m.group().translate(_WIDTH_TABLE), text)
    return _HALF_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


# --- markup ----------------------------------------------------------------

# An HTML tag: an element's name (the vocabulary converters write), then attributes (`name`,
# `name=value`; an unquoted value may hold `=`, as browsers read it: `href=/?id=3`). Other text
# between < and > is text: `(x<y and z>w)`, `(a<b かつ c>d)`.
HTML_ELEMENT_NAMES = frozenset("""
    a abbr acronym address area article aside audio b bdi bdo big blockquote body br button
    canvas caption center cite code col colgroup dd del details dfn div dl dt em embed
    fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i
    iframe img input ins kbd label legend li link main map mark math meta nav nobr noscript
    object ol option p picture pre q rp rt ruby s samp script section select small source
    span strike strong style sub summary sup svg table tbody td textarea tfoot th thead time
    title tr tt u ul var video wbr""".split())
_ELEMENTS = "|".join(sorted(HTML_ELEMENT_NAMES, key=len, reverse=True))   # for a regex
_ATTRIBUTE = r"""\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>`]+))?"""
HTML_TAG = re.compile(rf"</?(?:{_ELEMENTS})(?:{_ATTRIBUTE})*\s*/?>", re.IGNORECASE)
# An `&` and what may follow it as a character reference. Only a complete one (`&amp;`, `&#38;`,
# `&#x26;`: a known name or a number, ended by `;`) is decoded: html.unescape also decodes a
# legacy name without its `;` (`&copy`, `&reg`, `&para`, `&not`, `&lt`), which turned a URL's
# query `?a=1&region=2` into `?a=1®ion=2` and `&copy=2` into `©=2`.
_REFERENCE = re.compile(r"&(#[0-9]{1,8};|#[xX][0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9]{0,31};)?")


def _complete(match: re.Match) -> bool:
    name = match[1]
    return bool(name) and (name[0] == "#" or name in html.entities.html5)


def unescape(text: str) -> str:
    """The text with its complete character references decoded; any other `&` as printed."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(lambda m: _decoded(m[0]) if _complete(m) else m[0], text)


def _decoded(reference: str) -> str:
    """A reference's character: a space (`&nbsp;`, `&#10;`) is " " as in a line of the text, an
    invisible one (`&#x200B;`) nothing, as is a number that names no character (`&#0;`, a
    surrogate, past U+10FFFF: html.unescape gives U+FFFD, a mark of its own)."""
    if reference[1] == "#" and not _is_character(int(reference[3:-1], 16) if reference[2] in "xX"
                                                 else int(reference[2:-1])):
        return ""
    char = html.unescape(reference)
    return " " if char.isspace() else INVISIBLE.sub("", char)


def _is_character(number: int) -> bool:
    return 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF


def escape_incomplete_references(text: str) -> str:
    """The text with every `&` that begins no complete character reference written `&amp;`:
    what html.parser, which decodes as html.unescape does, then reads as printed."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(lambda m: m[0] if _complete(m) else "&amp;" + m[0][1:], text)


def strip_html(text: str, sep: str = " ") -> str:
    """Replace each HTML tag with sep (a space), decode complete character references and
    drop the markdown bold marker "**". URLs in angle brackets (<http://...>) stay."""
    return unescape(HTML_TAG.sub(sep, text)).replace("**", "")


# --- PDF letter spacing ----------------------------------------------------

_WORD_START = re.compile(r"[A-Za-z]{2}")
_WORD_END = re.compile(r"[A-Za-z]{2}$")


# A lone ASCII letter, digit or "*" between spaces (or the ends of the text).
_SINGLE = re.compile(r"(?<![^ ])[A-Za-z0-9*](?![^ ])")


def _is_single(token: str) -> bool:
    return len(token) == 1 and (token == "*" or (token.isascii() and token.isalnum()))


def _glue(left: str, right: str) -> bool:
    """True when the space between two tokens is PDF letter spacing."""
    if _is_single(left) and (_is_single(right) or not _WORD_START.match(right)):
        return True
    return _is_single(right) and not _WORD_END.search(left)


def remove_letter_spacing(text: str) -> str:
    """Undo PDF letter spacing (字間スペース): "H 2 6" -> "H26",
    "平成 2 9 年" -> "平成29年". A lone ASCII character or "*" is glued to its
    neighbours unless the neighbour is an English word (2+ ASCII letters at
    the touching side). Other space runs collapse to one; ends are stripped."""
    tokens = [t for t in text.split(" ") if t]
    if not tokens:
        return ""
    if not _SINGLE.search(text):       # no lone character: nothing to glue
        return " ".join(tokens)
    out = [tokens[0]]
    for left, right in zip(tokens, tokens[1:]):
        out.append(right if _glue(left, right) else " " + right)
    return "".join(out)


# --- glossary marks --------------------------------------------------------

_ASCII_TERM = re.compile(r"[A-Za-z0-9.\-]*[A-Za-z0-9]$")
_JA_TERM = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u3005\u3006"
                      r"\u30A1-\u30FF\u31F0-\u31FF]+$")  # kanji, katakana, ー, ・
_MARKS = re.compile(r"\*+")


# How far before a mark a glossary term may start (terms are short; this bounds the work).
TERM_LOOKBACK = 80


def _opener(text: str, opens: str, closes: str) -> int:
    """Index of the unmatched opening bracket closed at the end of text, or -1."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in closes:
            depth += 1
        elif text[i] in opens:
            if depth == 0:
                return i
            depth -= 1
    return -1


def _term_before(before: str, after: str) -> str:
    """The glossary term that ends right before a "*" mark ("" if none)."""
    if after.startswith("」") and (start := _opener(before, "「", "」")) >= 0:
        return before[start + 1:]
    if before.endswith((")", "）")):
        start = _opener(before[:-1], "(（", ")）")
        return before[start + 1:-1] if start >= 0 else ""
    if m := _ASCII_TERM.search(before):
        return m.group().lstrip(".-")
    m = _JA_TERM.search(before)
    return m.group().lstrip("・") if m else ""


def extract_glossary_terms(text: str) -> tuple[str, list[str]]:
    """Remove glossary marks ("*" or "^{*}" after a term, 用語解説の注記) and
    return (text without marks, terms in order). Marks with no term before
    them (e.g. after "※", at line start, "**") stay in the text."""
    text = text.replace("^{*}", "*")
    out, terms, pos, tail = [], [], 0, ""
    for m in _MARKS.finditer(text):
        piece = text[pos:m.start()]
        out.append(piece)
        tail = (tail + piece)[-TERM_LOOKBACK:]     # bounded look-back keeps this linear
        pos = m.end()
        term = _term_before(tail, text[pos:pos + 1]) if m.group() == "*" else ""
        if term:
            terms.append(term)
        else:
            out.append(m.group())
            tail = (tail + m.group())[-TERM_LOOKBACK:]
    out.append(text[pos:])
    return "".join(out), terms


def clean_text(text: str) -> tuple[str, list[str]]:
    """Full cell cleaner: strip_html, normalize_width, remove_letter_spacing,
    extract_glossary_terms, then collapse spaces/tabs. Returns (text, terms).
    Tags become tabs until the end, so letter spacing never joins across
    table cells ("<td>H 2 6</td><td>H 2 7</td>" -> "H26 H27")."""
    if not _NEEDS_CLEANING.search(text):   # most cells: plain text, only stripped
        return text.strip(), []
    if "<" in text or "&" in text or "**" in text:
        text = strip_html(text, "\t")
    if _NEEDS_WIDTH.search(text):
        text = normalize_width(text)
    if " " in text:
        text = remove_letter_spacing(text)
    terms: list[str] = []
    if "*" in text:
        text, terms = extract_glossary_terms(text)
    if "\t" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip(), terms


_NEEDS_WIDTH = re.compile(r"[\uFF01-\uFF5D\u3000\uFF61-\uFF9F]")
# Any character one of the steps of clean_text acts on.
_NEEDS_CLEANING = re.compile(r"[<&*\uFF01-\uFF5D\u3000\uFF61-\uFF9F \t]")
_SPACES = re.compile(r"[ \t]+")


# --- paragraphs ------------------------------------------------------------

_SENTENCE_END = ("。", "」", ")", "）", "！", "？", "!", "?", ".")


_CLAUSE_ENDS = ("、", "。")
# A line that opens an item of its own: a list's mark (・ ● ○ ■ ※ • … ① …) before its text; a
# `*` or `-` only with a space after it (else a glossary mark or a minus wrapped to the line's
# start), ○ not before another ○ (○○, a placeholder)
LIST_MARK = re.compile(r"^(?:[・●◎■□◆◇▪▫★☆※•\u2460-\u2473]|○(?!○)|[*\-]\s)")
URL_LINE = re.compile(r"https?://\S+")   # a URL alone on its line
_CLAUSE_END = "、"               # 読点: a clause of a sentence that goes on after it
_BRACKETS = {"(": ")", "「": "」", "『": "』", "【": "】", "[": "]", "〔": "〕"}   # (width folded)


class _Paragraph:
    """A paragraph's text as it is joined: the text up to its last 、 or 。 and, in pieces, the
    fragment after it (the only part a page-break echo can repeat), so that joining stays
    linear in the length of the text however many lines it has and wherever its commas fall."""

    def __init__(self) -> None:
        self.done: list[str] = []       # up to and including the last 、/。
        self.tail: list[str] = []       # the fragment after it
        self.tail_chars = 0
        self.last = ""                  # the text's last character

    def add(self, text: str) -> None:
        cut = max(text.rfind(mark) for mark in _CLAUSE_ENDS)
        if cut < 0:
            self.tail.append(text)
            self.tail_chars += len(text)
        else:
            self.done += self.tail
            self.done.append(text[:cut + 1])
            self.tail, self.tail_chars = [text[cut + 1:]], len(text) - cut - 1
        self.last = text[-1]

    def append(self, part: str) -> None:
        """The next line of the paragraph (join_lines), or the next paragraph joined to it."""
        if not part:
            return
        if self.echoed_by(part):        # page-break echo (改ページの重複)
            self.tail, self.tail_chars = [], 0
        elif separator := line_separator(self.last, part):
            self.add(separator)
        self.add(part)

    def echoed_by(self, part: str) -> bool:
        """Whether `part` starts with the fragment after the last 、/。 (there is one)."""
        return bool(self.done) and 0 < self.tail_chars <= len(part) and \
            part.startswith("".join(self.tail))

    def text(self) -> str:
        return "".join(self.done + self.tail)


def join_lines(parts: list[str]) -> str:
    """Join the lines of one paragraph without separator (Japanese), dropping
    a page-break echo: the fragment after the last "、"/"。" repeated at the
    start of the next part. Letters or digits of ASCII on both sides are joined by a space
    (joined_by_a_space). A line that stands alone (a list's item, a URL) keeps its line break:
    the list's, not the page width's (and never part of an echo)."""
    paragraph = _Paragraph()
    for part in parts:
        paragraph.append(part)
    return paragraph.text()


def is_list_item(line: str) -> bool:
    """Whether a line opens a list's item: its mark first (`・住民票の写し`, `①…`, `※…`)."""
    return bool(LIST_MARK.match(line))


def without_list_mark(item: str) -> str:
    """A list's item without the mark it opens with (`・県` -> `県`): the list's layout."""
    return LIST_MARK.sub("", item, count=1).strip()


def stands_alone(line: str) -> bool:
    """Whether a line is printed as a whole of its own: a list's item, or a URL alone (never
    part of the sentence before it)."""
    return is_list_item(line) or bool(URL_LINE.fullmatch(line.strip()))


def line_separator(last: str, line: str) -> str:
    """What joins a line to the text before it, whose last character is `last` ("": none): a
    line break before a line that stands alone, a space between words of ASCII
    (joined_by_a_space), else nothing (Japanese)."""
    if last and stands_alone(line):
        return "\n"
    return " " if joined_by_a_space(last, line[0]) else ""


def joined_by_a_space(left: str, right: str) -> bool:
    """Whether two lines whose last and first characters these are join with a space: both
    are letters or digits of ASCII (full-width ones too, as raw text holds them)."""
    return _word_character(left) and _word_character(right)


def _word_character(char: str) -> bool:
    if char.isascii():
        return char.isalnum()
    return "０" <= char <= "９" or "Ａ" <= char <= "Ｚ" or "ａ" <= char <= "ｚ"


def join_paragraphs(groups: list[list[str]]) -> list[str]:
    """Paragraphs of lines grouped between blank lines (a blank line ends a paragraph): each
    group's lines joined (join_lines); a paragraph whose last sentence goes on (cut by a page
    break: sentence_goes_on) is joined to the next group. One ending with a URL, a date, an
    amount or a list's item is whole. The last paragraph and its last sentence (as
    sentence_goes_on finds it) are carried on from group to group, never joined or looked for
    again from their start."""
    paragraphs: list[_Paragraph] = []
    sentence: list[str] = []            # the lines of the last paragraph's last sentence
    for group in groups:
        group = [line for line in group if line]
        if not group:
            continue
        text = join_lines(group)
        if sentence and _last_goes_on(sentence, stands_alone(sentence[0])):
            paragraphs[-1].append(text)
        else:
            paragraphs.append(_Paragraph())
            paragraphs[-1].append(text)
            sentence = []
        for line in group:
            if _starts_a_sentence(line, sentence[-1] if sentence else None, stands_alone(line)):
                sentence = [line]
            else:
                sentence.append(line)
    return [paragraph.text() for paragraph in paragraphs]


def sentence_goes_on(lines: list[str], items: list[bool] | None = None) -> bool:
    """Whether non-blank lines as printed stop in a sentence that goes on (a page break, or
    the end of a document cut short, cut it): the last line does not end a paragraph
    (is_paragraph_end), and the last sentence, from the line after the last one that does or
    from the last line opening an item (`items`: whether each does; by default, one that
    stands_alone), shows it goes on (goes_on)."""
    if not lines or is_paragraph_end(lines[-1]):
        return False
    items = [stands_alone(line) for line in lines] if items is None else items
    start = len(lines) - 1
    while not _starts_a_sentence(lines[start], lines[start - 1] if start else None, items[start]):
        start -= 1
    return _last_goes_on(lines[start:], items[start])


def _starts_a_sentence(line: str, previous: str | None, item: bool) -> bool:
    """Whether a line begins the sentence it is in: the first, an item's, or one after a line
    that ends a paragraph."""
    return previous is None or item or is_paragraph_end(previous)


def _last_goes_on(sentence: list[str], item: bool) -> bool:
    """Whether a sentence's lines (an item's when `item`) stop where it goes on."""
    return not is_paragraph_end(sentence[-1]) and goes_on(join_lines(sentence), prose=not item)


def goes_on(sentence: str, prose: bool) -> bool:
    """Whether a sentence printed without its end shows it goes on: it ends with 、 or leaves a
    bracket open (`…件数(平成23年`); in prose, it holds 、 or 。 outside brackets (a clause begun:
    `…目指し、個人番号の利用`; a sentence begun after one that ended: `…います。一つ目は`) or
    ends in hiragana (a particle or an inflection no sentence ends on: `…計画を`).
    What shows none (`https://…/`, `平成27年3月`, `12,883件`) is whole of its own kind."""
    closing: list[str] = []             # the brackets left open, innermost last
    punctuated = False
    for char in sentence:
        if char in _BRACKETS:
            closing.append(_BRACKETS[char])
        elif closing and char == closing[-1]:
            closing.pop()
        elif not closing and char in _CLAUSE_ENDS:
            punctuated = True
    return bool(closing) or sentence.endswith(_CLAUSE_END) or \
        prose and (punctuated or _is_hiragana(sentence[-1:]))


def _is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def is_paragraph_end(text: str) -> bool:
    """True when text ends with sentence-final punctuation (句点 "。", "」",
    closing bracket, "！", "？", "!", "?", ".")."""
    return text.rstrip().endswith(_SENTENCE_END)
