"""Metadata from the report's own words: region, level, year, meeting, date, speaker.

Reads: Document.text, Document.noise, front matter. Writes: Document.meta.
The dateline (——2025年2月9日在新乡市第十四届人民代表大会第三次会议上) is the best witness; the
speaker line, headings (2024年工作回顾, 2025年重点工作), the title and finally the file name are
fallbacks, in that order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

import regex

from pipeline.lexicon import read_tsv
from pipeline.numerals import chinese_to_int
from pipeline.records import Document, Metadata

_HEAD = 4000  # where the dateline and speaker of a report are (after any news lead)

_DIGITS = r"[0-9〇零○Ｏ一二三四五六七八九十]"
_DATE = rf"(?P<y>{_DIGITS}{{4}})\s*年\s*(?P<m>{_DIGITS}{{1,3}})\s*月\s*(?P<d>{_DIGITS}{{1,3}})\s*日"
_DATELINE = regex.compile(
    _DATE
    + r"[\s*]{0,4}(?:在|于)[\s*]{0,4}"
    + r"(?P<meeting>(?:[^\n。]|\n(?![ \t]*\n)){0,60}?(?:人民代表大会|人大)[^\n。]{0,30}?会议)"
)
_DATE_ONLY = regex.compile(_DATE)
_SPEAKER_TITLE = r"(?:代理?|常务)?副?(?:总理|省长|市长|主席|州长|盟长|专员|县长|区长|行政长官)"
_SPEAKER = regex.compile(
    r"(?P<title>" + _SPEAKER_TITLE + r")[\s*:]{0,3}"
    r"(?P<name>\p{Han}{2,4}?(?:·\p{Han}{1,10})*)(?=(?!·)[\s\p{P}*]|$|各位|作|在|\Z)",
    regex.V1,
)
# A short line naming a year and what the section does with it (2024年工作回顾, 2025年重点工作).
_HEADING_YEAR = regex.compile(r"(?m)^(?P<line>[^\n]{0,20}?(?P<y>(?:19|20)\d\d)\s*年[^\n]{0,30})$")
_LOOKS_BACK = regex.compile(r"回顾|总结|成就|过去|主要工作和|工作情况")
_LOOKS_AHEAD = regex.compile(r"工作|任务|目标|要求|安排|部署|重点|计划")
_YEAR_IN = regex.compile(r"((?:19|20)\d\d)\s*年")
_NATIONAL = regex.compile(r"全国人民代表大会|全国人大")


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str
    province: str
    status: str


def _rank(region: Region) -> tuple[int, bool]:
    return ("province", "city", "county").index(region.level), region.status != "current"


@cache
def _gazetteer() -> tuple[dict[str, Region], regex.Pattern]:
    by_name: dict[str, Region] = {}
    for row in read_tsv("regions.tsv"):
        region = Region(row["code"], row["name"], row["level"], row["province"], row["status"])
        names = [region.name]
        if region.name.endswith("自治州") and row["short"]:
            names.append(row["short"] + "州")  # 恩施州, 黔东南州: how such a prefecture names itself
        for name in names:
            previous = by_name.get(name)
            # Names shared by several divisions (朝阳区 …) resolve to the higher, then current one.
            if previous is None or _rank(region) < _rank(previous):
                by_name[name] = region
    names = sorted(by_name, key=len, reverse=True)
    pattern = regex.compile("|".join(regex.escape(n) for n in names))
    return by_name, pattern


def find_region(text: str, levels: tuple[str, ...] = ("province", "city", "county")) -> Region | None:
    """The first gazetteer name in `text` (longest match at each position)."""
    by_name, pattern = _gazetteer()
    for match in pattern.finditer(text):
        region = by_name[match.group()]
        if region.level in levels:
            return region
    return None


_SELF_REFERENCE = {
    "province": regex.compile(r"[全我本]省|[全我本]区(?!域)"),
    "city": regex.compile(r"[全我本]市|[全我本]州|[全我本]盟"),
}


@cache
def _short_names() -> tuple[dict[str, list[Region]], regex.Pattern]:
    by_short: dict[str, list[Region]] = {}
    for row in read_tsv("regions.tsv"):
        if row["level"] in ("province", "city") and row["status"] == "current" and len(row["short"]) >= 2:
            region = Region(row["code"], row["name"], row["level"], row["province"], row["status"])
            by_short.setdefault(row["short"], []).append(region)
    pattern = regex.compile("|".join(regex.escape(s) for s in sorted(by_short, key=len, reverse=True)))
    return by_short, pattern


def most_named_region(text: str) -> Region | None:
    """For reports with no dateline: the region it names most often, at the level it speaks as
    (全省/我省 for a province, 全市/我市 for a city)."""
    counts = {level: len(p.findall(text)) for level, p in _SELF_REFERENCE.items()}
    level = max(counts, key=counts.get)
    if not counts[level]:
        return None
    by_short, pattern = _short_names()
    votes: dict[Region, int] = {}
    for match in pattern.finditer(text):
        for region in by_short[match.group()]:
            if region.level == level:
                votes[region] = votes.get(region, 0) + 1
    if not votes:
        return None
    best = max(votes, key=votes.get)
    return best if votes[best] >= 2 else None


def parse_date(match: regex.Match) -> dt.date | None:
    try:
        return dt.date(chinese_to_int(match["y"], digits=True), chinese_to_int(match["m"]), chinese_to_int(match["d"]))
    except (ValueError, TypeError):
        return None


def _clean(s: str) -> str:
    return regex.sub(r"[\s*]+", "", s)


def _visible_head(doc: Document) -> str:
    """The head of the text with noise spans blanked (same length, so offsets hold)."""
    head = list(doc.text[:_HEAD])
    for span in doc.noise:
        if span.start >= _HEAD:
            break
        for i in range(span.start, min(span.end, _HEAD)):
            head[i] = " " if head[i] != "\n" else "\n"
    return "".join(head)


def report_year(delivered_on: dt.date) -> int:
    """A report delivered in November or December sets the next year's goals."""
    return delivered_on.year + 1 if delivered_on.month >= 11 else delivered_on.year


def _year_from_headings(text: str) -> int | None:
    votes: dict[int, int] = {}
    for match in _HEADING_YEAR.finditer(text):
        line = match["line"]
        if regex.search(r"[。;,]", line):
            continue
        year = int(match["y"])
        if _LOOKS_BACK.search(line):
            year += 1
        elif not _LOOKS_AHEAD.search(line):
            continue
        votes[year] = votes.get(year, 0) + 1
    if not votes:
        return None
    return max(votes, key=lambda y: (votes[y], y))


def _year_from_name(text: str | None) -> int | None:
    if not text:
        return None
    match = _YEAR_IN.search(text) or regex.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)
    return int(match.group(1)) if match else None


def extract_metadata(doc: Document) -> Metadata:
    head = _visible_head(doc)
    front = dict(doc.front_matter)
    title = front.get("title") or next(
        (
            line.strip("* ")
            for line in head.splitlines()
            if "政府工作报告" in line and len(line) <= 40 and not regex.search(r"[。,;]", line)
        ),
        None,
    )

    dateline = _DATELINE.search(head)
    delivered_on = parse_date(dateline) if dateline else None
    meeting = _clean(dateline["meeting"]) if dateline else None
    if delivered_on is None:
        for source in (title or "", head):
            match = _DATE_ONLY.search(source)
            if match and (delivered_on := parse_date(match)):
                break

    region = None
    level = None
    if meeting and _NATIONAL.search(meeting):
        level = "national"
    elif meeting:
        region = find_region(meeting)
    speaker_from = dateline.end() if dateline else 0
    speaker_match = _SPEAKER.search(head, speaker_from, min(len(head), speaker_from + 300)) or _SPEAKER.search(head)
    speaker = speaker_match["name"] if speaker_match else None
    speaker_title = speaker_match["title"] if speaker_match else None
    if level is None and region is None:
        if speaker_title == "总理" or regex.search(r"国务院", title or ""):
            level = "national"
        else:
            line_start = head.rfind("\n", 0, speaker_match.start()) + 1 if speaker_match else 0
            speaker_line = head[line_start : speaker_match.start()] if speaker_match else ""
            region = (
                find_region(speaker_line)
                or find_region(title or "")
                or find_region(head[:1500], levels=("province", "city"))
                or most_named_region(doc.text)
                or find_region(doc.source, levels=("province", "city"))
            )
    if region is not None:
        level = region.level

    year = (
        (report_year(delivered_on) if delivered_on else None)
        or _year_from_headings(doc.text)
        or _year_from_name(title)
        or _year_from_name(PurePath(doc.source).name)
    )
    return Metadata(
        title=_clean(title) if title else None,
        region="国务院" if level == "national" else (region.name if region else None),
        region_code="100000" if level == "national" else (region.code if region else None),
        level=level,
        province=region.province if region else None,
        year=year,
        meeting=meeting,
        delivered_on=delivered_on,
        speaker=speaker,
        speaker_title=speaker_title,
    )


def with_metadata(doc: Document) -> Document:
    return dataclasses.replace(doc, meta=extract_metadata(doc))


def region_for_name(name: str) -> Region | None:
    return _gazetteer()[0].get(name)


def year_of_path(path: str) -> int | None:
    return _year_from_name(PurePath(path).name)


__all__ = ["Region", "extract_metadata", "find_region", "region_for_name", "report_year", "with_metadata"]
