"""`zhpolicy query`: SQL over the output tables with DuckDB, in process.

Every table of pipeline.schema is a view of the same name (documents, targets, projects, …) over
its Parquet files, with the columns in schema order and `year` read from the hive partition. A
table with no files yet is an empty view with the right columns, so a query never fails because
an extractor has not written anything. Results print as a table in a terminal and as CSV when
piped, or go to a file as CSV, JSON Lines or Parquet.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO, Literal, get_args

import duckdb
import pyarrow as pa

from pipeline.errors import QueryError
from pipeline.schema import PARTITIONED, SCHEMAS

Format = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[str, ...] = get_args(Format)
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json", ".parquet": "parquet"}


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _has_parquet(directory: Path) -> bool:
    return directory.is_dir() and any(directory.rglob("*.parquet"))


def view_sql(outputs: Path, table: str, con: duckdb.DuckDBPyConnection | None = None) -> str | None:
    """The SELECT behind one table's view, or None when the table has no files.

    Tables written by an older pipeline may lack columns added since (projects.rule …): files are
    read by column name, and a column no file has reads as NULL, so old outputs stay queryable."""
    directory = outputs / table
    if not _has_parquet(directory):
        return None
    if table in PARTITIONED:
        files = _sql_string(str(directory / "**" / "*.parquet"))
        source = (
            f"read_parquet({files}, hive_partitioning = true, hive_types = {{'year': INTEGER}}, union_by_name = true)"
        )
    else:
        source = f"read_parquet({_sql_string(str(directory / '*.parquet'))}, union_by_name = true)"
    present = set((con or duckdb).sql(f"SELECT * FROM {source} LIMIT 0").columns)
    columns = ", ".join(
        _quoted(field.name)
        if field.name in present
        else f"CAST(NULL AS {_duckdb_type(field.type)}) AS {_quoted(field.name)}"
        for field in SCHEMAS[table]
    )
    return f"SELECT {columns} FROM {source}"


def _duckdb_type(arrow_type: pa.DataType) -> str:
    """DuckDB's name for a column type of pipeline.schema (for columns an older output lacks)."""
    if pa.types.is_list(arrow_type):
        return _duckdb_type(arrow_type.value_type) + "[]"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    names = {pa.string(): "VARCHAR", pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.float64(): "DOUBLE"}
    names[pa.date32()] = "DATE"
    names[pa.bool_()] = "BOOLEAN"
    return names[arrow_type]


def connect(outputs: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table of `outputs`."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    attach_views(con, outputs)
    return con


def attach_views(con: duckdb.DuckDBPyConnection, outputs: Path, schema: str = "main") -> None:
    """Create a view per table of `outputs` in `schema` (`main`: plain table names; `old`: old.targets …)."""
    outputs = Path(outputs)
    if not (outputs / "documents").is_dir():
        hint = f"run `zhpolicy run REPORTS --out {outputs}` first"
        raise QueryError(f"{outputs} holds no tables (no documents/ folder); {hint}")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(schema)}")
    for table, arrow_schema in SCHEMAS.items():
        select = view_sql(outputs, table, con)
        if select is None:  # no files yet: an empty view with the table's columns
            empty = f"zhpolicy_empty_{table}"
            con.register(empty, arrow_schema.empty_table())
            select = f"SELECT * FROM {empty}"
        con.execute(f"CREATE OR REPLACE VIEW {_quoted(schema)}.{_quoted(table)} AS {select}")


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation | None:
    """The relation of the last statement of `sql` (None for statements without a result)."""
    try:
        return con.sql(sql.strip().rstrip(";"))
    except duckdb.Error as error:
        raise QueryError(str(error).strip()) from None


def format_for(to: Path | None, requested: str | None, interactive: bool) -> str:
    """The output format: as asked; else from the file suffix; else a table in a terminal, CSV in a pipe."""
    if requested:
        fmt = requested
    elif to is not None:
        fmt = SUFFIX_FORMATS.get(to.suffix.lower())
        if fmt is None:
            raise QueryError(f"cannot tell the format of {to} from its suffix; give --format csv|json|parquet")
    else:
        fmt = "table" if interactive else "csv"
    if fmt == "parquet" and to is None:
        raise QueryError("--format parquet writes a file: give --to FILE.parquet")
    if fmt == "table" and to is not None:
        raise QueryError("--format table prints to the terminal; give --format csv|json|parquet with --to")
    return fmt


def write_file(con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, fmt: str, path: Path) -> int:
    """Write a result as CSV (header, UTF-8), JSON Lines (one object per row) or Parquet; returns rows written.

    The query runs first, into a stream of Arrow batches, so the scratch name it is copied from is
    never visible to the query itself (SHOW TABLES lists only the tables)."""
    options = {"csv": "FORMAT csv, HEADER true", "json": "FORMAT json", "parquet": "FORMAT parquet"}[fmt]
    scratch = "zhpolicy_result"
    writer = con.cursor()  # a second connection to the same database: the reader keeps the first one busy
    try:
        writer.register(scratch, relation.to_arrow_reader())
        written = writer.execute(f"COPY (SELECT * FROM {scratch}) TO {_sql_string(str(path))} ({options})").fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).strip()) from None
    finally:
        writer.close()
    return int(written[0][0]) if written else 0


def emit(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation | None,
    fmt: str,
    to: Path | None = None,
    stream: IO[str] | None = None,
    max_rows: int = 40,
) -> int | None:
    """Print or write a result; returns the number of rows written (None for the table view)."""
    stream = stream or sys.stdout
    if relation is None:
        return 0
    if fmt == "table":
        width = shutil.get_terminal_size((160, 40)).columns
        try:
            with contextlib.redirect_stdout(stream):  # DuckDB's box renderer prints through sys.stdout
                relation.show(max_width=width, max_rows=max_rows)
        except duckdb.Error as error:
            raise QueryError(str(error).strip()) from None
        return None
    if to is not None:
        to.parent.mkdir(parents=True, exist_ok=True)
        return write_file(con, relation, fmt, to)
    # CSV or JSON to a stream: DuckDB writes the same bytes it would write to a file.
    with tempfile.TemporaryDirectory(prefix="zhpolicy-query-") as scratch:
        path = Path(scratch) / f"result.{fmt}"
        rows = write_file(con, relation, fmt, path)
        with path.open(encoding="utf-8", newline="") as handle:
            shutil.copyfileobj(handle, stream)
    return rows


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
