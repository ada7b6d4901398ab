"""ZeroShotTagger: any tag set, no training — the sentence encoder against tag descriptions and examples.

Each tag gets a prototype: the L2-normalised blend of its description embedding ("name：description")
and the mean of its example embeddings (the description counts as `desc_weight` examples). A section
is embedded as body start + heading (the heading weighted by `head_weight`), and its similarity to a
tag is a mix of the cosine to the prototype and the best cosine to a single example.

Decision (multi-label): the best tag, plus every tag within `margin` of it; `other` when the best
similarity is below `floor` or the best tag is the tag set's fallback tag. The reported score maps a
similarity through a logistic curve (centre `floor`, scale `temperature`). The defaults were
calibrated on the project's own corpus with the built-in taxonomy (models/evaluate classification
prints that calibration run); they depend on the encoder, not on the tag set.

Learning from labelled examples: per-tag examples in the tag file already move the prototypes
(few-shot). When a tag set carries at least `fit_min` labelled texts per tag (its `labelled` list or
many examples, or add_examples()), a one-vs-rest logistic regression on the embeddings is fit as well
and its probabilities are blended with the similarity scores.
"""
from __future__ import annotations

import numpy as np

from service.tagging.base import Tag, Tagger
from service.tagging.features import FeatureConfig, clean
from service.tagging.tagset import TagSet

# calibrated on the project's corpus with the built-in taxonomy (see models/evaluate/classification.py)
DEFAULTS = {"margin": 0.05, "floor": 0.25, "temperature": 0.05, "desc_weight": 3.0, "example_mix": 0.3,
            "head_weight": 1.0, "fit_min": 8, "fit_C": 4.0, "fit_mix": 0.7}


def _norm(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    return (x / n).astype(np.float32)


class ZeroShotTagger(Tagger):
    name = "zero-shot"

    def __init__(self, tagset=None, use_examples: bool = True, emb_chars: int = 128, **params):
        self.tagset = TagSet.load(tagset)
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown zero-shot options {sorted(unknown)}; known: {sorted(DEFAULTS)}")
        self.p = {**DEFAULTS, **params}
        self.use_examples = use_examples
        self.cfg = FeatureConfig(emb_chars=emb_chars)
        self.tags = self.tagset.ids
        self._extra: list[tuple[str, tuple[str, ...]]] = []
        self._build()

    # ---------- prototypes ----------
    def _build(self) -> None:
        from service.encoder import encode

        ts = self.tagset
        desc = [f"{t.name}：{t.description}" if t.description else t.name for t in ts.tags]
        self.desc_emb = encode(desc)
        labelled = (ts.examples() if self.use_examples else []) + self._extra
        self.ex_texts = [x for x, _ in labelled]
        self.ex_tags = [tags for _, tags in labelled]
        self.ex_emb = encode([clean(x)[: self.cfg.emb_chars * 2] for x in self.ex_texts]) if labelled else np.zeros((0, 512), np.float32)
        k = len(self.tags)
        member = np.zeros((len(labelled), k), dtype=bool)
        for i, tags in enumerate(self.ex_tags):
            for t in tags:
                if t in self.tags:
                    member[i, self.tags.index(t)] = True
        self.member = member
        w = self.p["desc_weight"]
        protos = []
        for j in range(k):
            ex = self.ex_emb[member[:, j]]
            has_desc = bool(ts.tags[j].description) or not len(ex)
            v = (w * self.desc_emb[j] if has_desc else 0) + ex.sum(axis=0)
            protos.append(v)
        self.protos = _norm(np.stack(protos))
        # the fallback tag only competes if the user gave it examples
        self.other_i = self.tags.index(ts.other) if ts.other in self.tags else None
        self.other_active = self.other_i is not None and bool(member[:, self.other_i].any())
        self._fit()

    def _fit(self) -> None:
        """A linear head on the example embeddings once every tag has ≥ fit_min labelled texts."""
        self.linear = None
        counts = self.member.sum(axis=0)
        topical = [j for j in range(len(self.tags)) if j != self.other_i]
        if not topical or any(counts[j] < self.p["fit_min"] for j in topical):
            return
        from sklearn.linear_model import LogisticRegression

        x = np.concatenate([self.ex_emb, self.desc_emb])
        w, b = np.zeros((512, len(self.tags)), np.float32), np.full(len(self.tags), -8.0, np.float32)
        for j in range(len(self.tags)):
            y = np.concatenate([self.member[:, j], np.arange(len(self.tags)) == j]).astype(int)
            if y.min() == y.max():
                continue
            clf = LogisticRegression(C=self.p["fit_C"], solver="liblinear", class_weight="balanced", random_state=0)
            clf.fit(x, y)
            w[:, j], b[j] = clf.coef_[0], clf.intercept_[0]
        self.linear = (w, b)

    def add_examples(self, texts: list[str], tags: list[list[str] | str]) -> "ZeroShotTagger":
        """Learn from labelled texts (each with one tag id or a list); prototypes and the head are rebuilt."""
        for text, tg in zip(texts, tags):
            tg = (tg,) if isinstance(tg, str) else tuple(tg)
            unknown = [t for t in tg if t not in self.tags]
            if unknown:
                raise ValueError(f"unknown tag ids {unknown}; this tag set has {self.tags}")
            self._extra.append((str(text), tg))
        self._build()
        return self

    # ---------- scoring ----------
    def embed(self, texts: list[str], headings: list[str | None] | None = None) -> np.ndarray:
        from service.tagging.features import embed

        headings = list(headings) if headings is not None else [None] * len(texts)
        if len(headings) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(headings)} headings")
        body, head = embed(texts, headings, self.cfg)
        return _norm(body + self.p["head_weight"] * head)

    def similarities(self, x: np.ndarray) -> np.ndarray:
        """(n, K) similarity: prototype cosine mixed with the best single-example cosine."""
        sim = x @ self.protos.T
        mix = self.p["example_mix"]
        if mix and len(self.ex_emb):
            ex_sim = x @ self.ex_emb.T
            best = np.full_like(sim, -1.0)
            for j in range(len(self.tags)):
                cols = self.member[:, j]
                if cols.any():
                    best[:, j] = ex_sim[:, cols].max(axis=1)
            has = self.member.any(axis=0)
            sim = np.where(has, (1 - mix) * sim + mix * best, sim)
        if self.linear is not None:
            w, b = self.linear
            prob = 1.0 / (1.0 + np.exp(-(x @ w + b)))
            # map the probability onto the similarity scale (prob 0.5 ↔ floor) and blend
            as_sim = self.p["floor"] + self.p["temperature"] * np.log(np.clip(prob, 1e-6, 1 - 1e-6) / np.clip(1 - prob, 1e-6, 1))
            sim = (1 - self.p["fit_mix"]) * sim + self.p["fit_mix"] * as_sim
        if self.other_i is not None and not self.other_active:
            sim[:, self.other_i] = -np.inf
        return sim

    def score(self, sim: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-(sim - self.p["floor"]) / self.p["temperature"]))

    def decide(self, sim: np.ndarray) -> list[list[tuple[str, float]]]:
        scores = self.score(sim)
        other = self.tagset.other
        out = []
        for srow, prow in zip(sim, scores):
            order = np.argsort(-srow, kind="stable")
            top = int(order[0])
            if srow[top] < self.p["floor"] or (self.other_i is not None and top == self.other_i):
                s = float(prow[self.other_i]) if self.other_active else float(1.0 - prow[top])
                out.append([(other, s)])
                continue
            out.append([(self.tags[i], float(prow[i])) for i in order
                        if i != self.other_i and srow[i] >= srow[top] - self.p["margin"] and srow[i] >= self.p["floor"]])
        return out

    def predict(self, texts: list[str], headings: list[str | None] | None = None) -> list[list[Tag]]:
        texts = ["" if t is None else str(t) for t in texts]
        if not texts:
            return []
        decided = self.decide(self.similarities(self.embed(texts, headings)))
        return [[Tag(id=t, name=self.tagset.name_of(t), score=round(s, 4)) for t, s in row] for row in decided]


__all__ = ["ZeroShotTagger", "DEFAULTS"]
