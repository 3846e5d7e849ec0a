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
from dataclasses import dataclass
from functools import cached_property

from extractors import name_model
from extractors.names import Name, _suffixes, has_rare_word, is_government, threshold
from extractors.projects import RULE_CONFIDENCE, content_sentences_with_tokens, rows_from_names, sentence_names
from pipeline.records import Sentence, StructuredDocument

RULES_VERSION = "2.0"
_LAST: dict[str, tuple] = {}  # mode -> ((doc_id, mode), scored names of that document)


@dataclass(frozen=True, slots=True)
class Scored:
    name: Name
    method: str  # rule | model | merged
    confidence: float


def names_from_spans(text: str, spans: Sequence[name_model.ModelSpan]) -> list[Scored]:
    """The model's spans as names: PROJECT -> a project (and an organization too when it ends in an
    organization's suffix: 阜外华中心血管病医院 being built); ORG -> an organization, kind by suffix."""
    table, pattern = _suffixes()
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


def looks_like_a_name(name: Name) -> bool:
    """What the rules ask of a list item, asked of a name only the model found: a word few reports
    use (国际物流中心, 区域总部 are kinds, not names), no government body, two characters or more."""
    return len(name.name) >= 2 and has_rare_word(name.name) and not is_government(name.name)


def merge(rules: Sequence[Name], model: Sequence[Scored], minimum: float, agreement: float) -> list[Scored]:
    """Rule names (confirmed by a model span of the same extent and table: "merged"), then model
    names that overlap no rule name, reach `minimum` and look like names."""
    confirmed = {(s.name.start, s.name.end, s.name.table) for s in model}
    out = [
        Scored(n, "merged", agreement) if (n.start, n.end, n.table) in confirmed else Scored(n, "rule", RULE_CONFIDENCE)
        for n in rules
    ]
    for scored in model:
        name = scored.name
        if scored.confidence < minimum or any(r.start < name.end and name.start < r.end for r in rules):
            continue
        if looks_like_a_name(name):
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
        rules = [sentence_names(s, t) for s, t in sentences] if self.mode != "model" else None
        nlp = name_model.load_model() if self.mode != "rule" else None
        if nlp is None:
            return [[Scored(n, "rule", RULE_CONFIDENCE) for n in names] for names in rules or [[] for _ in sentences]]
        pieces = [(s.text, _local(s, t)) for s, t in sentences]
        if self.mode == "model":
            spans = name_model.sentence_spans(nlp, pieces, beam=True)
            return [names_from_spans(s.text, found) for (s, _), found in zip(sentences, spans, strict=True)]
        # merged: the greedy parse everywhere; the beam (for confidences) only where the model finds a
        # name no rule has, which is all the confidence is needed for
        greedy = name_model.sentence_spans(nlp, pieces, beam=False)
        unknown = [i for i, spans in enumerate(greedy) if any(not _overlaps_any(span, rules[i]) for span in spans)]
        rescored = name_model.sentence_spans(nlp, [pieces[i] for i in unknown], beam=True)
        beam = dict(zip(unknown, rescored, strict=True))
        minimum, agreement = threshold("model_min_confidence"), threshold("agreement_confidence")
        out = []
        for i, ((sentence, _), names) in enumerate(zip(sentences, rules, strict=True)):
            model = names_from_spans(sentence.text, beam.get(i, greedy[i]))
            out.append(merge(names, model, minimum, agreement))
        return out


def _overlaps_any(span: name_model.ModelSpan, names: Sequence[Name]) -> bool:
    return any(n.start < span.end and span.start < n.end for n in names)


def _local(sentence: Sentence, tokens) -> tuple:
    from extractors.name_model import unit_tokens

    if tokens is None:
        from extractors.names import tokens_of

        return tokens_of(sentence.text)
    return unit_tokens(tokens, sentence.start, sentence.end)


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
