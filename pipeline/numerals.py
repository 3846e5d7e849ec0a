"""Chinese numerals -> numbers: 二〇一六 (digit by digit), 二十五, 三千五百万, 百亿, 两.

Parsing only; finding numeral spans in text is the number grammar's job (extractors.numbers).
"""

from __future__ import annotations

DIGIT_VALUES = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "万亿": 10**12}


def _section_value(text: str) -> int:
    """Value of a numeral below 10,000 (二千三百零五, 十二, 百)."""
    total = 0
    digit: int | None = None
    for ch in text:
        if ch in DIGIT_VALUES:
            digit = DIGIT_VALUES[ch]
        elif ch in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral character: {ch!r}")
    if digit is not None:
        total += digit
    return total


def chinese_to_int(text: str, digits: bool = False) -> int:
    """Parse a Chinese (or Arabic) integer numeral.

    `digits=True` reads digit by digit, as years are written (二〇一六 -> 2016)."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    digit_by_digit = all(ch in DIGIT_VALUES or ch.isdigit() for ch in text)
    if digit_by_digit and (digits or len(text) > 1):
        return int("".join(str(DIGIT_VALUES.get(ch, ch)) for ch in text))
    total = 0
    rest = text
    for unit, factor in (("亿", 100_000_000), ("億", 100_000_000), ("万", 10_000), ("萬", 10_000)):
        if unit in rest:
            head, _, rest = rest.partition(unit)
            total += (chinese_to_int(head) if head else 1) * factor
    if rest:
        total += _section_value(rest.lstrip("零〇"))
    return total
