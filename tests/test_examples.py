"""Every extractor's examples (text -> expected rows) and negatives (text -> nothing), as data.

Adding a case needs no Python: add a line to extractors/examples/<extractor>.jsonl or
<extractor>.negative.txt. Expected rows list only the fields that matter for the case, in order.
"""

from __future__ import annotations

import json
import math

import pytest

from extractors.projects import entity_rows_for_text, project_rows_for_text
from extractors.sector_model import merged_tags_for_text, model_tags_for_text
from extractors.sectors import tags_for_text
from extractors.targets import rows_for_text
from tests.conftest import ROOT

EXAMPLES = ROOT / "extractors" / "examples"
RUNNERS = {
    "targets": rows_for_text,
    "projects": project_rows_for_text,
    "entities": entity_rows_for_text,
    "sector_tags": tags_for_text,
    "sector_tags_model": model_tags_for_text,
    "sector_tags_merged": merged_tags_for_text,
}


def _cases(kind: str):
    for name, run in RUNNERS.items():
        if kind == "examples":
            path = EXAMPLES / f"{name}.jsonl"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if line.strip():
                    yield pytest.param(run, json.loads(line), id=f"{name}:{number}")
        else:
            path = EXAMPLES / f"{name}.negative.txt"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if line.strip() and not line.startswith("#"):
                    yield pytest.param(run, line, id=f"{name}-negative:{number}")


def _same(expected, actual) -> bool:
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=1e-9)
    return expected == actual


@pytest.mark.parametrize(("run", "case"), list(_cases("examples")))
def test_example(run, case):
    rows = run(case["text"], case.get("role", "targets"), case.get("year", 2025))
    assert len(rows) == len(case["rows"]), [r.text for r in rows]
    for row, expected in zip(rows, case["rows"], strict=True):
        for field, value in expected.items():
            assert _same(value, getattr(row, field)), f"{row.text}: {field} {getattr(row, field)!r} != {value!r}"
        assert case["text"][row.start : row.end] == row.text


@pytest.mark.parametrize(("run", "text"), list(_cases("negative")))
def test_negative(run, text):
    assert [r.text for r in run(text, "tasks", 2025)] == []
