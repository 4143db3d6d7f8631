"""Decoding raw sources: UTF-8 (BOM optional), CP932, line ends, and clear refusals."""

from pathlib import Path

import pytest

from pipeline.errors import SourceError
from pipeline.sources import decode

PATH = Path("raw/plan.txt")


@pytest.mark.parametrize("data,encoding", [
    ("スケジュール\t～H25\n".encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + "スケジュール\t～H25\r\n".encode("utf-8"), "utf-8-sig"),
    ("スケジュール\t～H25\r\n".encode("cp932"), "cp932"),
])
def test_decodes_to_the_same_text(data, encoding):
    assert decode(data, PATH) == ("スケジュール\t～H25\n", encoding)


def test_cp932_keeps_the_full_width_tilde():
    # Python's shift_jis codec would turn 0x8160 into U+301C WAVE DASH; cp932 gives U+FF5E.
    text, _ = decode("～H25\n".encode("cp932"), PATH)
    assert text == "\uff5eH25\n"


@pytest.mark.parametrize("data,message", [
    (b"", "file is empty"),
    (b" \n\n", "file is empty"),
    (b"\xef\xbb\xbf", "file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data, not text (NUL byte at offset 8)"),
    (b"abc\n\x82\xff\xff", "neither UTF-8 nor CP932 text (undecodable byte 0x82 at offset 4)"),
])
def test_refuses_with_a_message_naming_the_file(data, message):
    with pytest.raises(SourceError) as error:
        decode(data, PATH)
    assert str(error.value) == f"{PATH}" + (":2" if "offset 4" in message else "") + f": {message}"


def test_undecodable_offset_counts_the_bom():
    with pytest.raises(SourceError, match=r"byte 0xff at offset 4\)"):
        decode(b"\xef\xbb\xbfa\xff", PATH)
