"""Named projects and organizations, by rule.

A name is what precedes a known suffix (lexicons/name_suffixes.tsv) back to the nearest cut: a
punctuation mark or a boundary word (lexicons/name_boundaries.txt) read as whole jieba tokens, so
加快新星特织 loses 加快 while 和平大道 keeps its 和. Parts that belong to a name are kept on its right
(安罗高速原阳至郑州段, 大数据产业园二期, 宏力大道东延; lexicons/name_patterns.tsv).

Lists name things without a suffix: items of a list closed by 等 and a head noun take the head's
table (…等一批项目 → projects, …等种业龙头企业 → entities; lexicons/list_heads.tsv) and, when the
head is a kind of facility and the item a short form, the head itself (兰原、沿黄等5条高速公路 →
兰原高速, 沿黄高速). Items before a suffixed name share its suffix (郑万、郑合、商合杭高铁; 出山店和
前坪水库). Items listed beside an enterprise are enterprises (白鹭集团、河南矿山等).

Generic references are rejected: a suffixed name must keep two characters once generic words are
taken out of what precedes its suffix (省实验室, 重点项目, 两个省实验室 are not names); a list item
without a suffix must hold a word that few reports use (lexicons/idf.tsv: 兰原 is rare, 交通 is not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import ahocorasick
import regex

from pipeline.lexicon import contains_any, read_list, read_tsv
from pipeline.records import Token

_PUNCT = regex.compile(r"[,;:。!?、“”\"《》()\s]|以及|及")
_SEPARATORS = ("、", "和", "及", "以及")
_SHORT_FORMS = (("高速公路", "高速"), ("高速", "高速"), ("城际铁路", "城际铁路"))
_QUOTED = regex.compile(r"“[^”]*”")
_HAN = regex.compile(r"\p{Han}")
_COUNT_OR_PARENTHESIS = regex.compile(r"[\d一二三四五六七八九十两]+[期]?|[()]")
_COMPANIONS = regex.compile(r"((?:、[^,;:。、等]{2,8})*)等")
_PLAIN_NAME = regex.compile(r"[\p{Han}A-Za-z\d]+")


@dataclass(frozen=True, slots=True)
class Name:
    start: int
    end: int
    name: str
    table: str  # projects | entities
    kind: str | None  # entities: enterprise, lab, university, hospital, platform, other
    category: str | None  # projects: the category its suffix or list head gives (None: decide from words)
    rule: str
    weak: bool = False  # the suffix's category is only a fallback (产业园, 工程)


# ---------------------------------------------------------------------------------------------
# Lexicons


@cache
def _suffixes() -> tuple[dict[str, dict[str, str]], regex.Pattern]:
    table = {row["suffix"]: row for row in read_tsv("name_suffixes.tsv")}
    pattern = regex.compile("|".join(regex.escape(s) for s in sorted(table, key=len, reverse=True)))
    return table, pattern


@cache
def _holds_a_name_word() -> Callable[[str], bool]:
    """A suffix or a list head: the words every name rule starts from."""
    return contains_any({*_suffixes()[0], *_list_heads()})


def may_hold_a_name(text: str) -> bool:
    """Whether any name rule can fire: every one starts from a suffix or a list's head word (three
    sentences in four of a report have none)."""
    return _holds_a_name_word()(text)


@cache
def _list_heads() -> dict[str, dict[str, str]]:
    return {row["head"]: row for row in read_tsv("list_heads.tsv")}


@cache
def _patterns() -> dict[str, regex.Pattern]:
    return {row["name"]: regex.compile(f"(?:{row['pattern']})") for row in read_tsv("name_patterns.tsv")}


@cache
def _at_the_end(name: str) -> regex.Pattern:
    """The pattern of name_patterns.tsv `name`, anchored at the end of the text."""
    return regex.compile(f"(?:{_patterns()[name].pattern})$")


@cache
def _fragment(name: str) -> str:
    return next(row["pattern"] for row in read_tsv("name_patterns.tsv") if row["name"] == name)


@cache
def threshold(name: str) -> float:
    return float(next(row["value"] for row in read_tsv("name_thresholds.tsv") if row["name"] == name))


@cache
def _boundary_words() -> frozenset[str]:
    return frozenset(read_list("name_boundaries.txt"))


@cache
def _generic_words() -> frozenset[str]:
    return frozenset(read_list("generic_name_words.txt"))


@cache
def _government() -> regex.Pattern:
    rows = read_tsv("government_bodies.tsv")
    anywhere = [regex.escape(r["word"]) for r in rows if r["position"] == "anywhere"]
    end = [regex.escape(r["word"]) for r in rows if r["position"] == "end"]
    # 医院 ends in 院, not 局; but 卫生局 is a body and 药监局 too.
    return regex.compile("|".join([*anywhere, *(f"{w}$" for w in end)]))


@cache
def _document_frequency() -> dict[str, int]:
    return {row["word"]: int(row["df"]) for row in read_tsv("idf.tsv")}


@cache
def _anchors() -> regex.Pattern:
    places = set()
    for row in read_tsv("regions.tsv"):
        if row["level"] in ("province", "city"):  # county shorts (振兴, 文化 …) are everyday words
            places.update(n for n in (row["name"], row["short"]) if len(n) >= 2)
    places |= {row["abbreviation"] for row in read_tsv("province_abbreviations.tsv")}
    places |= set(read_list("project_anchors.txt"))
    words = sorted(places, key=len, reverse=True)
    phase = _fragment("phase")
    return regex.compile(f"{phase}|[江河湖海山]|" + "|".join(regex.escape(w) for w in words))


@cache
def _region_names() -> frozenset[str]:
    names = set()
    for row in read_tsv("regions.tsv"):
        names.add(row["name"])
        if row["short"]:
            names.add(row["short"])
    return frozenset(names)


@cache
def _list_pattern() -> regex.Pattern:
    """等 + an optional count + modifiers + a head noun: 等5条高速公路, 等一批延链补链强链项目, 等种业龙头企业."""
    table, _ = _suffixes()
    heads = sorted({*table, *_list_heads()}, key=len, reverse=True)
    count = _fragment("list_count")
    alternatives = "|".join(regex.escape(h) for h in heads)
    # (?!区): 等高新技术产业园区 closes with 园区, not with 产业园
    return regex.compile(rf"等(?:{count})?(?P<modifier>[^\P{{Han}}和与及的]{{0,6}}?)(?P<head>{alternatives})(?!区)")


# ---------------------------------------------------------------------------------------------
# Tokens and cuts


def tokens_of(text: str) -> tuple[Token, ...]:
    from pipeline.segment import tokenize

    return tokenize(text)


def _cuts(text: str, tokens: Sequence[Token]) -> tuple[int, ...]:
    """Offsets a name cannot reach back across: after punctuation and after boundary words made of
    whole tokens (做实做强 is 做实/做/强 to jieba, and 做/强 still ends a name's left side)."""
    cuts = {m.end() for m in _PUNCT.finditer(text) if not _inside_name(text, m.start())}
    # (“以及”, “及” are cuts by character: jieba glues 及 to its neighbours, 城及 / 及配套.)
    for match in _list_pattern().finditer(text):
        # 兰原、沿黄等5条高速公路和济郑高铁等3座跨黄河大桥: a list closed by its head ends an item
        cuts.add(match.end())
        if text.startswith(_SEPARATORS, match.end()):
            cuts.add(match.end() + 1)
    boundaries = _boundary_words()
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    for match in _multi_char_boundaries().finditer(text, overlapped=True):
        # a boundary word made of whole tokens, or starting a token and running into the next one
        # (做/强省); not the start of a longer word (服务中心, 运营商)
        crosses = any(e in ends for e in range(match.start() + 1, match.end()))
        if match.start() in starts and (match.end() in ends or crosses):
            cuts.add(match.end())
    multi = _multi_char_boundary_words()
    previous = None
    for token in tokens:
        if len(token.word) > 2 and token.word.endswith(multi):
            cuts.add(token.end)  # 全面完成, 充分发挥: jieba glues an adverb onto the boundary verb
        # 启动建设和美乡村示范片区: a 和 right after a verb is no conjunction between names
        after_verb = token.word in _SEPARATORS and previous is not None and previous.word in boundaries
        if token.word in boundaries and not after_verb:
            cuts.add(token.end)
        previous = token
    return tuple(sorted(cuts))


@cache
def _multi_char_boundary_words() -> tuple[str, ...]:
    return tuple(w for w in _boundary_words() if len(w) >= 2)


@cache
def _multi_char_boundaries() -> regex.Pattern:
    """Boundary words of two or more characters, found in the text: jieba may glue the next
    character on (做/强省)."""
    words = sorted((w for w in _boundary_words() if len(w) >= 2), key=len, reverse=True)
    return regex.compile("|".join(regex.escape(w) for w in words))


def _inside_name(text: str, at: int) -> bool:
    return _inside_name_parentheses(text, at) or _inside_name_quotes(text, at)


def _inside_name_quotes(text: str, at: int) -> bool:
    """黄河“热备”水源, 黄河“十四五”防洪工程: a short quoted word between the parts of a name is no cut
    (its left part still starts after a cut: 纵深推进“三通一规范”工程 starts after 推进)."""
    if text[at] == "“":
        close = text.find("”", at)
        return 0 < close - at <= 6 and at > 0 and _is_han(text[at - 1]) and _is_han(text[close + 1 : close + 2])
    if text[at] == "”":
        open_ = text.rfind("“", 0, at)
        return open_ >= 0 and _inside_name_quotes(text, open_) and text.find("”", open_) == at
    return False


def _inside_name_parentheses(text: str, at: int) -> bool:
    """京东(豫北)智慧物流港, 中美(河南)荷美尔: a short place in parentheses inside a name is no cut."""
    if text[at] == "(":
        close = text.find(")", at)
        return 0 < close - at <= 5 and at > 0 and _is_han(text[at - 1]) and _is_han(text[close + 1 : close + 2])
    if text[at] == ")":
        open_ = text.rfind("(", 0, at)
        return open_ >= 0 and 0 < at - open_ <= 5 and _inside_name_parentheses(text, open_)
    return False


def _is_han(char: str) -> bool:
    return bool(char) and bool(_HAN.match(char))


def _left_edge(cuts: Sequence[int], end: int, floor: int) -> int:
    """Where a name ending at `end` begins: after the last cut before it (never before `floor`)."""
    start = floor
    for cut in cuts:
        if cut > end:
            break
        start = max(start, cut)
    return start


def _token_ends(tokens: Sequence[Token]) -> frozenset[int]:
    return frozenset(t.end for t in tokens)


def _token_at(tokens: Sequence[Token], start: int) -> Token | None:
    return next((t for t in tokens if t.start == start), None)


# ---------------------------------------------------------------------------------------------
# What makes a name specific


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(t.word for t in tokens_of(text)) if text else ()


@cache
def _generic_pattern() -> regex.Pattern:
    words = sorted(_generic_words(), key=len, reverse=True)
    return regex.compile(f"(?:{'|'.join(regex.escape(w) for w in words)})+")


def strip_generic(modifier: str) -> str:
    """The modifier without its generic words, taken out as whole tokens or runs of tokens made of
    generic words only: 省级重点 goes, 科技馆 stays (科技 is generic, 科技馆 is not made of generic words)."""
    words = _words(modifier)
    pattern = _generic_pattern()
    kept: list[str] = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            if pattern.fullmatch("".join(words[i:j])):
                i = j
                break
        else:
            kept.append(words[i])
            i += 1
    return "".join(kept)


def is_specific(modifier: str) -> bool:
    """省实验室, 重点项目: nothing specific before the suffix once generic words are taken out;
    两个省实验室: a count, not a name."""
    if _patterns()["counted"].search(modifier) or "的" in modifier:
        return False
    rest = _COUNT_OR_PARENTHESIS.sub("", strip_generic(modifier))
    return len(rest) >= 2


def has_rare_word(item: str) -> bool:
    """A list item without a suffix is a name only if it holds a word few reports use: 兰原, 华正车辆,
    心连心化工新材料 — not 交通, 旅游休闲. Words outside the frequency table are rarer still."""
    limit = threshold("rare_word_max_df")
    frequency = _document_frequency()
    words = [w for w in _words(_QUOTED.sub("", item)) if _HAN.search(w)]
    return any(frequency.get(w, 0) <= limit for w in words if len(w) >= 2)


def has_anchor(modifier: str) -> bool:
    """Works are named after a place, a river or a phase: 郑州机场二期工程, 疆电入豫工程."""
    return bool(_anchors().search(modifier))


def is_government(name: str) -> bool:
    return bool(_government().search(name)) and not name.endswith(("医院", "学院", "大学"))


def _is_campaign(modifier: str) -> bool:
    """“三通一规范”工程 is a campaign (its name opens inside quotes); 黄河“十四五”防洪工程 and 黄河“热备”水源
    only quote a word inside the name."""
    return modifier.count("“") != modifier.count("”") or bool(_QUOTED.fullmatch(modifier))


# ---------------------------------------------------------------------------------------------
# The rules


def _extend_right(text: str, end: int) -> int:
    """安罗高速原阳至郑州段, 大数据产业园二期, 宝泉崖上太行(二期), 宏力大道东延: parts of the same name."""
    patterns = _patterns()
    for part in ("section", "phase", "extension", "works"):  # (projects only: 研究院二期 is a project)
        match = patterns[part].match(text, end)
        if match:
            end = match.end()
    return end


@cache
def _followers() -> tuple[str, ...]:
    return tuple(read_list("name_followers.txt"))


def _glued_follower(text: str, end: int, tokens: Sequence[Token]) -> bool:
    """工程建设 is one jieba token; the name 西江引水工程 still ends before 建设."""
    token = next((t for t in tokens if t.start < end < t.end), None)
    return token is not None and text[end : token.end] in _followers()


@cache
def _facility_nouns() -> tuple[str, ...]:
    return tuple(read_list("facility_nouns.txt"))


@cache
def _modified_nouns() -> frozenset[str]:
    return frozenset(read_list("name_modified_nouns.txt"))


def is_place(name: str) -> bool:
    return name in _region_names()


@cache
def _project_endings() -> ahocorasick.Automaton:
    suffixes, _ = _suffixes()
    words = {s for s, row in suffixes.items() if row["table"] == "projects"} | set(_facility_nouns())
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def project_endings_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Every occurrence (overlapping ones too) of a word a project can end in (`ends_as_a_facility`)
    inside text[start:end], as spans."""
    return [(stop + 1 - size, stop + 1) for stop, size in _project_endings().iter(text, start, end)]


def ends_as_a_facility(name: str) -> bool:
    """白云湖, 新电视塔, 九峰山抽水蓄能电站: the name ends in a facility noun or a project suffix."""
    suffixes, _ = _suffixes()
    project_suffixes = tuple(s for s, row in suffixes.items() if row["table"] == "projects")
    return name.endswith((*_facility_nouns(), *project_suffixes))


def is_modifier(text: str, end: int, tokens: Sequence[Token]) -> bool:
    """郑州航空港经济综合实验区, 白云国际机场旅客吞吐量: a would-be name followed by one of these nouns
    modifies it; it is no name of its own."""
    token = _token_at(tokens, end)
    return token is not None and token.word in _modified_nouns()


def _list_head_spans(text: str) -> list[tuple[int, int]]:
    """Where lists are closed (等5条高速公路, 等一批种质资源库): the head there names a class, not a thing."""
    return [(m.start() + 1, m.end()) for m in _list_pattern().finditer(text)]


def suffix_names(text: str, tokens: Sequence[Token], cuts: Sequence[int]) -> list[Name]:
    table, pattern = _suffixes()
    ends = _token_ends(tokens)
    heads = _list_head_spans(text)
    found: list[Name] = []
    for match in pattern.finditer(text, overlapped=True):
        row = table[match.group()]
        if any(a <= match.start() < b for a, b in heads):
            continue
        end = _extend_right(text, match.end()) if row["table"] == "projects" else match.end()
        if end not in ends and end != len(text) and not _glued_follower(text, end, tokens):
            continue  # 物流园区: the suffix ends inside a word
        start = _left_edge(cuts, match.start(), 0)
        if text[start : start + 1] == "“":
            start += 1  # 黄河“热备”水源 keeps its quotes; a name that opens with one does not
        modifier = text[start : match.start()]
        name = text[start:end]
        if not is_specific(modifier) or is_government(name) or name in _region_names() or name in table:
            continue  # (城际铁路 after 高速铁路、: a kind of line, named by a longer suffix)
        if text[start - 1 : start] == "“" and text[end : end + 1] == "”":
            continue  # “平安医院”创建, “万名海外人才集聚工程”: a campaign's title
        if is_modifier(text, end, tokens):
            continue
        if row["table"] == "projects" and _is_campaign(modifier) and end == match.end():
            continue  # “三通一规范”工程: a campaign; “青山绿地、蓝天碧水”二期工程 has a phase
        if row["table"] == "projects" and match.group() == "工程" and not has_anchor(modifier):
            continue  # 全民技能振兴工程 is a programme; 南水北调中线一期工程, 疆电入豫工程 are works
        found.append(
            Name(
                start,
                end,
                name,
                row["table"],
                row["kind"] or None,
                row["category"] or None,
                "suffix",
                weak=row["weak"] == "1",
            )
        )
    return _outermost(found)


def _outermost(names: list[Name]) -> list[Name]:
    """Keep the longest of overlapping names (崖州湾国家实验室河南试验基地, not 崖州湾国家实验室)."""
    kept: list[Name] = []
    for name in sorted(names, key=lambda n: (n.start, -(n.end - n.start))):
        if kept and name.start < kept[-1].end:
            if name.end > kept[-1].end and name.end - name.start > kept[-1].end - kept[-1].start:
                kept[-1] = name
            continue
        kept.append(name)
    return kept


def _items_before(tokens: Sequence[Token], cuts: Sequence[int], end: int, floor: int) -> list[tuple[int, int]]:
    """The items of a list that ends at `end`, last first: each starts after the nearest cut, and when
    that cut is a separator (、 和 及) another item precedes it."""
    separators = {t.end: t for t in tokens if t.word in _SEPARATORS}
    items = []
    cursor = end
    while cursor > floor:
        start = _left_edge(cuts, cursor, floor)
        items.append((start, cursor))
        separator = separators.get(start)
        if separator is None or separator.start <= floor:
            break
        cursor = separator.start
    return items


def shared_suffix_names(text: str, tokens: Sequence[Token], cuts: Sequence[int], names: list[Name]) -> list[Name]:
    """郑万、郑合、商合杭高铁; 出山店和前坪水库: items before a name share its suffix; 卫辉市、延津县、
    凤泉区循环经济产业园: places before a name that starts with a place share all that follows it."""
    _, pattern = _suffixes()
    found: list[Name] = []
    limit = threshold("shared_item_max_chars")
    for name in names:
        before = _token_at_end(tokens, name.start)
        if name.table != "projects" or before is None or before.word not in _SEPARATORS:
            continue
        suffix = next((m for m in pattern.finditer(name.name) if m.end() == len(name.name)), None)
        if suffix is None or text.startswith(("等", "、"), name.end):
            continue  # …、银金达循环经济产业园等项目, …、机场快速路、…: a list's items stand on their own
        shared = dict(_SHORT_FORMS).get(suffix.group(), suffix.group())
        lead = _leading_region(name.name)
        items = _items_before(tokens, cuts, before.start, 0)
        texts = [text[a:b] for a, b in items]
        if lead and texts and all(t in _region_names() for t in texts):
            shared = name.name[len(lead) :]
        for (a, b), item in zip(items, texts, strict=True):
            if not 2 <= len(item) <= limit or pattern.search(item) or is_government(item):
                break
            if _patterns()["counted"].match(item) or item.endswith(_facility_nouns()):
                break  # 天润桥、天秀桥、秦安葫芦河2号大桥: each item names its bridge already
            if not (has_rare_word(item) or item in _region_names()):
                break
            found.append(Name(a, b, item + shared, name.table, name.kind, name.category, "shared_suffix", name.weak))
    return found


def _token_at_end(tokens: Sequence[Token], end: int) -> Token | None:
    return next((t for t in tokens if t.end == end), None)


def _leading_region(name: str) -> str | None:
    for size in range(min(6, len(name) - 1), 1, -1):
        if name[:size] in _region_names():
            return name[:size]
    return None


def _expansion(item: str, modifier: str, head: str) -> str:
    """兰原 + 高速公路 -> 兰原高速; 济郑高铁 + 跨黄河大桥 -> 济郑高铁跨黄河大桥."""
    for group, short in _SHORT_FORMS:
        if head.endswith(group):
            return item if item.endswith(short) else item + short
    return item + modifier + head


def list_names(text: str, tokens: Sequence[Token], cuts: Sequence[int], names: list[Name]) -> list[Name]:
    """Names that only a list shows: 兰原、沿黄等5条高速公路; 卫华智能装备产业园、心连心化工新材料、
    银金达循环经济产业园等一批项目; 隆平生物、杨凌秦丰等种业龙头企业; 宝泉崖上太行(二期)等43个文旅项目."""
    suffixes, _ = _suffixes()
    heads = _list_heads()
    found: list[Name] = []
    for match in _list_pattern().finditer(text):
        head = match["head"]
        row = heads.get(head) or suffixes[head]
        # A facility head names each item's kind (兰原 + 高速公路); a generic head (项目) does not.
        is_suffix = head in suffixes and head not in heads
        items = _items_before(tokens, cuts, match.start(), 0)
        if is_suffix and not match["modifier"]:  # (等地下车场: a car park at each item, named or not)
            items = _up_to_a_named_group(text, items)
        names = [_list_item(text, a, b, match, row, is_suffix) for a, b in items]
        # 水利、交通、通信、能源、基础测绘和勘探等重大项目: one generic item shows the list is of kinds,
        # not of names; only the leftmost item may fail alone (its left edge may hold a stray word).
        if any(n is None for n in names[:-1]):
            continue
        if names and names[0] is not None:  # (no items: the list's head opens the sentence, 等重点项目…)
            found.extend(_shared_works([n for n in names if n is not None]))
    return found


def _without_extensions(item: str) -> str:
    """大数据产业园二期 -> 大数据产业园: the name without its phase, section or extension."""
    for part in ("works", "extension", "phase", "section"):
        match = _at_the_end(part).search(item)
        if match and match.start() > 0:
            item = item[: match.start()]
    return item


def _names_a_facility(item: str) -> bool:
    """纺织路, 鸿源南街: a word of two or more characters plus a facility noun that is a token of its own
    (图书馆, 博物馆 are dictionary words, kinds of facility, not names)."""
    words = _words(item)
    return len(words) >= 2 and words[-1] in _facility_nouns() and len(item) - len(words[-1]) >= 2


def _up_to_a_named_group(text: str, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """郑济、郑太高铁及郑州南站至洛阳等城际铁路: a facility head's list (read last item first) stops at an
    item named with a suffix of its own; the items before that share its suffix (shared_suffix_names),
    not the head's."""
    _, pattern = _suffixes()
    for index, (a, b) in enumerate(items):
        core = _without_extensions(text[a:b])
        if any(m.end() == len(core) for m in pattern.finditer(core)):
            return items[: index + 1]
    return items


def _list_item(text: str, a: int, b: int, match: regex.Match, row: dict[str, str], is_suffix: bool) -> Name | None:
    """The name a list item gives, or None when it is no name."""
    suffixes, suffix_pattern = _suffixes()
    item = text[a:b]
    table, head = row["table"], match["head"]
    if not 2 <= len(item) <= threshold("list_item_max_chars") or is_government(item) or item in _region_names():
        return None
    if _patterns()["counted"].match(item):
        return None  # 3座跨黄河大桥等项目: a counted class
    core = _without_extensions(item)
    own_suffix = next((m for m in suffix_pattern.finditer(core) if m.end() == len(core)), None)
    if own_suffix is None and not (has_rare_word(item) or core != item or _names_a_facility(item)):
        return None  # (科技孵化中心二期: a phase makes a name; 纺织路: a word plus its facility noun)
    if own_suffix is not None and core == item and not (is_specific(item[: own_suffix.start()]) or has_rare_word(item)):
        return None  # 福和制药 cut by jieba into 福/和/制药 leaves 制药: a suffix alone
    if row.get("needs_anchor") == "1" and not has_anchor(item):
        return None
    own_row = suffixes[own_suffix.group()] if own_suffix is not None else None
    # 等一批种质资源库, 等高新技术产业园 name a class the items belong to; 等地下车场, 等3座跨黄河大桥
    # name what is built at each item (天河体育中心地下车场: even an item that is a name already).
    class_head = "一批" in match.group() or (match["modifier"] and not strip_generic(match["modifier"]))
    at_each_item = is_suffix and table == "projects" and bool(match["modifier"]) and not class_head
    if own_row is not None and own_row["table"] == table and not at_each_item:
        kind, category = own_row["kind"] or None, own_row["category"] or None
        return Name(a, b, item, table, kind, category, "list", own_row["weak"] == "1")
    if is_suffix and table == "projects" and not class_head and (own_suffix is None or at_each_item):
        # 天河体育中心地下车场 is a car park, 兰原高速 a motorway: the head says what the name is
        name = _expansion(item, match["modifier"], head)
        return Name(a, b, name, table, None, row["category"] or None, "list", row["weak"] == "1")
    # a list head's category is the class's (园区 → industry): words in the item come first
    return Name(a, b, item, table, row.get("kind") or None, row.get("category") or None, "list", True)


def companions(text: str, tokens: Sequence[Token], cuts: Sequence[int], names: list[Name]) -> list[Name]:
    """新飞智家、华兰生物、华洋集团等: items listed beside an enterprise, in a list closed by 等, are
    enterprises too."""
    found: list[Name] = []
    taken = [(n.start, n.end) for n in names]
    for enterprise in (n for n in names if n.kind == "enterprise"):
        after = _COMPANIONS.match(text[enterprise.end :])
        if after is None:
            continue
        spans = []
        before = _token_at_end(tokens, enterprise.start)
        if before is not None and before.word in _SEPARATORS:
            spans += _items_before(tokens, cuts, before.start, 0)
        offset = enterprise.end
        for item in after.group(1).split("、")[1:]:
            spans.append((offset + 1, offset + 1 + len(item)))
            offset += 1 + len(item)
        for a, b in spans:
            name = text[a:b]
            if any(x < b and a < y for x, y in taken) or not 2 <= len(name) <= 8 or not has_rare_word(name):
                continue
            if is_government(name) or name in _region_names() or not _PLAIN_NAME.fullmatch(name):
                continue
            found.append(Name(a, b, name, "entities", "enterprise", None, "companion"))
    return found


def split_glued_conjunctions(tokens: Sequence[Token]) -> tuple[Token, ...]:
    """天河体育中心和琶洲会展中心: jieba reads 中心和 as one word; a 和 after a facility noun is the
    conjunction (和平大道 stays whole: there 和 starts the token)."""
    suffixes, _ = _suffixes()
    ends_a_name = (*_facility_nouns(), *suffixes)
    out: list[Token] = []
    for token in tokens:
        word = token.word
        if len(word) > 1 and word.endswith("和") and word[:-1].endswith(ends_a_name):
            out.append(Token(token.start, token.end - 1, word[:-1], token.pos))
            out.append(Token(token.end - 1, token.end, "和", "c"))
        elif len(word) > 1 and word.startswith("和") and out and out[-1].word.endswith(ends_a_name):
            # 产业化基地和尚志抽水蓄能电站: jieba reads 和尚 (monk)
            out.append(Token(token.start, token.start + 1, "和", "c"))
            out.append(Token(token.start + 1, token.end, word[1:], "x"))
        else:
            out.append(token)
    return tuple(out)


def _shared_works(names: list[Name]) -> list[Name]:
    """卫河、共渠、东孟姜女河治理等项目: the last item's works (治理) are every item's."""
    works = _patterns()["shared_works"]
    last = names[0]
    match = _at_the_end("shared_works").search(last.name)
    if match is None or match.start() < 2:
        return names
    shared = match.group()
    _, suffix_pattern = _suffixes()
    return [
        n
        if n is last or works.search(n.name) or len(n.name) > 4 or suffix_pattern.search(n.name)
        else replace(n, name=n.name + shared)
        for n in names
    ]


def find_names(text: str, tokens: Sequence[Token] | None = None) -> list[Name]:
    """Every name in a sentence, for both tables (`tokens`: its jieba tokens, offsets from 0)."""
    if not may_hold_a_name(text):
        return []
    tokens = tuple(tokens) if tokens is not None else tokens_of(text)
    if "和" in text:  # (only a 和 can be glued on)
        tokens = split_glued_conjunctions(tokens)
    cuts = _cuts(text, tokens)
    names = suffix_names(text, tokens, cuts)
    names += shared_suffix_names(text, tokens, cuts, names)
    names += list_names(text, tokens, cuts, names)
    names += companions(text, tokens, cuts, names)
    unique: dict[tuple[int, int, str], Name] = {}
    for name in names:  # a later rule knows more of the same span: 济郑高铁 (suffix) -> 济郑高铁跨黄河大桥 (list)
        unique[(name.start, name.end, name.table)] = name
    kept = [n for n in unique.values() if not _inside_another(n, unique.values())]
    return sorted(kept, key=lambda n: (n.start, n.end, n.table))


def _inside_another(name: Name, names) -> bool:
    """成贵高铁站 inside 成贵高铁站前广场 (same table): only the outer name is one."""
    size = name.end - name.start
    return any(
        o.table == name.table and o.start <= name.start and name.end <= o.end and o.end - o.start > size for o in names
    )
