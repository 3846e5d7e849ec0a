"""`zhpolicy panel`: region × year × indicator, the cell rule, duplicates, unit conversion, coverage."""

from __future__ import annotations

import csv
import dataclasses

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.errors import PanelError
from pipeline.lexicon import read_tsv
from pipeline.panel import (
    PanelSpec,
    coverage,
    format_coverage,
    long_panel,
    panel_columns,
    select_columns,
    unit_conversions,
    wide_panel,
)
from pipeline.query import connect
from pipeline.schema import MEASURES
from pipeline.write import rows_to_table, write_batch

SPEC = PanelSpec(columns=select_columns(None))


def _by_region(table):
    return {row["region"]: row for row in table.to_pylist()}


def test_wide_panel_one_row_per_report_with_the_main_targets(outputs):
    panel = wide_panel(connect(outputs), SPEC)
    rows = _by_region(panel)
    assert panel.num_rows == 3
    assert [r["level"] for r in panel.to_pylist()] == ["national", "province", "city"]
    # As the reports state them: 国内生产总值增长5%左右; 全省地区生产总值增长5.5%左右; 经济增长6%左右.
    assert (rows["国务院"]["year"], rows["国务院"]["gdp_growth"]) == (2024, 5.0)
    assert (rows["福建省"]["year"], rows["福建省"]["gdp_growth"]) == (2024, 5.5)
    assert (rows["新乡市"]["year"], rows["新乡市"]["gdp_growth"]) == (2025, 6.0)
    assert rows["国务院"]["new_urban_jobs"] == 12_000_000  # 城镇新增就业1200万人以上
    assert rows["国务院"]["unemployment_rate"] == 5.5
    assert rows["国务院"]["industrial_value_added_growth"] is None  # the national report sets none


def test_grain_output_is_converted_to_tonnes(outputs):
    rows = _by_region(wide_panel(connect(outputs), SPEC))
    assert rows["国务院"]["grain_output"] == pytest.approx(1.3e12 * 0.0005)  # 1.3万亿斤
    assert rows["福建省"]["grain_output"] == pytest.approx(5.07e6)  # 507万吨


def test_actual_panel_reads_the_year_before_from_the_review(outputs):
    panel = wide_panel(connect(outputs), dataclasses.replace(SPEC, status="actual"))
    rows = _by_region(panel)
    assert rows["国务院"]["year"] == 2023
    assert rows["国务院"]["gdp_growth"] == 5.2  # 国内生产总值超过126万亿元,增长5.2%


def test_long_panel_cells_are_traceable(outputs):
    con = connect(outputs)
    cells = long_panel(con, SPEC, provenance=True).to_pylist()
    texts = dict(con.execute("SELECT doc_id, text FROM documents").fetchall())
    assert len(cells) == sum(
        1 for row in wide_panel(con, SPEC).to_pylist() for c in panel_columns() if row[c.column] is not None
    )
    for cell in cells:
        assert texts[cell["doc_id"]][cell["start"] : cell["end"]] == cell["text"]
        assert cell["text"] in cell["sentence"]
        assert cell["qualifier"] is not None


def test_wide_provenance_columns_follow_each_value(outputs):
    spec = dataclasses.replace(SPEC, columns=select_columns(["gdp"]))
    panel = wide_panel(connect(outputs), spec, provenance=True)
    assert panel.column_names[-3:] == ["gdp_growth", "gdp_growth_text", "gdp_growth_sentence"]
    assert _by_region(panel)["国务院"]["gdp_growth_text"] == "国内生产总值增长5%左右"


def test_filters(outputs):
    con = connect(outputs)
    assert wide_panel(con, dataclasses.replace(SPEC, levels=("city",)))["region"].to_pylist() == ["新乡市"]
    assert wide_panel(con, dataclasses.replace(SPEC, since=2025))["year"].to_pylist() == [2025]
    assert wide_panel(con, dataclasses.replace(SPEC, until=2024)).num_rows == 2


def test_unknown_names_are_refused(outputs):
    with pytest.raises(PanelError):
        select_columns(["gdp_level"])
    with pytest.raises(PanelError):
        wide_panel(connect(outputs), dataclasses.replace(SPEC, levels=("town",)))


# ----------------------------------------------------------------- the cell rule on made-up tables


def _document(doc_id, region, year, text):
    return {
        "doc_id": doc_id,
        "year": year,
        "source": f"{doc_id}.txt",
        "sha256": doc_id * 4,
        "encoding": "utf-8",
        "format": "text",
        "script": "simplified",
        "region": region,
        "region_code": "410000",
        "level": "province",
        "province": region,
        "n_chars": len(text),
        "text": text,
        "text_original": text,
        "align_text": [0],
        "align_original": [0],
        "pipeline_version": "test",
    }


def _sentence(doc_id, year, sentence_id, document_text, text, role):
    start = document_text.index(text)
    return {
        "doc_id": doc_id,
        "year": year,
        "sentence_id": sentence_id,
        "paragraph": sentence_id,
        "start": start,
        "end": start + len(text),
        "text": text,
        "role": role,
    }


def _target(doc_id, year, sentence_id, document_text, text, value, unit="%", measure="growth", after=0):
    start = document_text.index(text, after)
    return {
        "doc_id": doc_id,
        "year": year,
        "sentence_id": sentence_id,
        "start": start,
        "end": start + len(text),
        "text": text,
        "extractor": "targets@test",
        "method": "rule",
        "confidence": 1.0,
        "indicator_id": "gdp" if unit == "%" else "grain_output",
        "measure": measure,
        "value": value,
        "unit": unit,
        "qualifier": "none",
        "status": "target",
        "period": year,
    }


@pytest.fixture()
def made_up(tmp_path):
    """Two copies of one 2020 report (the longer must win) and a 2021 report whose GDP growth target
    appears first in a tasks section and later in the targets section (the targets one must win)."""
    a = "工业:增长9%。目标:增长6%。粮食300亿斤。"
    b = a + "附件。"
    c = "一、任务\n工业增长9%。二、目标\n经济增长6%。"
    docs = [_document("aaaa", "河南省", 2020, a), _document("bbbb", "河南省", 2020, b)]
    docs.append(_document("cccc", "河南省", 2021, c))
    sentences, targets = [], []
    for doc_id, text in (("aaaa", a), ("bbbb", b)):
        for number, (sentence, role) in enumerate((("工业:增长9%。", "tasks"), ("目标:增长6%。", "targets"))):
            sentences.append(_sentence(doc_id, 2020, number, text, sentence, role))
        sentences.append(_sentence(doc_id, 2020, 2, text, "粮食300亿斤。", "targets"))
    targets.append(_target("aaaa", 2020, 1, a, "增长6%", 6.0, after=a.index("目标")))
    # the longer copy, told apart by its value
    targets.append(_target("bbbb", 2020, 1, b, "增长6%", 6.5, after=b.index("目标")))
    targets.append(_target("bbbb", 2020, 2, b, "粮食300亿斤", 3e10, unit="斤", measure="level"))
    sentences += [
        _sentence("cccc", 2021, 0, c, "工业增长9%。", "tasks"),
        _sentence("cccc", 2021, 1, c, "经济增长6%。", "targets"),
    ]
    targets += [_target("cccc", 2021, 0, c, "增长9%", 9.0), _target("cccc", 2021, 1, c, "增长6%", 6.0)]
    out = tmp_path / "out"
    for table, rows in (("documents", docs), ("sentences", sentences), ("targets", targets)):
        write_batch(out / table, table, rows_to_table(table, rows), "made-up")
    return out


def test_cell_rule_prefers_the_targets_section_then_the_earliest(made_up):
    rows = wide_panel(connect(made_up), SPEC).to_pylist()
    assert [(r["year"], r["gdp_growth"]) for r in rows] == [(2020, 6.5), (2021, 6.0)]


def test_duplicate_reports_of_a_region_year_keep_the_longer_text(made_up):
    rows = wide_panel(connect(made_up), SPEC).to_pylist()
    assert rows[0]["doc_id"] == "bbbb"
    assert rows[0]["grain_output"] == pytest.approx(1.5e7)  # 300亿斤 in tonnes


def test_coverage_counts_filled_cells_per_decade(made_up):
    panel = wide_panel(connect(made_up), SPEC)
    cells = {(c.column, c.decade): c for c in coverage(panel, ["gdp_growth", "grain_output"])}
    assert (cells["gdp_growth", 2020].filled, cells["gdp_growth", 2020].rows) == (2, 2)
    assert (cells["grain_output", None].filled, cells["grain_output", None].rows) == (1, 2)
    text = format_coverage(coverage(panel, ["gdp_growth", "grain_output"]))
    assert "2020s" in text and "1/2 (50%)" in text


# ----------------------------------------------------------------- command line and lexicon


def test_cli_panel_writes_csv_and_parquet(outputs, tmp_path, capsys):
    path = tmp_path / "panel.csv"
    assert main(["panel", "--outputs", str(outputs), "--to", str(path)]) == 0
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 3 and float(rows[0]["gdp_growth"]) == 5.0
    path = tmp_path / "panel.parquet"
    assert main(["panel", "--outputs", str(outputs), "--long", "--provenance", "--to", str(path)]) == 0
    long = pq.read_table(path)
    assert {"column", "value", "value_high", "qualifier", "doc_id", "sentence"} <= set(long.column_names)


def test_cli_panel_coverage(outputs, capsys):
    assert main(["panel", "--outputs", str(outputs), "--coverage", "--levels", "national,province"]) == 0
    out = capsys.readouterr().out
    assert "of 2 region × year rows" in out
    assert any(line.startswith("gdp_growth ") and "2/2 (100%)" in line for line in out.splitlines())
    assert main(["panel", "--outputs", str(outputs), "--indicators", "nope"]) == 2


def test_panel_lexicon_names_known_indicators_measures_and_units():
    indicators = {row["id"] for row in read_tsv("indicators.tsv")}
    units = {row["unit"] for row in read_tsv("units.tsv")} | {"%"}
    for column in panel_columns():
        assert column.indicator_id in indicators, column
        assert column.measures and set(column.measures) <= set(MEASURES), column
        assert column.unit in units, column
    for from_unit, to_unit, factor in unit_conversions():
        assert {from_unit, to_unit} <= units and factor > 0
