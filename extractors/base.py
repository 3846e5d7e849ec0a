"""The interface every extractor implements, rule-based or statistical (DESIGN.md, stage 4).

An extractor is an object with `name`, `version`, `method`, the `table` it fills, what it
`requires` of the document, and `extract(doc)` yielding row records for that table. Rows carry
every column of the table except `doc_id` and `year`, which the runner adds. Extractors do no I/O
and keep no state beyond the lexicons they load once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pipeline.records import StructuredDocument

T = TypeVar("T")


@runtime_checkable
class Extractor(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    method: ClassVar[str]  # "rule" | "model" | "merged" (pipeline.schema.METHODS)
    table: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]  # "sentences", "tokens", "sections"

    def extract(self, doc: StructuredDocument) -> Iterable[Any]: ...


def label(extractor: Extractor) -> str:
    """How rows name their extractor: name@version."""
    return f"{extractor.name}@{extractor.version}"


def per_document(compute: Callable[..., T]) -> Callable[..., T]:
    """Remember `compute(doc, *args)` for the document in hand, so extractors that build on the same
    analysis (the rule, model and merged sector taggers) do it once per document, not once each.

    Keyed by identity (of the document and of every argument): documents are immutable, and hashing
    one would cost more than the work saved.
    Only the latest document is kept, so nothing outlives the next document.
    """
    last: list = [None, None, None]  # doc, args, result

    @functools.wraps(compute)
    def remembered(doc: StructuredDocument, *args):
        if last[0] is not doc or last[1] is None or any(a is not b for a, b in zip(args, last[1], strict=True)):
            last[:] = [doc, args, compute(doc, *args)]
        return last[2]

    return remembered
