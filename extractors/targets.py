"""Numeric targets and results: every quantity a report sets or reports, as `targets` rows.

Per content sentence: the number grammar finds quantities (extractors.numbers); context rules keep
the ones that are quantities of something (not thresholds, not parts of names or codes), find
the indicator before them, the verb that says what the number measures, qualifiers, modality,
and whether it is a target or a result and for which year. Lists (A、B、C 5家、24家、52家) and
分别/均 pair numbers with the indicators they refer to. In the list of main targets, items
without a number (进出口稳中提质) are `qualitative` rows.

Every row names the rule that made it (`rule`), so eval can report precision per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import regex

from extractors.numbers import Quantity, find_quantities, implied_units, qualifier_words
from pipeline.lexicon import read_list, read_tsv
from pipeline.records import ExtractedRow, Sentence, StructuredDocument, provenance

_CLAUSE_END = regex.compile(r"[,;:。!?，；：]")
_LIST_SEPARATOR = regex.compile(r"^\s*(?:、|和|及|以及|与)\s*$")
_GLUED_BEFORE = regex.compile(r"[A-Za-z0-9.+#/_\-]$")
_GLUED_AFTER = regex.compile(r"^[+A-Za-z]")
_THRESHOLD_AFTER = regex.compile(r"^(?:以上|以下|及以上|及以下)(?:的|级)?(?![并和且等])\p{Han}|^级\p{Han}")
_THRESHOLD_DIMENSIONS = frozenset({"money", "area", "mass", "power", "energy", "length", "volume"})
_NAMED_MEASURES = regex.compile(r"^(?:意见|措施|举措|政策|规定|条例|办法|行动|工程包|清单)")
_SMALL_HAN_ENUMERATIONS = frozenset({"个", "项", "件", "条", "类", "种", "大", "批"})
_RANK_VERB = regex.compile(r"(?:居|位居|排名|位列|跃居|排|名列|列|保持|跻身|进入|升至|上升至|晋升|稳居)[^,;。]{0,12}$")
_RANK_VERB_REACH = 3 + 12  # longest verb + the gap the pattern allows: all of `before` it can see
_EACH = regex.compile(r"(?<![人年平])均(?![衡等匀值])|分别|都")
_YEAR = regex.compile(r"(?<![比较同与是\d])((?:19|20)\d\d)\s*年(?![度份]?(?:的|相比|比))")
_HORIZON = regex.compile(r"(?:到|至|在|截至)\s*[“\"]?(?P<plan>\p{Han}{2,3})[”\"]?(?:末|期末|时期末)")
_MAIN_TARGETS = regex.compile(r"主要(?:预期)?目标|预期目标")
_EDGE = regex.compile(r"^[\s、,，:：;；\-—“”\"()（）]+|[\s、,，:：;；\-—“”\"()（）]+$")
_HAN_SLOGAN_QUOTE = '“"'
_HAN = regex.compile(r"\p{Han}")
_LEADING_YEAR = regex.compile(r"^(?:19|20)\d\d\s*年(?:底|末)?")
_FIVE_YEARS_AHEAD = regex.compile(r"(?:今后|未来)五年")
_PLAN_AS_PERIOD = regex.compile(r"[“\"]?(\p{Han}{2,3})[”\"]?(?:时期|期间|以来|规划期|末)")
_YEAR_IN_TITLE = regex.compile(r"(?:19|20)\d\d\s*年")
_PRELIMINARY = regex.compile(r"初步(?:统计|核算)|据初步")
_SO_FAR_THIS_YEAR = regex.compile(r"今年以来|今年前|今年1")
_LAST_YEAR = regex.compile(r"去年|上年(?!同期)")
_COMPARED_TO_LAST_YEAR = regex.compile(r"比(?:去年|上年)")
_CLAUSE = regex.compile(r"[^,;。，；:]+")
_LIST_COLON = regex.compile(r"\s*(?:是|为)?\s*:|\s*(?:是|为)")
_ENUMERATED = regex.compile(r"[^、]+")
_WHOLE = regex.compile(r".+")
_LIST_ITEM_SEPARATOR = regex.compile(r"、|和|及")
_SCOPE_ONLY = regex.compile(r"^(?:全[国省市区县州]|[国省市县]内|同期|上年|去年|比上年|全国全省|全省全市)+$")
_GROWTH_BY_MULTIPLE = ("增长", "提高", "增加", "扩大", "提升")
_PLAN_NAME = regex.compile(r"[“\"]?(十[一二三四五]?五|[七八九]五)[”\"]?(?=时期|期间|规划|末|以来|目标|[”\"])")
_YEARS_PAST = regex.compile(r"(?:过去|近)[一二三四五六七八九十\d]{1,2}年|[一二三四五六七八九十\d]{1,2}年(?:来|间)")
_RATE_OF_GROWTH = regex.compile(r"(?:年均)?(?:增速|增长速度|增长率|增幅)$")
_COUNT_NOUN = regex.compile(r"(?:总数|数量|总量|规模|人数|户数)$")
_BASE_YEAR = regex.compile(r"(?:均|都)?(?:比|较|与|同)(?:上年|去年|(?:19|20)\d\d\s*年(?:底|末)?)(?:相比)?(?:同期)?$")
_CONTEXT_CHARS = 600
_ADVERB_TAIL = regex.compile(r"(?:基本|全部|继续|有效|持续|进一步)+$")
_NOT_A_TARGET_CLAUSE = regex.compile(r"^(?:在|以|按照|根据|综合|考虑|坚持|力争|努力|为此|同时|其中)")
_LEVEL_VERBS = ("达到", "达", "为", "完成", "实现", "突破", "超过", "新增", "累计", "占")
_IN_RANKING = regex.compile(r"^在(.+?)(?:中|上|里)$")


@dataclass(frozen=True, slots=True)
class TargetRow(ExtractedRow):
    indicator: str | None
    indicator_id: str | None
    measure: str
    direction: str | None
    value: float | None
    value_high: float | None
    unit: str | None
    value_raw: str | None
    unit_raw: str | None
    qualifier: str
    modality: str | None
    status: str
    period: int | None
    rule: str


@dataclass(frozen=True, slots=True)
class _Reading:
    """A kept quantity with what its context says, before indicators are shared out."""

    quantity: Quantity
    head_start: int  # where this quantity's own words begin (after the previous quantity)
    verb: str | None
    verb_start: int | None
    qualifier: str
    qualifier_end: int
    indicator: str | None
    indicator_start: int | None


# --------------------------------------------------------------------------- lexicons


@cache
def _verbs() -> tuple[dict[str, tuple[str, str | None]], regex.Pattern]:
    table = {row["verb"]: (row["measure"], row["direction"] or None) for row in read_tsv("target_verbs.tsv")}
    pattern = regex.compile("|".join(regex.escape(v) for v in sorted(table, key=len, reverse=True)))
    return table, pattern


@cache
def _modalities() -> tuple[dict[str, str], regex.Pattern]:
    table = {row["cue"]: row["modality"] for row in read_tsv("modality.tsv")}
    return table, regex.compile("|".join(regex.escape(c) for c in sorted(table, key=len, reverse=True)))


@cache
def _affixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = read_tsv("indicator_affixes.tsv")
    starts = tuple(sorted((r["affix"] for r in rows if r["position"] == "start"), key=len, reverse=True))
    ends = tuple(sorted((r["affix"] for r in rows if r["position"] == "end"), key=len, reverse=True))
    return starts, ends


@cache
def _aliases() -> tuple[dict[str, str], tuple[str, ...]]:
    table: dict[str, str] = {}
    for row in read_tsv("indicators.tsv"):
        for alias in [row["name_zh"], *row["aliases"].split("|")]:
            if alias:
                table.setdefault(alias, row["id"])
    return table, tuple(sorted(table, key=len, reverse=True))


def longest_alias_ending(text: str, min_length: int) -> str | None:
    """The longest indicator alias of at least `min_length` characters that `text` ends with
    (a dictionary lookup per suffix length, not a scan of every alias)."""
    table, by_length = _aliases()
    for length in range(min(len(text), len(by_length[0])), min_length - 1, -1):
        if text[-length:] in table:
            return text[-length:]
    return None


@cache
def _plan_ends() -> dict[str, int]:
    return {row["plan"]: int(row["end"]) for row in read_tsv("plan_periods.tsv")}


@cache
def _modifier_pattern() -> regex.Pattern:
    return regex.compile("|".join(regex.escape(w) for w in read_list("indicator_modifiers.txt")))


@cache
def _action_verbs() -> frozenset[str]:
    return frozenset(read_list("action_verbs.txt"))


# --------------------------------------------------------------------------- small pure steps


def indicator_id(surface: str | None) -> str | None:
    """Canonical id for an indicator surface: an exact alias, else the longest alias (3+ chars) that
    ends it — the head of a Chinese noun phrase comes last, so 单位国内生产总值能耗 is not gdp."""
    if not surface:
        return None
    table, _ = _aliases()
    if surface in table:
        return table[surface]
    head = _COUNT_NOUN.sub("", surface) or surface
    alias = longest_alias_ending(head, 3)
    if alias is None:
        return None
    if _modifier_pattern().search(head[: -len(alias)]):
        return None  # 人均生产总值, 县域生产总值: another indicator than the aggregate
    return table[alias]


def clean_indicator(surface: str) -> tuple[str, int]:
    """Trim boilerplate around an indicator; returns (indicator, chars trimmed at the start)."""
    starts, ends = _affixes()
    original = surface
    changed = True
    while changed:
        changed = False
        stripped = _EDGE.sub("", surface)
        if stripped != surface:
            surface, changed = stripped, True
        surface = _LEADING_YEAR.sub("", surface)
        surface = _BASE_YEAR.sub("", surface)
        ranking = _IN_RANKING.match(surface)
        if ranking:
            surface, changed = ranking.group(1), True
        for affix in starts:
            if surface.startswith(affix):
                surface, changed = surface[len(affix) :], True
        for affix in ends:
            if surface.endswith(affix):
                surface, changed = surface[: -len(affix)], True
    return surface, original.find(surface) if surface else 0


def is_quantity(sentence: str, q: Quantity) -> bool:
    """Context rules that tell a quantity from a number that is part of something else."""
    before, after = sentence[: q.start], sentence[q.end :]
    if _GLUED_BEFORE.search(before[-1:]) or _GLUED_AFTER.match(after):
        return False  # codes and slogans: 1+6+5, 5G, G230
    if q.kind == "amount" and before.endswith("第"):
        return False  # ordinals
    if before.endswith("每"):
        return False  # 每千名老人: the denominator of a rate
    if before.endswith(("“", '"')) and after.startswith(("”", '"')):
        return False  # “66条”: the name of a policy package
    if q.kind == "amount" and q.dimension in _THRESHOLD_DIMENSIONS and _THRESHOLD_AFTER.match(after):
        return False  # 5000万元以上重大项目: defines what is counted
    if q.kind == "amount" and q.dimension == "count" and _NAMED_MEASURES.match(after):
        return False  # 我省20条意见, 八项规定: the name of a policy package
    if q.kind == "rank" and not _RANK_VERB.search(before[-_RANK_VERB_REACH:]):
        return False  # 安全第一, 放在第一位: slogans; 居全国第一, 排名第5位: ranks
    if q.han and q.kind == "amount":
        if before.endswith(tuple(_HAN_SLOGAN_QUOTE)) or q.value < 2 or q.unit == "倍":
            return False  # “三个一批”, 一批, 百倍信心
        if q.unit in _SMALL_HAN_ENUMERATIONS and q.value < 10:
            return False  # 两个维护, 三项试点, 四件事: enumerations, not statistics
    if q.dimension == "power" and _HAN.match(after):
        tail = before[-2:]
        if before and _HAN.match(before[-1]) and tail not in _action_verbs() and before[-1:] != "了":
            return False  # 华润50兆瓦风电: a project's rating inside its name
    return True


def _last_verb(head: str) -> tuple[str | None, int | None]:
    _, pattern = _verbs()
    last = None
    for match in pattern.finditer(head):
        last = match
    if last is None:
        return None, None
    return last.group(), last.start()


@cache
def _qualifiers_longest_first(position: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(qualifier_words()[position].items(), key=lambda kv: -len(kv[0])))


def _qualifier_before(head: str) -> str | None:
    for word, qualifier in _qualifiers_longest_first("before"):
        if head.rstrip().endswith(word):
            return None if qualifier == "none" else qualifier
    return None


def _comparison(head: str, q: Quantity) -> str | None:
    """增速要高于40%: a bound; 高于全省3.3个百分点: a gap (measured as pp_change instead)."""
    if q.unit == "百分点":
        return None
    if head.rstrip().endswith(("高于", "大于", "多于")):
        return "more_than"
    if head.rstrip().endswith(("低于", "小于", "少于")):
        return "at_most"
    return None


def _qualifier_after(after: str) -> tuple[str | None, int]:
    for word, qualifier in _qualifiers_longest_first("after"):
        if after.startswith(word):
            return qualifier, len(word)
    return None, 0


def measure_of(q: Quantity, verb: str | None, after_verb: str) -> tuple[str, str | None]:
    """(measure, direction) from the quantity's kind and unit and the verb before it."""
    table, _ = _verbs()
    verb_measure, verb_direction = table.get(verb, ("level", None)) if verb else ("level", None)
    to_level = after_verb.startswith(("到", "至")) and verb not in ("至",)
    if q.kind in ("rank", "top"):
        return "rank", None
    if q.kind == "multiple" or q.unit == "倍":
        return "multiple", ("up" if verb_measure != "level" or q.kind == "multiple" else None)
    if q.unit == "百分点":
        return "pp_change", verb_direction or "up"
    if q.unit == "位" and verb_measure in ("growth", "rank_change"):
        return "rank_change", verb_direction
    if verb_measure == "rank_change":
        return "rank_change", verb_direction
    if to_level or verb_measure in ("level", "rank", "pp_change"):
        return "level", None
    return verb_measure, verb_direction


def _modality(sentence: str, position: int) -> str | None:
    table, pattern = _modalities()
    found = None
    for match in pattern.finditer(sentence, 0, position):
        if ";" in sentence[match.end() : position]:
            continue
        found = table[match.group()]
    return found


def _plan_named(text: str) -> int | None:
    """The end year of the last five-year plan named anywhere in `text` (a title, a paragraph)."""
    found = None
    for match in _PLAN_NAME.finditer(text):
        found = _plan_ends().get(match.group(1), found)
    return found


def average_growth_period(head: str, context: str, year: int | None) -> int | None:
    """年均增长 is over a plan period: the plan named in the sentence, its paragraph or its section;
    今后五年 counts from the report year."""
    if "年均" not in head or year is None:
        return None
    plan = _plan_named(context)
    if plan is not None:
        return plan
    if _FIVE_YEARS_AHEAD.search(context):
        return year + 4
    if _YEARS_PAST.search(context):
        return year - 1
    return None


def _plan_mentioned(window: str) -> int | None:
    """The end year of the last five-year plan named as a period (“十三五”时期, 十二五期间)."""
    found = None
    for match in _PLAN_AS_PERIOD.finditer(window):
        name = match.group(1)
        for plan, end in _plan_ends().items():
            if name.endswith(plan):
                found = end
    return found


def status_and_period(
    sentence: str, position: int, role: str, report_year: int | None, section_title: str | None
) -> tuple[str, int | None]:
    """Target or result, and the year the figure refers to, from the section and cues before it."""
    year = report_year
    # What comes before the first heading (or a lead) is, in practice, a summary of last year.
    status = "actual" if role in ("review", "preamble") else "target"
    period = (year - 1 if year else None) if status == "actual" else year
    window = sentence[:position]
    plan_ends = _plan_ends()
    if role == "targets" and section_title:
        for plan, end in plan_ends.items():
            if f"{plan}”" in section_title or f'{plan}"' in section_title or section_title.startswith(plan):
                period = end if not _YEAR_IN_TITLE.search(section_title) else period
    horizon = None
    for match in _HORIZON.finditer(window):
        if match["plan"] in plan_ends:
            horizon = plan_ends[match["plan"]]
    years = [int(m.group(1)) for m in _YEAR.finditer(window)]
    if "预计" in window:
        return "actual", (year - 1 if year and role == "review" else year)
    if year and _PRELIMINARY.search(window):
        return "actual", year - 1
    if horizon:
        return ("target" if not year or horizon >= year else "actual"), horizon
    if years:
        y = years[-1]
        if year and y < year:
            return "actual", y
        return "target", y
    if year:
        if "明年" in window:
            return "target", year + 1
        if _SO_FAR_THIS_YEAR.search(window):
            return "actual", year  # so far this year
        if "今年" in window or "全年目标" in window:
            return "target", year
        plan = _plan_mentioned(window)
        if plan is not None:
            return ("target", plan) if plan >= year else ("actual", plan)
        if _YEARS_PAST.search(window):
            return "actual", year - 1
        if _LAST_YEAR.search(window) and not _COMPARED_TO_LAST_YEAR.search(window):
            return "actual", year - 1
    return status, period


# --------------------------------------------------------------------------- one sentence


def _counts_its_list(text: str, q: Quantity, clause_start: int) -> bool:
    """中原农谷、经开区、高新区3个片区: the number only counts the items just named."""
    head = text[clause_start : q.start]
    if q.dimension != "count" or "等" in head[-3:] or "、" not in head:
        return False
    items = [i for i in head.split("、") if i.strip()]
    return len(items) == q.value


def _resolve_bare(text: str, q: Quantity) -> Quantity | None:
    """减少1109万 with no unit: the unit is implied by the noun of the indicator (贫困人口 -> 人)."""
    if q.kind != "bare":
        return q
    clause = max((m.end() for m in _CLAUSE_END.finditer(text, 0, q.start)), default=0)
    head = text[clause : q.start]
    nouns = implied_units()
    found = [(head.rfind(noun), noun) for noun in nouns if noun in head]
    if not found:
        return None
    unit = nouns[max(found)[1]]
    return replace(q, unit=unit, dimension="people" if unit == "人" else "count", unit_raw=q.unit_raw)


def _is_spec(previous: Quantity | None, q: Quantity) -> bool:
    """4个10万吨泊位, 3台100万千瓦机组: a rating of the items just counted."""
    return (
        previous is not None
        and previous.end == q.start
        and previous.dimension == "count"
        and q.dimension not in ("count", "people")
    )


def read_quantities(text: str) -> list[_Reading]:
    found = [r for q in find_quantities(text) if (r := _resolve_bare(text, q)) is not None]
    kept: list[Quantity] = []
    for q in found:
        if is_quantity(text, q) and not _is_spec(kept[-1] if kept else None, q):
            kept.append(q)
    quantities = kept
    quantities = [
        q
        for q in quantities
        if not _counts_its_list(text, q, max((m.end() for m in _CLAUSE_END.finditer(text, 0, q.start)), default=0))
    ]
    readings: list[_Reading] = []
    previous_end = 0
    for q in quantities:
        clause = max((m.end() for m in _CLAUSE_END.finditer(text, 0, q.start)), default=0)
        head_start = max(clause, previous_end)
        head = text[head_start : q.start]
        verb, verb_at = _last_verb(head)
        qualifier_after, after_len = _qualifier_after(text[q.end :])
        qualifier = (
            "range"
            if q.value_high is not None
            else qualifier_after or q.tail_qualifier or _qualifier_before(head) or _comparison(head, q) or "none"
        )
        if q.kind == "top":
            qualifier = "at_most"
        indicator, offset = _indicator_in(head, verb, verb_at)
        readings.append(
            _Reading(
                quantity=q,
                head_start=head_start,
                verb=verb,
                verb_start=head_start + verb_at if verb_at is not None else None,
                qualifier=qualifier,
                qualifier_end=q.end + after_len,
                indicator=indicator or None,
                indicator_start=head_start + offset if indicator else None,
            )
        )
        previous_end = q.end + after_len
    return readings


def _strip_qualifier_before(surface: str) -> str:
    for word, _ in _qualifiers_longest_first("before"):
        if surface.endswith(word):
            return surface[: -len(word)]
    return surface


def _indicator_in(head: str, verb: str | None, verb_at: int | None) -> tuple[str, int]:
    """The indicator is the verb's object when it has one (完成地区生产总值3569.7亿元, 新增城镇就业7.7万人),
    else its subject (经济增长6%, 粮食产量稳定在90亿斤)."""
    bare = _strip_qualifier_before(head).rstrip()
    alias = longest_alias_ending(bare, 4) if "、" not in bare else None
    if alias is not None:
        return alias, len(bare) - len(alias)  # 新增城镇就业: the verb is part of the indicator's name
    if verb is None or verb_at is None:
        return clean_indicator(_strip_qualifier_before(head))
    obj_from = verb_at + len(verb)
    obj, obj_offset = clean_indicator(_strip_qualifier_before(head[obj_from:]))
    if obj and not _SCOPE_ONLY.match(obj):
        return obj, obj_from + obj_offset
    return clean_indicator(head[:verb_at])


def _lists(text: str, readings: list[_Reading]) -> list[list[int]]:
    """Groups of consecutive readings written as one list: 5家、24家、52家."""
    groups: list[list[int]] = []
    for i, reading in enumerate(readings):
        if groups and _LIST_SEPARATOR.match(text[readings[groups[-1][-1]].qualifier_end : reading.quantity.start]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _list_items(indicator: str) -> list[str]:
    return [item for item in _LIST_ITEM_SEPARATOR.split(indicator) if item]


@dataclass(frozen=True, slots=True)
class _Draft:
    reading: _Reading
    verb_reading: _Reading  # whose verb says what the number measures (the first of a list)
    indicator: str | None
    start: int
    rule: str


def share_indicators(text: str, readings: list[_Reading]) -> list[_Draft]:
    """Give every reading its indicator: its own, the matching item of a list, or — after 分别/均 —
    the indicators of the rows it refers back to."""
    drafts: list[_Draft] = []
    for group in _lists(text, readings):
        first = readings[group[0]]
        head = text[first.head_start : first.quantity.start]
        items = _list_items(first.indicator or "") if len(group) > 1 else []
        if len(group) > 1 and len(items) == len(group):
            for i, item in zip(group, items, strict=True):
                drafts.append(_Draft(readings[i], first, item, readings[i].quantity.start, "list"))
            continue
        refers_back = _EACH.search(head)
        named = [d for d in drafts if d.indicator]
        qualifier = _EACH.sub("", first.indicator or "")
        if refers_back and len(group) > 1 and len(named) >= len(group):
            for i, earlier in zip(group, named[-len(group) :], strict=True):
                indicator = earlier.indicator + qualifier if qualifier else earlier.indicator
                drafts.append(_Draft(readings[i], first, indicator, readings[i].quantity.start, "respectively"))
            continue
        subjects = _list_items(first.indicator or "")
        if refers_back and len(group) == 1 and not named and len(subjects) > 1:
            for item in subjects:  # 经济总量和财政收入都比2002年翻了一番多
                drafts.append(_Draft(first, first, item, first.quantity.start, "all_of"))
            continue
        if refers_back and len(group) == 1 and refers_back.group() in ("均", "都"):
            run = _trailing_run(drafts, first)
            for earlier in run:
                drafts.append(_Draft(first, first, earlier.indicator, first.quantity.start, "all_of"))
            if run:
                continue
        for i in group:
            reading = readings[i]
            indicator = reading.indicator
            rule = "indicator_verb_number" if indicator else "number"
            start = (
                reading.indicator_start
                if reading.indicator_start is not None
                else (reading.verb_start if reading.verb_start is not None else reading.quantity.start)
            )
            if indicator is None and drafts:
                indicator = drafts[-1].indicator
                rule = "inherited_indicator"
            verb_from = first if reading.verb is None else reading
            drafts.append(_Draft(reading, verb_from, indicator, min(start, reading.quantity.start), rule))
    return drafts


def _trailing_run(drafts: list[_Draft], reading: _Reading) -> list[_Draft]:
    """The rows a 均 refers to: the last rows of the sentence, all ranks (均上升4位) or all levels
    (…3009.6亿元、…6806.5亿元,均比2010年翻了一番多)."""
    wants_rank = reading.quantity.unit == "位" and reading.quantity.kind == "amount"
    run: list[_Draft] = []
    for draft in reversed(drafts):
        is_rank = draft.reading.quantity.kind == "rank"
        is_level = draft.verb_reading.verb in (
            None,
            *_LEVEL_VERBS,
        ) and draft.reading.quantity.dimension not in ("percent", "pp")
        fits = is_rank if wants_rank else (is_level and not is_rank)
        if not draft.indicator or not fits:
            break
        run.insert(0, draft)
    return run if len(run) > 1 else []


def qualitative_rows(
    text: str, numbers: list[_Reading], in_list: bool = False
) -> list[tuple[int, int, str, str | None]]:
    """(start, end, indicator, id) for items of a main-target list that carry no number.

    The list starts after 主要预期目标是: and may go on over several sentences of its paragraph
    (`in_list`) when the report separates its items with semicolons."""
    cue = _list_cue(text)
    if cue is not None:
        start_at = cue
    elif in_list:
        start_at = 0
    else:
        return []
    table, by_length = _aliases()
    spans = []
    for match in _CLAUSE.finditer(text[start_at:]):
        s, e = start_at + match.start(), start_at + match.end()
        if any(s <= r.quantity.start < e for r in numbers):
            continue
        for part in _qualitative_parts(match.group()):
            item = part.group().strip()
            if not item or _NOT_A_TARGET_CLAUSE.match(item) or not 4 <= len(item) <= 40:
                continue
            alias = next((a for a in by_length if a in item and (len(a) >= 3 or item.startswith(a))), None)
            predicate = _qualitative_predicate().search(item)
            if alias is None and predicate is None:
                continue
            lead = len(part.group()) - len(part.group().lstrip())
            at = s + part.start() + lead
            indicator = alias or _ADVERB_TAIL.sub("", item[: predicate.start()]) or item
            spans.append((at, at + len(item), indicator, table.get(alias) if alias else None))
    return spans


def _list_cue(text: str) -> int | None:
    """Where a list of main targets begins: after 主要预期目标是: (not 主要目标全面完成)."""
    cue = _MAIN_TARGETS.search(text)
    if not cue:
        return None
    colon = _LIST_COLON.match(text[cue.end() : cue.end() + 4])
    return cue.end() + colon.end() if colon else None


def _qualitative_parts(clause: str) -> list[regex.Match]:
    """现行标准下农村贫困人口全部脱贫、贫困县全部摘帽: two targets when each part has its own predicate."""
    parts = list(_ENUMERATED.finditer(clause))
    if len(parts) > 1 and all(_qualitative_predicate().search(p.group()) for p in parts):
        return parts
    return list(_WHOLE.finditer(clause))


@cache
def _qualitative_predicate() -> regex.Pattern:
    return regex.compile("|".join(regex.escape(w) for w in read_list("qualitative_predicates.txt")))


# --------------------------------------------------------------------------- the extractor


class TargetExtractor:
    name = "targets"
    version = "1.0"
    method = "rule"
    table = "targets"
    requires = ("sentences", "sections")

    def extract(self, doc: StructuredDocument):
        titles = {s.section_id: s.title for s in doc.sections}
        parents = {s.section_id: s.parent_id for s in doc.sections}
        year = doc.year
        paragraph_so_far: dict[int, str] = {}
        list_paragraph: int | None = None
        previous: Sentence | None = None
        for sentence in doc.content_sentences():
            in_list = list_paragraph == sentence.paragraph or (
                # a targets section listing its goals one per semicolon-ended sentence
                sentence.role == "targets"
                and previous is not None
                and previous.paragraph == sentence.paragraph
                and previous.text.endswith(";")
            )
            previous = sentence
            if _list_cue(sentence.text) is not None:
                list_paragraph = sentence.paragraph
            if sentence.text.endswith("。") and (in_list or list_paragraph == sentence.paragraph):
                list_paragraph = None
            title = titles.get(sentence.section_id) or titles.get(parents.get(sentence.section_id))
            context = " ".join(
                t or ""
                for t in (
                    titles.get(parents.get(sentence.section_id)),
                    title,
                    paragraph_so_far.get(sentence.paragraph, ""),
                )
            )
            yield from self.sentence_rows(sentence, year, title, context, in_list)
            # the last few sentences of the paragraph are context enough (and a one-line page stays linear)
            so_far = paragraph_so_far.get(sentence.paragraph, "") + sentence.text
            paragraph_so_far = {sentence.paragraph: so_far[-_CONTEXT_CHARS:]}

    def sentence_rows(
        self,
        sentence: Sentence,
        year: int | None,
        section_title: str | None = None,
        context: str = "",
        in_main_target_list: bool = False,
    ):
        text = sentence.text
        label = f"{self.name}@{self.version}"
        readings = read_quantities(text)
        for draft in share_indicators(text, readings):
            reading, q, verbal = draft.reading, draft.reading.quantity, draft.verb_reading
            after_verb = text[verbal.verb_start + len(verbal.verb) :] if verbal.verb else ""
            measure, direction = measure_of(q, verbal.verb, after_verb)
            indicator = draft.indicator
            rate = _RATE_OF_GROWTH.search(indicator or "")
            if rate and measure == "level" and q.unit == "%" and indicator_id(indicator) is None:
                # 地区生产总值增速保持在10%左右: a growth target stated as the level of a rate
                measure, direction, indicator = "growth", "up", indicator[: rate.start()] or indicator
            value = q.value
            if (
                q.unit == "倍"
                and q.kind == "amount"
                and verbal.verb in _GROWTH_BY_MULTIPLE
                and not after_verb.startswith(("到", "至"))
            ):
                value = q.value + 1  # 增长1倍 / 提高1倍: twice as much
            status, period = status_and_period(text, q.start, sentence.role, year, section_title)
            horizon = average_growth_period(text[verbal.head_start : q.start], context + text[: q.start], year)
            if horizon is not None:
                status, period = ("target", horizon) if horizon >= (year or horizon) else ("actual", horizon)
            modality = _modality(text, q.start)
            if modality == "expect":
                status = "actual"
            start, end = draft.start, reading.qualifier_end
            if draft.rule in ("list", "respectively", "all_of"):
                start = q.start
            confidence = 0.9 if draft.rule == "indicator_verb_number" else 0.75
            yield TargetRow(
                **provenance(sentence, start, end, label, self.method, confidence),
                indicator=indicator,
                indicator_id=indicator_id(indicator),
                measure=measure,
                direction=direction,
                value=value,
                value_high=q.value_high,
                unit=q.unit,
                value_raw=q.value_raw,
                unit_raw=q.unit_raw,
                qualifier=reading.qualifier,
                modality=modality,
                status=status,
                period=period,
                rule=draft.rule,
            )
        for start, end, indicator, ident in qualitative_rows(text, readings, in_main_target_list):
            status, period = status_and_period(text, start, sentence.role, year, section_title)
            yield TargetRow(
                **provenance(sentence, start, end, label, self.method, 0.7),
                indicator=indicator,
                indicator_id=ident,
                measure="qualitative",
                direction=None,
                value=None,
                value_high=None,
                unit=None,
                value_raw=None,
                unit_raw=None,
                qualifier="none",
                modality=_modality(text, start),
                status=status,
                period=period,
                rule="qualitative",
            )


def rows_for_text(text: str, role: str = "targets", year: int | None = 2025) -> list[TargetRow]:
    """Rows for one sentence of text (for examples, tests and debugging)."""
    sentence = Sentence(0, None, 0, 0, len(text), text, role)
    return list(TargetExtractor().sentence_rows(sentence, year))


__all__ = ["TargetExtractor", "TargetRow", "indicator_id", "is_quantity", "replace", "rows_for_text"]
