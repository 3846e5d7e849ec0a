"""Compute lexicons/idf.tsv (document frequencies for the keywords extractor) from a corpus.

python -m pipeline.build_idf ../shared/corpus [--out lexicons/idf.tsv] [--min-df 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import regex

from extractors.keywords import smoothed_idf
from pipeline.ingest import ingest
from pipeline.metadata import with_metadata
from pipeline.segment import segment
from pipeline.structure import structure

_HAN = regex.compile(r"\p{Han}")


def document_words(path: Path) -> frozenset[str]:
    try:
        doc = segment(structure(with_metadata(ingest(path.read_bytes(), str(path)))))
    except Exception:  # an unreadable file simply does not count
        return frozenset()
    words = (t.word for tokens in doc.tokens for t in tokens if t.pos != "m")
    return frozenset(w for w in words if len(w) >= 2 and _HAN.search(w))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=Path("lexicons/idf.tsv"))
    parser.add_argument("--min-df", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    paths = sorted(
        p
        for p in args.corpus.rglob("*")
        if p.is_file() and p.suffix in {".md", ".txt", ".html"} and p.name not in {"README.md", "MANIFEST.tsv"}
    )
    df: Counter[str] = Counter()
    with Pool(args.workers) as pool:
        for words in pool.imap_unordered(document_words, paths, chunksize=8):
            df.update(words)
    n = len(paths)
    with args.out.open("w", encoding="utf-8") as out:
        out.write(f"# Document frequencies of words in {n} reports ({args.corpus.name}), {dt.date.today()};\n")
        out.write(
            "# made by `python -m pipeline.build_idf`; words with no Han character or seen in fewer than "
            f"{args.min_df} reports are left out.\n"
        )
        out.write("# word: a jieba word (with the project's user dictionary); df: reports containing it;\n")
        out.write(f"# idf: ln((N+1)/(df+1)) with N = {n} (a word in every report scores 0)\n")
        out.write("word\tdf\tidf\n")
        for word in sorted(w for w, c in df.items() if c >= args.min_df):
            out.write(f"{word}\t{df[word]}\t{smoothed_idf(n, df[word]):.4f}\n")
    print(f"{n} documents, {sum(1 for c in df.values() if c >= args.min_df)} words -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
