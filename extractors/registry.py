"""The registered extractors, in the order the runner applies them.

To add one: write a module with a class implementing extractors.base.Extractor and list it here.
"""

from __future__ import annotations

from functools import cache

from extractors.base import Extractor, label
from extractors.keywords import KeywordExtractor
from extractors.merge import VARIANTS, EntityExtractor, ProjectExtractor
from extractors.sector_model import SectorMergedTagger, SectorModelTagger
from extractors.sectors import SectorTagger
from extractors.targets import TargetExtractor


@cache
def default_extractors() -> tuple[Extractor, ...]:
    return (
        KeywordExtractor(),
        TargetExtractor(),
        ProjectExtractor(),
        EntityExtractor(),
        # sector_tags holds one row per sentence x sector x method: the lexicon's, the model's and
        # the merged default (README, "The tables").
        SectorTagger(),
        SectorModelTagger(),
        SectorMergedTagger(),
    )


@cache
def variant_extractors() -> tuple[Extractor, ...]:
    """Extractors run only when asked for by name: the rule-only and model-only projects and
    entities (the defaults merge both)."""
    return tuple(variant() for variant in VARIANTS)


def by_name(names: list[str] | None) -> tuple[Extractor, ...]:
    if not names:
        return default_extractors()
    available = {e.name: e for e in (*default_extractors(), *variant_extractors())}
    unknown = [n for n in names if n not in available]
    if unknown:
        raise KeyError(f"unknown extractor(s) {', '.join(unknown)}; available: {', '.join(available)}")
    return tuple(available[n] for n in names)


def describe(extractors: tuple[Extractor, ...]) -> str:
    return ",".join(label(e) for e in extractors)
