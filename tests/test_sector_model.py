"""The sector classifier: the shipped model loads offline and stays small, its scores are
probabilities, every method leaves non-policy sentences alone, and the training recipe still beats
a floor on gold it did not train on."""

from __future__ import annotations

import socket
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from extractors.sector_model import (
    MERGE_INPUTS,
    MODEL_DIR,
    THRESHOLD,
    SectorMergedTagger,
    SectorModelTagger,
    char_ngrams,
    decide,
    encode_sparse,
    known_ngram_rows,
    merge_inputs,
    read_model,
    shipped_model,
)
from extractors.sectors import SectorTagger, rule_scores, sentence_contexts
from pipeline.lexicon import read_tsv
from tests.conftest import ROOT

# Held-out micro-F1 (eligible gold sentences) of the merged tags when the recipe is trained small (weak labels
# from 10 reports of ../shared/corpus, 3 epochs, gold reports held out in 5 groups). Measured 0.848 with 48 gold
# reports, the word vectors and the 8-letter gate (0.826 before them; leave-one-report-out before that: 0.793
# with 15, 0.784 with 11, 0.743 with 5); raise it when the recipe gets better, never lower it to make a change pass.
SMALL_HELD_OUT_MICRO_F1_FLOOR = 0.83


def test_model_loads_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the sector model must not touch the network")

    monkeypatch.setattr(socket, "socket", refuse)
    model = read_model(MODEL_DIR)
    assert model.sectors == tuple(row["id"] for row in read_tsv("sectors.tsv"))
    assert model.weights.shape == (sum(len(v) for v in model.vocabulary.values()), len(model.sectors))


def test_model_files_are_small():
    size = sum(path.stat().st_size for path in MODEL_DIR.iterdir())
    assert size < 5 * 1024 * 1024, f"{size} bytes in {MODEL_DIR}"


def test_scores_are_probabilities(seed):
    model = shipped_model()
    eligible = [s for s in rule_scores(seed) if s.eligible]
    probabilities = model.probabilities(model.encode(eligible))
    assert probabilities.shape == (len(eligible), len(model.sectors))
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    contexts = [s.context for s in eligible]
    merged = model.merged(merge_inputs(contexts, probabilities, np.ones_like(probabilities)))
    assert merged.shape == probabilities.shape
    assert np.all((merged >= 0) & (merged <= 1))


@pytest.mark.parametrize("tagger", [SectorModelTagger(), SectorMergedTagger()], ids=lambda t: t.name)
def test_rows_are_traceable_and_above_threshold(seed, tagger):
    rows = list(tagger.extract(seed))
    assert rows
    text = seed.document.text
    for row in rows:
        assert text[row.start : row.end] == row.text
        assert THRESHOLD <= row.score <= 1 and row.confidence == row.score
        assert row.method == tagger.method


def test_greetings_and_procedure_get_no_tags_from_any_method(seed):
    closing = [s for s in seed.content_sentences() if s.text.startswith("各位代表") and len(s.text) <= 8]
    assert closing, "the seed report has a 各位代表! line"
    tagged = set()
    for tagger in (SectorTagger(), SectorModelTagger(), SectorMergedTagger()):
        tagged |= {row.sentence_id for row in tagger.extract(seed)}
    assert not tagged & {s.sentence_id for s in closing}


def test_held_out_micro_f1_of_the_recipe_stays_above_a_floor(shared_corpus):
    """Held out by report (five groups of gold reports), trained small so the test stays fast."""
    from pipeline.train_sectors import TrainingConfig, cross_validate, held_out_figures, prepare, weak_sources

    gold_dir = ROOT / "corpus" / "gold"
    config = replace(TrainingConfig(), epochs=3, weak_reports=10, held_out_groups=5)
    weak = weak_sources(shared_corpus, gold_dir, config)
    assert len(weak) == 10
    folds = cross_validate(prepare(weak, gold_dir, config, progress=False), config, progress=False)
    figures = held_out_figures(folds)
    precision, recall, f1, _macro = figures["merged"]
    assert f1 >= SMALL_HELD_OUT_MICRO_F1_FLOOR, f"merged held-out micro-F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f})"


def test_a_sentence_sees_its_neighbours_in_its_paragraph_only(seed):
    contexts = sentence_contexts(seed)
    by_paragraph = {}
    for context in contexts:
        by_paragraph.setdefault(context.sentence.paragraph, []).append(context)
    assert any(len(group) >= 3 for group in by_paragraph.values())
    for group in by_paragraph.values():
        assert group[0].previous == "" and group[-1].following == ""
        for before, after in pairwise(group):
            assert after.previous == before.sentence.text and before.following == after.sentence.text


def test_no_sector_under_half_the_best_one():
    probabilities = np.array([[0.9, 0.4, 0.46, 0.1], [0.35, 0.31, 0.2, 0.0], [0.2, 0.1, 0.0, 0.0]])
    assert decide(probabilities).tolist() == [
        [True, False, True, False],  # 0.4 < 0.45: one topic, not two
        [True, True, False, False],
        [False, False, False, False],  # nothing reaches THRESHOLD
    ]


def test_the_merge_reads_the_paragraph_section_and_neighbours_never_the_sentence_itself(seed):
    eligible = [s for s in rule_scores(seed) if s.eligible]
    contexts = [s.context for s in eligible]
    rng = np.random.default_rng(0)
    probabilities = rng.uniform(0.01, 0.99, size=(len(eligible), 3))
    inputs = merge_inputs(contexts, probabilities, np.zeros_like(probabilities))
    column = {name: i for i, name in enumerate(MERGE_INPUTS)}
    paragraphs = [c.sentence.paragraph for c in contexts]
    i = next(i for i in range(len(paragraphs)) if paragraphs.count(paragraphs[i]) >= 3)
    others = [j for j, p in enumerate(paragraphs) if p == paragraphs[i] and j != i]
    np.testing.assert_allclose(inputs[i, :, column["paragraph"]], probabilities[others].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(inputs[i, :, column["previous"]], probabilities[i - 1], rtol=1e-5)
    np.testing.assert_allclose(inputs[i, :, column["next"]], probabilities[i + 1], rtol=1e-5)
    alone = [i for i in range(len(paragraphs)) if paragraphs.count(paragraphs[i]) == 1]
    assert alone and np.all(inputs[alone, :, column["paragraph"]] == 0)
    headings = [i for i, c in enumerate(contexts) if c.is_heading]
    assert headings and np.all(inputs[headings, :, column["heading"]] == 0)  # a heading does not read itself
    np.testing.assert_allclose(inputs[:, :, column["share_of_best"]].max(axis=1), 1.0, rtol=1e-5)
    assert np.all(inputs[:, :, column["bias"]] == 1)
    assert np.all(inputs[:1, :, column["previous"]] == 0) and np.all(inputs[-1:, :, column["next"]] == 0)


def test_dense_columns_follow_each_rows_own_features():
    from extractors.sector_model import SparseRows

    def rows_of(*rows: tuple[list[int], list[float]]) -> SparseRows:
        indptr = np.cumsum([0, *(len(ids) for ids, _ in rows)])
        indices = np.asarray([i for ids, _ in rows for i in ids], dtype=np.int32)
        return SparseRows(indptr, indices, np.asarray([v for _, vals in rows for v in vals], dtype=np.float32))

    rows = rows_of(([3, 1], [0.5, 0.25]), ([], []), ([2], [1.0]))
    dense = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)
    merged = rows.with_dense(dense, np.array([7, 8], dtype=np.int32))
    expected = rows_of(([3, 1, 7, 8], [0.5, 0.25, 1, 2]), ([7, 8], [3, 4]), ([2, 7, 8], [1, 5, 6]))
    assert merged.indptr.tolist() == expected.indptr.tolist()
    assert merged.indices.tolist() == expected.indices.tolist()
    assert merged.values.tolist() == expected.values.tolist()


def _slow_rows(text: str, known: dict[str, int]) -> list[int]:
    """The definition the packed lookup must meet: the known n-grams among `char_ngrams` (1 to 3
    characters: a trained vocabulary has 2 and 3, the lookup takes whatever lengths it holds)."""
    return sorted(known[gram] for gram in char_ngrams(text, 1, 3) if gram in known)


def test_packed_ngram_lookup_finds_exactly_the_known_ngrams_of_each_text(seed, monkeypatch):
    import random

    import extractors.sector_model as sector_model

    vocabulary = shipped_model().vocabulary
    texts = [s.text for s in seed.sentences] + [seed.document.text[:200]]
    alphabet = "经济增长发展国年2024 \t\u3000%,。𠀀ab"  # digits fold to 0, spaces drop, an astral character
    pick = random.Random(7)
    texts += ["".join(pick.choice(alphabet) for _ in range(pick.randint(0, 9))) for _ in range(2000)]
    known = {**vocabulary["s"], "𠀀a": 10**6, "年": 10**6 + 1}  # one-character and astral n-grams too
    monkeypatch.setattr(sector_model, "_TEXTS_PER_BATCH", 97)  # texts across batch boundaries
    for table in (known, vocabulary["h"], {}):
        indptr, rows = known_ngram_rows(texts, table)
        assert [rows[a:b].tolist() for a, b in pairwise(indptr)] == [_slow_rows(t, table) for t in texts]


def test_sparse_rows_hold_each_group_in_order_with_unit_norm(seed):
    model = shipped_model()
    eligible = [s for s in rule_scores(seed) if s.eligible]
    rows = encode_sparse(eligible, model.vocabulary)
    group_of = {row: group for group, grams in model.vocabulary.items() for row in grams.values()}
    order = {group: i for i, group in enumerate("shplvnfr")}
    for scored, (a, b) in zip(eligible, pairwise(rows.indptr), strict=True):
        groups = [group_of[row] for row in rows.indices[a:b].tolist()]
        assert groups == sorted(groups, key=order.__getitem__)
        own = [row for row in rows.indices[a:b].tolist() if group_of[row] == "s"]
        assert own == _slow_rows(scored.context.sentence.text, model.vocabulary["s"])
        for group in "shplvnf":
            values = rows.values[a:b][[g == group for g in groups]]
            assert len(values) == 0 or abs(float(np.sum(values.astype(np.float64) ** 2)) - 1) < 1e-6
