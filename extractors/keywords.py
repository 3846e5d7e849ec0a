"""TF-IDF keywords per document, with document frequencies from the shared corpus.

The IDF table (lexicons/idf.tsv) is computed by `python -m pipeline.build_idf ../shared/corpus`
and shipped, so the product runs without ../shared. Words missing from it get the IDF of a word
seen in a single document: new terms are exactly what a keyword list should surface.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache

import regex

from pipeline.lexicon import read_list, read_tsv
from pipeline.records import StructuredDocument

_HAN_WORD = regex.compile(r"^\p{Han}{2,}$")
_SKIP_TAGS = frozenset({"m", "ns", "nr", "r", "p", "c", "u", "d", "q", "f", "t"})
TOP_K = 20


@dataclass(frozen=True, slots=True)
class KeywordRow:
    keyword: str
    weight: float
    rank: int
    method: str
    extractor: str


@cache
def idf_table() -> tuple[dict[str, float], float]:
    rows = read_tsv("idf.tsv")
    table = {row["word"]: float(row["idf"]) for row in rows}
    unseen = max(table.values(), default=1.0)
    return table, unseen


@cache
def stopwords() -> frozenset[str]:
    return frozenset(read_list("stopwords.txt"))


def is_candidate(word: str, tag: str) -> bool:
    return bool(_HAN_WORD.match(word)) and tag not in _SKIP_TAGS and word not in stopwords()


def tfidf(counts: Counter[str], top_k: int = TOP_K) -> list[tuple[str, float]]:
    """Sublinear TF-IDF, L2-normalized: weights compare across documents of any length."""
    if not counts:
        return []
    idf, unseen = idf_table()
    raw = [(word, (1.0 + math.log(n)) * idf.get(word, unseen)) for word, n in counts.items()]
    norm = math.sqrt(sum(w * w for _, w in raw)) or 1.0
    scored = [(word, w / norm) for word, w in raw]
    return heapq.nsmallest(top_k, scored, key=_by_weight_then_word)  # = sorted(...)[:top_k], without sorting all


def _by_weight_then_word(item: tuple[str, float]) -> tuple[float, str]:
    return -item[1], item[0]


class KeywordExtractor:
    name = "keywords"
    version = "1.1"
    method = "rule"
    table = "keywords"
    requires = ("tokens",)

    def extract(self, doc: StructuredDocument):
        # Count first, then judge each distinct (word, tag) once: a report repeats most of its words.
        tagged = Counter((token.word, token.pos) for sentence_tokens in doc.tokens for token in sentence_tokens)
        counts: Counter[str] = Counter()
        for (word, tag), n in tagged.items():
            if is_candidate(word, tag):
                counts[word] += n
        label = f"{self.name}@{self.version}"
        for rank, (word, weight) in enumerate(tfidf(counts), start=1):
            yield KeywordRow(word, round(weight, 6), rank, "tfidf", label)


def smoothed_idf(n_docs: int, df: int) -> float:
    """ln((N+1)/(df+1)): a word every report uses scores 0."""
    return math.log((n_docs + 1) / (df + 1))
