"""Paragraphs of PDF-to-text dumps: lines joined as the page width broke them (a page-break
echo dropped, words of ASCII kept apart), a list's items and a URL alone each on its line, and
whether a sentence cut by a page break (or by the end of a document cut short) goes on.

Lines come numbered as the source numbers them (`Numbered`: a row read from several lines,
such as a table's, spans them): a page-break echo can only be where something stands between
two lines in the source (a blank line, a page's number or header), never between two lines
printed one after the other, which the page width broke. A page break marked by a form feed
alone (nothing else between the two pages' lines) is not seen: its echo is kept.

Structure only: nothing here knows the content of any particular document.
"""
from __future__ import annotations

import re
from itertools import chain

_SENTENCE_END = ("。", "」", ")", "）", "！", "？", "!", "?", ".")
Numbered = tuple[int, int, str]     # a text's first and last lines in the source, the text


_CLAUSE_ENDS = ("、", "。")
# A line that opens an item of its own: a list's mark (・ ● ○ ■ ※ • … ① …) before its text; a
# `*` or `-` only with a space after it (else a glossary mark or a minus wrapped to the line's
# start), ○ not before another ○ (○○, a placeholder)
LIST_MARK = re.compile(r"^(?:[・●◎■□◆◇▪▫★☆※•\u2460-\u2473]|○(?!○)|[*\-]\s)")
URL_LINE = re.compile(r"https?://\S+")   # a URL alone on its line
_CLAUSE_END = "、"               # 読点: a clause of a sentence that goes on after it
# the end of a text that is a number after a character of Japanese (none of ASCII or its
# full-width forms): its digits, with the , and . inside them
NUMBER_IN_PROSE = re.compile(r"[^\x00-\x7f０-９Ａ-Ｚａ-ｚ，．][0-9０-９][0-9０-９,.，．]*$")
END_CHARS = 32          # of a text, what a join looks at (a longer number is joined by a space)
_BRACKETS = {"(": ")", "「": "」", "『": "』", "【": "】", "[": "]", "〔": "〕"}   # (width folded)


class _Paragraph:
    """A paragraph's text as it is joined: the text up to its last 、 or 。 and, in pieces, the
    fragment after it (the only part a page-break echo can repeat), so that joining stays
    linear in the length of the text however many lines it has and wherever its commas fall."""

    def __init__(self) -> None:
        self.done: list[str] = []       # up to and including the last 、/。
        self.tail: list[str] = []       # the fragment after it
        self.tail_chars = 0

    @property
    def end(self) -> str:
        """The text's last characters (END_CHARS at most), from its last pieces."""
        end = ""
        for piece in chain(reversed(self.tail), reversed(self.done)):
            end = piece + end
            if len(end) >= END_CHARS:
                return end[-END_CHARS:]
        return end

    @property
    def last(self) -> str:
        """The text's last character ("": none)."""
        return self.end[-1:]

    def add(self, text: str) -> None:
        self.add_cut(text, max(text.rfind(mark) for mark in _CLAUSE_ENDS))

    def add_cut(self, text: str, cut: int) -> None:
        """text, whose last 、/。 is at `cut` (-1: none)."""
        if cut < 0:
            self.tail.append(text)
            self.tail_chars += len(text)
        else:
            self.done += self.tail
            self.done.append(text[:cut + 1])
            self.tail, self.tail_chars = [text[cut + 1:]], len(text) - cut - 1

    def append(self, part: str, after_break: bool = False) -> None:
        """The next line of the paragraph (join_lines), or the next paragraph joined to it;
        `after_break`: something stands between them in the source (only there can a page
        break have repeated the end of the text at the start of the part)."""
        if not part:
            return
        if after_break and self.echoed_by(part):        # page-break echo (改ページの重複)
            self.drop_tail()
        elif separator := line_separator(self.end, part, wrapped=not after_break):
            self.add(separator)
        self.add(part)

    def drop_tail(self) -> None:
        self.tail, self.tail_chars = [], 0

    def echoed_by(self, part: str) -> bool:
        """Whether `part` starts with the fragment after the last 、/。 (there is one)."""
        return bool(self.done) and 0 < self.tail_chars <= len(part) and \
            part.startswith("".join(self.tail))

    def text(self) -> str:
        return "".join(self.done + self.tail)


_Scan = tuple[tuple[str, ...], bool]       # (the brackets left open, innermost last; 、/。 seen)
_SCANNED = re.compile("[" + re.escape("".join(_BRACKETS) + "".join(_BRACKETS.values())
                                      + "".join(_CLAUSE_ENDS)) + "]")


def _scanned(scan: _Scan, text: str) -> _Scan:
    """What a sentence shows of itself (goes_on) after text: its brackets left open and
    whether it holds 、 or 。 outside brackets."""
    closing, punctuated = list(scan[0]), scan[1]
    for char in _SCANNED.findall(text):
        if char in _BRACKETS:
            closing.append(_BRACKETS[char])
        elif closing and char == closing[-1]:
            closing.pop()
        elif not closing and char in _CLAUSE_ENDS:
            punctuated = True
    return tuple(closing), punctuated


class _Sentence(_Paragraph):
    """A sentence's text as it is joined, with what it shows of itself (the scan) up to its
    last 、/。 and up to its end, so that whether it goes on is known at any line without
    looking it over again (a page-break echo drops only the fragment after its last 、/。)."""

    def __init__(self) -> None:
        super().__init__()
        self.done_scan: _Scan = ((), False)
        self.tail_scan: _Scan = ((), False)

    def add_cut(self, text: str, cut: int) -> None:
        if cut < 0:
            self.tail_scan = _scanned(self.tail_scan, text)
        else:
            self.done_scan = _scanned(self.tail_scan, text[:cut + 1])
            self.tail_scan = _scanned(self.done_scan, text[cut + 1:])
        super().add_cut(text, cut)

    def drop_tail(self) -> None:
        super().drop_tail()
        self.tail_scan = self.done_scan

    def goes_on(self, prose: bool) -> bool:
        """Whether the sentence, printed without its end, shows it goes on: it ends with 、 or
        leaves a bracket open (`…件数(平成23年`); in prose, it holds 、 or 。 outside brackets
        (a clause begun: `…目指し、個人番号の利用`; a sentence begun after one that ended:
        `…います。一つ目は`) or ends in hiragana (a particle or an inflection no sentence ends
        on: `…計画を`). What shows none (`https://…/`, `平成27年3月`, `12,883件`) is whole of
        its own kind."""
        closing, punctuated = self.tail_scan
        return bool(closing) or self.last == _CLAUSE_END or \
            prose and (punctuated or _is_hiragana(self.last))


def join_lines(parts: list[Numbered]) -> str:
    """Join the lines of one paragraph without separator (Japanese), dropping
    a page-break echo: the fragment after the last "、"/"。" repeated at the
    start of the next part where something stands between them in the source (a line's
    first line more than one after the last line of the part before). Letters or digits of
    ASCII on both sides are joined by a space (joined_by_a_space). A line that stands alone (a
    list's item, a URL) keeps its line break: the list's, not the page width's (and never part
    of an echo). Parts of one line (its cells) share its number."""
    paragraph, last = _Paragraph(), None
    for first, final, part in parts:
        paragraph.append(part, _after_break(last, first))
        last = final if part else last
    return paragraph.text()


def _after_break(last: int | None, first: int) -> bool:
    """Whether a text whose first line is numbered `first` comes after something that is not
    part of its paragraph since the line numbered `last` (None: none)."""
    return last is not None and first > last + 1


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


def line_separator(before: str, line: str, wrapped: bool = False) -> str:
    """What joins a line to the text before it (`before`: that text, or its last characters;
    "": none): a line break before a line that stands alone, a space between words of ASCII
    (joined_by_a_space; `wrapped`: the line was printed right after the text, the page width
    breaking them), else nothing (Japanese)."""
    if before and stands_alone(line):
        return "\n"
    return " " if joined_by_a_space(before, line, wrapped) else ""


def joined_by_a_space(before: str, after: str, wrapped: bool = False) -> bool:
    """Whether a line joins the text before it with a space: the text's last character and the
    line's first are letters or digits of ASCII (full-width ones too, as raw text holds them),
    unless the page width broke them (`wrapped`: printed one right after the other, no blank
    line, page number, `<br>` or manual line break between) inside a number the text ends with
    after a character of Japanese (`約20` / `0システム`, `平成2` / `9年`): Japanese prose puts
    no space inside a number. Between two words of ASCII (`Open` / `Government`) and inside one
    (`Gover` / `nment`) the text cannot tell: a space, as printed lines of English are joined.
    A break typed by the author (`<td>約100<br>200</td>`) separates two values: a space."""
    if not (before and after and _word_character(before[-1]) and _word_character(after[0])):
        return False
    return not (wrapped and _is_digit(after[0]) and NUMBER_IN_PROSE.search(before[-END_CHARS:]))


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9" or "０" <= char <= "９"


def _word_character(char: str) -> bool:
    if char.isascii():
        return char.isalnum()
    return "０" <= char <= "９" or "Ａ" <= char <= "Ｚ" or "ａ" <= char <= "ｚ"


def join_paragraphs(groups: list[list[Numbered]]) -> list[str]:
    """Paragraphs of numbered lines grouped between blank lines (a blank line ends a paragraph): each
    group's lines joined (join_lines); a paragraph whose last sentence goes on (cut by a page
    break: sentence_goes_on) is joined to the next group. One ending with a URL, a date, an
    amount or a list's item is whole. The last paragraph and its last sentence (as
    sentence_goes_on finds it, with what its join has seen: _Sentence) are carried on from
    group to group, never joined or looked over again from their start."""
    paragraphs: list[_Paragraph] = []
    sentence = _LastSentence()
    last = None                         # the number of the last line joined
    for group in groups:
        group = [part for part in group if part[2]]
        if not group:
            continue
        text = join_lines(group)
        if not sentence.goes_on():
            paragraphs.append(_Paragraph())
            sentence = _LastSentence()
        paragraphs[-1].append(text, _after_break(last, group[0][0]))
        for part in group:
            sentence.read(part, stands_alone(part[2]))
        last = group[-1][1]
    return [paragraph.text() for paragraph in paragraphs]


def sentence_goes_on(lines: list[Numbered], items: list[bool] | None = None) -> bool:
    """Whether non-blank lines as printed stop in a sentence that goes on (a page break, or
    the end of a document cut short, cut it): the last line does not end a paragraph
    (is_paragraph_end), and the last sentence, from the line after the last one that does or
    from the last line opening an item (`items`: whether each does; by default, one that
    stands_alone), shows it goes on (_Sentence.goes_on)."""
    sentence = _LastSentence()
    for part, item in zip(lines, [stands_alone(text) for _, _, text in lines]
                          if items is None else items):
        sentence.read(part, item)
    return sentence.goes_on()


class _LastSentence:
    """The last sentence of lines read one by one: it begins at the first line, at an item's,
    or at the line after one that ends a paragraph."""

    def __init__(self) -> None:
        self.sentence = _Sentence()
        self.line: str | None = None       # the last line read
        self.number: int | None = None     # its last line's number in the source
        self.item = False                  # whether the sentence is a list's item

    def read(self, part: Numbered, item: bool) -> None:
        first, last, line = part
        if self.line is None or item or is_paragraph_end(self.line):
            self.sentence, self.item = _Sentence(), item
        self.sentence.append(line, _after_break(self.number, first))
        self.line, self.number = line, last

    def goes_on(self) -> bool:
        """Whether the lines stop where the sentence goes on (none read: no)."""
        return self.line is not None and not is_paragraph_end(self.line) and \
            self.sentence.goes_on(prose=not self.item)


def _is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def is_paragraph_end(text: str) -> bool:
    """True when text ends with sentence-final punctuation (句点 "。", "」",
    closing bracket, "！", "？", "!", "?", ".")."""
    return text.rstrip().endswith(_SENTENCE_END)
