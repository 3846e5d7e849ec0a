"""Projects and entities scored three ways — rules, model, merged — and the held-out figures.

`zhpolicy eval` scores the default (merged) tables and, beside them, `projects:rule`,
`projects:model`, `entities:rule`, `entities:model` (the same gold, the variant extractors' rows).
`python -m pipeline.train_names cross-validate` trains one model per gold report left out and calls
`cross_validation_report` here: rules, model and merged on each held-out report and pooled, and the
merged output for a range of `model_min_confidence` values, so the threshold is chosen on reports
the model did not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.evaluate import TableScore, _DocView, load_gold, score_spans

NAME_TABLES = ("projects", "entities")
THRESHOLDS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01)  # 1.01: the model adds no name of its own


def _rows(table: str, rows: list, doc_id: str, year: int | None) -> list[dict[str, Any]]:
    from pipeline.write import rows_to_table

    return rows_to_table(table, rows, doc_id=doc_id, year=year).to_pylist()


def variant_rows(structured) -> dict[str, list[dict[str, Any]]]:
    """Rows of the rule-only and model-only extractors, keyed `projects:rule`, `entities:model` …"""
    from extractors.registry import variant_extractors

    out = {}
    for extractor in variant_extractors():
        key = f"{extractor.table}:{extractor.mode}"
        out[key] = _rows(extractor.table, list(extractor.extract(structured)), structured.doc_id, structured.year)
    return out


def rows_by_threshold(structured, nlp, thresholds: Sequence[float] = THRESHOLDS) -> dict[str, list[dict[str, Any]]]:
    """With the model `nlp`: rule rows, model rows, and merged rows at each threshold, keyed
    `projects:rule`, `projects:model`, `projects:merged@0.5` …"""
    from extractors import name_model
    from extractors.merge import Scored, merge, names_from_spans, needs_confidence
    from extractors.names import threshold
    from extractors.projects import (
        RULE_CONFIDENCE,
        content_sentences_with_tokens,
        local_tokens,
        rows_from_names,
        text_names,
    )

    sentences = list(content_sentences_with_tokens(structured))
    pieces = [(s.text, local_tokens(s, t)) for s, t in sentences]
    rules = [text_names(text, tokens) for text, tokens in pieces]
    greedy = name_model.sentence_spans(nlp, pieces, beam=False)
    beam = name_model.sentence_spans(nlp, pieces, beam=True)
    agreement = threshold("agreement_confidence")

    def rows_of(table: str, scored_per_sentence: list[list[Scored]], label: str) -> list[dict[str, Any]]:
        rows = []
        for (sentence, _), scored in zip(sentences, scored_per_sentence, strict=True):
            how = [(s.method, s.confidence) for s in scored]
            rows += rows_from_names(sentence, [s.name for s in scored], structured.year, table, label, scores=how)
        return _rows(table, rows, structured.doc_id, structured.year)

    model = [
        names_from_spans(s.text, spans, tokens)
        for (s, _), spans, (_, tokens) in zip(sentences, beam, pieces, strict=True)
    ]
    out = {}
    for table in NAME_TABLES:
        out[f"{table}:rule"] = rows_of(table, [[Scored(n, "rule", RULE_CONFIDENCE) for n in r] for r in rules], "rule")
        out[f"{table}:model"] = rows_of(table, model, "model")
        for minimum in thresholds:
            merged = []
            for i, (sentence, _) in enumerate(sentences):
                # as the merged extractor does: the beam where the model reads a name the rules do not have
                spans = beam[i] if needs_confidence(greedy[i], rules[i]) else greedy[i]
                model_names = names_from_spans(sentence.text, spans, pieces[i][1])
                minimums = {t: minimum for t in NAME_TABLES}
                merged.append(merge(rules[i], model_names, minimums, agreement, sentence.text, pieces[i][1]))
            out[f"{table}:merged@{minimum:g}"] = rows_of(table, merged, "merged")
    return out


def score_keys(gold_path: Path, doc: _DocView, keys: Sequence[str], scores: dict[str, TableScore]) -> None:
    """Score the rows under each key (`projects:model` …) against the gold of its table."""
    gold = next(g for g in load_gold(gold_path.parent) if g.path == gold_path)
    for key in keys:
        table = key.split(":")[0]
        rows = [r for r in gold.rows if r.get("table") == table]
        view = _DocView(doc.text, doc.sentences, doc.sections, {table: doc.rows.get(key, [])})
        score_spans(
            table, rows, view, gold.header.get("covers"), scores.setdefault(key, TableScore(key)), gold_path.stem
        )


def _view(structured, rows: dict[str, list[dict[str, Any]]]) -> _DocView:
    sentences = [
        {"start": s.start, "end": s.end, "noise": s.noise, "duplicate_of": s.duplicate_of, "section_id": s.section_id}
        for s in structured.sentences
    ]
    sections = [
        {"section_id": s.section_id, "title": s.title, "start": s.start, "end": s.end} for s in structured.sections
    ]
    return _DocView(structured.document.text, sentences, sections, rows)


def cross_validation_report(folds: Sequence[tuple[Path, Path]], gold_dir: Path) -> str:
    """`folds`: (held-out gold file, model trained without it). Rules, model and merged per fold and
    pooled; the pooled merged F1 for each threshold, and the best threshold."""
    import spacy

    from extractors.name_model import register_reader
    from pipeline.runner import structured_from_bytes

    register_reader()
    pooled: dict[str, TableScore] = {}
    lines = ["cross-validation (leave one gold report out; strict P/R/F1 on the held-out report):"]
    for gold_path, model_dir in folds:
        gold = next(g for g in load_gold(gold_dir) if g.path == gold_path)
        source = gold_dir.parent / gold.header["source"]
        structured = structured_from_bytes(source.read_bytes(), str(source))
        rows = rows_by_threshold(structured, spacy.load(model_dir))
        fold: dict[str, TableScore] = {}
        score_keys(gold_path, _view(structured, rows), list(rows), fold)
        score_keys(gold_path, _view(structured, rows), list(rows), pooled)
        lines.append(f"  held out {gold_path.stem}:")
        lines += [f"    {_line(key, fold[key])}" for key in _shown(fold)]
    lines.append("  pooled over the folds:")
    lines += [f"    {_line(key, pooled[key])}" for key in sorted(pooled)]
    for table in NAME_TABLES:  # ties go to the higher threshold: the model adds less
        best = max(THRESHOLDS, key=lambda t, table=table: (pooled[f"{table}:merged@{t:g}"].prf(strict=True)[2], t))
        lines.append(
            f"  best model_min_confidence_{table} on the pooled folds: {best:g} (1.01: the model adds no name)"
        )
    return "\n".join(lines)


def _shown(scores: dict[str, TableScore]) -> list[str]:
    return [k for k in sorted(scores) if not k.split(":")[1].startswith("merged@") or k.endswith(("@0.9", "@1.01"))]


def _line(key: str, score: TableScore) -> str:
    p, r, f = score.prf(strict=True)
    wrong = score.tp - score.strict_tp  # found, but a strict field (the name, the kind) differs
    counts = f"tp {score.strict_tp}, fp {score.fp + wrong}, fn {score.fn + wrong}"
    return f"{key:24s} P {p:.3f} R {r:.3f} F1 {f:.3f} ({counts})"
