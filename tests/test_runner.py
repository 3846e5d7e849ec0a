from __future__ import annotations

import shutil
import threading

import duckdb
import pytest

from pipeline.cli import main, stage_lines, summary
from pipeline.runner import run, run_lock
from tests.conftest import REPORTS

SMALL = ["xinxiang-2025.txt", "national-2007.txt", "ningbo-2016.md"]


@pytest.fixture()
def inbox(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(REPORTS / name, folder / name)
    return folder


def _sql(out, query):
    con = duckdb.connect()
    for table in ("documents", "sentences", "sections", "keywords", "errors", "runs"):
        if (out / table).exists():
            con.execute(
                f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning=true)"
            )
    return con.execute(query).fetchall()


def test_run_writes_tables_and_every_sentence_is_traceable(inbox, tmp_path):
    out = tmp_path / "out"
    report = run(inbox, out, workers=1, progress=False)
    assert (report.n_docs, report.n_failed) == (3, 0)
    for table in ("documents", "sections", "sentences", "keywords", "errors", "runs"):
        assert (out / table).is_dir()
    assert (out / "documents" / "year=2025").is_dir()
    mismatches = _sql(
        out,
        "SELECT count(*) FROM sentences s JOIN documents d USING (doc_id) "
        'WHERE substring(d.text, s.start + 1, s."end" - s.start) <> s.text',
    )
    assert mismatches == [(0,)]
    assert _sql(out, "SELECT region, level, year FROM documents ORDER BY year") == [
        ("国务院", "national", 2007),
        ("宁波市", "city", 2016),
        ("新乡市", "city", 2025),
    ]
    assert _sql(out, "SELECT count(DISTINCT doc_id) FROM keywords") == [(3,)]


def test_the_report_says_where_the_time_went_per_stage_and_extractor(inbox, tmp_path):
    report = run(inbox, tmp_path / "out", workers=1, progress=False)
    printed = summary(report)  # what `zhpolicy run` prints at its end
    stages = report.stage_seconds
    every_stage = {"ingest", "metadata", "structure", "segment", "tables", "write"}
    assert every_stage | {"keywords", "targets", "projects", "sector_tags_merged"} <= set(stages)
    assert all(seconds >= 0 for seconds in stages.values())
    # the extractors, not the bookkeeping, are where a report's time goes
    assert stages["targets"] > stages["metadata"]
    assert "CPU seconds by stage" in printed and "targets" in printed


def test_stage_lines_rank_the_costliest_first_with_their_share():
    assert stage_lines({"segment": 1.0, "projects": 3.0, "write": 0.0}) == [
        "  CPU seconds by stage (4.0 in all): projects 3.0 (75%), segment 1.0 (25%), write 0.0 (0%)"
    ]
    assert stage_lines({}) == []


def test_rerun_skips_unchanged_and_force_reprocesses_without_duplicates(inbox, tmp_path):
    out = tmp_path / "out"
    first = run(inbox, out, workers=1, progress=False)
    second = run(inbox, out, workers=1, progress=False)
    assert (second.n_docs, second.n_skipped) == (0, 3)
    forced = run(inbox, out, workers=2, progress=False, force=True)
    assert forced.n_docs == 3
    assert forced.rows["sentences"] == first.rows["sentences"]
    assert (
        _sql(out, "SELECT count(*), count(DISTINCT (doc_id, sentence_id)) FROM sentences")[0][0]
        == first.rows["sentences"]
    )
    assert _sql(out, "SELECT count(*) FROM runs") == [(3,)]


def test_changed_document_replaces_its_old_rows(inbox, tmp_path):
    out = tmp_path / "out"
    run(inbox, out, workers=1, progress=False)
    path = inbox / "ningbo-2016.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n各位代表!新增一句。\n", encoding="utf-8")
    report = run(inbox, out, workers=1, progress=False)
    assert report.n_docs == 1
    assert _sql(out, "SELECT count(*) FROM documents") == [(3,)]
    assert _sql(out, "SELECT count(DISTINCT doc_id) FROM sentences") == [(3,)]


def test_bad_files_are_errors_and_the_rest_is_processed(inbox, tmp_path, capsys):
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    out = tmp_path / "out"
    code = main(["run", str(inbox), "--out", str(out), "--workers", "1", "--no-progress"])
    assert code == 1
    errors = _sql(out, "SELECT source, stage, error FROM errors ORDER BY source")
    assert [(e[0].rsplit("/", 1)[-1], e[1], e[2]) for e in errors] == [
        ("empty.txt", "ingest", "EmptyInputError"),
        ("image.txt", "ingest", "BinaryInputError"),
    ]
    assert _sql(out, "SELECT count(*) FROM documents") == [(3,)]
    assert "empty.txt" in capsys.readouterr().err


def test_usage_errors_exit_2(tmp_path):
    assert main(["run", str(tmp_path / "missing"), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["run"])
    assert exit_info.value.code == 2


def test_a_second_run_on_the_same_output_refuses(inbox, tmp_path, capsys):
    out = tmp_path / "out"
    held = threading.Event()
    release = threading.Event()

    def hold():
        with run_lock(out):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    try:
        # flock is per open file description, so a second open in this process conflicts too
        code = main(["run", str(inbox), "--out", str(out), "--workers", "1", "--no-progress"])
    finally:
        release.set()
        thread.join()
    assert code == 3
    assert "another `zhpolicy run`" in capsys.readouterr().err


@pytest.mark.parametrize("workers", [1, 2])
def test_a_text_in_two_files_is_written_once_whichever_chunks_hold_them(tmp_path, workers, monkeypatch):
    import pipeline.runner as runner

    monkeypatch.setattr(runner, "FLUSH_EVERY", 2)  # copies land in the same chunk and in different ones
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(REPORTS / name, folder / name)
    for copy in ("0-copy.txt", "1-copy.txt"):  # sorted first: one chunk holds both, a later one the original
        shutil.copy(REPORTS / "xinxiang-2025.txt", folder / copy)
    out = tmp_path / "out"
    report = run(folder, out, workers=workers, progress=False)
    assert (report.n_docs, report.n_skipped, report.n_failed) == (3, 2, 0)
    assert _sql(out, "SELECT count(*), count(DISTINCT doc_id) FROM documents") == [(3, 3)]
    per_doc = _sql(out, "SELECT doc_id, count(*) FROM sentences GROUP BY doc_id ORDER BY doc_id")
    alone = run(REPORTS / "xinxiang-2025.txt", tmp_path / "alone", workers=1, progress=False)
    assert alone.n_sentences in {n for _, n in per_doc}
    assert sum(n for _, n in per_doc) == report.n_sentences
