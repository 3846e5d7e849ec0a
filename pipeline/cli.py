"""The `zhpolicy` command.

Exit codes: 0 every document succeeded; 1 some failed (each one a row in `errors` and a line on
stderr); 2 usage error; 3 another run holds the output folder's lock.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.query import FORMATS
from pipeline.schema import PIPELINE_VERSION, STATUSES

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


def _cmd_run(args: argparse.Namespace) -> int:
    from pipeline.errors import UsageError
    from pipeline.runner import RunLocked, run

    try:
        report = run(
            args.inputs,
            args.out,
            workers=args.workers,
            force=args.force,
            progress=None if not args.no_progress else False,
            extractor_names=args.extractor,
            engine=args.engine,
            scheduler=args.scheduler,
        )
    except RunLocked as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_LOCKED
    except (UsageError, KeyError) as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(report))
    return EXIT_FAILURES if report.n_failed else EXIT_OK


def stage_lines(stage_seconds: dict[str, float]) -> list[str]:
    """Where the processing time went, costliest first: CPU seconds per stage and extractor,
    summed over documents and workers (a stage that shares work with another, as entities with
    projects, shows near zero: the first of them pays)."""
    total = sum(stage_seconds.values())
    if not total:
        return []
    ranked = sorted(stage_seconds.items(), key=lambda item: -item[1])
    parts = [f"{stage} {seconds:.1f} ({seconds / total:.0%})" for stage, seconds in ranked]
    return [f"  CPU seconds by stage ({total:.1f} in all): " + ", ".join(parts)]


def summary(report) -> str:
    from pipeline.runner import printable

    out = report.out
    lines = [
        f"zhpolicy {PIPELINE_VERSION} run {report.run_id}",
        f"  documents processed {report.n_docs}, skipped (unchanged) {report.n_skipped}, failed {report.n_failed}",
        f"  sentences {report.n_sentences}",
        f"  throughput {report.n_docs / report.seconds if report.seconds else 0:.1f} docs/s, "
        f"{report.mb_per_second:.2f} MB/s of report text ({report.seconds:.1f} s)",
        "  rows per table: " + ", ".join(f"{t} {n}" for t, n in report.rows.items()),
        *stage_lines(report.stage_seconds),
        f"  tables: {out}/<table>/ (Parquet, hive-partitioned by year)",
    ]
    for failure in report.failures[:20]:
        lines.append(f"  failed: {printable(failure.source)} [{failure.stage}] {failure.message}")
    if len(report.failures) > 20:
        lines.append(f"  … {len(report.failures) - 20} more in {out}/errors/")
    sql = (
        "SELECT d.region, d.level, d.year, count(*) AS sentences "
        f"FROM read_parquet('{out}/sentences/**/*.parquet') AS s "
        f"JOIN read_parquet('{out}/documents/**/*.parquet') AS d USING (doc_id) "
        "GROUP BY ALL ORDER BY ALL"
    )
    lines.append(f'  query: .venv/bin/python -c "import duckdb; duckdb.sql(\\"{sql}\\").show()"')
    return "\n".join(lines)


def _cmd_metadata(args: argparse.Namespace) -> int:
    from pipeline.check_metadata import main

    return main([str(args.corpus), "--show", str(args.show)])


def _cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluate import cross_validate_sectors, evaluate, format_report

    if args.cross_validate == "projects":
        from pipeline.train_names import main as train_names

        return train_names(["cross-validate", "--shared", str(args.shared)])

    try:
        if args.cross_validate == "sector_tags":
            if not (args.shared / "MANIFEST.tsv").is_file():
                print(
                    f"zhpolicy: --cross-validate needs the shared corpus; {args.shared} has no MANIFEST.tsv",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            scores = cross_validate_sectors(args.gold, args.shared)
        else:
            scores = evaluate(args.gold, args.outputs)
    except FileNotFoundError as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(format_report(scores, args.show))
    if not args.cross_validate and any(t.startswith("sector_tags[m") for t in scores):
        print(
            "note: sector_tags[model] and [merged] above score gold the shipped model was trained on; "
            "`zhpolicy eval --cross-validate sector_tags` (make eval-sectors) scores each gold report held out."
        )
    if args.min_f1 is not None:
        # the floor holds for the tables the pipeline writes, not for the variants (projects:model …)
        low = {
            t: s.prf(strict=True)[2] for t, s in scores.items() if ":" not in t and s.prf(strict=True)[2] < args.min_f1
        }
        if low:
            print("below --min-f1 " + ", ".join(f"{t} {f:.3f}" for t, f in low.items()), file=sys.stderr)
            return EXIT_FAILURES
    return EXIT_OK


def _cmd_query(args: argparse.Namespace) -> int:
    from pipeline.errors import QueryError
    from pipeline.query import connect, emit, format_for, is_terminal, run_sql

    try:
        fmt = format_for(args.to, args.format, is_terminal(sys.stdout))
        con = connect(args.outputs)
        rows = emit(con, run_sql(con, args.sql), fmt, args.to, max_rows=args.max_rows)
    except QueryError as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.to is not None:
        print(f"{rows} rows -> {args.to}", file=sys.stderr)
    return EXIT_OK


def _cmd_panel(args: argparse.Namespace) -> int:
    from pipeline.errors import UsageError
    from pipeline.panel import PanelSpec, coverage, format_coverage, long_panel, select_columns, wide_panel
    from pipeline.query import connect, emit, format_for, is_terminal

    try:
        fmt = format_for(args.to, args.format, is_terminal(sys.stdout))
        spec = PanelSpec(
            status=args.status,
            columns=select_columns(_csv_list(args.indicators)),
            levels=tuple(_csv_list(args.levels)),
            since=args.since,
            until=args.until,
        )
        con = connect(args.outputs)
        build = long_panel if args.long else wide_panel
        panel = build(con, spec, provenance=args.provenance)
        if args.to is not None or not args.coverage:
            rows = emit(con, con.from_arrow(panel), fmt, args.to, max_rows=args.max_rows)
            if args.to is not None:
                print(f"{rows} rows -> {args.to}", file=sys.stderr)
        if args.coverage:
            wide = panel if not args.long else wide_panel(con, spec)
            print(f"cells filled ({args.status}) per column and decade, of {wide.num_rows} region × year rows:")
            print(format_coverage(coverage(wide, [c.column for c in spec.columns])))
    except UsageError as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace) -> int:
    from pipeline.diff import diff_outputs, format_diff
    from pipeline.errors import UsageError

    try:
        diffs = diff_outputs(
            args.old, args.new, _csv_list(args.tables), ignore_versions=args.ignore_versions, show=args.show
        )
    except UsageError as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(format_diff(diffs))
    differs = any(d.differs for d in diffs)
    return EXIT_FAILURES if differs and args.fail_on_change else EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from pipeline.errors import UsageError
    from pipeline.query import connect
    from pipeline.show import show

    try:
        doc_id, highlighted = show(connect(args.outputs), args.report, args.html)
    except UsageError as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.html}: document {doc_id}, {highlighted} rows highlighted")
    return EXIT_OK


def _csv_list(value: str | None) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()] if value else []


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhpolicy", description="Chinese government work reports -> Parquet tables.")
    parser.add_argument("--version", action="version", version=f"zhpolicy {PIPELINE_VERSION}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="process report files (txt/md/html; UTF-8, GBK, Big5, UTF-16) into tables")
    run.add_argument("inputs", nargs="+", type=Path, help="report files or folders")
    run.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    run.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    run.add_argument("--force", action="store_true", help="reprocess documents even if unchanged")
    run.add_argument("--extractor", action="append", help="run only this extractor (repeatable)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument(
        "--engine", choices=("local", "dask"), default="local", help="local process pool (default) or a Dask cluster"
    )
    run.add_argument("--scheduler", help="Dask scheduler address for --engine dask, e.g. tcp://10.0.0.5:8786")
    run.set_defaults(handler=_cmd_run)

    ev = commands.add_parser("eval", help="score extractors against gold annotations (P/R/F1 per table and field)")
    ev.add_argument("--gold", type=Path, default=Path("corpus/gold"), help="gold folder (default: corpus/gold)")
    ev.add_argument(
        "--outputs",
        type=Path,
        default=None,
        help="score these tables (default: run the extractors on the gold's reports now)",
    )
    ev.add_argument("--min-f1", type=float, default=None, help="exit 1 if a table's strict F1 is below this")
    ev.add_argument("--show", type=int, default=20, help="misses and false alarms to list per table")
    ev.add_argument(
        "--cross-validate",
        choices=("sector_tags", "projects"),
        help="held-out scores of a trained model: retrain once per gold report without that report's gold "
        "(sector_tags: the sector classifier; projects: the name model, minutes per report)",
    )
    ev.add_argument(
        "--shared",
        type=Path,
        default=Path("../shared/corpus"),
        help="corpus for the weak labels of --cross-validate (default: ../shared/corpus)",
    )
    ev.set_defaults(handler=_cmd_eval)

    query = commands.add_parser(
        "query",
        help="run SQL over the tables (DuckDB; one view per table: documents, targets, projects, …)",
        description="Run SQL over the output tables. Every table is a view of its name; `year` is the report year.",
    )
    query.add_argument("sql", help='the SQL, e.g. "SELECT region, year FROM documents"')
    query.add_argument("--outputs", type=Path, default=Path("outputs"), help="tables folder (default: outputs)")
    query.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="table (default in a terminal), csv (default in a pipe), json (JSON Lines) or parquet (needs --to)",
    )
    query.add_argument("--to", type=Path, default=None, help="write the result to this file (format from its suffix)")
    query.add_argument("--max-rows", type=int, default=40, help="rows shown by --format table (default 40)")
    query.set_defaults(handler=_cmd_query)

    panel = commands.add_parser(
        "panel",
        help="region × year table of the main targets (or actuals), one column per indicator",
        description="One row per region × year with a report, one column per indicator of "
        "lexicons/panel_indicators.tsv. A cell is the first row of that indicator and measure in the section "
        "where such figures belong (targets / review), else the first in the text.",
    )
    panel.add_argument("--outputs", type=Path, default=Path("outputs"), help="tables folder (default: outputs)")
    panel.add_argument("--to", type=Path, default=None, help="write the panel to FILE.csv or FILE.parquet")
    panel.add_argument("--format", choices=FORMATS, default=None, help="as for `zhpolicy query`")
    panel.add_argument(
        "--status",
        choices=STATUSES,
        default="target",
        help="target: the goals a report sets for its year; actual: the results the next report gives (default target)",
    )
    panel.add_argument("--long", action="store_true", help="tidy form: one row per filled cell, with qualifier")
    panel.add_argument(
        "--provenance", action="store_true", help="add the figure as written and its sentence to every cell"
    )
    panel.add_argument("--indicators", help="comma-separated columns or indicator ids (default: all in the lexicon)")
    panel.add_argument("--levels", help="comma-separated levels to keep, e.g. national,province (default: all)")
    panel.add_argument("--since", type=int, default=None, help="first year to keep")
    panel.add_argument("--until", type=int, default=None, help="last year to keep")
    panel.add_argument("--coverage", action="store_true", help="print cells filled per column and decade")
    panel.add_argument("--max-rows", type=int, default=40, help="rows shown by --format table (default 40)")
    panel.set_defaults(handler=_cmd_panel)

    diff = commands.add_parser(
        "diff",
        help="rows added, removed and changed per table between two output folders",
        description="Compare two output folders table by table; rows are matched by document, offsets and key "
        "fields (pipeline/schema.py ROW_KEYS). Exit 0 when they agree; with --fail-on-change, exit 1 when they "
        "differ.",
    )
    diff.add_argument("old", type=Path, help="the output folder before the change")
    diff.add_argument("new", type=Path, help="the output folder after it")
    diff.add_argument("--tables", help="comma-separated tables to compare (default: all but runs)")
    diff.add_argument("--show", type=int, default=10, help="rows listed per table and kind (default 10)")
    diff.add_argument(
        "--ignore-versions", action="store_true", help="do not compare extractor and pipeline version strings"
    )
    diff.add_argument("--fail-on-change", action="store_true", help="exit 1 when the outputs differ (for CI)")
    diff.set_defaults(handler=_cmd_diff)

    show = commands.add_parser(
        "show",
        help="one report as an HTML page: targets, projects, entities and sector tags highlighted",
        description="Write one report as a self-contained HTML page: its text with every extracted row "
        "highlighted, a table of its targets and a sector profile per section.",
    )
    show.add_argument("report", help="a doc_id, a source as recorded, a report file, or the end of a source path")
    show.add_argument("--html", type=Path, required=True, help="the HTML file to write")
    show.add_argument("--outputs", type=Path, default=Path("outputs"), help="tables folder (default: outputs)")
    show.set_defaults(handler=_cmd_show)

    meta = commands.add_parser("check-metadata", help="measure metadata detection against a corpus MANIFEST.tsv")
    meta.add_argument("corpus", type=Path)
    meta.add_argument("--show", type=int, default=20)
    meta.set_defaults(handler=_cmd_metadata)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "workers", None) is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
