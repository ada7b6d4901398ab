"""EmbeddedTagger: the offline default — encoder embeddings + hashed char n-grams + a linear head.

The head is one-vs-rest logistic regression over the blocks of service.tagging.features (body
embedding, heading embedding, body n-grams, heading n-grams), trained by `python -m models.train_tagger`
on the project's own corpus (models/tag_corpus) and stored as plain arrays in
models/artifacts/tagger.npz + tagger.json (no pickle). Inference is numpy + scipy.sparse only.

Decision rule (multi-label): sigmoid score per tag; every tag whose score reaches its own threshold
(chosen on out-of-fold predictions during the build) is returned, best first. When none does, the
best tag is still returned if its score reaches `min_score`, otherwise `other`. If `other` is the best
tag, it is returned alone. `outlook` is an aspect more than a topic (a plan chapter on education is
about education, and looks ahead): it leads only when no other tag reaches `aspect_floor`; otherwise
the runner-up leads and `outlook` follows it (a secondary tag when above its threshold).
Scores are reported calibrated (see `calibration`); a secondary tag whose calibrated score is under the
artifact's `calibration.secondary_floor` is dropped, so that every tag shown beside the primary one is
more likely right than wrong. The primary tag always stays.

The trained head only knows the built-in taxonomy: given a custom tag set, this engine falls back to
the zero-shot engine (service.tagging.zero_shot, over USE).

Two engines share this code and differ only in their artifact, whose features name the encoder:
`embedded` (tagger.npz, USE: the fast default) and `embedded-e5` (tagger-e5.npz, multilingual-e5-small:
more accurate on the tuning and dev sets, ~30-50x slower; see docs/tagging.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from service.tagging.base import Tag, Tagger
from service.tagging.features import DIM, FeatureConfig, Features, featurize
from service.tagging.tagset import TagSet

ARTIFACT_NAME = "tagger"
E5_ARTIFACT_NAME = "tagger-e5"
ARTIFACT_NAMES = {"use": ARTIFACT_NAME, "e5": E5_ARTIFACT_NAME}   # encoder → artifact file stem


def default_artifact_dir() -> Path:
    from service.config import ARTIFACTS_DIR

    return ARTIFACTS_DIR


@dataclass
class LinearHead:
    """Weights of the one-vs-rest head and its decision thresholds."""
    tags: list[str]
    cfg: FeatureConfig
    w_body: np.ndarray          # (d, K), d the encoder's dimension
    w_head: np.ndarray          # (d, K)
    ngram_rows: np.ndarray      # (R,) int64 row ids into the 2 * 2**bits n-gram space (body, then head)
    ngram_w: np.ndarray         # (R, K)
    bias: np.ndarray            # (K,)
    thresholds: np.ndarray      # (K,)
    min_score: float = 0.0
    other: str = "other"
    aspect: str | None = None     # a tag that leads only when no other tag reaches aspect_floor (outlook)
    aspect_floor: float = 1.0     # 1.0: the rule is off
    # Platt scaling of the reported scores, fitted on held-out sections (models/calibrate_tagger.py):
    # score' = sigmoid(a * logit(score) + b), so that a score is about the chance the tag is right.
    # Monotonic, so decisions (made on raw scores, against the thresholds) and their order do not change.
    calibration: dict | None = None

    def __post_init__(self):
        # n-gram weights are stored only for the rows the training data touched; a lookup from hashed
        # column to stored row (0 = a zero row) keeps inference a sparse × dense product
        n = 1 << self.cfg.hash_bits
        k = len(self.tags)
        lookup = np.zeros(2 * n, dtype=np.int32)
        lookup[self.ngram_rows.astype(np.int64)] = np.arange(1, len(self.ngram_rows) + 1, dtype=np.int32)
        self._lookup_body, self._lookup_head = lookup[:n], lookup[n:]
        self._w_ngr = np.vstack([np.zeros((1, k), np.float32), self.ngram_w.astype(np.float32).reshape(-1, k)])

    def _ngram_logits(self, x: sparse.csr_matrix, lookup: np.ndarray) -> np.ndarray:
        x = sparse.csr_matrix(x)
        remapped = sparse.csr_matrix((x.data, lookup[x.indices], x.indptr), shape=(x.shape[0], self._w_ngr.shape[0]))
        return remapped @ self._w_ngr

    # ---------- scoring ----------
    def logits(self, f: Features) -> np.ndarray:
        hw = self.cfg.head_weight
        z = (f.head_emb * hw) @ self.w_head
        if self.cfg.emb_chars > 0:
            z = z + (f.body_emb * self.cfg.body_weight) @ self.w_body
        z = z + self._ngram_logits(f.body_ngr, self._lookup_body)
        z = z + hw * self._ngram_logits(f.head_ngr, self._lookup_head)
        return (z + self.bias).astype(np.float32)

    def probs(self, f: Features) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(f)))

    def decide(self, p: np.ndarray) -> list[list[tuple[str, float]]]:
        """Per row: (tag id, calibrated score), the primary tag first (best first but for the `outlook`
        rule), at least one; `other` when nothing fits."""
        rows = decide(p, self.tags, self.thresholds, self.min_score, self.other, self.aspect, self.aspect_floor)
        floor = float((self.calibration or {}).get("secondary_floor", 0.0))
        out = []
        for row in rows:
            scored = [(t, self.calibrated(s)) for t, s in row]
            out.append(scored[:1] + [(t, s) for t, s in scored[1:] if s >= floor])
        return out

    def calibrated(self, score: float) -> float:
        if not self.calibration:
            return score
        x = float(np.clip(score, 1e-6, 1 - 1e-6))
        z = self.calibration["a"] * np.log(x / (1 - x)) + self.calibration["b"]
        return float(1.0 / (1.0 + np.exp(-z)))

    # ---------- storage ----------
    def save(self, directory: Path, metadata: dict | None = None, name: str = ARTIFACT_NAME) -> tuple[Path, Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {"w_body": self.w_body.astype(np.float32), "w_head": self.w_head.astype(np.float32),
                  "ngram_rows": self.ngram_rows.astype(np.int32),
                  # float16 halves the artifact; the largest rounding error (~4e-3 on weights up to ~12)
                  # moves no decision on the tuning or dev sets
                  "ngram_w": self.ngram_w.astype(np.float16),
                  "bias": self.bias.astype(np.float32), "thresholds": self.thresholds.astype(np.float32)}
        npz = directory / f"{name}.npz"
        write_npz(npz, arrays)
        meta = {"format": 1, "tags": self.tags, "other": self.other, "features": self.cfg.to_dict(),
                "min_score": round(float(self.min_score), 4), "aspect": self.aspect,
                "aspect_floor": round(float(self.aspect_floor), 4),
                "thresholds": {t: round(float(v), 4) for t, v in zip(self.tags, self.thresholds)}}
        if self.calibration:
            meta["calibration"] = self.calibration
        meta.update(metadata or {})
        js = directory / f"{name}.json"
        js.write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return npz, js

    @classmethod
    def load(cls, directory: Path | None = None, name: str = ARTIFACT_NAME) -> "LinearHead":
        directory = Path(directory) if directory is not None else default_artifact_dir()
        npz, js = directory / f"{name}.npz", directory / f"{name}.json"
        if not npz.is_file() or not js.is_file():
            flag = "".join(f" --encoder {e}" for e, n in ARTIFACT_NAMES.items() if n == name and e != "use")
            build = "python -m models.train_tagger" + flag
            raise FileNotFoundError(f"tagger artifact {name}.npz missing in {directory}; build it with `{build}`")
        meta = json.loads(js.read_text(encoding="utf-8"))
        with np.load(npz, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        return cls(tags=list(meta["tags"]), cfg=FeatureConfig.from_dict(meta["features"]),
                   w_body=a["w_body"], w_head=a["w_head"], ngram_rows=a["ngram_rows"].astype(np.int64),
                   ngram_w=a["ngram_w"], bias=a["bias"], thresholds=a["thresholds"],
                   min_score=float(meta.get("min_score", 0.0)), other=meta.get("other", "other"),
                   aspect=meta.get("aspect"), aspect_floor=float(meta.get("aspect_floor", 1.0)),
                   calibration=meta.get("calibration"))


def decide(p: np.ndarray, tags: list[str], thresholds: np.ndarray, min_score: float,
           other: str, aspect: str | None = None, aspect_floor: float = 1.0) -> list[list[tuple[str, float]]]:
    out = []
    other_i = tags.index(other) if other in tags else None
    aspect_i = tags.index(aspect) if aspect in tags else None
    for row in np.asarray(p, dtype=np.float64):
        order = [int(i) for i in np.argsort(-row, kind="stable")]
        lead = None
        if aspect_i is not None and order[0] == aspect_i and len(order) > 1 and row[order[1]] >= aspect_floor:
            # the runner-up leads (even below its own threshold; `other` then stands alone)
            order[0], order[1] = order[1], order[0]
            lead = order[0]
        top = order[0]
        if other_i is not None and top == other_i:
            out.append([(other, float(row[top]))])
            continue
        chosen = [(tags[i], float(row[i])) for i in order if i != other_i and (i == lead or row[i] >= thresholds[i])]
        if not chosen:
            if row[top] >= min_score:
                chosen = [(tags[top], float(row[top]))]
            else:
                chosen = [(other, float(row[other_i]) if other_i is not None else float(1.0 - row[top]))]
        out.append(chosen)
    return out


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez_compressed with fixed zip timestamps and sorted members: identical bytes for identical arrays."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=9)


class EmbeddedTagger(Tagger):
    name = "embedded"
    artifact = ARTIFACT_NAME

    def __init__(self, tagset=None, artifact_dir: str | Path | None = None, batch_size: int = 256, **zero_shot_options):
        self.tagset = TagSet.load(tagset)
        self.batch_size = batch_size
        self.fallback = None
        self.head = None
        if self.tagset.fingerprint() != TagSet.builtin().fingerprint():
            # the trained head only knows the built-in tags: a custom tag set goes to zero-shot
            from service.tagging.zero_shot import ZeroShotTagger

            self.fallback = ZeroShotTagger(tagset=self.tagset, **zero_shot_options)
            return
        self.head = LinearHead.load(artifact_dir, self.artifact)
        unknown = [t for t in self.head.tags if t not in self.tagset]
        if unknown:
            raise ValueError(f"tagger artifact has tags {unknown} that the built-in taxonomy lacks; rebuild it")

    @property
    def engine_used(self) -> str:
        return self.fallback.name if self.fallback is not None else self.name

    def scores(self, texts: list[str], headings: list[str | None] | None = None) -> np.ndarray:
        """Raw sigmoid scores (n, K) in the order of self.head.tags."""
        headings = list(headings) if headings is not None else [None] * len(texts)
        if len(headings) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(headings)} headings")
        if not texts:
            return np.zeros((0, len(self.head.tags)), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self.batch_size):
            f = featurize(texts[i:i + self.batch_size], headings[i:i + self.batch_size], self.head.cfg)
            parts.append(self.head.probs(f))
        return np.concatenate(parts)

    def predict(self, texts: list[str], headings: list[str | None] | None = None) -> list[list[Tag]]:
        texts = ["" if t is None else str(t) for t in texts]
        if self.fallback is not None:
            return self.fallback.classify(texts, headings=headings)
        decided = self.head.decide(self.scores(texts, headings))
        return [[Tag(id=t, name=self.tagset.name_of(t), score=round(s, 4)) for t, s in row] for row in decided]


class EmbeddedE5Tagger(EmbeddedTagger):
    """The same head over multilingual-e5-small embeddings (models/artifacts/tagger-e5.*): opt-in,
    for when accuracy matters more than speed."""
    name = "embedded-e5"
    artifact = E5_ARTIFACT_NAME


__all__ = ["EmbeddedTagger", "EmbeddedE5Tagger", "LinearHead", "decide", "write_npz", "DIM"]
