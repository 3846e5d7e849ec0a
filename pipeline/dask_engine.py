"""The Dask engine: the same per-document stages as the local pool, run on a Dask cluster.

Only the per-document work (`runner._process_task`: read, ingest, structure, segment, extract)
runs on the cluster; the client keeps everything that touches the output folder (state, staging,
the swap), so the tables it writes are the ones the local engine writes. Results come back in
submission order, which is what makes the tables identical row for row. At most a few documents
per worker thread are in flight, so the client's memory stays flat however long the batch is.

Input paths must be readable by the workers at the same path (a shared filesystem), as on any
Dask cluster that reads files.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from pipeline.errors import UsageError

IN_FLIGHT_PER_THREAD = 2


def _client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--engine dask needs the 'distributed' package: pip install 'zhpolicy[dask]'") from None
    try:
        return Client(scheduler, timeout="20s")
    except OSError as error:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None


def outcomes(
    tasks: Iterable[tuple[str, str | None]], extractor_names: tuple[str, ...] | None, scheduler: str
) -> Iterator:
    """Outcome of every task, in the order of `tasks`, computed on the cluster at `scheduler`."""
    from pipeline.runner import Failure, process_on_worker

    with _client(scheduler) as client:
        window = IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values()))
        queued = iter(tasks)

        def submit(task):
            return task[0], client.submit(process_on_worker, task, extractor_names, pure=False)

        pending = deque(submit(task) for task in islice(queued, window))
        while pending:
            source, future = pending.popleft()
            try:
                yield future.result()
            except Exception as error:  # a worker lost mid-document: that document fails, the batch goes on
                yield Failure(source, "extract", type(error).__name__, f"Dask worker failed: {error}")
            finally:
                future.release()
            pending.extend(submit(task) for task in islice(queued, 1))
