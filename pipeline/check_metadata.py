"""Measure metadata detection against a corpus MANIFEST.tsv (level, region, year_label).

    python -m pipeline.check_metadata ../shared/corpus [--show 30]

`year_label` in the shared MANIFEST is often the file name, which for some regions is the year
under review; a year disagreement where the report's dateline gives year_label + 1 is counted
separately ("label is the reviewed year"), not as an error.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from pipeline.ingest import ingest
from pipeline.metadata import extract_metadata


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--show", type=int, default=20, help="disagreements to print per field")
    args = parser.parse_args(argv)
    manifest = args.corpus / "MANIFEST.tsv"
    with manifest.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader((ln for ln in handle if not ln.startswith("#")), delimiter="\t")]
    tally: Counter[str] = Counter()
    misses: dict[str, list[str]] = {"level": [], "region": [], "year": []}
    for row in rows:
        path = args.corpus / row["path"]
        try:
            meta = extract_metadata(ingest(path.read_bytes(), str(path)))
        except Exception as error:  # a measurement script reports, it does not stop
            tally["failed"] += 1
            print(f"FAILED {row['path']}: {error}", file=sys.stderr)
            continue
        tally["docs"] += 1
        level = row["level"]
        tally[f"level_{level}"] += 1
        if meta.level == level:
            tally["level_ok"] += 1
        else:
            misses["level"].append(f"{row['path']}: manifest {level}, found {meta.level}")
        if meta.region == row["region"]:
            tally["region_ok"] += 1
            tally[f"region_ok_{level}"] += 1
        else:
            misses["region"].append(f"{row['path']}: manifest {row['region']}, found {meta.region}")
        label = int(row["year_label"]) if row["year_label"].isdigit() else None
        if meta.year == label:
            tally["year_ok"] += 1
            tally[f"year_ok_{level}"] += 1
        elif label is not None and meta.year == label + 1 and meta.delivered_on is not None:
            tally["year_label_is_review_year"] += 1
        else:
            misses["year"].append(f"{row['path']}: label {label}, found {meta.year} (delivered {meta.delivered_on})")
        tally["has_date"] += meta.delivered_on is not None
        tally["has_speaker"] += meta.speaker is not None
    n = tally["docs"]
    print(f"documents {n}, failed {tally['failed']}")
    for field in ("level", "region", "year"):
        print(f"{field:7s} agrees {tally[field + '_ok']}/{n} = {tally[field + '_ok'] / n:.1%}")
        for level in ("national", "province", "city"):
            if tally[f"level_{level}"] and field != "level":
                ok = tally[f"{field}_ok_{level}"]
                print(f"    {level:9s} {ok}/{tally[f'level_{level}']} = {ok / tally[f'level_{level}']:.1%}")
    print(f"year = label + 1 with a dateline (label is the reviewed year): {tally['year_label_is_review_year']}")
    print(f"year right or explained: {(tally['year_ok'] + tally['year_label_is_review_year']) / n:.1%}")
    print(f"dateline found {tally['has_date']}/{n}; speaker found {tally['has_speaker']}/{n}")
    for field, lines in misses.items():
        print(f"\n{field} disagreements ({len(lines)}):")
        for line in lines[: args.show]:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
