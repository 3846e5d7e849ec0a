"""Whatever analysts throw at `zhpolicy run`: every good document is processed, every bad one is an
`errors` row naming the file, the stage and the reason, and the exit code says something failed.

The bad inputs are generated here (no committed blobs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import opencc
import pyarrow.dataset as ds
import pytest

from pipeline.cli import main
from pipeline.write import read_table
from tests.conftest import REPORTS

GOOD = ["xinxiang-2025.txt", "national-2007.txt", "ningbo-2016.md"]
NOVEL = (
    "第一回 宴桃园豪杰三结义 斩黄巾英雄首立功\n"
    "话说天下大势,分久必合,合久必分。周末七国分争,并入于秦。及秦灭之后,楚、汉分争,又并入于汉。\n"
) * 40
ENGLISH = "The quick brown fox jumps over the lazy dog. " * 200
HTML = (
    "<html><head><title>政府工作报告</title><style>td{color:red}</style>"
    "<script>document.write('不该出现')</script><link rel=stylesheet href='http://example.invalid/a.css'></head>"
    "<body><img src='http://example.invalid/x.png'><table><tr><td><table><tr><td>"
    "<p>经济增长6%左右,粮食产量稳定在90亿斤以上。</p></td></tr></table></td></tr></table></body></html>"
)


def _bad_inputs(folder: Path) -> dict[str, str | None]:
    """Write the bad-input corpus; returns file name -> expected error class (None: processed)."""
    seed = (REPORTS / "xinxiang-2025.txt").read_text(encoding="utf-8")
    simplified = opencc.OpenCC("t2s").convert(seed)
    expected: dict[str, str | None] = {}

    def put(name: str, data: bytes, error: str | None) -> None:
        (folder / name).write_bytes(data)
        expected[name] = error

    def variant(text: str, name: str) -> str:
        return text + f"\n各位代表!{name}。\n"  # each copy its own document, not a repeat of the seed

    put("empty.txt", b"", "EmptyInputError")
    put("blank.txt", b" \n\t\r\n  ", "EmptyInputError")
    put("image.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(256), "BinaryInputError")
    put("scan.md", b"%PDF-1.7\n" + os.urandom(256), "BinaryInputError")
    put("archive.html", b"PK\x03\x04" + os.urandom(256), "BinaryInputError")
    put("truncated.txt", variant(simplified, "截断").encode("utf-8")[:-1], None)
    put("gb18030.txt", variant(simplified, "国标").encode("gb18030"), None)
    put("big5.txt", variant(seed, "大五码").encode("big5", errors="ignore"), None)
    put("utf16-no-bom.txt", variant(simplified, "十六位").encode("utf-16-le"), None)
    put("one-line.txt", (("经济增长6%左右。" * 40 + "x") * 10).encode() + b"abcdefghij" * 2_000_000, None)
    put("page.html", HTML.encode("utf-8"), None)
    put("novel.txt", NOVEL.encode("utf-8"), None)
    put("english.txt", ENGLISH.encode("utf-8"), None)
    put("name with spaces 报告.txt", variant(simplified, "空格").encode("utf-8"), None)
    put("line\nbreak.txt", variant(simplified, "换行").encode("utf-8"), None)
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    expected["loop-a.txt"] = expected["loop-b.txt"] = "BrokenSymlink"
    os.mkfifo(folder / "pipe.txt")
    expected["pipe.txt"] = "NotRegularFile"
    locked = folder / "locked.txt"
    locked.write_bytes(variant(simplified, "锁").encode("utf-8"))
    locked.chmod(0)
    expected["locked.txt"] = None if os.geteuid() == 0 else "PermissionError"  # root reads anything
    (folder / "looks-like-a-file.txt").mkdir()
    (folder / "looks-like-a-file.txt" / "inside.md").write_text("各位代表:\n经济增长6%左右。\n", encoding="utf-8")
    expected["inside.md"] = None
    return expected


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inbox")
    for name in GOOD:
        shutil.copy(REPORTS / name, folder / name)
    expected = _bad_inputs(folder)
    out = tmp_path_factory.mktemp("out")
    code = main(["run", str(folder), "--out", str(out), "--workers", "2", "--no-progress"])
    return folder, out, expected, code


def test_exit_code_says_something_failed(bad_run):
    assert bad_run[3] == 1


def test_every_failure_names_file_stage_and_reason(bad_run):
    _, out, expected, _ = bad_run
    errors = read_table(out / "errors", "errors").to_pylist()
    got = {Path(e["source"]).name: e["error"] for e in errors}
    assert got == {name: error for name, error in expected.items() if error}
    for error in errors:
        assert error["stage"] and error["message"]


def test_every_good_document_is_processed(bad_run):
    _, out, expected, _ = bad_run
    sources = {Path(s).name for s in read_table(out / "documents", "documents", ["source"])["source"].to_pylist()}
    good = set(GOOD) | {name for name, error in expected.items() if error is None}
    assert sources == good


def test_tables_stay_traceable_on_bad_input(bad_run):
    _, out, _, _ = bad_run
    documents = {
        d["doc_id"]: d["text"] for d in read_table(out / "documents", "documents", ["doc_id", "text"]).to_pylist()
    }
    for table in ("sentences", "targets"):
        for row in read_table(out / table, table, ["doc_id", "start", "end", "text"]).to_pylist():
            assert documents[row["doc_id"]][row["start"] : row["end"]] == row["text"]


def test_html_scripts_never_reach_the_text(bad_run):
    _, out, _, _ = bad_run
    texts = read_table(out / "documents", "documents", ["source", "text"]).to_pylist()
    page = next(t["text"] for t in texts if t["source"].endswith("page.html"))
    assert "不该出现" not in page and "color" not in page and "经济增长6%左右" in page


def test_html_input_fetches_nothing(monkeypatch):
    import socket

    from pipeline.ingest import ingest

    def refuse(*args, **kwargs):
        raise AssertionError("ingest tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    doc = ingest(HTML.encode("utf-8"), "page.html")
    assert "90亿斤" in doc.text


def test_no_pickle_or_eval_of_input():
    import regex

    root = Path(__file__).resolve().parent.parent
    forbidden = regex.compile(r"pickle\.loads?\(|(?<![\w.])eval\(|(?<![\w.])exec\(|marshal\.loads?\(|yaml\.load\(")
    for path in [*root.glob("pipeline/*.py"), *root.glob("extractors/*.py")]:
        found = forbidden.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name} uses {found.group()}"


# --------------------------------------------------------------------------- crashes and concurrency


def _inbox(folder: Path, copies: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    base = [(REPORTS / n).read_text(encoding="utf-8", errors="ignore") for n in ("ningbo-2016.md", "baicheng-2020.md")]
    for i in range(copies):
        (folder / f"r{i:03d}.md").write_text(base[i % 2] + f"\n各位代表!第{i}份。\n", encoding="utf-8")


def _snapshot(out: Path) -> dict[str, list]:
    tables = {}
    for table in ("documents", "sentences", "targets"):
        data = ds.dataset(out / table, format="parquet", partitioning="hive").to_table()
        rows = data.select(
            [c for c in data.column_names if c not in ("text_original", "align_text", "align_original")]
        ).to_pylist()
        tables[table] = sorted(rows, key=lambda r: (r["doc_id"], r.get("start", 0), r.get("end", 0), str(r)))
    return tables


def _run_cli(args: list[str], **kwargs) -> subprocess.Popen:
    env = {**os.environ, "ZHPOLICY_FLUSH_EVERY": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", *args, "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        **kwargs,
    )


def test_sigkill_mid_run_leaves_previous_tables_and_rerun_finishes(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    _inbox(inbox, 4)
    assert main(["run", str(inbox), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    before = _snapshot(out)
    _inbox(inbox, 40)
    process = _run_cli([str(inbox), "--out", str(out), "--workers", "1"])
    deadline = time.time() + 120
    while time.time() < deadline and not any(out.glob(".staging-*/sentences/**/*.parquet")):
        time.sleep(0.05)
    process.kill()
    process.wait()
    assert _snapshot(out) == before  # old tables intact and readable
    assert main(["run", str(inbox), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    after = _snapshot(out)
    assert len({r["doc_id"] for r in after["documents"]}) == 40
    keys = [(r["doc_id"], r["sentence_id"]) for r in after["sentences"]]
    assert len(keys) == len(set(keys))  # no duplicate rows
    assert not list(out.glob(".staging-*")) and not list(out.glob(".trash-*"))


def test_second_run_on_same_output_refuses_with_a_clear_message(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    _inbox(inbox, 30)
    first = _run_cli([str(inbox), "--out", str(out), "--workers", "1"])
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob(".staging-*")):
        time.sleep(0.05)
    second = _run_cli([str(inbox), "--out", str(out), "--workers", "1"])
    _, err = second.communicate(timeout=120)
    first.communicate(timeout=300)
    assert second.returncode == 3
    assert "another `zhpolicy run` is writing" in err.decode()
    assert first.returncode == 0


def test_runs_are_deterministic_whatever_the_workers(tmp_path):
    inbox = tmp_path / "in"
    _inbox(inbox, 6)
    for name in GOOD:
        shutil.copy(REPORTS / name, inbox / name)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        assert main(["run", str(inbox), "--out", str(out), "--workers", workers, "--no-progress"]) == 0
        outputs.append(out)
    for table in ("documents", "sections", "sentences", "keywords", "targets", "projects", "entities"):
        first, second = (ds.dataset(o / table, format="parquet", partitioning="hive").to_table() for o in outputs)
        assert first.equals(second), f"{table} differs between --workers 1 and 2"
