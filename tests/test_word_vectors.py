"""Word vectors for the sector model: shipped small, loaded offline, read as the training read them."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from extractors.sector_model import MODEL_DIR, read_model
from extractors.word_vectors import (
    VECTORS_DIR,
    folded,
    from_counts,
    read_word_vectors,
    save_word_vectors,
    sentence_vectors,
    shipped_word_vectors,
    words_of,
)
from pipeline.train_word_vectors import corpus_lines, stable_hash
from tests.conftest import ROOT


def test_shipped_vectors_are_small_and_match_the_sector_model():
    size = sum(path.stat().st_size for path in VECTORS_DIR.iterdir())
    assert size < 5 * 1024 * 1024, f"{size} bytes in {VECTORS_DIR}"
    vectors = shipped_word_vectors()
    model = read_model(MODEL_DIR)
    assert vectors is not None and model.word_vectors is not None
    assert len(model.vocabulary["e"]) == vectors.dim == model.word_vectors.dim


def test_related_words_are_near_each_other():
    """What the vectors are for: words of one policy field stand close, words of different fields do not."""
    vectors = shipped_word_vectors()

    def similarity(a: str, b: str) -> float:
        return float(vectors.vectors[vectors.index[a]] @ vectors.vectors[vectors.index[b]])

    assert similarity("养老", "托育") > similarity("养老", "芯片") + 0.2
    assert similarity("粮食", "播种面积") > similarity("粮食", "商品房") + 0.2


def test_a_sentence_vector_has_unit_length_or_is_zero():
    vectors = shipped_word_vectors()
    [v] = sentence_vectors(["加快发展冰雪运动,建设全民健身场地。"], vectors)
    assert v.shape == (vectors.dim,)
    assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-3
    assert not sentence_vectors(["!!"], vectors).any()


def test_digits_are_folded_and_spaces_dropped_as_in_training():
    assert words_of("2025年 要") == words_of("2024年要")
    assert "".join(words_of("建设 3个 产业园")) == "建设0个产业园"
    assert folded("1990年\t到2025年 ０") == "0000年到0000年０"  # ASCII 1-9 only, as the vectors were trained


def test_training_lines_are_clauses_of_words_without_punctuation():
    lines = list(corpus_lines("全面推进乡村振兴,粮食产量稳定在1.3万亿斤以上。好!\n加快建设现代化产业体系"))
    assert lines == [
        " ".join(w for w in words_of("全面推进乡村振兴,粮食产量稳定在1.3万亿斤以上") if w != ","),
        " ".join(words_of("加快建设现代化产业体系")),
    ]  # 好! is a clause of fewer than three words: no context to teach
    assert "," not in lines[0] and "0.0" in lines[0].split()


def test_stable_hash_does_not_depend_on_the_process():
    """Python's hash() of a str changes with PYTHONHASHSEED; the hash that seeds the vectors must not."""
    script = "from pipeline.train_word_vectors import stable_hash; print(stable_hash('养老'), hash('养老'))"
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()
        for seed in ("1", "2")
    ]
    assert runs[0][0] == runs[1][0] == str(stable_hash("养老"))
    assert runs[0][1] != runs[1][1]  # the check would pass for hash() were it not so


def test_vectors_round_trip_through_their_files(tmp_path):
    rng = np.random.default_rng(0)
    words, counts = ["养老", "托育", "芯片"], [100, 50, 10]
    raw = rng.normal(size=(3, 8)).astype(np.float32)
    save_word_vectors(words, counts, raw, tmp_path)
    read = read_word_vectors(tmp_path)
    expected = from_counts(words, np.asarray(counts), raw.astype(np.float16))
    assert read.index == expected.index
    np.testing.assert_allclose(read.vectors, expected.vectors, rtol=1e-6)
    np.testing.assert_allclose(read.weights, expected.weights, rtol=1e-6)
    assert read.weights[0] < read.weights[2]  # frequent words weigh less


def test_many_sentences_at_once_are_each_sentence_alone():
    vectors = shipped_word_vectors()
    texts = ["加快发展冰雪运动。", "!!", "积极发展普惠托育服务,新增托位2000个。", ""]
    together = sentence_vectors(texts, vectors)
    alone = []
    for text in texts:
        rows = [vectors.index[w] for w in words_of(text) if w in vectors.index]
        total = (vectors.vectors[rows] * vectors.weights[rows, None]).sum(axis=0) if rows else np.zeros(vectors.dim)
        alone.append(total / max(float(np.linalg.norm(total)), 1e-12))
    np.testing.assert_allclose(together, np.vstack(alone), atol=1e-6)
    assert not together[1].any() and not together[3].any()
