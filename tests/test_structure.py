from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest import ingest
from pipeline.structure import find_headings, structure


def test_seed_has_lead_review_targets_tasks(seed):
    roles = {s.role for s in seed.sections}
    assert {"lead", "review", "targets", "tasks"} <= roles
    titles = {s.title: s.role for s in seed.sections if s.title}
    assert titles["2024年工作回顾"] == "review"
    assert titles["2025年工作总体要求和主要目标"] == "targets"
    assert titles["2025年重点工作"] == "tasks"


def test_every_sentence_is_its_text(seed):
    text = seed.document.text
    for sentence in seed.sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()


def test_lead_sentences_point_at_the_body(seed):
    lead = {s.section_id for s in seed.sections if s.role == "lead"}
    by_id = {s.sentence_id: s for s in seed.sentences}
    summary = next(s for s in seed.sentences if s.section_id in lead and "主要预期目标" in s.text)
    assert summary.duplicate_of is not None
    body = by_id[summary.duplicate_of]
    assert body.section_id not in lead
    assert body.role == "targets" and body.text.startswith("主要预期目标是")


def test_sentences_split_on_terminators_and_lines():
    doc = ingest("一、总体要求\n经济增长6%左右;就业稳定。物价稳定!\n".encode(), "x.txt")
    texts = [s.text for s in structure(doc).sentences]
    assert texts == ["一、总体要求", "经济增长6%左右;", "就业稳定。", "物价稳定!"]


def test_ordinals_must_continue_their_sequence():
    text = "一、回顾\n一以贯之推进工作。\n三、不是第二节\n二、2025年重点工作\n(一)扩大内需\n3.不在序列\n"
    headings = find_headings(text)
    assert [(h.depth, h.marker) for h in headings] == [(1, "一、"), (1, "二、"), (2, "(一)")]


def test_inline_headings_in_a_page_without_line_breaks():
    body = "各位代表:" + "过去一年经济平稳。" * 80 + "一、2013年工作回顾过去一年是第一年。" + "我们做了工作。" * 80
    body += "二、2014年工作总体部署今年形势复杂。" + "要稳增长。" * 40
    headings = find_headings(body)
    assert [h.marker for h in headings] == ["一、", "二、"]


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("一二三、()(一)1.。;!\n 经济增长6%左右各位代表")),
        min_size=1,
        max_size=400,
    )
)
def test_structure_never_raises_and_offsets_hold(text):
    doc = ingest(("x" + text).encode(), "fuzz.txt")
    result = structure(doc)
    for sentence in result.sentences:
        assert 0 <= sentence.start < sentence.end <= len(doc.text)
        assert doc.text[sentence.start : sentence.end] == sentence.text
    for section in result.sections:
        assert 0 <= section.start <= section.end <= len(doc.text)
