"""The one place where every table's Arrow schema and every enumerated vocabulary is declared.

Writers validate against these schemas; readers (DuckDB, pandas, Spark) can rely on them.
Every table carries `year` so it can be hive-partitioned by it (DESIGN.md, stage 5).
"""

from __future__ import annotations

from typing import Literal, get_args

import pyarrow as pa

PIPELINE_VERSION = "0.1.0"

Level = Literal["national", "province", "city", "county"]
Script = Literal["simplified", "traditional", "mixed"]
Role = Literal["lead", "preamble", "review", "targets", "tasks", "government", "closing", "other"]
Noise = Literal["byline", "caption", "editor", "footer", "toolbar", "comment"]
# merged: a row both a rule and a model found (projects, entities: extractors/merge.py)
Method = Literal["rule", "model", "merged"]
Stage = Literal["discover", "read", "ingest", "structure", "segment", "extract", "write"]
Measure = Literal["growth", "level", "pp_change", "rank", "rank_change", "multiple", "qualitative"]
Direction = Literal["up", "down"]
Qualifier = Literal["approx", "at_least", "more_than", "at_most", "range", "none"]
Modality = Literal["ensure", "strive", "expect"]
Status = Literal["target", "actual"]

LEVELS: tuple[str, ...] = get_args(Level)
ROLES: tuple[str, ...] = get_args(Role)
NOISE_KINDS: tuple[str, ...] = get_args(Noise)
METHODS: tuple[str, ...] = get_args(Method)
STAGES: tuple[str, ...] = get_args(Stage)
MEASURES: tuple[str, ...] = get_args(Measure)
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)
MODALITIES: tuple[str, ...] = get_args(Modality)
STATUSES: tuple[str, ...] = get_args(Status)

_str = pa.string()
_i32 = pa.int32()
_i64 = pa.int64()
_f64 = pa.float64()

# Columns every extraction row carries (DESIGN.md, "Tables").
_PROVENANCE = [
    pa.field("doc_id", _str, nullable=False),
    pa.field("year", _i32),
    pa.field("sentence_id", _i32),
    pa.field("start", _i32, nullable=False),
    pa.field("end", _i32, nullable=False),
    pa.field("text", _str, nullable=False),
    pa.field("extractor", _str, nullable=False),
    pa.field("method", _str, nullable=False),
    pa.field("confidence", _f64, nullable=False),
]

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [
            pa.field("doc_id", _str, nullable=False),
            pa.field("year", _i32),
            pa.field("source", _str, nullable=False),
            pa.field("sha256", _str, nullable=False),
            pa.field("encoding", _str, nullable=False),
            pa.field("format", _str, nullable=False),
            pa.field("script", _str, nullable=False),
            pa.field("title", _str),
            pa.field("region", _str),
            pa.field("region_code", _str),
            pa.field("level", _str),
            pa.field("province", _str),
            pa.field("meeting", _str),
            pa.field("delivered_on", pa.date32()),
            pa.field("speaker", _str),
            pa.field("speaker_title", _str),
            pa.field("n_chars", _i32, nullable=False),
            pa.field("text", _str, nullable=False),
            pa.field("text_original", _str, nullable=False),
            # Offset map text -> text_original as breakpoints: for text index i, take the last k
            # with align_text[k] <= i; the original index is align_original[k] + i - align_text[k].
            pa.field("align_text", pa.list_(_i32), nullable=False),
            pa.field("align_original", pa.list_(_i32), nullable=False),
            pa.field("pipeline_version", _str, nullable=False),
        ]
    ),
    "sections": pa.schema(
        [
            pa.field("doc_id", _str, nullable=False),
            pa.field("year", _i32),
            pa.field("section_id", _i32, nullable=False),
            pa.field("parent_id", _i32),
            pa.field("depth", _i32, nullable=False),
            pa.field("marker", _str),
            pa.field("title", _str),
            pa.field("role", _str, nullable=False),
            pa.field("start", _i32, nullable=False),
            pa.field("end", _i32, nullable=False),
        ]
    ),
    "sentences": pa.schema(
        [
            pa.field("doc_id", _str, nullable=False),
            pa.field("year", _i32),
            pa.field("sentence_id", _i32, nullable=False),
            pa.field("section_id", _i32),
            pa.field("paragraph", _i32, nullable=False),
            pa.field("start", _i32, nullable=False),
            pa.field("end", _i32, nullable=False),
            pa.field("text", _str, nullable=False),
            pa.field("role", _str, nullable=False),
            pa.field("noise", _str),
            pa.field("duplicate_of", _i32),
        ]
    ),
    "keywords": pa.schema(
        [
            pa.field("doc_id", _str, nullable=False),
            pa.field("year", _i32),
            pa.field("keyword", _str, nullable=False),
            pa.field("weight", _f64, nullable=False),
            pa.field("rank", _i32, nullable=False),
            pa.field("method", _str, nullable=False),
            pa.field("extractor", _str, nullable=False),
        ]
    ),
    "targets": pa.schema(
        [
            *_PROVENANCE,
            pa.field("indicator", _str),
            pa.field("indicator_id", _str),
            pa.field("measure", _str, nullable=False),
            pa.field("direction", _str),
            pa.field("value", _f64),
            pa.field("value_high", _f64),
            pa.field("unit", _str),
            pa.field("value_raw", _str),
            pa.field("unit_raw", _str),
            pa.field("qualifier", _str, nullable=False),
            pa.field("modality", _str),
            pa.field("status", _str, nullable=False),
            pa.field("period", _i32),
            pa.field("rule", _str),
        ]
    ),
    "projects": pa.schema(
        [
            *_PROVENANCE,
            pa.field("name", _str, nullable=False),
            pa.field("category", _str),
            pa.field("stage", _str),
            pa.field("status", _str),
            pa.field("period", _i32),
            pa.field("rule", _str),
        ]
    ),
    "entities": pa.schema(
        [*_PROVENANCE, pa.field("name", _str, nullable=False), pa.field("kind", _str), pa.field("rule", _str)]
    ),
    "sector_tags": pa.schema([*_PROVENANCE, pa.field("sector", _str, nullable=False), pa.field("score", _f64)]),
    "errors": pa.schema(
        [
            pa.field("run_id", _str, nullable=False),
            pa.field("source", _str, nullable=False),
            pa.field("stage", _str, nullable=False),
            pa.field("error", _str, nullable=False),
            pa.field("message", _str, nullable=False),
        ]
    ),
    "runs": pa.schema(
        [
            pa.field("run_id", _str, nullable=False),
            pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field("pipeline_version", _str, nullable=False),
            pa.field("extractors", _str, nullable=False),
            pa.field("n_docs", _i32, nullable=False),
            pa.field("n_skipped", _i32, nullable=False),
            pa.field("n_failed", _i32, nullable=False),
            pa.field("n_chars", _i64, nullable=False),
            pa.field("seconds", _f64, nullable=False),
        ]
    ),
}

# Tables with one partition per `year`; the others are small and written whole.
PARTITIONED = (
    "documents",
    "sections",
    "sentences",
    "keywords",
    "targets",
    "projects",
    "entities",
    "sector_tags",
)
DOCUMENT_TABLES = PARTITIONED

# What identifies a row of each table across two runs (`zhpolicy diff`): the document, where in its
# text, and the fields that say what the row is. Rows with the same key are the same row; any other
# column that differs makes it a changed row. `runs` describes runs, not documents: never compared.
# `method` is part of the key where a table holds several methods' rows side by side (sector_tags);
# in projects and entities it says who found the one row (rule, model, both) and is compared.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id",),
    "sections": ("doc_id", "section_id"),
    "sentences": ("doc_id", "sentence_id"),
    "keywords": ("doc_id", "keyword"),
    "targets": ("doc_id", "start", "end", "indicator_id", "measure", "status"),
    "projects": ("doc_id", "start", "end", "name"),
    "entities": ("doc_id", "start", "end", "name"),
    "sector_tags": ("doc_id", "method", "sentence_id", "sector"),
    "errors": ("source", "stage"),
}
# Tables that hold several methods' rows side by side, and the method to read by default.
DEFAULT_METHOD: dict[str, str] = {"sector_tags": "merged"}
# Columns that differ between two runs of the same pipeline on the same input (not compared).
RUN_COLUMNS: dict[str, tuple[str, ...]] = {"errors": ("run_id",)}
# Columns that name a version (compared unless `zhpolicy diff --ignore-versions`).
VERSION_COLUMNS = ("extractor", "pipeline_version")


def schema_for(table: str) -> pa.Schema:
    try:
        return SCHEMAS[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(SCHEMAS)}") from None
