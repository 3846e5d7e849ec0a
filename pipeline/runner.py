"""The runner: streams documents through the stages on all cores and writes the tables.

`from pipeline import run; run("corpus/reports", "outputs")` is all a caller needs.

Documents are processed in chunks by workers (ingest -> metadata -> structure -> segment -> extract
-> Arrow tables), and each worker writes its chunk's rows into a staging folder itself: the main
process only collects small records, so it neither holds rows nor makes the workers wait.
Failures become `errors` rows and the batch goes on. Unchanged documents (same bytes, same
pipeline and extractor versions) are skipped unless `force`. Tables are swapped in at the end;
an interrupted run leaves the previous tables as they were.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import hashlib
import itertools
import math
import os
import shutil
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extractors.base import Extractor
from extractors.registry import by_name, describe
from pipeline.errors import UsageError, ZhpolicyError
from pipeline.ingest import ingest
from pipeline.metadata import with_metadata
from pipeline.records import StructuredDocument
from pipeline.schema import DOCUMENT_TABLES, PIPELINE_VERSION
from pipeline.segment import segment
from pipeline.structure import structure
from pipeline.write import (
    copy_rows_except,
    drop_from_batch,
    read_table,
    recover,
    rows_to_table,
    swap_in,
    write_batch,
)

FLUSH_EVERY = int(os.environ.get("ZHPOLICY_FLUSH_EVERY", "32"))  # documents buffered per written batch
MAX_BYTES = 64 * 1024 * 1024  # a report is a few hundred kB; anything this big is not one
STATE_FILE = ".state.parquet"
LOCK_FILE = ".lock"
_STATE_SCHEMA = pa.schema(
    [("source", pa.string()), ("sha256", pa.string()), ("doc_id", pa.string()), ("version", pa.string())]
)


class RunLocked(ZhpolicyError):
    code = "E901"
    stage = "discover"


StageSeconds = tuple[tuple[str, float], ...]


class Stopwatch:
    """CPU seconds per stage of one document, summed over the laps of the same name. CPU time
    (`time.process_time`), not wall time: what a stage costs, whatever else the machine runs. The
    local engine's workers run one document at a time; a Dask worker with several threads charges
    each stage with its neighbours' time too, so there the shares are rough."""

    __slots__ = ("_last", "_seconds")

    def __init__(self) -> None:
        self._seconds: dict[str, float] = defaultdict(float)
        self._last = time.process_time()

    def lap(self, stage: str) -> None:
        """Charge the time since the previous lap (or the start) to `stage`."""
        now = time.process_time()
        self._seconds[stage] += now - self._last
        self._last = now

    def readings(self) -> StageSeconds:
        return tuple(self._seconds.items())


@dataclass(frozen=True, slots=True)
class Failure:
    source: str
    stage: str
    error: str
    message: str


@dataclass(frozen=True, slots=True)
class Skipped:
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Processed:
    source: str
    sha256: str
    doc_id: str
    n_chars: int
    n_sentences: int
    tables: dict[str, pa.Table]
    seconds: float
    batch: str | None = None  # the staged files already holding its rows (written by a worker)
    stage_seconds: StageSeconds = ()  # CPU seconds per stage and extractor (`Stopwatch`)


@dataclass(frozen=True, slots=True)
class RunReport:
    run_id: str
    out: Path
    n_docs: int
    n_skipped: int
    n_failed: int
    n_chars: int
    n_sentences: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    failures: tuple[Failure, ...] = ()
    stage_seconds: dict[str, float] = field(default_factory=dict)  # CPU seconds, summed over documents and workers

    @property
    def mb_per_second(self) -> float:
        return self.n_chars * 3 / 1e6 / self.seconds if self.seconds else 0.0


# --------------------------------------------------------------------------- one document


def _version_key(extractors: tuple[Extractor, ...]) -> str:
    return f"{PIPELINE_VERSION}|{describe(extractors)}"


def structured_from_bytes(raw: bytes, source: str, stopwatch: Stopwatch | None = None) -> StructuredDocument:
    """Stages 1-3 (ingest, metadata, structure, segment) for one document's bytes; with a
    `stopwatch`, each stage charges its time to it."""
    watch = stopwatch or Stopwatch()
    document = ingest(raw, source)
    watch.lap("ingest")
    document = with_metadata(document)
    watch.lap("metadata")
    structured = structure(document)
    watch.lap("structure")
    structured = segment(structured)
    watch.lap("segment")
    return structured


def process_bytes(
    raw: bytes, source: str, extractors: tuple[Extractor, ...], stopwatch: Stopwatch | None = None
) -> dict[str, pa.Table]:
    """All stages for one document's bytes; returns its rows per table. Raises on failure.
    With a `stopwatch`, each stage and extractor charges its time to it."""
    watch = stopwatch or Stopwatch()
    return tables_of(structured_from_bytes(raw, source, watch), extractors, watch)


def tables_of(
    structured: StructuredDocument, extractors: tuple[Extractor, ...], stopwatch: Stopwatch | None = None
) -> dict[str, pa.Table]:
    """Stages 4-5 short of writing: every extractor's rows, and the document's own tables."""
    watch = stopwatch or Stopwatch()
    doc = structured.document
    keys = {"doc_id": doc.doc_id, "year": doc.meta.year}
    meta = doc.meta
    document_row = {
        "source": doc.source,
        "sha256": doc.sha256,
        "encoding": doc.encoding,
        "format": doc.format,
        "script": doc.script,
        "title": meta.title,
        "region": meta.region,
        "region_code": meta.region_code,
        "level": meta.level,
        "province": meta.province,
        "meeting": meta.meeting,
        "delivered_on": meta.delivered_on,
        "speaker": meta.speaker,
        "speaker_title": meta.speaker_title,
        "n_chars": len(doc.text),
        "text": doc.text,
        "text_original": doc.text_original,
        "align_text": list(doc.align_text),
        "align_original": list(doc.align_original),
        "pipeline_version": PIPELINE_VERSION,
    }
    tables = {
        "documents": rows_to_table("documents", [document_row], **keys),
        "sections": rows_to_table("sections", structured.sections, **keys),
        "sentences": rows_to_table("sentences", structured.sentences, **keys),
    }
    watch.lap("tables")
    rows: dict[str, list] = defaultdict(list)
    for extractor in extractors:
        rows[extractor.table].extend(extractor.extract(structured))
        watch.lap(extractor.name)
    for table, table_rows in rows.items():
        tables[table] = rows_to_table(table, table_rows, **keys)
    watch.lap("tables")
    return tables


ENGINES = ("local", "dask")
_WORKER_EXTRACTORS: tuple[Extractor, ...] = ()
_WORKER_NAMES: tuple | None = None  # (extractor names,) this process was set up for


# A few lines in the shape of a report: processing them once loads every lexicon and model.
_WARM_UP = (
    "政府工作报告\n一、2024年工作回顾\n全市生产总值增长5.2%,加快建设抽水蓄能电站。\n"
    "二、2025年主要目标\n城镇新增就业5万人。\n"
)


def _init_worker(extractor_names: tuple[str, ...] | None) -> None:
    """Set this process up to run `extractor_names` (once: a forked worker inherits its parent's set-up)."""
    global _WORKER_EXTRACTORS, _WORKER_NAMES
    if (extractor_names,) == _WORKER_NAMES:
        return
    _WORKER_NAMES = (extractor_names,)
    _WORKER_EXTRACTORS = by_name(list(extractor_names) if extractor_names else None)
    process_bytes(_WARM_UP.encode(), "warm-up.txt", _WORKER_EXTRACTORS)
    # Lexicons, automata and models live as long as the process: keeping them out of the cyclic
    # collector's generations stops every full collection from re-scanning them (a document makes
    # hundreds of thousands of short-lived tuples, which triggers many collections).
    gc.freeze()


def _process_task(task: tuple[str, str | None]) -> Processed | Skipped | Failure:
    source, known_sha = task
    started = time.perf_counter()
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Failure(source, "read", "FileTooLarge", f"{size} bytes is more than the {MAX_BYTES} a report can be")
        raw = path.read_bytes()
    except OSError as error:
        return Failure(source, "read", type(error).__name__, f"cannot read file: {error.strerror or error}")
    sha = hashlib.sha256(raw).hexdigest()
    if known_sha == sha:
        return Skipped(source, "unchanged")
    stopwatch = Stopwatch()
    try:
        tables = process_bytes(raw, source, _WORKER_EXTRACTORS, stopwatch)
    except ZhpolicyError as error:
        return Failure(source, error.stage, type(error).__name__, str(error))
    except Exception as error:  # any bug on one document must not stop the batch
        stage = _stage_of(error)
        return Failure(source, stage, type(error).__name__, f"{error} (unexpected; please report)")
    documents = tables["documents"]
    return Processed(
        source=source,
        sha256=sha,
        doc_id=documents["doc_id"][0].as_py(),
        n_chars=documents["n_chars"][0].as_py(),
        n_sentences=tables["sentences"].num_rows,
        tables=tables,
        seconds=time.perf_counter() - started,
        stage_seconds=stopwatch.readings(),
    )


def write_processed(staging: Path, batch: str, processed: list[Processed]) -> list[Processed]:
    """Stage the rows of `processed` as one batch of files per table; the records come back without
    their tables (the files hold them), each naming its batch."""
    buffers: dict[str, list[pa.Table]] = defaultdict(list)
    for outcome in processed:
        for table, data in outcome.tables.items():
            buffers[table].append(data)
    for table, parts in buffers.items():
        write_batch(staging / table, table, pa.concat_tables(parts), batch)
    return [replace(outcome, tables={}, batch=batch) for outcome in processed]


def _process_chunk(chunk: tuple[int, list[tuple[str, str | None]], Path]) -> list[Processed | Skipped | Failure]:
    """A run of tasks in one worker, which stages their rows itself: the parent process only
    collects small records, so with two workers neither waits on a serial writer."""
    number, tasks, staging = chunk
    return stage_outcomes(staging, number, [_process_task(task) for task in tasks])


def stage_outcomes(staging: Path, number: int, outcomes: list) -> list[Processed | Skipped | Failure]:
    """Write the rows of one chunk's documents as batch `number`; a text seen twice in the chunk is
    written once (copies of texts seen in earlier chunks are the parent's to drop: `drop_from_batch`)."""
    first: dict[str, int] = {}
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, Processed):
            first.setdefault(outcome.doc_id, index)
    clock = time.process_time()
    written = write_processed(staging, f"new-{number:05d}", [outcomes[i] for i in sorted(first.values())])
    written = iter(with_write_time(written, time.process_time() - clock))
    staged: list[Processed | Skipped | Failure] = []
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, Processed):
            outcome = next(written) if first[outcome.doc_id] == index else replace(outcome, tables={})
        staged.append(outcome)
    return staged


def with_write_time(processed: list[Processed], seconds: float) -> list[Processed]:
    """A batch is written at once: its time is shared among its documents by their length."""
    n_chars = sum(outcome.n_chars for outcome in processed) or 1
    return [
        replace(outcome, stage_seconds=(*outcome.stage_seconds, ("write", seconds * outcome.n_chars / n_chars)))
        for outcome in processed
    ]


def _stage_of(error: BaseException) -> str:
    """The stage whose module raised `error`, from its traceback."""
    stage = "extract"
    tb = error.__traceback__
    names = {"ingest": "ingest", "metadata": "ingest", "structure": "structure", "segment": "segment"}
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        for key, value in names.items():
            if module == f"pipeline.{key}":
                stage = value
        tb = tb.tb_next
    return stage


# --------------------------------------------------------------------------- discovery and state

REPORT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".shtml", ".xhtml", ""}


def discover(inputs: list[Path]) -> tuple[list[str], list[Failure]]:
    """Report files under the inputs, sorted; problems found while walking become failures."""
    sources: list[str] = []
    failures: list[Failure] = []
    for root in inputs:
        if root.is_file():
            sources.append(str(root))
            continue
        if not root.exists():
            raise UsageError(f"input does not exist: {root}")
        for directory, subdirs, files in os.walk(
            root,
            followlinks=False,
            onerror=lambda e: failures.append(
                Failure(str(e.filename), "discover", type(e).__name__, f"cannot list directory: {e.strerror}")
            ),
        ):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or name in {"MANIFEST.tsv", "README.md"}:
                    continue
                path = Path(directory) / name
                if path.suffix.lower() not in REPORT_SUFFIXES:
                    continue
                if path.is_symlink() and not path.exists():
                    failures.append(
                        Failure(str(path), "discover", "BrokenSymlink", "symbolic link points nowhere (or loops)")
                    )
                    continue
                if not path.is_file():
                    failures.append(
                        Failure(str(path), "discover", "NotRegularFile", "not a regular file (FIFO, socket, device)")
                    )
                    continue
                sources.append(str(path))
    return sorted(dict.fromkeys(sources)), failures


def printable(source: str) -> str:
    """A file name on one line, whatever characters it has (names may hold newlines)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in source)


def load_state(out: Path) -> dict[str, tuple[str, str, str]]:
    path = out / STATE_FILE
    if not path.exists():
        return {}
    table = pq.read_table(path)
    return {row["source"]: (row["sha256"], row["doc_id"], row["version"]) for row in table.to_pylist()}


def save_state(out: Path, state: dict[str, tuple[str, str, str]]) -> None:
    rows = [{"source": s, "sha256": v[0], "doc_id": v[1], "version": v[2]} for s, v in sorted(state.items())]
    tmp = out / (STATE_FILE + ".tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=_STATE_SCHEMA), tmp)
    tmp.replace(out / STATE_FILE)


@contextmanager
def run_lock(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    with (out / LOCK_FILE).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(f"another `zhpolicy run` is writing to {out}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- the run


def process_on_worker(task: tuple[str, str | None], extractor_names: tuple[str, ...] | None):
    """One task in a long-lived worker of another engine (Dask): set the worker up once, then process."""
    _init_worker(extractor_names)
    return _process_task(task)


def chunk_size(n_tasks: int, workers: int) -> int:
    """Documents per chunk: FLUSH_EVERY, or fewer so that every worker gets several chunks (the
    last chunks of a run then end close together)."""
    if workers <= 1:
        return FLUSH_EVERY
    return max(1, min(FLUSH_EVERY, math.ceil(n_tasks / (workers * 4))))


def _outcomes(tasks, workers: int, extractor_names, staging: Path, engine: str = "local", scheduler: str | None = None):
    """Each chunk's outcomes, in task order, with their rows already staged."""
    if engine == "dask":
        from pipeline import dask_engine

        # the cluster returns rows; the client stages them, FLUSH_EVERY documents to a batch
        outcomes = dask_engine.outcomes(tasks, extractor_names, scheduler)
        for number in itertools.count():
            chunk = list(itertools.islice(outcomes, FLUSH_EVERY))
            if not chunk:
                return
            yield stage_outcomes(staging, number, chunk)
    size = chunk_size(len(tasks), workers)
    chunks = [(n, tasks[i : i + size], staging) for n, i in enumerate(range(0, len(tasks), size))]
    if workers <= 1:
        _init_worker(extractor_names)
        yield from map(_process_chunk, chunks)
        return
    context = get_context("fork") if sys.platform != "win32" else get_context()
    if context.get_start_method() == "fork":
        _init_worker(extractor_names)  # load lexicons and models once; the forked workers share the pages
    with context.Pool(workers, initializer=_init_worker, initargs=(extractor_names,)) as pool:
        yield from pool.imap(_process_chunk, chunks, chunksize=1)


def run(
    inputs: str | Path | list[str | Path],
    out: str | Path = "outputs",
    *,
    workers: int | None = None,
    force: bool = False,
    progress: bool | None = None,
    extractor_names: list[str] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> RunReport:
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
    if engine == "dask" and not scheduler:
        raise UsageError("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    started_at = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    out = Path(out)
    roots = [Path(p) for p in (inputs if isinstance(inputs, list) else [inputs])]
    extractors = by_name(extractor_names)
    version = _version_key(extractors)
    workers = workers or os.cpu_count() or 1
    run_id = started_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]

    with run_lock(out):
        recover(out)
        sources, failures = discover(roots)
        for failure in failures:
            print(f"failed: {printable(failure.source)}: [{failure.stage}] {failure.message}", file=sys.stderr)
        state = load_state(out)
        tasks = [(s, state[s][0] if s in state and state[s][2] == version and not force else None) for s in sources]
        staging = out / f".staging-{run_id}"
        new_state = dict(state)
        drop_ids: set[str] = set()
        seen_ids: dict[str, str] = {}
        copies: dict[str, set[str]] = defaultdict(set)  # batch -> doc_ids staged there a second time
        n_docs = n_skipped = n_chars = n_sentences = 0
        stage_seconds: dict[str, float] = defaultdict(float)

        bar = _progress(len(tasks), progress)
        names = tuple(extractor_names) if extractor_names else None
        for chunk in _outcomes(tasks, workers, names, staging, engine, scheduler):
            for outcome in chunk:
                bar.update(1)
                if isinstance(outcome, Failure):
                    failures.append(outcome)
                    message = f"failed: {printable(outcome.source)}: [{outcome.stage}] {outcome.message}"
                    bar.write(message, file=sys.stderr)
                    continue
                if isinstance(outcome, Skipped):
                    n_skipped += 1
                    continue
                for stage, spent in outcome.stage_seconds:
                    stage_seconds[stage] += spent
                if outcome.doc_id in seen_ids:
                    n_skipped += 1
                    if outcome.batch is not None:
                        copies[outcome.batch].add(outcome.doc_id)
                    bar.write(f"skipped: {outcome.source}: same text as {seen_ids[outcome.doc_id]}", file=sys.stderr)
                    continue
                seen_ids[outcome.doc_id] = outcome.source
                previous = state.get(outcome.source)
                if previous:
                    drop_ids.add(previous[1])
                drop_ids.add(outcome.doc_id)
                new_state[outcome.source] = (outcome.sha256, outcome.doc_id, version)
                n_docs += 1
                n_chars += outcome.n_chars
                n_sentences += outcome.n_sentences
        bar.close()
        for batch, doc_ids in copies.items():
            for table in DOCUMENT_TABLES:
                drop_from_batch(staging / table, table, batch, doc_ids)

        tables_to_swap = ["errors", "runs"]
        if n_docs:
            for table in DOCUMENT_TABLES:
                copy_rows_except(out / table, staging / table, table, drop_ids, "kept")
            tables_to_swap = [*DOCUMENT_TABLES, *tables_to_swap]
        finished_at = dt.datetime.now(dt.UTC)
        seconds = time.perf_counter() - clock
        error_rows = [
            {"run_id": run_id, "source": f.source, "stage": f.stage, "error": f.error, "message": f.message}
            for f in failures
        ]
        write_batch(staging / "errors", "errors", rows_to_table("errors", error_rows), "errors")
        runs = read_table(out / "runs", "runs")
        this_run = rows_to_table(
            "runs",
            [
                {
                    "run_id": run_id,
                    "started_at": started_at,
                    "finished_at": finished_at,
                    "pipeline_version": PIPELINE_VERSION,
                    "extractors": describe(extractors),
                    "n_docs": n_docs,
                    "n_skipped": n_skipped,
                    "n_failed": len(failures),
                    "n_chars": n_chars,
                    "seconds": seconds,
                }
            ],
        )
        write_batch(staging / "runs", "runs", pa.concat_tables([runs, this_run]), "runs")
        swap_in(staging, out, tables_to_swap, out / f".trash-{run_id}")
        save_state(out, new_state)
        shutil.rmtree(staging, ignore_errors=True)
    return RunReport(
        run_id=run_id,
        out=out,
        n_docs=n_docs,
        n_skipped=n_skipped,
        n_failed=len(failures),
        n_chars=n_chars,
        n_sentences=n_sentences,
        seconds=seconds,
        rows=table_sizes(out),
        failures=tuple(failures),
        stage_seconds=dict(stage_seconds),
    )


def _progress(total: int, enabled: bool | None):
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="doc",
        disable=(None if enabled is None else not enabled),
        file=sys.stderr,
        dynamic_ncols=True,
    )


def table_sizes(out: Path) -> dict[str, int]:
    """Rows in every table under `out`, as a reader would count them."""
    return {
        table: read_table(out / table, table, columns=[]).num_rows
        for table in (*DOCUMENT_TABLES, "errors", "runs")
        if (out / table).exists()
    }


__all__ = ["Failure", "Processed", "RunLocked", "RunReport", "Skipped", "discover", "process_bytes", "run"]
