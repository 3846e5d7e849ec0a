"""The README's ready queries for researchers run, as written, against tables the pipeline wrote."""

from __future__ import annotations

import csv
import io

import pytest
import regex

from pipeline.cli import main
from tests.conftest import ROOT

BLOCK = regex.compile(r'<!-- researcher-query: ([\w-]+) -->\n```sh\nzhpolicy query "\n(.*?)\n"\n```', regex.S)


def readme_queries() -> dict[str, str]:
    return dict(BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")))


def test_the_readme_has_five_queries():
    assert list(readme_queries()) == [
        "province-gdp-targets",
        "project-types",
        "sector-shares",
        "targets-vs-actuals",
        "pumped-storage",
    ]


@pytest.mark.parametrize("name", list(readme_queries()))
def test_readme_query_runs(name, outputs, monkeypatch, capsys):
    sql = readme_queries()[name]
    # Pasted into a shell between double quotes: nothing in it may end the string or be expanded.
    assert not regex.search(r'["$`]|\\[\\"$`\n]', sql)
    monkeypatch.chdir(ROOT)  # the queries read lexicons/ relative to the repository root
    assert main(["query", sql, "--outputs", str(outputs), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    found = {
        "province-gdp-targets": lambda: (
            [(r["region"], r["year"], r["gdp_growth_target"]) for r in rows] == [("福建省", "2024", "5.5")]
        ),
        "project-types": lambda: 0 < len(rows) <= 20 and all(r["most_named"].endswith(r["type"]) for r in rows),
        "sector-shares": lambda: (
            {r["year"] for r in rows} == {"2024", "2025"} and all(0 < float(r["share"]) <= 1 for r in rows)
        ),
        # The test reports hold no region with two consecutive years: the query must run and give nothing.
        "targets-vs-actuals": lambda: rows == [],
        "pumped-storage": lambda: {"福建省", "新乡市"} <= {r["region"] for r in rows},
    }[name]
    assert found(), rows[:5]
