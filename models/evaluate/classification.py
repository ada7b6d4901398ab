"""python -m models.evaluate classification [--devset PATH] [--finnl PATH] [--limit N] ...

Section tagging, in one run:

1. Development set (real sections, models/devset; the project's own labels; `--devset tuning` scores
   the tuning set instead, the real sections that design choices are made on): the default (embedded)
   engine, the keyword baseline (jieba TF-IDF against tag descriptions) and the zero-shot engine
   (built-in descriptions + examples) side by side — top-1 accuracy (predicted primary == gold
   primary), top-1 in any gold tag, macro-/micro-F1 over the tag sets (multi-label, per tag present
   in the gold labels), sections per second, and a confusion summary (most frequent gold → predicted
   primary confusions). The opt-in `embedded-e5` engine is scored alongside when its artifact
   (models/artifacts/tagger-e5.*) is there, unless `--skip e5`.
2. Corpus k-fold cross-validation of the default (models/tag_corpus, the training corpus; out-of-fold
   scores with the shipped thresholds), and the zero-shot engine on the same corpus (no training).
   With `--validate-on part4` (a corpus file's stem; repeatable), it also trains on the other corpus
   files with the shipped feature settings and scores the held-out file: the transfer checks that
   design choices were made on (part3 is written in the styles of real sections, part4 at their length).
3. FinNL (../shared/data/finnl_fincuge_cls/test.jsonl, all items): the custom-tag-set path — the
   zero-shot engine over models/tagsets/finnl_fincuge.yaml with descriptions only and with the
   ≤5 examples per tag — micro- and macro-F1 (upstream noise labels are not scored).

Parts whose data is missing are skipped with a note. Nothing here trains on the dev set or FinNL.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from service import encoder

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FINNL = SHARED / "data" / "finnl_fincuge_cls" / "test.jsonl"
FINNL_TAGS = ROOT / "models" / "tagsets" / "finnl_fincuge.yaml"
FINNL_NOISE = {"政府", "外国经济", "中国经济", "公园", "躯体", "屈辱", "上个"}


# ---------------------------------------------------------------- metrics
def scores(pred: list[list[str]], gold: list[list[str]], labels: list[str] | None = None) -> dict:
    """top-1 (first predicted == first gold), top-1 in any gold, micro/macro-F1 over `labels`
    (default: every label that occurs in the gold sets)."""
    if labels is None:
        labels = sorted({t for g in gold for t in g})
    n = len(gold)
    top1 = sum(bool(p) and bool(g) and p[0] == g[0] for p, g in zip(pred, gold)) / max(1, n)
    any1 = sum(bool(p) and p[0] in g for p, g in zip(pred, gold)) / max(1, n)
    per = {}
    tp_all = fp_all = fn_all = 0
    for t in labels:
        tp = sum(t in p and t in g for p, g in zip(pred, gold))
        fp = sum(t in p and t not in g for p, g in zip(pred, gold))
        fn = sum(t not in p and t in g for p, g in zip(pred, gold))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        per[t] = 2 * tp / max(1, 2 * tp + fp + fn)
    micro = 2 * tp_all / max(1, 2 * tp_all + fp_all + fn_all)
    primary = [t for t in labels if any(g and g[0] == t for g in gold)]
    primary_f1 = []
    for t in primary:          # primary macro-F1: the first tag of each side only
        tp = sum(bool(p) and bool(g) and p[0] == t and g[0] == t for p, g in zip(pred, gold))
        fp = sum(bool(p) and p[0] == t and (not g or g[0] != t) for p, g in zip(pred, gold))
        fn = sum(bool(g) and g[0] == t and (not p or p[0] != t) for p, g in zip(pred, gold))
        primary_f1.append(2 * tp / max(1, 2 * tp + fp + fn))
    returned = sum(len(p) for p in pred)
    return {"n": n, "top1": top1, "top1_any": any1, "macro_f1": float(np.mean(list(per.values()))) if per else 0.0,
            "micro_f1": micro, "per_tag": per,
            "primary_macro_f1": float(np.mean(primary_f1)) if primary_f1 else 0.0,
            "micro_p": tp_all / max(1, tp_all + fp_all), "micro_r": tp_all / max(1, tp_all + fn_all),
            "tags_per_section": returned / max(1, n),
            "per_tag_pr": {t: (sum(t in p and t in g for p, g in zip(pred, gold)) / max(1, sum(t in p for p in pred)),
                               sum(t in p and t in g for p, g in zip(pred, gold)) / max(1, sum(t in g for g in gold)),
                               sum(t in p for p in pred)) for t in labels}}


def reliability(rows: list[list], gold: list[list[str]], bins: int = 10) -> tuple[float, list[tuple]]:
    """Expected calibration error over every returned tag (score vs. is it among the gold tags), and
    the table behind it: (bin, returned, mean score, share right)."""
    pairs = [(t.score, t.id in g) for row, g in zip(rows, gold) for t in row]
    table, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(s, r) for s, r in pairs if lo <= s < hi or (b == bins - 1 and s == 1.0)]
        if not inside:
            continue
        mean_s = sum(s for s, _ in inside) / len(inside)
        right = sum(r for _, r in inside) / len(inside)
        ece += len(inside) / max(1, len(pairs)) * abs(mean_s - right)
        table.append((f"{lo:.1f}–{hi:.1f}", len(inside), f"{mean_s:.3f}", f"{right:.3f}"))
    return ece, table


def confusions(pred: list[list[str]], gold: list[list[str]], k: int = 5) -> list[tuple[str, str, int]]:
    c = Counter((g[0], p[0]) for p, g in zip(pred, gold) if p and g and p[0] != g[0])
    return [(a, b, n) for (a, b), n in sorted(c.items(), key=lambda x: (-x[1], x[0]))[:k]]


def _run(tagger, texts, headings, repeats: int = 1):
    """Predicted tag ids and sections/s (the best of `repeats` timed runs: this machine is shared, and
    the best run is the least disturbed one)."""
    # warm the encoder and any lazy state on one item first, so the rate measures steady work
    tagger.classify(texts[:1], headings=headings[:1])
    rate, out = 0.0, None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        out = tagger.classify(texts, headings=headings)
        rate = max(rate, len(texts) / max(time.perf_counter() - t0, 1e-9))
    # the primary tag first (classify orders by score and marks it), for top-1 and primary metrics
    rows = [sorted(row, key=lambda t: not getattr(t, "primary", False)) for row in out]
    return [[t.id for t in row] for row in rows], rate, rows


def _table(rows: list[tuple], header: tuple) -> str:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in cells[1:]])


# ---------------------------------------------------------------- data
def _read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_dev(path: str | None) -> tuple[list[dict] | None, str]:
    """`path`: None for the dev set, "tuning" for the tuning set (models/devset/tuning.jsonl), or a
    JSONL file of {text, heading, tags}."""
    if path and path != "tuning":
        rows = _read_jsonl(path)
        return [{"id": r.get("id"), "text": r["text"], "heading": r.get("heading"), "tags": list(r["tags"])}
                for r in rows], str(path)
    try:
        from models.devset.load import TUNING, load_devset
    except ImportError as exc:
        return None, f"dev set loader missing ({exc})"
    try:
        if path == "tuning":
            return load_devset(sections_file=TUNING), "the tuning set, models/devset/tuning.jsonl (real sections; for design choices)"
        return load_devset(), "models/devset (real sections from ../shared/data)"
    except FileNotFoundError as exc:
        return None, f"dev set skipped: {exc}"


# ---------------------------------------------------------------- parts
def devset_part(rows, args, out) -> None:
    from models.evaluate.keyword_baseline import KeywordTagger
    from service.tagging.embedded import E5_ARTIFACT_NAME, EmbeddedE5Tagger, EmbeddedTagger, default_artifact_dir
    from service.tagging.zero_shot import ZeroShotTagger

    texts = [r["text"] for r in rows]
    heads = [r["heading"] for r in rows]
    gold = [r["tags"] for r in rows]
    systems = [("default (embedded)", lambda: EmbeddedTagger(artifact_dir=args.artifact)),
               ("keyword baseline (jieba TF-IDF)", lambda: KeywordTagger()),
               ("zero-shot (descriptions + examples)", lambda: ZeroShotTagger())]
    e5_dir = Path(args.artifact) if args.artifact else default_artifact_dir()
    if "e5" not in args.skip and (e5_dir / f"{E5_ARTIFACT_NAME}.npz").is_file():
        systems.insert(1, ("opt-in embedded-e5", lambda: EmbeddedE5Tagger(artifact_dir=e5_dir)))
    table, conf, calib, per_tag, reviews = [], [], [], [], []
    from service.tagging.tense import ASPECT, reviews_the_past

    review = [i for i, r in enumerate(rows) if reviews_the_past(r["heading"], r["text"])]
    for name, make in systems:
        pred, rate, tagged = _run(make(), texts, heads, repeats=args.repeats)
        s = scores(pred, gold)
        ece, bins = reliability(tagged, gold)
        table.append((name, f"{s['top1']:.3f}", f"{s['top1_any']:.3f}", f"{s['macro_f1']:.3f}", f"{s['micro_f1']:.3f}",
                      f"{s['primary_macro_f1']:.3f}", f"{s['micro_p']:.3f}", f"{s['micro_r']:.3f}",
                      f"{s['tags_per_section']:.2f}", f"{ece:.3f}", f"{rate:.0f}"))
        conf.append((name, confusions(pred, gold)))
        calib.append((name, bins))
        per_tag.append((name, s["per_tag_pr"]))
        reviews.append((name, sum(ASPECT in pred[i] for i in review)))
    out(_table(table, ("system", "top-1 acc", "top-1 in gold", "macro-F1", "micro-F1", "primary macro-F1",
                       "micro P", "micro R", "tags/section", "ECE", "sections/s")))
    try:
        load = f"load average {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} cores"
    except (AttributeError, OSError):
        load = "load unknown"
    out(f"(sections/s: best of {args.repeats} whole classify() calls incl. encoding, after one warm-up item; "
        f"encoder threads {encoder.threads()}; {load})")
    out("")
    out("confusion summary (gold primary → predicted primary, most frequent):")
    for name, cs in conf:
        out(f"  {name}: " + ("; ".join(f"{a}→{b} ×{n}" for a, b, n in cs) or "none"))
    out("")
    out(f"review sections (looking back, service.tagging.tense: {len(review)} of {len(rows)}) tagged {ASPECT}: "
        + ", ".join(f"{name} {n}" for name, n in reviews))
    out("")
    for name, bins in calib:
        out(f"reliability, {name} (every returned tag: score bin, tags, mean score, share among the gold tags):")
        out(_table(bins, ("score", "tags", "mean score", "right")))
        out("")
    name, pr = per_tag[0]
    out(f"per-tag precision and recall, {name} (tags predicted 10 or more times below 0.5 precision: "
        + (", ".join(t for t, (p, _, k) in pr.items() if k >= 10 and p < 0.5) or "none") + "):")
    out(_table([(t, f"{p:.2f}", f"{r:.2f}", k) for t, (p, r, k) in sorted(pr.items())],
               ("tag", "precision", "recall", "predicted")))


def corpus_part(args, out) -> None:
    from models.train_tagger import cross_validate, load_corpus
    from service.tagging.embedded import LinearHead, decide
    from service.tagging.features import featurize
    from service.tagging.tagset import TagSet
    from service.tagging.zero_shot import ZeroShotTagger

    rows = load_corpus(args.corpus)
    if args.limit:
        rows = rows[: args.limit]
    if len(rows) < 2 * args.folds:
        out(f"corpus CV skipped: {len(rows)} items")
        return
    head = LinearHead.load(args.artifact)
    ts = TagSet.builtin()
    feats = featurize([r["text"] for r in rows], [r["heading"] for r in rows], head.cfg)
    p = cross_validate(rows, feats, ts.ids, head.cfg, n_folds=args.folds, other=ts.other)   # as the build's CV
    # the artifact's tag order is the built-in one; use its thresholds on the out-of-fold scores
    pred = [[t for t, _ in r] for r in decide(p, ts.ids, head.thresholds, head.min_score, ts.other,
                                                  head.aspect, head.aspect_floor)]
    gold = [r["tags"] for r in rows]
    s = scores(pred, gold)
    zs = ZeroShotTagger()
    zpred, _, _ = _run(zs, [r["text"] for r in rows], [r["heading"] for r in rows])
    z = scores(zpred, gold)
    out(_table([(f"default (embedded), {args.folds}-fold CV", f"{s['top1']:.3f}", f"{s['top1_any']:.3f}", f"{s['macro_f1']:.3f}", f"{s['micro_f1']:.3f}"),
                ("zero-shot (no training)", f"{z['top1']:.3f}", f"{z['top1_any']:.3f}", f"{z['macro_f1']:.3f}", f"{z['micro_f1']:.3f}")],
               ("system (corpus, n=%d)" % len(rows), "top-1 acc", "top-1 in gold", "macro-F1", "micro-F1")))


def validation_part(args, out) -> None:
    """Train on the corpus files not named in --validate-on (thresholds from their own k-fold), score the named ones."""
    from models.train_tagger import build, load_corpus
    from service.tagging.embedded import LinearHead

    corpus = Path(args.corpus)
    files = sorted(corpus.glob("*.jsonl")) if corpus.is_dir() else [corpus]
    held = [f for f in files if f.stem in args.validate_on]
    train = [f for f in files if f.stem not in args.validate_on]
    missing = sorted(set(args.validate_on) - {f.stem for f in held})
    if missing or not train:
        out(f"validation skipped: {'no file ' + ', '.join(missing) if missing else 'nothing left to train on'} in {corpus}")
        return
    cfg = LinearHead.load(args.artifact).cfg
    trows, vrows = load_corpus(train), load_corpus(held)
    if args.limit:
        trows, vrows = trows[: args.limit], vrows[: args.limit]
    head, _ = build(trows, cfg=cfg, n_folds=args.folds)
    pred = [[t for t, _ in r] for r in head.decide(_probs(head, vrows))]
    s = scores(pred, [r["tags"] for r in vrows])
    name = f"default (embedded), trained on {'+'.join(f.stem for f in train)} (n={len(trows)})"
    out(_table([(name, f"{s['top1']:.3f}", f"{s['top1_any']:.3f}", f"{s['macro_f1']:.3f}", f"{s['micro_f1']:.3f}")],
               (f"held out: {'+'.join(f.stem for f in held)} (n={len(vrows)})", "top-1 acc", "top-1 in gold", "macro-F1", "micro-F1")))
    out("confusions: " + ("; ".join(f"{a}→{b} ×{n}" for a, b, n in confusions(pred, [r["tags"] for r in vrows])) or "none"))


def _probs(head, rows):
    from service.tagging.features import featurize

    return head.probs(featurize([r["text"] for r in rows], [r["heading"] for r in rows], head.cfg))


def finnl_part(path, args, out) -> None:
    from service.tagging.tagset import TagSet
    from service.tagging.zero_shot import ZeroShotTagger

    items = _read_jsonl(path)
    if args.limit:
        items = items[: args.limit]
    ts = TagSet.load(args.finnl_tags)
    labels = [t for t in ts.ids if t != ts.other]
    gold = [[x for x in it["labels"] if x not in FINNL_NOISE] for it in items]
    labels = [t for t in labels if any(t in g for g in gold)]
    texts = [it["text"] for it in items]
    n_ex = max(len(t.examples) for t in ts.tags)
    rows = []
    for name, use in (("zero-shot, descriptions only", False), (f"zero-shot, descriptions + ≤{n_ex} examples", True)):
        pred, rate, _ = _run(ZeroShotTagger(tagset=ts, use_examples=use), texts, [None] * len(texts))
        s = scores(pred, gold, labels)
        rows.append((name, f"{s['micro_f1']:.3f}", f"{s['macro_f1']:.3f}", f"{s['top1_any']:.3f}", f"{rate:.0f}"))
    out(_table(rows, (f"FinNL test (n={len(items)}, {len(labels)} classes)", "micro-F1", "macro-F1", "top-1 in gold", "items/s")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.evaluate classification", description=__doc__.split("\n")[2])
    ap.add_argument("--devset", default=None, help="JSONL {text, heading, tags}, or `tuning` for the tuning set (default: the dev set, models/devset)")
    ap.add_argument("--finnl", default=str(FINNL), help="FinNL test JSONL {id, text, labels}")
    ap.add_argument("--finnl-tags", default=str(FINNL_TAGS), help="the FinNL classes as a user's tag file")
    ap.add_argument("--corpus", default=str(ROOT / "models" / "tag_corpus"), help="training corpus for the CV part")
    ap.add_argument("--artifact", default=None, help="tagger artifact folder (default models/artifacts)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per system on the dev set (best is reported)")
    ap.add_argument("--limit", type=int, default=None, help="use at most N items of each data set (quick runs)")
    ap.add_argument("--skip", action="append", default=[], choices=["devset", "e5", "cv", "finnl"],
                    help="skip a part (e5: the opt-in e5 engine on the dev set)")
    ap.add_argument("--validate-on", action="append", default=[], metavar="PART",
                    help="also train on the other corpus files and score this one (a file stem, e.g. part3)")
    ap.add_argument("--markdown", default=None, help="also write everything printed to this file "
                    "(docs/figures/…), headed by the command that made it")
    args = ap.parse_args(argv)
    written = [f"<!-- made by: python -m models.evaluate classification {' '.join(argv or sys.argv[1:])} -->", ""]

    def out(line: str = "") -> None:
        print(line, flush=True)
        written.append(line)

    try:
        return _report(args, out)
    finally:
        if args.markdown:
            Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
            Path(args.markdown).write_text("\n".join(written) + "\n", encoding="utf-8")


def _report(args, out) -> int:

    out("## Section tagging: " + ("tuning set" if args.devset == "tuning" else "development set"))
    if "devset" in args.skip:
        out("(skipped)")
    else:
        rows, origin = load_dev(args.devset)
        if rows is None:
            out(origin)
        else:
            if args.limit:
                rows = rows[: args.limit]
            out(f"{len(rows)} sections from {origin}; primary tags: " +
                ", ".join(f"{t} {n}" for t, n in Counter(r['tags'][0] for r in rows).most_common()))
            out("")
            devset_part(rows, args, out)
    out("")
    out("## Training corpus, cross-validated (not the dev set)")
    if "cv" in args.skip:
        out("(skipped)")
    else:
        corpus_part(args, out)
    if args.validate_on:
        out("")
        out("## Style transfer: held-out corpus file (not the dev set)")
        validation_part(args, out)
    out("")
    out("## Custom tag set: FinNL (BBT-FinCUGE) classes as a user's tag file")
    if "finnl" in args.skip:
        out("(skipped)")
    elif not Path(args.finnl).is_file():
        out(f"FinNL skipped: {args.finnl} not found")
    else:
        finnl_part(args.finnl, args, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
