"""Specification of pipeline.normalize (examples taken from the raw ICT plan text)."""
import dataclasses
import datetime as dt
import time

import pytest
from hypothesis import given, strategies as st

from pipeline.normalize import (
    clean_text,
    extract_glossary_terms,
    normalize_width,
    remove_letter_spacing,
    strip_html,
)
from pipeline.extract.indicators import value_label
from pipeline.paragraphs import is_paragraph_end, join_lines, join_paragraphs, stands_alone
from pipeline.values import (DocumentEras, Quantity, before_its_era, era_period, era_year, is_date,
                             parse_era_date, parse_quantity, printed_era)

ODD_INPUTS = ["", " ", "*", "**", "^{*}", "年度末", "H", "<", ">", "<>", "</", "「", "」*",
              ")*", "（*", "～", "、", "。", "\t", "&", "&amp", "\u3000", "ﾞ", "*」", "-*", ".*"]


# --- normalize_width ---------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("総合行政ネットワーク（LGWAN）", "総合行政ネットワーク(LGWAN)"),
    ("（社）全国地方税電子化協議会，国", "(社)全国地方税電子化協議会,国"),
    ("１２", "12"),
    ("ＡＢＣｘｙｚ！？＃％＆＊｛｝", "ABCxyz!?#%&*{}"),
    ("～H25", "～H25"),                      # U+FF5E range mark is kept
    ("安全・安心\u3000快適", "安全・安心 快適"),  # ideographic space -> ASCII space
    ("ｶﾞｲﾄﾞﾗｲﾝ", "ガイドライン"),              # half-width katakana incl. voiced marks
    ("ﾊﾟｿｺﾝ研修", "パソコン研修"),
    ("｢ﾃｽﾄ｣､ﾃｽﾄ｡", "「テスト」、テスト。"),
    ("、。「」・", "、。「」・"),
    ("平成２６年３月末", "平成26年3月末"),
    ("①ⅡＨ", "①ⅡH"),                        # only the FF01..FF5D block is folded
    ("", ""),
])
def test_normalize_width(raw, expected):
    assert normalize_width(raw) == expected


# --- strip_html --------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("<p>主体 県</p>", " 主体 県 "),
    ("<td>H 2 6</td>", " H 2 6 "),
    ('<div style="text-align: center;">運用</div>', " 運用 "),
    ("改行<br>後", "改行 後"),
    ("改行<br/>後<BR />", "改行 後 "),
    ("A &amp; B &lt;x&gt;", "A & B <x>"),
    ("参考 <http://www.pref.miyagi.jp/x.html>", "参考 <http://www.pref.miyagi.jp/x.html>"),
    ("<p>関連URL <https://example.jp/a?b=1&amp;c=2></p>", " 関連URL <https://example.jp/a?b=1&c=2> "),
    ("みやぎ復興プレス **ウェブメルマガ**", "みやぎ復興プレス ウェブメルマガ"),
    ("1 < 2", "1 < 2"),
    ("<", "<"),
    # text between a < and a > is no tag unless it is one: an HTML element with attributes
    ('<SPAN class="a" hidden>運用</Span>', "運用"),
    ("(x<y and z>w)", "(x<y and z>w)"),
    ("(a<b かつ c>d)", "(a<b かつ c>d)"),
    ("a<b, c>d", "a<b, c>d"),
    ("", ""),
    # a reference to no character (NUL, a surrogate, past U+10FFFF) is nothing, as one to a
    # control character is (`&#1;`): it was decoded as U+FFFD, a replacement mark in the text
    ("a&#0;b&#xD800;c&#x110000;d&#1;e", "abcde"),
    ("a&#xFFFD;b", "a\ufffdb"),             # one printed as the replacement mark stays
    # a superscript or subscript after a digit (a footnote's mark, an exponent) is no digit
    # of the number: 38.25<sup>2</sup> was 38.252; after a letter it is the unit's (m2, CO2)
    ("38.25<sup>2</sup>", "38.25 2"),
    ("100<b></b><SUP class=n>1</SUP>件", "100 1件"),
    ("10<sub>3</sub>", "10 3"),
    ("３８<sup>２</sup>", "３８ ２"),
    ("113<sup>&#49;</sup>所属", "113 1所属"),     # a digit by its character reference
    ("113&#x31;<sup>1</sup>", "1131 1"),
    ("113<sup>*1</sup>所属", "113 *1所属"),      # a footnote's *1: no glossary mark of 113
    ("500m<sup>2</sup>", "500m2"),
    ("CO<sub>2</sub>", "CO2"),
])
def test_strip_html(raw, expected):
    assert strip_html(raw) == expected


def test_strip_html_custom_separator():
    assert strip_html("<td>H 2 6</td><td>H 2 7</td>", sep="\t") == "\tH 2 6\t\tH 2 7\t"


@pytest.mark.parametrize("raw, expected", [
    ("<a href=http://www.pref.miyagi.jp/site/?id=3>県のサイト</a>", "県のサイト"),
    ("図<img src=img/chart.png?w=300&amp;h=200>1", "図 1"),
])
def test_a_tag_with_an_unquoted_attribute_value_holding_an_equals_sign_is_stripped(raw, expected):
    """An unquoted attribute value may hold `=` (a URL's query, `href=…?id=3`: browsers read it
    as the value): the tag was kept in the text, its URL with it, since only known elements
    with valid attributes are tags, where any `<name …>` was one before."""
    assert strip_html(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("情報<b>システム</b>課", "情報システム課"),
    ("本県の<strong>電子県庁</strong>を推進", "本県の電子県庁を推進"),
    ('<span class="x">宮</span>城県', "宮城県"),
    ('<FONT color="red">重点</FONT>目標', "重点目標"),
    ("CO<sub>2</sub>削減、第1<sup>st</sup>", "CO2削減、第1st"),
    ("<i>e</i>-<u>Tax</u>の<em>普及</em>", "e-Taxの普及"),
    ("<ruby>宮城<rp>(</rp><rt>みやぎ</rt><rp>)</rp></ruby>県", "宮城(みやぎ)県"),
    ("情報<wbr>システム", "情報システム"),
    ("x&reg<sup>;</sup>", "x&reg;"),             # no reference of the text on both sides
    # a tag of a cell, paragraph, line break or image still parts the text
    ("<td>情報</td><td>システム</td>", " 情報  システム "),
    ("<p>情報</p><div>システム</div>", " 情報  システム "),
    ("情報<br>システム", "情報 システム"),
    ("<li>情報<li>システム", " 情報 システム"),
    ("図<img src=chart.png>1", "図 1"),
    # a link's end after a URL is the URL's end (a URL may hold Japanese: `…/xを参照` would be
    # one); any other link's tags go (Word's empty bookmarks, `<a name="_GoBack"></a>`, too)
    ('<a href="http://a.jp/x">http://a.jp/x</a>を参照', "http://a.jp/x を参照"),
    ('詳細は<a href="http://a.jp/x">こちら</a>を参照', "詳細はこちらを参照"),
    ('みやぎハイパー<a name="_GoBack"></a>ウェブ', "みやぎハイパーウェブ"),
    # however the URL is marked up: in a span, before a bookmark, before a link
    ('<a href="u"><span>http://a.jp/x</span></a>を参照', "http://a.jp/x を参照"),
    ('http://a.jp/x<a name="_GoBack"></a>を参照', "http://a.jp/x を参照"),
    ('http://a.jp/x<a href="u">こちら</a>', "http://a.jp/x こちら"),
    ("http://a.jp/x</abbr>を参照", "http://a.jp/xを参照"),    # (no link's tag: `</a…` alike)
])
def test_an_inline_tag_is_dropped_and_any_other_parts_the_text(raw, expected):
    """An inline tag (`<b>`, `<span>`) became a space like a cell's: `情報<b>システム</b>課` on a
    tab-separated line read 「情報 システム 課」 where a `<p>` or `<td>` fragment read
    「情報システム課」, a division's name two names by its layout."""
    assert strip_html(raw) == expected


# --- remove_letter_spacing ---------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("H 2 6", "H26"),
    ("～ H 2 5", "～H25"),
    ("～H 2 5", "～H25"),
    ("平成 2 9 年 7 月", "平成29年7月"),
    ("災害対策の 3 分野に", "災害対策の3分野に"),
    ("また I p v 4 * の枯渇問題から I p v 6 * に対応", "またIpv4*の枯渇問題からIpv6*に対応"),
    ("市町村 I Tアドバイザーの設置", "市町村ITアドバイザーの設置"),
    ("H 2 6\tH 2 7", "H26\tH27"),            # tabs are not spaces: cells stay apart
    # a lone digit beside a unit or a character: letter spacing (they were half glued, `H2 6年`)
    ("H 2 6年", "H26年"),
    ("1 0 0件", "100件"),
    ("2 0 1 4年度", "2014年度"),
    ("1 2, 8 8 3件", "12,883件"),
    ("a  b", "ab"),
    ("  前後の  空白  ", "前後の 空白"),      # other space runs collapse to one
])
def test_remove_letter_spacing_joins(raw, expected):
    assert remove_letter_spacing(raw) == expected


@pytest.mark.parametrize("raw", [
    "Open Government Data Movement の略",
    "a Movement",
    "Windows 7 system",
    "震災復興・企画部 情報システム課",
    "安全・安心なくらし 快適・便利なくらし",
    "現状値 (H26年3月末)",
    "1回/年 (15システム)",
    "(社) 全国地方税電子化協議会, 国",
    "12,883件",
    "3 50%",            # digits printed apart are never one number (350)
    "1 234人",
    "5 10件",
    "10 5",
])
def test_remove_letter_spacing_keeps_real_spaces(raw):
    assert remove_letter_spacing(raw) == raw


# --- extract_glossary_terms ---------------------------------------------------

@pytest.mark.parametrize("raw, text, terms", [
    # (a) "*" before "」": everything since the matching "「"
    ("網「霞が関WAN*」とも", "網「霞が関WAN」とも", ["霞が関WAN"]),
    ("「情報セキュリティポリシー*」を策定", "「情報セキュリティポリシー」を策定", ["情報セキュリティポリシー"]),
    ("共同で「LGWAN-ASP*」を活用", "共同で「LGWAN-ASP」を活用", ["LGWAN-ASP"]),
    ("「総合行政ネットワーク(LGWAN)*」等", "「総合行政ネットワーク(LGWAN)」等", ["総合行政ネットワーク(LGWAN)"]),
    ("「外「内」側*」", "「外「内」側」", ["外「内」側"]),
    # (b) "*" after a closing bracket: the bracketed content
    ("「みやぎハイパーウェブ(広域通信回線網(WAN)*)」", "「みやぎハイパーウェブ(広域通信回線網(WAN))」", ["WAN"]),
    ("広域通信回線網（WAN）*）", "広域通信回線網（WAN））", ["WAN"]),
    # (c) ASCII term
    ("ASP*サービスの導入", "ASPサービスの導入", ["ASP"]),
    ("システム(CMS*)を導入", "システム(CMS)を導入", ["CMS"]),
    ("業務継続計画(i-BCP*)」を策定", "業務継続計画(i-BCP)」を策定", ["i-BCP"]),
    ("Ipv6*に対応", "Ipv6に対応", ["Ipv6"]),
    ("XML^{*}やRDF^{*}等の", "XMLやRDF等の", ["XML", "RDF"]),
    # (d) run of kanji / katakana / ー / ・
    ("策定し、仮想化*技術を活用", "策定し、仮想化技術を活用", ["仮想化"]),
    ("を行う公的個人認証サービス*の適切な", "を行う公的個人認証サービスの適切な", ["公的個人認証サービス"]),
    ("やデータセンター*活用", "やデータセンター活用", ["データセンター"]),
    ("。アクセシビリティ*(使いやすさ)", "。アクセシビリティ(使いやすさ)", ["アクセシビリティ"]),
    ("確保し、ユーザビリティ*を向上", "確保し、ユーザビリティを向上", ["ユーザビリティ"]),
    # marks without a term stay
    ("※*印は用語解説", "※*印は用語解説", []),
    ("* 注記", "* 注記", []),
    ("**強調**", "**強調**", []),
    ("です。*", "です。*", []),
    ("「*」", "「*」", []),
    ("", "", []),
])
def test_extract_glossary_terms(raw, text, terms):
    assert extract_glossary_terms(raw) == (text, terms)


def test_glossary_terms_keep_input_width():
    assert extract_glossary_terms("「総合行政ネットワーク（LGWAN）*」") == (
        "「総合行政ネットワーク（LGWAN）」", ["総合行政ネットワーク（LGWAN）"])


def test_glossary_terms_in_order_of_occurrence():
    raw = "また Ipv4*の枯渇問題からIpv6*に対応し、仮想化*技術"
    assert extract_glossary_terms(raw)[1] == ["Ipv4", "Ipv6", "仮想化"]


# --- clean_text ----------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("<p>また I p v 4 * の</p>", ("またIpv4の", ["Ipv4"])),
    ("<td>～H 2 5</td>", ("～H25", [])),
    ("<tr> <td>H 2 6</td> <td>H 2 7</td><td>～H 2 5</td> </tr>", ("H26 H27 ～H25", [])),
    ("<p>関連URL http://www.pref.miyagi.jp/</p>", ("関連URL http://www.pref.miyagi.jp/", [])),
    ("「総合行政ネットワーク（ＬＧＷＡＮ）*」", ("「総合行政ネットワーク(LGWAN)」", ["総合行政ネットワーク(LGWAN)"])),
    ("市町村\u3000I\u3000Tアドバイザー", ("市町村ITアドバイザー", [])),
    ("ｶﾞｲﾄﾞﾗｲﾝ *", ("ガイドライン", ["ガイドライン"])),
    ("情報発信 **メルマガ**", ("情報発信 メルマガ", [])),
    ("現状値\t\t (H26年3月末) ", ("現状値 (H26年3月末)", [])),
    ("本県の<strong>電子県庁</strong>を推進", ("本県の電子県庁を推進", [])),
    ('<span class="x">宮</span>城県', ("宮城県", [])),
    ("<b>H</b> 2 6<td>H 2 7", ("H26 H27", [])),
    ("<b>LGWAN</b>*を活用", ("LGWANを活用", ["LGWAN"])),
    ("", ("", [])),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_text_full_width_digits_become_half_width():
    assert clean_text("<td>平成２６年３月末　１２，８８３件</td>") == ("平成26年3月末 12,883件", [])


# --- join_lines / is_paragraph_end --------------------------------------------

def consecutive(parts: list[str]) -> list[tuple[int, int, str]]:
    """Lines printed one after the other (numbered 1, 2, 3 …): the page width broke them."""
    return [(number, number, part) for number, part in enumerate(parts, 1)]


def after_breaks(parts: list[str]) -> list[tuple[int, int, str]]:
    """Lines with a blank line between each two (numbered 1, 3, 5 …): a page may break there."""
    return [(2 * index + 1, 2 * index + 1, part) for index, part in enumerate(parts)]


def blank_separated(groups: list[list[str]]) -> list[list[tuple[int, int, str]]]:
    """Groups of lines printed one after the other, a blank line between each two groups."""
    numbered, number = [], 1
    for group in groups:
        numbered.append([(number + index, number + index, line) for index, line in enumerate(group)])
        number += len(group) + 1
    return numbered


@pytest.mark.parametrize("parts, expected", [
    (["稼働開始し、イ", "インターネットを通じた"], "稼働開始し、インターネットを通じた"),  # echo dropped
    (["に基づき、平", "成25年度末までに"], "に基づき、平成25年度末までに"),
    (["整備します。冗長", "冗長化等により"], "整備します。冗長化等により"),
    (["行政事務の", "効率化を図る"], "行政事務の効率化を図る"),
    (["", "本県では、", "", "運用します。"], "本県では、運用します。"),
    (["Open Government", "Data"], "Open Government Data"),
    (["H26", "27"], "H26 27"),
    (["ICT", "を活用"], "ICTを活用"),
    (["a", "b", "c"], "a b c"),
    ([], ""),
    ([""], ""),
])
def test_join_lines(parts, expected):
    assert join_lines(after_breaks(parts)) == expected


@pytest.mark.parametrize("parts, expected", [
    (["また、こ", "こ数年の訓練結果を反映します。"], "また、ここ数年の訓練結果を反映します。"),
    (["電子申請では、いろ", "いろな手続ができます。"], "電子申請では、いろいろな手続ができます。"),
    (["稼働開始し、イ", "インターネットを通じた"], "稼働開始し、イインターネットを通じた"),
])
def test_two_lines_printed_one_after_the_other_are_never_a_page_break_echo(parts, expected):
    """A page break repeats the end of a page at the start of the next only where something
    stands between the two lines (a blank line, the page's number or header). A sentence the
    page width wrapped where the text after its last 、 is also how the next line begins lost
    those characters in silence: ここ数年 published as こ数年."""
    assert join_lines(consecutive(parts)) == expected


@pytest.mark.parametrize("parts, expected", [
    (["・住民票の写し、印鑑登録証明書", "・電子申請システム"],
     "・住民票の写し、印鑑登録証明書\n・電子申請システム"),
    (["電子申請システムでは、現在次の手続ができます。", "・住民票の写し、印鑑登録証明書の交付請求",
      "・県税の電子申告"],
     "電子申請システムでは、現在次の手続ができます。\n・住民票の写し、印鑑登録証明書の交付請求\n"
     "・県税の電子申告"),
    # an item wrapped over two lines is one item: only a line opening one breaks
    (["・住民票の写し、印鑑登録証明書など行政機関が発行する証", "明書類の交付請求", "・県税の電子申告"],
     "・住民票の写し、印鑑登録証明書など行政機関が発行する証明書類の交付請求\n・県税の電子申告"),
    (["対象となる手続", "①住民票の写しの交付請求", "②県税の電子申告"],
     "対象となる手続\n①住民票の写しの交付請求\n②県税の電子申告"),
    (["本県の取組", "●電子申請", "○電子入札", "※平成27年3月現在"],
     "本県の取組\n●電子申請\n○電子入札\n※平成27年3月現在"),
    # an item printed as a line of its own is never a page-break echo of the item before
    (["・県、市", "・県", "・県内市町村"], "・県、市\n・県\n・県内市町村"),
])
def test_join_lines_keeps_a_line_break_before_a_list_item(parts, expected):
    """A list printed one item per line kept no boundary between its items
    (`・住民票の写し、印鑑登録証明書・電子申請システム`): the line break before an item is the
    list's, not the page width's."""
    assert join_lines(consecutive(parts)) == join_lines(after_breaks(parts)) == expected


@pytest.mark.parametrize("parts, expected", [
    (["マイナンバー", "*を活用し、手続を簡素化する。"], "マイナンバー*を活用し、手続を簡素化する。"),
    (["前年比", "-3件の減少となった。"], "前年比-3件の減少となった。"),
    (["目標値は", "○○件とする。"], "目標値は○○件とする。"),
    (["https://www.pref.miyagi.jp/soshiki/joho", "-seisaku/plan.html"],
     "https://www.pref.miyagi.jp/soshiki/joho-seisaku/plan.html"),
    (["対象", "- 電子申請", "• 電子入札"], "対象\n- 電子申請\n• 電子入札"),
])
def test_join_lines_breaks_only_before_a_real_list_mark(parts, expected):
    """`*` (the glossary's mark), `-` (a minus, a URL's hyphen) and ○○ (a placeholder) at the
    start of a wrapped line were read as list marks, breaking a sentence or a URL; a `-` or `*`
    with a space after it, and •, are marks."""
    assert join_lines(consecutive(parts)) == expected


@pytest.mark.parametrize("groups, expected", [
    # a paragraph ends with a URL, a date, a list's item: the blank line after it ends it
    ([["詳しくは県のホームページをご覧ください。", "https://www.pref.miyagi.jp/site/ict/"],
      ["平成27年3月から運用しています。"]],
     ["詳しくは県のホームページをご覧ください。\nhttps://www.pref.miyagi.jp/site/ict/",
      "平成27年3月から運用しています。"]),
    # a URL alone on its line stands alone: the clause before it does not carry it on
    ([["詳しくは、次のURLを参照してください", "https://www.pref.miyagi.jp/site/ict/"],
      ["平成27年3月から運用しています。"]],
     ["詳しくは、次のURLを参照してください\nhttps://www.pref.miyagi.jp/site/ict/",
      "平成27年3月から運用しています。"]),
    # a sentence cut before its first 、 ends on a particle: it goes on
    ([["本県は次期最適化計画を"], ["策定します。"]], ["本県は次期最適化計画を策定します。"]),
    ([["https://www.pref.miyagi.jp/site/ict/"], ["平成27年3月から運用しています。"]],
     ["https://www.pref.miyagi.jp/site/ict/", "平成27年3月から運用しています。"]),
    ([["平成27年3月"], ["電子申請システムの運用を開始しました。"]],
     ["平成27年3月", "電子申請システムの運用を開始しました。"]),
    ([["12,883件"], ["(平成25年度の申請件数)"]], ["12,883件", "(平成25年度の申請件数)"]),
    ([["電子申請システムでは、現在次の手続ができます。", "・住民票の写し、印鑑登録証明書",
       "・電子申請システム"], ["これらの手続は、24時間受け付けています。"]],
     ["電子申請システムでは、現在次の手続ができます。\n・住民票の写し、印鑑登録証明書\n"
      "・電子申請システム", "これらの手続は、24時間受け付けています。"]),
    # (a clause without its 。 goes on, as a sentence cut by a page break does: the list after
    # it is joined to it, each item on its line)
    ([["電子申請システムでは、現在次の手続ができます"], ["・住民票の写し", "・電子申請システム"]],
     ["電子申請システムでは、現在次の手続ができます\n・住民票の写し\n・電子申請システム"]),
    # a sentence cut by a page break is still joined (and the page's echo dropped) ...
    ([["本県では、平成21年2月に策定した「宮城県情報システム最適化計画」に基づき、平"],
      ["成25年度末までに既存情報システムの維持管理経費を20%削減する"]],
     ["本県では、平成21年2月に策定した「宮城県情報システム最適化計画」に基づき、平成25年度末までに"
      "既存情報システムの維持管理経費を20%削減する"]),
    ([["各システムを順次構築・稼働開始し、イ"], ["インターネットを通じた各種申請が可能となりました。"]],
     ["各システムを順次構築・稼働開始し、インターネットを通じた各種申請が可能となりました。"]),
    ([["社会保障・税番号制度(以下「番号制度"], ["といいます。)が創設されました。"]],
     ["社会保障・税番号制度(以下「番号制度といいます。)が創設されました。"]),
    # ... as is a list's item cut after its 、, its next line keeping the item's break
    ([["・住民票の写し、"], ["印鑑登録証明書", "・電子申請システム"]],
     ["・住民票の写し、印鑑登録証明書\n・電子申請システム"]),
    ([["現在、次の手続ができます、"], ["・住民票の写し"]], ["現在、次の手続ができます、\n・住民票の写し"]),
])
def test_join_paragraphs_a_blank_line_ends_a_paragraph_unless_its_sentence_goes_on(groups, expected):
    """A paragraph ending with no 。 (a URL, a date, an amount, a list's item) was joined to the
    next across the blank line between them, as a sentence cut by a page break is: only a
    sentence that shows it goes on (a 、 before its cut end, a bracket left open) is."""
    assert join_paragraphs(blank_separated(groups)) == expected


@pytest.mark.parametrize("parts, expected", [
    (["県が所管する約20", "0システムのうち"], "県が所管する約200システムのうち"),
    (["制度の平成2", "9年7月の本格運用"], "制度の平成29年7月の本格運用"),
    (["省庁等2", "1機関"], "省庁等21機関"),
    (["申請件数は12,8", "83件"], "申請件数は12,883件"),
    (["申請件数は１２", "８８３件"], "申請件数は１２８８３件"),
    (["2014", "2016"], "2014 2016"),              # no Japanese before it: two numbers
    (["H26", "27"], "H26 27"),
])
def test_a_number_the_page_width_cut_after_japanese_has_no_space_inside(parts, expected):
    assert join_lines(consecutive(parts)) == expected


def test_a_number_is_joined_without_a_space_only_across_a_wrap():
    """The page width cut `約20` / `0システム` (one line after the other): one number. With
    something between the lines (a blank line, a page's number), the text cannot say the
    number goes on: a space, as before (a page number 12 between gave 約20120システム)."""
    assert join_lines(consecutive(["県が所管する約20", "0システム"])) == "県が所管する約200システム"
    assert join_lines(after_breaks(["県が所管する約20", "0システム"])) == "県が所管する約20 0システム"


def test_a_page_break_echo_is_dropped_between_groups_and_across_a_page_s_furniture():
    """Between two groups (a blank line between) and between two lines of one group with a
    line left out between them (a page's number, dropped as furniture), the start of the next
    line repeating the text after the last 、 is the page break's echo; between two lines
    printed one after the other it is the text."""
    assert join_paragraphs([[(10, 10, "稼働開始し、イ")], [(12, 12, "インターネットを通じた")]]) \
        == ["稼働開始し、インターネットを通じた"]
    assert join_paragraphs([[(10, 10, "稼働開始し、イ"), (12, 12, "インターネットを通じた")]]) \
        == ["稼働開始し、インターネットを通じた"]
    assert join_paragraphs([[(10, 10, "稼働開始し、イ"), (11, 11, "インターネットを通じた")]]) \
        == ["稼働開始し、イインターネットを通じた"]
    # a row read from lines 9 and 10 (a table's), then line 11: one after the other
    assert join_paragraphs([[(9, 10, "稼働開始し、イ"), (11, 11, "インターネットを通じた")]]) \
        == ["稼働開始し、イインターネットを通じた"]
    assert join_lines([(9, 10, "稼働開始し、イ"), (11, 11, "インターネットを通じた")]) == \
        "稼働開始し、イインターネットを通じた"


def _join_paragraphs_by_rejoining(groups: list[list[str]]) -> list[str]:
    """join_paragraphs as first defined: at each blank line, the last sentence's lines joined
    again and looked over from their start (quadratic in a sentence that never ends). Lines
    numbered as blank_separated numbers them."""
    def goes_on(lines: list[tuple[int, int, str]]) -> bool:
        text, item = join_lines(lines), stands_alone(lines[0][2])
        closing, punctuated = [], False
        for char in text:
            if char in "(「『【[〔":
                closing.append(")」』】]〕"["(「『【[〔".index(char)])
            elif closing and char == closing[-1]:
                closing.pop()
            elif not closing and char in "、。":
                punctuated = True
        return not is_paragraph_end(lines[-1][2]) and (bool(closing) or text.endswith("、") or (
            not item and (punctuated or "\u3041" <= text[-1:] <= "\u309f")))
    paragraphs: list[list[list[tuple[int, int, str]]]] = []        # each paragraph's groups
    for group in filter(None, ([part for part in group if part[2]]
                               for group in blank_separated(groups))):
        if paragraphs and goes_on(_last_sentence(sum(paragraphs[-1], []))):
            paragraphs[-1].append(group)
        else:
            paragraphs.append([group])
    return [join_lines([(group[0][0], group[-1][1], join_lines(group)) for group in paragraph])
            for paragraph in paragraphs]


def _last_sentence(lines: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    start = len(lines) - 1
    while start and not (stands_alone(lines[start][2]) or is_paragraph_end(lines[start - 1][2])):
        start -= 1
    return lines[start:]


@given(st.lists(st.lists(st.text(alphabet="、。ab1 平成をイン・(「」)", max_size=6), max_size=4),
                max_size=8))
def test_join_paragraphs_is_the_join_by_rejoining(groups):
    assert join_paragraphs(blank_separated(groups)) == _join_paragraphs_by_rejoining(groups)


def test_join_paragraphs_of_a_sentence_that_never_ends_takes_linear_time():
    """A sentence left open (a bracket never closed) over 20,000 blank-separated groups: each
    blank line joined the sentence's lines again and looked over them all (2,000 groups took
    8 s, 20,000 about 800 s). The sentence is now carried on with what its join has seen."""
    groups = [["(平成26年度から"]] + [["順次構築を"]] * 20_000
    start = time.perf_counter()
    [paragraph] = join_paragraphs(blank_separated(groups))
    assert time.perf_counter() - start < 20
    assert paragraph == "(平成26年度から" + "順次構築を" * 20_000


def _join_pairwise(parts: list[tuple[bool, str]]) -> str:
    """join_lines as first defined: each line joined to the text so far (quadratic), a page
    break's echo dropped where a line is printed after a break (`parts`: (after a break, line),
    a break after an empty line too)."""
    text, broken = "", False
    for after_break, part in parts:
        broken = broken or after_break and bool(text)
        if not part:
            broken = broken or bool(text)
            continue
        cut = max(text.rfind("、"), text.rfind("。"))
        fragment = text[cut + 1:] if cut >= 0 else ""
        echo, wrapped, broken = broken and fragment and part.startswith(fragment), not broken, False
        if echo:
            text = text[:cut + 1] + part
        elif text[-1:].isascii() and text[-1:].isalnum() and part[:1].isascii() and \
                part[:1].isalnum() and not (wrapped and _goes_on_with_a_number(text[-32:], part)):
            text = text + " " + part
        else:
            text = text + part
    return text


def _goes_on_with_a_number(end: str, part: str) -> bool:
    """The part's digits continue the number `end` ends with, written after Japanese."""
    head = end.rstrip("0123456789,.")
    return part[0].isdigit() and head != end and end[len(head)].isdigit() and bool(head) and \
        not head[-1].isascii()


@given(st.lists(st.tuples(st.booleans(), st.text(alphabet="、。ab1 平成イン", max_size=8)),
                max_size=12))
def test_join_lines_is_the_pairwise_join(parts):
    numbered, number = [], 0
    for after_break, part in parts:
        number += 2 if after_break else 1
        numbered.append((number, number, part))
    assert join_lines(numbered) == _join_pairwise(parts)


def test_join_lines_of_a_hundred_thousand_lines_without_a_comma():
    """Linear: the fragment after the last 、 grows with every line, and is joined only when a
    line is at least as long (a page-break echo can only then repeat it)."""
    parts = consecutive(["行政"] * 100_000 + ["、続き"]) + [(100_003, 100_003, "続きの文")]
    assert join_lines(parts) == "行政" * 100_000 + "、続きの文"


@pytest.mark.parametrize("text, expected", [
    ("運用していきます。", True),
    ("「攻めの情報発信」", True),
    ("(使いやすさ)", True),
    ("（使いやすさ）", True),
    ("本当ですか？", True),
    ("Yes!", True),
    ("Really?", True),
    ("etc.", True),
    ("完了しました。  ", True),
    ("…に基づき、平", False),
    ("本県では、", False),
    ("ICT", False),
    ("", False),
])
def test_is_paragraph_end(text, expected):
    assert is_paragraph_end(text) is expected


# --- eras ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("H26", 2014), ("平成26", 2014), ("26", None), ("～H25", 2013), ("～ H25", 2013),
    ("H1", 1989), ("平成元", 1989), ("R2", 2020), ("令和2", 2020), ("令和元", 2019),
    ("S64", 1989), ("昭和50", 1975), ("Ｈ２６", 2014), ("(H26)", 2014), ("H26年度", 2014),
    ("2014", 2014),
    ("", None), ("H", None), ("平成", None), ("X26", None), ("H0", None), ("H123", None),
    ("26年3月", None), ("H26H27", None), ("～", None), ("*", None),
])
def test_era_year(text, expected):
    assert era_year(text) == expected


@pytest.mark.parametrize("text, default_era, expected", [
    ("26", "平成", 2014), ("2", "令和", 2020), ("2", "R", 2020), ("50", "昭和", 1975),
    ("26", None, None), ("H26", None, 2014), ("26", "明治", None),
])
def test_era_year_default_era(text, default_era, expected):
    assert era_year(text, default_era=default_era) == expected


@pytest.mark.parametrize("text, expected", [
    ("H26年3月末", dt.date(2014, 3, 31)),
    ("H24年3月末", dt.date(2012, 3, 31)),
    ("H25年10月末", dt.date(2013, 10, 31)),
    ("H24年2月末", dt.date(2012, 2, 29)),          # leap year via calendar.monthrange
    ("H28年度末", dt.date(2017, 3, 31)),           # 年度末: 31 March of the next year
    ("平成25年5月24日", dt.date(2013, 5, 24)),
    ("(H26年3月末)", dt.date(2014, 3, 31)),
    (" （H26年3月末） ", dt.date(2014, 3, 31)),
    ("平成 2 9 年 7 月 1 日", dt.date(2017, 7, 1)),
    ("平成２７年度末", dt.date(2016, 3, 31)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("令和元年度末", dt.date(2020, 3, 31)),
    ("R2年3月末", dt.date(2020, 3, 31)),
    ("R2年度末", dt.date(2021, 3, 31)),
    ("S64年1月7日", dt.date(1989, 1, 7)),
    ("H26年末", dt.date(2014, 12, 31)),
    ("2020年度末", dt.date(2021, 3, 31)),
    ("2020年3月31日", dt.date(2020, 3, 31)),
    ("平成26年2月末日", dt.date(2014, 2, 28)),      # 末日: the last day, as 末
    ("平成26年3月末現在", dt.date(2014, 3, 31)),    # 現在, 時点: as of that day
    ("H26年3月31日時点", dt.date(2014, 3, 31)),
])
def test_parse_era_date(text, expected):
    assert parse_era_date(text) == expected


@pytest.mark.parametrize("text", [
    "", "年度末", "H", "H26", "H26年13月", "H26年2月30日", "H26年0月末", "平成年3月",
    "H26年3月末頃", "～H25年度", "現状値", "<", "*", "26年度末末",
    "28年度末", "24年3月末",        # no era printed, none given: never one assumed
    "H26.3.31", "H31.3", "平成26～28年度", "H26年度中", "平成26年3月上旬",
])
def test_parse_era_date_unparseable_is_none(text):
    assert parse_era_date(text) is None


@pytest.mark.parametrize("text, first, last", [
    ("H26年度", dt.date(2014, 4, 1), dt.date(2015, 3, 31)),       # 年度: April to March
    ("平成29年7月", dt.date(2017, 7, 1), dt.date(2017, 7, 31)),
    ("平成 2 9 年 7 月", dt.date(2017, 7, 1), dt.date(2017, 7, 31)),
    ("H24年2月", dt.date(2012, 2, 1), dt.date(2012, 2, 29)),
    ("H26年", dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
    ("R元年", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    ("平成31年4月", dt.date(2019, 4, 1), dt.date(2019, 4, 30)),
    ("H26年3月末", dt.date(2014, 3, 31), dt.date(2014, 3, 31)),    # a day: its own period
])
def test_a_period_is_no_day(text, first, last):
    """A fiscal year, a year or a month names no day: it was published as its first one
    (H26年度 → 2014-04-01, a target a year early on the chart), a day the text does not say."""
    assert era_period(text) == (first, last)
    assert parse_era_date(text) == (first if first == last else None)


@pytest.mark.parametrize("text, era", [
    ("R元年3月31日", "令和"), ("R元年4月", "令和"), ("令和元年4月30日", "令和"),
    ("H元年1月7日", "平成"), ("S元年12月24日", "昭和"),
    ("R元年5月1日", None), ("R元年度", None), ("R元年", None), ("H元年1月", None),
    ("H32年3月31日", None), ("S64年1月7日", None), ("2019年3月31日", None),
])
def test_a_date_that_ends_before_its_era_began_is_none(text, era):
    """令和 began on 2019-05-01, 平成 on 1989-01-08, 昭和 on 1926-12-25: a day or month before
    that is no date of the era (what the text meant is not said); a fiscal year or a year that
    reaches into the era is one, and so is a date after the era ended (`H32年3月31日`)."""
    assert before_its_era(text) == era
    assert (era_period(text) is None) == (era is not None)
    assert is_date(text)            # a date by its shape: a 現状値 label's date, not read


def test_a_label_dated_before_its_era_is_still_a_label():
    """`現状値R元年3月31日` (the date after the label, no brackets) is the label of a baseline
    with a date not read, not prose: is_date tells a date by its shape."""
    assert value_label("現状値R元年3月31日") == ("baseline", "R元年3月31日")


@pytest.mark.parametrize("text, era", [
    ("H26年3月末", "平成"), ("～H25", "平成"), ("H 2 6", "平成"), ("令和元年度", "令和"), ("R2", "令和"),
    ("S64年1月7日", "昭和"), ("(H26年3月末)", "平成"),
    ("28年度末", None), ("26", None), ("2014", None), ("2020年度末", None),
    ("平成15年度に運用を開始", None), ("H26年3月末頃", None), ("", None),
    ("H0", None), ("H0年度", None), ("R100", None), ("S0年3月末", None),     # no year of an era
])
def test_printed_era(text, era):
    assert printed_era(text) == era


def test_a_document_of_one_era_reads_its_years_without_one_in_it():
    assert DocumentEras(("平成",)).era == "平成"
    assert DocumentEras().era is None and DocumentEras(("平成", "令和")).era is None
    assert DocumentEras(("平成", "令和")).described() == "the document prints years of 2 eras (平成、令和)"


def test_parse_era_date_default_era():
    assert parse_era_date("2年4月1日", default_era="令和") == dt.date(2020, 4, 1)
    assert parse_era_date("24年3月末", default_era="平成") == dt.date(2012, 3, 31)
    assert parse_era_date("28年度末", default_era="平成") == dt.date(2017, 3, 31)
    assert parse_era_date("5年度末", default_era="令和") == dt.date(2024, 3, 31)
    assert parse_era_date("H26年3月末", default_era="令和") == dt.date(2014, 3, 31)   # its own
    assert parse_era_date("24年3月末", default_era=None) is None


# --- parse_quantity ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("12,883件", Quantity(12883, "件", "")),
    ("38.25%", Quantity(38.25, "%", "")),
    ("43%", Quantity(43, "%", "")),
    ("1回/年 (15システム)", Quantity(1, "回/年", "(15システム)")),
    ("1回/年（15システム）", Quantity(1, "回/年", "(15システム)")),
    ("0グループ", Quantity(0, "グループ", "")),
    ("113所属", Quantity(113, "所属", "")),
    ("１２３件", Quantity(123, "件", "")),
    ("３８．２５％", Quantity(38.25, "%", "")),
    ("20", Quantity(20, "", "")),
    (" 5 件 ", Quantity(5, "件", "")),
    ("全所属", Quantity(None, "", "")),
    ("全外部公開システム", Quantity(None, "", "")),
    ("", Quantity(None, "", "")),
    ("%", Quantity(None, "", "")),
    ("*", Quantity(None, "", "")),
    (".5件", Quantity(None, "", "")),
    ("9,007,199,254,740,992件", Quantity(9007199254740992, "件", "")),    # 2**53: a double
    ("-9,007,199,254,740,992件", Quantity(-9007199254740992, "件", "")),
    ("9,007,199,254,740,993件", Quantity(None, "", "")),     # no double holds it: text only
    ("9,223,372,036,854,775,807件", Quantity(None, "", "")),     # 2**63 - 1: no double either
    ("99999999999999999999.5件", Quantity(None, "", "")),   # a double holds 1e20: text only
    ("18014398509481984.0件", Quantity(None, "", "")),      # beyond 2**53, written with .0
    ("-99999999999999999999.5件", Quantity(None, "", "")),
    ("1,000.50円", Quantity(1000.5, "円", "")),
    ("0.30000000000000004件", Quantity(0.30000000000000004, "件", "")),    # 17 digits, exact
    ("12345678901234567.8%", Quantity(None, "", "")),
    ("0.1%", Quantity(0.1, "%", "")),         # the double nearest to it, as every reader takes it
    ("1.10件", Quantity(1.1, "件", "")),
    # a range, or a number the text split: its first digits are no value (40, 12, 38, 35 were)
    ("40%～45%", Quantity(None, "", "")),
    ("40～45%", Quantity(None, "", "")),
    ("40-45%", Quantity(None, "", "")),
    ("40% 〜 45%", Quantity(None, "", "")),
    ("12 883件", Quantity(None, "", "")),
    ("12, 883件", Quantity(None, "", "")),
    ("38. 25%", Quantity(None, "", "")),
    ("3,5件", Quantity(None, "", "")),
    ("1.2.3", Quantity(None, "", "")),
    ("5.2人/10万人", Quantity(5.2, "人/10万人", "")),    # digits in the unit: still one number
    # a digit of the unit's own letters (m², CO₂ written m2, CO2) is no second number
    ("1,000t-CO2", Quantity(1000, "t-CO2", "")),
    ("500m2", Quantity(500, "m2", "")),
    ("30m3/日", Quantity(30, "m3/日", "")),
    ("20kgCO2", Quantity(20, "kgCO2", "")),
    ("100%(H27-H28)", Quantity(100, "%", "(H27-H28)")),  # a range in the note: its date
    # a second number outside brackets: a change, a list, a fraction, a number split by 、 (the
    # first number read 50, 1, 24 with the rest as its unit or note)
    ("50%→70%", Quantity(None, "", "")),
    ("50% → 70%", Quantity(None, "", "")),
    ("50%、70%", Quantity(None, "", "")),
    ("50%(H27)→70%", Quantity(None, "", "")),
    ("1/2", Quantity(None, "", "")),
    ("50%/70%", Quantity(None, "", "")),
    ("2 / 3", Quantity(None, "", "")),
    ("1、234件", Quantity(None, "", "")),
    ("24時間365日", Quantity(None, "", "")),
    ("1e3件", Quantity(None, "", "")),
    ("1回/2年", Quantity(1, "回/2年", "")),             # a rate's denominator: one number
    ("5人/10万人(H26)", Quantity(5, "人/10万人", "(H26)")),
    ("1件 (うち2件)", Quantity(1, "件", "(うち2件)")),
    # a magnitude stays in the unit, never dropped; a value with no number first stays text
    ("12.5万人", Quantity(12.5, "万人", "")),
    ("1.2億円", Quantity(1.2, "億円", "")),
    ("3千件", Quantity(3, "千件", "")),
    ("約50%", Quantity(None, "", "")),
    ("年1回", Quantity(None, "", "")),
    ("二十件", Quantity(None, "", "")),
    ("－", Quantity(None, "", "")),
    ("－5%", Quantity(-5, "%", "")),
    ("▲5%", Quantity(None, "", "")),
    # a qualifier after the unit is the note's, never the unit's (「%以上」, 「件程度」 were units)
    ("50%以上", Quantity(50, "%", "以上")),
    ("５０％程度", Quantity(50, "%", "程度")),
    ("10,000件以上", Quantity(10000, "件", "以上")),
    ("50%未満", Quantity(50, "%", "未満")),
    ("50%超", Quantity(50, "%", "超")),
    ("30分以内", Quantity(30, "分", "以内")),
    ("5ポイント増", Quantity(5, "ポイント", "増")),
    ("100人前後", Quantity(100, "人", "前後")),
    ("50以上", Quantity(50, "", "以上")),
    ("50%以上(H27)", Quantity(50, "%", "以上(H27)")),
    # a qualifier inside a rate (回以上/年): the unit would be its first word alone (回, a count,
    # where the text prints a rate per year): not read
    ("1回以上/年 (15システム)", Quantity(None, "", "")),
    ("100%以上/年", Quantity(None, "", "")),
    ("60%を目指す", Quantity(60, "%", "を目指す")),     # a particle begins the rest
    ("50%まで", Quantity(50, "%", "まで")),
    ("3件ずつ", Quantity(3, "件", "ずつ")),
    ("10か所", Quantity(10, "か所", "")),               # a counter written in hiragana
    ("3か月以上", Quantity(3, "か月", "以上")),
    ("50パーセント", Quantity(50, "パーセント", "")),
    ("1.5倍", Quantity(1.5, "倍", "")),
    # a mark is no unit's character: a footnote's, a sentence's end, an arrow (the unit was
    # 「%※」, 「件。」, 「%↑」); a superscript digit is a unit's after its letter alone (m²)
    ("50%※", Quantity(50, "%", "※")),
    ("12件。", Quantity(12, "件", "。")),
    ("12件、", Quantity(12, "件", "、")),
    ("50%，", Quantity(50, "%", ",")),          # full-width punctuation, half-width once read
    ("12件．", Quantity(12, "件", ".")),
    ("5%↑", Quantity(5, "%", "↑")),
    ("80%¹", Quantity(80, "%", "¹")),
    ("10²件", Quantity(None, "", "")),          # a power: 100, never 10 「²件」
    ("500m²", Quantity(500, "m²", "")),
])
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text, kind", [("43%", int), ("12,883件", int), ("38.25%", float), ("1.0回", float)])
def test_parse_quantity_number_type(text, kind):
    assert type(parse_quantity(text).value) is kind


def test_parse_quantity_full_width_digits_are_half_width_numbers():
    assert parse_quantity("１２，８８３件") == Quantity(12883, "件", "")


def test_quantity_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_quantity("1件").value = 2  # type: ignore[misc]


# --- robustness: no exceptions, never None where a string is promised ---------

@pytest.mark.parametrize("text", ODD_INPUTS)
def test_string_functions_return_strings_on_odd_input(text):
    for func in (normalize_width, strip_html, remove_letter_spacing):
        assert isinstance(func(text), str)
    assert isinstance(join_lines(after_breaks([text, text])), str)
    cleaned, terms = clean_text(text)
    assert isinstance(cleaned, str) and isinstance(terms, list)
    stripped, marks = extract_glossary_terms(text)
    assert isinstance(stripped, str) and all(isinstance(t, str) and t for t in marks)
    assert isinstance(is_paragraph_end(text), bool)


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_parsers_never_raise_on_odd_input(text):
    assert era_year(text) is None
    assert parse_era_date(text) is None
    assert parse_quantity(text) == Quantity(None, "", "")


@pytest.mark.parametrize("value", [None, 26, 3.5])
def test_parsers_tolerate_non_strings(value):
    assert era_year(value) is None
    assert parse_era_date(value) is None
    assert parse_quantity(value) == Quantity(None, "", "")


@pytest.mark.parametrize("raw", ["<a href=u>ｈｔｔｐ：／／ａ．ｊｐ／ｘ</a>を参照",
                                 '<span>ｈｔｔｐ：／／ａ．ｊｐ／ｘ</span><a name="_GoBack"></a>を参照'])
def test_a_link_ends_a_url_printed_full_width(raw):
    """A URL printed in full-width letters (as Word writes them) took the text after its link:
    `http://a.jp/xを参照`, the link's end looked for a half-width scheme before widths fold."""
    assert clean_text(raw) == ("http://a.jp/x を参照", [])
