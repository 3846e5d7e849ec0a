"""`zhpolicy show REPORT --html FILE`: one report as a self-contained HTML page.

The report's text with every row of targets, projects, entities and sector_tags highlighted where
it is, a side table of the targets, and a sector profile per section. Report text is untrusted: it
is escaped everywhere, and the page loads nothing (no scripts, no external CSS, fonts or images).

Highlights may overlap in any way (a target inside a project name inside a sentence with three
sector tags). HTML elements must nest, so a highlight that crosses another is drawn as several
<mark> fragments; every fragment carries the row's `data-table` and `data-row`, the first also the
row's `id` (the side table links to it), so the fragments of a row together hold exactly
documents.text[start:end].
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import regex

from pipeline.errors import ShowError
from pipeline.lexicon import read_tsv
from pipeline.schema import DEFAULT_METHOD

HIGHLIGHTED = ("sector_tags", "targets", "projects", "entities")  # outermost first when spans coincide
_DOC_ID = regex.compile(r"[0-9a-f]{16}")
MAX_LANE = 5  # sector tags beyond the sixth of a sentence share the last underline depth
PROFILE_BARS = 8  # sectors drawn per section (the most frequent); the rest are counted in one line


@dataclass(frozen=True, slots=True)
class Highlight:
    row_id: str  # "targets-3": unique in the page, the anchor of the row's first fragment
    table: str
    start: int
    end: int
    label: str  # shown after the highlight (indicator, category, kind); "" for none
    title: str  # the row's fields, shown on hover
    sector: str | None = None
    lane: int = 0  # sector tags of one sentence are drawn at different depths


@dataclass(frozen=True, slots=True)
class ReportView:
    document: dict[str, Any]
    sections: tuple[dict[str, Any], ...]
    sentences: tuple[dict[str, Any], ...]
    rows: dict[str, tuple[dict[str, Any], ...]]


# ----------------------------------------------------------------------------- finding the report


def find_document(con: duckdb.DuckDBPyConnection, report: str) -> str:
    """The doc_id REPORT names: a doc_id, a `source` as recorded, a report file (by its sha256 or its
    path), or the end of one source path (fujian-2024.md)."""
    if _DOC_ID.fullmatch(report) and _ids(con, "doc_id = $v", report):
        return report
    if found := _ids(con, "source = $v", report):
        return _one(found, report)
    path = Path(report)
    if path.is_file():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if found := _ids(con, "sha256 = $v", digest):
            return _one(found, report)
        resolved = str(path.resolve())
        sources = con.execute("SELECT doc_id, source FROM documents").fetchall()
        if found := [doc_id for doc_id, source in sources if str(Path(source).resolve()) == resolved]:
            return _one(found, report)
    suffix = "/" + report.replace("\\", "/").lstrip("/")
    sources = con.execute("SELECT doc_id, source FROM documents").fetchall()
    found = [doc_id for doc_id, source in sources if ("/" + source.replace("\\", "/")).endswith(suffix)]
    if not found:
        raise ShowError(f"{report!r} is not a doc_id, source or report file in these outputs; run it first")
    return _one(found, report)


def _ids(con: duckdb.DuckDBPyConnection, condition: str, value: str) -> list[str]:
    return [row[0] for row in con.execute(f"SELECT doc_id FROM documents WHERE {condition}", {"v": value}).fetchall()]


def _one(doc_ids: Sequence[str], report: str) -> str:
    unique = sorted(set(doc_ids))
    if len(unique) > 1:
        raise ShowError(f"{report!r} names {len(unique)} documents ({', '.join(unique)}); give a doc_id")
    return unique[0]


def load_report(con: duckdb.DuckDBPyConnection, doc_id: str) -> ReportView:
    def rows(sql: str) -> tuple[dict[str, Any], ...]:
        result = con.execute(sql, {"doc_id": doc_id})
        names = [d[0] for d in result.description]
        return tuple(dict(zip(names, values, strict=True)) for values in result.fetchall())

    (document,) = rows(
        "SELECT * EXCLUDE (text_original, align_text, align_original) FROM documents WHERE doc_id = $doc_id"
    )
    return ReportView(
        document=document,
        sections=rows("SELECT * FROM sections WHERE doc_id = $doc_id ORDER BY start, section_id"),
        sentences=rows("SELECT * FROM sentences WHERE doc_id = $doc_id ORDER BY start, sentence_id"),
        rows={
            table: rows(
                f'SELECT * FROM {table} WHERE doc_id = $doc_id{_default_method_only(table)} ORDER BY start, "end"'
            )
            for table in HIGHLIGHTED
        },
    )


# ----------------------------------------------------------------------------- highlights


def _fields(row: dict[str, Any], names: Iterable[str]) -> str:
    return "; ".join(f"{n}: {row[n]}" for n in names if row.get(n) is not None)


def highlights(view: ReportView) -> list[Highlight]:
    """One Highlight per row of the highlighted tables."""
    found = []
    for i, row in enumerate(view.rows["targets"]):
        label = row["indicator_id"] or row["indicator"] or ""
        fields = ("indicator", "indicator_id", "measure", "value", "value_high", "unit", "qualifier", "status")
        found.append(
            Highlight(f"targets-{i}", "targets", row["start"], row["end"], label, _fields(row, (*fields, "period")))
        )
    for i, row in enumerate(view.rows["projects"]):
        title = _fields(row, ("name", "category", "stage", "status", "period"))
        found.append(Highlight(f"projects-{i}", "projects", row["start"], row["end"], row["category"] or "", title))
    for i, row in enumerate(view.rows["entities"]):
        title = _fields(row, ("name", "kind"))
        found.append(Highlight(f"entities-{i}", "entities", row["start"], row["end"], row["kind"] or "", title))
    lanes: Counter = Counter()
    for i, row in enumerate(view.rows["sector_tags"]):
        lane = lanes[(row["start"], row["end"])]
        lanes[(row["start"], row["end"])] += 1
        title = f"sector: {row['sector']} ({sector_names().get(row['sector'], '')}); score: {row['score']:.2f}"
        found.append(
            Highlight(f"sector_tags-{i}", "sector_tags", row["start"], row["end"], "", title, row["sector"], lane)
        )
    return found


def _open_order(h: Highlight) -> tuple:
    """Among highlights starting at one position: the longer outside, then in HIGHLIGHTED order."""
    return (-h.end, HIGHLIGHTED.index(h.table), h.lane, h.row_id)


def _open_tag(h: Highlight, first: bool) -> str:
    attributes = [
        ("class", f"hl t-{h.table} lane-{min(h.lane, MAX_LANE)}"),
        ("data-table", h.table),
        ("data-row", h.row_id),
        ("title", h.title),
    ]
    if first:
        attributes.insert(0, ("id", h.row_id))
    else:
        attributes.append(("data-part", "continued"))
    if h.sector:
        attributes.append(("data-sector", h.sector))
        attributes.append(("style", f"--sector: {sector_color(h.sector)}"))
    return "<mark " + " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attributes) + ">"


def _label(h: Highlight) -> str:
    # An empty element whose label is drawn by CSS, so it adds nothing to the text a reader copies.
    return f'<i class="lbl" data-label="{html.escape(h.label, quote=True)}"></i>' if h.label else ""


def render_text(text: str, spans: Sequence[Highlight], anchors: Sequence[tuple[int, str]] = ()) -> str:
    """`text` escaped, with every highlight as nested <mark> elements (split where two cross) and an
    empty <a id> at each anchor position."""
    starts: dict[int, list[Highlight]] = defaultdict(list)
    ends: dict[int, list[Highlight]] = defaultdict(list)
    for h in spans:
        if not 0 <= h.start <= h.end <= len(text):
            raise ShowError(f"{h.row_id} has offsets {h.start}–{h.end} outside the text ({len(text)} chars)")
        starts[h.start].append(h)
        ends[h.end].append(h)
    anchors_at: dict[int, list[str]] = defaultdict(list)
    for position, anchor in anchors:
        anchors_at[position].append(anchor)
    out: list[str] = []
    stack: list[Highlight] = []
    opened: set[str] = set()
    cursor = 0
    for position in sorted({0, len(text), *starts, *ends, *anchors_at}):
        out.append(html.escape(text[cursor:position], quote=False))
        cursor = position
        closing = {h.row_id for h in ends[position] if h.start < h.end}
        if closing:
            # Close down to the deepest highlight that ends here; reopen the ones that go on.
            depth = min(i for i, h in enumerate(stack) if h.row_id in closing)
            reopen = [h for h in stack[depth:] if h.row_id not in closing]
            for h in reversed(stack[depth:]):
                out.append("</mark>")
                if h.row_id in closing:
                    out.append(_label(h))
            del stack[depth:]
            for h in reopen:
                out.append(_open_tag(h, first=False))
                stack.append(h)
        out.extend(f'<a id="{html.escape(anchor, quote=True)}" class="anchor"></a>' for anchor in anchors_at[position])
        for h in sorted(starts[position], key=_open_order):
            if h.start == h.end:
                out.append(_open_tag(h, first=True) + "</mark>" + _label(h))
                continue
            out.append(_open_tag(h, first=h.row_id not in opened))
            opened.add(h.row_id)
            stack.append(h)
    out.append(html.escape(text[cursor:], quote=False))
    return "".join(out)


# ----------------------------------------------------------------------------- sectors


def _default_method_only(table: str) -> str:
    """Where a table holds several methods' rows, the page shows the default one's."""
    method = DEFAULT_METHOD.get(table)
    return f" AND method = '{method}'" if method else ""


def sector_names() -> dict[str, str]:
    return {row["id"]: row["name_zh"] for row in read_tsv("sectors.tsv")}


def sector_color(sector: str) -> str:
    """A hue per sector, spread evenly in lexicon order (unknown sectors grey)."""
    order = list(sector_names())
    if sector not in order:
        return "hsl(0, 0%, 55%)"
    return f"hsl({round(360 * order.index(sector) / len(order))}, 65%, 45%)"


@dataclass(frozen=True, slots=True)
class SectionProfile:
    section_id: int | None  # None: the text before the first heading
    title: str
    sentences: int  # content sentences (not web noise, not a repeat)
    tagged: tuple[tuple[str, int], ...]  # sector, sentences tagged with it (most first)


def section_profiles(view: ReportView) -> list[SectionProfile]:
    """Per top-level section, how many of its sentences each sector tags."""
    parent = {s["section_id"]: s["parent_id"] for s in view.sections}

    def top(section_id: int | None) -> int | None:
        while section_id is not None and parent.get(section_id) is not None:
            section_id = parent[section_id]
        return section_id

    content = {
        s["sentence_id"]: top(s["section_id"])
        for s in view.sentences
        if s["noise"] is None and s["duplicate_of"] is None
    }
    sentences = Counter(content.values())
    tagged: dict[int | None, Counter] = defaultdict(Counter)
    for row in view.rows["sector_tags"]:
        if row["sentence_id"] in content:
            tagged[content[row["sentence_id"]]][row["sector"]] += 1
    titles = {s["section_id"]: " ".join(p for p in (s["marker"], s["title"]) if p) for s in view.sections}
    roles = {s["section_id"]: s["role"] for s in view.sections}
    order = [None, *(s["section_id"] for s in view.sections if s["parent_id"] is None)]
    return [
        SectionProfile(
            section_id,
            titles.get(section_id)
            or (f"({roles[section_id]})" if section_id is not None else "(before the first heading)"),
            sentences[section_id],
            tuple(sorted(tagged[section_id].items(), key=lambda item: (-item[1], item[0]))),
        )
        for section_id in order
        if sentences[section_id]
    ]


def render_profiles(profiles: Sequence[SectionProfile]) -> str:
    """Bars per section: the share of its sentences each sector tags."""
    names = sector_names()
    blocks = []
    for profile in profiles:
        bars = []
        for sector, count in profile.tagged[:PROFILE_BARS]:
            share = count / profile.sentences
            label = f"{names.get(sector, sector)} {count}/{profile.sentences}"
            bars.append(
                f'<div class="bar-row" data-sector="{html.escape(sector)}">'
                f'<span class="bar-label">{html.escape(label)}</span>'
                f'<span class="bar" style="width: {share * 100:.1f}%; background: {sector_color(sector)}"></span>'
                "</div>"
            )
        if len(profile.tagged) > PROFILE_BARS:
            bars.append(f'<p class="more">… {len(profile.tagged) - PROFILE_BARS} more sectors</p>')
        anchor = f' href="#section-{profile.section_id}"' if profile.section_id is not None else ""
        blocks.append(
            f'<div class="profile"><h3><a{anchor}>{html.escape(profile.title)}</a>'
            f" <small>{profile.sentences} sentences</small></h3>{''.join(bars) or '<p>no sector tags</p>'}</div>"
        )
    return "".join(blocks)


# ----------------------------------------------------------------------------- the page


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return html.escape(str(value))


def render_targets_table(view: ReportView) -> str:
    columns = ("indicator", "indicator_id", "measure", "value", "value_high", "unit", "qualifier", "status", "period")
    head = "".join(f"<th>{c}</th>" for c in ("text", *columns))
    body = []
    for i, row in enumerate(view.rows["targets"]):
        link = f'<a href="#targets-{i}">{html.escape(row["text"])}</a>'
        body.append(
            f'<tr data-row="targets-{i}"><td>{link}</td>'
            + "".join(f"<td>{_cell(row[c])}</td>" for c in columns)
            + "</tr>"
        )
    return f'<table class="targets"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _section_anchors(view: ReportView) -> list[tuple[int, str]]:
    """Where top-level sections start (the sector profile links to them)."""
    return [(s["start"], f"section-{s['section_id']}") for s in view.sections if s["parent_id"] is None]


STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 0; color: #222; background: #fafafa; }
header { padding: 12px 20px; background: #fff; border-bottom: 1px solid #ddd; }
header h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 2px 0; font-size: 13px; color: #555; }
.legend span { display: inline-block; margin-right: 12px; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(320px, 2fr); gap: 16px; padding: 16px 20px; }
.text { white-space: pre-wrap; line-height: 2.4; font-size: 15px; background: #fff; padding: 16px;
        border: 1px solid #ddd; }
aside { position: sticky; top: 0; max-height: 100vh; overflow: auto; font-size: 12px; }
aside h2 { font-size: 15px; margin: 8px 0; }
mark.hl { color: inherit; border-radius: 2px; }
mark.t-targets { background: #ffe08a; }
mark.t-projects { background: #bde0fe; }
mark.t-entities { background: #c7f0c2; }
mark.t-sector_tags { background: none; border-bottom: 2px solid var(--sector); }
mark.lane-0 { padding-bottom: 1px; } mark.lane-1 { padding-bottom: 4px; } mark.lane-2 { padding-bottom: 7px; }
mark.lane-3 { padding-bottom: 10px; } mark.lane-4 { padding-bottom: 13px; } mark.lane-5 { padding-bottom: 16px; }
mark.hl:target { outline: 2px solid #d33; }
i.lbl::after { content: attr(data-label); font-style: normal; font-size: 10px; color: #555; vertical-align: super;
               margin: 0 2px; }
table.targets { border-collapse: collapse; width: 100%; background: #fff; }
table.targets th, table.targets td { border: 1px solid #ddd; padding: 2px 4px; text-align: left; }
.profile { background: #fff; border: 1px solid #ddd; padding: 6px 8px; margin-bottom: 8px; }
.profile h3 { font-size: 13px; margin: 0 0 4px; }
.bar-row { display: flex; align-items: center; gap: 6px; }
.bar-label { flex: 0 0 150px; }
.bar { display: inline-block; height: 10px; min-width: 1px; }
"""


def render_page(view: ReportView) -> str:
    """The whole page as one string: no scripts, nothing loaded from anywhere."""
    d = view.document
    counts = {table: len(rows) for table, rows in view.rows.items()}
    title = d["title"] or " ".join(str(x) for x in (d["region"], d["year"], "政府工作报告") if x)
    facts = (
        f"doc_id {d['doc_id']} · source {d['source']} · level {d['level']} · year {d['year']} · "
        f"delivered {d['delivered_on'] or '?'} · speaker {d['speaker'] or '?'}"
    )
    legend = (
        '<p class="legend">'
        + "".join(
            f'<span><mark class="hl t-{t}" style="--sector: #888">{t}</mark> {counts[t]}</span>' for t in HIGHLIGHTED
        )
        + "</p>"
    )
    text = render_text(d["text"], highlights(view), _section_anchors(view))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(facts)}</p>{legend}</header>"
        '<div class="layout">'
        f'<main class="text" data-doc-id="{html.escape(d["doc_id"])}">{text}</main>'
        "<aside>"
        f"<h2>Sector profile by section</h2>{render_profiles(section_profiles(view))}"
        f"<h2>Targets ({counts['targets']})</h2>{render_targets_table(view)}"
        "</aside></div></body></html>\n"
    )


def show(con: duckdb.DuckDBPyConnection, report: str, html_path: Path) -> tuple[str, int]:
    """Write the page for REPORT; returns its doc_id and the number of highlighted rows."""
    view = load_report(con, find_document(con, report))
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_page(view), encoding="utf-8")
    return view.document["doc_id"], sum(len(rows) for rows in view.rows.values())
