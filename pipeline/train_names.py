"""Training data, training and held-out evaluation for the name model (extractors/name_model.py).

    python -m pipeline.train_names train --shared ../shared/corpus       # the shipped model
    python -m pipeline.train_names cross-validate --shared ../shared/corpus

Training data (all character-tokenized, so every span aligns; the count of spans that would not is
printed and must be 0):
- gold: every content sentence of the gold reports (corpus/gold/*.projects.jsonl) with its gold
  spans — exhaustive, so a sentence without rows teaches "no name"; optional rows are left unknown
  (neither name nor not-name). Gold sentences are repeated `GOLD_REPEAT` times: there are few.
- weak: clauses of reports in the shared corpus, labelled by the rules (extractors.projects). Not
  from the gold reports' regions (every year of 新乡市, 河南省, 广州市: the same projects recur year
  after year) and not the reports in corpus/reports/. A fixed-seed sample of reports; from them, the
  clauses with names, as many candidate clauses (extractors.name_model.is_candidate) without, and a
  few non-candidates (`balanced`).
- dev (choosing the best checkpoint): weak clauses of the last reports read, never gold.

Cross-validation is leave-one-report-out over the gold reports: train on the other gold reports plus
the weak data, score rules, model and merged on the held-out report (pipeline.evaluate), and choose
the model's confidence threshold for the merge on the pooled held-out folds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.name_model import LABELS
from extractors.projects import local_tokens
from pipeline.lexicon import LEXICON_DIR

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "corpus" / "gold"
REPORTS_DIR = ROOT / "corpus" / "reports"
GOLD_REPEAT = 4
SEED = 20250214
NEGATIVES_PER_NAMED = 5.0  # candidate clauses without names, per clause with names (about as the model meets them)
OTHER_SHARE = 0.3  # non-candidate clauses, per candidate clause without names


@dataclass(frozen=True, slots=True)
class Labelled:
    """One clause (what the model reads), its jieba tokens (offsets within it) and labelled spans."""

    text: str
    tokens: tuple
    spans: tuple[tuple[int, int, str], ...]
    unknown: tuple[tuple[int, int], ...] = ()


def clause_examples(
    text: str,
    tokens: Sequence,
    spans: Sequence[tuple[int, int, str]],
    unknown: Sequence[tuple[int, int]],
    rng: random.Random,
    other_share: float,
) -> list[Labelled]:
    """A sentence's labelled spans as examples of what the model reads: the clauses it is given
    (extractors.name_model.units), and a share of the others, so it also sees clauses without cues."""
    from extractors.name_model import clauses, is_candidate, unit_tokens

    out = []
    for start, end in clauses(text):
        piece = text[start:end]
        if not is_candidate(piece) and rng.random() >= other_share:
            continue
        inside = tuple((a - start, b - start, label) for a, b, label in spans if start <= a and b <= end)
        unsure = tuple((a - start, b - start) for a, b in unknown if start <= a and b <= end)
        out.append(Labelled(piece, unit_tokens(tokens, start, end), inside, unsure))
    return out


# ---------------------------------------------------------------------------------------------
# Gold


def gold_files(gold_dir: Path = GOLD_DIR) -> list[Path]:
    return sorted(gold_dir.glob("*.projects.jsonl"))


def _structured(path: Path):
    from pipeline.ingest import ingest
    from pipeline.metadata import with_metadata
    from pipeline.segment import segment
    from pipeline.structure import structure

    return segment(structure(with_metadata(ingest(path.read_bytes(), str(path)))))


def gold_sentences(gold_path: Path, other_share: float = 0.15) -> list[Labelled]:
    """The clauses of every content sentence of a gold report with their gold spans (PROJECT, ORG;
    optional rows: unknown)."""
    from pipeline.evaluate import _DocView, _locate, load_gold

    gold = next(g for g in load_gold(gold_path.parent) if g.path == gold_path)
    doc = _structured(GOLD_DIR.parent / gold.header["source"])
    view = _DocView(doc.document.text, [], [], {})
    labels: dict[int, list[tuple[int, int, str]]] = {}
    unknown: dict[int, list[tuple[int, int]]] = {}
    seen: Counter = Counter()
    by_start = {s.start: i for i, s in enumerate(doc.sentences)}
    for row in gold.rows:
        if row.get("table") not in ("projects", "entities"):
            continue
        key = (row.get("sentence"), row.get("name"), row.get("table"))
        span = _locate(view, row, seen[key])
        seen[key] += 1
        if span is None:
            continue
        index = max(i for s, i in by_start.items() if s <= span[0])
        sentence = doc.sentences[index]
        start, end = span[0] - sentence.start, span[1] - sentence.start
        if row.get("optional"):
            unknown.setdefault(index, []).append((start, end))
        else:
            labels.setdefault(index, []).append((start, end, "PROJECT" if row["table"] == "projects" else "ORG"))
    rng = random.Random(SEED)
    out = []
    for index, sentence in enumerate(doc.sentences):
        if sentence.noise is not None or sentence.duplicate_of is not None:
            continue
        tokens = local_tokens(sentence, doc.tokens[index])
        out += clause_examples(sentence.text, tokens, labels.get(index, ()), unknown.get(index, ()), rng, other_share)
    return out


def gold_region(gold_path: Path) -> str | None:
    header = json.loads(gold_path.read_text(encoding="utf-8").splitlines()[0])
    return _structured(GOLD_DIR.parent / header["source"]).document.meta.region


# ---------------------------------------------------------------------------------------------
# Weak labels from the rules


def _report_files(shared: Path) -> list[Path]:
    return sorted(
        p
        for p in shared.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".md", ".html", "") and p.name not in ("MANIFEST.tsv", "README.md")
    )


def _repo_report_hashes() -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in REPORTS_DIR.iterdir() if p.is_file()}


def rule_spans(sentence, tokens, year) -> tuple[tuple[int, int, str], ...]:
    """The spans the rules give a sentence: project rows as PROJECT, entity rows as ORG."""
    from extractors.projects import rows_from_names, sentence_names

    names = sentence_names(sentence, tokens)
    spans = []
    for table, label in (("projects", "PROJECT"), ("entities", "ORG")):
        for row in rows_from_names(sentence, names, year, table, "weak"):
            spans.append((row.start - sentence.start, row.end - sentence.start, label))
    return tuple(spans)


def _report_clauses(task: tuple[Path, set[str], set[str]]) -> list[Labelled] | None:
    """A shared-corpus report's rule-labelled clauses (all of them, each with its spans), or None when
    it is excluded or the pipeline rejects it."""
    path, excluded_hashes, excluded_regions = task
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() in excluded_hashes:
        return None
    try:
        doc = _structured(path)
    except Exception:  # a file the pipeline rejects is no training data
        return None
    if doc.document.meta.region in excluded_regions:
        return None
    out = []
    everything = random.Random(0)  # other_share 1.0: keep every clause; the sampling is the caller's
    for index, sentence in enumerate(doc.sentences):
        if sentence.noise is not None or sentence.duplicate_of is not None:
            continue
        tokens = doc.tokens[index]
        spans = rule_spans(sentence, tokens, doc.year)
        out += clause_examples(sentence.text, local_tokens(sentence, tokens), spans, (), everything, 1.0)
    return out


def weak_clauses(
    shared: Path, excluded_regions: set[str], n_reports: int, seed: int, workers: int = 2
) -> tuple[list[Labelled], list[str]]:
    """Rule-labelled clauses of a fixed-seed sample of shared-corpus reports (read on `workers`
    processes, in a fixed order), and the reports used."""
    from multiprocessing import get_context

    rng = random.Random(seed)
    files = _report_files(shared)
    rng.shuffle(files)
    hashes = _repo_report_hashes()
    clauses: list[Labelled] = []
    used: list[str] = []
    with get_context("fork").Pool(workers) as pool:
        tasks = ((path, hashes, excluded_regions) for path in files)
        for path, found in zip(files, pool.imap(_report_clauses, tasks, chunksize=4), strict=False):
            if found is None:
                continue
            used.append(str(path.relative_to(shared)))
            clauses += found
            if len(used) >= n_reports:
                pool.terminate()
                break
    return clauses, used


def balanced(clauses: list[Labelled], n_named: int, negatives_per_named: float, other_share: float, seed: int):
    """Up to `n_named` clauses with names, `negatives_per_named` times as many candidate clauses
    without (the model reads candidates only), and a share of non-candidate clauses: names are rare,
    and a sample of every clause would teach mostly "no name"."""
    from extractors.name_model import is_candidate

    rng = random.Random(seed)
    named = [c for c in clauses if c.spans]
    empty = [c for c in clauses if not c.spans and is_candidate(c.text)]
    others = [c for c in clauses if not c.spans and not is_candidate(c.text)]
    rng.shuffle(named)
    rng.shuffle(empty)
    rng.shuffle(others)
    named = named[:n_named]
    empty = empty[: int(len(named) * negatives_per_named)]
    others = others[: int(len(empty) * other_share)]
    out = named + empty + others
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------------------------------------
# spaCy documents


def to_docbin(examples: Iterable[Labelled], path: Path) -> Counter:
    """Write examples as a DocBin of character-tokenized Docs; count spans kept, overlapping (the
    longer kept) and misaligned (char_span None: must be 0 with one token per character)."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    from extractors.name_model import char_doc

    nlp = spacy.blank("zh")
    counts: Counter = Counter()
    docbin = DocBin(attrs=["ORTH", "LEMMA", "TAG", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for example in examples:
        doc = char_doc(nlp.vocab, example.text, example.tokens)
        spans = []
        for start, end, label in example.spans:
            span = doc.char_span(start, end, label=label)
            if span is None:
                counts["misaligned"] += 1
                continue
            spans.append(span)
        kept = filter_spans(spans)
        counts["overlapping"] += len(spans) - len(kept)
        counts["spans"] += len(kept)
        unknown = [doc.char_span(a, b) for a, b in example.unknown]
        unknown = filter_spans(
            [u for u in unknown if u is not None and not any(u.start < k.end and k.start < u.end for k in kept)]
        )
        doc.set_ents(kept, missing=unknown, default="outside")
        counts["sentences"] += 1
        docbin.add(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)
    return counts


def train_model(train: Path, dev: Path, out: Path, overrides: dict | None = None) -> Path:
    """spaCy training with lexicons/models/projects/config.cfg; returns the best model's folder."""
    from spacy.cli.train import train as spacy_train

    from extractors.name_model import CONFIG_PATH, register_reader

    register_reader()
    settings = {"paths.train": str(train), "paths.dev": str(dev), **(overrides or {})}
    spacy_train(CONFIG_PATH, out, use_gpu=-1, overrides=settings)
    return out / "model-best"


def compact(model: Path, target: Path) -> None:
    """Copy the model without the strings training added to its vocabulary (every bigram and tag it
    saw, megabytes): the features are hashed, so prediction needs none of them; the labels' strings
    are added back when the model loads."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(model, target)
    (target / "vocab" / "strings.json").write_text(json.dumps(sorted(LABELS)), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Commands


def build(
    workdir: Path, weak: list[Labelled], used: list[str], train_gold: Sequence[Path], n_named: int
) -> tuple[Path, Path]:
    """Write train.spacy and dev.spacy into `workdir` (dev: weak clauses of their own); print what
    they hold."""
    t0 = time.perf_counter()
    cut = len(weak) // 20  # dev: the clauses of the last reports read, unseen in training
    dev = balanced(weak[-cut:], n_named // 20, NEGATIVES_PER_NAMED, OTHER_SHARE, SEED)
    train = balanced(weak[:-cut], n_named, NEGATIVES_PER_NAMED, OTHER_SHARE, SEED)
    gold: list[Labelled] = []
    for path in train_gold:
        gold += gold_sentences(path)
    train_counts = to_docbin([*train, *(gold * GOLD_REPEAT)], workdir / "train.spacy")
    dev_counts = to_docbin(dev, workdir / "dev.spacy")
    (workdir / "sources.txt").write_text("\n".join(used) + "\n", encoding="utf-8")
    print(
        f"training data: {len(used)} shared reports, {len(train)} weak clauses, {len(gold)} gold clauses "
        f"(x{GOLD_REPEAT}) from {', '.join(p.name for p in train_gold) or 'none'}; train {dict(train_counts)}; "
        f"dev {dict(dev_counts)}; {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    if train_counts["misaligned"] or dev_counts["misaligned"]:
        raise SystemExit("misaligned spans: the tokenization does not respect the labels")
    return workdir / "train.spacy", workdir / "dev.spacy"


def weak_data(args: argparse.Namespace, regions: set[str]) -> tuple[list[Labelled], list[str]]:
    t0 = time.perf_counter()
    weak, used = weak_clauses(args.shared, regions, args.reports, SEED)
    print(f"rule-labelled {len(weak)} clauses of {len(used)} shared reports in {time.perf_counter() - t0:.0f} s")
    return weak, used


def _regions(paths: Iterable[Path]) -> set[str]:
    return {r for r in (gold_region(p) for p in paths) if r}


def cmd_train(args: argparse.Namespace) -> int:
    golds = gold_files()
    weak, used = weak_data(args, _regions(golds))
    with tempfile.TemporaryDirectory(prefix="zhpolicy-names-") as tmp:
        work = Path(tmp)
        train, dev = build(work, weak, used, golds, args.named)
        t0 = time.perf_counter()
        best = train_model(train, dev, work / "out", _overrides(args))
        compact(best, args.out)
        print(f"trained in {time.perf_counter() - t0:.0f} s; model in {args.out} ({_size(args.out) / 1e6:.1f} MB)")
    return 0


def cmd_cross_validate(args: argparse.Namespace) -> int:
    """Leave one gold report out: train on the others + weak data, score on it; pool the folds."""
    from pipeline.evaluate_names import cross_validation_report

    golds = gold_files()
    if args.reuse:  # score the fold models a previous run left in --workdir (after a change to the merge)
        print(cross_validation_report([(g, args.workdir / g.stem / "model") for g in golds], GOLD_DIR))
        return 0
    weak, used = weak_data(args, _regions(golds))  # every gold region is left out of every fold's weak data
    folds = []
    with tempfile.TemporaryDirectory(prefix="zhpolicy-names-cv-") as tmp:
        for held_out in golds:
            work = (args.workdir or Path(tmp)) / held_out.stem
            train, dev = build(work, weak, used, [g for g in golds if g != held_out], args.named)
            best = train_model(train, dev, work / "out", _overrides(args))
            compact(best, work / "model")
            folds.append((held_out, work / "model"))
        print(cross_validation_report(folds, GOLD_DIR))
    return 0


def _overrides(args: argparse.Namespace) -> dict:
    return {"training.max_steps": args.max_steps} if args.max_steps else {}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.train_names", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("train", cmd_train), ("cross-validate", cmd_cross_validate)):
        command = commands.add_parser(name)
        command.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "corpus")
        command.add_argument("--reports", type=int, default=400, help="shared-corpus reports to read")
        command.add_argument("--named", type=int, default=6000, help="weak clauses with names to train on")
        command.add_argument("--max-steps", type=int, default=0, help="override the config's training.max_steps")
        command.add_argument("--workdir", type=Path, default=None, help="keep data and models here (default: temp)")
        command.set_defaults(handler=handler, reuse=False)
    commands.choices["cross-validate"].add_argument(
        "--reuse", action="store_true", help="score the fold models already in --workdir; train nothing"
    )
    args = parser.parse_args(argv)
    if args.command == "train":
        args.out = LEXICON_DIR / "models" / "projects" / "model"
    if args.reuse and args.workdir is None:
        parser.error("--reuse needs --workdir")
    if not args.shared.is_dir() and not args.reuse:
        print(f"no shared corpus at {args.shared}", file=sys.stderr)
        return 2
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
