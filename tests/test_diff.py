"""`zhpolicy diff`: rows added, removed and changed per table, matched by ROW_KEYS; exit codes."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.diff import compared_columns, diff_outputs, format_diff
from pipeline.errors import DiffError
from pipeline.schema import ROW_KEYS, SCHEMAS


@pytest.fixture()
def copy(outputs, tmp_path):
    target = tmp_path / "new"
    shutil.copytree(outputs, target)
    return target


def _edit(folder, table, change):
    """Rewrite the first Parquet file of a table through `change(arrow table) -> arrow table`."""
    path = sorted((folder / table).rglob("*.parquet"))[0]
    data = pq.read_table(path, schema=pq.read_schema(path))
    pq.write_table(change(data), path)
    return data


def _set(data, column, row, value):
    values = data.column(column).to_pylist()
    values[row] = value
    index = data.schema.get_field_index(column)
    return data.set_column(index, data.schema.field(index), pa.array(values, data.schema.field(index).type))


def _by_table(diffs):
    return {d.table: d for d in diffs}


def test_identical_outputs_agree(outputs, copy, capsys):
    diffs = diff_outputs(outputs, copy)
    assert not any(d.differs for d in diffs)
    assert _by_table(diffs)["targets"].old_rows == _by_table(diffs)["targets"].new_rows > 0
    assert main(["diff", str(outputs), str(copy), "--fail-on-change"]) == 0
    assert "no differences" in capsys.readouterr().out


def test_removed_and_changed_rows_are_counted_with_their_sentence(outputs, copy, capsys):
    original = _edit(copy, "targets", lambda t: _set(t, "value", 1, (t["value"][1].as_py() or 0) + 1).slice(1))
    removed, changed = original.slice(0, 1).to_pylist()[0], original.slice(1, 1).to_pylist()[0]
    targets = _by_table(diff_outputs(outputs, copy))["targets"]
    assert (targets.added, targets.removed, targets.changed) == (0, 1, 1)
    assert targets.changed_columns == (("value", 1),)
    (gone,) = [e for e in targets.examples if e.kind == "removed"]
    assert dict(gone.key)["start"] == removed["start"] and gone.text == removed["text"]
    assert removed["text"] in gone.context  # the sentence it was in
    (edited,) = [e for e in targets.examples if e.kind == "changed"]
    assert edited.changes[0][0] == "value" and dict(edited.key)["start"] == changed["start"]
    assert main(["diff", str(outputs), str(copy)]) == 0  # differences are printed, not failed on
    out = capsys.readouterr().out
    assert "removed 1" in out and "outputs differ" in out and removed["text"] in out
    assert main(["diff", str(outputs), str(copy), "--fail-on-change"]) == 1


def test_a_row_at_new_offsets_is_added(outputs, copy):
    def add(t):
        extra = _set(t.slice(0, 1), "start", 0, t["start"][0].as_py() + 1)
        return pa.concat_tables([t, extra])

    diffs = _by_table(diff_outputs(outputs, copy, tables=["projects"]))
    assert not diffs["projects"].differs
    _edit(copy, "projects", add)
    projects = _by_table(diff_outputs(outputs, copy, tables=["projects"]))["projects"]
    assert (projects.added, projects.removed, projects.changed) == (1, 0, 0)


def test_versions_are_compared_unless_ignored(outputs, copy):
    _edit(copy, "sector_tags", lambda t: _set(t, "extractor", 0, "sectors@999"))
    assert _by_table(diff_outputs(outputs, copy))["sector_tags"].changed == 1
    assert not _by_table(diff_outputs(outputs, copy, ignore_versions=True))["sector_tags"].differs


def test_run_bookkeeping_and_float_noise_are_not_differences(outputs, copy):
    _edit(copy, "runs", lambda t: _set(t, "seconds", 0, 1e9))
    _edit(copy, "targets", lambda t: _set(t, "confidence", 0, t["confidence"][0].as_py() * (1 + 1e-12)))
    assert not any(d.differs for d in diff_outputs(outputs, copy))


def test_a_document_only_in_one_output(outputs, copy):
    _edit(copy, "documents", lambda t: t.slice(1))
    documents = _by_table(diff_outputs(outputs, copy, tables=["documents"]))["documents"]
    assert documents.removed == 1
    assert "documents: removed 1" in format_diff([documents])


def test_keys_and_compared_columns_cover_every_column():
    for table, keys in ROW_KEYS.items():
        names = SCHEMAS[table].names
        assert set(keys) <= set(names), table
        assert set(keys).isdisjoint(compared_columns(table))
        assert "extractor" not in compared_columns(table, ignore_versions=True)
    assert "runs" not in ROW_KEYS


def test_unknown_table_and_missing_folder_are_usage_errors(outputs, tmp_path, capsys):
    with pytest.raises(DiffError):
        diff_outputs(outputs, outputs, tables=["runs"])
    assert main(["diff", str(outputs), str(tmp_path / "none")]) == 2
    assert "no tables" in capsys.readouterr().err
