"""`zhpolicy eval`: score the extractors against the hand-written gold in corpus/gold/.

Gold rows are aligned to the document by their sentence text, then to extracted rows by character
overlap within that sentence (DESIGN.md: matched by sentence and surface). Per table: precision,
recall and F1 — `found` counts a row as right when its span was found, `strict` also requires the
table's key fields (targets: value, unit, qualifier, status) — then per-field accuracy on the
matched rows, per-rule precision, and the misses and false alarms themselves.

Gold rows marked `optional` count neither way; so do gold rows in sentences the pipeline marks as
web noise or as a repeat (`duplicate_of`) of another sentence, which extractors skip on purpose.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import regex

STRICT_FIELDS = {
    "targets": ("value", "unit", "qualifier", "status"),
    "projects": ("name",),
    "entities": ("name", "kind"),
}
REPORT_FIELDS = {
    "targets": (
        "value",
        "value_high",
        "unit",
        "qualifier",
        "status",
        "period",
        "indicator_id",
        "measure",
        "direction",
        "modality",
    ),
    "projects": ("category", "stage", "status", "period"),
    "entities": ("kind",),
}


@dataclass(frozen=True, slots=True)
class GoldFile:
    path: Path
    header: dict[str, Any]
    rows: tuple[dict[str, Any], ...]


@dataclass(slots=True)
class TableScore:
    table: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    strict_tp: int = 0
    fields: Counter = field(default_factory=Counter)
    field_total: int = 0
    rules: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    unaligned: int = 0
    per_label: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def macro_f1(self) -> float:
        """Mean F1 over labels (sector_tags): rare sectors count as much as common ones."""
        scores = []
        for c in self.per_label.values():
            p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
            r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
            scores.append(2 * p * r / (p + r) if p + r else 0.0)
        return sum(scores) / len(scores) if scores else 0.0

    def prf(self, strict: bool = False) -> tuple[float, float, float]:
        tp = self.strict_tp if strict else self.tp
        fp = self.fp + (self.tp - self.strict_tp if strict else 0)
        fn = self.fn + (self.tp - self.strict_tp if strict else 0)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_gold(directory: Path) -> list[GoldFile]:
    files = []
    for path in sorted(directory.glob("*.jsonl")):
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        header = lines[0] if lines and lines[0].get("header") else {}
        rows = tuple(r for r in lines if not r.get("header"))
        files.append(GoldFile(path, header, rows))
    return files


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
    return a == b


@dataclass(frozen=True, slots=True)
class _DocView:
    """What eval needs of one processed document."""

    text: str
    sentences: list[dict[str, Any]]  # start, end, noise, duplicate_of, section_id
    sections: list[dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]]


PREAMBLE = "(preamble)"  # how a gold header's `covers` names the untitled section before the first heading


def _covered_ranges(doc: _DocView, covers: Any) -> list[tuple[int, int]]:
    if covers in (None, "all") or not isinstance(covers, list):
        return [(0, len(doc.text))]
    names = [c for c in covers if isinstance(c, str) and c]
    ranges = []
    for section in doc.sections:
        title = section.get("title") or ""
        # the untitled opening section is covered only when the header says so: "" is in every string
        covered = (
            any(c.startswith(PREAMBLE) for c in names) if not title else any(c in title or title in c for c in names)
        )
        if covered:
            ranges.append((section["start"], section["end"]))
    return ranges or [(0, len(doc.text))]


def _sentence_at(doc: _DocView, position: int) -> dict[str, Any] | None:
    for sentence in doc.sentences:
        if sentence["start"] <= position < sentence["end"]:
            return sentence
    return None


def _locate(doc: _DocView, row: dict[str, Any], nth: int = 0) -> tuple[int, int] | None:
    """Where a gold row is in the text: the `nth` copy of its sentence (a news lead may repeat a body
    sentence verbatim, and gold then has a row for each copy), then its surface within the sentence."""
    sentence = row.get("sentence") or ""
    if not sentence:
        return None
    occurrences = [m.start() for m in regex.finditer(regex.escape(sentence), doc.text)]
    if not occurrences:
        return None
    at = occurrences[min(nth, len(occurrences) - 1)]
    surface = row.get("surface") or row.get("text") or row.get("name") or sentence
    inner = sentence.find(surface)
    if inner < 0:
        return at, at + len(sentence)
    return at + inner, at + inner + len(surface)


def score_spans(
    table: str, gold: list[dict[str, Any]], doc: _DocView, covers: Any, score: TableScore, source: str
) -> None:
    predicted = list(doc.rows.get(table, []))
    ranges = _covered_ranges(doc, covers)
    predicted = [p for p in predicted if any(a <= p["start"] < b for a, b in ranges)]
    used: set[int] = set()
    located = []
    seen: Counter = Counter()
    for g in gold:
        key = (g.get("sentence"), g.get("text") or g.get("name"), g.get("indicator"), g.get("value"))
        span = _locate(doc, g, seen[key])
        seen[key] += 1
        if span is None:
            score.unaligned += 1
            continue
        sentence = _sentence_at(doc, span[0])
        skipped = sentence is not None and (sentence["noise"] or sentence["duplicate_of"] is not None)
        located.append((g, span, bool(g.get("optional")) or skipped))
    pairs = []
    for gi, (g, (gs, ge), _) in enumerate(located):
        for pi, p in enumerate(predicted):
            if p["start"] < ge and gs < p["end"]:
                overlap = min(ge, p["end"]) - max(gs, p["start"])
                agree = sum(_same(g.get(f), p.get(f)) for f in STRICT_FIELDS[table])
                pairs.append((agree * 100 + overlap, gi, pi))
    matched_gold: dict[int, int] = {}
    for _, gi, pi in sorted(pairs, reverse=True):
        if gi in matched_gold or pi in used:
            continue
        matched_gold[gi] = pi
        used.add(pi)
    for gi, (g, _, optional) in enumerate(located):
        pi = matched_gold.get(gi)
        if pi is None:
            if not optional:
                score.fn += 1
                score.misses.append(f"{source}: {g.get('text') or g.get('name')} | {g.get('sentence', '')[:60]}")
            continue
        p = predicted[pi]
        if optional:
            continue
        score.tp += 1
        strict = all(_same(g.get(f), p.get(f)) for f in STRICT_FIELDS[table])
        score.strict_tp += strict
        score.rules[p.get("rule") or p.get("method") or "?"]["tp"] += 1
        score.field_total += 1
        for f in REPORT_FIELDS[table]:
            if f in g:
                score.fields[f] += _same(g.get(f), p.get(f))
        if not strict:
            diffs = ", ".join(
                f"{f}: gold {g.get(f)!r} got {p.get(f)!r}"
                for f in STRICT_FIELDS[table]
                if not _same(g.get(f), p.get(f))
            )
            score.wrong.append(f"{source}: {g.get('text') or g.get('name')} — {diffs}")
    for pi, p in enumerate(predicted):
        if pi in used:
            continue
        sentence = _sentence_at(doc, p["start"])
        overlaps_optional = any(optional and p["start"] < ge and gs < p["end"] for _, (gs, ge), optional in located)
        if overlaps_optional:
            continue
        score.fp += 1
        score.rules[p.get("rule") or p.get("method") or "?"]["fp"] += 1
        context = doc.text[sentence["start"] : sentence["end"]][:60] if sentence else ""
        score.false_alarms.append(f"{source}: {p.get('text') or p.get('name')} | {context}")


SECTOR_METHODS = ("rule", "model", "merged")


def sector_table(method: str) -> str:
    """The name sector scores of one method are reported under."""
    return f"sector_tags[{method}]"


def score_sectors(gold: list[dict[str, Any]], doc: _DocView, score: TableScore, source: str, method: str) -> None:
    """Per sentence, the gold sector set against the one tagged by `method` (micro over sentence x sector)."""
    predicted: dict[int, set[str]] = defaultdict(set)
    for row in doc.rows.get("sector_tags", []):
        if row["method"] == method:
            predicted[row["start"]].add(row["sector"])
    seen: Counter = Counter()
    for g in gold:
        key = g.get("sentence")
        span = _locate(doc, {"sentence": key}, seen[key])
        seen[key] += 1
        if span is None:
            score.unaligned += 1
            continue
        sentence = _sentence_at(doc, span[0])
        if g.get("optional") or sentence is None or sentence["noise"] or sentence["duplicate_of"] is not None:
            continue
        wanted, got = set(g.get("sectors") or []), predicted.get(sentence["start"], set())
        score.tp += len(wanted & got)
        score.strict_tp += len(wanted & got)
        score.fp += len(got - wanted)
        score.fn += len(wanted - got)
        for label in wanted | got:
            score.per_label[label]["tp" if label in wanted and label in got else ("fp" if label in got else "fn")] += 1
        if wanted != got:
            score.wrong.append(f"{source}: gold {sorted(wanted)} got {sorted(got)} | {key[:50]}")


def _doc_view_from_tables(tables: dict) -> _DocView:
    text = tables["documents"]["text"][0].as_py()
    sentences = tables["sentences"].select(["start", "end", "noise", "duplicate_of", "section_id"]).to_pylist()
    sections = tables["sections"].select(["section_id", "title", "start", "end"]).to_pylist()
    rows = {
        name: t.to_pylist()
        for name, t in tables.items()
        if name not in ("documents", "sentences", "sections", "keywords")
    }
    return _DocView(text, sentences, sections, rows)


def view_of(doc, rows: dict[str, list[Any]]) -> _DocView:
    """What eval needs of a StructuredDocument and extracted row records (dataclasses)."""
    from dataclasses import asdict

    sentences = [
        {"start": s.start, "end": s.end, "noise": s.noise, "duplicate_of": s.duplicate_of, "section_id": s.section_id}
        for s in doc.sentences
    ]
    sections = [{"section_id": s.section_id, "title": s.title, "start": s.start, "end": s.end} for s in doc.sections]
    return _DocView(doc.document.text, sentences, sections, {t: [asdict(r) for r in rs] for t, rs in rows.items()})


def cross_validate_sectors(gold_dir: Path, shared: Path) -> dict[str, TableScore]:
    """Sector tags of every method, each gold report tagged by models that never saw its gold
    (pipeline.train_sectors retrains once per group of reports, `TrainingConfig.held_out_groups`)."""
    from extractors.sector_model import SectorMergedTagger, SectorModelTagger
    from extractors.sectors import SectorTagger
    from pipeline.train_sectors import TrainingConfig, cross_validate, prepare, weak_sources

    config = TrainingConfig()
    data = prepare(weak_sources(shared, gold_dir, config), gold_dir, config)
    folds = {fold.held_out: fold for fold in cross_validate(data, config)}
    gold_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for gold in load_gold(gold_dir):
        gold_rows[gold.path.name.split(".")[0]].extend(r for r in gold.rows if r.get("table") == "sector_tags")
    scores: dict[str, TableScore] = {}
    for report in data.gold:
        model = folds[report.name].model
        extractors = (SectorTagger(), SectorModelTagger(model), SectorMergedTagger(model))
        view = view_of(report.doc, {"sector_tags": [row for e in extractors for row in e.extract(report.doc)]})
        for method in SECTOR_METHODS:
            name = sector_table(method)
            score = scores.setdefault(name, TableScore(name))
            score_sectors(gold_rows[report.name], view, score, f"{report.name} (held out)", method)
    return scores


def process_report(path: Path, variants: bool = True) -> _DocView:
    """The default extractors' tables, and (`variants`) the rows of the variant extractors
    (`projects:rule` …)."""
    from extractors.registry import default_extractors
    from pipeline.evaluate_names import variant_rows
    from pipeline.runner import structured_from_bytes, tables_of

    structured = structured_from_bytes(path.read_bytes(), str(path))
    view = _doc_view_from_tables(tables_of(structured, default_extractors()))
    if variants:
        view.rows.update(variant_rows(structured))
    return view


def view_from_outputs(outputs: Path, source_suffix: str) -> _DocView | None:
    from pipeline.schema import DOCUMENT_TABLES
    from pipeline.write import read_table

    documents = read_table(outputs / "documents", "documents")
    sources = documents["source"].to_pylist()
    index = next((i for i, s in enumerate(sources) if s.replace("\\", "/").endswith(source_suffix)), None)
    if index is None:
        return None
    doc_id = documents["doc_id"][index].as_py()
    tables = {"documents": documents.slice(index, 1)}
    for table in DOCUMENT_TABLES:
        if table == "documents" or not (outputs / table).exists():
            continue
        data = read_table(outputs / table, table)
        tables[table] = data.filter(pc.equal(data["doc_id"], doc_id))
    return _doc_view_from_tables(tables)


def _source(gold: GoldFile) -> str:
    return gold.header.get("source") or f"reports/{gold.path.stem}"


def evaluate(gold_dir: Path, outputs: Path | None = None) -> dict[str, TableScore]:
    scores: dict[str, TableScore] = {}
    corpus = gold_dir.parent
    views: dict[str, _DocView | None] = {}  # a report with gold for several tables is processed once
    golds = load_gold(gold_dir)
    with_names = {_source(g) for g in golds if any(r.get("table") in ("projects", "entities") for r in g.rows)}
    for gold in golds:
        source = _source(gold)
        if source not in views:
            live = process_report(corpus / source, variants=source in with_names) if not outputs else None
            views[source] = view_from_outputs(outputs, source) if outputs else live
        doc = views[source]
        if doc is None:
            raise FileNotFoundError(f"{gold.path.name}: {source} is not in {outputs}; run it first")
        by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in gold.rows:
            by_table[row.get("table", "targets")].append(row)
        for table, rows in by_table.items():
            if table == "sector_tags":
                for method in SECTOR_METHODS:
                    name = sector_table(method)
                    score_sectors(rows, doc, scores.setdefault(name, TableScore(name)), gold.path.stem, method)
                continue
            if table not in STRICT_FIELDS:
                continue
            score = scores.setdefault(table, TableScore(table))
            score_spans(table, rows, doc, gold.header.get("covers"), score, gold.path.stem)
            for key in sorted(k for k in doc.rows if k.startswith(f"{table}:")):  # projects:rule, projects:model
                variant = _DocView(doc.text, doc.sentences, doc.sections, {table: doc.rows[key]})
                score_spans(
                    table,
                    rows,
                    variant,
                    gold.header.get("covers"),
                    scores.setdefault(key, TableScore(key)),
                    gold.path.stem,
                )
    return scores


def format_report(scores: dict[str, TableScore], show: int = 20) -> str:
    """Per table: P/R/F1, field accuracy, per-rule precision, misses and false alarms (for the
    variants `projects:rule` … only the figures: their misses are the default table's business)."""
    lines = []
    for table, s in scores.items():
        show_here = 0 if ":" in table else show
        p, r, f = s.prf()
        sp, sr, sf = s.prf(strict=True)
        lines.append(
            f"{table}: found P {p:.3f} R {r:.3f} F1 {f:.3f} | strict P {sp:.3f} R {sr:.3f} F1 {sf:.3f} "
            f"(tp {s.tp}, fp {s.fp}, fn {s.fn}, unaligned gold {s.unaligned})"
        )
        if s.per_label:
            lines.append(f"  micro-F1 {f:.3f}, macro-F1 {s.macro_f1():.3f} over {len(s.per_label)} sectors")
        if s.field_total:
            fields = ", ".join(f"{k} {v / s.field_total:.3f}" for k, v in sorted(s.fields.items()))
            lines.append(f"  field accuracy on matched rows: {fields}")
        for rule, c in sorted(s.rules.items()):
            total = c["tp"] + c["fp"]
            lines.append(f"  rule {rule}: precision {c['tp'] / total if total else 0:.3f} ({c['tp']}/{total})")
        for title, items in (
            ("misses", s.misses),
            ("false alarms", s.false_alarms),
            ("found, wrong fields", s.wrong),
        ):
            if items and show_here:
                lines.append(f"  {title} ({len(items)}):")
                lines.extend(f"    {item}" for item in items[:show_here])
    return "\n".join(lines)
