"""The name model's greedy pass in numpy (extractors/greedy_names.py) against spaCy's own greedy parse
of the same model: the same spans on real clauses and on the characters that need care."""

from __future__ import annotations

import numpy as np
import pytest

from extractors import greedy_names, name_model
from extractors.greedy_names import _BEGIN, _IN, _LAST, _OUT, _UNIT
from extractors.projects import content_sentences_with_tokens, local_tokens
from pipeline.segment import tokenize
from tests.conftest import structured

# Reports of every kind: a national one, a province, a city; old and new.
REPORTS = ("national-2016.txt", "guangdong-2010.md", "wenzhou-2023.md")


@pytest.fixture(scope="module")
def nlp():
    model = name_model.load_model()
    if model is None:
        pytest.skip("no trained name model")
    return model


def _spacy_greedy(nlp, pieces, monkeypatch) -> list[list[tuple[int, int, str]]]:
    with monkeypatch.context() as patch:
        patch.setattr(name_model, "_greedy_names", lambda nlp: None)
        found = name_model.predict(nlp, pieces, beam=False)
    return [[(s.start, s.end, s.label) for s in spans] for spans in found]


def _numpy_greedy(nlp, pieces) -> list[list[tuple[int, int, str]]]:
    found = name_model.predict(nlp, pieces, beam=False)
    return [[(s.start, s.end, s.label) for s in spans] for spans in found]


def _candidate_clauses(report: str) -> list[tuple[str, tuple]]:
    pieces = []
    for sentence, tokens in content_sentences_with_tokens(structured(report)):
        text, local = sentence.text, local_tokens(sentence, tokens)
        for start, end in name_model.units(text):
            pieces.append((text[start:end], name_model.unit_tokens(local, start, end)))
    return pieces


def test_the_shipped_model_is_read(nlp):
    model = greedy_names.from_pipeline(nlp)
    assert model is not None
    assert set(model.labels) == set(name_model.LABELS)


@pytest.mark.parametrize("report", REPORTS)
def test_same_spans_as_spacy_on_every_candidate_clause_of_a_report(nlp, report, monkeypatch):
    pieces = _candidate_clauses(report)
    assert len(pieces) > 50
    expected = _spacy_greedy(nlp, pieces, monkeypatch)
    assert any(expected)  # the reports hold names: the comparison is not of empties alone
    assert _numpy_greedy(nlp, pieces) == expected


def test_same_spans_on_spaces_quotes_latin_letters_and_one_character(nlp, monkeypatch):
    texts = [
        "建设吉林西部物流中心“一环线一中心”。",  # curly quotes: spaCy's NORM is the straight quote
        "推进 郑州航空港 经济综合实验区建设,",  # spaces: no entity starts on one
        "引进ABB机器人项目和5G基站,",
        "建",
        "",
        "加快华为鲲鹏生态基地、中国电信数据中心建设",
    ]
    pieces = [(text, tokenize(text)) for text in texts]
    assert _numpy_greedy(nlp, pieces) == _spacy_greedy(nlp, pieces, monkeypatch)


def test_moves_follow_spacys_biluo_rules(nlp):
    model = greedy_names.from_pipeline(nlp)
    valid = model.valid
    kinds, labels = model.move_kinds, model.move_labels

    def allowed(state: int) -> set[tuple[int, int]]:
        return {(int(kinds[m]), int(labels[m])) for m in np.flatnonzero(valid[state])}

    both = range(len(model.labels))
    # nothing open, not the last character, not a space: begin or unit of any label, or out
    assert allowed(0) == {(_BEGIN, label) for label in both} | {(_UNIT, label) for label in both} | {(_OUT, -1)}
    assert allowed(1) == {(_OUT, -1)}  # a space starts no entity
    assert allowed(2) == {(_UNIT, label) for label in both} | {(_OUT, -1)}  # the last character cannot begin
    project = model.labels.index("PROJECT")
    assert allowed(4 + 2 * project) == {(_IN, project), (_LAST, project)}
    assert allowed(4 + 2 * project + 1) == {(_LAST, project)}  # an open entity ends by the last character


def test_clauses_are_padded_as_thinc_flattens_them():
    rows = np.arange(10, dtype=np.float32).reshape(5, 2)
    padded, where = greedy_names._with_padding(rows, np.array([2, 3]), 3)
    assert padded.shape == (5 + 3 * 3, 2)
    assert where.tolist() == [3, 4, 8, 9, 10]
    assert (padded[where] == rows).all()
    assert not padded[[0, 1, 2, 5, 6, 7, 11, 12, 13]].any()
