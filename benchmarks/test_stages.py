"""Throughput of each stage on corpus/reports, in MB of UTF-8 report text per second (warm)."""

from __future__ import annotations

from benchmarks.conftest import corpus_bytes, megabytes, normalized_texts


def _report(benchmark, mb: float) -> None:
    benchmark.extra_info["MB"] = round(mb, 3)
    benchmark.extra_info["MB/s"] = round(mb / benchmark.stats.stats.mean, 2)


def test_ingest(benchmark):
    from pipeline.ingest import ingest
    from pipeline.metadata import with_metadata

    docs = corpus_bytes()
    benchmark(lambda: [with_metadata(ingest(raw, name)) for name, raw in docs])
    _report(benchmark, megabytes(normalized_texts()))


def test_structure(benchmark):
    from pipeline.ingest import ingest
    from pipeline.metadata import with_metadata
    from pipeline.structure import structure

    docs = [with_metadata(ingest(raw, name)) for name, raw in corpus_bytes()]
    benchmark(lambda: [structure(d) for d in docs])
    _report(benchmark, megabytes(normalized_texts()))


def test_segment(benchmark):
    from pipeline.segment import tokenize

    texts = normalized_texts()
    tokenize("预热")
    benchmark.pedantic(lambda: [tokenize(t) for t in texts], rounds=2, iterations=1)
    _report(benchmark, megabytes(texts))


def test_jieba_cut_reference(benchmark):
    """jieba's own accurate-mode cut on the same normalized text: the speed budget's yardstick."""
    import jieba

    jieba.initialize()
    texts = normalized_texts()
    benchmark.pedantic(lambda: [list(jieba.cut(t)) for t in texts], rounds=2, iterations=1)
    _report(benchmark, megabytes(texts))


def test_whole_pipeline_one_worker(benchmark, tmp_path):
    from benchmarks.conftest import REPORTS
    from pipeline.runner import run

    counter = iter(range(1000))
    benchmark.pedantic(
        lambda: run(REPORTS, tmp_path / f"out{next(counter)}", workers=1, progress=False),
        rounds=1,
        iterations=1,
    )
    _report(benchmark, megabytes(normalized_texts()))


def test_name_model(benchmark):
    """The name model on the clauses it reads (extractors.name_model.units) of every content sentence,
    greedy (as the merged extractor reads everything) — sentences/s and MB/s of the sentences' text."""
    import pytest

    from extractors import name_model
    from pipeline.segment import tokenize
    from pipeline.structure import structure

    nlp = name_model.load_model()
    if nlp is None:
        pytest.skip("no trained name model")
    from pipeline.ingest import ingest
    from pipeline.metadata import with_metadata

    sentences = [
        (s.text, tokenize(s.text))
        for name, raw in corpus_bytes()
        for s in structure(with_metadata(ingest(raw, name))).content_sentences()
    ]
    name_model.sentence_spans(nlp, sentences[:50], beam=False)  # warm
    benchmark.pedantic(lambda: name_model.sentence_spans(nlp, sentences, beam=False), rounds=2, iterations=1)
    benchmark.extra_info["sentences/s"] = round(len(sentences) / benchmark.stats.stats.mean)
    _report(benchmark, megabytes([t for t, _ in sentences]))
