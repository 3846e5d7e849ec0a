"""Word vectors learnt from the reports themselves, for the sector model's sentence vector.

The sector model's n-grams only know words its training sentences used; 冰雪运动 says "sport" to a
reader who has never seen it in a labelled sentence because it stands where 体育 and 健身 stand in
thousands of reports. Word2vec vectors trained on the shared corpus carry that (pipeline/
train_word_vectors.py, `make train-vectors`), and a sentence's vector is the SIF-weighted mean of
its words' vectors (Arora et al., 2017: frequent words weigh less), scaled to unit length.

Files in lexicons/models/word_vectors/: `words.tsv` (word, count in the training corpus; row i is
row i of the vectors) and `vectors.npy` (float16, one row per word; loaded without pickle).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from pipeline.lexicon import LEXICON_DIR
from pipeline.segment import cut_words

VECTORS_DIR = LEXICON_DIR / "models" / "word_vectors"
# SIF's a: a word of corpus frequency f weighs a / (a + f). 1e-3 is the paper's choice for corpora of this size.
SIF_SMOOTHING = 1e-3
# A regex substitution, not str.translate: translate looks every character up in a table, and report
# text is almost all Chinese characters (4-5x slower, measured).
_DIGIT_TO_FOLD = re.compile("[1-9]")


def folded(text: str) -> str:
    """Digits folded to 0 (2024年 and 2025年 read alike) and spaces dropped: how the sector model's
    n-grams and the word vectors both read a text."""
    return "".join(_DIGIT_TO_FOLD.sub("0", text).split())


@dataclass(frozen=True, slots=True)
class WordVectors:
    index: dict[str, int]  # word -> row
    vectors: np.ndarray  # (words, dim), rows of unit length
    weights: np.ndarray  # (words,) SIF weight of each word

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]


def words_of(text: str) -> list[str]:
    """The words a vector is looked up for: the `folded` text cut by jieba's accurate mode — the same
    cut for training and for tagging."""
    return cut_words(folded(text))


def sentence_vectors(texts: list[str], vectors: WordVectors) -> np.ndarray:
    """Per text, the unit-length SIF-weighted mean of its known words' vectors (zeros when none is
    known), (texts, dim): one gather and one segmented sum for them all."""
    index = vectors.index
    rows_of = [[row for word in words_of(text) if (row := index.get(word)) is not None] for text in texts]
    counts = np.fromiter(map(len, rows_of), dtype=np.int64, count=len(texts))
    out = np.zeros((len(texts), vectors.dim), dtype=np.float32)
    known = np.flatnonzero(counts)
    if len(known) == 0:
        return out
    rows = np.fromiter((row for found in rows_of for row in found), dtype=np.int64, count=int(counts.sum()))
    weighted = vectors.vectors[rows] * vectors.weights[rows, None]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[known]
    totals = np.add.reduceat(weighted, starts, axis=0)
    norms = np.linalg.norm(totals, axis=1, keepdims=True)
    out[known] = totals / np.where(norms > 0, norms, 1.0)
    return out


def from_counts(words: list[str], counts: np.ndarray, vectors: np.ndarray) -> WordVectors:
    unit = vectors.astype(np.float32)
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-9)
    frequency = counts.astype(np.float64) / max(float(counts.sum()), 1.0)
    weights = (SIF_SMOOTHING / (SIF_SMOOTHING + frequency)).astype(np.float32)
    return WordVectors({word: row for row, word in enumerate(words)}, unit, weights)


def save_word_vectors(words: list[str], counts: list[int], vectors: np.ndarray, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Words of lexicons/models/word_vectors/vectors.npy (row i of the file is row i of the array),",
        "# with their count in the corpus the vectors were trained on (pipeline/train_word_vectors.py).",
        "word\tcount",
    ]
    lines += [f"{word}\t{count}" for word, count in zip(words, counts, strict=True)]
    (directory / "words.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    np.save(directory / "vectors.npy", vectors.astype(np.float16), allow_pickle=False)


def read_word_vectors(directory: Path) -> WordVectors:
    words: list[str] = []
    counts: list[int] = []
    with (directory / "words.tsv").open(encoding="utf-8") as handle:
        lines = (line.rstrip("\n") for line in handle if not line.startswith("#"))
        next(lines)  # header
        for line in lines:
            word, count = line.split("\t")
            words.append(word)
            counts.append(int(count))
    vectors = np.load(directory / "vectors.npy", allow_pickle=False)
    if len(vectors) != len(words):
        raise ValueError(f"{directory}: {len(words)} words but {len(vectors)} vectors")
    return from_counts(words, np.asarray(counts), vectors)


@cache
def shipped_word_vectors() -> WordVectors | None:
    """The vectors in lexicons/models/word_vectors/, read once per process (None if not trained)."""
    return read_word_vectors(VECTORS_DIR) if (VECTORS_DIR / "words.tsv").is_file() else None
