"""Stage 1, ingest: bytes -> Document.

Reads: the file's bytes and name. Writes: `Document` with `text` (simplified, half-width, markup
removed), `text_original` (the decoded file), an offset map between them, and noise spans.

Markup removal is the only step that changes lengths; it is expressed as pieces of the original
(kept, substituted, or replaced by something of another length), so every character of `text`
knows where it came from. Traditional -> simplified and full-width -> half-width are kept strictly
one character for one, so they need no map of their own.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import PurePath

import regex

from pipeline.errors import BinaryInputError, EmptyInputError, EncodingError
from pipeline.lexicon import read_tsv
from pipeline.records import Document, Span

_BINARY_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx)"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "OLE2 document (doc/xls)"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"Rar!", "RAR archive"),
)
_SAMPLE = 200_000  # characters scored when guessing an encoding


# --------------------------------------------------------------------------- decoding


def _gb2312_level1(ch: str) -> bool:
    """True for the 3,755 most common simplified characters (GB 2312 level 1)."""
    try:
        first = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= first <= 0xD7


def _chinese_score(text: str) -> float:
    """Share of non-ASCII letters that are common Chinese characters once simplified.

    Text decoded with the wrong codec is full of rare characters; the right codec gives mostly
    common ones, whether the report is written in simplified or traditional characters."""
    sample = to_simplified(text[:_SAMPLE])
    letters = [c for c in sample if ord(c) > 0x7F and c.isalpha()]
    if not letters:
        return 0.0
    return sum(map(_gb2312_level1, letters)) / len(letters)


def _best_utf16(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark: the byte order that reads as Chinese (or as ASCII)."""
    best = None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(name)
        except UnicodeDecodeError:
            continue
        sample = text[:_SAMPLE]
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample) / max(len(sample), 1)
        score = _chinese_score(text) if not sample.isascii() else printable
        if printable > 0.95 and score > 0.5 and (best is None or score > best[0]):
            best = (score, text, name)
    return (best[1], best[2]) if best else None


def _decode_utf8_tolerating_truncation(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        # A file cut mid-character loses at most its last incomplete character.
        if error.start >= len(raw) - 3 and error.reason == "unexpected end of data":
            return raw[: error.start].decode("utf-8")
        return None


def decode(raw: bytes) -> tuple[str, str]:
    """Decode a report's bytes; returns (text, encoding name). Raises on binary or empty input."""
    if not raw.strip():
        raise EmptyInputError("file is empty or only whitespace; a report has text")
    for magic, what in _BINARY_MAGIC:
        if raw.startswith(magic):
            raise BinaryInputError(f"binary file ({what}), not a text report")
    for bom, name in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(name.replace("-sig", "")), name
            except UnicodeDecodeError as error:
                raise EncodingError(f"starts with a {name} byte-order mark but does not decode: {error}") from None
    if b"\x00" in raw[:8000]:
        # NUL bytes: UTF-16 without a byte-order mark, or binary data.
        decoded_utf16 = _best_utf16(raw)
        if decoded_utf16 is None:
            raise BinaryInputError("binary data (NUL bytes) that is not UTF-16 text")
        return decoded_utf16
    text = _decode_utf8_tolerating_truncation(raw)
    if text is not None:
        return text, "utf-8"
    candidates = []
    for name in ("gb18030", "big5", "utf-16-le", "utf-16-be"):
        try:
            decoded = raw.decode(name)
        except UnicodeDecodeError:
            continue
        candidates.append((_chinese_score(decoded), name, decoded))
    if not candidates:
        raise EncodingError("not valid UTF-8, UTF-16, GB18030 or Big5")
    score, name, decoded = max(candidates)
    if score < 0.5:
        raise EncodingError(f"decodes as {name} but reads as noise (common-character share {score:.2f})")
    return decoded, name


# --------------------------------------------------------------------------- markup


@dataclass(frozen=True, slots=True)
class _Piece:
    """text_original[start:end] becomes `out`; equal lengths map one to one."""

    start: int
    end: int
    out: str


def _assemble(original: str, edits: list[_Piece]) -> tuple[str, list[int], list[int]]:
    """Apply sorted, non-overlapping edits; return (text, align_text, align_original)."""
    parts: list[str] = []
    align_text: list[int] = []
    align_original: list[int] = []
    out_pos = 0
    cursor = 0

    def keep(start: int, end: int) -> None:
        nonlocal out_pos
        if end > start:
            parts.append(original[start:end])
            align_text.append(out_pos)
            align_original.append(start)
            out_pos += end - start

    for piece in edits:
        keep(cursor, piece.start)
        if piece.out:
            if len(piece.out) == piece.end - piece.start:
                align_text.append(out_pos)
                align_original.append(piece.start)
            else:
                # Every inserted character points at the start of what it replaced.
                for k in range(len(piece.out)):
                    align_text.append(out_pos + k)
                    align_original.append(piece.start)
            parts.append(piece.out)
            out_pos += len(piece.out)
        cursor = piece.end
    keep(cursor, len(original))
    if not align_text:
        align_text, align_original = [0], [0]
    return "".join(parts), align_text, align_original


_COMMENT = regex.compile(r"<!--(.*?)-->", regex.S)
_NBSP_MARKER = regex.compile(r"<U\+00A0>")
_FRONT_MATTER = regex.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", regex.S)
_MD_LINE_PREFIX = regex.compile(r"(?m)^(?:[ \t]*#{1,6}[ \t]*|[ \t]*>[ \t]?|[ \t]*[-*+][ \t]+(?=\S))")
_MD_BOLD = regex.compile(r"\*\*|__")
_MD_FOOTNOTE = regex.compile(r"\[\^[^\]\n]{1,10}\]:?")
_MD_TABLE_RULE = regex.compile(r"(?m)^[ \t]*\|[ \t:|-]*-[ \t:|-]*\|?[ \t]*$")
_MD_TABLE_PIPE = regex.compile(r"(?m)(?<=^[ \t]*\|.*)\|")


def _front_matter(text: str) -> tuple[list[_Piece], tuple[tuple[str, str], ...]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return [], ()
    fields = []
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields.append((key.strip(), value.strip().strip("'\"")))
    return [_Piece(0, match.end(), "")], tuple(fields)


def _comment_edits(text: str, base: int = 0) -> tuple[list[_Piece], list[tuple[int, int]]]:
    """Drop `<!--`/`-->` but keep what a comment says (often a caption), to be marked as noise."""
    edits, kept = [], []
    for match in _COMMENT.finditer(text):
        edits.append(_Piece(base + match.start(), base + match.start(1), ""))
        edits.append(_Piece(base + match.end(1), base + match.end(), ""))
        kept.append((base + match.start(1), base + match.end(1)))
    return edits, kept


def _markdown_edits(text: str, skip_until: int) -> list[_Piece]:
    body = text[skip_until:]
    edits = [_Piece(skip_until + m.start(), skip_until + m.end(), "") for m in _MD_TABLE_RULE.finditer(body)]
    ruled = {(p.start, p.end) for p in edits}
    for pattern, replacement in (
        (_MD_LINE_PREFIX, ""),
        (_MD_BOLD, ""),
        (_MD_FOOTNOTE, ""),
        (_MD_TABLE_PIPE, " "),
    ):
        for m in pattern.finditer(body):
            edits.append(_Piece(skip_until + m.start(), skip_until + m.end(), replacement))
    table_lines = regex.finditer(r"(?m)^[ \t]*\|", body)
    edits.extend(_Piece(skip_until + m.end() - 1, skip_until + m.end(), " ") for m in table_lines)
    return [p for p in edits if (p.start, p.end) not in ruled or p.out == ""]


def _non_overlapping(edits: list[_Piece]) -> list[_Piece]:
    result: list[_Piece] = []
    end = -1
    for piece in sorted(edits, key=lambda p: (p.start, -p.end)):
        if piece.start >= end:
            result.append(piece)
            end = max(end, piece.end)
    return result


# HTML structure, not vocabulary: which elements break lines and which hold no report text.
_BLOCK_TAGS = frozenset(
    (
        "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form "
        "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul"
    ).split()
)
_SKIP_TAGS = frozenset("script style noscript template head svg iframe object embed canvas select".split())
_WHITESPACE_RUN = regex.compile(r"[ \t\r\n\f\v\u00a0]+")


class _HtmlText(HTMLParser):
    """Collects text pieces with their offsets; never fetches anything a page refers to."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0]
        for match in regex.finditer("\n", source):
            self.line_starts.append(match.end())
        self.pieces: list[_Piece] = []  # only what is kept; the gaps are dropped
        self.skip_depth = 0
        self.title = ""
        self.in_title = False

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        if tag == "title":
            self.in_title = True
        if tag in _BLOCK_TAGS:
            self.pieces.append(_Piece(self._offset(), self._offset(), "\n"))

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.pieces.append(_Piece(self._offset(), self._offset(), "\n"))

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self.skip_depth:
            self.skip_depth -= 1
        if tag == "title":
            self.in_title = False
        if tag in _BLOCK_TAGS:
            self.pieces.append(_Piece(self._offset(), self._offset(), "\n"))

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.skip_depth:
            return
        start = self._offset()
        for match in regex.finditer(r"[^ \t\r\n\f\v\u00a0]+|[ \t\r\n\f\v\u00a0]+", data):
            chunk = match.group()
            out = chunk if not _WHITESPACE_RUN.fullmatch(chunk) else " "
            self.pieces.append(_Piece(start + match.start(), start + match.end(), out))

    def _reference(self, written: str, length: int):
        if self.in_title:
            self.title += written
        if not self.skip_depth:
            start = self._offset()
            self.pieces.append(_Piece(start, start + length, written))

    def handle_entityref(self, name):
        self._reference(html.unescape(f"&{name};"), len(name) + 2)

    def handle_charref(self, name):
        self._reference(html.unescape(f"&#{name};"), len(name) + 3)


def _html_to_text(source: str) -> tuple[str, list[int], list[int], str]:
    parser = _HtmlText(source)
    parser.feed(source)
    parser.close()
    parts: list[str] = []
    align_text: list[int] = []
    align_original: list[int] = []
    pos = 0
    for piece in parser.pieces:
        if piece.out == "\n" and parts and parts[-1].endswith("\n"):
            continue
        if len(piece.out) == piece.end - piece.start:
            align_text.append(pos)
            align_original.append(piece.start)
        else:
            for k in range(len(piece.out)):
                align_text.append(pos + k)
                align_original.append(piece.start)
        parts.append(piece.out)
        pos += len(piece.out)
    if not align_text:
        align_text, align_original = [0], [0]
    return "".join(parts), align_text, align_original, " ".join(parser.title.split())


def detect_format(source: str, text: str) -> str:
    suffix = PurePath(source).suffix.lower()
    if suffix in {".html", ".htm", ".xhtml", ".shtml"}:
        return "html"
    head = text[:2000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text[:20000]):
        return "html"
    if suffix in {".md", ".markdown"} or text.startswith("---\n"):
        return "markdown"
    return "text"


# --------------------------------------------------------------------------- characters


@cache
def _opencc_t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified_line(line: str) -> str:
    converted = _opencc_t2s().convert(line)
    if len(converted) == len(line):
        return converted
    # A phrase rule changed the length: fall back to character by character, keeping 1:1.
    out = []
    for ch in line:
        single = _opencc_t2s().convert(ch)
        out.append(single if len(single) == 1 else ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    """OpenCC t2s, guaranteed to keep the length (and so every offset)."""
    converted = _opencc_t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_to_simplified_line(line) for line in text.splitlines(keepends=True))


_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0xFEFF: 0x20, 0x200B: 0x20})


def to_half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def detect_script(original: str, simplified: str) -> str:
    han = sum(1 for c in original[:_SAMPLE] if "\u4e00" <= c <= "\u9fff")
    if not han:
        return "simplified"
    changed = sum(
        1
        for a, b in zip(original[:_SAMPLE], simplified[:_SAMPLE], strict=False)
        if a != b and "\u4e00" <= a <= "\u9fff"
    )
    share = changed / han
    if share > 0.04:
        return "traditional"
    if share > 0.008:
        return "mixed"
    return "simplified"


# --------------------------------------------------------------------------- noise


@cache
def _noise_patterns() -> tuple[tuple[str, regex.Pattern], ...]:
    return tuple(
        (row["kind"], regex.compile(row["pattern"], regex.M | regex.V1)) for row in read_tsv("noise_patterns.tsv")
    )


def find_noise(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), kind) for kind, pattern in _noise_patterns() for m in pattern.finditer(text)]
    return sorted(spans, key=lambda s: (s.start, -s.end))


def _map_span(align_text: list[int], align_original: list[int], start: int, end: int) -> tuple[int, int] | None:
    """Original span -> text span, for spans of kept (one-to-one) characters."""
    from bisect import bisect_right

    k = bisect_right(align_original, start) - 1
    if k < 0:
        return None
    new_start = align_text[k] + start - align_original[k]
    return new_start, new_start + (end - start)


# --------------------------------------------------------------------------- the stage


def ingest(raw: bytes, source: str) -> Document:
    """Bytes of one report -> normalized Document (metadata is filled by pipeline.metadata)."""
    original, encoding = decode(raw)
    fmt = detect_format(source, original)
    front: tuple[tuple[str, str], ...] = ()
    comment_spans: list[tuple[int, int]] = []
    if fmt == "html":
        markup_free, align_text, align_original, page_title = _html_to_text(original)
        if page_title:
            front = (("title", page_title),)
    else:
        edits, front = _front_matter(original)
        body_start = edits[0].end if edits else 0
        comment_edits, comment_spans = _comment_edits(original[body_start:], body_start)
        edits += comment_edits
        edits += [_Piece(m.start(), m.end(), " ") for m in _NBSP_MARKER.finditer(original)]
        if fmt == "markdown":
            edits += _markdown_edits(original, body_start)
        markup_free, align_text, align_original = _assemble(original, _non_overlapping(edits))
    simplified = to_simplified(markup_free)
    text = to_half_width(simplified)
    if not text.strip():
        raise EmptyInputError("no text left once markup is removed")
    noise = find_noise(text)
    for start, end in comment_spans:
        mapped = _map_span(align_text, align_original, start, end)
        if mapped:
            noise.append(Span(mapped[0], mapped[1], "comment"))
    return Document(
        doc_id=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        source=source,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
        format=fmt,
        script=detect_script(markup_free, simplified),
        text=text,
        text_original=original,
        align_text=tuple(align_text),
        align_original=tuple(align_original),
        noise=tuple(sorted(noise, key=lambda s: (s.start, -s.end))),
        front_matter=front,
    )
