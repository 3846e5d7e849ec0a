"""Stage 2, structure: Document -> sections (with roles), paragraphs and sentences, all with offsets.

Reads: Document.text, Document.noise, Document.meta.year. Writes: StructuredDocument.sections and
.sentences (tokens are added by the segment stage).

Headings: 一、 (or 一 alone on its line, title on the next) at depth 1, (一) at depth 2, 1. at
depth 3, (1) at depth 4. A marker only counts when it continues its level's sequence, so 一以贯之
or a stray "3." never opens a section. Scraped pages that lost their line breaks get the same
markers recognised right after a sentence end.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from pipeline.lexicon import read_tsv
from pipeline.numerals import chinese_to_int
from pipeline.records import Document, Section, Sentence, StructuredDocument

_SPACE = regex.compile(r"\s")
_SPACE_OR_PUNCT = regex.compile(r"[\s\p{P}]")
_HAN_NUM = "一二三四五六七八九十"
_MARKERS = (
    # depth, pattern at a candidate position; group "n" is the ordinal
    (1, regex.compile(rf"(?P<n>[{_HAN_NUM}]{{1,3}})[、.][ \t]*")),
    (2, regex.compile(rf"[(（](?P<n>[{_HAN_NUM}]{{1,3}})[)）][ \t]*")),
    (3, regex.compile(r"(?P<n>\d{1,2})[.、](?![\d%])[ \t]*")),
    (4, regex.compile(r"[(（](?P<n>\d{1,2})[)）][ \t]*")),
)
_LONE_ORDINAL = regex.compile(rf"[ \t]*(?P<n>[{_HAN_NUM}]{{1,3}})[ \t]*\n")
_SENTENCE_END = regex.compile(r"[。！？；!?;]+[”’」』\")）]*|\n")
_INLINE_HEADING_AFTER = regex.compile(r"(?<=[。!?;:”])[ \t]*")
_LONG_LINE = 1000
_TITLE_MAX = 60
_REPORT_START = regex.compile(r"(?m)^[ \t]*(?:——|--|―)|^[ \t]*各位代表|^[ \t]*政府工作报告[ \t]*$")
_CLOSING = regex.compile(r"(?m)^[ \t]*各位代表[!!,,::]")
_LEAD_MIN_CHARS = 120
_PART_TITLE_MAX = 24
_TITLE_WINDOW = 400
_GRAM_CHARS = 2000  # lead sentences are short; comparing the first 2,000 characters of the body is plenty
_PART_PUNCTUATION = regex.compile(r"[。,;:!?、“”()]")
_LONG_PREAMBLE = 1500


@dataclass(frozen=True, slots=True)
class _Heading:
    depth: int
    number: int
    start: int
    title_start: int
    title_end: int
    marker: str


@cache
def _role_patterns() -> tuple[tuple[str, regex.Pattern], ...]:
    return tuple((row["role"], regex.compile(row["pattern"])) for row in read_tsv("section_roles.tsv"))


def role_of_title(title: str, report_year: int | None) -> str | None:
    """The role whose cue comes first in the title: “十二五”重大成就及“十三五”主要目标 is a review
    that ends with goals; ties go to the earlier row of the lexicon."""
    found = [(m.start(), i, role) for i, (role, p) in enumerate(_role_patterns()) if (m := p.search(title))]
    past = regex.match(r"[^\d]{0,6}((?:19|20)\d\d)\s*年", title)
    if past and report_year and int(past.group(1)) < report_year and not any(r == "targets" for *_, r in found):
        return "review"  # 2013年主要工作 in a 2014 report
    if found:
        return min(found)[2]
    year = regex.match(r"[^\d]{0,6}((?:19|20)\d\d)\s*年", title)
    if year and report_year:
        return "review" if int(year.group(1)) < report_year else "tasks"
    return None


@cache
def _tense_patterns() -> tuple[tuple[str, regex.Pattern], ...]:
    return tuple((row["tense"], regex.compile(row["cue"])) for row in read_tsv("tense_cues.tsv"))


def role_by_tense(text: str) -> str:
    """review or tasks for a stretch of report whose heading names neither."""
    counts = {"past": 0, "future": 0}
    for tense, pattern in _tense_patterns():
        counts[tense] += len(pattern.findall(text))
    return "review" if counts["past"] * 2 > counts["future"] else "tasks"


def _title_bounds(text: str, start: int, line_end: int) -> tuple[int, int]:
    """A heading's title: the rest of its line, or its first sentence when the paragraph runs on."""
    line_end = min(line_end, start + _TITLE_WINDOW)  # a title is short; never copy a whole long line
    rest = text[start:line_end]
    end_match = _SENTENCE_END.search(rest)
    if end_match is None and len(rest.strip()) <= _TITLE_MAX:
        end = line_end
    else:
        end = start + (end_match.start() if end_match else min(len(rest), _TITLE_MAX))
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def _candidate_positions(text: str):
    """Line starts (after indentation), and sentence ends inside very long lines."""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = len(line) - len(line.lstrip(" \t"))
        yield pos + stripped, pos + len(line.rstrip("\r\n"))
        if len(line) > _LONG_LINE:
            for m in _INLINE_HEADING_AFTER.finditer(line):
                if m.end() < len(line) - 1:
                    yield pos + m.end(), pos + len(line.rstrip("\r\n"))
        pos += len(line)


def _is_part_heading(line: str) -> bool:
    """An unnumbered heading on its own line that names a part of the report (2018年工作回顾)."""
    line = line.strip()
    return (
        4 <= len(line) <= _PART_TITLE_MAX
        and not _PART_PUNCTUATION.search(line)
        and not line.startswith(("——", "--"))
        and role_of_title(line, None) in ("review", "tasks", "targets", "government")
    )


def find_headings(text: str) -> list[_Heading]:
    headings: list[_Heading] = []
    last_number = {1: 0, 2: 0, 3: 0, 4: 0}
    for start, line_end in _candidate_positions(text):
        line = text[start : min(line_end, start + _PART_TITLE_MAX + 8)]
        if headings and start < headings[-1].title_end:
            continue  # the title line of a heading already found (一 / 2024年工作回顾)
        if line_end - start <= _PART_TITLE_MAX + 8 and _is_part_heading(line):
            headings.append(_Heading(0, 0, start, start, start + len(line.rstrip()), ""))
            last_number.update({1: 0, 2: 0, 3: 0, 4: 0})
            continue
        lone = _LONE_ORDINAL.match(text, start)
        if lone:
            number = chinese_to_int(lone["n"])
            if number == last_number[1] + 1:
                next_line_start = lone.end()
                next_end = text.find("\n", next_line_start)
                next_end = len(text) if next_end < 0 else next_end
                title_start = (
                    next_line_start
                    + len(text[next_line_start:next_end])
                    - len(text[next_line_start:next_end].lstrip(" \t"))
                )
                bounds = _title_bounds(text, title_start, next_end)
                headings.append(_Heading(1, number, start, *bounds, lone["n"]))
                last_number.update({1: number, 2: 0, 3: 0, 4: 0})
            continue
        for depth, pattern in _MARKERS:
            match = pattern.match(text, start)
            if not match:
                continue
            number = chinese_to_int(match["n"])
            if number != last_number[depth] + 1:
                continue
            if depth > 1 and last_number[depth - 1] == 0 and depth != 2:
                continue
            bounds = _title_bounds(text, match.end(), line_end)
            if bounds[1] <= bounds[0]:
                continue
            headings.append(_Heading(depth, number, start, *bounds, match.group().strip()))
            last_number[depth] = number
            for deeper in range(depth + 1, 5):
                last_number[deeper] = 0
            break
    return headings


def _report_start(doc: Document) -> int:
    """Where the report proper begins (its title line, dateline or 各位代表)."""
    match = _REPORT_START.search(doc.text, 0, min(len(doc.text), 20000))
    return match.start() if match else 0


def _content_chars(doc: Document, start: int, end: int) -> int:
    noise = sum(max(0, min(s.end, end) - max(s.start, start)) for s in doc.noise)
    return len(_SPACE.sub("", doc.text[start:end])) - noise


def _next_at_depth(headings: list[_Heading], index: int) -> int:
    depth = headings[index].depth
    for later in headings[index + 1 :]:
        if later.depth <= depth:
            return later.start
    return headings[-1].title_end + 2000


def build_sections(doc: Document, headings: list[_Heading]) -> list[Section]:
    text = doc.text
    year = doc.meta.year
    sections: list[Section] = []
    first_heading = headings[0].start if headings else len(text)
    report_start = _report_start(doc)
    if report_start > first_heading:
        report_start = 0
    body_start = 0
    if report_start and _content_chars(doc, 0, report_start) >= _LEAD_MIN_CHARS:
        sections.append(Section(0, None, 1, None, None, "lead", 0, report_start))
        body_start = report_start
    if first_heading > body_start:
        role = "preamble"
        if _content_chars(doc, body_start, first_heading) > _LONG_PREAMBLE:
            role = role_by_tense(text[body_start:first_heading])  # a review written without headings
        sections.append(Section(len(sections), None, 1, None, None, role, body_start, first_heading))

    closing = None
    for match in _CLOSING.finditer(text, int(len(text) * 0.85)):
        closing = match.start()
    stack: list[Section] = []
    raw: list[tuple[_Heading, Section | None]] = []
    for index, heading in enumerate(headings):
        while stack and stack[-1].depth >= heading.depth:
            stack.pop()
        parent = stack[-1] if stack else None
        title = text[heading.title_start : heading.title_end]
        own = role_of_title(title, year)
        if parent is not None and not (own == "targets" or (own == "government" and parent.role != "review")):
            role = parent.role  # (六)努力做好就业工作 under a review is still review
        elif own is not None:
            role = own
        else:
            earlier = [s.role for s in sections if s.depth <= heading.depth and s.role not in ("lead", "preamble")]
            if earlier and earlier[-1] in ("targets", "tasks"):
                role = "tasks"  # reports do not go back to reviewing once they set out the year's work
            else:
                following = headings[index + 1].start if index + 1 < len(headings) else len(text)
                role = role_by_tense(
                    text[heading.start : following if heading.depth == 1 else _next_at_depth(headings, index)]
                )
        section = Section(
            section_id=len(sections),
            parent_id=parent.section_id if parent else None,
            depth=heading.depth,
            marker=heading.marker or None,
            title=title,
            role=role,
            start=heading.start,
            end=len(text),
        )
        sections.append(section)
        stack.append(section)
        raw.append((heading, parent))
    # Each section ends where the next one at its depth or shallower begins.
    closed: list[Section] = []
    for i, section in enumerate(sections):
        end = len(text)
        for later in sections[i + 1 :]:
            if later.depth <= section.depth:
                end = later.start
                break
        if closing is not None and section.role != "lead" and section.start < closing < end:
            end = closing
        closed.append(
            Section(
                section.section_id,
                section.parent_id,
                section.depth,
                section.marker,
                section.title,
                section.role,
                section.start,
                end,
            )
        )
    if closing is not None and closing >= (headings[-1].title_end if headings else 0):
        closed.append(Section(len(closed), None, 1, None, None, "closing", closing, len(text)))
    return closed


def _noise_kind(doc: Document, start: int, end: int) -> str | None:
    best, best_overlap = None, 0
    for span in doc.noise:
        if span.start >= end:
            break
        overlap = min(span.end, end) - max(span.start, start)
        if overlap > best_overlap:
            best, best_overlap = span.kind, overlap
    length = len(doc.text[start:end].strip())
    return best if best and best_overlap * 2 >= length else None


def split_sentences(doc: Document) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of every sentence; ends after 。！？；!?; or a line break, and at the
    edges of noise so a caption never swallows report text."""
    text = doc.text
    breaks = {m.end() for m in _SENTENCE_END.finditer(text)}
    for span in doc.noise:
        breaks.add(span.start)
        breaks.add(span.end)
    breaks.add(len(text))
    result = []
    start = 0
    paragraph = 0
    for end in sorted(breaks):
        if end <= start:
            continue
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            result.append((start + lead, start + lead + len(stripped), paragraph))
        if "\n" in piece:
            paragraph += 1 if stripped or result else 0
        start = end
    return result


def _bigrams(s: str) -> set[str]:
    s = _SPACE_OR_PUNCT.sub("", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def link_duplicates(sentences: list[Sentence], sections: list[Section]) -> list[Sentence]:
    """Lead sentences that restate the body, and verbatim repeats, point at the body sentence."""
    lead_ids = {s.section_id for s in sections if s.role == "lead"}
    first_seen: dict[str, int] = {}
    body = [s for s in sentences if s.section_id not in lead_ids and s.noise is None] if lead_ids else []
    body_grams = [(s, _bigrams(s.text[:_GRAM_CHARS])) for s in body]
    result = []
    for sentence in sentences:
        duplicate_of = None
        if sentence.noise is None and sentence.section_id in lead_ids:
            grams = _bigrams(sentence.text)
            if len(grams) >= 6:
                best, best_share = None, 0.0
                for other, other_grams in body_grams:
                    share = len(grams & other_grams) / len(grams)
                    if share > best_share:
                        best, best_share = other, share
                if best is not None and best_share >= 0.6:
                    duplicate_of = best.sentence_id
        elif sentence.noise is None and len(sentence.text) >= 12:
            duplicate_of = first_seen.get(sentence.text)
            first_seen.setdefault(sentence.text, sentence.sentence_id)
        result.append(_replace_duplicate(sentence, duplicate_of))
    return result


def _replace_duplicate(sentence: Sentence, duplicate_of: int | None) -> Sentence:
    if duplicate_of is None or duplicate_of == sentence.sentence_id:
        return sentence
    return Sentence(
        sentence.sentence_id,
        sentence.section_id,
        sentence.paragraph,
        sentence.start,
        sentence.end,
        sentence.text,
        sentence.role,
        sentence.noise,
        duplicate_of,
    )


def structure(doc: Document) -> StructuredDocument:
    headings = find_headings(doc.text)
    sections = build_sections(doc, headings)
    ordered = sorted(sections, key=lambda s: (s.start, s.depth))
    sentences: list[Sentence] = []
    cursor = 0
    active: list[Section] = []
    for start, end, paragraph in split_sentences(doc):
        while cursor < len(ordered) and ordered[cursor].start <= start:
            active.append(ordered[cursor])
            cursor += 1
        active = [s for s in active if s.end > start]
        section = max(active, key=lambda s: (s.depth, s.start)) if active else None
        sentences.append(
            Sentence(
                sentence_id=len(sentences),
                section_id=section.section_id if section else None,
                paragraph=paragraph,
                start=start,
                end=end,
                text=doc.text[start:end],
                role=section.role if section else "other",
                noise=_noise_kind(doc, start, end),
            )
        )
    return StructuredDocument(doc, tuple(sections), tuple(link_duplicates(sentences, sections)))
