"""`zhpolicy panel`: the region × year table economists build by hand, one column per indicator.

A row is one region (documents.region, region_code, level, province) and one year; a cell is the
value of one indicator/measure (lexicons/panel_indicators.tsv) with the `status` asked for:

- status `target`: rows with status target and period = the report's year, from that year's report;
- status `actual`: rows with status actual and period = the year before the report's year, from the
  following year's report (the review of the year just ended).

When a report gives several candidate rows for a cell (a growth target in the main-target list and
again in a section on industry), the rule picks one, deterministically: a row in a sentence of the
section role where such figures belong (targets for `target`, review for `actual`) first, then the
measure listed first for the column, then the earliest in the text. Rows in another unit are
converted with lexicons/unit_conversions.tsv.

When two reports share a region × year (two copies of one report from different sources), the
panel takes one: the longer text (n_chars), then the smaller doc_id. Every row names its doc_id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import duckdb
import pyarrow as pa
import regex

from pipeline.errors import PanelError
from pipeline.lexicon import read_tsv
from pipeline.schema import LEVELS, STATUSES

# The section role where a report states each kind of figure (pipeline.schema.Role).
PREFERRED_ROLE = {"target": "targets", "actual": "review"}
# Panel year minus the year of the report a cell is read from: a report reviews the year before it.
REPORT_YEAR_OFFSET = {"target": 0, "actual": 1}
ROW_KEYS = ("region", "region_code", "level", "province", "year", "doc_id", "source")
_IDENTIFIER = regex.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class PanelColumn:
    column: str
    indicator_id: str
    measures: tuple[str, ...]  # targets.measure values that give this figure, preferred first
    unit: str
    name_en: str


@dataclass(frozen=True, slots=True)
class PanelSpec:
    status: str = "target"
    columns: tuple[PanelColumn, ...] = ()
    levels: tuple[str, ...] = ()  # empty: every level
    since: int | None = None
    until: int | None = None


@dataclass(frozen=True, slots=True)
class CoverageCell:
    """Filled cells of one column among the region × year rows of one decade (or all years: decade None)."""

    column: str
    decade: int | None
    filled: int
    rows: int

    @property
    def share(self) -> float:
        return self.filled / self.rows if self.rows else 0.0


@cache
def panel_columns() -> tuple[PanelColumn, ...]:
    """The default panel columns, in lexicon order."""
    columns = tuple(
        PanelColumn(row["column"], row["indicator_id"], tuple(row["measure"].split("|")), row["unit"], row["name_en"])
        for row in read_tsv("panel_indicators.tsv")
    )
    for column in columns:
        if not _IDENTIFIER.fullmatch(column.column):
            raise PanelError(f"panel_indicators.tsv: column {column.column!r} is not a lower-case identifier")
    return columns


def select_columns(names: Sequence[str] | None) -> tuple[PanelColumn, ...]:
    """The columns named (by column or indicator_id), or all of them."""
    available = panel_columns()
    if not names:
        return available
    chosen = []
    for name in names:
        matches = [c for c in available if name in (c.column, c.indicator_id)]
        if not matches:
            known = ", ".join(c.column for c in available)
            raise PanelError(f"unknown panel column {name!r}; known: {known} (lexicons/panel_indicators.tsv)")
        chosen.extend(m for m in matches if m not in chosen)
    return tuple(chosen)


@cache
def unit_conversions() -> tuple[tuple[str, str, float], ...]:
    return tuple((r["from_unit"], r["to_unit"], float(r["factor"])) for r in read_tsv("unit_conversions.tsv"))


def _spec_tables(columns: tuple[PanelColumn, ...]) -> tuple[pa.Table, pa.Table]:
    # One row per column and measure it accepts.
    rows = [(position, c, rank, m) for position, c in enumerate(columns) for rank, m in enumerate(c.measures)]
    spec = pa.table(
        {
            "column_name": [c.column for _, c, _, _ in rows],
            "position": [position for position, *_ in rows],
            "indicator_id": [c.indicator_id for _, c, _, _ in rows],
            "measure": [m for *_, m in rows],
            "measure_rank": [rank for _, _, rank, _ in rows],
            "unit": [c.unit for _, c, _, _ in rows],
        }
    )
    factors = {(c.unit, c.unit): 1.0 for c in columns}
    factors.update({(a, b): f for a, b, f in unit_conversions()})
    units = pa.table(
        {
            "from_unit": [a for a, _ in factors],
            "to_unit": [b for _, b in factors],
            "factor": list(factors.values()),
        }
    )
    return spec, units


def _report_ctes(spec: PanelSpec) -> str:
    """`chosen`: one report per region × panel year (the longer text of duplicates, then the smaller doc_id)."""
    level_filter = "AND level IN (SELECT unnest($levels))" if spec.levels else ""
    return f"""
    docs AS (
        SELECT doc_id, source, region, region_code, level, province, year - $offset AS year, n_chars
        FROM documents
        WHERE region IS NOT NULL AND year IS NOT NULL {level_filter}
    ),
    chosen AS (
        SELECT * EXCLUDE (n_chars) FROM docs
        WHERE ($since IS NULL OR year >= $since) AND ($until IS NULL OR year <= $until)
        QUALIFY row_number() OVER (
            PARTITION BY level, coalesce(region_code, region), year ORDER BY n_chars DESC, doc_id
        ) = 1
    )"""


# `cells`: one row per filled cell: candidate target rows of the chosen reports, ranked, the first kept.
_CELLS_CTE = """
    candidates AS (
        SELECT c.*, p.column_name, p.position, p.indicator_id, t.measure,
               t.value * f.factor AS value, t.value_high * f.factor AS value_high, p.unit,
               t.qualifier, t.modality, t.sentence_id, t.start, t."end", t.text, s.text AS sentence,
               row_number() OVER (
                   PARTITION BY c.doc_id, p.column_name
                   ORDER BY (s.role = $preferred_role) DESC, p.measure_rank, t.start, t."end", t.value
               ) AS pick
        FROM chosen c
        JOIN targets t ON t.doc_id = c.doc_id AND t.period = c.year
        JOIN panel_spec p ON t.indicator_id = p.indicator_id AND t.measure = p.measure
        JOIN panel_units f ON f.from_unit = t.unit AND f.to_unit = p.unit
        JOIN sentences s ON s.doc_id = t.doc_id AND s.sentence_id = t.sentence_id
        WHERE t.status = $status AND t.value IS NOT NULL
    ),
    cells AS (SELECT * EXCLUDE (pick) FROM candidates WHERE pick = 1)"""


def _parameters(spec: PanelSpec) -> dict:
    if spec.status not in STATUSES:
        raise PanelError(f"status must be one of {', '.join(STATUSES)}, not {spec.status!r}")
    unknown = [level for level in spec.levels if level not in LEVELS]
    if unknown:
        raise PanelError(f"unknown level(s) {', '.join(unknown)}; known: {', '.join(LEVELS)}")
    parameters = {
        "offset": REPORT_YEAR_OFFSET[spec.status],
        "since": spec.since,
        "until": spec.until,
        "status": spec.status,
        "preferred_role": PREFERRED_ROLE[spec.status],
    }
    if spec.levels:
        parameters["levels"] = list(spec.levels)
    return parameters


def _register(con: duckdb.DuckDBPyConnection, spec: PanelSpec) -> None:
    panel_spec, panel_units = _spec_tables(spec.columns)
    con.register("panel_spec", panel_spec)
    con.register("panel_units", panel_units)


def _order_by() -> str:
    """National first, then provinces, cities, counties; by region code and year."""
    levels = ", ".join(f"'{level}'" for level in LEVELS)
    return f"list_position([{levels}], level), region_code, region, year"


def long_panel(con: duckdb.DuckDBPyConnection, spec: PanelSpec, provenance: bool = False) -> pa.Table:
    """Tidy form: one row per filled cell, with value, value_high, unit, qualifier and the report it is from."""
    _register(con, spec)
    detail = ', sentence_id, start, "end", text, sentence' if provenance else ""
    sql = f"""
    WITH {_report_ctes(spec)}, {_CELLS_CTE}
    SELECT region, region_code, level, province, year, column_name AS "column", indicator_id, measure,
           value, value_high, unit, qualifier, modality, doc_id, source{detail}
    FROM cells
    ORDER BY {_order_by()}, position
    """
    return con.sql(sql, params=_parameters(spec)).to_arrow_table()


def wide_panel(con: duckdb.DuckDBPyConnection, spec: PanelSpec, provenance: bool = False) -> pa.Table:
    """One row per region × year that has a report; one column per indicator (null where the report gives none).

    With provenance, each column `c` is followed by `c_text` (the figure as written) and `c_sentence`."""
    _register(con, spec)
    selected = []
    for column in spec.columns:
        parts = [("value", column.column)]
        if provenance:
            parts += [("text", f"{column.column}_text"), ("sentence", f"{column.column}_sentence")]
        selected += [
            f"any_value(cells.{part}) FILTER (WHERE cells.column_name = '{column.column}') AS \"{name}\""
            for part, name in parts
        ]
    sql = f"""
    WITH {_report_ctes(spec)}, {_CELLS_CTE},
    wide AS (
        SELECT {", ".join(f"chosen.{k}" for k in ROW_KEYS)}, {", ".join(selected)}
        FROM chosen LEFT JOIN cells ON cells.doc_id = chosen.doc_id
        GROUP BY ALL
    )
    SELECT * FROM wide ORDER BY {_order_by()}
    """
    return con.sql(sql, params=_parameters(spec)).to_arrow_table()


def coverage(panel: pa.Table, columns: Sequence[str]) -> tuple[CoverageCell, ...]:
    """Filled cells per column and decade of a wide panel, and over all its years (decade None)."""
    years = panel.column("year").to_pylist()
    cells = []
    for column in columns:
        values = panel.column(column).to_pylist()
        filled: dict[int | None, int] = defaultdict(int)
        rows: dict[int | None, int] = defaultdict(int)
        for year, value in zip(years, values, strict=True):
            for decade in (year // 10 * 10, None):
                rows[decade] += 1
                filled[decade] += value is not None
        for decade in sorted(rows, key=lambda d: (d is None, d or 0)):
            cells.append(CoverageCell(column, decade, filled[decade], rows[decade]))
    return tuple(cells)


def format_coverage(cells: Sequence[CoverageCell]) -> str:
    """A text table: one line per column, one 'filled/rows (share)' per decade, then all years."""
    decades = sorted({c.decade for c in cells if c.decade is not None})
    headers = [f"{d}s" for d in decades] + ["all years"]
    by_column: dict[str, dict[int | None, CoverageCell]] = defaultdict(dict)
    for cell in cells:
        by_column[cell.column][cell.decade] = cell
    width = max([len("column"), *(len(c) for c in by_column)])
    lines = ["column".ljust(width) + "".join(f"  {h:>18}" for h in headers)]
    for column, row in by_column.items():
        parts = []
        for decade in [*decades, None]:
            cell = row.get(decade)
            parts.append(f"{cell.filled}/{cell.rows} ({cell.share:.0%})" if cell else "-")
        lines.append(column.ljust(width) + "".join(f"  {p:>18}" for p in parts))
    return "\n".join(lines)
