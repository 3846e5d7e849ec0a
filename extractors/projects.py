"""Projects and entities by rule (extractors.names), with stage, category, status and period.

Two extractors share one pass over names: `ProjectExtractor` fills `projects`, `EntityExtractor`
fills `entities`. The statistical model (extractors.name_model) fills the same tables with
method "model"; `merge` combines both (extractors.registry uses the merged output by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from extractors.names import Name, find_names
from extractors.targets import status_and_period
from pipeline.lexicon import read_tsv
from pipeline.records import ExtractedRow, Sentence, StructuredDocument, provenance

_TOPIC = regex.compile(r"^([\p{Han}]{2,5})方面[,:]")


@dataclass(frozen=True, slots=True)
class ProjectRow(ExtractedRow):
    name: str
    category: str | None
    stage: str | None
    status: str | None
    period: int | None
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class EntityRow(ExtractedRow):
    name: str
    kind: str | None
    rule: str | None = None


@cache
def _stages() -> tuple[dict[str, str], regex.Pattern]:
    table = {row["cue"]: row["stage"] for row in read_tsv("project_stages.tsv")}
    return table, regex.compile("|".join(regex.escape(c) for c in sorted(table, key=len, reverse=True)))


@cache
def _topic_categories() -> dict[str, str]:
    return {row["topic"]: row["category"] for row in read_tsv("project_topics.tsv")}


def stage_of(text: str, start: int, end: int) -> str | None:
    """A completion cue after the name in its clause (…等项目竣工投产) wins; else the nearest cue before."""
    table, pattern = _stages()
    clause_start = max((m.end() for m in regex.finditer(r"[,;。]", text[:start])), default=0)
    after = regex.search(r"[,;。]", text[end:])
    clause_end = end + (after.start() if after else len(text) - end)
    following = [table[m.group()] for m in pattern.finditer(text, end, clause_end)]
    if "complete" in following:
        return "complete"
    before = [table[m.group()] for m in pattern.finditer(text, clause_start, start)]
    if before:
        return before[-1]
    return following[0] if following else None


def category_of(text: str, name: Name) -> str | None:
    if name.category:
        return name.category
    topic = _TOPIC.match(text)
    return _topic_categories().get(topic.group(1)) if topic else "other"


def sentence_names(sentence: Sentence) -> list[Name]:
    return find_names(sentence.text)


class _NameExtractor:
    version = "1.0"
    method = "rule"
    requires = ("sentences", "sections")
    name: str
    table: str

    def extract(self, doc: StructuredDocument):
        label = f"{self.name}@{self.version}"
        for sentence in doc.content_sentences():
            yield from sentence_rows(sentence, doc.year, self.table, label, self.method)


class ProjectExtractor(_NameExtractor):
    name = "projects"
    table = "projects"


class EntityExtractor(_NameExtractor):
    name = "entities"
    table = "entities"


def sentence_rows(sentence: Sentence, year: int | None, table: str, label: str, method: str = "rule"):
    """The rows of one table that a sentence gives."""
    for name in sentence_names(sentence):
        if name.table != table:
            continue
        if table == "entities":
            yield entity_row(sentence, name, label, method, 0.8)
            continue
        row = project_row(sentence, name, year, label, method, 0.8)
        if row.stage is not None:  # a facility merely mentioned (白云国际机场旅客吞吐量…) is no project
            yield row


def project_row(sentence: Sentence, name: Name, year: int | None, label: str, method: str, confidence: float):
    text = sentence.text
    status, period = status_and_period(text, name.start, sentence.role, year, None)
    return ProjectRow(
        **provenance(sentence, name.start, name.end, label, method, confidence),
        name=name.name,
        category=category_of(text, name),
        stage=stage_of(text, name.start, name.end),
        status=status,
        period=period,
        rule=name.rule,
    )


def entity_row(sentence: Sentence, name: Name, label: str, method: str, confidence: float):
    return EntityRow(
        **provenance(sentence, name.start, name.end, label, method, confidence),
        name=name.name,
        kind=name.kind,
        rule=name.rule,
    )


def _rows_for_text(text: str, role: str, year: int | None, table: str) -> list:
    return list(sentence_rows(Sentence(0, None, 0, 0, len(text), text, role), year, table, f"{table}@test"))


def project_rows_for_text(text: str, role: str = "tasks", year: int | None = 2025) -> list[ProjectRow]:
    """Project rows for one sentence (examples, tests, debugging)."""
    return _rows_for_text(text, role, year, "projects")


def entity_rows_for_text(text: str, role: str = "tasks", year: int | None = 2025) -> list[EntityRow]:
    """Entity rows for one sentence (examples, tests, debugging)."""
    return _rows_for_text(text, role, year, "entities")
