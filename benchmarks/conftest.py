from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "corpus" / "reports"
WHOLE_PIPELINE = "test_whole_pipeline_one_worker"
RULES_ONLY_PIPELINE = "test_whole_pipeline_rules_only"
JIEBA_REFERENCE = "test_jieba_cut_reference"


@cache
def corpus_bytes() -> tuple[tuple[str, bytes], ...]:
    return tuple((str(p), p.read_bytes()) for p in sorted(REPORTS.iterdir()) if p.is_file())


@cache
def normalized_texts() -> tuple[str, ...]:
    from pipeline.ingest import ingest

    return tuple(ingest(raw, name).text for name, raw in corpus_bytes())


@cache
def structured_documents():
    """The corpus after ingest, metadata, structure and segment: what every extractor is given."""
    from pipeline.ingest import ingest
    from pipeline.metadata import with_metadata
    from pipeline.segment import segment
    from pipeline.structure import structure

    return tuple(segment(structure(with_metadata(ingest(raw, name)))) for name, raw in corpus_bytes())


def megabytes(texts) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


def _mean_seconds(benchmarks, name: str) -> float | None:
    found = [b for b in benchmarks if b.name == name]
    return found[0].stats.mean if found else None


def pytest_terminal_summary(terminalreporter, config):
    """The headline figure of the performance budget: whole pipeline throughput ÷ jieba.cut throughput."""
    session = getattr(config, "_benchmarksession", None)
    if session is None or not session.benchmarks:
        return
    pipeline, jieba_cut = (_mean_seconds(session.benchmarks, n) for n in (WHOLE_PIPELINE, JIEBA_REFERENCE))
    terminalreporter.section("throughput (MB of normalized report text per second)")
    for bench in session.benchmarks:
        mb = bench.extra_info.get("MB")
        if mb:
            terminalreporter.write_line(f"{bench.name:<48} {mb / bench.stats.mean:8.2f} MB/s")
    if pipeline and jieba_cut:
        terminalreporter.write_line(
            f"headline ratio: whole pipeline ÷ jieba.cut = {jieba_cut / pipeline:.2f} "
            "(the design's budget: above 1; issue 8's goal: 2.0 or more)",
            bold=True,
        )
    rules_only = _mean_seconds(session.benchmarks, RULES_ONLY_PIPELINE)
    if rules_only and jieba_cut:
        terminalreporter.write_line(f"for reference: rules-only pipeline ÷ jieba.cut = {jieba_cut / rules_only:.2f}")
