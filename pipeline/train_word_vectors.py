"""Train the word vectors (extractors/word_vectors.py): `python -m pipeline.train_word_vectors ../shared/corpus`.

Skip-gram word2vec (gensim) over every report of the shared corpus except the twins of the gold
reports (the same rule as the sector model's weak labels: no text a held-out figure is scored on),
cut by `words_of` as the tagger cuts. Only words seen `--keep-count` times are shipped: rarer ones
have poor vectors and would make the file large.

Deterministic: one worker thread, a fixed seed and a hash of the words that does not depend on
the process's string hashing. gensim is a training-time dependency only (`pip install -e '.[train]'`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import regex

from extractors.word_vectors import VECTORS_DIR, save_word_vectors, words_of
from pipeline.ingest import ingest
from pipeline.train_sectors import ROOT, TrainingConfig, weak_sources

# Sentence ends and clause breaks that end a window: words across them are not each other's context.
_BREAKS = regex.compile(r"[。！？；!?;\n]+")
_WORDLIKE = regex.compile(r"[\p{Han}A-Za-z0-9]")


def stable_hash(text: str) -> int:
    """gensim seeds each word's vector with a hash of it; Python's `hash` differs between processes."""
    return zlib.crc32(text.encode("utf-8"))


def corpus_lines(text: str):
    """Space-separated words of each clause of a report's normalized text (clauses of 3+ words)."""
    for clause in _BREAKS.split(text):
        words = [w for w in words_of(clause) if _WORDLIKE.search(w)]
        if len(words) >= 3:
            yield " ".join(words)


def write_corpus(sources: list[Path], out: Path) -> int:
    lines = 0
    with out.open("w", encoding="utf-8") as handle:
        for number, path in enumerate(sources, start=1):
            try:
                text = ingest(path.read_bytes(), str(path)).text
            except Exception as error:  # a report that cannot be read is just not used
                print(f"  skipped {path}: {error}", file=sys.stderr)
                continue
            for line in corpus_lines(text):
                handle.write(line + "\n")
                lines += 1
            if number % 500 == 0:
                print(f"  corpus: {number}/{len(sources)} reports, {lines} clauses", file=sys.stderr)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", type=Path, help="the shared corpus (../shared/corpus)")
    parser.add_argument("--out", type=Path, default=VECTORS_DIR)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5, help="words rarer than this are not trained")
    parser.add_argument("--keep-count", type=int, default=30, help="words rarer than this are not shipped")
    args = parser.parse_args(argv)

    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    started = time.perf_counter()
    config = replace(TrainingConfig(), weak_reports=10**9)  # every report that is not a gold twin
    sources = weak_sources(args.shared, ROOT / "corpus" / "gold", config)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus.txt"
        lines = write_corpus(sources, corpus)
        print(
            f"corpus: {len(sources)} reports, {lines} clauses, {time.perf_counter() - started:.0f} s", file=sys.stderr
        )
        model = Word2Vec(
            LineSentence(str(corpus)),
            vector_size=args.dim,
            window=args.window,
            min_count=args.min_count,
            sg=1,
            negative=5,
            workers=1,
            epochs=args.epochs,
            seed=1,
            hashfxn=stable_hash,
        )
    keep = [w for w in model.wv.index_to_key if model.wv.get_vecattr(w, "count") >= args.keep_count]
    counts = [int(model.wv.get_vecattr(w, "count")) for w in keep]
    vectors = np.vstack([model.wv[w] for w in keep])
    save_word_vectors(keep, counts, vectors, args.out)
    print(
        f"wrote {len(keep)} of {len(model.wv.index_to_key)} words × {args.dim} to {args.out} "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
