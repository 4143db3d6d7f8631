"""Decoding raw sources (UTF-8 with or without BOM, UTF-16 with BOM, CP932, EUC-JP, line ends),
the manifest's rules, and clear refusals."""

import random
from pathlib import Path

import pytest

from pipeline.errors import SourceError
from pipeline.sources import decode

PATH = Path("raw/plan.txt")


@pytest.mark.parametrize("data,encoding", [
    ("スケジュール\t～H25\n".encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + "スケジュール\t～H25\r\n".encode("utf-8"), "utf-8-sig"),
    ("スケジュール\t～H25\r\n".encode("cp932"), "cp932"),
    ("スケジュール\t～H25\r\n".encode("utf-16"), "utf-16"),           # Notepad's "Unicode"
    (b"\xfe\xff" + "スケジュール\t～H25\r\n".encode("utf-16-be"), "utf-16-be"),  # big endian
    ("スケジュール\t\u301cH25\r\n".encode("euc-jp"), "euc-jp"),     # ～ as EUC-JP writes it
])
def test_decodes_to_the_same_text(data, encoding):
    assert decode(data, PATH) == ("スケジュール\t～H25\n", encoding)


def test_cp932_keeps_the_full_width_tilde():
    # Python's shift_jis codec would turn 0x8160 into U+301C WAVE DASH; cp932 gives U+FF5E.
    text, _ = decode("～H25\n".encode("cp932"), PATH)
    assert text == "\uff5eH25\n"


def test_japanese_utf16_without_a_bom_gets_the_hint_and_random_bytes_do_not():
    seed = (Path(__file__).resolve().parent.parent / "data" / "raw" /
            "miyagi-ict-plan-2014-2016-field2.txt").read_text(encoding="utf-8")
    for encoding in ("utf-16-le", "utf-16-be"):          # few NUL bytes: Japanese text
        with pytest.raises(SourceError, match="UTF-16 without a BOM\\? save it as UTF-8"):
            decode(seed.encode(encoding), PATH)
    noise = random.Random(7).randbytes(4000) + b"\x00"
    with pytest.raises(SourceError) as error:
        decode(noise, PATH)
    assert "UTF-16" not in str(error.value)


@pytest.mark.parametrize("data,message", [
    (b"", "file is empty"),
    (b" \n\n", "file is empty"),
    (b"\xef\xbb\xbf", "file is empty"),
    (b"\xff\xfe", "file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "3: binary data, not text (NUL byte at offset 8, line 3)"),
    (b"a\x00b\x00c\x00", "1: binary data, not text (NUL byte at offset 1, line 1); UTF-16 "
                         "without a BOM? save it as UTF-8"),
    ("計画\n取組\n担当\x00 総務部\n".encode(), "3: binary data, not text (NUL byte at offset 20, "
                                              "line 3)"),
])
def test_refuses_with_a_message_naming_the_file(data, message):
    with pytest.raises(SourceError) as error:
        decode(data, PATH)
    where = ":" if message[0].isdigit() else ": "        # with its line, or the file alone
    assert str(error.value) == f"{PATH}{where}{message}"


def test_a_vertical_tab_at_every_line_s_end_is_text(source_text):
    """Word writes a manual line break (Shift+Enter) as a vertical tab: the seed with one at
    the end of every line was refused as `binary data, not text (decoded as utf-8)`, though
    the reader takes a vertical tab for a space, as it does a form feed (which was never
    counted as binary)."""
    lines = source_text.split("\n")
    text, encoding = decode("\x0b\n".join(lines).encode("utf-8"), PATH)
    assert encoding == "utf-8" and text.count("\x0b") == len(lines) - 1


def test_control_characters_are_refused_naming_the_line_of_the_first():
    """A text of control characters (over 1 %) was refused naming the file alone."""
    data = ("計画\n" * 5 + "取組\x01\x02\x03\n").encode("utf-8")
    with pytest.raises(SourceError) as error:
        decode(data, PATH)
    assert str(error.value) == f"{PATH}:6: binary data, not text (decoded as utf-8; a control " \
        "character U+0001 at line 6, and 2 more)"


def test_no_fitting_encoding_says_which_were_tried_and_where_each_failed():
    with pytest.raises(SourceError) as error:
        decode(b"abc\n\x82\xff\xff", PATH)
    assert str(error.value) == (
        f"{PATH}:2: not text in any encoding tried (UTF-8: byte 0x82 at offset 4, line 2; "
        "CP932: byte 0x82 at offset 4, line 2; EUC-JP: byte 0x82 at offset 4, line 2)")


def test_a_utf8_file_cut_inside_a_character_names_its_last_line():
    """Not "undecodable byte at line 3" from another encoding: the damage is at the end."""
    data = "一行目\n二行目\n三行目".encode("utf-8")[:-1]
    with pytest.raises(SourceError) as error:
        decode(data, PATH)
    assert str(error.value) == (f"{PATH}:3: UTF-8 text that ends inside a character: the file was "
                                "cut (cut inside a character at offset 26, line 3)")


def test_undecodable_offset_counts_the_bom():
    with pytest.raises(SourceError, match=r"byte 0xff at offset 4, line 1$"):
        decode(b"\xef\xbb\xbfa\xff", PATH)


def test_the_real_source_reads_the_same_in_every_encoding(source_text):
    for encoding in ("utf-8-sig", "utf-16", "cp932"):
        assert decode(source_text.encode(encoding), PATH) == (source_text, encoding)
    assert decode(source_text.replace("～", "\u301c").encode("euc-jp"), PATH) == (source_text, "euc-jp")


@pytest.mark.parametrize("file", ["第2分野.txt", "a..b.txt", "x" * 200 + ".txt", "..txt", "計画.txt",
                                  "plan.ttl.txt", "index.html.txt", "a" * 95 + ".html.txt"])
def test_a_plan_id_made_from_a_file_name_is_one_a_manifest_could_give(file):
    """A file without a manifest entry is a plan named after it: at most 100 characters, no
    `..` (a longer or dotted one once failed the publish: file names too long, unsafe paths)."""
    from pipeline.sources import PLAN_ID, default_plan_id
    plan_id = default_plan_id(file)
    assert PLAN_ID.fullmatch(plan_id) and ".." not in plan_id
    assert not plan_id.endswith((".html", ".ttl", ".jsonld"))     # (a URI's documents)
    assert default_plan_id("第2分野.txt") == "2"
    assert default_plan_id("x" * 200 + ".txt") != default_plan_id("x" * 200 + "y.txt")
