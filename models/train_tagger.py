"""Build the embedded section tagger from the project's own labelled corpus.

    python -m models.train_tagger --teacher e5    # models/tag_corpus/*.jsonl -> models/artifacts/tagger.{npz,json}
    python -m models.train_tagger --limit 60 --out /tmp/t   # a quick build on a subset
    python -m models.train_tagger --encoder e5     # -> models/artifacts/tagger-e5.{npz,json} (engine embedded-e5)

Deterministic: inputs sorted by id, fixed seeds, single-threaded BLAS, liblinear with a fixed
random_state, and an npz written with fixed zip timestamps — two builds give identical bytes.

Method: features from service.tagging.features; one-vs-rest logistic regression per tag.
- All of an item's tags are positives, its secondary tags with a smaller sample weight (SECONDARY_WEIGHT).
- Items with a heading are also added once without it and once as the heading alone, so the head works
  with and without headings and learns what a heading says by itself.
- The body-embedding block is scaled by FeatureConfig.body_weight (regularised more than the n-grams,
  which generalise better from tidy sections to report-style ones).
- Each item is also trained in MIX_ROUNDS mixed sections (mixed_sections).
- Per-tag thresholds and the fallback `min_score` are chosen on out-of-fold scores of a stratified
  k-fold over the corpus, then scaled by THRESHOLD_SCALE; the final head is fit on everything.
Design choices are made on the tuning set (models/devset/tuning.jsonl) and held-out corpus halves, never
on the dev set; docs/tagging.md has the measurements.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from models.training import read_jsonl
from service.tagging.embedded import ARTIFACT_NAMES

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "models" / "tag_corpus"
SEED = 20240601
C_DEFAULT = 4.0
# Training settings. Each was chosen on held-out halves of part4 or on the tuning set, never on the
# dev set; docs/tagging.md ("Training settings and how they were chosen") gives the measurements.
# A secondary tag is a weaker positive than the primary one (equal weights let tags that are often
# secondary, outlook above all, outscore the dominant topic of long multi-topic sections).
SECONDARY_WEIGHT = 0.2
SECONDARY_WEIGHT_BY_TAG = {"outlook": 0.02}      # outlook is mostly an aspect of another topic
MIX_SHARE = 0.5          # share of a mixed section (mixed_sections) taken by the other row's text
MIX_ROUNDS = 4           # rounds of mixed sections per row, each with other partners
CV_MIX_ROUNDS = 2        # in the threshold-choosing cross-validation (keeps the build ~20 min on 2 cores)
# Real sections are harder than the corpus's, so thresholds chosen on corpus out-of-fold scores are
# scaled down; `outlook` leads only when no other tag reaches ASPECT_FLOOR (service.tagging.embedded.decide).
THRESHOLD_SCALE = 0.6
ASPECT, ASPECT_FLOOR = "outlook", 0.3
# Per-encoder feature settings (artifact names: service.tagging.embedded.ARTIFACT_NAMES): e5's
# embeddings carry more of the topic than USE's, so its body block is regularised less.
ENCODER_SETTINGS = {"use": {}, "e5": {"body_weight": 1.5}}
# Self-training on real text (self_train): items read per corpus, the confidence a pseudo-label needs,
# and a cap per tag so that the frequent topics of news (markets, innovation) do not swamp the rest.
# On the tuning set it moved top-1 0.763 → 0.767, macro-F1 0.717 → 0.735, micro P 0.761 → 0.776; labelled by
# the e5 head (--teacher e5) instead, top-1 0.758 → 0.763, macro-F1 0.735 → 0.751, micro P 0.812 → 0.826.
SELF_TRAIN_ITEMS, SELF_TRAIN_FLOOR, SELF_TRAIN_CAP, SELF_TRAIN_SEED = 4000, 0.9, 150, 15


def load_corpus(paths=None, limit_per_tag: int | None = None) -> list[dict]:
    """Corpus rows sorted by id; `limit_per_tag` keeps the first N per primary tag (for quick builds)."""
    if paths is None:
        paths = sorted(CORPUS_DIR.glob("*.jsonl"))
    elif isinstance(paths, (str, Path)):
        p = Path(paths)
        paths = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
    rows, seen = [], set()
    for path in sorted(Path(p) for p in paths):
        for where, r in read_jsonl(path):
            if not r.get("text") or not r.get("tags"):
                continue
            rid = str(r.get("id") or f"{path.stem}-{where.rsplit(':', 1)[1]}")
            if rid in seen:
                continue
            seen.add(rid)
            rows.append({"id": rid, "heading": r.get("heading") or None, "text": r["text"], "tags": list(r["tags"])})
    rows.sort(key=lambda r: r["id"])
    if limit_per_tag:
        count: dict = {}
        kept = []
        for r in rows:
            k = r["tags"][0]
            if count.get(k, 0) < limit_per_tag:
                count[k] = count.get(k, 0) + 1
                kept.append(r)
        rows = kept
    return rows


def label_matrix(rows: list[dict], tags: list[str], secondary: float | None = None) -> np.ndarray:
    """(n, K) float32: 1 for an item's primary tag, `secondary` (default: SECONDARY_WEIGHT, or the tag's
    SECONDARY_WEIGHT_BY_TAG) for its other tags, 0 elsewhere. Positive entries are positives; their value is the sample weight in fit_head."""
    index = {t: i for i, t in enumerate(tags)}
    y = np.zeros((len(rows), len(tags)), dtype=np.float32)
    for i, r in enumerate(rows):
        for rank, t in enumerate(r["tags"]):
            if t in index:
                weight = 1.0 if rank == 0 else secondary if secondary is not None else \
                    SECONDARY_WEIGHT_BY_TAG.get(t, SECONDARY_WEIGHT)
                y[i, index[t]] = max(y[i, index[t]], weight)
    return y


def _single_thread():
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1)
    except Exception:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()


def fit_head(feats, y: np.ndarray, tags: list[str], cfg, C: float = C_DEFAULT, augment: bool = True,
             other: str = "other"):
    """One-vs-rest logistic regression on all feature blocks → LinearHead (thresholds 0.5, set later)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from service.tagging.embedded import LinearHead
    from service.tagging.features import encoder_dim

    x = feats.matrix(cfg)
    yy = y
    if augment:
        has_head = np.flatnonzero(np.asarray(feats.head_ngr.sum(axis=1)).ravel() > 0)
        if len(has_head):
            sub = feats.subset(has_head)
            x = sparse.vstack([x, sub.without_heading().matrix(cfg), sub.heading_only().matrix(cfg)], format="csr")
            yy = np.concatenate([y, y[has_head], y[has_head]])
    n_bits = 1 << cfg.hash_bits
    k = len(tags)
    w = np.zeros((x.shape[1], k), dtype=np.float64)
    b = np.zeros(k, dtype=np.float64)
    with _single_thread():
        for j in range(k):
            target = (yy[:, j] > 0).astype(np.int8)
            if target.min() == target.max():  # a tag with no (or only) positives
                b[j] = -8.0 if target.max() == 0 else 8.0
                continue
            clf = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", max_iter=1000,
                                     random_state=SEED)
            clf.fit(x, target, sample_weight=np.where(target > 0, yy[:, j], 1.0))
            w[:, j] = clf.coef_[0]
            b[j] = clf.intercept_[0]
    d = encoder_dim(cfg)
    w_body, w_head = w[:d], w[d:2 * d]
    w_ngr = w[2 * d:]
    rows = np.flatnonzero(np.any(w_ngr != 0, axis=1))
    assert w_ngr.shape[0] == 2 * n_bits
    return LinearHead(tags=list(tags), cfg=cfg, w_body=w_body.astype(np.float32), w_head=w_head.astype(np.float32),
                      ngram_rows=rows.astype(np.int64), ngram_w=w_ngr[rows].astype(np.float32),
                      bias=b.astype(np.float32), thresholds=np.full(k, 0.5, dtype=np.float32), other=other)


def mixed_sections(rows: list[dict], share: float = MIX_SHARE, seed: int = SEED) -> list[dict]:
    """One synthetic multi-topic section per row: the row's text followed by the opening sentences of
    a row with another primary tag, cut to about `share` of the result. The row's primary tag stays
    primary (it dominates), the other's joins the secondary tags. Real sections mix topics more than
    our written ones (report paragraphs that move from output to projects to plans); this teaches the
    head to name the dominant one. Deterministic for a given row order and seed."""
    rng = np.random.RandomState(seed)
    out = []
    for r in rows:
        other = r
        for _ in range(20):
            other = rows[rng.randint(len(rows))]
            if other["tags"][0] != r["tags"][0]:
                break
        if other["tags"][0] == r["tags"][0]:
            continue
        tail = other["text"][: max(20, int(len(r["text"]) * share / (1 - share)))]
        end = max(tail.rfind("。"), tail.rfind("；"))
        tail = tail[: end + 1] if end > 10 else tail
        tags = list(dict.fromkeys([*r["tags"], other["tags"][0]]))
        out.append({"id": r["id"] + "+" + other["id"], "heading": r["heading"], "text": r["text"] + "\n" + tail,
                    "tags": tags, "base": r["id"]})
    return out


def folds_for(rows: list[dict], n_folds: int, seed: int = SEED) -> np.ndarray:
    """Stratified fold number per row (by primary tag), deterministic."""
    rng = np.random.RandomState(seed)
    fold = np.zeros(len(rows), dtype=np.int64)
    by_tag: dict = {}
    for i, r in enumerate(rows):
        by_tag.setdefault(r["tags"][0], []).append(i)
    for t in sorted(by_tag):
        idx = np.array(by_tag[t])
        rng.shuffle(idx)
        fold[idx] = (np.arange(len(idx)) + rng.randint(n_folds)) % n_folds
    return fold


def out_of_fold(rows, feats, tags, cfg, n_folds=5, C=C_DEFAULT, augment=True, other="other", fold=None):
    """Out-of-fold sigmoid scores (n, K) and the fold assignment (`fold`: given, or stratified)."""
    y = label_matrix(rows, tags)
    fold = folds_for(rows, n_folds) if fold is None else fold
    p = np.zeros(y.shape, dtype=np.float32)
    for f in range(n_folds):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        head = fit_head(feats.subset(tr), y[tr], tags, cfg, C=C, augment=augment, other=other)
        p[te] = head.probs(feats.subset(te))
    return p, fold


def choose_thresholds(p: np.ndarray, y: np.ndarray, tags: list[str], primary: list[str], other: str = "other"):
    """Per-tag threshold maximising F1 on out-of-fold scores (grid 0.15..0.85), and the fallback min_score."""
    from service.tagging.embedded import decide

    grid = np.round(np.arange(0.15, 0.86, 0.05), 2)
    thr = np.full(len(tags), 0.5)
    for j in range(len(tags)):
        gold = y[:, j] > 0
        if not gold.any():
            continue
        best = (-1.0, 0.5)
        for t in grid:
            pred = p[:, j] >= t
            tp = float(np.sum(pred & gold))
            f1 = 2 * tp / max(1.0, pred.sum() + gold.sum())
            if f1 > best[0] + 1e-9:
                best = (f1, t)
        thr[j] = best[1]
    # min_score: below it the best tag gives way to `other`; keep the value that maximises top-1 accuracy
    primary = np.array([tags.index(r) if r in tags else -1 for r in primary])
    best = (-1.0, 0.0)
    for m in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3):
        rows = decide(p, tags, thr, m, other)
        acc = float(np.mean([tags.index(r[0][0]) == g for r, g in zip(rows, primary)]))
        if acc > best[0] + 1e-9:
            best = (acc, m)
    return thr.astype(np.float32), float(best[1])


def training_set(rows: list[dict], feats, cfg, mix: bool = True, rounds: int = MIX_ROUNDS):
    """(rows + their mixed_sections, features of both); `feats` are the features of `rows`."""
    # `rounds` mixed sections per row, each round with its own partners
    extra = [m for k in range(rounds) for m in mixed_sections(rows, seed=SEED + 1000 * k)] if mix else []
    if extra:
        feats = feats.concat(mixed_features(extra, rows, feats, cfg))
    return rows + extra, feats


def mixed_features(extra: list[dict], rows: list[dict], feats, cfg):
    """Features of mixed sections. A mixed section keeps its base row's heading and starts with its
    text, so the encoder reads the same text as for the base row unless that text is shorter than
    `emb_chars`: those embeddings are copied from the base row's (`feats`), the rest are encoded. With
    `e5` (~10 texts/s), encoding the build's ~14k mixed sections afresh would add about 40 minutes."""
    from service.tagging.features import embed, encoder_inputs, featurize

    index = {r["id"]: i for i, r in enumerate(rows)}
    base = np.array([index[m["base"]] for m in extra])
    texts, headings = [m["text"] for m in extra], [m["heading"] for m in extra]
    mixed_starts, _ = encoder_inputs(texts, headings, cfg)
    base_starts, _ = encoder_inputs([rows[b]["text"] for b in base], headings, cfg)
    body_emb, head_emb = feats.body_emb[base].copy(), feats.head_emb[base].copy()
    fresh = [i for i, (a, b) in enumerate(zip(mixed_starts, base_starts)) if a != b]
    if fresh:
        with _single_thread():
            body_emb[fresh] = embed([texts[i] for i in fresh], [None] * len(fresh), cfg)[0]
    return featurize(texts, headings, cfg, embeddings=(body_emb, head_emb))


def cross_validate(rows: list[dict], feats, tags, cfg, n_folds: int = 5, C: float = C_DEFAULT,
                   augment: bool = True, other: str = "other", mix: bool = True) -> np.ndarray:
    """Out-of-fold scores of `rows` (`feats` are their features), trained with CV_MIX_ROUNDS mixed
    sections per row (with `mix`). A mixed section sits in its base row's fold, so a held-out row is
    never trained on as a base; its opening sentences may still appear in training as the tail of
    another row's mixed section."""
    everything, feats = training_set(rows, feats, cfg, mix, rounds=CV_MIX_ROUNDS)
    fold = folds_for(rows, n_folds)
    index = {r["id"]: i for i, r in enumerate(rows)}
    fold = np.concatenate([fold, [fold[index[r["base"]]] for r in everything[len(rows):]]]).astype(np.int64)
    p, _ = out_of_fold(everything, feats, tags, cfg, n_folds=n_folds, C=C, augment=augment, other=other, fold=fold)
    return p[:len(rows)]


def build(rows: list[dict], cfg=None, n_folds: int = 5, C: float = C_DEFAULT, augment: bool = True,
          feats=None, tagset=None, mix: bool = True):
    """Train on `rows` plus their mixed_sections (with `mix`): thresholds from k-fold out-of-fold
    scores of the original rows, then the final head on everything. Returns (head, info) where info
    holds those out-of-fold scores. `feats`, when given, are the features of `rows`."""
    from service.tagging.features import FeatureConfig, featurize
    from service.tagging.tagset import TagSet

    cfg = cfg or FeatureConfig()
    tagset = TagSet.load(tagset)
    tags = tagset.ids
    if feats is None:
        with _single_thread():
            feats = featurize([r["text"] for r in rows], [r["heading"] for r in rows], cfg)
    info: dict = {}
    if n_folds and n_folds > 1:
        p = cross_validate(rows, feats, tags, cfg, n_folds, C, augment, tagset.other, mix)
        thr, min_score = choose_thresholds(p, label_matrix(rows, tags), tags, [r["tags"][0] for r in rows],
                                           tagset.other)
        info["oof_scores"] = p
    else:
        thr, min_score = np.full(len(tags), 0.5, dtype=np.float32), 0.0
    everything, feats = training_set(rows, feats, cfg, mix)
    head = fit_head(feats, label_matrix(everything, tags), tags, cfg, C=C, augment=augment, other=tagset.other)
    head.thresholds = (thr * THRESHOLD_SCALE).astype(np.float32)
    head.min_score = min_score
    if ASPECT in tags:
        head.aspect, head.aspect_floor = ASPECT, ASPECT_FLOOR
    return head, info


def self_train(head, rows: list[dict], cfg, C: float = C_DEFAULT, augment: bool = True, tagset=None,
               mix: bool = True, root=None, teacher=None) -> tuple:
    """The head refit on `rows` plus real, unlabelled items labelled with confidence (pseudo-labels):
    training-side flash news and 新闻联播 items (models/corpora.py; their held-out parts are never read).
    The labels come from the head itself, or from `teacher` (another built head, with its own encoder:
    distillation, e.g. the e5 head into the fast default). The thresholds stay those chosen on the
    corpus. Returns (head, a summary for the artifact's card), or (head, None) when the shared data is
    absent."""
    import random

    from models.corpora import CCTV, CCTV_HELD_OUT_YEAR, FLASH, FLASH_HELD_OUT_AFTER, is_aside, training_pairs
    from service.tagging.features import featurize
    from service.tagging.tagset import TagSet

    root = Path(root) if root else ROOT.parent / "shared" / "data"
    if not all((root / corpus).is_file() for corpus in (FLASH, CCTV)):
        return head, None
    rng = random.Random(SELF_TRAIN_SEED)
    items = []
    for corpus in (FLASH, CCTV):
        pool = [r["article"] for r in training_pairs(root, corpus)
                if not is_aside(r["article"]) and 80 <= len(r["article"]) <= 1500]
        items += rng.sample(pool, min(SELF_TRAIN_ITEMS, len(pool)))
    labeller = teacher or head
    with _single_thread():
        item_feats = featurize(items, [None] * len(items), labeller.cfg)
    scores = labeller.probs(item_feats)
    tags = head.tags
    other = tags.index(head.other) if head.other in tags else None
    pseudo, per_tag = [], {}
    for i in np.argsort(-scores.max(axis=1), kind="stable"):
        row = scores[i].astype(np.float64).copy()
        if other is not None:
            row[other] = -1.0
        top = int(np.argmax(row))
        first, second = np.sort(row)[::-1][:2]
        if first >= SELF_TRAIN_FLOOR and second <= 0.5 and per_tag.get(tags[top], 0) < SELF_TRAIN_CAP:
            per_tag[tags[top]] = per_tag.get(tags[top], 0) + 1
            pseudo.append({"id": f"pseudo-{i:06d}", "heading": None, "text": items[int(i)], "tags": [tags[top]]})
    tagset = TagSet.load(tagset)
    everything = rows + pseudo
    with _single_thread():
        all_feats = featurize([r["text"] for r in everything], [r["heading"] for r in everything], cfg)
    everything, all_feats = training_set(everything, all_feats, cfg, mix)
    refit = fit_head(all_feats, label_matrix(everything, tags), tags, cfg, C=C, augment=augment, other=tagset.other)
    refit.thresholds, refit.min_score = head.thresholds, head.min_score
    refit.aspect, refit.aspect_floor = head.aspect, head.aspect_floor
    card = {"sources": [f"flash_news_headlines (training side: dated up to {FLASH_HELD_OUT_AFTER})",
                        f"cctv_xwlb_headlines (training side: not {CCTV_HELD_OUT_YEAR})"],
            "terms": "research-use public data (see ../shared/data/*/SOURCE.md); only the parameters ship",
            "labelled_by": f"the {teacher.cfg.encoder} head (distillation)" if teacher else "this head",
            "items_read": len(items), "pseudo_labelled": len(pseudo), "per_tag": dict(sorted(per_tag.items())),
            "rule": f"top tag (not other) >= {SELF_TRAIN_FLOOR}, runner-up <= 0.5, at most {SELF_TRAIN_CAP} per tag"}
    return refit, card


def corpus_digest(rows: list[dict]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps(r, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.train_tagger", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(CORPUS_DIR), help="folder of *.jsonl (or one file)")
    ap.add_argument("--out", default=None, help="artifact folder (default models/artifacts)")
    ap.add_argument("--limit", type=int, default=None, help="keep the first N items per primary tag")
    ap.add_argument("--folds", type=int, default=5, help="k for the threshold-choosing cross-validation")
    ap.add_argument("--C", type=float, default=C_DEFAULT)
    ap.add_argument("--hash-bits", type=int, default=None, help="n-gram hash space 2**bits (default: FeatureConfig's)")
    ap.add_argument("--emb-chars", type=int, default=None,
                    help="body characters the sentence encoder reads (default: FeatureConfig's)")
    ap.add_argument("--no-self-train", action="store_true",
                    help="skip the refit on pseudo-labelled real text (it needs ../shared/data)")
    ap.add_argument("--teacher", choices=sorted(ENCODER_SETTINGS), default=None,
                    help="pseudo-labels for self-training from the built head of this encoder (distillation) "
                         "instead of the head being built")
    ap.add_argument("--encoder", choices=sorted(ENCODER_SETTINGS), default="use",
                    help="sentence encoder (service/encoder.py); `e5` builds the embedded-e5 engine's artifact")
    args = ap.parse_args(argv)

    from service.config import ARTIFACTS_DIR

    rows = load_corpus(args.corpus, limit_per_tag=args.limit)
    if not rows:
        print(f"no labelled rows in {args.corpus}", file=sys.stderr)
        return 1
    from service.tagging.features import FeatureConfig

    overrides = {k: v for k, v in (("hash_bits", args.hash_bits), ("emb_chars", args.emb_chars)) if v is not None}
    cfg = FeatureConfig(encoder=args.encoder, **{**ENCODER_SETTINGS[args.encoder], **overrides})
    head, info = build(rows, cfg=cfg, n_folds=args.folds, C=args.C)
    self_training = None
    if not args.no_self_train:
        teacher = None
        if args.teacher:
            from service.tagging.embedded import LinearHead

            teacher = LinearHead.load(Path(args.out) if args.out else ARTIFACTS_DIR, ARTIFACT_NAMES[args.teacher])
        head, self_training = self_train(head, rows, cfg, C=args.C, teacher=teacher)
        print("self-training:", self_training or "skipped (../shared/data absent)")
    counts: dict = {}
    for r in rows:
        counts[r["tags"][0]] = counts.get(r["tags"][0], 0) + 1
    meta = {"corpus": {"items": len(rows), "sha256_16": corpus_digest(rows), "per_primary_tag": dict(sorted(counts.items()))},
            "training": {"model": "one-vs-rest logistic regression (liblinear, class_weight=balanced)",
                         "C": args.C, "folds": args.folds, "seed": SEED, "augment": "each headed item also without its heading and as its heading alone",
                         "secondary_weight": SECONDARY_WEIGHT, "secondary_weight_by_tag": SECONDARY_WEIGHT_BY_TAG,
                         "mixed_sections": {"share": MIX_SHARE, "items": f"{MIX_ROUNDS} per corpus item",
                                            "in_threshold_cv": f"{CV_MIX_ROUNDS} per corpus item"},
                         "threshold_scale": THRESHOLD_SCALE}}
    if self_training:
        meta["self_training"] = self_training
    npz, js = head.save(Path(args.out) if args.out else ARTIFACTS_DIR, meta, name=ARTIFACT_NAMES[args.encoder])
    print(f"wrote {npz} ({npz.stat().st_size / 1024:.0f} KiB) and {js.name}: {len(rows)} items, "
          f"{len(head.tags)} tags, {len(head.ngram_rows)} n-gram rows")
    try:                      # the scores' calibration, on the tuning set (skipped when it is absent)
        from models.calibrate_tagger import calibrate

        print("calibration:", calibrate(npz.parent, ARTIFACT_NAMES[args.encoder]))
    except FileNotFoundError as error:
        print(f"calibration skipped: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
