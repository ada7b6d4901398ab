"""python -m models.evaluate summarization [--data FILE.jsonl ...] [--preset NAME] [--limit N]

Character-level ROUGE-1/2/L F1 (models/evaluate/rouge.py) of our embedded summarizer and four
baselines (Lead-1, Lead-3, SnowNLP summary, TextRank4ZH; models/evaluate/baselines.py), in one run.

Matched length: every system gets the same budget per item, the reference summary's length in
characters (`--budget reference`, default; or `--budget N` for a fixed number), and is cut to it by
whole sentences the same way (see baselines.fit). The table shows each system's average output length
so that the matching is visible.

Articles are plain text, read with service.summarization.plaindoc.document_from_text (one section,
paragraphs by line, the reader's sentence splitter) so that the evaluation measures the summarizer.

Presets (paths relative to the shared data folder, default ../shared/data next to the project, or
$ZHNEWS_SHARED_DATA):
    lcsts        lcsts_part3/test.jsonl, human_label >= 3 (725)
    finna        finna_fincuge/test.jsonl (147)
    cfbenchmark  cfbenchmark_summary/test.jsonl minus cfbenchmark-dev (the reported three quarters)
    cfbenchmark-all  all 592 items (includes the tuning quarter; for reference only)
    clts         clts_samples/clts_samples.jsonl + clts_plus_samples.jsonl (12)
    flash        flash_news_headlines, held out by date (after 2026-07-20; models/corpora.py), 1000 sampled
    cctv         cctv_xwlb_headlines, held out by date (2025), 1000 sampled
    all          all of the above, one table each
Every table ends with the clause-run oracle (models/evaluate/oracle.py): the best run of whole
clauses within the budget, chosen with the reference, as the ceiling of extraction.
    dev          the tuning split, never reported: LCSTS PART III human_label < 3 and FinNA test_all
                 items that are not in test.jsonl (400, seeded sample)
    dev-long     tuning proxy for long news: 中国经济网/人民日报 articles, title as pseudo-reference
    cfbenchmark-dev  tuning split for research reports: the quarter of cfbenchmark_summary chosen by a
                 hash of the id (never reported)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

from models import corpora
from models.evaluate.oracle import oracle
from models.evaluate.rouge import rouge

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OURS = "embedded (ours)"
HANDSET = "hand-set scorer (old)"
ORACLE = "clause-run oracle (ceiling)"
SYSTEMS = [OURS, HANDSET, "Lead-1", "Lead-3", "SnowNLP", "TextRank4ZH", ORACLE]
HELD_OUT_SAMPLE = 1000      # items of each headline corpus's held-out split scored (seeded sample)
DEV_SAMPLE = 400            # items of each headline corpus's set-aside training split (dev-headlines)


def shared_data() -> Path:
    return Path(os.environ.get("ZHNEWS_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data")


def load_jsonl(path: Path | str, where=None) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("article") and item.get("summary") and (where is None or where(item)):
                items.append(item)
    return items


def _dev(root: Path) -> list[dict]:
    lcsts = load_jsonl(root / "lcsts_part3/test.jsonl", lambda x: x.get("human_label", 0) < 3)
    reported = {x["id"] for x in load_jsonl(root / "finna_fincuge/test.jsonl")}
    finna = [x for x in load_jsonl(root / "finna_fincuge/test_all.jsonl") if x["id"] not in reported]
    finna = random.Random(0).sample(finna, min(400, len(finna)))
    return lcsts + finna


def _cfbenchmark(root: Path, dev: bool) -> list[dict]:
    """CFBenchmark split by a hash of the id: a quarter is the research-report tuning split (never
    reported), the other three quarters are the reported items. The set has no dev split of its own."""
    import hashlib

    def in_dev(item):
        return int(hashlib.sha1(item["id"].encode()).hexdigest()[:8], 16) % 4 == 0

    return [x for x in load_jsonl(root / "cfbenchmark_summary/test.jsonl") if in_dev(x) == dev]


def _dev_long(root: Path) -> list[dict]:
    items, seen = [], set()
    for line in open(root / "ce_people_daily_articles/articles.jsonl", encoding="utf-8"):
        x = json.loads(line)
        article = "\n".join(x.get("paragraphs") or [x.get("text", "")])
        if x.get("title") and article not in seen and len(article) > 300:
            seen.add(article)
            items.append({"id": x["id"], "article": article, "summary": x["title"]})
    return items


PRESETS = {
    "lcsts": lambda r: [("lcsts_part3 (human_label>=3)",
                         load_jsonl(r / "lcsts_part3/test.jsonl", lambda x: x.get("human_label", 0) >= 3))],
    "finna": lambda r: [("finna_fincuge test.jsonl", load_jsonl(r / "finna_fincuge/test.jsonl"))],
    "cfbenchmark": lambda r: [("cfbenchmark_summary test.jsonl, reported 3/4 (not cfbenchmark-dev)",
                               _cfbenchmark(r, dev=False))],
    "cfbenchmark-all": lambda r: [("cfbenchmark_summary test.jsonl, all (includes the tuning quarter)",
                                   load_jsonl(r / "cfbenchmark_summary/test.jsonl"))],
    "clts": lambda r: [("clts + clts_plus samples", load_jsonl(r / "clts_samples/clts_samples.jsonl")
                        + load_jsonl(r / "clts_samples/clts_plus_samples.jsonl"))],
    "dev": lambda r: [("dev (lcsts label<3 + finna test_all not in test)", _dev(r))],
    # long-article proxy for tuning (never reported): 中国经济网/人民日报 articles, title as pseudo-reference
    "cfbenchmark-dev": lambda r: [("cfbenchmark-dev (research reports, tuning quarter)", _cfbenchmark(r, dev=True))],
    "dev-long": lambda r: [("dev-long (ce_people_daily articles, title as reference)", _dev_long(r))],
}
PRESETS["flash"] = lambda r: [(f"flash news held out (after {corpora.FLASH_HELD_OUT_AFTER}), {HELD_OUT_SAMPLE} sampled",
                                corpora.held_out(r, corpora.FLASH, HELD_OUT_SAMPLE))]
PRESETS["cctv"] = lambda r: [(f"CCTV news held out ({corpora.CCTV_HELD_OUT_YEAR}), {HELD_OUT_SAMPLE} sampled",
                               corpora.held_out(r, corpora.CCTV, HELD_OUT_SAMPLE))]
PRESETS["dev-headlines"] = lambda r: [
    (f"dev-headlines: flash news set aside from training (never held out), {DEV_SAMPLE} sampled",
     corpora.aside(r, corpora.FLASH, DEV_SAMPLE)),
    (f"dev-headlines: CCTV news set aside from training (never held out), {DEV_SAMPLE} sampled",
     corpora.aside(r, corpora.CCTV, DEV_SAMPLE))]
PRESETS["all"] = lambda r: [s for k in ("lcsts", "finna", "cfbenchmark", "clts", "flash", "cctv")
                            for s in PRESETS[k](r)]


def budget_for(item: dict, mode: str) -> int:
    if mode == "reference":
        return len(item["summary"].strip())
    return int(mode)


def run_systems(items: list[dict], budget_mode: str = "reference", systems: list[str] | None = None,
                summarizer=None) -> dict[str, dict]:
    """Per system: mean R-1/R-2/R-L F1 (x100), mean output chars, seconds, and per-item outputs."""
    from models.evaluate.baselines import BASELINES
    from service.summarization.plaindoc import document_from_text

    systems = systems or SYSTEMS
    if OURS in systems and summarizer is None:
        from service.summarization.embedded import EmbeddedSummarizer
        summarizer = EmbeddedSummarizer()
    handset = None
    if HANDSET in systems:
        from models.evaluate.handset import HandSetSummarizer
        handset = HandSetSummarizer()
    results = {}
    for name in systems:
        r1 = r2 = rl = chars = 0.0
        outputs = []
        started = time.perf_counter()
        for item in items:
            budget = budget_for(item, budget_mode)
            if name in (OURS, HANDSET):
                engine = summarizer if name == OURS else handset
                output = engine.summarize(document_from_text(item["article"]), max_chars=budget).text
            elif name == ORACLE:
                output = oracle(item["article"], item["summary"], budget)
            else:
                output = BASELINES[name](item["article"], budget)
            score = rouge(output, item["summary"])
            r1, r2, rl, chars = r1 + score.rouge1, r2 + score.rouge2, rl + score.rougeL, chars + len(output)
            outputs.append(output)
        n = max(1, len(items))
        results[name] = dict(r1=100 * r1 / n, r2=100 * r2 / n, rl=100 * rl / n, chars=chars / n,
                             seconds=time.perf_counter() - started, outputs=outputs)
    return results


def format_table(title: str, items: list[dict], results: dict[str, dict]) -> str:
    ref = sum(len(x["summary"].strip()) for x in items) / max(1, len(items))
    art = sum(len(x["article"]) for x in items) / max(1, len(items))
    lines = [f"### {title}: {len(items)} items, article {art:.0f} chars, reference {ref:.1f} chars (= budget)",
             "",
             "| system | R-1 | R-2 | R-L | avg chars |",
             "|---|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['r1']:.2f} | {r['r2']:.2f} | {r['rl']:.2f} | {r['chars']:.1f} |")
    if OURS in results and len(results) > 1 + (ORACLE in results):
        others = {k: v for k, v in results.items() if k not in (OURS, ORACLE)}
        ours = results[OURS]
        margins = []
        for key, label in (("r1", "R-1"), ("r2", "R-2"), ("rl", "R-L")):
            best = max(others, key=lambda k: others[k][key])
            margins.append(f"{label} {ours[key] - others[best][key]:+.2f} (vs {best})")
        lines += ["", "margin of ours over the best baseline: " + ", ".join(margins)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.evaluate summarization", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append", default=[], help="JSONL with id, article, summary")
    parser.add_argument("--preset", choices=sorted(PRESETS), action="append", default=[])
    parser.add_argument("--limit", type=int, default=None, help="first N items of each set")
    parser.add_argument("--budget", default="reference", help="'reference' (default) or a fixed char count")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of: " + ", ".join(SYSTEMS))
    parser.add_argument("--markdown", default=None, help="also write the tables to this file (docs/figures/…), "
                        "headed by the command that made them")
    parser.add_argument("--ranker", default=None, help="the embedded engine's ranker artifact (path or "
                        "name in models/artifacts; default summarizer-ranker)")
    parser.add_argument("--tune", action="store_true", help="search the engine's weights on the sets "
                        "given (use --preset dev only) and print them")
    parser.add_argument("--tune-params", default=None, help="comma-separated weight names to search")
    parser.add_argument("--tune-regime", choices=["short", "report", "long"], default=None,
                        help="tune one regime's weights on the items of that kind (service/summarization/regimes.py)")
    args = parser.parse_args(argv)
    sets = [(str(p), load_jsonl(p)) for p in args.data]
    for name in args.preset:
        root = shared_data()
        if not root.exists():
            print(f"shared data not found at {root} (set ZHNEWS_SHARED_DATA)", file=sys.stderr)
            return 2
        sets += PRESETS[name](root)
    if not sets:
        parser.error("give --data FILE.jsonl or --preset NAME")
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        parser.error(f"unknown systems {unknown}; choose from {SYSTEMS}")
    if args.tune:
        items = [x for _, its in sets for x in its][:args.limit]
        names = args.tune_params.split(",") if args.tune_params else None
        print(tune(items, budget_mode=args.budget, names=names, regime=args.tune_regime))
        return 0
    from models.evaluate.baselines import warm_up
    warm_up()
    engine = None
    if OURS in systems:
        from service.summarization.embedded import EmbeddedSummarizer
        engine = EmbeddedSummarizer(args.ranker or "summarizer-ranker")
    header = (f"character-level ROUGE F1 x100 (whitespace and punctuation ignored); budget per item: "
              f"{'reference length in chars' if args.budget == 'reference' else args.budget + ' chars'}; "
              f"every system cut to it by whole sentences\n")
    print(header)
    written = [f"<!-- made by: python -m models.evaluate summarization {' '.join(argv or sys.argv[1:])} -->",
               "", header]
    for title, items in sets:
        if args.limit:
            items = items[:args.limit]
        results = run_systems(items, args.budget, systems, summarizer=engine)
        table = format_table(title, items, results)
        times = ", ".join(f"{k} {v['seconds']:.1f} s" for k, v in results.items())
        print(table)
        print(f"\ntime per system: {times}\n")
        written += [table, "", f"time per system: {times}", ""]
        sys.stdout.flush()
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text("\n".join(written), encoding="utf-8")
    return 0


def tune(items: list[dict], rounds: int = 2, budget_mode: str = "reference", names: list[str] | None = None,
         start=None, regime: str | None = None) -> "Weights":
    """Coordinate search of the embedded engine's weights on `items` (use tuning splits only: dev,
    dev-long, cfbenchmark-dev). With `regime` (short/report/long), only the items of that kind are
    used and the search starts from that regime's weights. Each trial runs the engine's own steps
    (prepare with the budget's candidate cap, then select; encoder outputs cached). Objective: mean of
    ROUGE-1 and ROUGE-L F1 at the budget."""
    import dataclasses

    from service.encoder import encode
    from models.evaluate import handset_regimes as regimes
    from models.evaluate.handset import Weights, prepare, select
    from service.summarization.plaindoc import document_from_text

    cache: dict[str, object] = {}

    def cached_encode(texts):
        import numpy as np
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            for t, v in zip(missing, encode(missing)):
                cache[t] = v
        return np.stack([cache[t] for t in texts]) if texts else encode([])

    docs = [(document_from_text(item["article"]), item) for item in items]
    if regime:
        docs = [(d, item) for d, item in docs if regimes.regime(d) == regime]
        start = start or dataclasses.replace(Weights(), **regimes.OVERRIDES[regime])
    print(f"tuning on {len(docs)} items", file=sys.stderr)

    def objective(w) -> float:
        total = 0.0
        for doc, item in docs:
            budget = budget_for(item, budget_mode)
            feats = prepare(doc, cached_encode, budget, w)
            if feats is None:
                continue
            chosen, _ = select(doc, feats, budget, None, w)
            score = rouge("".join(s.text for s in chosen), item["summary"])
            total += (score.rouge1 + score.rougeL) / 2
        return 100 * total / max(1, len(docs))

    grid = {
        "centrality": [0.0, 0.5, 1.0, 2.0], "lexical": [0.0, 0.5, 1.0, 2.0], "position": [0.0, 0.75, 1.5, 3.0],
        "tau": [1.0, 3.0, 10.0], "paragraph_lead": [0.0, 0.3], "figures": [0.0, 0.2, 0.5], "short": [0.0, 1.0],
        "fill": [0.0, 0.3, 1.0], "redundancy": [0.5, 1.0, 2.0],
        "window_centrality": [0.0, 1.0, 3.0], "window_fill": [0.0, 1.0, 3.0], "window_sentences": [1, 3, 8],
        "window_score": [0.0, 0.3, 1.0, 3.0], "window_prefix": [0.0, 0.1, 0.3, 1.0],
        "window_position": [0.0, 0.1, 0.3, 1.0], "window_below": [0.0, 0.5, 0.7, 0.8, 0.9, 1.0],
        "refill": [0.0, 0.5, 1.0, 2.0, 4.0], "paragraph_coverage": [0.0, 0.3, 1.0, 2.0],
    }
    if names:
        grid = {k: v for k, v in grid.items() if k in names}
    best = start or Weights()
    best_score = objective(best)
    print(f"start {best_score:.3f}", file=sys.stderr)
    for _ in range(rounds):
        for name, values in grid.items():
            for value in values:
                trial = dataclasses.replace(best, **{name: value})
                s = objective(trial)
                if s > best_score + 1e-6:
                    best, best_score = trial, s
                    print(f"  {name}={value}: {s:.3f}", file=sys.stderr)
    print(f"best {best_score:.3f}: {best}", file=sys.stderr)
    return best


if __name__ == "__main__":
    sys.exit(main())
