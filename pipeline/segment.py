"""Stage 3, segment: words (and a coarse POS) for every content sentence, with offsets from its start.

Reads: StructuredDocument.sentences. Writes: StructuredDocument.tokens.

jieba's accurate mode with a user dictionary generated at load time from lexicons/ (indicators,
regions, units where present), run by rjieba (jieba-rs: the same dictionary, DAG and HMM, about 18×
faster; tests/test_segment.py checks that both cut the corpus into the same words). Numbers are cut
out first so that 3569.7亿, 6% and 7.7万 are single tokens; jieba would split 3569.7亿元 into
3569.7 / 亿元 and 7.7万人 into 7.7 / 万人.
POS comes from the same pass (rjieba's `tag`: the dictionary's tag, or the HMM's guess for a word
the dictionary lacks, as jieba.posseg gives); numbers are `m`, Latin words `eng`, spaces `x`.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import regex

from pipeline.lexicon import read_tsv
from pipeline.records import StructuredDocument, Token

NUMBER = regex.compile(r"\d+(?:[.,]\d+)*(?:多|余)?(?:万亿|[十百千万亿])*%?")
# Numbers, Latin words and whitespace are tokens of their own; only the rest goes to jieba, whose
# DAG pass is quadratic on long runs of Latin letters (a scraped page can hold megabytes of them).
_OWN_TOKENS = regex.compile(
    r"(?P<m>\d+(?:[.,]\d+)*(?:多|余)?(?:万亿|[十百千万亿])*%?)|(?P<eng>[A-Za-z][A-Za-z0-9_]*)|(?P<space>\s+)"
)


@cache
def user_words() -> tuple[tuple[str, str], ...]:
    """(word, tag) pairs the segmenter must keep whole, from the lexicons."""
    words: dict[str, str] = {}
    for row in read_tsv("indicators.tsv"):
        for alias in [row["name_zh"], *row["aliases"].split("|")]:
            if len(alias) >= 2 and not alias.isascii():
                words.setdefault(alias, "n")
    for row in read_tsv("regions.tsv"):
        words.setdefault(row["name"], "ns")
    return tuple(sorted(words.items()))


@cache
def tokenizer():
    """The segmenter the pipeline uses: rjieba with jieba's dictionary plus the user words.

    Words the dictionary already has are not added again: re-adding one only raises its frequency,
    and jieba and jieba-rs count that change into the dictionary total differently (jieba adds the
    new frequency, jieba-rs swaps the old one for it), which would make them cut differently.
    """
    import rjieba

    tok = rjieba.Jieba()
    for word, tag in user_words():
        if not tok.has_word(word):
            tok.add_word(word, None, tag)
    return tok


@cache
def reference_tokenizer():
    """Python jieba with the same user words: the reference rjieba must agree with."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for word, tag in user_words():
        if not tok.FREQ.get(word):
            tok.add_word(word, freq=None, tag=tag)
    return tok


def cut_words(chunk: str) -> list[str]:
    """Accurate-mode words of a run of text with no numbers, Latin words or spaces."""
    return tokenizer().cut(chunk, True)


def tag_words(chunk: str) -> list[tuple[str, str]]:
    """(word, POS) for the same words as `cut_words`."""
    return tokenizer().tag(chunk, True)


def tokenize(text: str) -> tuple[Token, ...]:
    """Tokens of `text` with offsets into it; tokens cover the text exactly."""
    tokens: list[Token] = []
    pos = 0
    for match in _OWN_TOKENS.finditer(text):
        if match.start() > pos:
            _add_words(tokens, text[pos : match.start()], pos)
        tag = "m" if match["m"] else ("eng" if match["eng"] else "x")
        tokens.append(Token(match.start(), match.end(), match.group(), tag))
        pos = match.end()
    if pos < len(text):
        _add_words(tokens, text[pos:], pos)
    return tuple(tokens)


def _add_words(tokens: list[Token], chunk: str, at: int) -> None:
    for word, tag in tag_words(chunk):
        end = at + len(word)
        tokens.append(Token(at, end, word, tag))
        at = end


def segment(doc: StructuredDocument) -> StructuredDocument:
    tokens = tuple(tokenize(s.text) if s.noise is None and s.duplicate_of is None else () for s in doc.sentences)
    return dataclasses.replace(doc, tokens=tokens)
