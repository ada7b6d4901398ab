"""Which training settings for the summarizer's ranker? A cross-validation on the training side only.

    python -m models.experiments.ranker_cv --markdown docs/figures/ranker-cv.md
    python -m models.experiments.ranker_cv --build "unweighted" \\
        --build "weighted weight:lcsts-train=20 weight:finna-train=5 weight:cfbenchmark-train=20"

One pair in five of every training corpus (`--corpus all` of models/train_ranker.py; a hash of the
article's text) is held back. Each build is trained on the other four fifths with train_ranker's own
preparation, loss and schedule, then scored on the held-back fifth as models.evaluate scores the
held-out sets: the embedded engine at the reference's length as budget, character ROUGE, mean(R-1,
R-L) per corpus (at most `--score` pairs of each, a seeded sample). The held-out splits of
models.evaluate are never read: this is where training settings are chosen.

A build is a name and `KEY=VALUE` settings (train_ranker's DEFAULTS: dim, hidden, epochs, …) and
`weight:SOURCE=W` weights. Builds are trained one after the other (about 5 minutes each on 2 cores for
the full corpus; `--limit` for a quick run).
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

from models import train_ranker
from models.evaluate.rouge import rouge
from models.evaluate.summarization import shared_data

FOLDS = 5
# held-back flash briefs of 300 characters or more, scored as a column of their own: the training side's
# nearest kin of FinNA's test.jsonl (briefs of 300 to 511 characters), which no training corpus matches
LONG_FROM = 300
COLUMNS = (*train_ranker.CORPORA, "flash-long")
DEFAULT_BUILDS = ["unweighted",
                  "shipped weight:lcsts-train=20 weight:finna-train=5 weight:cfbenchmark-train=20"]


def held_back(article) -> bool:
    text = article if isinstance(article, str) else article.text
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % FOLDS == 0


def parse_build(spec: str) -> tuple[str, dict, dict]:
    """'NAME key=value weight:SOURCE=W …' → (name, config overrides, weights)."""
    name, *items = spec.split()
    overrides, weights = {}, {}
    for item in items:
        key, _, value = item.partition("=")
        if key.startswith("weight:"):
            weights[key[len("weight:"):]] = float(value)
        elif key in train_ranker.DEFAULTS and key != "selection":
            overrides[key] = type(train_ranker.DEFAULTS[key])(value)
        else:
            raise ValueError(f"build {name!r}: unknown setting {item!r}")
    return name, overrides, weights


def score(artifact: Path, pairs: list[tuple[str, str, str]]) -> dict[str, float]:
    """mean(R-1, R-L) × 100 per source on the held-back pairs."""
    from service.summarization.embedded import EmbeddedSummarizer
    from service.summarization.plaindoc import document_from_text
    from service.summarization.ranker import Ranker

    engine = EmbeddedSummarizer(ranker=Ranker.load(artifact))
    totals: dict[str, list[float]] = {}
    for source, article, summary in pairs:
        out = engine.summarize(document_from_text(article), max_chars=len(summary)).text
        r = rouge(out, summary)
        totals.setdefault(source, []).append(50 * (r.rouge1 + r.rougeL))
    return {s: sum(v) / len(v) for s, v in totals.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.experiments.ranker_cv", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="append", default=[], help="NAME [key=value] [weight:SOURCE=W] …")
    parser.add_argument("--limit", type=int, default=None, help="train on at most N documents (seeded sample)")
    parser.add_argument("--score", type=int, default=600, help="held-back pairs scored per corpus (seeded sample)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--markdown", default=None)
    args = parser.parse_args(argv)
    builds = [parse_build(spec) for spec in (args.build or DEFAULT_BUILDS)]
    import torch

    torch.set_num_threads(max(1, args.workers))
    started = time.perf_counter()
    triples = [t for t in train_ranker.sources([], ["all"], shared_data()) if isinstance(t[1], str)]
    train = [t for t in triples if not held_back(t[1])]
    rng, rng_long = random.Random(0), random.Random(1)     # the long column's own draw: the others' stay as they were
    back: list[tuple[str, str, str]] = []
    for source in train_ranker.CORPORA:
        mine = [t for t in triples if t[0] == source and held_back(t[1]) and len(t[1]) > len(t[2])]
        back += rng.sample(mine, min(args.score, len(mine)))
        if source == "flash":
            long = [("flash-long", a, r) for _, a, r in mine if len(a) >= LONG_FROM]
            back += rng_long.sample(long, min(args.score, len(long)))
    if args.limit and len(train) > args.limit:
        train = random.Random(0).sample(train, args.limit)
    counts = {s: sum(t[0] == s for t in back) for s in COLUMNS}
    print(f"{len(train):,} training pairs; held back and scored: {counts}", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, overrides, weights in builds:
            t0 = time.perf_counter()
            config = {**train_ranker.DEFAULTS, **overrides}
            examples = train_ranker.prepare(train, config, args.workers, weights)
            models, mean, std, _ = train_ranker.train_members(examples, config, log=lambda m: print(m, file=sys.stderr))
            out = Path(tmp) / name
            train_ranker.save(models, mean, std, config, {"cv": True}, out)
            got = score(out, back)
            rows.append((name, overrides, weights, got, time.perf_counter() - t0))
            print(f"{name}: " + ", ".join(f"{s} {v:.2f}" for s, v in got.items()), file=sys.stderr)
    argv_text = " ".join(f'"{a}"' if " " in a else a for a in (argv if argv is not None else sys.argv[1:]))
    lines = [f"<!-- made by: python -m models.experiments.ranker_cv {argv_text} -->", "",
             f"Training-side cross-validation: 1 pair in {FOLDS} of every corpus held back by a hash of its "
             f"text; {len(train):,} training pairs; mean(R-1, R-L) on the held-back pairs scored "
             f"({', '.join(f'{s} {n}' for s, n in counts.items())}), the reference's length as budget", "",
             "| build | settings | " + " | ".join(COLUMNS) + " | minutes |",
             "|---|---|" + "---:|" * (len(COLUMNS) + 1)]
    for name, overrides, weights, got, seconds in rows:
        settings = ", ".join([f"{k}={v}" for k, v in overrides.items()] +
                             [f"{s}×{w:g}" for s, w in weights.items()]) or "defaults"
        cells = " | ".join(f"{got[s]:.2f}" if s in got else "–" for s in COLUMNS)
        lines.append(f"| {name} | {settings} | {cells} | {seconds / 60:.1f} |")
    lines += ["", f"{(time.perf_counter() - started) / 60:.0f} minutes in all"]
    print("\n".join(lines))
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
