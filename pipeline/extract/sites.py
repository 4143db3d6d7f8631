"""情報発信サイト等 (publishing sites and media) lists.

Each site is printed as: a name line (often followed by a repeated logo text and media
badges in **bold**), optional badge lines, a summary, `URL <…>` and `担当 部局 課`. An entry
without its 担当 or its name is left out, named in a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Site, Term, collect_terms, line_range, lines_named
from ..normalize import clean_text
from ..paragraphs import Numbered, join_paragraphs
from .initiatives import SENTENCE_END, is_short_label, split_responsible, worth_looking_for
from .layout import Row
from .links import split_urls, url_closing, url_doubts
from .structure import Block
from .template import starts_with_label

URL_LABEL, RESPONSIBLE_LABEL = "URL", "担当"
BOLD = re.compile(r"\*\*(.+?)\*\*")
# The URL label glued to its URL (`URL<http…>`: the space between them lost): label and value.
URL_GLUED = re.compile(r"^URL(?=<?https?://)")


@dataclass
class _Draft:
    head: list[Row] = field(default_factory=list)
    url: str | None = None
    responsible: str | None = None
    lines: list[int] = field(default_factory=list)
    awaiting: str = ""
    url_at: tuple[int, int] = (0, 0)        # len(head), len(lines) where its URL label came
    url_line: int = 0                       # the line its URL is printed on
    url_label: int = 0                      # the line its URL label is printed on
    breaks: set[int] = field(default_factory=set)   # head rows that follow a blank line


def read_sites(block: Block, first_seq: int, source: str) -> tuple[list[Site], list[Term], list[str]]:
    """Sites, their glossary terms, and a warning for each entry left without its 担当 or its
    name and for what is printed under URL beside the one URL a site has."""
    sites, terms, warnings = [], [], []
    drafts, unfinished = _drafts(block.rows)
    for draft in drafts:
        site, site_terms = _site(draft, block.context.field_no, first_seq + len(sites), source)
        if not site.name:
            warnings.append((draft.lines[0], _nameless(draft, site)))
            continue
        sites.append(site)
        terms.extend(site_terms)
        warnings += [(draft.url_line, f"site 「{site.name[:40]}」: {problem}")
                     for problem in _url_problems(draft.url or "")]
        warnings += [(line, f"site 「{site.name[:40]}」: {problem}")
                     for line, problem in _out_of_order(draft)]
    warnings += [(draft.lines[0], f"site entry 「{draft.head[0].text[:40]}」 has no 担当 "
                                  "(department); left out") for draft in unfinished if draft.head]
    warnings += [(draft.url_line, f"URL 「{draft.url[:60]}」 follows an entry's 担当 with no "
                                  "entry's name before it (an entry's lines out of order?): in no "
                                  "site entry, not in the tables")
                 for draft in unfinished if not draft.head and draft.url]
    return sites, terms, warnings


def _nameless(draft: _Draft, site: Site) -> str:
    """An entry that prints no name (its first line only media badges, or no line before its
    URL or 担当): a name is not guessed, so it is left out, named by what it prints."""
    printed = (f"its first line prints only media badges, 「{site.media_text}」" if draft.head
               else f"no line before its {'URL' if draft.url_label else '担当'}")
    shown = [f"{label} 「{value[:60]}」" for label, value in (("URL", site.url), ("担当", draft.responsible))
             if value]
    return (f"site entry at {lines_named(draft.lines)} has no name ({printed}; "
            f"{', '.join(shown)}): its name line lost? Left out")


def _out_of_order(draft: _Draft) -> list[tuple[int, str]]:
    """Signs of an entry's lines printed out of order (a converter's reading order): its URL
    label without a value, or with no URL while its summary holds one (the URL read as summary
    text; with no URL label at all, the label's line joined to the summary's), media badges in
    bold after its first line (the name line, read as summary text), a first line that ends a
    sentence (a summary's line, read as the name)."""
    problems = [(draft.url_label, "its URL label has no value (the URL's line out of its "
                                  "place?): no URL in the tables")] \
        if draft.url is None and draft.url_label else []
    named = [(row.line, "media badges in bold, as a name line prints them, after the entry's "
                        "first line (its lines out of order?): kept in the summary")
             for row in draft.head[1:] if BOLD.search(_raw_text(row))]
    problems += named
    if draft.head and SENTENCE_END in draft.head[0].text and not named:
        problems.append((draft.head[0].line, "its name is a sentence (its name line out of its "
                                             "place, or lost?): kept as printed"))
    if draft.url is not None and not split_urls(draft.url)[0]:
        problems += [(row.line, "a URL printed in its summary, none under its URL label (its "
                                "lines out of order?): kept as printed")
                     for row in draft.head[1:] if split_urls(row.text)[0]]
    elif draft.url is None and not draft.url_label:
        problems += [(row.line, "a URL printed in its summary and no URL label (the label's line "
                                "joined to the summary's, a line break lost?): no URL in the "
                                "tables, kept in the summary as printed")
                     for row in draft.head[1:] if split_urls(row.text)[0]]
    return problems


def _url_problems(printed: str) -> list[str]:
    """What of the text under URL is not the site's URL as printed: a second URL, other text
    (when there is a URL: else the text is the URL column, as printed), and doubts on the URL."""
    urls, rest = split_urls(printed)
    if not urls:
        return []
    problems = [f"its URL 「{urls[0]}」 {doubt} Kept as printed" for doubt in url_doubts(urls[0])]
    problems += [f"a second URL 「{url}」 is not in the tables (a site has one URL)" for url in urls[1:]]
    if rest:
        problems.append(f"「{rest[:60]}」 printed beside its URL is not in the tables")
    return problems


def split_media(sites: list[Site]) -> None:
    """Split badges that the text extraction ran together (`ウェブメルマガ`) at a badge printed
    on its own elsewhere in the same document that begins or ends them (`ウェブ`, `メルマガ`;
    `ポスターウェブ` -> `ポスター`, `ウェブ`: the rest is kept as a badge of its own)."""
    known = {m for s in sites for m in s.media}
    for site in sites:
        site.media = [part for badge in site.media for part in _split_badge(badge, known)]


def _split_badge(badge: str, known: set[str]) -> list[str]:
    for other in sorted(known, key=len, reverse=True):
        if other != badge and badge.startswith(other):
            return [other, *_split_badge(badge[len(other):], known)]
        if other != badge and badge.endswith(other):
            return [*_split_badge(badge[: -len(other)], known), other]
    return [badge]


def _drafts(rows: list[Row]) -> tuple[list[_Draft], list[_Draft]]:
    """Finished entries (each ends with its 担当) and the unfinished ones: an entry whose URL
    is followed by the next entry's URL before any 担当 (the rows after its URL are the next
    entry's name and summary), and what follows the last 担当."""
    drafts, unfinished, current = [], [], _Draft()
    texts = [(row.line, row.text) for row in rows]
    rest_of_url = -1                    # the last row of a URL that its lines' ends cut
    for index, row in enumerate(rows):
        if index <= rest_of_url:        # (its lines counted with its first)
            continue
        if row.blank:                       # a paragraph ends (the summary keeps it)
            current.breaks.add(len(current.head))
            continue
        text = row.text
        if current.url is not None and _starts_with(text, URL_LABEL):
            heads, lines = current.url_at
            following = _Draft(current.head[heads:], lines=current.lines[lines:],
                               breaks={b - heads for b in current.breaks if b > heads})
            current.head, current.lines = current.head[:heads], current.lines[:lines]
            unfinished.append(current)
            current = following
        current.lines += (row.line, row.last)
        for label, slot in ((URL_LABEL, "url"), (RESPONSIBLE_LABEL, "responsible")):
            if _starts_with(text, label):
                current.awaiting, text = slot, text[len(label):].strip()
                if slot == "url":
                    current.url_at = (len(current.head), len(current.lines))
                    current.url_label = row.line
                break
        if current.awaiting and text:
            if current.awaiting == "url":
                current.url_line = row.line
                rest_of_url = url_closing(texts, index)     # (the row's text ends as its URL)
                text += "".join(t for _, t in texts[index + 1:rest_of_url + 1])
                current.lines += [line for rest in rows[index + 1:rest_of_url + 1]
                                  for line in (rest.line, rest.last)]
                if rest_of_url > index:     # its lines are its entry's, not the next one's
                    current.url_at = (current.url_at[0], len(current.lines))
            setattr(current, current.awaiting, text)
            current.awaiting = ""
        elif not current.awaiting:
            current.head.append(row)
        if current.responsible is not None:
            drafts.append(current)
            current = _Draft()
    return drafts, [*unfinished, current]


def _starts_with(text: str, label: str) -> bool:
    """Whether a row begins with the label: alone, before a space, or (URL) glued to its URL."""
    return starts_with_label(text, label) or label == URL_LABEL and bool(URL_GLUED.match(text))


def _site(draft: _Draft, field_no: int, seq: int, source: str) -> tuple[Site, list[Term]]:
    name, badges = _name_and_badges(_raw_text(draft.head[0]) if draft.head else "")
    badge_rows = [r.text for r in draft.head[1:] if is_short_label(r.text)]
    paragraphs: list[list[Numbered]] = [[]]     # summary rows between blank lines
    for index, row in enumerate(draft.head[1:], 1):
        if index in draft.breaks:
            paragraphs.append([])
        if not is_short_label(row.text):
            paragraphs[-1].append((row.line, row.last, row.text))
    media = badges + badge_rows
    urls, _ = split_urls(draft.url or "")
    department, division = split_responsible(draft.responsible or "")
    ident = f"{field_no}-site-{seq}"
    site = Site(ident, field_no, seq, name, media, " ".join(media),
                "\n".join(join_paragraphs(paragraphs)),
                urls[0] if urls else (draft.url or ""), department, division, source,
                line_range(draft.lines))
    look = worth_looking_for(term for row in draft.head for term in row.terms)
    occurrences = [(term, _term_column(term, row, index, name, badges, look), line)
                   for index, row in enumerate(draft.head) for line, term in row.located_terms()]
    return site, collect_terms(occurrences, "site", ident, source)


def _term_column(term: str, row: Row, index: int, name: str, badges: list[str],
                 look: bool) -> str:
    """The column a glossary term of a site's row is published in: the name line gives the name
    or its badges (the name unlooked for beyond TERMS_LOOKED_FOR terms), a badge line the
    media, any other line the summary."""
    if index == 0:
        return "media" if look and term not in name and any(term in b for b in badges) else "name"
    return "media" if is_short_label(row.text) else "summary"


def _raw_text(row: Row) -> str:
    """A row as printed, markup kept: its raw cells (a name line laid out in columns too)."""
    return " ".join(cell for cell in row.raw if cell.strip())


def _name_and_badges(raw: str) -> tuple[str, list[str]]:
    """Name without the repeated logo text; the last bold part is the media badge."""
    bold = [text for text in (clean_text(b)[0] for b in BOLD.findall(raw)) if text]  # `** **`: none
    plain = clean_text(BOLD.sub(" ", raw))[0]
    segments = plain.split()
    name = segments[0] if len(segments) > 1 and all(s in segments[0] for s in segments[1:]) else plain
    badges = [b for b in bold[:-1] if b not in name] + bold[-1:]
    return name, badges
