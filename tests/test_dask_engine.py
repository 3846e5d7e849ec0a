"""`zhpolicy run --engine dask` writes the same tables as the local engine (against a LocalCluster)."""

from __future__ import annotations

import shutil

import pyarrow.dataset as ds
import pytest

from pipeline.cli import main
from tests.conftest import REPORTS

distributed = pytest.importorskip("distributed", reason="the Dask engine needs the 'distributed' package")

REPORT_NAMES = ("xinxiang-2025.txt", "henan-2016.md", "guangzhou-2008.md")
TABLES = ("documents", "sections", "sentences", "keywords", "targets", "projects", "entities", "sector_tags")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        yield cluster.scheduler_address


def _inbox(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in REPORT_NAMES:
        shutil.copy(REPORTS / name, inbox / name)
    (inbox / "empty.txt").write_bytes(b"")
    return inbox


def _table(out, table):
    return ds.dataset(out / table, format="parquet", partitioning="hive").to_table()


def test_dask_engine_writes_the_local_engines_tables(tmp_path, scheduler, capsys):
    inbox = _inbox(tmp_path)
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["run", str(inbox), "--out", str(local), "--workers", "1", "--no-progress"]) == 1
    code = main(["run", str(inbox), "--out", str(dask), "--engine", "dask", "--scheduler", scheduler, "--no-progress"])
    assert code == 1  # the empty file fails on both engines; the three reports do not
    for table in TABLES:
        assert _table(dask, table).equals(_table(local, table)), f"{table} differs between the engines"
    errors = _table(dask, "errors").to_pylist()
    assert [e["source"].rsplit("/", 1)[-1] for e in errors] == ["empty.txt"]
    assert _table(dask, "documents").num_rows == len(REPORT_NAMES)


def test_dask_engine_skips_unchanged_documents(tmp_path, scheduler, capsys):
    inbox = _inbox(tmp_path)
    (inbox / "empty.txt").unlink()
    out = tmp_path / "out"
    args = ["run", str(inbox), "--out", str(out), "--engine", "dask", "--scheduler", scheduler, "--no-progress"]
    assert main(args) == 0
    assert main(args) == 0
    assert "skipped" in capsys.readouterr().out.lower()
    assert _table(out, "documents").num_rows == len(REPORT_NAMES)


def test_dask_engine_needs_a_scheduler(tmp_path, capsys):
    inbox = _inbox(tmp_path)
    assert main(["run", str(inbox), "--out", str(tmp_path / "out"), "--engine", "dask", "--no-progress"]) == 2
    assert "--scheduler" in capsys.readouterr().err
