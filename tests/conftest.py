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


@pytest.fixture(scope="session")
def gold_scores():
    """`zhpolicy eval` on corpus/gold, once per test session (every table, variants included)."""
    from pipeline.evaluate import evaluate

    return evaluate(ROOT / "corpus" / "gold")
