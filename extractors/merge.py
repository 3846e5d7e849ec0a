"""The projects and entities extractors: by rule, by model, and merged (the default).

- `projects_rule`, `entities_rule`: the rules (extractors.projects); method "rule".
- `projects_model`, `entities_model`: the name model alone (extractors.name_model); method "model",
  confidence = the span's beam probability. Fields come from the same rule functions (stage,
  category, status, period; an ORG's kind from its suffix, else enterprise).
- `projects`, `entities` (default): every rule row, and the model's rows that no rule row overlaps
  and whose confidence reaches `model_min_confidence` (lexicons/name_thresholds.tsv, chosen on the
  held-out folds of `python -m pipeline.train_names cross-validate`). A row's method says who found
  it: "rule" (rules only), "model" (model only), "merged" (both, same span: confidence
  `agreement_confidence`). Where the two overlap with different spans, the rule's span wins: rules
  give names their exact extent (兰原 → 兰原高速), the model finds names rules have no suffix for.

Without a trained model (lexicons/models/projects/model/), the merged extractors give the rule rows
and the model extractors nothing; a warning says so once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import regex

from extractors import name_model
from extractors.names import (
    Name,
    _multi_char_boundaries,
    _suffixes,
    ends_as_a_facility,
    has_rare_word,
    is_government,
    is_modifier,
    is_place,
    may_hold_a_name,
    project_endings_in,
    threshold,
)
from extractors.projects import (
    RULE_CONFIDENCE,
    content_sentences_with_tokens,
    local_tokens,
    rows_from_names,
    text_names,
)
from pipeline.lexicon import read_list
from pipeline.records import Sentence, StructuredDocument, Token

RULES_VERSION = "2.0"
LEFT_REACH = 8  # characters a model name may extend a rule name leftwards (华兰基因生物与 is 7)
_LAST: dict[str, tuple] = {}  # mode -> ((doc_id, mode), scored names of that document)


@dataclass(frozen=True, slots=True)
class Scored:
    name: Name
    method: str  # rule | model | merged
    confidence: float


_EDGE = regex.compile(r"^[和与及、等]+|[和与及、等]+$")
_INSIDE_CUT = regex.compile(r"[,;:。!?、\s]|以及|及")


def model_pieces(text: str, tokens: Sequence[Token], span: name_model.ModelSpan) -> list[name_model.ModelSpan]:
    """A model span as the rules would cut it: split where a boundary verb or a list separator stands
    inside it (中原银行加快网点布局 -> 中原银行, 网点布局; 白云湖和推进实施西江引水工程 -> 白云湖, 西江引水工程),
    conjunctions trimmed from its edges, snapped inward to whole jieba tokens (中原农谷建 -> 中原农谷)."""
    starts = sorted({t.start for t in tokens})
    ends = sorted({t.end for t in tokens})
    inside = [
        (m.start(), m.end())
        for m in _multi_char_boundaries().finditer(text, span.start, span.end)
        if m.start() in starts
    ]
    inside += [(m.start(), m.end()) for m in _INSIDE_CUT.finditer(text, span.start, span.end)]
    pieces, start = [], span.start
    for cut_start, cut_end in sorted(inside):
        if cut_start >= start:
            pieces.append((start, cut_start))
            start = cut_end
    pieces.append((start, span.end))
    out = []
    for a, b in pieces:
        a = next((x for x in starts if x >= a), b)
        b = next((x for x in reversed(ends) if x <= b), a)
        edge = _EDGE.sub("", text[a:b]) if b > a else ""
        if len(edge) >= 2:
            a += text[a:b].find(edge)
            out.append(name_model.ModelSpan(a, a + len(edge), span.label, span.confidence))
    return out


def names_from_spans(
    text: str, spans: Sequence[name_model.ModelSpan], tokens: Sequence[Token] | None = None
) -> list[Scored]:
    """The model's spans as names: PROJECT -> a project (and an organization too when it ends in an
    organization's suffix: 阜外华中心血管病医院 being built); ORG -> an organization, kind by suffix.
    With the sentence's `tokens`, spans are first cut as the rules would (`model_pieces`)."""
    table, pattern = _suffixes()
    if tokens is not None:
        spans = [piece for span in spans for piece in model_pieces(text, tokens, span)]
    out: list[Scored] = []
    for span in spans:
        surface = text[span.start : span.end]
        suffix = next((m for m in pattern.finditer(surface) if m.end() == len(surface)), None)
        row = table[suffix.group()] if suffix else None
        if span.label == "PROJECT":
            category = row["category"] or None if row and row["table"] == "projects" else None
            weak = row is None or row["weak"] == "1" or row["table"] != "projects"
            project = Name(span.start, span.end, surface, "projects", None, category, "model", weak)
            out.append(Scored(project, "model", span.confidence))
            if row is not None and row["table"] == "entities":
                out.append(
                    Scored(
                        Name(span.start, span.end, surface, "entities", row["kind"], None, "model"),
                        "model",
                        span.confidence,
                    )
                )
        else:
            kind = row["kind"] if row is not None and row["table"] == "entities" else "enterprise"
            out.append(
                Scored(Name(span.start, span.end, surface, "entities", kind, None, "model"), "model", span.confidence)
            )
    return out


def looks_like_a_name(name: Name, text: str, tokens: Sequence[Token]) -> bool:
    """What the rules ask of a list item, asked of a name only the model found: a word few reports
    use (国际物流中心, 区域总部 are kinds, not names), no government body, no bare place (南沙), not the
    modifier of a noun after it (郑州航空港 in 郑州航空港经济综合实验区); and a project ends as a facility
    does (白云湖, 新电视塔: lexicons/facility_nouns.txt, or a project suffix)."""
    if len(name.name) < 2 or not has_rare_word(name.name) or is_government(name.name) or is_place(name.name):
        return False
    if is_modifier(text, name.end, tokens):
        return False
    return name.table != "projects" or ends_as_a_facility(name.name)


def _longer_on_the_left(rule: Name, model: Sequence[Scored], minimum: dict[str, float]) -> Name | None:
    """华兰基因生物与新医药专业园: the rules stop at 与, the model reads on; where a confident model name
    ends where the rule's does and starts a little before it, the model's start is taken."""
    if rule.name != rule.name.strip() or any(c in rule.name for c in "、,"):
        return None
    for scored in model:
        name = scored.name
        reach = rule.start - name.start
        same_end = name.table == rule.table and name.end == rule.end and 0 < reach <= LEFT_REACH
        if same_end and scored.confidence >= minimum[name.table] and has_rare_word(name.name[:reach]):
            return replace(rule, start=name.start, name=name.name[:reach] + rule.name)
    return None


def merge(
    rules: Sequence[Name],
    model: Sequence[Scored],
    minimum: dict[str, float],
    agreement: float,
    text: str = "",
    tokens: Sequence[Token] = (),
) -> list[Scored]:
    """Rule names (confirmed by a model span of the same extent and table: "merged"; extended on the
    left by a confident model name that ends with them: "merged"), then model names that overlap no
    rule name, reach `minimum` and look like names."""
    confirmed = {(s.name.start, s.name.end, s.name.table) for s in model}
    out = []
    for rule in rules:
        longer = _longer_on_the_left(rule, model, minimum)
        if longer is not None:
            out.append(Scored(longer, "merged", agreement))
        elif (rule.start, rule.end, rule.table) in confirmed:
            out.append(Scored(rule, "merged", agreement))
        else:
            out.append(Scored(rule, "rule", RULE_CONFIDENCE))
    rules = [s.name for s in out]
    for scored in model:
        name = scored.name
        if scored.confidence < minimum[name.table] or any(r.start < name.end and name.start < r.end for r in rules):
            continue
        if looks_like_a_name(name, text, tokens):
            out.append(scored)
    return out


class _NamesExtractor:
    """One of the six: `mode` rule | model | merged, `table` projects | entities."""

    mode: str
    table: str
    requires = ("sentences", "sections", "tokens")

    @property
    def method(self) -> str:
        """What made the rows: each row's own `method` says which of rule, model or both."""
        return {"rule": "rule", "model": "model"}.get(self.mode, "merged")

    @cached_property
    def version(self) -> str:
        if self.mode == "rule" or name_model.load_model() is None:
            return RULES_VERSION
        return f"{RULES_VERSION}+model.{name_model.model_fingerprint()}"

    def extract(self, doc: StructuredDocument):
        label = f"{self.name}@{self.version}"
        sentences = list(content_sentences_with_tokens(doc))
        for sentence, scored in zip((s for s, _ in sentences), self._scored_for(doc, sentences), strict=True):
            names = [s.name for s in scored]
            how = [(s.method, s.confidence) for s in scored]
            yield from rows_from_names(sentence, names, doc.year, self.table, label, scores=how)

    def _scored_for(self, doc: StructuredDocument, sentences) -> list[list[Scored]]:
        """The projects and the entities extractor of one mode read the same names: the second of
        them, on the same document, takes the first's (one document is kept, per mode)."""
        key = (doc.doc_id, self.mode)
        if _LAST.get(self.mode, (None,))[0] != key:
            _LAST[self.mode] = (key, self.scored_names(sentences))
        return _LAST[self.mode][1]

    def scored_names(self, sentences: Sequence[tuple[Sentence, object]]) -> list[list[Scored]]:
        pieces = [(s.text, local_tokens(s, t) if needs_tokens(s.text) else ()) for s, t in sentences]
        rules = [text_names(text, tokens) for text, tokens in pieces] if self.mode != "model" else None
        nlp = name_model.load_model() if self.mode != "rule" else None
        if nlp is None:
            return [[Scored(n, "rule", RULE_CONFIDENCE) for n in names] for names in rules or [[] for _ in sentences]]
        if self.mode == "model":
            spans = name_model.sentence_spans(nlp, pieces, beam=True)
            return [
                names_from_spans(s.text, found, tokens)
                for (s, _), found, (_, tokens) in zip(sentences, spans, pieces, strict=True)
            ]
        # merged: the greedy parse of the clauses where the model could add a row; the beam (for
        # confidences) only where the model reads a name the rules do not have with the same extent
        minimum, agreement = minimum_confidence(), threshold("agreement_confidence")
        reads = None if minimum["entities"] <= 1 else _may_add_a_project(pieces, rules)
        greedy = name_model.sentence_spans(nlp, pieces, beam=False, reads=reads)
        unknown = [i for i, spans in enumerate(greedy) if needs_confidence(spans, rules[i])]
        rescored = name_model.sentence_spans(
            nlp, [pieces[i] for i in unknown], beam=True, reads=_clauses_of(unknown, reads)
        )
        beam = dict(zip(unknown, rescored, strict=True))
        out = []
        for i, ((sentence, _), names) in enumerate(zip(sentences, rules, strict=True)):
            model = names_from_spans(sentence.text, beam.get(i, greedy[i]), pieces[i][1])
            out.append(merge(names, model, minimum, agreement, sentence.text, pieces[i][1]))
        return out


def _may_add_a_project(pieces: Sequence[tuple[str, object]], rules: Sequence[Sequence[Name]]):
    """Which clauses the model needs to read when it can add projects only (the entities threshold is
    above 1): a model-only project overlaps no rule name and ends as a facility (`looks_like_a_name`),
    so a clause with no project suffix or facility noun outside every rule name cannot give one; and a
    rule project can only be extended on the left (`_longer_on_the_left`) where the rules cut it at a
    conjunction (lexicons/name_conjunctions.txt). Read on 40 shared reports, this skips 60% of the
    candidate text and no model-only row the merge keeps."""
    conjunctions = frozenset(read_list("name_conjunctions.txt"))

    def reads(index: int, start: int, end: int) -> bool:
        text = pieces[index][0]
        if any(start < n.start < end and text[n.start - 1] in conjunctions for n in rules[index]):
            return True
        taken = [(n.start, n.end) for n in rules[index]]
        return any(
            not any(a < stop and begin < b for a, b in taken) for begin, stop in project_endings_in(text, start, end)
        )

    return reads


def _clauses_of(indices: Sequence[int], reads):
    """`reads` for a sub-list of the sentences (the i-th of them is sentence indices[i])."""
    if reads is None:
        return None
    return lambda i, start, end: reads(indices[i], start, end)


def needs_tokens(text: str) -> bool:
    """Whether the rules or the model read a sentence's tokens: only where a rule can fire or the
    model has a clause to read (elsewhere both find nothing without looking at them)."""
    return may_hold_a_name(text) or name_model.is_candidate(text)


def needs_confidence(spans: Sequence[name_model.ModelSpan], rules: Sequence[Name]) -> bool:
    """Whether a sentence's greedy spans hold one the rules do not have with the same extent."""
    extents = {(n.start, n.end) for n in rules}
    return any((span.start, span.end) not in extents for span in spans)


def minimum_confidence() -> dict[str, float]:
    """Per table, the confidence a model-only name needs (lexicons/name_thresholds.tsv)."""
    return {table: threshold(f"model_min_confidence_{table}") for table in ("projects", "entities")}


def name_of(mode: str, table: str) -> str:
    return table if mode == "merged" else f"{table}_{mode}"


class ProjectExtractor(_NamesExtractor):
    name, mode, table = "projects", "merged", "projects"


class EntityExtractor(_NamesExtractor):
    name, mode, table = "entities", "merged", "entities"


class ProjectRuleExtractor(_NamesExtractor):
    name, mode, table = "projects_rule", "rule", "projects"


class EntityRuleExtractor(_NamesExtractor):
    name, mode, table = "entities_rule", "rule", "entities"


class ProjectModelExtractor(_NamesExtractor):
    name, mode, table = "projects_model", "model", "projects"


class EntityModelExtractor(_NamesExtractor):
    name, mode, table = "entities_model", "model", "entities"


# Not run by default: `zhpolicy run --extractor projects_rule` or `zhpolicy eval` (which scores each).
VARIANTS = (ProjectRuleExtractor, EntityRuleExtractor, ProjectModelExtractor, EntityModelExtractor)
