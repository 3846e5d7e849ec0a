from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "corpus" / "reports"


@cache
def corpus_bytes() -> tuple[tuple[str, bytes], ...]:
    return tuple((str(p), p.read_bytes()) for p in sorted(REPORTS.iterdir()) if p.is_file())


@cache
def normalized_texts() -> tuple[str, ...]:
    from pipeline.ingest import ingest

    return tuple(ingest(raw, name).text for name, raw in corpus_bytes())


def megabytes(texts) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6
