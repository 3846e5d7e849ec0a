"""Throughput of each stage on corpus/reports, in MB of UTF-8 report text per second (warm).

The suites mirror the modules: pipeline.ingest (+ metadata), pipeline.structure, pipeline.segment,
extractors.numbers (the number grammar), every registered extractor, and the whole pipeline.
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import corpus_bytes, megabytes, normalized_texts, structured_documents
from extractors.registry import default_extractors


def _report(benchmark, mb: float) -> None:
    benchmark.extra_info["MB"] = round(mb, 4)
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
    from pipeline.segment import segment

    docs = [d for d in structured_documents()]
    segment(docs[0])
    benchmark.pedantic(lambda: [segment(d) for d in docs], rounds=3, iterations=1)
    _report(benchmark, megabytes(normalized_texts()))


def test_number_grammar(benchmark):
    """extractors.numbers.find_quantities over every content sentence."""
    from extractors.numbers import find_quantities

    sentences = [s.text for d in structured_documents() for s in d.content_sentences()]
    benchmark(lambda: [find_quantities(s) for s in sentences])
    _report(benchmark, megabytes(sentences))


@pytest.mark.parametrize("extractor", default_extractors(), ids=lambda e: e.name)
def test_extractor(benchmark, extractor):
    docs = structured_documents()
    list(extractor.extract(docs[0]))
    benchmark.pedantic(lambda: [list(extractor.extract(d)) for d in docs], rounds=3, iterations=1)
    sentences = sum(1 for d in docs for _ in d.content_sentences())
    benchmark.extra_info["sentences/s"] = round(sentences / benchmark.stats.stats.mean)
    _report(benchmark, megabytes(normalized_texts()))


def test_jieba_cut_reference(benchmark):
    """jieba's own accurate-mode cut on the same normalized text: the speed budget's yardstick."""
    import jieba

    jieba.initialize()
    texts = normalized_texts()
    benchmark.pedantic(lambda: [list(jieba.cut(t)) for t in texts], rounds=3, iterations=1)
    _report(benchmark, megabytes(texts))


def test_whole_pipeline_one_worker(benchmark, tmp_path):
    """run(): ingest to Parquet, every default extractor, one worker, warm (lexicons and models loaded)."""
    from benchmarks.conftest import REPORTS
    from pipeline.runner import run

    counter = iter(range(1000))
    run(REPORTS, tmp_path / "warm-up", workers=1, progress=False)
    benchmark.pedantic(
        lambda: run(REPORTS, tmp_path / f"out{next(counter)}", workers=1, progress=False),
        rounds=3,
        iterations=1,
    )
    _report(benchmark, megabytes(normalized_texts()))


def test_whole_pipeline_rules_only(benchmark, tmp_path):
    """run() with every rule extractor and no statistical model (keywords, targets, the name rules, the
    sector lexicon), one worker, Parquet written: how far the rules alone are from the budget."""
    from benchmarks.conftest import REPORTS
    from extractors.registry import default_extractors, variant_extractors
    from pipeline.runner import run

    rules = [e.name for e in (*default_extractors(), *variant_extractors()) if e.method == "rule"]
    counter = iter(range(1000))
    run(REPORTS, tmp_path / "warm-up", workers=1, progress=False, extractor_names=rules)
    benchmark.pedantic(
        lambda: run(REPORTS, tmp_path / f"out{next(counter)}", workers=1, progress=False, extractor_names=rules),
        rounds=3,
        iterations=1,
    )
    benchmark.extra_info["extractors"] = ",".join(rules)
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
