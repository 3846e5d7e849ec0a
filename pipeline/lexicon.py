"""Reading the data files under lexicons/: UTF-8 TSV/TXT, `#` comment lines, then a header row."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

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
