"""Reading the data files under lexicons/: UTF-8 TSV/TXT, `#` comment lines, then a header row."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import ahocorasick

from pipeline.errors import LexiconError

LEXICON_DIR = Path(os.environ.get("ZHPOLICY_LEXICONS", Path(__file__).resolve().parent.parent / "lexicons"))


def lexicon_path(name: str) -> Path:
    path = LEXICON_DIR / name
    if not path.is_file():
        raise LexiconError(f"lexicon file missing: {path}")
    return path


def _data_lines(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line


@cache
def read_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of lexicons/<name> as dicts keyed by the header; empty cells are ''."""
    path = lexicon_path(name)
    lines = _data_lines(path)
    try:
        header = next(lines).split("\t")
    except StopIteration:
        raise LexiconError(f"{path}: no header row") from None
    rows = []
    for number, line in enumerate(lines, start=2):
        cells = line.split("\t")
        if len(cells) > len(header):
            raise LexiconError(f"{path}: data row {number} has {len(cells)} cells, header has {len(header)}")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells, strict=True)))
    return tuple(rows)


@cache
def read_list(name: str) -> tuple[str, ...]:
    """Entries of a one-column list file (the header row is skipped)."""
    lines = list(_data_lines(lexicon_path(name)))
    return tuple(lines[1:])


def contains_any(words: Iterable[str]) -> Callable[[str], bool]:
    """A test of whether a text holds any of `words`, by one Aho-Corasick automaton: a regex
    alternation of a few hundred words tries every one of them at every position (~15 µs a sentence
    for the name suffixes, against ~1 µs here)."""
    words = set(words)
    if "" in words or not words:
        return lambda _text, found=bool(words): found
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, None)
    automaton.make_automaton()
    return lambda text: next(automaton.iter(text), None) is not None
