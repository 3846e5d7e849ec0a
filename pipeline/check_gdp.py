"""List the GDP growth target the targets extractor finds in every national and provincial report.

    python -m pipeline.check_gdp ../shared/corpus [--since 2005] [--tsv FILE]

For each report: the target rows with indicator_id gdp, measure growth, status target and period
equal to the report year. Reports with none, or with several different values, are listed so a
person can read them (the 2020 national report sets no GDP target; a report may also give a
range for the coming year and a different figure for a five-year plan).
"""

from __future__ import annotations

import argparse
import csv
import sys
from multiprocessing import Pool
from pathlib import Path

from extractors.targets import TargetExtractor
from pipeline.ingest import ingest
from pipeline.metadata import with_metadata
from pipeline.segment import segment
from pipeline.structure import structure


def gdp_targets(path: Path) -> tuple[str, int | None, list[tuple[float, float | None, str, str]]]:
    try:
        doc = segment(structure(with_metadata(ingest(path.read_bytes(), str(path)))))
    except Exception as error:  # a measurement script reports, it does not stop
        return f"error: {error}", None, []
    rows = [
        (r.value, r.value_high, r.qualifier, r.text)
        for r in TargetExtractor().extract(doc)
        if r.indicator_id == "gdp" and r.measure == "growth" and r.status == "target" and r.period == doc.year
    ]
    return "", doc.year, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--since", type=int, default=2005)
    parser.add_argument("--tsv", type=Path, help="write every report's finding here")
    args = parser.parse_args(argv)
    with (args.corpus / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        manifest = [r for r in csv.DictReader(handle, delimiter="\t") if r["level"] in ("national", "province")]
    paths = [args.corpus / r["path"] for r in manifest]
    with Pool(2) as pool:
        results = pool.map(gdp_targets, paths, chunksize=4)
    found = none = several = 0
    lines = []
    for row, (error, year, rows) in zip(manifest, results, strict=True):
        if year is None or year < args.since:
            continue
        values = sorted({(v, h, q) for v, h, q, _ in rows}, key=str)
        if error or not values:
            none += 1
            lines.append(f"NONE   {row['path']} ({year}) {error}")
        elif len(values) > 1:
            several += 1
            lines.append(f"SEVERAL {row['path']} ({year}): " + "; ".join(t for *_, t in rows))
        else:
            found += 1
        if args.tsv:
            lines_out = [(row["path"], year, v, h, q) for v, h, q in values] or [(row["path"], year, None, None, None)]
            with args.tsv.open("a", encoding="utf-8") as out:
                for item in lines_out:
                    out.write("\t".join("" if x is None else str(x) for x in item) + "\n")
    print(
        f"national and provincial reports since {args.since}: one GDP growth target {found}, "
        f"none {none}, several values {several}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
