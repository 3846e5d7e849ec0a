"""`zhpolicy diff OLD NEW`: what changed between two output folders, table by table.

Rows are matched by the table's key (pipeline.schema.ROW_KEYS: the document, the offsets and the
fields that say what a row is). A key only in NEW is an added row, only in OLD a removed row; a key
in both whose other columns differ is a changed row (floats equal within 1e-9 relative). Columns
that differ between any two runs (the `runs` table, `errors.run_id`) are never compared; version
strings (`extractor`, `pipeline_version`) are unless `ignore_versions`. Each listed row comes with
its sentence, so a maintainer sees what a rule change did without opening the tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa

from pipeline.errors import DiffError
from pipeline.query import attach_views
from pipeline.schema import ROW_KEYS, RUN_COLUMNS, SCHEMAS, VERSION_COLUMNS

Kind = Literal["added", "removed", "changed"]
KINDS: tuple[Kind, ...] = ("added", "removed", "changed")
SHOWN_CHARS = 80  # values and sentences are cut to this many characters in the listing
# What to print beside a row of a table that has no sentence_id of its own.
CONTEXT_COLUMN = {"documents": "source", "sections": "title", "sentences": "text", "errors": "message"}


@dataclass(frozen=True, slots=True)
class RowChange:
    table: str
    kind: Kind
    key: tuple[tuple[str, Any], ...]
    text: str | None  # the row's own text (extraction tables)
    context: str | None  # its sentence (or the source, title, message where a table has no sentence)
    changes: tuple[tuple[str, str | None, str | None], ...] = ()  # column, old value, new value (as text)


@dataclass(frozen=True, slots=True)
class TableDiff:
    table: str
    old_rows: int
    new_rows: int
    added: int
    removed: int
    changed: int
    changed_columns: tuple[tuple[str, int], ...]  # column, rows in which it changed
    examples: tuple[RowChange, ...]

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def compared_columns(table: str, ignore_versions: bool = False) -> tuple[str, ...]:
    skip = set(ROW_KEYS[table]) | set(RUN_COLUMNS.get(table, ()))
    if ignore_versions:
        skip |= set(VERSION_COLUMNS)
    return tuple(f.name for f in SCHEMAS[table] if f.name not in skip)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _differs(column: str, dtype: pa.DataType) -> str:
    a, b = f"o.{_q(column)}", f"n.{_q(column)}"
    if pa.types.is_floating(dtype):
        return f"({a} IS DISTINCT FROM {b} AND NOT coalesce(abs({a} - {b}) <= 1e-9 * greatest(1, abs({a})), false))"
    return f"{a} IS DISTINCT FROM {b}"


def _shown(expression: str) -> str:
    return f"left(CAST({expression} AS VARCHAR), {SHOWN_CHARS + 1})"


def diff_sql(table: str, ignore_versions: bool = False) -> str:
    """The rows of `table` that differ between schemas old and new, one per row, with what changed."""
    keys = ROW_KEYS[table]
    columns = compared_columns(table, ignore_versions)
    types = {f.name: f.type for f in SCHEMAS[table]}
    partition = ", ".join(_q(k) for k in keys)
    order = ", ".join(_q(c) for c in columns) or partition
    numbered = "SELECT *, row_number() OVER (PARTITION BY {p} ORDER BY {o}) AS zh_occurrence FROM {s}.{t}"
    # Two rows with the same key (rare: the same span read twice) are paired in column order.
    same_key = [f"o.{_q(k)} IS NOT DISTINCT FROM n.{_q(k)}" for k in keys]
    on = " AND ".join([*same_key, "o.zh_occurrence = n.zh_occurrence"])
    changed = [f"CASE WHEN {_differs(c, types[c])} THEN ['{c}'] ELSE []::VARCHAR[] END" for c in columns]
    changed_list = "[]::VARCHAR[]"
    if changed:  # only rows present on both sides can have changed columns
        both = "o.zh_occurrence IS NOT NULL AND n.zh_occurrence IS NOT NULL"
        changed_list = f"CASE WHEN {both} THEN flatten([{', '.join(changed)}]) ELSE []::VARCHAR[] END"
    extras = []
    if "text" in types:
        extras.append("coalesce(n.text, o.text) AS zh_text")
    if "sentence_id" in types:
        extras.append("coalesce(n.sentence_id, o.sentence_id) AS zh_sentence_id")
    if table in CONTEXT_COLUMN:
        column = _q(CONTEXT_COLUMN[table])
        extras.append(f"coalesce(n.{column}, o.{column}) AS zh_context")
    old_values = f"[{', '.join(_shown(f'o.{_q(c)}') for c in columns)}]" if columns else "[]::VARCHAR[]"
    new_values = f"[{', '.join(_shown(f'n.{_q(c)}') for c in columns)}]" if columns else "[]::VARCHAR[]"
    return f"""
    WITH o AS ({numbered.format(p=partition, o=order, s="old", t=_q(table))}),
         n AS ({numbered.format(p=partition, o=order, s="new", t=_q(table))}),
         joined AS (
            SELECT CASE WHEN o.zh_occurrence IS NULL THEN 'added'
                        WHEN n.zh_occurrence IS NULL THEN 'removed' ELSE 'changed' END AS zh_kind,
                   {", ".join(f"coalesce(n.{_q(k)}, o.{_q(k)}) AS {_q(k)}" for k in keys)},
                   {", ".join([*extras, f"{changed_list} AS zh_changed"])},
                   {old_values} AS zh_old, {new_values} AS zh_new
            FROM o FULL OUTER JOIN n ON {on}
         )
    SELECT * FROM joined WHERE zh_kind <> 'changed' OR len(zh_changed) > 0
    """


def _cut(value: str | None) -> str | None:
    if value is None or len(value) <= SHOWN_CHARS:
        return value
    return value[:SHOWN_CHARS] + "…"


def _examples(con: duckdb.DuckDBPyConnection, table: str, kind: Kind, show: int, columns: Sequence[str]) -> list:
    if show <= 0:
        return []
    keys = ROW_KEYS[table]
    fields = {f.name for f in SCHEMAS[table]}
    sentence = "NULL"
    joins = ""
    if "sentence_id" in fields and table != "sentences":
        side = "old" if kind == "removed" else "new"
        joins = f"LEFT JOIN {side}.sentences s ON s.doc_id = d.doc_id AND s.sentence_id = d.zh_sentence_id"
        sentence = "s.text"
    elif table in CONTEXT_COLUMN:
        sentence = "d.zh_context"
    text = "d.zh_text" if "text" in fields and table != "sentences" else "NULL"
    sql = f"""
    SELECT {", ".join(f"d.{_q(k)}" for k in keys)}, {text} AS zh_text, {sentence} AS zh_sentence,
           d.zh_changed, d.zh_old, d.zh_new
    FROM zh_diff d {joins}
    WHERE d.zh_kind = $kind
    ORDER BY {", ".join(f"d.{_q(k)}" for k in keys)}
    LIMIT {int(show)}
    """
    rows = []
    for row in con.execute(sql, {"kind": kind}).fetchall():
        key = tuple(zip(keys, row[: len(keys)], strict=True))
        text, context, changed, old, new = row[len(keys) :]
        changes = ()
        if kind == "changed":
            index = {c: i for i, c in enumerate(columns)}
            changes = tuple((c, _cut(old[index[c]]), _cut(new[index[c]])) for c in changed)
        rows.append(RowChange(table, kind, key, _cut(text), _cut(context), changes))
    return rows


def diff_table(con: duckdb.DuckDBPyConnection, table: str, ignore_versions: bool = False, show: int = 10) -> TableDiff:
    """Compare one table of the `old` and `new` schemas of `con`."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE zh_diff AS {diff_sql(table, ignore_versions)}")
    counts = Counter(dict(con.execute("SELECT zh_kind, count(*) FROM zh_diff GROUP BY ALL").fetchall()))
    columns_changed = con.execute(
        "SELECT c, count(*) FROM (SELECT unnest(zh_changed) AS c FROM zh_diff) GROUP BY c ORDER BY count(*) DESC, c"
    ).fetchall()
    columns = compared_columns(table, ignore_versions)
    examples = [e for kind in KINDS for e in _examples(con, table, kind, show, columns)]
    old_rows = con.execute(f"SELECT count(*) FROM old.{_q(table)}").fetchone()[0]
    new_rows = con.execute(f"SELECT count(*) FROM new.{_q(table)}").fetchone()[0]
    return TableDiff(
        table,
        old_rows,
        new_rows,
        counts["added"],
        counts["removed"],
        counts["changed"],
        tuple(columns_changed),
        tuple(examples),
    )


def diff_outputs(
    old: Path,
    new: Path,
    tables: Sequence[str] | None = None,
    ignore_versions: bool = False,
    show: int = 10,
) -> tuple[TableDiff, ...]:
    """Compare every table (or those named) of two output folders."""
    unknown = [t for t in tables or () if t not in ROW_KEYS]
    if unknown:
        raise DiffError(f"unknown table(s) {', '.join(unknown)}; comparable: {', '.join(ROW_KEYS)}")
    con = duckdb.connect(":memory:")
    attach_views(con, old, "old")
    attach_views(con, new, "new")
    return tuple(diff_table(con, table, ignore_versions, show) for table in (tables or ROW_KEYS))


def _key_text(change: RowChange) -> str:
    """doc_id, start–end, then name=value for the other key fields (∅ for null)."""
    key = dict(change.key)
    parts = [str(key.pop("doc_id"))] if "doc_id" in key else []
    if "start" in key and "end" in key:
        parts.append(f"{key.pop('start')}–{key.pop('end')}")
    parts += [f"{name}={'∅' if value is None else value}" for name, value in key.items()]
    return " ".join(parts)


def format_diff(diffs: Sequence[TableDiff]) -> str:
    """A summary line per table, then the rows that differ with their sentences."""
    width = max(len("table"), *(len(d.table) for d in diffs)) if diffs else len("table")
    header = f"{'table'.ljust(width)}  {'old rows':>9}  {'new rows':>9}  {'added':>7}  {'removed':>7}  {'changed':>7}"
    lines = [header]
    for d in diffs:
        lines.append(
            f"{d.table.ljust(width)}  {d.old_rows:>9}  {d.new_rows:>9}  {d.added:>7}  {d.removed:>7}  {d.changed:>7}"
        )
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for d in diffs:
        if not d.differs:
            continue
        lines.append("")
        counts = ", ".join(f"{kind} {getattr(d, kind)}" for kind in KINDS if getattr(d, kind))
        lines.append(f"{d.table}: {counts}")
        if d.changed_columns:
            lines.append("  changed columns: " + ", ".join(f"{c} {n}" for c, n in d.changed_columns))
        for kind in KINDS:
            shown = [e for e in d.examples if e.kind == kind]
            for change in shown:
                line = f"  {marks[kind]} {_key_text(change)}"
                if change.text:
                    line += f" «{change.text}»"
                lines.append(line)
                for column, old, new in change.changes:
                    lines.append(f"      {column}: {old} → {new}")
                if change.context:
                    lines.append(f"      | {change.context}")
            if len(shown) < getattr(d, kind):
                lines.append(f"  … {getattr(d, kind) - len(shown)} more {kind}")
    verdict = "no differences" if not any(d.differs for d in diffs) else "outputs differ"
    lines.append("")
    lines.append(verdict)
    return "\n".join(lines)
