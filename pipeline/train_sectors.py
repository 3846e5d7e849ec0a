"""Train the sector model (extractors/sector_model.py): `python -m pipeline.train_sectors ../shared/corpus`.

Training data:
- weak labels: sentences of reports sampled from ../shared/corpus, labelled by the lexicon tagger
  (extractors/sectors.py, with its heading and lead-in context) at its threshold. Reports that are
  the same document as a gold report (same region, same year or the year before as label) are left
  out, so no gold sentence is ever seen with a weak label.
- gold: the sentences of corpus/gold/*.jsonl with sector_tags rows, written by reading, weighted
  `gold_weight` times a weak sentence.

The vocabulary (most frequent n-grams per feature group) comes from the weak sentences only.

Evaluation is by report, never by sentence: the gold reports are dealt into `held_out_groups`
groups (0: one report per group, leave-one-report-out). Fold k trains on the weak labels plus the
gold of the other groups and predicts the reports of group k. Calibration (Platt scaling per
sector) and the merge coefficients are fitted on out-of-fold predictions; for the held-out figures,
fold k's calibration and merge are fitted on the other folds only, so no label of a report in group
k touches its own predictions. The shipped model is trained on all gold plus the weak
labels, calibrated and merged with coefficients fitted on all out-of-fold predictions.

Everything is deterministic: a fixed seed picks the reports and orders the minibatches.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from extractors.sector_model import (
    GROUPS,
    MERGE_INPUTS,
    MODEL_DIR,
    SectorModel,
    SparseRows,
    Vocabulary,
    decide,
    encode_all,
    feature_groups,
    merge_inputs,
    save_model,
    score_matrix,
    sigmoid,
)
from extractors.sectors import THRESHOLD as RULE_THRESHOLD
from extractors.sectors import RuleScores, SentenceContext, rule_scores
from extractors.word_vectors import WordVectors, shipped_word_vectors
from pipeline.evaluate import load_gold
from pipeline.ingest import ingest
from pipeline.lexicon import read_tsv
from pipeline.metadata import with_metadata
from pipeline.records import StructuredDocument
from pipeline.structure import structure

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Hyper-parameters; written to lexicons/models/sectors/config.tsv beside the model."""

    seed: int = 2025
    weak_reports: int = 60  # reports sampled from the shared corpus for weak labels
    vocabulary_s: int = 45000  # most frequent sentence n-grams kept (60000 with 12000 per neighbour: +0.002, 5.7 MB)
    vocabulary_h: int = 12000  # heading n-grams
    vocabulary_p: int = 6000  # parent-heading n-grams
    vocabulary_l: int = 8000  # lead-in n-grams
    vocabulary_v: int = 8000  # n-grams of the previous sentence of the paragraph
    vocabulary_n: int = 8000  # n-grams of the next one
    min_count: int = 3  # an n-gram seen in fewer weak sentences is dropped
    rule_features: bool = True  # the lexicon's per-sector scores as features
    word_vectors: bool = True  # the sentence's word vector as features (lexicons/models/word_vectors/)
    gold_weight: float = (
        100.0  # a gold sentence counts this many weak ones (8: merged micro-F1 0.754, 30: 0.762, 100: 0.767)
    )
    epochs: int = 4
    batch: int = 512
    learning_rate: float = 0.05
    l2: float = 1e-5  # L2 penalty: loss = weighted mean log-loss + l2/2 * |W|^2
    # Gold reports are held out in this many groups (0: one report at a time). Ten groups keep
    # `make train-sectors` and `make eval-sectors` near ten minutes as the gold grows; with 37 reports
    # they gave the same held-out figure as leave-one-report-out (merged micro-F1 0.834 both, eligible
    # sentences), which took 25 minutes.
    held_out_groups: int = 10
    platt_ridge: float = 1.0  # pulls each sector's Platt (scale, bias) towards (1, 0)
    merge_ridge: float = 1.0  # pulls the merge coefficients towards the pooled fit

    def rows(self) -> list[tuple[str, str]]:
        return [(name, str(getattr(self, name))) for name in self.__dataclass_fields__]


@dataclass(frozen=True, slots=True)
class Example:
    """One eligible sentence with its labels (a set of sector ids) and the lexicon's scores."""

    scored: RuleScores
    labels: frozenset[str]


@dataclass(frozen=True, slots=True)
class GoldReport:
    """A report with sector gold: every eligible sentence (the merge reads a sentence's surroundings),
    the gold examples, and where each example stands among the eligible sentences."""

    name: str
    doc: StructuredDocument
    eligible: tuple[RuleScores, ...]
    examples: tuple[Example, ...]
    rows: tuple[int, ...]


def structured(path: Path) -> StructuredDocument:
    return structure(with_metadata(ingest(path.read_bytes(), str(path))))


# --------------------------------------------------------------------------- data


def sector_ids() -> tuple[str, ...]:
    return tuple(row["id"] for row in read_tsv("sectors.tsv"))


def gold_reports(gold_dir: Path) -> list[GoldReport]:
    """Every gold file with sector_tags rows, aligned to the eligible sentences of its report."""
    reports = []
    for gold in load_gold(gold_dir):
        rows = [r for r in gold.rows if r.get("table") == "sector_tags"]
        if not rows:
            continue
        source = gold.header.get("source") or f"reports/{gold.path.stem}"
        doc = structured(gold_dir.parent / source)
        eligible: list[RuleScores] = []
        # Every copy of a text, eligible (its place in `eligible`) or not (None): the nth copy in the gold
        # is the nth in the report.
        by_text: dict[str, list[int | None]] = defaultdict(list)
        for scored in rule_scores(doc):
            by_text[scored.context.sentence.text].append(len(eligible) if scored.eligible else None)
            if scored.eligible:
                eligible.append(scored)
        seen: Counter = Counter()
        examples, rows_of_examples = [], []
        for row in rows:
            copies = by_text.get(row["sentence"], [])
            nth = seen[row["sentence"]]
            seen[row["sentence"]] += 1
            if nth >= len(copies) or row.get("optional") or copies[nth] is None:
                continue
            examples.append(Example(eligible[copies[nth]], frozenset(row.get("sectors") or ())))
            rows_of_examples.append(copies[nth])
        reports.append(
            GoldReport(gold.path.name.split(".")[0], doc, tuple(eligible), tuple(examples), tuple(rows_of_examples))
        )
    return reports


def _gold_identities(gold_dir: Path) -> tuple[set[tuple[str, int]], set[str]]:
    """(region, year) and raw sha256 prefixes of the reports that have sector gold."""
    manifest = {}
    with (ROOT / "corpus" / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            manifest[row["path"]] = row
    regions, hashes = set(), set()
    for gold in load_gold(gold_dir):
        if not any(r.get("table") == "sector_tags" for r in gold.rows):
            continue
        source = gold.header.get("source") or ""
        if source in manifest:
            regions.add((manifest[source]["region"], int(manifest[source]["year"])))
        path = gold_dir.parent / source
        if path.is_file():
            hashes.add(hashlib.sha256(path.read_bytes()).hexdigest()[:16])
    return regions, hashes


def weak_sources(shared: Path, gold_dir: Path, config: TrainingConfig) -> list[Path]:
    """Reports of the shared corpus for weak labels: a seeded sample, never a gold report's twin."""
    regions, hashes = _gold_identities(gold_dir)
    candidates = []
    with (shared / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            year = int(row["year_label"]) if row["year_label"].isdigit() else None
            # A year label may be the year under review, so the report of year Y can be labelled Y-1.
            same = year is not None and any(row["region"] == r and year in (y, y - 1) for r, y in regions)
            if same or row["sha256"][:16] in hashes:
                continue
            candidates.append(row["path"])
    candidates.sort()
    rng = np.random.default_rng(config.seed)
    chosen = rng.choice(len(candidates), size=min(config.weak_reports, len(candidates)), replace=False)
    return [shared / candidates[i] for i in sorted(chosen)]


def weak_examples(sources: list[Path], progress: bool = True) -> list[Example]:
    """Eligible sentences of `sources`, labelled by the lexicon tagger at its threshold."""
    examples = []
    for number, path in enumerate(sources, start=1):
        try:
            doc = structured(path)
        except Exception as error:  # a report that cannot be read is just not used
            print(f"  skipped {path}: {error}", file=sys.stderr)
            continue
        for scored in rule_scores(doc):
            if scored.eligible:
                labels = frozenset(s for s, v in scored.scores.items() if v >= RULE_THRESHOLD)
                examples.append(Example(scored, labels))
        if progress and number % 50 == 0:
            print(f"  weak labels: {number}/{len(sources)} reports, {len(examples)} sentences", file=sys.stderr)
    return examples


# --------------------------------------------------------------------------- features and fitting


def build_vocabulary(examples: list[Example], config: TrainingConfig, vectors: WordVectors | None = None) -> Vocabulary:
    """The most frequent n-grams per group (counted once per sentence), rows numbered across groups;
    group `e` has a row per dimension of `vectors`."""
    counts: dict[str, Counter] = {group: Counter() for group in GROUPS}
    for example in examples:
        for group, grams in feature_groups(example.scored.context).items():
            counts[group].update(grams)
    sizes = {
        "s": config.vocabulary_s,
        "h": config.vocabulary_h,
        "p": config.vocabulary_p,
        "l": config.vocabulary_l,
        "v": config.vocabulary_v,
        "n": config.vocabulary_n,
        "f": 100,
        "r": 0,
    }
    vocabulary: Vocabulary = {}
    row = 0
    counts["r"].update({sector: 1 for sector in sector_ids()} if config.rule_features else {})
    sizes["r"] = len(counts["r"])
    # Dimensions keep their order: every count is 1 and the sort below breaks ties by name, so zero-padded.
    counts["e"].update({f"{d:04d}": 1 for d in range(vectors.dim)} if vectors is not None else {})
    sizes["e"] = len(counts["e"])
    for group in GROUPS:
        kept = [g for g, n in counts[group].items() if n >= config.min_count or group in "fre"]
        kept.sort(key=lambda g: (-counts[group][g], g))
        vocabulary[group] = {}
        for gram in kept[: sizes[group]]:
            vocabulary[group][gram] = row
            row += 1
    return vocabulary


def featurize(examples: list[Example], vocabulary: Vocabulary, vectors: WordVectors | None) -> SparseRows:
    return encode_all((e.scored for e in examples), vocabulary, vectors)


def label_matrix(examples: list[Example], sectors: tuple[str, ...]) -> np.ndarray:
    return score_matrix(({label: 1.0 for label in e.labels} for e in examples), sectors)


def fit_linear(
    x: SparseRows, y: np.ndarray, weight: np.ndarray, n_features: int, config: TrainingConfig
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regression with L2, by minibatch (lazy) Adam. A batch's gradient sums
    its non-zeros per feature (sort + reduceat), which gives the touched features' rows alone."""
    rng = np.random.default_rng(config.seed)
    k = y.shape[1]
    w = np.zeros((n_features, k), dtype=np.float32)
    # Start the bias at the label log-odds so early steps learn features, not base rates.
    rate = np.clip((y * weight[:, None]).sum(0) / weight.sum(), 1e-4, 1 - 1e-4)
    b = np.log(rate / (1 - rate)).astype(np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    for _ in range(config.epochs):
        order = rng.permutation(x.n_rows)
        for start in range(0, len(order), config.batch):
            rows = order[start : start + config.batch]
            batch = x.take(rows)
            error = (sigmoid(batch.dot(w) + b) - y[rows]) * (weight[rows] / weight[rows].sum())[:, None]
            weighted = error[np.repeat(np.arange(len(rows)), np.diff(batch.indptr))] * batch.values[:, None]
            by_feature = np.argsort(batch.indices, kind="stable")
            features = batch.indices[by_feature]
            firsts = np.flatnonzero(np.r_[True, features[1:] != features[:-1]])
            touched = features[firsts]
            # Lazy Adam: only the rows this batch touches move (with their L2 share), so a step
            # costs the batch's non-zeros, not the vocabulary.
            grad = np.add.reduceat(weighted[by_feature], firsts, axis=0) + config.l2 * w[touched]
            step += 1
            m[touched] = beta1 * m[touched] + (1 - beta1) * grad
            v[touched] = beta2 * v[touched] + (1 - beta2) * grad * grad
            correction = np.sqrt(1 - beta2**step) / (1 - beta1**step)
            w[touched] -= (config.learning_rate * correction) * m[touched] / (np.sqrt(v[touched]) + eps)
            grad_b = error.sum(0)
            mb = beta1 * mb + (1 - beta1) * grad_b
            vb = beta2 * vb + (1 - beta2) * grad_b * grad_b
            b -= (config.learning_rate * correction) * mb / (np.sqrt(vb) + eps)
    return w, b


def fit_logistic(x: np.ndarray, y: np.ndarray, prior: np.ndarray, ridge: float, iterations: int = 25) -> np.ndarray:
    """Small logistic regression by Newton's method, with a ridge pulling the coefficients towards
    `prior`; x carries a constant column for the bias (last). Targets are Platt's smoothed labels.
    Every coefficient but the bias is kept >= 0: a higher score or probability must never lower
    the result (where the weak labels' notion of a sector disagrees with the gold's, the fit would
    otherwise invert the score)."""
    positives, negatives = y.sum(), len(y) - y.sum()
    target = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    beta = prior.astype(np.float64).copy()
    for _ in range(iterations):
        p = sigmoid(x @ beta)
        gradient = x.T @ (p - target) + ridge * (beta - prior)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(len(beta))
        delta = np.linalg.solve(hessian, gradient)
        delta *= min(1.0, 2.0 / max(np.abs(delta).max(), 1e-12))  # damped: nearly separable data must not diverge
        beta -= delta
        beta[:-1] = np.maximum(beta[:-1], 0.0)
        if np.abs(delta).max() < 1e-6:
            break
    return beta


def fit_platt(z: np.ndarray, y: np.ndarray, ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """Per sector (scale, bias) so that σ(scale·z + bias) ≈ P(label); sectors with no positive
    keep the identity (1, 0)."""
    k = z.shape[1]
    scale, bias = np.ones(k, dtype=np.float32), np.zeros(k, dtype=np.float32)
    for j in range(k):
        if y[:, j].sum() == 0:
            continue
        x = np.column_stack([z[:, j], np.ones(len(z))])
        scale[j], bias[j] = fit_logistic(x, y[:, j], np.array([1.0, 0.0]), ridge)
    return scale, bias


def fit_merge(inputs: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray:
    """Per-sector coefficients of σ(coefficients · inputs), inputs (rows, sectors, MERGE_INPUTS) with the
    constant last: one pooled fit over all sectors, then per sector pulled towards it (a rare sector
    keeps the pooled coefficients)."""
    k, width = inputs.shape[1], inputs.shape[2]
    prior = np.zeros(width)
    prior[MERGE_INPUTS.index("model")] = 1.0
    pooled = fit_logistic(inputs.transpose(1, 0, 2).reshape(-1, width), y.T.reshape(-1), prior, 1e-3)
    coefficients = np.tile(pooled, (k, 1))
    for j in range(k):
        if y[:, j].sum() > 0:
            coefficients[j] = fit_logistic(inputs[:, j, :], y[:, j], pooled, ridge)
    return coefficients.astype(np.float32)


# --------------------------------------------------------------------------- training and cross-validation


@dataclass(frozen=True, slots=True)
class Fold:
    """A model trained without one gold report, and its raw scores on that report's eligible
    sentences; `labels` are the gold examples', which stand at `rows` among them."""

    held_out: str
    model: SectorModel
    raw: np.ndarray
    labels: np.ndarray
    rule: np.ndarray
    contexts: tuple[SentenceContext, ...]
    rows: np.ndarray

    def merge_inputs(self, scale: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """The merge's inputs for the gold examples, with the given Platt scaling."""
        return merge_inputs(list(self.contexts), sigmoid(scale * self.raw + bias), self.rule)[self.rows]

    def merged(self) -> np.ndarray:
        """The fold model's merged probabilities for the gold examples."""
        return self.model.merged(self.merge_inputs(self.model.platt_scale, self.model.platt_bias))


@dataclass(frozen=True, slots=True)
class TrainingData:
    sectors: tuple[str, ...]
    vocabulary: Vocabulary
    gold: tuple[GoldReport, ...]
    weak_x: SparseRows
    weak_y: np.ndarray
    gold_x: dict[str, SparseRows]  # every eligible sentence of the report
    gold_y: dict[str, np.ndarray]  # the gold examples
    word_vectors: WordVectors | None = None


def prepare(weak_paths: list[Path], gold_dir: Path, config: TrainingConfig, progress: bool = True) -> TrainingData:
    """Weak labels for `weak_paths`, the gold reports of `gold_dir`, the vocabulary, the matrices."""
    sectors = sector_ids()
    started = time.perf_counter()
    weak = weak_examples(weak_paths, progress)
    gold = gold_reports(gold_dir)
    vectors = shipped_word_vectors() if config.word_vectors else None
    if config.word_vectors and vectors is None:
        raise FileNotFoundError("no word vectors in lexicons/models/word_vectors/: run `make train-vectors` first")
    vocabulary = build_vocabulary(weak, config, vectors)
    data = TrainingData(
        sectors,
        vocabulary,
        tuple(gold),
        featurize(weak, vocabulary, vectors),
        label_matrix(weak, sectors),
        {g.name: encode_all(g.eligible, vocabulary, vectors) for g in gold},
        {g.name: label_matrix(list(g.examples), sectors) for g in gold},
        vectors,
    )
    if progress:
        n_features = sum(len(v) for v in vocabulary.values())
        print(
            f"data: {len(weak)} weak sentences, {sum(len(g.examples) for g in gold)} gold sentences "
            f"({', '.join(g.name for g in gold)}), {n_features} features, {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return data


def _stack(parts: list[SparseRows]) -> SparseRows:
    offsets = np.cumsum([0] + [p.indptr[-1] for p in parts[:-1]])
    indptr = np.concatenate([[0]] + [p.indptr[1:] + o for p, o in zip(parts, offsets, strict=True)])
    return SparseRows(indptr, np.concatenate([p.indices for p in parts]), np.concatenate([p.values for p in parts]))


def train_model(data: TrainingData, gold_names: list[str], config: TrainingConfig) -> SectorModel:
    """An uncalibrated model on the weak labels plus the named gold reports."""
    x = _stack(
        [data.weak_x] + [data.gold_x[n].take(np.asarray(_report(data, n).rows, dtype=np.int64)) for n in gold_names]
    )
    y = np.vstack([data.weak_y] + [data.gold_y[n] for n in gold_names])
    weight = np.concatenate(
        [np.ones(data.weak_x.n_rows, dtype=np.float32)]
        + [np.full(len(data.gold_y[n]), config.gold_weight, dtype=np.float32) for n in gold_names]
    )
    n_features = sum(len(v) for v in data.vocabulary.values())
    w, b = fit_linear(x, y, weight, n_features, config)
    k = len(data.sectors)
    merge = np.zeros((k, len(MERGE_INPUTS)), dtype=np.float32)
    merge[:, MERGE_INPUTS.index("model")] = 1.0
    return SectorModel(
        data.sectors,
        data.vocabulary,
        w,
        b,
        np.ones(k, dtype=np.float32),
        np.zeros(k, dtype=np.float32),
        merge,
        data.word_vectors,
    )


def _report(data: TrainingData, name: str) -> GoldReport:
    return next(g for g in data.gold if g.name == name)


def report_groups(names: list[str], n_groups: int) -> dict[str, int]:
    """The fold of each gold report: one of `n_groups` groups, dealt round-robin in name order
    (deterministic, levels and decades mixed); 0 gives every report its own (leave-one-report-out)."""
    return {name: i % n_groups if n_groups else i for i, name in enumerate(sorted(names))}


def cross_validate(data: TrainingData, config: TrainingConfig, progress: bool = True) -> list[Fold]:
    """Held out by report: one model per group of gold reports (`config.held_out_groups`), trained
    without that group and scoring its reports; each calibrated and merged with coefficients fitted on
    the other groups' out-of-fold predictions only."""
    group = report_groups([g.name for g in data.gold], config.held_out_groups)
    raw_folds = []
    for held_out in sorted(set(group.values())):
        started = time.perf_counter()
        model = train_model(data, [g.name for g in data.gold if group[g.name] != held_out], config)
        for report in (g for g in data.gold if group[g.name] == held_out):
            fold = Fold(
                report.name,
                model,
                model.raw_scores(data.gold_x[report.name]),
                data.gold_y[report.name],
                score_matrix((scored.scores for scored in report.eligible), data.sectors),
                tuple(scored.context for scored in report.eligible),
                np.asarray(report.rows, dtype=np.int64),
            )
            raw_folds.append(fold)
            if progress:
                print(f"  held out {report.name}: trained in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    calibrated: dict[int, SectorModel] = {}
    folds = []
    for fold in raw_folds:
        held_out = group[fold.held_out]
        if held_out not in calibrated:
            others = [f for f in raw_folds if group[f.held_out] != held_out]
            calibrated[held_out] = calibrate(fold.model, others, config)
        folds.append(replace(fold, model=calibrated[held_out]))
    return folds


def calibrate(model: SectorModel, folds: list[Fold], config: TrainingConfig) -> SectorModel:
    """`model` with Platt scaling and merge coefficients fitted on the out-of-fold predictions of `folds`."""
    z = np.vstack([f.raw[f.rows] for f in folds])
    y = np.vstack([f.labels for f in folds])
    scale, bias = fit_platt(z, y, config.platt_ridge)
    inputs = np.concatenate([f.merge_inputs(scale, bias) for f in folds])
    return replace(model, platt_scale=scale, platt_bias=bias, merge=fit_merge(inputs, y, config.merge_ridge))


def micro_macro(y: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float, float]:
    """Micro precision, recall, F1 and macro-F1 (over sectors present in gold or predictions)."""
    tp = (y * predicted).sum(0)
    fp = ((1 - y) * predicted).sum(0)
    fn = (y * (1 - predicted)).sum(0)
    p = tp.sum() / max(tp.sum() + fp.sum(), 1)
    r = tp.sum() / max(tp.sum() + fn.sum(), 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    present = (tp + fp + fn) > 0
    per = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    return float(p), float(r), float(f1), float(per[present].mean()) if present.any() else 0.0


def held_out_figures(folds: list[Fold]) -> dict[str, tuple[float, float, float, float]]:
    """Pooled held-out figures of the eligible gold sentences (quick; `zhpolicy eval
    --cross-validate sector_tags` scores every gold sentence through the extractors)."""
    y = np.vstack([f.labels for f in folds])
    rule = np.vstack([f.rule[f.rows] for f in folds]) >= RULE_THRESHOLD
    p = np.vstack([f.model.calibrated(f.raw[f.rows]) for f in folds])
    merged = np.vstack([f.merged() for f in folds])
    return {
        "rule": micro_macro(y, rule.astype(np.float32)),
        "model": micro_macro(y, decide(p).astype(np.float32)),
        "merged": micro_macro(y, decide(merged).astype(np.float32)),
    }


def train_final(data: TrainingData, folds: list[Fold], config: TrainingConfig) -> SectorModel:
    model = train_model(data, [g.name for g in data.gold], config)
    return calibrate(model, folds, config)


def write_config(config: TrainingConfig, directory: Path, figures: dict, data: TrainingData) -> None:
    lines = [
        "# Training configuration of the sector model (pipeline/train_sectors.py; rebuild with `make train`).",
        "# parameter: a TrainingConfig field or a measured figure; value: what it was for the shipped model",
        "parameter\tvalue",
    ]
    lines += [f"{name}\t{value}" for name, value in config.rows()]
    lines.append(f"gold_reports\t{','.join(g.name for g in data.gold)}")
    lines.append(f"weak_sentences\t{data.weak_x.n_rows}")
    for method, (p, r, f1, macro) in figures.items():
        lines.append(f"held_out_{method}\tP {p:.3f} R {r:.3f} micro-F1 {f1:.3f} macro-F1 {macro:.3f}")
    (directory / "config.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shared", type=Path, help="the shared corpus (../shared/corpus)")
    parser.add_argument("--gold", type=Path, default=ROOT / "corpus" / "gold")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--weak-reports", type=int, default=None, help="override the sample size")
    args = parser.parse_args(argv)
    config = TrainingConfig()
    if args.weak_reports is not None:
        config = replace(config, weak_reports=args.weak_reports)
    started = time.perf_counter()
    data = prepare(weak_sources(args.shared, args.gold, config), args.gold, config)
    folds = cross_validate(data, config)
    figures = held_out_figures(folds)
    for method, (p, r, f1, macro) in figures.items():
        print(
            f"held-out {method}: P {p:.3f} R {r:.3f} micro-F1 {f1:.3f} macro-F1 {macro:.3f} (eligible gold sentences)"
        )
    model = train_final(data, folds, config)
    save_model(model, args.out)
    write_config(config, args.out, figures, data)
    print(f"model written to {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
