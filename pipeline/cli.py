"""The `zhpolicy` command.

Exit codes: 0 every document succeeded; 1 some failed (each one a row in `errors` and a line on
stderr); 2 usage error; 3 another run holds the output folder's lock.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.schema import PIPELINE_VERSION

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
        )
    except RunLocked as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_LOCKED
    except (UsageError, KeyError) as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(report))
    return EXIT_FAILURES if report.n_failed else EXIT_OK


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
    from pipeline.evaluate import evaluate, format_report

    if args.cross_validate:
        from pipeline.train_names import main as train_names

        return train_names(["cross-validate", "--shared", str(args.shared)])

    try:
        scores = evaluate(args.gold, args.outputs)
    except FileNotFoundError as error:
        print(f"zhpolicy: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(format_report(scores, args.show))
    if args.min_f1 is not None:
        # the floor holds for the tables the pipeline writes, not for the variants (projects:model …)
        low = {
            t: s.prf(strict=True)[2] for t, s in scores.items() if ":" not in t and s.prf(strict=True)[2] < args.min_f1
        }
        if low:
            print("below --min-f1 " + ", ".join(f"{t} {f:.3f}" for t, f in low.items()), file=sys.stderr)
            return EXIT_FAILURES
    return EXIT_OK


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
        action="store_true",
        help="held-out figures for the name model: train one per gold report left out (minutes each)",
    )
    ev.add_argument("--shared", type=Path, default=Path("../shared/corpus"), help="corpus for --cross-validate")
    ev.set_defaults(handler=_cmd_eval)

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
