"""`zhpolicy query`: one DuckDB view per table over the Parquet outputs, and the output formats."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.errors import QueryError
from pipeline.query import connect, emit, format_for, run_sql
from pipeline.schema import SCHEMAS
from pipeline.write import read_table


def test_every_table_is_a_view_with_the_schema_columns_and_rows(outputs):
    con = connect(outputs)
    views = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(SCHEMAS) <= views
    for table, schema in SCHEMAS.items():
        columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
        assert columns == schema.names, table
        (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert count == read_table(outputs / table, table).num_rows, table


def test_year_comes_from_the_partition_as_an_integer(outputs):
    con = connect(outputs)
    rows = con.execute(
        "SELECT DISTINCT d.year, typeof(t.year) FROM targets t JOIN documents d USING (doc_id)"
    ).fetchall()
    assert {year for year, _ in rows} == {2024, 2025}
    assert {kind for _, kind in rows} == {"INTEGER"}
    (mismatched,) = con.execute(
        "SELECT count(*) FROM targets t JOIN documents d USING (doc_id) WHERE t.year <> d.year"
    ).fetchone()
    assert mismatched == 0


def test_offsets_are_traceable_through_the_views(outputs):
    con = connect(outputs)
    for table in ("targets", "projects", "entities", "sector_tags", "sentences"):
        (bad,) = con.execute(
            f"SELECT count(*) FROM {table} x JOIN documents d USING (doc_id) "
            "WHERE substring(d.text, x.start + 1, x.end - x.start) <> x.text"
        ).fetchone()
        (total,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert total > 0 and bad == 0, table


def test_a_table_without_files_is_an_empty_view_with_its_columns(outputs, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(outputs, copy)
    shutil.rmtree(copy / "projects")
    con = connect(copy)
    assert con.execute("SELECT count(*) FROM projects").fetchone() == (0,)
    assert [r[0] for r in con.execute("DESCRIBE projects").fetchall()] == SCHEMAS["projects"].names


def test_outputs_of_an_older_pipeline_lack_new_columns_and_stay_queryable(outputs, tmp_path):
    """projects.rule was added after outputs existed: such files read with the column NULL."""
    copy = tmp_path / "old"
    shutil.copytree(outputs, copy)
    for path in (copy / "projects").rglob("*.parquet"):
        pq.write_table(pq.read_table(path).drop_columns(["rule"]), path)
    con = connect(copy)
    names, rules = con.execute("SELECT count(name), count(rule) FROM projects").fetchone()
    assert names > 0 and rules == 0
    assert run_sql(con, "SELECT * FROM projects LIMIT 0").columns == SCHEMAS["projects"].names


def test_csv_and_json_lines_go_to_a_stream(outputs):
    con = connect(outputs)
    sql = "SELECT region, level, year, delivered_on FROM documents ORDER BY region"
    stream = io.StringIO()
    assert emit(con, run_sql(con, sql), "csv", stream=stream) == 3
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [r["region"] for r in rows] == sorted(["国务院", "福建省", "新乡市"])
    stream = io.StringIO()
    emit(con, run_sql(con, sql), "json", stream=stream)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {r["region"]: r["delivered_on"] for r in records}["国务院"] == "2024-03-05"


def test_parquet_and_csv_files(outputs, tmp_path):
    con = connect(outputs)
    sql = "SELECT doc_id, indicator_id, value FROM targets WHERE indicator_id = 'gdp'"
    expected = con.execute(sql).fetchall()
    path = tmp_path / "gdp.parquet"
    assert emit(con, run_sql(con, sql), "parquet", path) == len(expected) > 0
    assert pq.read_table(path).num_rows == len(expected)
    path = tmp_path / "nested" / "gdp.csv"
    emit(con, run_sql(con, sql), "csv", path)
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(expected) + 1


def test_table_format_draws_a_box_with_the_rows(outputs):
    con = connect(outputs)
    stream = io.StringIO()
    emit(con, run_sql(con, "SELECT region, year FROM documents ORDER BY year"), "table", stream=stream)
    text = stream.getvalue()
    assert "┌" in text and "新乡市" in text and "2025" in text


@pytest.mark.parametrize(
    ("to", "requested", "interactive", "expected"),
    [
        (None, None, True, "table"),
        (None, None, False, "csv"),
        ("x.parquet", None, False, "parquet"),
        ("x.jsonl", None, True, "json"),
        ("x.txt", "csv", True, "csv"),
        (None, "json", True, "json"),
    ],
)
def test_format_for(to, requested, interactive, expected, tmp_path):
    assert format_for(tmp_path / to if to else None, requested, interactive) == expected


@pytest.mark.parametrize(("to", "requested"), [(None, "parquet"), ("x.csv", "table"), ("x.txt", None)])
def test_format_for_refuses(to, requested, tmp_path):
    with pytest.raises(QueryError):
        format_for(tmp_path / to if to else None, requested, False)


def test_cli_query(outputs, tmp_path, capsys):
    sql = "SELECT count(*) AS n FROM sentences"
    assert main(["query", sql, "--outputs", str(outputs), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "n" and int(out.splitlines()[1]) > 1000
    path = tmp_path / "n.json"
    assert main(["query", sql, "--outputs", str(outputs), "--to", str(path)]) == 0
    assert json.loads(path.read_text(encoding="utf-8"))["n"] > 1000


def test_cli_query_errors_are_usage_errors(outputs, tmp_path, capsys):
    assert main(["query", "SELEC 1", "--outputs", str(outputs)]) == 2
    assert "syntax error" in capsys.readouterr().err
    assert main(["query", "SELECT 1", "--outputs", str(tmp_path / "nothing")]) == 2
    assert "no tables" in capsys.readouterr().err
    assert main(["query", "SELECT CAST('x' AS INTEGER)", "--outputs", str(outputs), "--format", "csv"]) == 2
