"""The name model's greedy pass in numpy: the trained tok2vec and NER weights, read out of the spaCy
pipeline and applied to every candidate clause of a document at once, with no spaCy Doc.

spaCy spends most of the greedy pass outside arithmetic: a Doc per clause, thinc's layer calls per
batch, and a C loop of transition checks and tiny BLAS calls per character (16 µs each, measured
here). The same computation as array operations over all clauses of a document is several times
cheaper and gives the same spans: each step below is the operation spaCy and thinc run (thinc's own
hash, gather, window and maxout kernels; numpy's BLAS as `name_model` sets it; BLIS for the NER's
output layer, as spaCy's parser uses), and tests/test_greedy_names.py checks the spans against
spaCy's greedy parse on real clauses.

What is reproduced (lexicons/models/projects/config.cfg): MultiHashEmbed over NORM, LEMMA, TAG →
Maxout + LayerNorm → MaxoutWindowEncoder (residual window-1 Maxout + LayerNorm blocks, clauses
flattened with thinc's padding) → the NER's input Linear → its precomputed lower layer over three
state tokens (the buffer's first, the open entity's first, the one before the buffer) → Maxout →
output Linear → the BILUO move with the best score among those valid. A model of another shape is
not read (`from_pipeline` returns None) and the spaCy path is used.

The beam pass for confidences stays on spaCy (extractors/name_model.py): it reads few clauses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import blis.py
import numpy as np

log = logging.getLogger(__name__)

EMBED_ATTRS = ("NORM", "LEMMA", "TAG")
STATE_TOKENS = 3  # spaCy's NER state: B(0), the open entity's start, B(0) - 1
CHARS_PER_CHUNK = 16_384  # the precomputed lower layer takes 1.5 kB per character
STRINGS_KEPT = 200_000  # bigram and tag ids remembered (about 30 MB)
_BEGIN, _IN, _LAST, _UNIT, _OUT = range(5)
_MOVE_KINDS = {"B": _BEGIN, "I": _IN, "L": _LAST, "U": _UNIT, "O": _OUT}


@dataclass(frozen=True, slots=True)
class MaxoutNorm:
    """A Maxout layer followed by a LayerNorm (thinc's maxout >> layernorm)."""

    weights: np.ndarray  # (outputs * pieces, inputs)
    bias: np.ndarray  # (outputs * pieces,)
    pieces: int
    gain: np.ndarray  # (outputs,)
    shift: np.ndarray  # (outputs,)


@dataclass(frozen=True, slots=True)
class GreedyNames:
    ops: object  # thinc NumpyOps: the hash, gather, window and maxout kernels tok2vec uses
    tables: tuple[np.ndarray, ...]  # the hash-embedding table of each of EMBED_ATTRS
    seeds: tuple[int, ...]
    mix: MaxoutNorm
    encoder: tuple[MaxoutNorm, ...]  # residual blocks, each over a window of one token either side
    padding: int  # zero rows thinc puts around each clause before the encoder
    projection: tuple[np.ndarray, np.ndarray]  # the NER's input Linear: (weights, bias)
    lower: np.ndarray  # (STATE_TOKENS * hidden * pieces, width)
    lower_bias: np.ndarray  # (hidden * pieces,)
    lower_padding: np.ndarray  # (STATE_TOKENS, hidden * pieces): a state token that is not there
    lower_pieces: int
    upper: tuple[np.ndarray, np.ndarray]  # (weights (moves, hidden), bias)
    move_kinds: np.ndarray  # (moves,) _BEGIN … _OUT
    move_labels: np.ndarray  # (moves,) index into labels, -1 for none
    labels: tuple[str, ...]
    valid: np.ndarray  # (states, moves): which moves each parser state allows (`_valid_moves`)
    vocab: object  # the pipeline's spaCy Vocab: the norm of a character
    norms: dict[str, int]  # character -> its NORM id, filled as characters are met
    strings: dict[str, int]  # bigram or tag -> its id, the same


def from_pipeline(nlp) -> GreedyNames | None:
    """The weights of a loaded name model, or None when its architecture is not the one read here."""
    try:
        return _read(nlp)
    except (KeyError, ValueError, AttributeError, AssertionError) as error:
        log.warning("name model: greedy pass on spaCy (architecture not read by greedy_names: %s)", error)
        return None


def _read(nlp) -> GreedyNames:
    from thinc.api import NumpyOps

    tok2vec = nlp.get_pipe("tok2vec").model
    nodes = list(tok2vec.walk())
    columns = next(n for n in nodes if n.name == "extract_features").attrs["columns"]
    assert list(columns) == list(EMBED_ATTRS), f"features {columns}"
    embeds = sorted((n for n in nodes if n.name == "hashembed"), key=lambda n: n.attrs["column"])
    assert [n.attrs["column"] for n in embeds] == list(range(len(EMBED_ATTRS))), "embedding columns"
    windows = {n.attrs["window_size"] for n in nodes if n.name == "expand_window"}
    assert windows == {1}, f"window sizes {windows}"
    mix = _only(_only(tok2vec, "with_array(maxout>>layernorm>>dropout)"), "maxout>>layernorm")
    encoder = next(n for n in nodes if n.name.startswith("with_array(residual("))
    residuals = encoder.layers[0].layers if len(encoder.layers[0].layers) > 1 else encoder.layers
    assert all(r.name.startswith("residual(") for r in residuals), "residual blocks"

    ner = nlp.get_pipe("ner")
    model = ner.model
    lower, upper = model.get_ref("lower"), model.get_ref("upper")
    listener = model.get_ref("tok2vec")
    assert listener.name == "tok2vec-listener>>list2array>>linear", listener.name
    assert lower.name == "precomputable_affine" and lower.get_dim("nF") == STATE_TOKENS, "lower layer"
    assert not model.attrs.get("unseen_classes"), "unseen classes"
    linear = listener.layers[-1]
    n_features, hidden, pieces, width = (lower.get_dim(d) for d in ("nF", "nO", "nP", "nI"))
    labels = tuple(ner.labels)
    moves = [ner.moves.get_class_name(index).partition("-") for index in range(ner.moves.n_moves)]
    move_kinds = np.array([_MOVE_KINDS[kind] for kind, _, _ in moves], dtype=np.int8)
    move_labels = np.array([labels.index(label) if label else -1 for _, _, label in moves], dtype=np.int8)
    assert upper.get_dim("nO") == len(moves), "one score per move"
    return GreedyNames(
        ops=NumpyOps(use_blis=False),
        tables=tuple(n.get_param("E") for n in embeds),
        seeds=tuple(int(n.attrs["seed"]) for n in embeds),
        mix=_maxout_norm(mix),
        encoder=tuple(_maxout_norm(_only(residual, "maxout>>layernorm")) for residual in residuals),
        padding=int(encoder.attrs["pad"]),
        projection=(linear.get_param("W"), linear.get_param("b")),
        lower=lower.get_param("W").reshape(n_features * hidden * pieces, width),
        lower_bias=lower.get_param("b").reshape(hidden * pieces),
        lower_padding=lower.get_param("pad").reshape(n_features, hidden * pieces),
        lower_pieces=pieces,
        upper=(upper.get_param("W"), upper.get_param("b")),
        move_kinds=move_kinds,
        move_labels=move_labels,
        labels=labels,
        valid=_valid_moves(move_kinds, move_labels, len(labels)),
        vocab=nlp.vocab,
        norms={},
        strings={},
    )


def _only(node, name: str):
    """The one layer named `name` inside `node`."""
    (found,) = (n for n in node.walk() if n.name == name)
    return found


def _maxout_norm(block) -> MaxoutNorm:
    maxout, norm = block.layers
    outputs, pieces, inputs = (maxout.get_dim(d) for d in ("nO", "nP", "nI"))
    return MaxoutNorm(
        weights=maxout.get_param("W").reshape(outputs * pieces, inputs),
        bias=maxout.get_param("b").reshape(outputs * pieces),
        pieces=pieces,
        gain=norm.get_param("G"),
        shift=norm.get_param("b"),
    )


# --------------------------------------------------------------------------- features


def feature_ids(model: GreedyNames, text: str, tags: Sequence[str]) -> np.ndarray:
    """(characters, 3) uint64: the ids of each character's NORM (the vocabulary's norm of the
    character: lower case, and spaCy's base norms, “ -> \"), LEMMA (it and the next one) and TAG
    (`name_model.token_tags`), as a Doc made by `name_model.char_doc` holds them."""
    norms, strings = model.norms, model.strings
    ids = np.empty((len(text), len(EMBED_ATTRS)), dtype=np.uint64)
    ids[:, 0] = [norms.get(c) or _norm_id(model, c) for c in text]
    bigrams = [text[i : i + 2] for i in range(len(text))]
    ids[:, 1] = [strings.get(b) or _string_id(model, b) for b in bigrams]
    ids[:, 2] = [strings.get(tag) or _string_id(model, tag) for tag in tags]
    return ids


def _norm_id(model: GreedyNames, character: str) -> int:
    norm = model.norms[character] = model.vocab[character].norm
    return norm


def _string_id(model: GreedyNames, text: str) -> int:
    """spaCy's 64-bit id of a string (what Doc.to_array gives for LEMMA and TAG)."""
    from spacy.strings import get_string_id

    if len(model.strings) >= STRINGS_KEPT:  # bigrams keep coming in a long batch: memory stays flat
        model.strings.clear()
    found = model.strings[text] = get_string_id(text)
    return found


# --------------------------------------------------------------------------- tok2vec


def token_vectors(model: GreedyNames, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """tok2vec's output for clauses laid end to end (`ids` of all their characters, `lengths` of each)."""
    ops = model.ops
    embedded = [
        ops.gather_add(table, ops.hash(np.ascontiguousarray(ids[:, column]), seed) % table.shape[0])
        for column, (table, seed) in enumerate(zip(model.tables, model.seeds, strict=True))
    ]
    mixed = _maxout_norm_forward(ops, model.mix, np.hstack(embedded))
    padded, rows = _with_padding(mixed, lengths, model.padding)
    for block in model.encoder:
        padded = padded + _maxout_norm_forward(ops, block, ops.seq2col(padded, 1))
    return padded[rows]


def _maxout_norm_forward(ops, layer: MaxoutNorm, inputs: np.ndarray) -> np.ndarray:
    scores = np.dot(inputs, layer.weights.T)
    scores += layer.bias
    best, _ = ops.maxout(scores.reshape(len(scores), -1, layer.pieces))
    mean = best.mean(axis=1, keepdims=True)
    variance = best.var(axis=1, keepdims=True) + 1e-08
    normed = (best - mean) * variance ** (-1.0 / 2.0)
    out = normed * layer.gain
    out += layer.shift
    return out


def _with_padding(rows: np.ndarray, lengths: np.ndarray, padding: int) -> tuple[np.ndarray, np.ndarray]:
    """thinc's flatten(pad=padding): `padding` zero rows before each clause and after the last, so
    that no window reaches from one clause into the next; and where the clauses' rows now are."""
    starts = np.cumsum(lengths) - lengths
    shifted = starts + padding * (np.arange(len(lengths)) + 1)
    where = np.repeat(shifted - starts, lengths) + np.arange(len(rows))
    padded = np.zeros((len(rows) + padding * (len(lengths) + 1), rows.shape[1]), dtype=rows.dtype)
    padded[where] = rows
    return padded, where


# --------------------------------------------------------------------------- NER


def decode(model: GreedyNames, vectors: np.ndarray, lengths: np.ndarray, spaces: np.ndarray) -> list[list]:
    """Per clause, its entities (start, end, label) by the NER's greedy parse: at each character, the
    best-scoring move among the valid ones (one move per character).

    With no entity open, the parser's state is the character alone (the other two state tokens are
    absent), so the move there is one batch for every character of every clause (`closed`); only
    inside an entity does the state carry history (where the entity began), and those few
    characters are stepped through one at a time."""
    weights, bias = model.projection
    inputs = np.dot(vectors, weights.T)
    inputs += bias
    products = np.dot(inputs, model.lower.T).reshape(len(inputs), STATE_TOKENS, -1)
    first, opened_at, before = (products[:, f] for f in range(STATE_TOKENS))
    unmaxed = first + model.lower_padding[1]
    unmaxed += model.lower_padding[2]
    unmaxed += model.lower_bias
    ends = np.cumsum(lengths)
    last = np.zeros(len(inputs), dtype=bool)
    last[ends[lengths > 0] - 1] = True
    closed = _best_moves(model, unmaxed, 2 * last + spaces)
    starts_here = np.flatnonzero(np.isin(model.move_kinds[closed], (_BEGIN, _UNIT)))

    found: list[list] = [[] for _ in lengths]
    for clause, (clause_start, clause_end) in enumerate(zip(ends - lengths, ends, strict=True)):
        at = clause_start
        while True:
            following = int(np.searchsorted(starts_here, at))
            if following == len(starts_here) or starts_here[following] >= clause_end:
                break
            at = int(starts_here[following])
            move = closed[at]
            label = int(model.move_labels[move])
            if model.move_kinds[move] == _UNIT:
                found[clause].append((at - clause_start, at - clause_start + 1, model.labels[label]))
                at += 1
                continue
            end = _entity_end(model, first, opened_at[at], before, at, label, last)
            found[clause].append((at - clause_start, end - clause_start, model.labels[label]))
            at = end
    return found


def _entity_end(model, first, opened, before, begin: int, label: int, last: np.ndarray) -> int:
    """Where an entity begun at `begin` ends: step on while the best valid move is In, until Last."""
    at = begin + 1
    while True:
        unmaxed = first[at] + opened
        unmaxed += before[at - 1]
        unmaxed += model.lower_bias
        move = _best_moves(model, unmaxed[None, :], np.array([4 + 2 * label + last[at]]))[0]
        if model.move_kinds[move] == _LAST:
            return at + 1
        at += 1


def _best_moves(model: GreedyNames, unmaxed: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Per row, the best-scoring move valid in its state (see `_valid_moves`), from the lower layer's
    sums before the maxout: the parser's hidden layer, output layer and move choice."""
    pieces = model.lower_pieces
    hidden = unmaxed[:, 0::pieces]
    for piece in range(1, pieces):
        hidden = np.maximum(hidden, unmaxed[:, piece::pieces])
    upper_weights, upper_bias = model.upper
    scores = blis.py.gemm(np.ascontiguousarray(hidden), upper_weights, trans2=True)
    scores += upper_bias
    return np.where(model.valid[states], scores, -np.inf).argmax(axis=1)


def _valid_moves(kinds: np.ndarray, labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Which moves spaCy's BILUO system allows in each state (no preset entities, no sentence
    starts), by state: 2 * last + space with no entity open; 4 + 2 * label + last inside one."""
    labelled = labels >= 0
    rows = []
    for last in (False, True):
        for space in (False, True):
            rows.append(
                ((kinds == _BEGIN) & labelled & (not last) & (not space))
                | ((kinds == _UNIT) & labelled & (not space))
                | (kinds == _OUT)
            )
    for label in range(n_labels):
        for last in (False, True):
            same = labels == label
            rows.append(((kinds == _IN) & same & (not last)) | ((kinds == _LAST) & same))
    return np.array(rows)


def spans(model: GreedyNames, pieces: Sequence[tuple[str, Sequence[str]]]) -> list[list[tuple[int, int, str]]]:
    """Entities (start, end, label) of each (text, per-character tags) piece by the greedy parse, read
    in chunks of about CHARS_PER_CHUNK characters."""
    found: list[list[tuple[int, int, str]]] = [[] for _ in pieces]
    reading = [i for i, (text, _) in enumerate(pieces) if text]  # thinc drops empty clauses too
    for chunk in _chunks(reading, [len(pieces[i][0]) for i in reading]):
        ids = np.concatenate([feature_ids(model, *pieces[i]) for i in chunk])
        lengths = np.array([len(pieces[i][0]) for i in chunk], dtype=np.int64)
        spaces = np.array([c.isspace() for i in chunk for c in pieces[i][0]], dtype=bool)
        vectors = token_vectors(model, ids, lengths)
        for i, entities in zip(chunk, decode(model, vectors, lengths, spaces), strict=True):
            found[i] = entities
    return found


def _chunks(indices: list[int], sizes: list[int]) -> list[list[int]]:
    """`indices` in order, cut into runs of at most CHARS_PER_CHUNK characters (a longer piece alone)."""
    chunks: list[list[int]] = []
    total = CHARS_PER_CHUNK
    for index, size in zip(indices, sizes, strict=True):
        if total + size > CHARS_PER_CHUNK:
            chunks.append([])
            total = 0
        chunks[-1].append(index)
        total += size
    return chunks
