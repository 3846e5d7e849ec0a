from __future__ import annotations

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import BinaryInputError, EmptyInputError
from pipeline.ingest import decode, ingest, to_half_width, to_simplified
from tests.conftest import REPORTS, manifest

SAMPLE = "2025年主要预期目标:经济增长6%左右,规上工业增加值增长7%左右,粮食产量稳定在90亿斤以上。"
TRADITIONAL = "2025年主要預期目標:經濟增長6%左右,規上工業增加值增長7%左右,糧食產量穩定在90億斤以上。"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5"),
        (b"\xff\xfe" + SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_decode_detects_encoding(raw, encoding):
    text, detected = decode(raw)
    assert detected == encoding
    assert to_simplified(text) == SAMPLE


def test_utf8_cut_mid_character_loses_only_that_character():
    text, encoding = decode(SAMPLE.encode("utf-8")[:-2])
    assert encoding == "utf-8"
    assert SAMPLE.startswith(text) and len(text) == len(SAMPLE) - 1


@pytest.mark.parametrize("raw", [b"", b"   \n\t ", b"\r\n"])
def test_empty_input_is_an_error(raw):
    with pytest.raises(EmptyInputError):
        decode(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(100),
        b"%PDF-1.7\n" + bytes(50),
        b"PK\x03\x04" + bytes(50),
        bytes(range(256)) * 4,
    ],
)
def test_binary_input_is_an_error(raw):
    with pytest.raises(BinaryInputError):
        decode(raw)


def test_normalization_keeps_length_and_maps_every_character():
    doc = ingest(("**一、2024年工作回顧**\n全年完成地區生產總值３５６９．７億元、增長4.9%。").encode(), "x.md")
    assert "**" not in doc.text
    assert doc.text.startswith("一、2024年工作回顾")
    assert "3569.7亿元" in doc.text
    for i, ch in enumerate(doc.text):
        original = doc.text_original[doc.original_offset(i)]
        assert to_half_width(to_simplified(original)) == ch


def test_front_matter_is_metadata_not_text():
    doc = ingest(
        "---\nsource: https://example.gov.cn/a.html\ntitle: 2024年某市政府工作报告\n---\n各位代表:\n".encode(),
        "a.md",
    )
    assert dict(doc.front_matter)["title"] == "2024年某市政府工作报告"
    assert doc.text.strip() == "各位代表:"


def test_html_scripts_styles_and_tags_are_removed_with_offsets():
    page = (
        "<html><head><title>报告</title><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><p>经济增长6%&nbsp;左右</p><table><tr><td>粮食</td><td>90亿斤</td></tr></table></body></html>"
    )
    doc = ingest(page.encode(), "page.html")
    assert doc.format == "html"
    assert "alert" not in doc.text and "color" not in doc.text and "<" not in doc.text
    assert "经济增长6% 左右" in doc.text and "粮食" in doc.text and "90亿斤" in doc.text
    i = doc.text.index("粮食")
    assert doc.text_original[doc.original_offset(i) : doc.original_offset(i) + 2] == "粮食"


def test_web_noise_is_marked_not_removed(seed):
    doc = seed.document
    kinds = {span.kind for span in doc.noise}
    assert {"caption", "editor", "footer"} <= kinds
    assert "京公网安备" in doc.text  # marked, still there
    noisy = [s for s in seed.sentences if s.noise]
    assert any("公网安备" in s.text for s in noisy)
    assert any("摄" in s.text for s in noisy)


@pytest.mark.parametrize("row", manifest(), ids=lambda r: r["path"])
def test_traditional_copy_normalizes_to_the_same_text(row):
    raw = (REPORTS.parent / row["path"]).read_bytes()
    original = ingest(raw, row["path"]).text_original
    traditional = opencc.OpenCC("s2t").convert(original)
    copy = ingest(traditional.encode("utf-8"), row["path"])
    assert copy.script == "traditional"
    # s2t is not always reversible (坐标 -> 座標 -> 座标), so the reference is the simplified text
    # that the traditional copy stands for, read as simplified input.
    reference = ingest(opencc.OpenCC("t2s").convert(traditional).encode("utf-8"), row["path"])
    assert reference.script == "simplified"
    assert copy.text == reference.text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_ingest_never_loses_offsets_on_arbitrary_text(text):
    try:
        doc = ingest(text.encode("utf-8"), "fuzz.md")
    except (EmptyInputError, BinaryInputError):  # whitespace-only or NUL-laden input: a clear error
        return
    assert len(doc.align_text) == len(doc.align_original)
    for i in range(len(doc.text)):
        assert 0 <= doc.original_offset(i) < len(doc.text_original)
