"""Projects and entities by rule (extractors.names), with stage, category, status and period.

Two extractors share one pass over names: `ProjectExtractor` fills `projects`, `EntityExtractor`
fills `entities`. The fields of a project row come from its sentence:

- stage: a completion cue after the name in its clause wins (…等项目竣工投产), else the nearest cue
  before it (lexicons/project_stages.tsv); a name with no cue at all is a facility merely mentioned
  (白云国际机场旅客吞吐量…) and gives no project row;
- category: a topic lead-in (交通方面, ; lexicons/project_topics.tsv), else the suffix when it says
  the field (水库, 高铁), else words in the name (lexicons/project_category_words.tsv: 郑州国际文化
  创意产业园 → culture), else a weak suffix's field (产业园 → industry), else words in the sentence;
- status and period: from the section role and year cues (extractors.targets.status_and_period).

An organization that is being built (建成阜外华中心血管病医院, 加快荷美尔肿瘤研究院建设;
lexicons/construction_cues.tsv) is a project too. The extractors themselves (rules, the statistical
model, and their merge, the default) are in extractors.merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import regex

from extractors.names import Name, find_names, tokens_of
from extractors.targets import status_and_period
from pipeline.lexicon import read_tsv
from pipeline.records import ExtractedRow, Sentence, StructuredDocument, Token, provenance

_TOPIC = regex.compile(r"^([\p{Han}]{2,5})方面[,:]")
_CLAUSE = regex.compile(r"[,;。:!?]")
_SEPARATOR = regex.compile(r"(?:主体工程|工程|项目)?(?:、|和|及|以及)")  # …华中分中心主体工程、阜外…
_LIST_CLOSE = regex.compile(r"^等[^,;。:]{0,10}?(?:项目|工程)")
RULE_CONFIDENCE = 0.8


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


@cache
def _category_words() -> tuple[dict[str, str], regex.Pattern]:
    table = {row["word"]: row["category"] for row in read_tsv("project_category_words.tsv")}
    words = "|".join(regex.escape(w) for w in sorted(table, key=len, reverse=True))
    return table, regex.compile(f"(?<![A-Za-z])(?:{words})(?![A-Za-z])")  # 5G, not 5GW


@cache
def _construction_cues() -> tuple[regex.Pattern, regex.Pattern]:
    rows = read_tsv("construction_cues.tsv")

    def alternation(position: str) -> str:
        cues = sorted((r["cue"] for r in rows if r["position"] == position), key=len, reverse=True)
        return "|".join(regex.escape(c) for c in cues)

    return regex.compile(f"(?:{alternation('before')})$"), regex.compile(f"(?:{alternation('after')})(?:[,;。:、]|$)")


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    after = _CLAUSE.search(text, end)
    return clause_start, after.start() if after else len(text)


def stage_of(text: str, start: int, end: int, names: Sequence[tuple[int, int]] = ()) -> str | None:
    """A completion cue after the name in its clause wins (…等项目竣工投产); else the nearest cue before.
    Cues inside other names of the sentence (`names`: their spans) are no cues: …运营服务中心."""
    table, pattern = _stages()
    clause_start, clause_end = _clause(text, start, end)

    def cues(a: int, b: int) -> list[str]:
        return [table[m.group()] for m in pattern.finditer(text, a, b) if not any(s <= m.start() < e for s, e in names)]

    following = cues(end, clause_end)
    if "complete" in following:
        return "complete"
    before = cues(clause_start, start)
    if before:
        return before[-1]
    return following[0] if following else None


def _first_category_word(text: str) -> str | None:
    table, pattern = _category_words()
    match = pattern.search(text)
    return table[match.group()] if match else None


def category_of(text: str, name: Name) -> str:
    topic = _TOPIC.match(text)
    if topic and topic.group(1) in _topic_categories():
        return _topic_categories()[topic.group(1)]
    if name.category and not name.weak:
        return name.category
    from_name = _first_category_word(name.name)
    if from_name:
        return from_name
    if name.category:
        return name.category
    return _first_category_word(text) or "other"


def _list_span(text: str, name: Name, names: Sequence[Name]) -> tuple[int, int]:
    """The span of the list of names `name` stands in (…主体工程、阜外华中心血管病医院), with its close
    (等项目)."""
    start, end = name.start, name.end
    spans = sorted((n.start, n.end) for n in names)
    moved = True
    while moved:
        moved = False
        for a, b in spans:
            if b <= start and _SEPARATOR.fullmatch(text, b, start):
                start, moved = a, True
            if a >= end and _SEPARATOR.fullmatch(text, end, a):
                end, moved = b, True
    close = _LIST_CLOSE.match(text, end)
    return start, close.end() if close else end


def is_under_construction(text: str, name: Name, names: Sequence[Name] = ()) -> bool:
    """建成国家心血管病中心华中分中心主体工程、阜外华中心血管病医院; 河南新乡工商职业学院建成招生."""
    before, after = _construction_cues()
    start, end = _list_span(text, name, names or [name])
    return bool(before.search(text, 0, start) or after.match(text, end))


def _with_construction_projects(text: str, names: list[Name]) -> list[Name]:
    taken = {(n.start, n.end) for n in names if n.table == "projects"}
    extra = [
        replace(n, table="projects", kind=None, category=None, rule="construction")
        for n in names
        if n.table == "entities" and n.kind != "enterprise" and (n.start, n.end) not in taken
        if is_under_construction(text, n, names)
    ]
    return names + extra


def sentence_names(sentence: Sentence, tokens: Sequence[Token] | None = None) -> list[Name]:
    """Every name of one sentence, for both tables (`tokens`: the sentence's, as the segment stage gives them)."""
    return text_names(sentence.text, local_tokens(sentence, tokens))


def text_names(text: str, tokens: Sequence[Token]) -> list[Name]:
    """Every name of one sentence's text, for both tables (`tokens`: offsets from the sentence's start)."""
    return _with_construction_projects(text, find_names(text, tokens))


def local_tokens(sentence: Sentence, tokens: Sequence[Token] | None) -> tuple[Token, ...]:
    """A sentence's tokens, offsets from its start (the segment stage's, or segmented afresh when the
    document has none)."""
    return tokens_of(sentence.text) if tokens is None else tuple(tokens)


def content_sentences_with_tokens(doc: StructuredDocument):
    """(sentence, its tokens or None) for the sentences extractors read."""
    tokens = doc.tokens if len(doc.tokens) == len(doc.sentences) else (None,) * len(doc.sentences)
    for sentence, sentence_tokens in zip(doc.sentences, tokens, strict=True):
        if sentence.noise is None and sentence.duplicate_of is None:
            yield sentence, (sentence_tokens or None)


def rows_from_names(
    sentence: Sentence,
    names: Sequence[Name],
    year: int | None,
    table: str,
    label: str,
    method: str = "rule",
    confidence: float = RULE_CONFIDENCE,
    scores: Sequence[tuple[str, float]] | None = None,
):
    """The rows of one table that a sentence's names give (`scores`: per name, its method and
    confidence, when they differ from name to name)."""
    spans = tuple((n.start, n.end) for n in names)
    for index, name in enumerate(names):
        if name.table != table:
            continue
        how, score = scores[index] if scores is not None else (method, confidence)
        if table == "entities":
            yield entity_row(sentence, name, label, how, score)
            continue
        row = project_row(sentence, name, year, label, how, score, spans)
        if row.stage is not None:  # a facility merely mentioned (白云国际机场旅客吞吐量…) is no project
            yield row


def sentence_rows(sentence: Sentence, year: int | None, table: str, label: str, method: str = "rule"):
    """The rows of one table that a sentence gives, by rule."""
    yield from rows_from_names(sentence, sentence_names(sentence), year, table, label, method)


def project_row(
    sentence: Sentence,
    name: Name,
    year: int | None,
    label: str,
    method: str,
    confidence: float,
    others: Sequence[tuple[int, int]] = (),
):
    text = sentence.text
    status, period = status_and_period(text, name.start, sentence.role, year, None)
    return ProjectRow(
        **provenance(sentence, name.start, name.end, label, method, confidence),
        name=name.name,
        category=category_of(text, name),
        stage=stage_of(text, name.start, name.end, others),
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
