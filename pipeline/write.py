"""Stage 5, write: rows -> Arrow tables validated against pipeline.schema -> Parquet datasets.

Tables in PARTITIONED are hive-partitioned by `year` under <out>/<table>/year=YYYY/; `errors` and
`runs` are small single files. A run writes into a staging folder and swaps each table in with a
rename, so readers never see a half-written table and an interrupted run leaves the previous
tables as they were.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.schema import PARTITIONED, schema_for


def rows_to_table(table: str, rows: Iterable[Any], **constants: Any) -> pa.Table:
    """Build an Arrow table column by column from records (dataclasses or dicts).

    `constants` fill columns the records do not carry (doc_id, year)."""
    schema = schema_for(table)
    rows = list(rows)
    read = [name for name in schema.names if name not in constants]
    columns = dict(zip(read, record_columns(rows, read), strict=True))
    columns.update({name: [value] * len(rows) for name, value in constants.items() if name in schema.names})
    return pa.Table.from_pydict({name: columns[name] for name in schema.names}, schema=schema)


def record_columns(rows: list[Any], names: list[str]) -> list[list[Any]]:
    """The named fields of every record, one list per name (None where a record lacks the field)."""
    if not rows or not names:
        return [[] for _ in names]
    if isinstance(rows[0], dict):
        return [[row.get(name) for row in rows] for name in names]
    if len(names) > 1:
        try:  # one C-level getter per record and a transpose: the rows of a table share one type
            return [list(column) for column in zip(*map(attrgetter(*names), rows), strict=True)]
        except AttributeError:
            pass
    return [[getattr(row, name, None) for row in rows] for name in names]


def _partitioning(table: str) -> ds.Partitioning | None:
    if table not in PARTITIONED:
        return None
    return ds.partitioning(pa.schema([pa.field("year", pa.int32())]), flavor="hive")


def write_batch(directory: Path, table: str, data: pa.Table, basename: str) -> None:
    """Add one batch of rows to a dataset folder (new files, nothing overwritten).

    Small unpartitioned tables (errors, runs) get a file even when empty, so readers always find one."""
    if data.num_rows == 0 and table in PARTITIONED:
        return
    directory.mkdir(parents=True, exist_ok=True)
    if table in PARTITIONED:
        ds.write_dataset(
            data,
            directory,
            format="parquet",
            partitioning=_partitioning(table),
            basename_template=f"{basename}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
            preserve_order=True,  # same input, same row order: runs are reproducible
        )
    else:
        pq.write_table(data, directory / f"{basename}.parquet")


def read_table(directory: Path, table: str, columns: list[str] | None = None) -> pa.Table:
    """A table as written (an empty table with the right schema when nothing is there)."""
    schema = schema_for(table)
    if not directory.exists() or not any(directory.rglob("*.parquet")):
        return schema.empty_table() if columns is None else schema.empty_table().select(columns)
    dataset = ds.dataset(directory, format="parquet", schema=schema, partitioning=_partitioning(table))
    return dataset.to_table(columns=columns)


def copy_rows_except(old_dir: Path, new_dir: Path, table: str, drop_doc_ids: set[str], basename: str) -> int:
    """Stream the rows of an existing dataset into the staging one, leaving out replaced documents."""
    if not old_dir.exists() or not any(old_dir.rglob("*.parquet")):
        return 0
    schema = schema_for(table)
    dataset = ds.dataset(old_dir, format="parquet", schema=schema, partitioning=_partitioning(table))
    expression = None
    if drop_doc_ids and "doc_id" in schema.names:
        expression = ~pc.field("doc_id").isin(pa.array(sorted(drop_doc_ids), pa.string()))
    copied = 0
    for i, batch in enumerate(dataset.to_batches(filter=expression, batch_size=64_000)):
        if batch.num_rows:
            write_batch(new_dir, table, pa.Table.from_batches([batch], schema=schema), f"{basename}-{i}")
            copied += batch.num_rows
    return copied


def drop_from_batch(directory: Path, table: str, batch: str, doc_ids: set[str]) -> None:
    """Take the rows of `doc_ids` out of one staged batch's files (a worker staged a text that an
    earlier batch already holds)."""
    files = sorted(directory.rglob(f"{batch}-*.parquet")) if directory.exists() else []
    schema = schema_for(table)
    if not files or "doc_id" not in schema.names:
        return
    dataset = ds.dataset(
        [str(f) for f in files],
        format="parquet",
        schema=schema,
        partitioning=_partitioning(table),
        partition_base_dir=str(directory),
    )
    kept = dataset.to_table(filter=~pc.field("doc_id").isin(pa.array(sorted(doc_ids), pa.string())))
    for file in files:
        file.unlink()
    write_batch(directory, table, kept, f"{batch}-kept")


def swap_in(staging: Path, out: Path, tables: Iterable[str], trash: Path) -> None:
    """Replace each <out>/<table> by <staging>/<table> with renames; old ones go to `trash`."""
    trash.mkdir(parents=True, exist_ok=True)
    for table in tables:
        new = staging / table
        current = out / table
        if not new.exists():
            if not current.exists():
                continue  # no extractor fills this table yet
            new.mkdir(parents=True)
        if current.exists():
            current.rename(trash / table)
        new.rename(current)
    shutil.rmtree(trash, ignore_errors=True)


def recover(out: Path) -> None:
    """Undo a swap that was cut short: put back any table left only in a trash folder."""
    for trash in sorted(out.glob(".trash-*")):
        for moved in trash.iterdir():
            target = out / moved.name
            if not target.exists():
                moved.rename(target)
        shutil.rmtree(trash, ignore_errors=True)
    for staging in out.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)
