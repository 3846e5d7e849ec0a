"""Projects and organizations by a trained statistical model: spaCy (blank `zh`), tok2vec + NER
over one token per character, so every character offset is a token boundary and no gold or rule
span can be misaligned (spaCy drops misaligned spans silently; here there are none to drop).

Each character carries three features: NORM (the character), LEMMA (the character and the next
one, a bigram) and TAG (its place in its jieba word, B/I/E/S, and the word's coarse POS). Labels:
PROJECT and ORG; an ORG's kind, and a PROJECT's category, come from the name's suffix by the same
lexicons the rules use. The NER is spaCy's beam NER, trained with greedy updates; at prediction the
beam gives each entity a probability, which is the row's confidence.

The model lives in lexicons/models/projects/model/ (config: lexicons/models/projects/config.cfg;
`make train-projects` rebuilds it, pipeline/train_names.py). Without it, `load_model()` is None
and the pipeline runs on rules alone.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import regex

from extractors import greedy_names
from pipeline.lexicon import LEXICON_DIR, contains_any, read_list, read_tsv
from pipeline.records import Token

MODEL_DIR = LEXICON_DIR / "models" / "projects" / "model"
CONFIG_PATH = LEXICON_DIR / "models" / "projects" / "config.cfg"
LABELS = ("PROJECT", "ORG")
BATCH_SIZE = 64
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelSpan:
    start: int  # offsets within the sentence
    end: int
    label: str  # PROJECT | ORG
    confidence: float


def token_tags(text: str, tokens: Sequence[Token]) -> list[str]:
    """Per character: B/I/E/S of its jieba word and the word's coarse POS (B-ns, E-ns, S-v …)."""
    tags = ["S-x"] * len(text)
    for token in tokens:
        pos = (token.pos or "x")[:2]
        size = token.end - token.start
        for i in range(token.start, token.end):
            if not 0 <= i < len(text):
                continue
            place = "S" if size == 1 else ("B" if i == token.start else ("E" if i == token.end - 1 else "I"))
            tags[i] = f"{place}-{pos}"
    return tags


def char_doc(vocab, text: str, tokens: Sequence[Token]):
    """A spaCy Doc of one token per character of `text`, with the model's features
    (`tokens`: the sentence's jieba tokens, offsets within `text`)."""
    from spacy.tokens import Doc

    words = list(text)
    bigrams = [text[i : i + 2] for i in range(len(text))]
    return Doc(vocab, words=words, spaces=[False] * len(words), lemmas=bigrams, tags=token_tags(text, tokens))


def register_reader() -> None:
    """The training corpus reader (config [corpora]): DocBin documents whose predicted side keeps the
    reference's characters and features, which spaCy's own reader would re-tokenize away."""
    import spacy

    if "zhpolicy.char_corpus.v1" in spacy.registry.readers:
        return

    @spacy.registry.readers("zhpolicy.char_corpus.v1")
    def char_corpus(path: Path, limit: int = 0) -> Callable:
        from spacy.tokens import DocBin
        from spacy.training import Example

        def read(nlp) -> Iterator[Example]:
            docs = DocBin().from_disk(path).get_docs(nlp.vocab)
            for n, reference in enumerate(docs):
                if limit and n >= limit:
                    break
                if not len(reference):
                    continue
                predicted = _predicted_side(nlp.vocab, reference)
                yield Example(predicted, reference)

        return read


def _predicted_side(vocab, reference):
    """The predicted side of a training example: the reference's tokens and features, no entities."""
    from spacy.tokens import Doc

    return Doc(
        vocab,
        words=[t.text for t in reference],
        spaces=[bool(t.whitespace_) for t in reference],
        lemmas=[t.lemma_ for t in reference],
        tags=[t.tag_ for t in reference],
    )


@cache
def load_model(path: Path = MODEL_DIR):
    """The trained pipeline, or None (with one warning) when it is not there."""
    if not (path / "config.cfg").is_file():
        log.warning("no trained name model in %s: projects and entities come from rules only", path)
        return None
    import spacy

    register_reader()
    nlp = spacy.load(path)
    _multiply_with_numpy(nlp)
    return nlp


def _multiply_with_numpy(nlp) -> None:
    """Run the model's matrix products on numpy's BLAS rather than thinc's default, BLIS: measured
    here on the model's shapes (a batch of characters × 192 → 128), single-threaded OpenBLAS does
    about 40 GFLOP/s and the bundled BLIS 12–20. The greedy parse gives the same spans; beam
    probabilities move in the sixth decimal."""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _name, pipe in nlp.pipeline:
        for node in pipe.model.walk():
            node.ops = ops


@cache
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@cache
def _holds_a_cue() -> Callable[[str], bool]:
    """Sentences the model reads: those with a name suffix, a list head, a stage or construction cue."""
    words = {row["suffix"] for row in read_tsv("name_suffixes.tsv")}
    words |= {row["head"] for row in read_tsv("list_heads.tsv")}
    words |= {row["cue"] for row in read_tsv("project_stages.tsv")}
    words |= set(read_list("model_cue_words.txt"))
    return contains_any(words)


def is_candidate(text: str) -> bool:
    return len(text) >= 4 and _holds_a_cue()(text)


_CLAUSE_END = regex.compile(r"(?<=[,;:])")


def clauses(text: str) -> list[tuple[int, int]]:
    """A sentence's clauses (cut after , ; :), as spans."""
    cuts = [0, *(m.start() for m in _CLAUSE_END.finditer(text)), len(text)]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def units(text: str) -> list[tuple[int, int]]:
    """The clauses of a sentence the model reads (those `is_candidate` accepts): names do not cross
    a comma, and reading clauses rather than sentences halves what the model has to read."""
    return [(a, b) for a, b in clauses(text) if is_candidate(text[a:b])]


def unit_tokens(tokens: Sequence[Token], start: int, end: int) -> tuple[Token, ...]:
    """The tokens inside [start, end) with offsets from `start` (`tokens` in order of offset)."""
    first = bisect_right(tokens, start, key=_token_end)
    out = []
    for token_start, token_end, word, pos in tokens[first:]:
        if token_start >= end:
            break
        out.append(Token(max(token_start, start) - start, min(token_end, end) - start, word, pos))
    return tuple(out)


def _token_end(token: Token) -> int:
    return token.end


def predict(
    nlp, pieces: Sequence[tuple[str, Sequence[Token]]], beam: bool = True, batch_size: int = BATCH_SIZE
) -> list[list[ModelSpan]]:
    """Entity spans for each (text, tokens) piece. With `beam`, each span's confidence is its
    probability under the beam (the sum over the beam's parses that hold it); without, spans come
    from the greedy parse (several times faster) and carry confidence 0. The greedy parse runs on
    the model's weights in numpy (extractors/greedy_names.py: the same spans, no spaCy Doc), or on
    spaCy for a model of an architecture greedy_names does not read."""
    from spacy.util import minibatch

    results: list[list[ModelSpan]] = []
    # One BLAS thread: a second one only spins on batches this small (twice the CPU for the same wall
    # time), and parallelism comes from the runner's worker processes.
    with _blas().limit(limits=1, user_api="blas"):
        greedy = None if beam else _greedy_names(nlp)
        if greedy is not None:
            tagged = [(text, token_tags(text, tokens)) for text, tokens in pieces]
            found = greedy_names.spans(greedy, tagged)
            return [[ModelSpan(start, end, label, 0.0) for start, end, label in spans] for spans in found]
        for batch in minibatch(list(pieces), size=batch_size):
            results.extend(_predict_batch(nlp, batch, beam, batch_size))
    return results


@cache
def _greedy_names(nlp) -> greedy_names.GreedyNames | None:
    return greedy_names.from_pipeline(nlp)


def _predict_batch(nlp, batch, beam: bool, batch_size: int) -> list[list[ModelSpan]]:
    ner = nlp.get_pipe("ner")
    docs = [char_doc(nlp.vocab, text, tokens) for text, tokens in batch]
    for name, pipe in nlp.pipeline:
        if name != "ner":
            docs = list(pipe.pipe(docs, batch_size=batch_size))
    if not any(len(d) for d in docs):
        return [[] for _ in docs]
    width = ner.cfg["beam_width"]
    ner.cfg["beam_width"] = width if beam else 1
    try:
        parses = ner.predict(docs)
        scores = ner.scored_ents(parses) if beam else [{} for _ in docs]
        ner.set_annotations(docs, parses)
    finally:
        ner.cfg["beam_width"] = width
    return [
        [
            ModelSpan(e.start_char, e.end_char, e.label_, min(1.0, score.get((e.start, e.end, e.label_), 0.0)))
            for e in doc.ents
        ]
        for doc, score in zip(docs, scores, strict=True)
    ]


def sentence_spans(
    nlp,
    sentences: Sequence[tuple[str, Sequence[Token]]],
    beam: bool = True,
    reads: Callable[[int, int, int], bool] | None = None,
) -> list[list[ModelSpan]]:
    """Model spans for whole sentences (offsets within each sentence), read clause by clause;
    `reads(index, start, end)` narrows the candidate clauses further (default: all of them)."""
    pieces, owners = [], []
    for index, (text, tokens) in enumerate(sentences):
        for start, end in units(text):
            if reads is not None and not reads(index, start, end):
                continue
            pieces.append((text[start:end], unit_tokens(tokens, start, end)))
            owners.append((index, start))
    found: list[list[ModelSpan]] = [[] for _ in sentences]
    for (index, offset), spans in zip(owners, predict(nlp, pieces, beam), strict=True):
        found[index].extend(ModelSpan(s.start + offset, s.end + offset, s.label, s.confidence) for s in spans)
    return found


def model_fingerprint(path: Path = MODEL_DIR) -> str:
    """8 hex characters of the model's weights (extractor versions change when the model does)."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("tok2vec/model", "ner/model", "ner/moves"):
        file = path / name
        digest.update(file.read_bytes() if file.is_file() else b"")
    return digest.hexdigest()[:8]
