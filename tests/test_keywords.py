from __future__ import annotations

from collections import Counter
from itertools import pairwise

from extractors.keywords import KeywordExtractor, tfidf


def test_seed_keywords_are_specific_to_the_report(seed):
    rows = list(KeywordExtractor().extract(seed))
    words = [r.keyword for r in rows]
    assert len(rows) == 20 and [r.rank for r in rows] == list(range(1, 21))
    assert "农谷" in words[:5]  # 中原农谷 is what this report is about
    assert not {"发展", "建设", "工作", "我们"} & set(words)
    assert all(a.weight >= b.weight for a, b in pairwise(rows))


def test_words_every_report_uses_score_zero():
    scores = dict(tfidf(Counter({"发展": 50, "农谷": 3}), top_k=5))
    assert scores["发展"] < 0.05 < scores["农谷"]
