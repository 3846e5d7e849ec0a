"""Every lexicon file: UTF-8, comment lines saying what it is, a header, consistent rows, no duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from tests.conftest import ROOT

LEXICONS = sorted(p for p in (ROOT / "lexicons").glob("*") if p.suffix in {".tsv", ".txt"})
KEYS = {
    "regions.tsv": ("code", "name"),
    "idf.tsv": ("word",),
    "indicators.tsv": ("id",),
    "sectors.tsv": ("id",),
    "noise_patterns.tsv": ("pattern",),
    "section_roles.tsv": ("role",),
    "stopwords.txt": ("word",),
    "indicator_affixes.tsv": ("affix", "position"),
    "qualifiers.tsv": ("surface", "position"),
    "sector_keywords.tsv": ("keyword", "sector"),
    "name_suffixes.tsv": ("suffix",),
    "construction_cues.tsv": ("cue", "position"),
}


@pytest.mark.parametrize("path", LEXICONS, ids=lambda p: p.name)
def test_lexicon_is_well_formed(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0].startswith("#"), "starts with a comment saying what the file is"
    data = [line for line in lines if line and not line.startswith("#")]
    header = data[0].split("\t")
    assert len(set(header)) == len(header)
    key_columns = [header.index(k) for k in KEYS.get(path.name, (header[0],))]
    seen = set()
    for number, line in enumerate(data[1:], start=2):
        cells = line.split("\t")
        assert len(cells) <= len(header), f"row {number} has more cells than the header"
        key = tuple(cells[i] if i < len(cells) else "" for i in key_columns)
        assert key not in seen, f"duplicate row {key}"
        seen.add(key)


@pytest.mark.parametrize("name", ["noise_patterns.tsv", "section_roles.tsv"])
def test_patterns_compile(name):
    from pipeline.lexicon import read_tsv

    for row in read_tsv(name):
        regex.compile(row["pattern"], regex.V1)


def test_word_lists_are_sorted():
    for name in ("stopwords.txt", "idf.tsv"):
        words = [
            line.split("\t")[0]
            for line in (ROOT / "lexicons" / name).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        ][1:]
        assert words == sorted(words), name


def test_contains_any_finds_a_word_anywhere_in_a_text():
    from pipeline.lexicon import contains_any

    holds = contains_any(["工程", "产业园", "园"])
    assert holds("推进南水北调工程建设") and holds("园") and holds("建设郑州国际文化创意产业园")
    assert not holds("经济增长6%左右") and not holds("")
    assert not contains_any([])("工程")
