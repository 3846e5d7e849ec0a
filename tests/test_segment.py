from __future__ import annotations

import pytest

from pipeline.segment import tokenize


@pytest.mark.parametrize("number", ["3569.7亿", "6%", "7.7万", "5000多", "1,200"])
def test_numbers_are_never_split(number):
    words = [t.word for t in tokenize(f"全年完成地区生产总值{number}元、增长4.9%")]
    assert number in words


def test_tokens_cover_the_text_exactly(seed):
    text = seed.document.text
    for sentence, tokens in zip(seed.sentences, seed.tokens, strict=True):
        if not tokens:
            continue
        assert "".join(t.word for t in tokens) == sentence.text
        for token in tokens:
            assert text[token.start : token.end] == token.word


def test_lexicon_words_stay_whole():
    words = [t.word for t in tokenize("规上工业增加值增长7%左右,新乡市经济增长6%")]
    assert "规上工业增加值" in words and "新乡市" in words
