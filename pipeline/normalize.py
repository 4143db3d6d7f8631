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
# The elements of inline text (phrasing: bold, a link, a ruby's reading): their tags go without
# a trace, `情報<b>システム</b>課` is 情報システム課, as in an HTML fragment's text. Any other tag (a
# cell, a paragraph, a line break, an image) parts the text on its two sides; so does a link's
# tag after a URL, all that ends it before text (`…/x</a>を参照`: UrlEnd).
INLINE_ELEMENT_NAMES = frozenset("""
    a abbr acronym b bdi bdo big cite code del dfn em font i ins kbd label mark nobr q rp rt
    ruby s samp small span strike strong sub sup time tt u var wbr""".split())
# A superscript's or subscript's start between digits parts them: `38.25<sup>2</sup>` (a
# footnote's mark, an exponent) is `38.25 2`, never 38.252; `m<sup>2</sup>`, `1<sup>st</sup>`
# stay `m2`, `1st`.
APART_BETWEEN_DIGITS = frozenset({"sup", "sub"})
DIGITS = "0123456789０１２３４５６７８９"     # (full-width too: widths are made half after tags go)
URL_SCHEME = re.compile(r"[hｈ][tｔ][tｔ][pｐ][sｓ]?[:：][/／][/／]")      # (full-width too)
NOT_IN_URL = re.compile(r"[^\s<>\"]*")        # (matched on a text reversed: its last run)


class UrlEnd:
    """Whether the text read so far, piece by piece, ends inside a URL (a scheme, then a URL's
    characters up to its end), so that a link's tag there (`<a href>`, `</a>`, Word's bookmark
    `<a name=_GoBack></a>`) ends it. Each piece is read once: linear in the text."""

    def __init__(self):
        self.length, self.scheme, self.scheme_end, self.broken = 0, -1, -1, -1

    def add(self, text: str) -> None:
        for match in URL_SCHEME.finditer(text):     # (the last one counts)
            self.scheme, self.scheme_end = self.length + match.start(), self.length + match.end()
        run = NOT_IN_URL.match(text[::-1]).end()    # the characters after its last break
        if run < len(text):
            self.broken = self.length + len(text) - run - 1
        self.length += len(text)

    def ends_a_url(self, element: str) -> bool:
        """Whether a tag of `element` here ends a URL: a link's right after one."""
        return element.lower() == "a" and self.broken < self.scheme and \
            self.scheme_end < self.length
_ELEMENTS = "|".join(sorted(HTML_ELEMENT_NAMES, key=len, reverse=True))   # for a regex
_ATTRIBUTE = r"""\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>`]+))?"""
HTML_TAG = re.compile(rf"(</?({_ELEMENTS})(?:{_ATTRIBUTE})*\s*/?>)", re.IGNORECASE)
# An `&` and what may follow it as a character reference. Only a complete one (`&amp;`, `&#38;`,
# `&#x26;`: a known name or a number, ended by `;`) is decoded: html.unescape also decodes a
# legacy name without its `;` (`&copy`, `&reg`, `&para`, `&not`, `&lt`), which turned a URL's
# query `?a=1&region=2` into `?a=1®ion=2` and `&copy=2` into `©=2`.
_REFERENCE = re.compile(r"&(#[0-9]{1,8};|#[xX][0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9]{0,31};)?")


REFERENCE_CHARS = 12     # the longest character reference that gives a digit: `&#x0000FF10;`


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


def digits_meet(before: str, after: str) -> bool:
    """Whether the texts `before` and `after` a start tag of APART_BETWEEN_DIGITS meet digit to
    digit (as printed: a character reference `&#49;` is its digit), which the tag then parts;
    a footnote's `*1` after a number too, whose `*` is no glossary mark of the number."""
    last, first = unescape(before[-REFERENCE_CHARS:])[-1:], unescape(after[:REFERENCE_CHARS])[:1]
    return bool(last) and last in DIGITS and bool(first) and first in DIGITS + "*"


def last_text(pieces: list[str], at: int) -> str:
    """The text before the tag at `at` of a HTML_TAG split, skipping the tags' empty gaps."""
    return next((pieces[i] for i in range(at - 1, -1, -3) if pieces[i]), "")


def next_text(pieces: list[str], at: int) -> str:
    """The text after the tag at `at` of a HTML_TAG split, skipping the tags' empty gaps."""
    return next((pieces[i] for i in range(at + 2, len(pieces), 3) if pieces[i]), "")


def strip_html(text: str, sep: str = " ") -> str:
    """Drop each inline tag (`<b>`, `<span>`), replace any other HTML tag with sep (a space),
    decode complete character references (each of the text between two tags: `&reg<sup>;</sup>`
    stays `&reg;`, as in an HTML fragment) and drop the markdown bold marker "**". URLs in angle
    brackets (<http://...>) stay."""
    pieces = HTML_TAG.split(text)       # text, a tag, its element name, text, …
    read = UrlEnd()                     # the text so far, tags gone
    read.add(pieces[0])
    for at in range(1, len(pieces), 3):
        element = pieces[at + 1]
        inline = element.lower() in INLINE_ELEMENT_NAMES
        apart = element.lower() in APART_BETWEEN_DIGITS and not pieces[at].startswith("</") \
            and digits_meet(last_text(pieces, at), next_text(pieces, at))
        pieces[at] = sep if not inline or read.ends_a_url(element) or apart else ""
        pieces[at + 1] = ""
        read.add(pieces[at])
        read.add(pieces[at + 2])
    return "".join(map(unescape, pieces)).replace("**", "")


# --- PDF letter spacing ----------------------------------------------------

_WORD_START = re.compile(r"[A-Za-z]{2}")
_WORD_END = re.compile(r"[A-Za-z]{2}$")


# A lone ASCII letter, digit or "*" between spaces (or the ends of the text).
_SINGLE = re.compile(r"(?<![^ ])[A-Za-z0-9*](?![^ ])")


def _is_single(token: str) -> bool:
    return len(token) == 1 and (token == "*" or (token.isascii() and token.isalnum()))


def _glue(left: str, right: str) -> bool:
    """True when the space between two tokens is PDF letter spacing. Two digits meet across
    it only where each is a lone digit (`2 6`, `2 6年`): `3 50%`, `1 234人` are numbers printed
    apart, never one number."""
    if left[-1] in DIGITS and right[0] in DIGITS and (
            len(left) > 1 and left[-2] in DIGITS or len(right) > 1 and right[1] in DIGITS):
        return False
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
    Tags but inline ones become tabs until the end, so letter spacing never
    joins across table cells ("<td>H 2 6</td><td>H 2 7</td>" -> "H26 H27")."""
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


