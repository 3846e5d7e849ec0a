"""zhpolicy: Chinese government work reports -> query-ready Parquet tables.

from pipeline import run
report = run("corpus/reports", "outputs")
"""

from pipeline.schema import PIPELINE_VERSION as __version__


def run(*args, **kwargs):
    """Process report files into tables; see pipeline.runner.run."""
    from pipeline.runner import run as _run

    return _run(*args, **kwargs)


__all__ = ["__version__", "run"]
