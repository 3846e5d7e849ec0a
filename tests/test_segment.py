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
            assert sentence.text[token.start : token.end] == token.word
            assert text[sentence.start + token.start : sentence.start + token.end] == token.word


def test_lexicon_words_stay_whole():
    words = [t.word for t in tokenize("规上工业增加值增长7%左右,新乡市经济增长6%")]
    assert "规上工业增加值" in words and "新乡市" in words


def _jieba_runs(text: str) -> list[str]:
    """The runs of text the pipeline hands to the segmenter (numbers, Latin and spaces are cut out first)."""
    from pipeline.segment import _OWN_TOKENS

    runs, pos = [], 0
    for match in _OWN_TOKENS.finditer(text):
        if match.start() > pos:
            runs.append(text[pos : match.start()])
        pos = match.end()
    if pos < len(text):
        runs.append(text[pos:])
    return runs


def _sample_texts() -> list[str]:
    """The repo's reports plus, where ../shared is present, every 100th shared report (other decades, levels, scripts)."""
    from pathlib import Path

    from pipeline.ingest import ingest

    root = Path(__file__).resolve().parent.parent
    paths = sorted((root / "corpus" / "reports").iterdir())
    shared = root.parent / "shared" / "corpus"
    if shared.is_dir():
        paths += sorted(p for p in shared.rglob("*") if p.is_file() and p.suffix in {".txt", ".md", ".html"})[::100]
    return [ingest(p.read_bytes(), str(p)).text for p in paths if p.is_file()]


def test_rjieba_cuts_the_same_words_as_jieba():
    """The fast backend is only allowed because it gives jieba's words: checked on real reports."""
    from pipeline.segment import cut_words, reference_tokenizer, tag_words

    reference = reference_tokenizer()
    runs = [run for text in _sample_texts() for run in _jieba_runs(text)]
    differing = [
        run
        for run in runs
        if not (cut_words(run) == [word for word, _ in tag_words(run)] == list(reference.cut(run, HMM=True)))
    ]
    assert len(runs) > 4000
    assert differing == []
