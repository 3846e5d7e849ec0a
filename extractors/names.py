"""Named projects and organizations, by rule: a name is what precedes a known suffix back to the
nearest boundary word (lexicons/name_suffixes.tsv, lexicons/name_boundaries.txt).

`find_names(sentence)` returns candidate names with their table (projects | entities), kind or
category. List rules add names without a suffix: items of a list that ends in 等一批…项目 are
projects; items listed beside an enterprise (白鹭集团、河南矿山等) are enterprises; an ellipsis
(兰原、沿黄等5条高速公路) is expanded into 兰原高速, 沿黄高速. Generic references (省实验室,
一批重点项目) are rejected: a name must keep two specific characters before its suffix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from pipeline.lexicon import read_list, read_tsv

_PUNCT = regex.compile(r"[,;:。!?、“”\"《》\s]")
_SECTION_SPAN = regex.compile(r"^[\p{Han}\d]{1,8}至[\p{Han}\d]{1,8}段")
_PHASE = regex.compile(r"^(?:\((?:[一二三四五六七八九十]|\d)期\)|[一二三四五六七八九十]期)")
_GOVERNMENT = regex.compile(r"政府|委员会|管委会|[^医]局$|厅$|办公室|人大|政协")
_ELLIPSIS = regex.compile(
    r"(?P<items>(?:[\p{Han}\w]{2,10}、)+[\p{Han}\w]{2,10})等(?:[一二三四五六七八九十\d]+[条座个家项]|一批)?"
    r"(?P<noun>[\p{Han}]{0,8}?(?:高速公路|高速|大桥|铁路|高铁|电站|产业园|项目|工程|企业|集团|实验室))"
)
_WORKS = regex.compile(r"^(?:扩建|改扩建|疏浚|迁建|续建|综合整治|整治|配套)?工程")
_SHORT_FORMS = (("高速公路", "高速"), ("高速", "高速"), ("城际铁路", "城际铁路"))
_COUNTED = regex.compile(r"[\d一二三四五六七八九十两几多]+[个家座条项所批]")
_LIST_ITEM = regex.compile(r"^[\p{Han}A-Za-z\d·]{2,14}$")


@dataclass(frozen=True, slots=True)
class Name:
    start: int
    end: int
    name: str
    table: str  # projects | entities
    kind: str | None  # entities
    category: str | None  # projects
    rule: str


@cache
def _suffixes() -> tuple[dict[str, dict[str, str]], regex.Pattern]:
    table = {row["suffix"]: row for row in read_tsv("name_suffixes.tsv")}
    pattern = regex.compile("|".join(regex.escape(s) for s in sorted(table, key=len, reverse=True)))
    return table, pattern


@cache
def _boundaries() -> regex.Pattern:
    words = sorted(read_list("name_boundaries.txt"), key=len, reverse=True)
    return regex.compile("|".join(regex.escape(w) for w in words))


@cache
def _generic() -> regex.Pattern:
    words = sorted(read_list("generic_name_words.txt"), key=len, reverse=True)
    return regex.compile("|".join(regex.escape(w) for w in words))


@cache
def _region_names() -> frozenset[str]:
    names = set()
    for row in read_tsv("regions.tsv"):
        names.add(row["name"])
        if row["short"]:
            names.add(row["short"])
    return frozenset(names)


@cache
def _anchors() -> regex.Pattern:
    places = set()
    for row in read_tsv("regions.tsv"):
        if row["level"] in ("province", "city"):  # county shorts (振兴, 文化 …) are everyday words
            places.update(n for n in (row["name"], row["short"]) if len(n) >= 2)
    places |= {row["abbreviation"] for row in read_tsv("province_abbreviations.tsv")}
    words = sorted(places, key=len, reverse=True)
    return regex.compile(r"[一二三四五六七八九十\d]期|[江河湖海山]|" + "|".join(regex.escape(w) for w in words))


def has_anchor(modifier: str) -> bool:
    """Works are named after a place, a river or a phase: 郑州机场二期工程, 疆电入豫工程."""
    return bool(_anchors().search(modifier))


def is_specific(modifier: str) -> bool:
    """省实验室, 重点项目: nothing specific before the suffix once generic words are taken out;
    两个省实验室: a count, not a name."""
    if _COUNTED.search(modifier) or "的" in modifier:
        return False
    rest = _generic().sub("", modifier)
    rest = regex.sub(r"[\d一二三四五六七八九十两]+[个家座条项期]?", "", rest)
    return len(rest) >= 2 and rest not in _region_names()


@cache
def _boundary_words() -> frozenset[str]:
    return frozenset(read_list("name_boundaries.txt"))


@cache
def _cuts(text: str) -> tuple[int, ...]:
    """Offsets a name cannot reach back across: after punctuation and after whole boundary words
    (jieba tokens, so 和平大道 keeps its 和 and 加快新星特织 loses 加快)."""
    from pipeline.segment import tokenize

    cuts = {m.end() for m in _PUNCT.finditer(text)}
    cuts.update(t.end for t in tokenize(text) if t.word in _boundary_words())
    return tuple(sorted(cuts))


def _left_edge(text: str, end: int, floor: int) -> int:
    """Where a name ending at `end` begins: after the last cut before it (never before `floor`)."""
    start = floor
    for cut in _cuts(text):
        if cut > end:
            break
        start = max(start, cut)
    return start


def _extend_right(text: str, end: int) -> int:
    """安罗高速原阳至郑州段, 大数据产业园二期, 宝泉崖上太行(二期): parts of the same name."""
    section = _SECTION_SPAN.match(text[end:])
    if section:
        end += section.end()
    phase = _PHASE.match(text[end:])
    if phase:
        end += phase.end()
    works = _WORKS.match(text[end:])
    if works:
        end += works.end()
    return end


def suffix_names(text: str) -> list[Name]:
    table, pattern = _suffixes()
    found: list[Name] = []
    for match in pattern.finditer(text):
        row = table[match.group()]
        start = _left_edge(text, match.start(), 0)
        end = _extend_right(text, match.end())
        name = text[start:end]
        modifier = text[start : match.start()]
        if not is_specific(modifier) or _GOVERNMENT.search(name) or name in _region_names():
            continue
        if row["table"] == "projects" and ("“" in modifier or "”" in modifier):
            continue  # “三通一规范”工程: a campaign
        if match.group() == "工程" and not has_anchor(modifier):
            continue  # 全民技能振兴工程 is a programme; 南水北调中线一期工程, 疆电入豫工程 are works
        found.append(Name(start, end, name, row["table"], row["kind"] or None, row["category"] or None, "suffix"))
    return _outermost(found)


def _outermost(names: list[Name]) -> list[Name]:
    """Keep the longest of overlapping names (崖州湾国家实验室河南试验基地, not 崖州湾国家实验室)."""
    kept: list[Name] = []
    for name in sorted(names, key=lambda n: (n.start, -(n.end - n.start))):
        if kept and name.start < kept[-1].end:
            if name.end - name.start > kept[-1].end - kept[-1].start and name.start == kept[-1].start:
                kept[-1] = name
            continue
        kept.append(name)
    return kept


def _expansion(item: str, noun: str) -> str:
    """兰原 + 高速公路 -> 兰原高速: a road named by its short name takes the road's kind; any other
    item of a list is a name already (广州科学城、天河软件园等高新技术产业园)."""
    for group, short in _SHORT_FORMS:
        if noun.endswith(group) and not item.endswith(short):
            return item + short
    return item


def list_names(text: str, existing: list[Name]) -> list[Name]:
    """Names that only a list shows: 兰原、沿黄等5条高速公路; 卫华智能装备产业园、心连心化工新材料、
    银金达循环经济产业园等一批项目; 白鹭集团、河南矿山等."""
    table, pattern = _suffixes()
    found: list[Name] = []
    taken = [(n.start, n.end) for n in existing]
    for match in _ELLIPSIS.finditer(text):
        noun = match["noun"]
        kind = "projects"
        category = None
        suffix = pattern.search(noun)
        if suffix:
            row = table[suffix.group()]
            kind, category = row["table"], row["category"] or None
        if noun.endswith(("企业", "集团")):
            kind = "entities"
        items_start = match.start("items")
        offset = items_start
        for item in match["items"].split("、"):
            item_start, item_end = offset, offset + len(item)
            offset = item_end + 1
            lead = _left_edge(text, item_end, item_start)
            item = text[lead:item_end]
            if not _LIST_ITEM.match(item) or _GOVERNMENT.search(item) or item in _region_names():
                continue
            if any(a <= lead < b or a < item_end <= b for a, b in taken):
                continue
            name = _expansion(item, noun)
            found.append(
                Name(lead, item_end, name, kind, "enterprise" if kind == "entities" else None, category, "list")
            )
    return found


def companions(text: str, names: list[Name]) -> list[Name]:
    """新飞智家、华兰生物、华洋集团等: list items beside an enterprise are enterprises too."""
    found: list[Name] = []
    enterprises = [n for n in names if n.kind == "enterprise"]
    taken = {(n.start, n.end) for n in names}
    for enterprise in enterprises:
        clause_start = max((m.end() for m in regex.finditer(r"[,;:。]", text[: enterprise.start])), default=0)
        clause_end = regex.search(r"[,;:。]|等", text[enterprise.end :])
        clause_end = enterprise.end + (clause_end.start() if clause_end else len(text) - enterprise.end)
        segment = text[clause_start:clause_end]
        if "、" not in segment or not text[clause_end:].startswith("等"):
            continue  # only a list closed by 等 (白鹭集团、河南矿山等) names its members as peers
        offset = clause_start
        for item in segment.split("、"):
            start = _left_edge(text, offset + len(item), offset)
            end = offset + len(item)
            offset = end + 1
            name = text[start:end]
            if (start, end) in taken or not _LIST_ITEM.match(name) or len(name) > 8 or not is_specific(name):
                continue
            if _GOVERNMENT.search(name) or name in _region_names() or any(n.start <= start < n.end for n in names):
                continue
            found.append(Name(start, end, name, "entities", "enterprise", None, "companion"))
    return found


def shared_suffix_names(text: str, names: list[Name]) -> list[Name]:
    """郑万、郑合、郑济高铁; 出山店、前坪水库: the items before the last share its suffix."""
    _, pattern = _suffixes()
    found: list[Name] = []
    for name in names:
        suffix = next((m for m in pattern.finditer(name.name) if m.end() == len(name.name)), None)
        if name.table != "projects" or suffix is None or name.start == 0 or text[name.start - 1] != "、":
            continue
        short = dict(_SHORT_FORMS).get(suffix.group(), suffix.group())
        cursor = name.start - 1
        while cursor > 0 and text[cursor] == "、":
            item = regex.search(r"[\p{Han}\d]{1,8}$", text[:cursor])
            if item is None:
                break
            edge = _left_edge(text, cursor, item.start())
            word = text[edge:cursor]
            if not 2 <= len(word) <= 6:
                break
            found.append(Name(edge, cursor, word + short, name.table, name.kind, name.category, "shared_suffix"))
            cursor = edge - 1
    return found


def find_names(text: str) -> list[Name]:
    names = suffix_names(text)
    names += shared_suffix_names(text, names)
    names += list_names(text, names)
    names += companions(text, names)
    return sorted(names, key=lambda n: (n.start, n.end))
