"""Sector tags by a trained linear model: one-vs-rest logistic regression over character n-grams.

What a sentence is about shows in its own words and in what a reader sees around it, so the
features are groups of character 2–3-grams — the sentence (`s`), its section heading (`h`),
the heading above that (`p`), the paragraph's lead-in (`l`, see extractors.sectors), the previous
and next sentences (`v`, `n`) — plus a few shape features (`f`: heading or not, length bucket), the
lexicon's scores (`r`) and the sentence's word vector (`e`, extractors.word_vectors: words the gold
never showed still land near the words it did). Each group is L2-normalized on its own, so a long
sentence does not drown its heading. Digits are folded to 0 (2024年 and 2025年 are one feature).

Scoring looks up the n-grams of a document's sentences at once (`known_ngram_rows`: numpy over packed
n-grams, no Python step per character), then a sparse dot product (numpy gather + sum) with a fixed
vocabulary — no loop over the vocabulary. Raw scores are
calibrated per sector (Platt scaling fitted on out-of-fold predictions for the gold reports, see
pipeline.train_sectors), so one threshold (THRESHOLD) means the same for every sector.

The model lives in lexicons/models/sectors/: `vocabulary.tsv` (group, n-gram, row), `weights.npz`
(weights, bias, calibration, merge coefficients; loaded without pickle) and `config.tsv` (the
hyper-parameters it was trained with), and reads the word vectors of lexicons/models/word_vectors/.
`make train` rebuilds both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from extractors.base import per_document
from extractors.sectors import (
    RuleScores,
    SectorTagRow,
    SentenceContext,
    is_eligible,
    keyword_scores,
    rule_scores,
    tag_rows,
)
from extractors.word_vectors import VECTORS_DIR, WordVectors, folded, read_word_vectors, sentence_vectors
from pipeline.lexicon import LEXICON_DIR
from pipeline.records import Sentence, StructuredDocument

MODEL_DIR = LEXICON_DIR / "models" / "sectors"
# On calibrated probabilities, the same for every sector. Below 0.5 because tagging pays for recall
# as much as for precision: the F1-best cut of a calibrated probability sits under 0.5 (chosen on
# the held-out folds: 0.3 gives micro-F1 0.750 vs 0.730 at 0.5 for the merged tags).
THRESHOLD = 0.3
# Most gold sentences have one sector, and the extra tags of one-topic sentences were the largest
# error: a sector is not tagged under RELATIVE times the sentence's best one. Chosen on the pooled
# out-of-fold predictions of seven gold reports: merged micro-F1 0.762 -> 0.771. (Also tagging the
# best sector from a lower threshold gained 0.009 more but tagged procedure lines: 各位代表 get none.)
RELATIVE = 0.5
# sentence, heading, parent heading, lead-in, previous and next sentence of the paragraph, shape, rule score,
# the sentence's word vector (one row per dimension)
GROUPS = ("s", "h", "p", "l", "v", "n", "f", "r", "e")
# The word vector's length against each n-gram group's 1. Chosen on five held-out groups of the 45 gold
# reports (eligible sentences): merged micro-F1 0.8345 without the vector, 0.849 at 1, 0.851 at 2, 0.852 at 3.
EMBEDDING_SCALE = 3.0
NGRAM_MIN, NGRAM_MAX = 2, 3  # single characters say little about a topic and double the work


def char_ngrams(text: str, n_min: int = NGRAM_MIN, n_max: int = NGRAM_MAX) -> set[str]:
    """Every character n_min..n_max-gram of `text` (digits folded to 0, spaces dropped)."""
    chars = folded(text)
    grams: set[str] = set()
    for n in range(n_min, n_max + 1):
        grams.update(chars[i : i + n] for i in range(len(chars) - n + 1))
    return grams


def shape_features(context: SentenceContext) -> set[str]:
    length = len(context.sentence.text)
    bucket = "len<8" if length < 8 else "len<16" if length < 16 else "len<40" if length < 40 else "len>=40"
    return {bucket, "heading" if context.is_heading else "body"}


def feature_groups(context: SentenceContext) -> dict[str, set[str]]:
    """The features of one sentence, by group (before the vocabulary is applied)."""
    return {
        "s": char_ngrams(context.sentence.text),
        "h": char_ngrams(context.heading),
        "p": char_ngrams(context.parent_heading),
        "l": char_ngrams(context.lead_in),
        "v": char_ngrams(context.previous),
        "n": char_ngrams(context.following),
        "f": shape_features(context),
    }


Vocabulary = dict[str, dict[str, int]]  # group -> n-gram -> row of the weight matrix


def known_ngram_rows(texts: Sequence[str], known: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The rows of each text's n-grams (every substring, after `folded`, that `known` has), each once
    and sorted, as (indptr, rows): text i's rows are rows[indptr[i]:indptr[i + 1]]. Sorted: float
    sums follow the order of the rows, and a set's order would follow the process's string hashing
    (a Dask worker gave a score 0.0001 apart).

    An n-gram of up to three characters is one 63-bit number (21 bits per code point), so the n-grams
    of a batch of texts are looked up among the vocabulary's sorted numbers with numpy: no Python
    step per character or per match."""
    counts, rows = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    if known:
        table = _gram_table(known)
        for start in range(0, len(texts), _TEXTS_PER_BATCH):
            batch_counts, batch_rows = _rows_of_batch(texts[start : start + _TEXTS_PER_BATCH], table)
            counts.append(batch_counts)
            rows.append(batch_rows)
    else:
        counts.append(np.zeros(len(texts), dtype=np.int64))
    return np.concatenate(([0], np.cumsum(np.concatenate(counts)))), np.concatenate(rows)


_CODE_BITS = 21  # every Unicode code point fits
_TEXTS_PER_BATCH = 4096  # bounds the arrays when training reads hundreds of thousands of sentences
_GRAM_TABLES: dict[int, tuple[dict[str, int], _GramTable]] = {}


@dataclass(frozen=True, slots=True)
class _GramTable:
    keys: dict[int, np.ndarray]  # n -> the vocabulary's n-grams, packed by `_gram_keys`, sorted (uint64)
    rows: dict[int, np.ndarray]  # n -> the row of each of those keys
    width: int  # one more than the largest row


def _gram_keys(codes: np.ndarray, n: int) -> np.ndarray:
    """The packed n-gram starting at every position of `codes` that has n code points from it on."""
    count = len(codes) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    keys = codes[:count].astype(np.uint64)
    for k in range(1, n):
        keys = (keys << np.uint64(_CODE_BITS)) | codes[k : k + count]
    return keys


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _gram_table(known: dict[str, int]) -> _GramTable:
    """The vocabulary as sorted packed keys per n-gram length, built once per vocabulary (keyed by
    identity; the entry holds the vocabulary, so its id cannot be reused while the table lives)."""
    entry = _GRAM_TABLES.get(id(known))
    if entry is None or entry[0] is not known:
        by_length: dict[int, list[tuple[str, int]]] = {}
        for gram, row in known.items():
            by_length.setdefault(len(gram), []).append((gram, row))
        if not all(1 <= n <= 64 // _CODE_BITS for n in by_length):
            raise ValueError(f"n-grams of {sorted(by_length)} characters: only 1 to {64 // _CODE_BITS} are packed")
        keys, rows = {}, {}
        for n, grams in sorted(by_length.items()):
            packed = _gram_keys(_code_points("".join(gram for gram, _ in grams)), n)[::n]
            order = np.argsort(packed, kind="stable")
            keys[n] = packed[order]
            rows[n] = np.fromiter((row for _, row in grams), np.int64, len(grams))[order]
        entry = _GRAM_TABLES[id(known)] = (known, _GramTable(keys, rows, max(known.values()) + 1))
    return entry[1]


def _rows_of_batch(texts: Sequence[str], table: _GramTable) -> tuple[np.ndarray, np.ndarray]:
    """(count per text, rows text after text) of the known n-grams of `texts`, each once, sorted."""
    folds = [folded(text) for text in texts]
    lengths = np.fromiter(map(len, folds), np.int64, len(folds))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    codes = _code_points("".join(folds))
    owners, rows = [], []
    for n, known_keys in table.keys.items():
        keys = _gram_keys(codes, n)
        at = np.minimum(np.searchsorted(known_keys, keys), len(known_keys) - 1)
        hit = np.flatnonzero(known_keys[at] == keys)
        owner = np.searchsorted(starts, hit, side="right") - 1
        inside = hit + n <= starts[owner] + lengths[owner]  # not an n-gram across two texts
        owners.append(owner[inside])
        rows.append(table.rows[n][at[hit[inside]]])
    pairs = np.sort(np.concatenate(owners) * table.width + np.concatenate(rows))  # by text, then row
    if len(pairs):
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # each once
    return np.bincount(pairs // table.width, minlength=len(texts)), pairs % table.width


# The n-gram groups of feature_groups(), in the order their features stand in a row, with the
# attribute of the sentence's context each reads ("sentence": its own text).
_NGRAM_GROUPS = (
    ("s", "sentence"),
    ("h", "heading"),
    ("p", "parent_heading"),
    ("l", "lead_in"),
    ("v", "previous"),
    ("n", "following"),
)


@dataclass(frozen=True, slots=True)
class _Part:
    """One feature group of every sentence: how many features each has, then all of them in order."""

    counts: np.ndarray  # (sentences,)
    indices: np.ndarray
    values: np.ndarray


def encode_sparse(scored: Sequence[RuleScores], vocabulary: Vocabulary) -> SparseRows:
    """The sparse groups of every sentence, each row in group order: each n-gram group's known
    n-grams and the shape features, every group scaled to unit L2 norm on its own; then the lexicon's
    score of every sector it scores (group `r`: the rules' evidence, as a feature). Each n-gram group
    looks up each distinct text once (neighbours share their texts, a section its heading)."""
    parts = [_ngram_part(scored, vocabulary.get(group, {}), attribute) for group, attribute in _NGRAM_GROUPS]
    shapes = vocabulary.get("f", {})
    parts.append(_unit_part([sorted(shapes[f] for f in shape_features(s.context) if f in shapes) for s in scored]))
    rule = vocabulary.get("r", {})
    evidence = [[(rule[k], v) for k, v in s.scores.items() if k in rule and v > 0] for s in scored]
    parts.append(
        _Part(
            np.fromiter(map(len, evidence), np.int64, len(evidence)),
            np.fromiter((row for found in evidence for row, _ in found), np.int64),
            np.fromiter((value for found in evidence for _, value in found), np.float64),
        )
    )
    return _side_by_side(parts, len(scored))


def _ngram_part(scored: Sequence[RuleScores], known: dict[str, int], attribute: str) -> _Part:
    slot: dict[str, int] = {}
    which = np.fromiter(
        (slot.setdefault(_text_of(s.context, attribute), len(slot)) for s in scored), np.int64, len(scored)
    )
    indptr, rows = known_ngram_rows(list(slot), known)
    counts = np.diff(indptr)[which]
    return _Part(counts, rows[_gather(indptr[:-1][which], counts)], _unit_values(counts))


def _unit_part(rows: list[list[int]]) -> _Part:
    counts = np.fromiter(map(len, rows), np.int64, len(rows))
    return _Part(counts, np.fromiter((row for found in rows for row in found), np.int64), _unit_values(counts))


def _unit_values(counts: np.ndarray) -> np.ndarray:
    """1/√count, count times per sentence: each group's features have unit L2 norm."""
    return np.repeat(1.0 / np.sqrt(np.maximum(counts, 1)), counts)


def _gather(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Positions starts[i], …, starts[i] + counts[i] - 1, for every i in turn."""
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(ends[-1] if len(ends) else 0)


def _side_by_side(parts: list[_Part], n_rows: int) -> SparseRows:
    """Rows made of each part's features for that row, part after part."""
    counts = np.stack([part.counts for part in parts]) if parts else np.zeros((0, n_rows), dtype=np.int64)
    indptr = np.concatenate(([0], np.cumsum(counts.sum(axis=0)))).astype(np.int64)
    before = np.cumsum(counts, axis=0) - counts  # where each part starts within its row
    indices = np.empty(indptr[-1], dtype=np.int32)
    values = np.empty(indptr[-1], dtype=np.float32)
    for part, offset in zip(parts, before, strict=True):
        at = _gather(indptr[:-1] + offset, part.counts)
        indices[at] = part.indices
        values[at] = part.values
    return SparseRows(indptr, indices, values)


def _text_of(context: SentenceContext, attribute: str) -> str:
    return context.sentence.text if attribute == "sentence" else getattr(context, attribute)


def encode_all(scored: Iterable[RuleScores], vocabulary: Vocabulary, vectors: WordVectors | None) -> SparseRows:
    """Every sentence's features: the sparse groups (`encode_sparse`) and, when the vocabulary has
    group `e` and `vectors` are given, the sentence's word vector scaled by EMBEDDING_SCALE after them."""
    scored = list(scored)
    sparse = encode_sparse(scored, vocabulary)
    dimensions = vocabulary.get("e")
    if not dimensions or vectors is None:
        return sparse
    dense = EMBEDDING_SCALE * sentence_vectors([s.context.sentence.text for s in scored], vectors)
    return sparse.with_dense(dense, np.fromiter(dimensions.values(), dtype=np.int32, count=len(dimensions)))


@dataclass(frozen=True, slots=True)
class SparseRows:
    """Rows of a sparse matrix in CSR form: row i is indices/values[indptr[i]:indptr[i+1]]."""

    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def with_dense(self, dense: np.ndarray, columns: np.ndarray) -> SparseRows:
        """These rows with dense (rows, len(columns)) values appended at `columns`, after each row's own."""
        n, width = dense.shape
        own = np.diff(self.indptr)
        indptr = self.indptr + np.arange(n + 1) * width
        indices = np.empty(indptr[-1], dtype=np.int32)
        values = np.empty(indptr[-1], dtype=np.float32)
        kept = np.arange(len(self.indices)) + np.repeat(np.arange(n), own) * width
        indices[kept], values[kept] = self.indices, self.values
        added = ((self.indptr[1:] + np.arange(n) * width)[:, None] + np.arange(width)).ravel()
        indices[added], values[added] = np.tile(columns, n), dense.ravel()
        return SparseRows(indptr, indices, values)

    def take(self, rows: np.ndarray) -> SparseRows:
        """The given rows, in that order, as a new matrix."""
        starts, lengths = self.indptr[rows], self.indptr[rows + 1] - self.indptr[rows]
        positions = _gather(starts, lengths)
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        return SparseRows(indptr, self.indices[positions], self.values[positions])

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """self @ weights in float32, by scipy's sparse product (one pass over the row's entries in
        compiled code: ~8x faster than gathering a weight row per entry and summing in numpy)."""
        from scipy.sparse import csr_matrix

        matrix = csr_matrix((self.values, self.indices, self.indptr), shape=(self.n_rows, weights.shape[0]))
        return np.asarray(matrix @ weights.astype(np.float32, copy=False), dtype=np.float32)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


# What the merge reads for each sector of a sentence: the model's probability (as a clipped logit), the
# lexicon's score, what the model says of the sentence's surroundings — the mean probability of the other
# sentences of its paragraph and of its section, the sentences just before and after it, its section's
# heading — and the probability as a share of the sentence's best sector; then a constant. A reader takes
# the topic of 加快建设23个应急避难场所 from the paragraph it stands in; so does the merge. Chosen on
# held-out folds: merged micro-F1 0.796 -> 0.809 over the 15 gold reports of the time.
MERGE_INPUTS = ("model", "rule", "paragraph", "section", "previous", "next", "heading", "share_of_best", "bias")
LOGIT_CLIP = 8.0


def _mean_of_the_others(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per row, the mean of `values` (rows, sectors) over the other rows with the same key (0 where
    there is none)."""
    _unique, group = np.unique(keys, return_inverse=True)
    sums = np.zeros((group.max() + 1, values.shape[1]))
    np.add.at(sums, group, values)
    counts = np.bincount(group)[group][:, None]
    return np.where(counts > 1, (sums[group] - values) / np.maximum(counts - 1, 1), 0.0)


def merge_inputs(contexts: list[SentenceContext], probabilities: np.ndarray, rule: np.ndarray) -> np.ndarray:
    """(rows, sectors, MERGE_INPUTS) for the eligible sentences of one document, in document order."""
    n, k = probabilities.shape
    inputs = np.zeros((n, k, len(MERGE_INPUTS)), dtype=np.float32)
    if n == 0:
        return inputs
    p = probabilities.astype(np.float64)
    paragraphs = np.array([c.sentence.paragraph for c in contexts])
    sections = np.array([-1 if c.sentence.section_id is None else c.sentence.section_id for c in contexts])
    previous, following = np.zeros_like(p), np.zeros_like(p)
    previous[1:], following[:-1] = p[:-1], p[1:]
    heading = np.zeros_like(p)
    first_of_section: dict[int, int] = {}
    for i, section in enumerate(sections.tolist()):
        first = first_of_section.setdefault(section, i)
        if first != i and contexts[first].is_heading:
            heading[i] = p[first]
    best = np.maximum(p.max(axis=1, keepdims=True), 1e-6)
    columns = (
        np.clip(logit(p), -LOGIT_CLIP, LOGIT_CLIP),
        rule,
        _mean_of_the_others(paragraphs, p),
        _mean_of_the_others(sections, p),
        previous,
        following,
        heading,
        p / best,
        np.ones_like(p),
    )
    for column, values in enumerate(columns):
        inputs[:, :, column] = values
    return inputs


@dataclass(frozen=True, slots=True)
class SectorModel:
    """A trained model: raw score z = x·W + b; probability σ(a·z + c) per sector (Platt); merged
    probability σ(merge[sector] · merge_inputs) per sector."""

    sectors: tuple[str, ...]
    vocabulary: Vocabulary
    weights: np.ndarray  # (features, sectors)
    bias: np.ndarray  # (sectors,)
    platt_scale: np.ndarray
    platt_bias: np.ndarray
    merge: np.ndarray  # (sectors, MERGE_INPUTS)
    word_vectors: WordVectors | None = None  # what group `e` reads; None: a model trained without it

    def encode(self, scored: Iterable[RuleScores]) -> SparseRows:
        return encode_all(scored, self.vocabulary, self.word_vectors)

    def raw_scores(self, rows: SparseRows) -> np.ndarray:
        return rows.dot(self.weights) + self.bias

    def calibrated(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated P(sector | sentence) from raw scores, every value in [0, 1]."""
        return sigmoid(self.platt_scale * raw + self.platt_bias)

    def probabilities(self, rows: SparseRows) -> np.ndarray:
        return self.calibrated(self.raw_scores(rows))

    def merged(self, inputs: np.ndarray) -> np.ndarray:
        """Merged probability per (row, sector) from `merge_inputs` (rows, sectors, MERGE_INPUTS)."""
        return sigmoid((inputs * self.merge[None, :, :]).sum(axis=2))


def decide(probabilities: np.ndarray) -> np.ndarray:
    """Which sectors each row (a sentence) is tagged with: THRESHOLD, and not under RELATIVE times
    the row's best."""
    if probabilities.size == 0:
        return probabilities.astype(bool)
    best = probabilities.max(axis=1, keepdims=True)
    return (probabilities >= THRESHOLD) & (probabilities >= RELATIVE * best)


def chosen_scores(sectors: tuple[str, ...], probabilities: np.ndarray) -> list[dict[str, float]]:
    """Per row, the sectors `decide` tags (in the order of `sectors`), with their probabilities."""
    rows, columns = np.nonzero(decide(probabilities))  # row by row, columns ascending
    chosen: list[dict[str, float]] = [{} for _ in range(len(probabilities))]
    values = probabilities[rows, columns].tolist()
    for row, column, value in zip(rows.tolist(), columns.tolist(), values, strict=True):
        chosen[row][sectors[column]] = value
    return chosen


def score_matrix(scores: Iterable[dict[str, float]], sectors: tuple[str, ...]) -> np.ndarray:
    """Per-sentence {sector: score} dicts (the lexicon's scores, or label sets as 1.0) as a
    (rows, sectors) matrix in the order of `sectors`."""
    column = {s: i for i, s in enumerate(sectors)}
    rows = list(scores)
    matrix = np.zeros((len(rows), len(sectors)), dtype=np.float32)
    for i, row in enumerate(rows):
        for sector, score in row.items():
            if sector in column:
                matrix[i, column[sector]] = score
    return matrix


# --------------------------------------------------------------------------- files

_ARRAYS = ("weights", "bias", "platt_scale", "platt_bias", "merge")


def save_model(model: SectorModel, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        directory / "weights.npz",
        sectors=np.array(model.sectors),
        **{name: getattr(model, name).astype(np.float16 if name == "weights" else np.float32) for name in _ARRAYS},
    )
    lines = [
        "# Vocabulary of the sector model (extractors/sector_model.py): the features that have a row in weights.npz.",
        "# group: s sentence, h section heading, p parent heading, l paragraph lead-in, v previous and n next "
        "sentence of the paragraph, f shape, r rule score, e word vector; "
        "feature: a character n-gram (digits folded to 0), a shape name, a sector id or a dimension of the "
        "word vector; row: row of the weight matrix",
        "group\tfeature\trow",
    ]
    for group in GROUPS:
        for feature, row in sorted(model.vocabulary.get(group, {}).items(), key=lambda item: item[1]):
            lines.append(f"{group}\t{feature}\t{row}")
    (directory / "vocabulary.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_model(directory: Path, vectors_dir: Path = VECTORS_DIR) -> SectorModel:
    """The model in `directory`; if it was trained with word vectors, those of `vectors_dir`, which must
    be the ones it was trained with (same dimensions)."""
    vocabulary: Vocabulary = {group: {} for group in GROUPS}
    with (directory / "vocabulary.tsv").open(encoding="utf-8") as handle:
        lines = (line.rstrip("\n") for line in handle if not line.startswith("#"))
        next(lines)  # header
        for line in lines:
            group, feature, row = line.split("\t")
            vocabulary[group][feature] = int(row)
    with np.load(directory / "weights.npz", allow_pickle=False) as data:
        arrays = {name: data[name].astype(np.float32) for name in _ARRAYS}
        sectors = tuple(str(s) for s in data["sectors"])
    vectors = None
    if vocabulary["e"]:
        vectors = read_word_vectors(vectors_dir)
        if vectors.dim != len(vocabulary["e"]):
            raise ValueError(
                f"{directory} was trained on {len(vocabulary['e'])}-dimensional word vectors, "
                f"{vectors_dir} has {vectors.dim}"
            )
    return SectorModel(sectors, vocabulary, **arrays, word_vectors=vectors)


@cache
def shipped_model() -> SectorModel:
    """The model in lexicons/models/sectors/, read once per process."""
    return read_model(MODEL_DIR)


# --------------------------------------------------------------------------- extractors


def _eligible(doc: StructuredDocument) -> list[RuleScores]:
    """Sentences that may carry tags: the same gate for every method (greetings and procedure never do)."""
    return [scored for scored in rule_scores(doc) if scored.eligible]


@per_document
def _model_probabilities(doc: StructuredDocument, model: SectorModel) -> tuple[list[RuleScores], np.ndarray]:
    """The eligible sentences and the model's calibrated probabilities for them (model and merged share it)."""
    eligible = _eligible(doc)
    return eligible, model.probabilities(model.encode(eligible))


class _ModelBasedTagger:
    """What the model and merged taggers share: the model, the eligible sentences and their rows;
    each says in `sector_scores` which per-sector scores it thresholds."""

    version = "1.3"
    table = "sector_tags"
    requires = ("sentences", "sections")
    name: str
    method: str

    def __init__(self, model: SectorModel | None = None) -> None:
        self._model = model

    def sector_scores(self, model: SectorModel, eligible: list[RuleScores], probabilities: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def extract(self, doc: StructuredDocument):
        model = self._model or shipped_model()
        label = f"{self.name}@{self.version}"
        eligible, probabilities = _model_probabilities(doc, model)
        scores = self.sector_scores(model, eligible, probabilities)
        for scored, chosen in zip(eligible, chosen_scores(model.sectors, scores), strict=True):
            yield from tag_rows(scored.context.sentence, chosen, 0.0, label, self.method)


class SectorModelTagger(_ModelBasedTagger):
    """Rows of the model alone (method "model"), calibrated probabilities chosen by `decide`."""

    name = "sector_tags_model"
    method = "model"

    def sector_scores(self, model, eligible, probabilities):
        return probabilities


class SectorMergedTagger(_ModelBasedTagger):
    """The default sector tags (method "merged"): the model's probability, the lexicon's score and the
    model's view of the sentence's paragraph, section and neighbours (`merge_inputs`), combined per
    sector by coefficients fitted on held-out gold, chosen by `decide`."""

    name = "sector_tags_merged"
    method = "merged"

    def sector_scores(self, model, eligible, probabilities):
        rule = score_matrix((s.scores for s in eligible), model.sectors)
        return model.merged(merge_inputs([s.context for s in eligible], probabilities, rule))


def _text_rows(text: str, role: str, method: str) -> list[SectorTagRow]:
    """Tags of one sentence on its own, no heading or lead-in (examples, tests, debugging)."""
    model = shipped_model()
    own = keyword_scores(text)
    if not is_eligible(text, own, False):
        return []
    scored = RuleScores(SentenceContext(Sentence(0, None, 0, 0, len(text), text, role), "", "", "", False), own, True)
    probabilities = model.probabilities(model.encode([scored]))
    if method == "merged":
        probabilities = model.merged(merge_inputs([scored.context], probabilities, score_matrix([own], model.sectors)))
    [scores] = chosen_scores(model.sectors, probabilities)
    return list(tag_rows(scored.context.sentence, scores, 0.0, f"sector_tags_{method}@test", method))


def model_tags_for_text(text: str, role: str = "tasks", year: int | None = 2025) -> list[SectorTagRow]:
    return _text_rows(text, role, "model")


def merged_tags_for_text(text: str, role: str = "tasks", year: int | None = 2025) -> list[SectorTagRow]:
    return _text_rows(text, role, "merged")
