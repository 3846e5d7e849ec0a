"""Every error the pipeline raises on purpose, one class per stage, with a code and a clear message.

The runner turns any of these (and any unexpected exception) into a row of the `errors` table.
"""

from __future__ import annotations


class ZhpolicyError(Exception):
    code = "E000"
    stage = "ingest"

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class LexiconError(ZhpolicyError):
    code = "E001"
    stage = "ingest"


class ReadError(ZhpolicyError):
    """The file could not be read at all (permissions, not a regular file, loop)."""

    code = "E100"
    stage = "read"


class EmptyInputError(ZhpolicyError):
    code = "E101"
    stage = "ingest"


class BinaryInputError(ZhpolicyError):
    code = "E102"
    stage = "ingest"


class EncodingError(ZhpolicyError):
    code = "E103"
    stage = "ingest"


class StructureError(ZhpolicyError):
    code = "E200"
    stage = "structure"


class ExtractorError(ZhpolicyError):
    code = "E400"
    stage = "extract"


class UsageError(ZhpolicyError):
    code = "E900"
    stage = "discover"


class QueryError(UsageError):
    """SQL that cannot run, an output folder without tables, a format that needs a file."""

    code = "E910"


class PanelError(UsageError):
    """A panel that cannot be built as asked (unknown column, level or status)."""

    code = "E920"


class DiffError(UsageError):
    """Two output folders that cannot be compared as asked (unknown table)."""

    code = "E930"


class ShowError(UsageError):
    """A report that is not in the outputs, or names several documents."""

    code = "E940"
