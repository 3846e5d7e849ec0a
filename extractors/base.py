"""The interface every extractor implements, rule-based or statistical (DESIGN.md, stage 4).

An extractor is an object with `name`, `version`, `method`, the `table` it fills, what it
`requires` of the document, and `extract(doc)` yielding row records for that table. Rows carry
every column of the table except `doc_id` and `year`, which the runner adds. Extractors do no I/O
and keep no state beyond the lexicons they load once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, runtime_checkable

from pipeline.records import StructuredDocument


@runtime_checkable
class Extractor(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    method: ClassVar[str]  # "rule" | "model" | "merged" (rows then say which: extractors/merge.py)
    table: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]  # "sentences", "tokens", "sections"

    def extract(self, doc: StructuredDocument) -> Iterable[Any]: ...


def label(extractor: Extractor) -> str:
    """How rows name their extractor: name@version."""
    return f"{extractor.name}@{extractor.version}"
