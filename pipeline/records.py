"""Typed, immutable records that flow between the stages.

Offsets are half-open character offsets into `Document.text` unless a name says otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None = None
    region: str | None = None
    region_code: str | None = None
    level: str | None = None
    province: str | None = None
    year: int | None = None
    meeting: str | None = None
    delivered_on: dt.date | None = None
    speaker: str | None = None
    speaker_title: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded, normalized report. `text` is simplified, half-width; `text_original` is the
    decoded file as it was; `align_*` map every index of `text` into `text_original`."""

    doc_id: str
    source: str
    sha256: str
    encoding: str
    format: str
    script: str
    text: str
    text_original: str
    align_text: tuple[int, ...]
    align_original: tuple[int, ...]
    noise: tuple[Span, ...] = ()
    front_matter: tuple[tuple[str, str], ...] = ()
    meta: Metadata = field(default_factory=Metadata)

    def original_offset(self, i: int) -> int:
        """Index in `text_original` of `text[i]` (i == len(text) maps past the last char)."""
        from bisect import bisect_right

        if i >= len(self.text):
            return len(self.text_original)
        k = bisect_right(self.align_text, i) - 1
        return self.align_original[k] + i - self.align_text[k]


@dataclass(frozen=True, slots=True)
class Section:
    section_id: int
    parent_id: int | None
    depth: int
    marker: str | None
    title: str | None
    role: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    sentence_id: int
    section_id: int | None
    paragraph: int
    start: int
    end: int
    text: str
    role: str
    noise: str | None = None
    duplicate_of: int | None = None


class Token(NamedTuple):
    """One word with its offsets. A NamedTuple, not a frozen dataclass like the other records: a
    megabyte of report text makes ~170,000 of them, and a tuple is three times cheaper to create."""

    start: int
    end: int
    word: str
    pos: str


@dataclass(frozen=True, slots=True)
class ExtractedRow:
    """What every extraction row carries besides doc_id and year (added by the runner):
    where it is (sentence, half-open offsets into Document.text, the text itself) and who made it."""

    sentence_id: int
    start: int
    end: int
    text: str
    extractor: str
    method: str
    confidence: float


def provenance(sentence: Sentence, start: int, end: int, extractor: str, method: str, confidence: float) -> dict:
    """ExtractedRow's fields for sentence.text[start:end] (offsets within the sentence)."""
    return {
        "sentence_id": sentence.sentence_id,
        "start": sentence.start + start,
        "end": sentence.start + end,
        "text": sentence.text[start:end],
        "extractor": extractor,
        "method": method,
        "confidence": confidence,
    }


@dataclass(frozen=True, slots=True)
class StructuredDocument:
    document: Document
    sections: tuple[Section, ...]
    sentences: tuple[Sentence, ...]
    # Tokens per sentence (same order as `sentences`), offsets from the sentence's start (every reader
    # wants them so: the name rules and the name model); empty for noise and duplicate sentences.
    tokens: tuple[tuple[Token, ...], ...] = ()

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    @property
    def year(self) -> int | None:
        return self.document.meta.year

    def content_sentences(self):
        """Sentences extractors should read: not web noise, not a repeat of another sentence."""
        for sentence in self.sentences:
            if sentence.noise is None and sentence.duplicate_of is None:
                yield sentence
