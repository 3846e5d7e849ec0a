from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "corpus" / "reports"
SHARED = ROOT.parent / "shared" / "corpus"


@cache
def manifest() -> tuple[dict[str, str], ...]:
    with (ROOT / "corpus" / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


@cache
def structured(name: str):
    from pipeline.ingest import ingest
    from pipeline.metadata import with_metadata
    from pipeline.segment import segment
    from pipeline.structure import structure

    path = REPORTS / name
    return segment(structure(with_metadata(ingest(path.read_bytes(), str(path)))))


@pytest.fixture(scope="session")
def seed():
    return structured("xinxiang-2025.txt")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/corpus is not beside the repo")
    return SHARED


# Reports the researcher-side tests (query, panel, diff, show, README queries) run the pipeline on once:
# a national, a provincial and a city report (traditional script, news lead); two name 抽水蓄能.
OUTPUT_REPORTS = ("national-2024.md", "fujian-2024.md", "xinxiang-2025.txt")


@pytest.fixture(scope="session")
def outputs(tmp_path_factory) -> Path:
    """Tables written by the whole pipeline for OUTPUT_REPORTS (read-only: copy before changing)."""
    from pipeline.runner import run

    out = tmp_path_factory.mktemp("outputs") / "out"
    report = run([REPORTS / name for name in OUTPUT_REPORTS], out, workers=1, progress=False)
    assert report.n_failed == 0
    return out


@pytest.fixture(scope="session")
def gold_scores():
    """`zhpolicy eval` on corpus/gold, once per test session (every table, variants included)."""
    from pipeline.evaluate import evaluate

    return evaluate(ROOT / "corpus" / "gold")
