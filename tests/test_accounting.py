"""Every record accounted for: what is lost is named in a warning (file, line, record), the run
counts the warnings, and --strict turns them into an error that publishes nothing."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.extract import extract_document
from pipeline.sources import SourceDocument, SourceMeta

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "raw" / "miyagi-ict-plan-2014-2016-field2.txt"
LINES = SOURCE.read_text(encoding="utf-8").split("\n")
PATH = "raw/plan.txt"


def extract(lines: list[str]):
    text = "\n".join(lines)
    data = text.encode("utf-8")
    return extract_document(SourceDocument(Path(PATH), text, "utf-8", hashlib.sha256(data).hexdigest(),
                                           len(data), SourceMeta(file="plan.txt")))


def swapped(number: int) -> list[str]:
    """The seed with line `number` (1-based) and the line after it swapped, as a converter's
    reading order may print them."""
    return LINES[:number - 1] + [LINES[number], LINES[number - 1]] + LINES[number + 1:]


def joined(number: int) -> list[str]:
    """The seed with line `number` (1-based) and the next non-blank line joined into one with
    nothing between them, as a converter that loses a line break prints them (Japanese text is
    not spaced: nothing stands for the break); the lines it took stay, blank, so every other
    line keeps its number."""
    following = next(n for n in range(number + 1, len(LINES) + 1) if LINES[n - 1].strip())
    return (LINES[:number - 1] + [LINES[number - 1] + LINES[following - 1]]
            + [""] * (following - number) + LINES[following:])


def edited(**changes) -> list[str]:
    """The seed with lines (1-based) replaced; None deletes the line."""
    lines = list(LINES)
    for number in sorted((int(k[1:]) for k in changes), reverse=True):
        value = changes[f"l{number}"]
        if value is None:
            del lines[number - 1]
        else:
            lines[number - 1] = value
    return lines


def test_the_seed_gives_no_warning():
    assert extract(LINES).warnings == []


def test_a_lost_heading_is_a_numbering_gap_naming_the_initiative():
    assert LINES[593].startswith("5\t電子申請オンライン利用の促進")
    document = extract(edited(l594=None))
    assert "2-2-5" not in {i.id for i in document.initiatives}
    assert document.warnings == [       # its text, in no record, and the gap in the numbering
        f"{PATH}:594: text outside any initiative, section or site list (lines 594-607, "
        "「目的・概要 性質・手法 その他」): not in the tables (a heading lost, or text the plan's template "
        "does not have)",
        f"{PATH}:609: initiative 2-2-5 is missing: the numbering of item 2-2 goes on to 2-2-6 "
        "(a lost heading?)"]


def test_a_heading_behind_a_bidi_mark_and_bel_is_still_read():
    document = extract(edited(l594="\u202e\x07" + LINES[593]))
    assert len(document.initiatives) == 33 and document.warnings == []


def test_a_label_without_its_value_and_a_missing_label_are_named():
    assert LINES[64].startswith("主体\t\t県，県内市町村") and LINES[77].startswith("主体\t\t県")
    document = extract(edited(l65="主体\t\t\t", l78=None))
    assert document.warnings == [
        f"{PATH}:59: initiative 2-1-1 「みやぎハイパーウェブの運用」: label 主体 has no value",
        f"{PATH}:72: initiative 2-1-2 「総合情報ネットワークの運用」: no 主体 (printed for every initiative)",
    ]
    assert [i.actors for i in document.initiatives[:2]] == [[], []]


def test_a_site_without_its_department_is_named():
    assert LINES[915] == "担当" and LINES[917].startswith("総務部 行政経営推進課")
    document = extract(edited(l916=None, l918=None))
    assert len(document.sites) == 7
    assert document.warnings == [f"{PATH}:906: site entry 「知事への提案「明日のみやぎに一筆啓上!」」 has no "
                                 "担当 (department); left out"]


@pytest.mark.parametrize("changes,problem", [
    ({"l818": "**ウェブメルマガ**"}, "818: site entry at lines 818-824 has no name (its first line "
     "prints only media badges, 「ウェブメルマガ」; URL 「http://www.pref.miyagi.jp/site/ej-earthquake/"
     "press.html」, 担当 「震災復興・企画部 震災復興推進課」): its name line lost? Left out"),
    ({"l818": None, "l820": None}, "820: site entry at lines 820-822 has no name (no line before its "
     "URL; URL 「http://www.pref.miyagi.jp/site/ej-earthquake/press.html」, 担当 「震災復興・企画部 "
     "震災復興推進課」): its name line lost? Left out"),
], ids=["badges-only", "no-line-before-the-url"])
def test_a_site_without_its_name_is_named_and_left_out(changes, problem):
    """The first site entry without its name (its name line printing its badge alone, or its
    name and summary lines lost): it was published with an empty name, which the validation
    of the tables refused, naming the staging folder instead of the source."""
    assert LINES[817].startswith("みやぎ復興プレス") and LINES[821].startswith("URL")
    document = extract(edited(**changes))
    assert [site.name for site in document.sites][:2] == ["震災復興ポスター(宮城から感謝をこめて)",
                                                         "復興応援ブログ「ココロプレス」"]
    assert [site.id for site in document.sites][0] == "2-site-1"
    assert document.warnings == [f"{PATH}:{problem}"]


def test_a_topic_without_its_title_is_named_and_headed_by_its_part():
    """The last トピックス printed without its title's cell (line 1055): it was published with an
    empty heading, which the validation of the tables refused, naming the staging folder."""
    assert LINES[1054] == "トピックス\t\t社会保障・税番号制度\t\t\t"
    document = extract(edited(l1055="トピックス\t\t\t\t\t"))
    topic = document.sections[-1]
    assert (topic.id, topic.part, topic.heading, topic.body[:10]) == (
        "2-3-topic-1", "トピックス", "トピックス", "平成25年5月24日")
    assert document.warnings == [
        f"{PATH}:1055: section 2-3-topic-1: its heading 「トピックス」 prints no title (its title's "
        "cell lost, or printed as the first line of its text?): kept, headed 「トピックス」 as printed"]


@pytest.mark.parametrize("changes,warning", [
    ({"l818": "**ウェブメルマガ**"}, "818: site entry at lines 818-824 has no name"),
    ({"l1055": "トピックス\t\t\t\t\t"}, "1055: section 2-3-topic-1: its heading 「トピックス」 prints "
     "no title"),
], ids=["site-without-name", "topic-without-title"])
def test_a_record_without_a_required_value_is_named_by_its_source(changes, warning, tmp_path,
                                                                   capsys):
    """A site without its name, a topic without its title: the publish stopped at the
    validation of the tables, with two lines naming the staging datapackage.json
    (`sites, row 2, column name: constraint-error …`), never the source."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SOURCE.name).write_text("\n".join(edited(**changes)), encoding="utf-8")
    (raw / "sources.toml").write_bytes((SOURCE.parent / "sources.toml").read_bytes())
    status, stderr = publish(raw, tmp_path / "out", capsys)
    assert status == 0 and "constraint-error" not in stderr, stderr
    assert f"warning: {raw / SOURCE.name}:{warning}" in stderr
    assert stderr.splitlines()[-1] == "9 warnings: see above"


def test_a_document_cut_before_an_items_initiatives_names_the_item():
    document = extract(LINES[:950])
    assert len(document.initiatives) == 28                  # items 2-1 and 2-2 whole
    assert f"{PATH}:937: item 2-3 has no initiative (a lost heading or a cut document?)" in document.warnings


def test_a_document_cut_inside_an_initiative_names_it():
    document = extract(LINES[:983])
    assert document.warnings == [f"{PATH}:981: initiative 2-3-3 「市町村業務システムの共同クラウド化の推進」 "
                                 "is incomplete (no 目的・概要、担当); left out; the document ends inside it (cut?)"]


CUT_ITEM_2_2 = f"{PATH}:512: item 2-2 has no initiative (a lost heading or a cut document?)"


@pytest.mark.parametrize("number,printed,section,others", [
    (520, "可能であり、実", "514: section 2-2-narrative-1 「行政情報の発信」 is incomplete (its text stops "
     "mid-sentence at line 520: 「…内外に向けた継続的な発信が可能であり、実」)", [CUT_ITEM_2_2]),
    (536, "必ずしも県", "528: section 2-2-narrative-2 「行政手続のオンライン化」 is incomplete (its text "
     "stops mid-sentence at line 536: 「…ことから、利用実績は伸び悩み、必ずしも県」)", [CUT_ITEM_2_2]),
    (927, "保有している", "923: section 2-2-topic-1 「オープンデータ」 is incomplete (its text stops "
     "mid-sentence at line 927: 「…間開放」であり、行政機関等が保有している」)", []),
    (1067, "個人番号の利用", "1055: section 2-3-topic-1 「社会保障・税番号制度」 is incomplete (its text "
     "stops mid-sentence at line 1067: 「…行政の効率化などを目指し、個人番号の利用」)", []),
], ids=["narrative-1", "narrative-2", "topic-of-item-2", "topic-of-item-3"])
def test_a_document_cut_inside_a_section_names_it(number, printed, section, others):
    """A document cut mid-sentence in a narrative or a トピックス column, its last block: the
    section was published cut short in silence, where an initiative so cut is named."""
    line = LINES[number - 1]
    document = extract(LINES[:number - 1] + [line[:line.index(printed) + len(printed)]])
    assert document.sections[-1].body.endswith(printed)
    assert document.warnings == [f"{PATH}:{section}; kept as printed; the document ends inside it "
                                 "(cut?)", *others]


def test_a_document_cut_after_a_topics_heading_names_it():
    """The last トピックス column with its heading only (the document cut after line 1055)."""
    assert LINES[1054].startswith("トピックス\t\t社会保障・税番号制度")
    document = extract(LINES[:1055])
    assert [s.id for s in document.sections if s.kind == "topic"] == ["2-2-topic-1"]
    assert document.warnings == [
        f"{PATH}:1055: トピックス 「社会保障・税番号制度」 has no text (its lines printed elsewhere, "
        "or lost?): not in the tables; the document ends inside it (cut?)"]


def test_a_document_cut_at_the_end_of_a_sentence_reads_as_a_whole_one():
    """What the text cannot tell: cut after a paragraph (line 1065), the last section ends as a
    whole one does."""
    document = extract(LINES[:1065])
    assert document.sections[-1].body.endswith("仕組みが作られる予定です。")
    assert document.warnings == []


LAST_LINE = LINES[1066]
TOPIC_CUT = "1055: section 2-3-topic-1 「社会保障・税番号制度」 is incomplete (its text stops mid-sentence at"


@pytest.mark.parametrize("lines,at", [
    (LINES[:1062] + [LINES[1062][:LINES[1062].index("。一つ目は") + 5]],
     "line 1063: 「…の3つの要因が挙げられています。一つ目は」"),
    (LINES[:1056] + [LINES[1056][:LINES[1056].index("「番号制度") + 5]],
     "line 1057: 「…日に社会保障・税番号制度(以下「番号制度」"),
    (LINES[:1066] + [LAST_LINE[:LAST_LINE.index("の利用範囲")], "の利用"], "line 1068: 「…の利用」"),
    (LINES + ["", "・マイ・ポータル(仮称"], "line 1069: 「…・マイ・ポータル(仮称」"),
    (LINES + ["", "・住民票の写し、"], "line 1069: 「…・住民票の写し、」"),
    (LINES + ["", "今後は情報システム全体の最適化を"], "line 1069: 「…今後は情報システム全体の最適化を」"),
], ids=["after-a-sentence", "inside-brackets", "line-wrapped", "list-item-in-brackets",
        "list-item-after-a-comma", "before-its-first-comma"])
def test_a_document_cut_where_its_last_sentence_goes_on_names_it(lines, at):
    """Its last sentence shows it goes on: it follows a 。 or a 、 (on the line before when the
    paragraph is wrapped, as pdftotext -layout prints it), leaves a bracket open (outside
    brackets only: `(以下「番号制度」といいます。)` ends no sentence), or ends with 、."""
    document = extract(lines)
    assert document.warnings == [f"{PATH}:{TOPIC_CUT} {at}); kept as printed; the document ends "
                                 "inside it (cut?)"]


@pytest.mark.parametrize("last,published", [
    (["https://www.pref.miyagi.jp/site/ict/"], "。\nhttps://www.pref.miyagi.jp/site/ict/"),
    (["関連URL", "https://www.pref.miyagi.jp/site/ict/"], "。\n関連URL\nhttps://www.pref.miyagi.jp/site/ict/"),
    (["・電子申請システム"], "。\n・電子申請システム"),
    (["・住民票の写し、印鑑登録証明書の交付"], "。\n・住民票の写し、印鑑登録証明書の交付"),
    (["・住民票の写し、印鑑登録証明書", "・電子申請システム"], "。\n・住民票の写し、印鑑登録証明書\n・電子申請システム"),
    (["平成27年3月"], "。\n平成27年3月"),
    (["12,883件"], "。\n12,883件"),
    (["(注)番号制度の詳細は内閣官房のウェブサイトを参照"], "。\n(注)番号制度の詳細は内閣官房のウェブサイトを参照"),
    (["電子申請\t住民票の写し、印鑑登録証明書"], "。\n電子申請 住民票の写し、印鑑登録証明書"),
    (["<table><tr><td>平成26年度</td><td>12,883件</td></tr></table>"], "。\n平成26年度 12,883件"),
], ids=["url", "url-after-its-label", "list-item", "list-item-with-a-comma", "list",
        "date", "amount", "note", "tab-row", "html-table-row"])
def test_a_whole_document_ending_on_a_line_of_its_own_kind_gives_no_warning(last, published):
    """A whole document's last section may end on a line that is no sentence, whole as printed:
    a URL, a list's item (its 、 separating entries), a date, an amount, a note, a table's row.
    It was named as cut (no sentence end), and --strict refused to publish the document."""
    document = extract(LINES + ["", *last])
    assert document.sections[-1].body.endswith(published)
    assert document.warnings == []


@pytest.fixture
def damaged_raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text("\n".join(edited(l65="主体\t\t\t", l78=None)), encoding="utf-8")
    manifest = (ROOT / "data" / "raw" / "sources.toml").read_text(encoding="utf-8")
    (raw / "sources.toml").write_text(manifest.replace(SOURCE.name, "plan.txt"), encoding="utf-8")
    return raw


def publish(raw: Path, out: Path, capsys, *options: str) -> tuple[int, str]:
    status = main(["--config", str(ROOT / "pipeline.toml"), "publish", "--no-cache", *options,
                   "--raw-dir", str(raw), "--out-dir", str(out)])
    return status, capsys.readouterr().err


def test_the_run_counts_its_warnings_and_strict_publishes_nothing(damaged_raw, tmp_path, capsys):
    out = tmp_path / "out"
    status, stderr = publish(damaged_raw, out, capsys, "--strict")
    assert status == 1 and not out.exists()
    # the two edits' warnings and the seed's eight schedules without their H28 column
    assert stderr.splitlines()[-1] == f"error: {damaged_raw}: --strict: 10 warnings (see above); nothing was published"
    status, stderr = publish(damaged_raw, out, capsys)
    assert status == 0 and (out / "initiatives.csv").exists()
    assert stderr.splitlines()[-1] == "10 warnings: see above"
    assert sum(line.startswith("warning:") for line in stderr.splitlines()) == 10


def test_a_source_without_a_period_is_one_warning_and_one_grouped_catalogue_line(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_bytes(SOURCE.read_bytes())
    status, stderr = publish(raw, tmp_path / "out", capsys)
    warnings = [line for line in stderr.splitlines() if line.startswith("warning:")]
    assert status == 0 and len(warnings) == 2, stderr
    assert warnings[0] == (f"warning: {raw / 'plan.txt'}: no plan period: add period_start_fy and "
                           "period_end_fy to a [[source]] entry in sources.toml (the catalogue states "
                           "no temporal coverage)")
    assert warnings[1].startswith("warning: DCAT-AP recommended: Warning: dcterms:temporal: ")
    assert "(on 12 nodes: " in warnings[1]          # the catalogue and its datasets
    assert stderr.splitlines()[-1] == "2 warnings: see above"


# ---- one line lost anywhere: its own records change, or a warning says what else did ----

POSITIONAL = {"source_lines", "seq", "id"}      # renumbered when a record before goes


def _records(document) -> list[tuple]:
    """Every record as (table, its values but the positional ones), with its line range."""
    found = []
    for table in ("initiatives", "indicators", "schedules", "references", "sites", "sections"):
        for record in getattr(document, table):
            values = {k: v for k, v in vars(record).items() if k not in POSITIONAL}
            first, _, last = record.source_lines.partition("-")
            found.append(((table, repr(sorted(values.items()))), int(first), int(last or first)))
    return found


NEAR = 40       # lines: a warning accounts for a change it names a line this close to


def _accounted_for(warnings: list[str], number: int, lost_lines: list[int]) -> bool:
    """Whether a warning names a line near the changed line `number` or near a lost record's
    first line (`file:N:`, `line N` or `lines N`): an unrelated warning elsewhere accounts for
    nothing."""
    named = [int(n) for warning in warnings for n in re.findall(r"(?:\.txt:|\blines? )(\d+)", warning)]
    return any(abs(line - at) <= NEAR for line in named for at in [number, *lost_lines])


def test_a_line_lost_anywhere_changes_only_its_own_records_or_is_warned_of():
    """Each non-blank line of the seed removed in turn: every record not printed on that line
    comes out the same, or a warning names what happened (a line near it or near a lost
    record). The lines whose loss the text cannot tell (each leaves a document that reads as
    a whole one) are named here."""
    before = _records(extract(LINES))
    silent = []
    for number, line in enumerate(LINES, 1):
        if not line.strip():
            continue
        document = extract(edited(**{f"l{number}": None}))
        after = {key for key, _, _ in _records(document)}
        lost = [first for key, first, last in before
                if not first <= number <= last and key not in after]
        if lost and not _accounted_for(document.warnings, number, lost):
            silent.append(number)
    assert silent == [
        6,          # the first item's heading: its narrative reads as the field's (item unknown)
        46,         # the last (N) heading of a part: its text joins the subsection before
        504,        # 参考 on its own line, citing a document by name only: kept as notes
        528,        # the last (N) heading of a part (item 2)
    ]


def _letters(document) -> Counter:
    """Every printed character of the records, counted per (table, field): lines printed in
    another order keep these counts unless text moved from one field to another."""
    found: Counter = Counter()
    for table in ("initiatives", "indicators", "schedules", "references", "sites", "sections",
                  "terms"):
        for record in getattr(document, table):
            for name, value in vars(record).items():
                if name not in POSITIONAL | {"lines"}:        # (a term's lines)
                    found.update((table, name, ch) for ch in re.sub(r"[\s,\[\]'\"]", "", str(value)))
    return found


def test_two_lines_swapped_anywhere_move_no_text_between_fields_in_silence():
    """Each pair of adjacent, non-blank, different lines of the seed swapped in turn (a
    converter's reading order): the records print the same characters in each field (the order
    within a field may change: that is what the swapped text says), or a warning names a line
    near the swap. Before the checks of a schedule's arrow with no phase and of 重点目標's option
    counts, 25 swaps moved text between fields in silence (an option read as an actor)."""
    before, warned = _letters(extract(LINES)), set(extract(LINES).warnings)
    silent = []
    for number in range(1, len(LINES)):
        pair = LINES[number - 1:number + 1]
        if not all(line.strip() for line in pair) or pair[0] == pair[1]:
            continue
        document = extract(swapped(number))
        new = [warning for warning in document.warnings if warning not in warned]
        if _letters(document) != before and not _accounted_for(new, number, []):
            silent.append(number)
    assert silent == []


@pytest.mark.parametrize("number,size,problem", [
    (262, 2, "255: initiative 2-1-8 「情報システム調達の統括管理」: 「その他」 (line 265) is printed "
             "alone after the 目的・概要 prose, short as a 性質・手法 value: its line out of its place? "
             "Kept in the summary"),
    (162, 2, "138: initiative 2-1-5 「宮城県電子県庁共通基盤システムの運用」: the schedule at line 162 "
             "prints 「→」 (line 162) above its row of fiscal years (its rows printed out of order?): "
             "not in the tables"),
    (798, 2, "779: initiative 2-2-14 「インターネット公売の実施」: "
             "「http://www.pref.miyagi.jp/soshiki/zeimu/koubaijohou.html」 (line 799) under 主体: a "
             "line of 関連URL or 参考 out of its place, or their label lost? Kept as printed, not in "
             "the URLs"),
    (821, 2, "824: URL 「<http://www.pref.miyagi.jp/site/ej-earthquake/press.html>」 follows an "
             "entry's 担当 with no entry's name before it (an entry's lines out of order?): in no "
             "site entry, not in the tables"),
    (878, 2, "881: site 「みやぎニュースクリップ」: its URL label has no value (the URL's line out of "
             "its place?): no URL in the tables"),
    (876, 2, "881: site 「みやぎニュースクリップ」: a URL printed in its summary, none under its URL "
             "label (its lines out of order?): kept as printed"),
    (817, 2, "820: site 「震災後、県外に避難されている方及び復興に関わる多くの人々に県の復興状況や被災者支」: "
             "media badges in bold, as a name line prints them, after the entry's first line (its "
             "lines out of order?): kept in the summary"),
    (300, 3, "300: initiative 2-1-9 「庁内ITアドバイザーの設置」: 「2-1-9庁内ITアドバイザーの設置」 (line "
             "303)、「2-1-10情報システム調達研修の実施」 (line 304) under 目的・概要 begin with an "
             "initiative's id, as 参考's entries do: the 参考 of the initiative before, printed after "
             "this one's heading? Kept in the summary"),
    (1053, 3, "1041: initiative 2-3-5 「市町村職員への研修機会の提供」: 参考 at line 1054 prints a "
              "sentence, 「平成25年5月24日に社会保障・税番号制度(以下「番号制度」といいます。)関連4」: a "
              "section's line printed before the next page's header? Kept as a reference"),
    (884, 3, "888: site entry 「総務部 広報課」 is named like a 担当 of the list, and the entry before "
             "has 「パブリックコメント」 as its 担当: the two lines swapped? Kept as printed"),
    (814, 3, "820: site 「震災後、県外に避難されている方及び復興に関わる多くの人々に県の復興状況や被災者支」: "
             "its name is a sentence (its name line out of its place, or lost?): kept as printed"),
    (872, 2, "873: site entry 「ウェブ」 is named like a media badge of the list (its badges: "
             "「みやぎニュースクリップ」): its name and badge lines swapped? Kept as printed"),
    (17, 3, "21: (2) 「内部共通事務システムによる効率化」 has no text (its lines printed elsewhere, or "
            "lost?): not in the tables"),
    (1052, 2, "1054: 「参考 2-1-10情報システム調達研修の実施」 prints an initiative's label with its value "
              "in the text of 「社会保障・税番号制度」: a row of the initiative before, printed after "
              "the page's header? Kept in the text"),
], ids=["method-after-prose", "arrow-above-years", "url-under-actors", "site-url-after-responsible",
        "site-url-label-empty", "site-url-in-summary", "site-name-line-second",
        "references-after-heading", "section-line-as-a-reference", "site-named-like-a-responsible",
        "site-name-line-before-the-header", "site-named-like-a-badge",
        "subsection-without-text", "label-row-in-topic"])
def test_lines_printed_out_of_order_are_named(number, size, problem):
    """`size` lines from line `number` swapped with the `size` after them (a converter's
    reading order): each moved text from one field to another, or out of the tables, in
    silence."""
    at = number - 1
    lines = LINES[:at] + LINES[at + size:at + 2 * size] + LINES[at:at + size] + LINES[at + 2 * size:]
    assert extract(lines).warnings == [f"{PATH}:{problem}"]


def test_a_method_printed_after_the_prose_under_its_label_is_read_as_one():
    """性質・手法 printed with its value after the 目的・概要 prose (lines 90-93 swapped): システム
    went to the end of the summary."""
    at = 89
    document = extract(LINES[:at] + LINES[at + 2:at + 4] + LINES[at:at + 2] + LINES[at + 4:])
    initiative = next(i for i in document.initiatives if i.id == "2-1-3")
    assert (initiative.methods, initiative.summary[-10:]) == (["システム"], "運用をしていきます。")
    assert document.warnings == []


@pytest.mark.parametrize("size,expected", [
    (2, [165, 166,          # 担当 and its value: the value read as a schedule's row (～H25)
         296, 342, 390]),   # a 参考 document's name printed before 参考: read as notes
    (3, [164, 166]),        # 担当 and its value (as above)
], ids=["two", "three"])
def test_lines_swapped_with_the_lines_after_them_lose_no_field_s_text_in_silence(size, expected):
    """Each `size` lines of the seed swapped with the `size` after them in turn (a converter's
    reading order over a value and the blank lines around it): no field of any record prints
    fewer characters than before (what moves into a new record, a section split in two, is
    no loss), or a warning names a line near the swap. 160 swaps of two lines were silent
    before the checks of 2026-12-04 (性質・手法 after the prose, an arrow above the fiscal
    years, a site's URL out of its place, …); the ones the text cannot tell are named here (a
    site's name and its one badge, which no other entry prints, at 904-906 too before entries
    without a badge were named)."""
    before, warned = _letters(extract(LINES)), set(extract(LINES).warnings)
    silent = []
    for at in range(len(LINES) - 2 * size + 1):
        first, second = LINES[at:at + size], LINES[at + size:at + 2 * size]
        if first == second or not any(map(str.strip, first)) or not any(map(str.strip, second)):
            continue
        document = extract(LINES[:at] + second + first + LINES[at + 2 * size:])
        new = [warning for warning in document.warnings if warning not in warned]
        lost = [key for key in before - _letters(document) if key[:2] != ("terms", "record_id")]
        if lost and not _accounted_for(new, at + 1, []):
            silent.append(at + 1)
    assert silent == expected


@pytest.mark.parametrize("between", [[], [""]], ids=["right after it", "after a blank line"])
def test_a_line_printed_twice_anywhere_changes_no_record_in_silence(between):
    """Each non-blank line of the seed printed again after itself in turn (a converter
    repeating a line at a page break): the records come out the same, or a warning names a
    line near it. 184 of the 643 changed a record in silence (a URL, a reference, an actor
    glued 「県県」, a sentence twice, an indicator's name doubled) before a line printed again
    word for word was named (read as printed); checked before for lost characters alone."""
    def values(document) -> list[tuple]:        # (the lines after the copy move by one)
        return [record for record, _, _ in _records(document)]

    before, warned = values(extract(LINES)), set(extract(LINES).warnings)
    silent = []
    for number, line in enumerate(LINES, 1):
        if not line.strip():
            continue
        document = extract(LINES[:number] + between + [line] + LINES[number:])
        new = [warning for warning in document.warnings if warning not in warned]
        if values(document) != before and not _accounted_for(new, number, []):
            silent.append(number)
    assert silent == [873, 875, 889, 891, 908]   # a site's name line read as its badge (a
    # site may be named as its badge: 電子申請システム / 電子申請システム, no damage)



def test_two_lines_joined_anywhere_lose_no_field_s_text_in_silence():
    """Each non-blank line of the seed joined with the next non-blank one in turn (`joined`: a
    converter that loses a line break writes nothing in its place; Japanese text has no spaces
    between words, so neither a space nor a tab stands for it): no field of any record prints
    fewer characters than before (text that moved into a new value of its own record, or out
    of it, is a loss), or a warning names a line near the join. 60 of the 642 joins were silent
    before the checks of 2026-12-04 (a schedule's two rows on one line, 25 of them, an item's
    heading and its part, 参考 and its entry), 32 before a site's URL label glued to its URL
    was read as both, a site's URL in its summary with no URL label, a site entry without a
    media badge, a section's heading holding a sentence (a (N) or トピックス heading and its
    text's first line) and the last (N) heading ending a line of the text before it were
    named; the 3 left are named here, those the text cannot tell."""
    before, warned = _letters(extract(LINES)), set(extract(LINES).warnings)
    silent = []
    for number, line in enumerate(LINES[:-1], 1):
        if not line.strip() or not any(map(str.strip, LINES[number:])):
            continue
        document = extract(joined(number))
        new = [warning for warning in document.warnings if warning not in warned]
        lost = [key for key in before - _letters(document) if key[:2] != ("terms", "record_id")]
        if lost and not _accounted_for(new, number, []):
            silent.append(number)
    assert silent == [
        168,                # 担当's value and a figure's caption (kept as notes): one division
        263,                # 性質・手法's value and the 目的・概要 prose: one sentence of the summary
        504,                # 参考 and a document's name (no initiative's id): read as notes
    ]

@pytest.mark.parametrize("number,initiative,heading", [
    (72, "59: initiative 2-1-1 「みやぎハイパーウェブの運用」", "2 総合情報ネットワークの運用"),
    (110, "87: initiative 2-1-3 「インターネット・イントラネットシステムの再構築」",
     "4社会保障・税番号制度に関する情報ネットワークシステムの構築"),
])
def test_the_next_initiatives_heading_printed_twice_is_named(number, initiative, heading):
    """A heading printed twice (a converter's page break), whether its number is a cell of its
    own or not, once went into the notes of the initiative before, in silence."""
    lines = LINES[:number] + [LINES[number - 1]] + LINES[number:]
    assert extract(lines).warnings == [
        f"{PATH}:{initiative}: line {number} after 担当, 「{heading}」, reads like the heading "
        "of the next initiative: printed twice? Kept as notes"]


def test_a_site_named_like_a_badge_names_the_entry_that_took_its_name():
    """Without 2-site-6's 担当 value (line 885), the next entry's name is read as that value
    and the entry is named by its badge line, ウェブ: warned of."""
    assert LINES[884] == "総務部 広報課" and LINES[888] == "パブリックコメント"
    assert extract(edited(l885=None)).warnings == [
        f"{PATH}:890: site entry 「ウェブ」 is named like a media badge of the list: its name "
        "line lost? (the entry before took 「パブリックコメント」 as its 担当)"]


@pytest.mark.parametrize("number,site", [(885, "886: site entry 「総務部 広報課」"),
                                         (902, "903: site entry 「総務部 行政経営推進課」")])
def test_a_sites_responsible_printed_twice_is_named(number, site):
    """A site's 担当 value printed twice: its copy once became the next entry's name (and that
    entry's own name a media badge, パブリックコメント), in silence."""
    lines = LINES[:number] + [LINES[number - 1]] + LINES[number:]
    before = {885: "みやぎニュースクリップ", 902: "パブリックコメント"}[number]
    assert extract(lines).warnings == [
        f"{PATH}:{site} is named as the 担当 of the entry before (「{before}」): that 担当 printed "
        "twice, its copy read as this entry's name? Kept as printed"]


def test_an_item_heading_without_its_part_line_is_named():
    """Without 【現状、課題と取組の方向性】 (line 937), item 3's heading reads as text of the
    トピックス column before it."""
    assert LINES[934].startswith("3") and LINES[936] == "【現状、課題と取組の方向性】"
    assert extract(edited(l937=None)).warnings == [
        f"{PATH}:935: 「3市町村行政の情報化」 is the heading of item 3 but no 【…】 part follows "
        "it: read as text of the block before (its part line lost?)"]


def test_text_under_related_urls_that_is_no_url_is_named_and_kept_as_notes():
    """A URL wrapped over two lines (line 66): its second half is no URL (it was dropped in
    silence, and the first half published as the URL)."""
    assert LINES[65].startswith("関連URL\t\thttp://www.pref.miyagi.jp/soshiki/iyoho-s/miyagihw.html")
    document = extract(edited(l66="関連URL\t\thttp://www.pref.miyagi.jp/soshiki/\n\t\tiyoho-s/miyagihw.html\t"))
    assert document.warnings[0] == (
        f"{PATH}:59: initiative 2-1-1 「みやぎハイパーウェブの運用」: 関連URL at line 67: "
        "「iyoho-s/miyagihw.html」 is no URL: kept as notes (a URL wrapped over two lines?)")
    assert len(document.warnings) == 1
    first = document.initiatives[0]
    assert first.urls == ["http://www.pref.miyagi.jp/soshiki/"] and first.notes == "iyoho-s/miyagihw.html"


def test_angle_brackets_that_enclose_no_url_stay_in_the_notes_as_printed():
    """`…?y=<z>`: the URL ends at `<` (no URL's character); the text after it is 「<z>」 as
    printed, never 「z」 (the brackets of any text beside a URL were stripped as a URL's)."""
    document = extract(edited(l66="関連URL\t\thttp://www.example.jp/a?y=<z>\t"))
    first = document.initiatives[0]
    assert first.urls == ["http://www.example.jp/a?y="] and first.notes == "<z>"
    assert document.warnings == [
        f"{PATH}:59: initiative 2-1-1 「みやぎハイパーウェブの運用」: 関連URL at line 66: "
        "「<z>」 is no URL: kept as notes (a URL wrapped over two lines?)"]


def test_a_responsible_that_cites_an_initiative_is_named():
    """2-1-6's 担当 value and 参考 lost (lines 212-215): the 参考 entry after them was read as
    its department (`2-2-5電子申請オンライン利用の促進`) and the reference lost, in silence."""
    document = extract(edited(l212=None, l213=None, l214=None, l215=None))
    assert document.warnings == [
        f"{PATH}:176: initiative 2-1-6 「宮城県電子申請システムの運用」: 担当 at line 212 is "
        "「2-2-5電子申請オンライン利用の促進」, an initiative's id and title (its value and 参考 "
        "lost?): read as its department"]
    initiative = next(i for i in document.initiatives if i.id == "2-1-6")
    assert (initiative.department, initiative.division) == ("2-2-5電子申請オンライン利用の促進", "")


def test_references_under_a_lost_label_are_named():
    """Without the 参考 line (297), 2-1-8's references would be the notes after 担当."""
    assert LINES[296] == "参考" and LINES[299].startswith("2-1-9")
    document = extract(edited(l297=None))
    assert document.warnings == [
        f"{PATH}:255: initiative 2-1-8 「情報システム調達の統括管理」: lines after 担当 cite "
        "initiatives (line 299): 参考 printed without its label? Kept as notes, not as references"]
    assert "2-1-9庁内ITアドバイザーの設置" in document.initiatives[7].notes


def test_a_cell_lost_anywhere_changes_only_its_own_records_or_is_warned_of():
    """Each non-empty cell of the seed's tab rows (745 of them) emptied, then removed (the cells
    after it shifted): every record not printed on that line comes out the same, or a warning
    names what happened near it (a damaged page header among them)."""
    before = _records(extract(LINES))
    silent = []
    for number, line in enumerate(LINES, 1):
        cells = line.split("\t")
        filled = [index for index, cell in enumerate(cells) if cell.strip()]
        if len(filled) < 2:
            continue
        for index in filled:
            for cut in (cells[:index] + [""] + cells[index + 1:], cells[:index] + cells[index + 1:]):
                document = extract(edited(**{f"l{number}": "\t".join(cut)}))
                after = {key for key, _, _ in _records(document)}
                lost = [first for key, first, last in before
                        if not first <= number <= last and key not in after]
                if lost and not _accounted_for(document.warnings, number, lost):
                    silent.append((number, cells[index]))
    assert silent == []


def test_a_damaged_page_header_is_named_never_read_as_text():
    """Line 84's page header without its 項目 cell would be read as text of 2-1-2."""
    assert LINES[83].startswith("分野\t2\t行政の情報化\t項目\t1")
    document = extract(edited(l84=LINES[83].replace("\t項目", "", 1)))
    assert document.warnings == [
        f"{PATH}:84: 「分野 2 行政の情報化 1 行政情報通信ネットワークと電子県庁の運用」 reads like a 分野 … "
        "項目 … page header but not as one: left out (the field and item go on from the header "
        "before)"]
    assert document.initiatives[1].notes == extract(LINES).initiatives[1].notes


@pytest.mark.parametrize("end", ["分", "分野\t", "分野\t2\t行政の情報化\t項"])
def test_a_page_header_cut_short_is_named_never_read_as_text(end):
    """Found by fuzzing: line 84's header cut short (the rest of its line lost) read as no
    header at all, so as text: 2-1-2's notes gained 「分野 2 行政の情報化 項」, in silence. The
    beginning of a header the document prints is a damaged one."""
    assert LINES[83].startswith(end)
    document = extract(edited(l84=end))
    assert document.warnings == [
        f"{PATH}:84: 「{' '.join(end.split())}」 reads like a 分野 … 項目 … page header but not as "
        "one: left out (the field and item go on from the header before)"]
    assert _records(document) == _records(extract(LINES))


@pytest.mark.parametrize("line", [62, 64, 70])
def test_the_beginning_of_a_page_header_inside_an_initiative_leaves_it_whole(line):
    """A line 「分野」 inside 2-1-1 (its summary, its 重点目標, its schedule) is named and left
    out, and 2-1-1 goes on: read as a cut page header that ended the record, it had 2-1-1 left
    out as incomplete (no 担当) and the rest of its lines said to be outside any record."""
    document = extract(edited(**{f"l{line}": LINES[line - 1] + "\n分野"}))
    assert document.warnings == [
        f"{PATH}:{line + 1}: 「分野」 reads like a 分野 … 項目 … page header but not as one: left "
        "out (the field and item go on from the header before)"]
    assert [record for record, *_ in _records(document)] == \
        [record for record, *_ in _records(extract(LINES))]       # (their lines one on)


def test_a_page_header_broken_over_two_lines_is_named():
    """Its second line (`目 1 …`) is text after a damaged header, outside any record: named too."""
    cut = LINES[83].index("\t項目") + 2
    document = extract(edited(l84=LINES[83][:cut] + "\n" + LINES[83][cut:]))
    assert [w.split(": ", 1)[0] for w in document.warnings] == [f"{PATH}:84", f"{PATH}:85"]
    assert "left out" in document.warnings[0] and "目 1 行政情報" in document.warnings[1]
    assert [key for key, _, _ in _records(document)] == [key for key, _, _ in _records(extract(LINES))]


@pytest.mark.parametrize("header", [3, 56])          # the field's header; a page's (item 1)
@pytest.mark.parametrize("between", ["\t", ""])
def test_a_page_header_joined_to_its_rule_line_is_still_read(header, between):
    """A converter that drops the line end between a table's header and its rule (`----`)
    leaves the rule's cells in the header row: layout, never the item's title. With nothing
    between them (the join sweep), the item's title was published as 「行政情報の基盤整備----」
    for every initiative under that header, in silence."""
    assert LINES[header - 1].startswith("分野") and LINES[header].startswith("----\t---")
    joined = LINES[header - 1] + between + LINES[header]
    document = extract(edited(**{f"l{header}": joined, f"l{header + 1}": ""}))
    assert document.warnings == []
    assert _records(document) == _records(extract(LINES))


@pytest.mark.parametrize("changes", [
    # body text that begins with 分野 and a number, a table with a 分野 column in a topic
    {"l16": LINES[15] + "\n分野 1 「地域の情報化」 の取組とも連携して進めます。"},
    {"l926": LINES[925] + "\n分野\t取組数\n行政の情報化\t33"},
    # a phone number after 担当 (not an initiative's id), a numbered line in a topic
    {"l82": LINES[81] + "\n\t\t022-211-2476\t"},
    {"l926": LINES[925] + "\n3 今後の展開"},
    # a site named like a badge after an entry whose 担当 is whole; a site named with a digit
    {"l906": "電子申請システム"},
    {"l873": "3Dみやぎマップ"},
], ids=["body-分野", "topic-table", "phone", "numbered-topic", "site-badge", "site-digit"])
def test_ordinary_text_is_no_damage(changes):
    """What the checks for lost lines look for also occurs in plans as plain text: no warning."""
    assert extract(edited(**changes)).warnings == []


def test_a_page_header_glued_into_another_title_is_named():
    """A converter without tabs: the cleaner glues `分野 2 行政の情報化 1 …` into one title, which
    would retitle field 2 for 2-1-3 and 2-1-4."""
    document = extract(edited(l84="分野 2 行政の情報化 1 行政情報通信ネットワークと電子県庁の運用"))
    assert document.warnings == [
        f"{PATH}:84: 「分野2行政の情報化1行政情報通信ネットワークと電子県庁の運用」 reads like a 分野 … "
        "項目 … page header but not as one, retitling field 2 「行政の情報化」 (line 3): left out "
        "(the field and item go on from the header before)"]
    assert {i.field_title for i in document.initiatives} == {"行政の情報化"}


def test_page_headers_printing_an_items_title_otherwise_than_its_heading_are_read_as_they_stand():
    """A plan whose page headers print item 2-1's title shorter than its heading (here: the
    heading's longer) had each of its eight headers warned of and left out: which title is
    the item's is not in the text, and a running head may shorten it."""
    assert "電子県庁の運用" in LINES[5]
    document = extract(edited(l6=LINES[5].replace("電子県庁の運用", "電子県庁の運用と改善")))
    assert document.warnings == []
    assert {i.item_title for i in document.initiatives if i.item_no == 1} == \
        {"行政情報通信ネットワークと電子県庁の運用"}                 # as the headers print it


def test_a_single_dash_cell_is_content_not_a_rule():
    """`---` alone in a schedule's cell is what the plan printed (none), not a rule line."""
    document = extract(edited(l602="～H 2 5\t\t運用・利用促進\t\t---"))
    assert [s.raw for s in document.schedules if s.initiative_id == "2-2-5"] == \
        ["運用・利用促進", "→", "---"]


@pytest.mark.parametrize("number, printed, zero", [
    (581, "4\t多文化共生", "0\t多文化共生"),          # an item heading
    (59, "1\tみやぎハイパーウェブ", "0\tみやぎハイパーウェブ"),   # an initiative heading
    (10, "(1) 情報通信", "(0) 情報通信"),              # a subsection
    (3, "分野\t2\t", "分野\t0\t"),                   # a page header's field
    (56, "項目\t1\t", "項目\t0\t"),                  # a page header's item
])
def test_a_heading_numbered_0_is_no_heading_and_is_warned_of(number, printed, zero):
    """Plans number fields, items, initiatives and sections from 1 (the tables' schemas say so):
    a heading numbered 0 is read as text, a page header so numbered as a damaged one, each
    warned of (such a line once failed the publish in the validation: `constraint "minimum"
    is "1"`)."""
    assert LINES[number - 1].startswith(printed) or f"\t{printed}" in LINES[number - 1]
    line = LINES[number - 1].replace(printed, zero, 1)
    document = extract(edited(**{f"l{number}": line}))
    numbers = {getattr(record, name) for table in ("initiatives", "sections", "sites")
               for record in getattr(document, table)
               for name in ("field_no", "item_no", "number") if hasattr(record, name)}
    assert 0 not in numbers
    assert _accounted_for(document.warnings, number, [])


def test_a_period_printed_twice_in_a_schedule_keeps_its_first_column_and_is_warned_of():
    """`H26 H27 H26`: one entry per period (the table's key), the second H26's phase named in
    a warning (such a row once failed the publish in the validation: `primary-key`)."""
    assert LINES[126] == "\t\tH 2 6\tH 2 7\tH 2 8"
    document = extract(edited(l127="\t\tH 2 6\tH 2 7\tH 2 6"))
    periods = [(s.period, s.raw) for s in document.schedules if s.initiative_id == "2-1-4"]
    assert [period for period, _ in periods] == ["～H25", "H26", "H27"]
    assert document.warnings == [
        f"{PATH}:110: initiative 2-1-4 「社会保障・税番号制度に関する情報ネットワークシステムの構築」: "
        "the schedule at line 127 prints the period H26 twice: the phase 「→」 of its second "
        "column is not in the tables"]


@pytest.mark.parametrize("period,warned", [
    ((2014, 2016), ["2-1-1", "2-1-2", "2-2-7", "2-2-8", "2-3-1", "2-3-2", "2-3-4", "2-3-5"]),
    ((2014, 2015), []),                     # every schedule prints H26 and H27
    ((2015, 2015), []),                     # a year every schedule prints
    (None, []),                             # no period: nothing to hold the columns against
])
def test_a_schedule_without_a_column_for_a_year_of_the_plans_period_is_named(
        tmp_path, capsys, period, warned):
    """The seed's text lost the H28 column of eight schedules (2-1-1 prints `H26 H27`): no row
    is made up for FY2016, and each such initiative is named against the manifest's period."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text(SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    manifest = (ROOT / "data" / "raw" / "sources.toml").read_text(encoding="utf-8")
    manifest = manifest.replace(SOURCE.name, "plan.txt").replace("period_start_fy = 2014\n", "")
    manifest = manifest.replace("period_end_fy = 2016\n", "" if period is None else
                                f"period_start_fy = {period[0]}\nperiod_end_fy = {period[1]}\n")
    (raw / "sources.toml").write_text(manifest, encoding="utf-8")
    status, stderr = publish(raw, tmp_path / "out", capsys)
    named = re.findall(r"initiative (\S+) 「[^」]*」: the schedule at lines \S+ prints no column",
                       stderr)
    assert status == 0 and named == warned, stderr
    if warned:
        assert f"warning: {raw / 'plan.txt'}:965: initiative 2-3-2 「住民基本台帳ネットワークシステム" \
               "の運用」: the schedule at lines 973-975 prints no column for fiscal year 2016" in stderr


def test_a_responsible_department_wrapped_over_two_lines_is_named():
    """担当 wrapped after its 部局 (line 70): the 課 on the next line is no division of the
    initiative (it was kept as notes in silence, the division left empty)."""
    assert LINES[69] == "担当\t\t震災復興・企画部 情報システム課\t"
    document = extract(edited(l70="担当\t\t震災復興・企画部\t\n\t\t情報システム課\t"))
    assert document.warnings == [
        f"{PATH}:59: initiative 2-1-1 「みやぎハイパーウェブの運用」: 担当 at line 70 names no "
        "division and the line after it (line 71: 「情報システム課」) is kept as notes: 担当 "
        "wrapped over two lines?"]
    first = document.initiatives[0]
    assert (first.department, first.division, first.notes) == ("震災復興・企画部", "", "情報システム課")


def test_a_site_entry_printed_twice_is_named_and_kept_twice():
    """The first site entry (lines 818-824) printed again after it, as a converter repeats a
    page: two equal rows were published in silence."""
    assert LINES[817].startswith("みやぎ復興プレス") and LINES[823].startswith("担当")
    document = extract(LINES[:825] + LINES[817:825] + LINES[825:])
    assert document.warnings == [
        f"{PATH}:826: 2-site-2 repeats 2-site-1 (lines 818-824) word for word: a page printed "
        "twice? Both are in the tables"]
    names = [site.name for site in document.sites]
    assert names[:3] == ["みやぎ復興プレス", "みやぎ復興プレス", "震災復興ポスター(宮城から感謝をこめて)"]


def test_a_topic_printed_twice_is_named():
    """The トピックス column of item 2 (lines 922-933, its page header first) printed again."""
    assert LINES[922].startswith("トピックス\t\tオープンデータ") and LINES[934].startswith("3")
    document = extract(LINES[:934] + LINES[921:934] + LINES[934:])
    assert document.warnings == [
        f"{PATH}:936: 2-2-topic-2 repeats 2-2-topic-1 (lines 923-933) word for word: a page "
        "printed twice? Both are in the tables"]


def test_a_topic_without_text_is_named():
    """The トピックス column of item 2 with its heading only (its text, lines 925-933, lost):
    it was left out of the tables in silence, where a (N) subsection without text is named."""
    assert LINES[922].startswith("トピックス\t\tオープンデータ") and LINES[934].startswith("3")
    document = extract(LINES[:924] + LINES[933:])
    assert [s.id for s in document.sections if s.kind == "topic"] == ["2-3-topic-1"]
    assert document.warnings == [
        f"{PATH}:923: トピックス 「オープンデータ」 has no text (its lines printed elsewhere, or "
        "lost?): not in the tables"]


@pytest.mark.parametrize("heading,shown,numbered", [
    ("6\t市町村情報システムの標準化\t\t", "6 市町村情報システムの標準化",
     "initiative 2-3-6 (no 目的・概要 after it)"),
    ("4 地域の情報化", "4地域の情報化", "item 2-4 (no 【…】 part after it)"),
    ("(1) 番号制度への対応", "(1) 番号制度への対応",
     "subsection (1) of item 2-3 (outside its 【…】 part)"),
], ids=["initiative", "item", "subsection"])
def test_a_heading_after_the_last_topic_read_as_its_text_is_named(heading, shown, numbered):
    """A heading numbered as the next of the plan's outline printed after the last トピックス,
    with a paragraph of text (an initiative's without its labels, an item's without its 【…】
    part, a (N) outside its part): both were read as the topic's text in silence."""
    lines = LINES + ["", heading, "", "本県では、番号制度の導入に向けた準備を進めています。"]
    document = extract(lines)
    assert document.sections[-1].body.endswith(f"{shown}\n本県では、番号制度の導入に向けた準備を進めています。")
    assert document.warnings == [
        f"{PATH}:1069: 「{shown}」 alone after a sentence in the text of トピックス 「社会保障・税番号制度」 "
        f"is numbered as the next heading, of {numbered}: its lines lost, or printed out of their "
        "place? Kept in the text"]


def test_a_numbered_line_that_is_no_next_heading_is_no_warning():
    """The same lines numbered as no next heading (as an initiative item 2-3 has, 2-3-5; as
    the item itself, 3; a (3) where the item's part has no (2)): the topic's text, no warning."""
    for heading in ("5 市町村情報システムの標準化", "3 地域の情報化", "(3) 番号制度への対応"):
        assert extract(LINES + ["", heading, "", "本県では、準備を進めています。"]).warnings == []



def test_a_numbered_list_in_an_items_narrative_is_no_warning():
    """Before an item's first initiative, `1 …` numbers a list of its narrative (its next
    initiative would be 1): it was named as a lost initiative heading."""
    lines = LINES[:51] + ["1 業務継続計画の見直し", ""] + LINES[51:]
    assert extract(lines).warnings == []


@pytest.mark.parametrize("number,initiative,label,marks,actors,status,name", [
    (78, "72: initiative 2-1-2 「総合情報ネットワークの運用」", "主体", "「→」 (line 81)",
     ["県運用→"], None, None),
    (1047, "1041: initiative 2-3-5 「市町村職員への研修機会の提供」", "主体",
     "「～H25」 (line 1049)、「継続」 (line 1050)、「→」 (line 1050)", ["県～H25 支援実施継続 →"], None,
     None),
    (603, "594: initiative 2-2-5 「電子申請オンライン利用の促進」", "指標",
     "「継続」 (line 604)、「→」 (line 604)", ["県", "市町村"], None, "電子申請利用率(県)継続→"),
    (619, "610: initiative 2-2-6 「電子認証基盤の運用(地方公共団体組織認証基盤,公的個人認証基盤)」", "指標",
     "「継続」 (line 620)、「→」 (line 620)", ["県", "市町村"], None, "電子証明書の有効件数継続→"),
    (651, "641: initiative 2-2-8 「宮城県物品等電子調達システムの運用」", "指標",
     "「継続」 (line 652)、「→」 (line 652)", ["県"], None,
     "システム登録率(システム登録業者数/業者登録者数)継続→"),
], ids=["78", "1047", "603", "619", "651"])
def test_a_schedule_row_swapped_under_another_label_is_named(number, initiative, label, marks,
                                                              actors, status, name):
    """Two lines swapped (a converter's reading order): 主体 after the schedule's row of fiscal
    years took its phases, its arrow, its status (actors `県運用→`), or the status row after 指標
    became part of the indicator's name (`…継続→`), the schedule without them: in silence."""
    document = extract(swapped(number))
    assert document.warnings == [
        f"{PATH}:{initiative}: {marks} under {label}: what a スケジュール prints (a status, an "
        "arrow or a fiscal year), its row printed out of its place? Kept as printed, not in the "
        "schedule"]
    ident = re.search(r"initiative (\S+)", initiative)[1]
    record = next(i for i in document.initiatives if i.id == ident)
    assert (record.actors, record.status) == (actors, status)
    if name:
        assert [i.name for i in document.indicators if i.initiative_id == ident][0] == name


def _schedule(ident: str):
    return lambda document: [(s.period, s.phase, s.raw) for s in document.schedules
                             if s.initiative_id == ident]


def _actors_and_goals(ident: str):
    return lambda document: next((i.actors, len(i.priority_goal_options))
                                 for i in document.initiatives if i.id == ident)


@pytest.mark.parametrize("number,printed,problem,read,expected", [
    (77, ("\t\t情報活用力の向上\t", "主体\t\t県\t"),
     "72: initiative 2-1-2 「総合情報ネットワークの運用」: its 重点目標 prints 4 option(s) where 32 of "
     "the document's 33 initiatives print 5 (a line lost, or read under another label?): kept as "
     "printed", _actors_and_goals("2-1-2"), (["県情報活用力の向上"], 4)),
    (79, ("スケジュール\t\tH 2 6\tH 2 7", "\t\t運用\t"),
     "72: initiative 2-1-2 「総合情報ネットワークの運用」: the schedule at line 80 prints 「→」 (line "
     "81) with no phase before it to go on with (its phase printed under another label?): H26、H27 "
     "published with no phase", _schedule("2-1-2"), [("H26", "", "→"), ("H27", "", "→")]),
    (162, ("\tH 2 6\tH 2 7\tH 2 8", "～H 2 5\t運用\t\t"),
     "138: initiative 2-1-5 「宮城県電子県庁共通基盤システムの運用」: the schedule at line 162 prints "
     "「運用」 (line 162) above its row of fiscal years (its rows printed out of order?): not in "
     "the tables", _schedule("2-1-5"), [("H26", "", "→"), ("H27", "", "→"), ("H28", "", "→")]),
], ids=["goals-actors", "fiscal-years-phase", "fiscal-years-until-H25"])
def test_lines_swapped_with_no_schedule_mark_out_of_place_are_named(number, printed, problem,
                                                                     read, expected):
    """Two lines swapped by a converter's reading order, with no status, arrow or fiscal year
    under another label to tell: 重点目標's last option read as an actor (`県情報活用力の向上`,
    four goals where the other 32 print five); the phase row under the row of fiscal years
    read as an actor (`県運用`), its arrow going on with no phase; the `～H25` row printed above
    the row of fiscal years, its phase read as nothing. Each was in silence."""
    assert tuple(LINES[number - 1:number + 1]) == printed
    document = extract(swapped(number))
    assert document.warnings == [f"{PATH}:{problem}"]
    assert read(document) == expected


@pytest.mark.parametrize("number,initiative,cell,periods", [
    (128, "110: initiative 2-1-4 「社会保障・税番号制度に関する情報ネットワークシステムの構築」: the "
          "schedule at line 127", "各種調査", [("H26", "調査"), ("H27", "構築"), ("H28", "")]),
    (105, "87: initiative 2-1-3 「インターネット・イントラネットシステムの再構築」: the schedule at line "
          "104", "現システム運用再構築設計",
     [("H26", "現システム運用・新システム構築"), ("H27", "新システム運用"), ("H28", "")]),
], ids=["2-1-4", "2-1-3"])
def test_two_schedule_rows_on_one_line_are_named(number, initiative, cell, periods):
    """A schedule's `～H25` row and the row after it on one line (a line break lost): the
    second row's ～H25 phase and arrow printed right of the last fiscal year's column were
    moved left to H28 (`2-1-4,H28,2016,各種調査`), the ～H25 row lost, in silence."""
    document = extract(joined(number))
    assert document.warnings == [
        f"{PATH}:{initiative} prints 「{printed}」 (line {number}) right of its last fiscal year's "
        "column (a year's column lost in the text, or two of its rows on one line, their line "
        "break lost?): not in the tables"
        for printed in (cell, "→")]
    ident = re.search(r"initiative (\S+)", initiative)[1]
    assert _schedule(ident)(document) == [(period, phase, phase) for period, phase in periods]


def test_two_phases_of_a_row_read_under_one_fiscal_year_are_named():
    """2-1-4's row `⇥～H25⇥調査⇥構築` printed without its first (empty) cell: `調査`, in a column
    of no fiscal year, moved right to H26 and was joined with `構築` printed there, and its
    ～H25 phase `各種調査` moved on to H27 (`2-1-4,H26,調査 構築`), in silence. The same comes
    from a schedule laid out with spaces whose columns the count of breaks misreads. Read as
    before, now named."""
    document = extract(edited(l128="～H 2 5\t調査\t構築\t"))
    assert document.warnings == [
        f"{PATH}:110: initiative 2-1-4 「社会保障・税番号制度に関する情報ネットワークシステムの構築」: the "
        "schedule at line 127 prints 「調査」 and 「構築」 (line 128) in one row under one fiscal "
        "year: read as one phase (a column break lost in the layout?)"]
    assert _schedule("2-1-4")(document) == [("H26", "調査 構築", "調査 構築"),
                                            ("H27", "各種調査", "各種調査"), ("H28", "各種調査", "→")]


def test_a_period_label_printed_in_another_periods_column_is_named():
    """2-1-4's row of fiscal years printed without its first empty cell (`⇥H 2 6⇥H 2 7⇥H 2 8`):
    H26 heads the column of the row below's `～H25`, which was dropped, and every phase moved
    to the year before its own (～H25's 各種調査 published under H26), in silence. Read as
    before, now named."""
    document = extract(edited(l127="\tH 2 6\tH 2 7\tH 2 8"))
    assert document.warnings == [
        f"{PATH}:110: initiative 2-1-4 「社会保障・税番号制度に関する情報ネットワークシステムの構築」: the "
        "schedule at line 127 prints 「～H25」 (line 128) in the column of H26: its period is not "
        "in the tables, and the phases may be under other fiscal years than their own (a cell of "
        "its row of fiscal years lost?)"]
    assert _schedule("2-1-4")(document) == [("H26", "各種調査", "各種調査"), ("H27", "調査", "調査"),
                                            ("H28", "構築", "構築")]


@pytest.mark.parametrize("number,initiative,first,cells,periods", [
    (384, "351: initiative 2-1-10 「情報システム調達研修の実施」", 383, "～H25 実施",
     [("H26", "実施 実施", "実施 実施"), ("H27", "実施 実施", "→"), ("H28", "実施 実施", "→")]),
    (105, "87: initiative 2-1-3 「インターネット・イントラネットシステムの再構築」", 104,
     "～H25 現システム運用・新システム構築 新システム運用",
     [("～H25", "現システム運用再構築設計", "現システム運用再構築設計"),
      ("H26", "現システム運用・新システム構築 現システム運用・新システム構築",
       "現システム運用・新システム構築 現システム運用・新システム構築"),
      ("H27", "新システム運用 新システム運用", "新システム運用 新システム運用"),
      ("H28", "新システム運用 新システム運用", "→")]),
], ids=["2-1-10", "2-1-3"])
def test_a_schedule_row_printed_twice_is_named(number, initiative, first, cells, periods):
    """A schedule's row printed twice (a converter repeating a line): each of its phases was
    read twice under its year (`2-1-10,H26,実施 実施`) in silence. Read as printed, now named."""
    document = extract(LINES[:number] + LINES[number - 1:])
    assert document.warnings == [
        f"{PATH}:{initiative}: the schedule at line {first} prints its row 「{cells}」 again at "
        f"line {number + 1}: its phases are read twice (a line printed twice?)"]
    assert _schedule(initiative.split()[2])(document) == periods


def test_one_phase_printed_in_two_rows_under_two_years_is_no_row_printed_twice():
    """2-1-4's schedule with two rows more, 研修 under H26 in one and under H28 in the other:
    they were named as one row printed twice (its cells compared without their columns), a
    false alarm. A row printed twice repeats its cells in their columns."""
    assert LINES[128] == "新\t各種調査\t→\t\t"
    document = extract(LINES[:129] + ["\t\t研修\t\t", "\t\t\t\t研修"] + LINES[129:])
    assert document.warnings == []
    assert _schedule("2-1-4")(document) == [
        ("～H25", "各種調査", "各種調査"), ("H26", "調査 研修", "調査 研修"), ("H27", "構築", "構築"),
        ("H28", "研修", "研修")]


def test_a_period_label_whose_mark_a_lossy_conversion_lost_is_named():
    """The seed through Shift_JIS, which has no ～ (U+FF5E): every `～H25` became `?H25`, read as
    a phase (schedules went 93 → 91, every ～H25 phase moved to another period) in silence. Now
    each such label is named and its column is read as no period's: the other periods are as
    in the seed, and the two ～H25 phases are named, not published under another period."""
    lossy = "\n".join(LINES).encode("shift_jis", errors="replace").decode("shift_jis")
    assert set(lossy) - set("\n".join(LINES)) == {"?"}
    document = extract(lossy.split("\n"))
    lost = [warning for warning in document.warnings if "「?H25」" in warning]
    assert len(lost) == len(document.warnings) == 31      # each schedule printing a ～H25 label
    assert lost[1] == (
        f"{PATH}:110: initiative 2-1-4 「社会保障・税番号制度に関する情報ネットワークシステムの構築」: the "
        "schedule at line 127 prints 「?H25」 (line 128), a period's label whose from/until mark is "
        "lost (a character the conversion could not write?): its column is read as no period; "
        "its phase 「各種調査」 is not in the tables")
    seed = [(s.initiative_id, s.period, s.phase, s.raw) for s in extract(LINES).schedules]
    assert [(s.initiative_id, s.period, s.phase, s.raw) for s in document.schedules] == \
        [row for row in seed if row[1] != "～H25"]
    assert len(seed) - len(document.schedules) == 2


def test_references_label_joined_to_its_entry_is_read_as_both():
    """参考 and its entry on one line (lines 214 and 216 joined, a line break lost): 参考
    glued to an initiative's id is the label and its first entry (the reference 2-1-6 → 2-2-5
    went into 2-1-6's notes, in silence)."""
    assert (LINES[213], LINES[215]) == ("参考", "2-2-5電子申請オンライン利用の促進")
    document = extract(joined(214))
    assert document.warnings == []
    assert [key for key, _, _ in _records(document)] == [key for key, _, _ in _records(extract(LINES))]
    assert [(r.to_id, r.label) for r in document.references if r.from_id == "2-1-6"] == \
        [("2-2-5", "電子申請オンライン利用の促進")]


def test_a_label_joined_to_the_end_of_a_name_is_named():
    """担当's value and 参考 on one line (lines 502 and 504 joined): 2-1-14's division was
    published as 情報政策課参考, its reference kept as notes, in silence."""
    document = extract(joined(502))
    assert document.warnings == [
        f"{PATH}:468: initiative 2-1-14 「情報システムに係る業務継続計画(i-BCP)に基づく業務継続確保」: "
        "「震災復興・企画部 情報政策課参考」 (line 502) under 担当 ends with 参考, a label this "
        "initiative prints nowhere else: its line joined to this one (a line break lost)? Kept as "
        "printed, what follows it under 担当"]
    initiative = next(i for i in document.initiatives if i.id == "2-1-14")
    assert (initiative.division, initiative.notes) == ("情報政策課参考", "情報システムに係る業務継続計画(i-BCP)")


def test_an_item_heading_and_its_part_on_one_line_are_read_as_both():
    """Item 3's heading and 【現状、課題と取組の方向性】 on one line (lines 935 and 937 joined): section
    2-3-narrative-1 disappeared, its heading and text read into the body of 2-2-topic-1, in
    silence."""
    document = extract(joined(935))
    assert document.warnings == []
    assert [key for key, _, _ in _records(document)] == [key for key, _, _ in _records(extract(LINES))]
    section = next(s for s in document.sections if s.id == "2-3-narrative-1")
    assert (section.item_no, section.heading, section.source_lines) == (3, "現状、課題と取組の方向性", "935-947")


@pytest.mark.parametrize("number,url", [
    (879, "http://www.pref.miyagi.jp/site/newsclip/"),
    (896, "http://www.pref.miyagi.jp/soshiki/gyokei/publiccomnew.html"),
    (912, "http://www.pref.miyagi.jp/site/gvroom/ippitu.html"),
])
def test_a_sites_url_label_glued_to_its_url_is_read_as_both(number, url):
    """`URL` and its `<http…>` line on one line (a line break lost): `URL<http…>` was read as
    summary text, the site published with no URL, in silence."""
    assert LINES[number - 1] == "URL" and LINES[number + 1] == f"<{url}>"
    document = extract(joined(number))
    assert document.warnings == []
    assert [key for key, _, _ in _records(document)] == [key for key, _, _ in _records(extract(LINES))]
    assert url in {site.url for site in document.sites}


@pytest.mark.parametrize("number,site,line", [
    (820, "みやぎ復興プレス", 820),                 # the summary and `URL <http…>`
    (877, "みやぎニュースクリップ", 881),           # the summary and `URL`, its URL on a line after
])
def test_a_sites_summary_joined_with_its_url_label_is_named(number, site, line):
    """A site's summary and its URL label on one line (a line break lost): no URL label is read,
    the URL is kept in the summary and the site published with no URL. That was silent (the
    check of a URL in the summary looked only at entries whose URL label was read)."""
    document = extract(joined(number))
    assert document.warnings == [
        f"{PATH}:{line}: site 「{site}」: a URL printed in its summary and no URL label (the "
        "label's line joined to the summary's, a line break lost?): no URL in the tables, kept "
        "in the summary as printed"]
    assert next(s.url for s in document.sites if s.name == site) == ""


@pytest.mark.parametrize("number,line,site", [
    (873, 873, "みやぎニュースクリップウェブ"),      # a name and its badge line
    (875, 873, "みやぎニュースクリップ"),            # a badge line and the summary
    (902, 908, "電子申請システム"),                  # a 担当 and the next entry's name
])
def test_a_site_entry_without_a_media_badge_is_named(number, line, site):
    """A site's badge line joined to its name or its summary (a line break lost) was read as
    their text, or the next entry's name joined to a 担当 (`行政経営推進課知事への提案…`, its badge
    line read as its name): the entry published with no media, in silence, where the seed's
    other 7 entries print a badge."""
    document = extract(joined(number))
    assert document.warnings == [
        f"{PATH}:{line}: site entry 「{site}」 prints no media badge where 7 of the document's 8 "
        "entries print one: its badge line joined to another line (a line break lost), or lost? "
        "Kept as printed"]
    assert next(s.media for s in document.sites if s.name == site) == []


@pytest.mark.parametrize("number,shown", [
    (10, "(1) 「情報通信ネットワークの安定運用本県では、行政事務の効率化を図るため、様々な業務シ」"),
    (528, "(2) 「行政手続のオンライン化総務省は、平成27年度国勢調査では、国民の利便性向上と費用」"),
    (923, "トピックス 「オープンデータ オープンガバメント(Open Government:「開かれた政」"),
])
def test_a_section_heading_joined_with_its_texts_first_line_is_named(number, shown):
    """A (N) heading or a トピックス title and the first line of its text on one line (a line
    break lost): the line was published as the heading, the text without it, in silence."""
    document = extract(joined(number))
    assert document.warnings == [
        f"{PATH}:{number}: {shown} is a heading that holds a sentence: the first line of its text "
        "joined to it (a line break lost)? Kept as the heading, as printed"]


@pytest.mark.parametrize("number,heading,section", [
    (41, "(5) 情報システムの業務継続", "(4) 「情報セキュリティ対策」"),
    (526, "(2) 行政手続のオンライン化", "(1) 「行政情報の発信」"),
])
def test_the_next_subsection_heading_joined_to_the_text_before_it_is_named(number, heading,
                                                                         section):
    """The last (N) heading of a part joined to the end of the text before it (a line break
    lost): no number is missing, so its text was read as the section before's, in silence."""
    document = extract(joined(number))
    assert document.warnings == [
        f"{PATH}:{number}: 「{heading}」 ends a line of the text of {section} after a sentence: "
        "the heading of the next subsection, its line break lost? Kept in the text, with the "
        "text after it"]


def test_a_value_longer_than_an_excel_cell_is_published_whole_and_named(tmp_path, capsys):
    """A topic's paragraph of 40,000 characters (a legitimate long narrative) once failed the
    whole publish with `sections row 10 column body: 40894 characters, more than an Excel cell
    holds (32767)`, naming no file. Now every format holds it whole but the workbooks, which
    show its beginning and the mark, and a warning names the file, line and record."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text("\n".join(edited(l1059="あ" * 40000)), encoding="utf-8")
    manifest = (ROOT / "data" / "raw" / "sources.toml").read_text(encoding="utf-8")
    (raw / "sources.toml").write_text(manifest.replace(SOURCE.name, "plan.txt"), encoding="utf-8")
    status, stderr = publish(raw, tmp_path / "out", capsys)
    assert status == 0, stderr
    cut = [line for line in stderr.splitlines() if "Excel workbooks" in line]
    assert cut == [f"warning: {raw / 'plan.txt'}:1055: body of section 2-3-topic-1 is 40,894 "
                   "characters long: the Excel workbooks show its first part, cut at Excel's "
                   "32,767 with 「…［Excelのセルに収まらないため以下省略。全文はCSV・JSONに］」; the "
                   "other formats hold it whole"]
    body = next(row["body"] for row in csv.DictReader(
        (tmp_path / "out" / "sections.csv").open(encoding="utf-8")) if row["id"] == "2-3-topic-1")
    assert len(body) == 40894 and "あ" * 40000 in body
    sheet = openpyxl.load_workbook(tmp_path / "out" / "excel" / "sections.xlsx").worksheets[0]
    shown = [value for row in sheet.iter_rows(values_only=True) for value in row
             if isinstance(value, str) and value.endswith("全文はCSV・JSONに］")]
    assert len(shown) == 1 and len(shown[0]) == 32767 and shown[0] == \
        body[:32767 - len("…［Excelのセルに収まらないため以下省略。全文はCSV・JSONに］")] + \
        "…［Excelのセルに収まらないため以下省略。全文はCSV・JSONに］"
