"""The number grammar: find quantity spans (step 1) and parse their values (step 2).

Patterns are data (lexicons/number_grammar.tsv), composed by name; units and qualifiers come from
lexicons/units.tsv and lexicons/qualifiers.tsv. `find_quantities` only finds spans and their parts;
`parse_number` and `resolve` turn parts into values, so each step is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import regex

from pipeline.lexicon import read_tsv
from pipeline.numerals import chinese_to_int

MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8, "万亿": 10**12}
_FRAGMENT = regex.compile(r"\{([a-z_][a-z_0-9]*)\}")


@dataclass(frozen=True, slots=True)
class Unit:
    raw: str
    unit: str
    factor: float
    dimension: str


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity found in text, with its value resolved. Offsets are into the searched text."""

    start: int
    end: int
    kind: str  # amount | implied | bare | percent_words | multiple | rank | top
    value: float
    value_high: float | None
    unit: str
    dimension: str
    value_raw: str
    unit_raw: str
    tail_qualifier: str | None  # from 多/余 between number and unit
    han: bool  # written in Chinese numerals


@cache
def units() -> dict[str, Unit]:
    return {
        row["unit_raw"]: Unit(row["unit_raw"], row["unit"], float(row["factor"]), row["dimension"])
        for row in read_tsv("units.tsv")
    }


@cache
def implied_units() -> dict[str, str]:
    return {row["noun"]: row["unit"] for row in read_tsv("implied_units.tsv")}


@cache
def qualifier_words() -> dict[str, dict[str, str]]:
    """position -> surface -> qualifier."""
    table: dict[str, dict[str, str]] = {"before": {}, "after": {}, "tail": {}}
    for row in read_tsv("qualifiers.tsv"):
        table[row["position"]][row["surface"]] = row["qualifier"]
    return table


def _alternation(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def grammar() -> dict[str, str]:
    """Every fragment with its references expanded."""
    raw = {row["name"]: row["pattern"] for row in read_tsv("number_grammar.tsv")}
    quals = qualifier_words()
    raw["unit"] = _alternation(units())
    raw["qualifier_before"] = _alternation(quals["before"])
    raw["qualifier_after"] = _alternation(quals["after"])
    raw["qualifier_tail"] = _alternation(quals["tail"])
    raw["implied_noun"] = _alternation(implied_units())
    expanded: dict[str, str] = {}

    def expand(name: str, stack: tuple[str, ...] = ()) -> str:
        if name in expanded:
            return expanded[name]
        if name in stack:
            raise ValueError(f"number grammar: fragment {name!r} refers to itself via {' -> '.join(stack)}")
        if name not in raw:
            raise ValueError(f"number grammar: no fragment named {name!r}")
        body = _FRAGMENT.sub(lambda m: f"(?:{expand(m.group(1), (*stack, name))})", raw[name])
        expanded[name] = body
        return body

    for name in raw:
        expand(name)
    return expanded


@cache
def quantity_pattern() -> regex.Pattern:
    return regex.compile(grammar()["quantity"], regex.V1)


def parse_number(text: str) -> float:
    """'3,569.7' -> 3569.7; '三千五百万' -> 35000000; '百亿' -> 1e10; '两' -> 2."""
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    return float(chinese_to_int(text))


def magnitude_of(text: str | None) -> float:
    if not text:
        return 1.0
    value = 1.0
    rest = text
    for word in ("万亿", "亿", "万", "千", "百", "十"):
        if word in rest:
            value *= MAGNITUDES[word]
            rest = rest.replace(word, "", 1)
    return value


def _trailing_magnitude(number: str) -> float:
    """两到三万: the 万 written on the high end of a range applies to the low end too."""
    for word in ("万亿", "亿", "万"):
        if number.endswith(word) and _is_han(number):
            return MAGNITUDES[word]
    return 1.0


def _is_han(text: str) -> bool:
    return not any(ch.isdigit() for ch in text)


def resolve(match: regex.Match) -> Quantity | None:
    """Parts of a quantity match -> a Quantity with its value (None if it does not parse)."""
    start, end = match.span()
    try:
        if match["num"] is not None:
            unit = units()[match["unit"]]
            mag = magnitude_of(match["mag"])
            value = parse_number(match["num"]) * mag * unit.factor
            high = None
            if match["low"] is not None:
                low_mag = (
                    magnitude_of(match["low_mag"]) if match["low_mag"] else mag * _trailing_magnitude(match["num"])
                )
                low_unit = units().get(match["low_unit"] or "", unit)
                high = value
                value = parse_number(match["low"]) * low_mag * low_unit.factor
                if value >= high:  # 2025-2027 style spans of years or codes are not ranges
                    return None
            tail = qualifier_words()["tail"].get(match["tail"] or match["tail2"] or "")
            return Quantity(
                start,
                end,
                "amount",
                value,
                high,
                unit.unit,
                unit.dimension,
                match.group()[: match.start("unit") - start],
                (match["mag"] or "") + match["unit"],
                tail,
                _is_han(match["num"]),
            )
        if match["inum"] is not None:
            unit = implied_units()[match["noun"]]
            value = parse_number(match["inum"]) * magnitude_of(match["imag"])
            tail = qualifier_words()["tail"].get(match["itail"] or match["itail2"] or "")
            dimension = "people" if unit == "人" else "count"
            return Quantity(
                start, end, "implied", value, None, unit, dimension, match.group(), match["imag"], tail, False
            )
        if match["bnum"] is not None:
            # 农村贫困人口减少1109万: the unit is the indicator's noun, resolved by the caller.
            value = parse_number(match["bnum"]) * magnitude_of(match["bmag"])
            tail = qualifier_words()["tail"].get(match["btail"] or "")
            return Quantity(start, end, "bare", value, None, "", "unknown", match.group(), match["bmag"], tail, False)
        if match["pct"] is not None or match["tenths"] is not None:
            value = parse_number(match["pct"]) if match["pct"] else parse_number(match["tenths"]) * 10
            return Quantity(start, end, "percent_words", value, None, "%", "percent", match.group(), "%", None, True)
        if match["doublings"] is not None:
            doublings = chinese_to_int(match["doublings"])
            tail = "more_than" if match["mult_tail"] else None
            return Quantity(
                start,
                end,
                "multiple",
                float(2**doublings),
                None,
                "倍",
                "multiple",
                match.group(),
                "番",
                tail,
                True,
            )
        if match["rank"] is not None:
            return Quantity(
                start,
                end,
                "rank",
                parse_number(match["rank"]),
                None,
                "位",
                "rank",
                match["rank"],
                match["rank_unit"],
                None,
                _is_han(match["rank"]),
            )
        if match["first"] is not None:
            return Quantity(start, end, "rank", 1.0, None, "位", "rank", match.group(), "位", None, True)
        if match["top"] is not None:
            return Quantity(
                start,
                end,
                "top",
                parse_number(match["top"]),
                None,
                "位",
                "rank",
                match["top"],
                match["top_unit"],
                None,
                _is_han(match["top"]),
            )
    except (ValueError, KeyError):
        return None
    return None


def _tidy(value: float | None) -> float | None:
    """3777000000.0000005 -> 3777000000.0: twelve significant digits is more than any report has."""
    return None if value is None else float(f"{value:.12g}")


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, left to right, not overlapping."""
    found = []
    for match in quantity_pattern().finditer(text):
        quantity = resolve(match)
        if quantity is not None:
            found.append(replace(quantity, value=_tidy(quantity.value), value_high=_tidy(quantity.value_high)))
    return found
