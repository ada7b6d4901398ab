"""Shared featurisation for the section taggers.

Four blocks per section (a heading may be None):

    body_emb   sentence embedding of the first `emb_chars` characters of the body, ×body_weight (d, dense)
    head_emb   sentence embedding of the heading (zeros when there is none)                   (d, dense)
    body_ngr   hashed char 1-3-gram counts over the first `ngram_chars` of the body (2**hash_bits, sparse)
    head_ngr   hashed char 1-3-gram counts of the heading (its own hash seed)       (same space, sparse)

The encoder is the expensive part and its cost grows with the tokens it reads, so only the start of
the body is encoded (measured: ~15k tokens/s on one core, ~0.7 tokens per Chinese character); the
char n-grams read much more of the body at almost no cost. The n-gram hash is a multiplicative hash
of code points in numpy (no Python-level string slicing, no library hash), so it is fast,
deterministic and identical across numpy/scikit-learn versions.

`encoder` names the sentence encoder (service/encoder.py; d = 512 for `use`, the default, 384 for `e5`).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse

DIM = 512  # the default encoder's; a config's own is encoder_dim(cfg)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
# odd 64-bit multipliers (splitmix64 / golden-ratio constants)
_K = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_SEEDS = {"body": np.uint64(0x5851F42D4C957F2D), "head": np.uint64(0x2545F4914F6CDD1D)}
_SPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"<[^<>]{0,200}>|&nbsp;|&[a-z]{2,6};")


@dataclass(frozen=True)
class FeatureConfig:
    emb_chars: int = 48          # body characters given to the sentence encoder (0: none, n-grams only)
    head_chars: int = 32         # heading characters given to the sentence encoder
    ngram_chars: int = 600       # body characters read by the n-gram features
    hash_bits: int = 18          # n-gram hash space 2**hash_bits
    ngram_min: int = 1
    ngram_max: int = 3
    head_weight: float = 2.0     # scale of the heading blocks: less regularised, a strong signal (CV-chosen)
    body_weight: float = 0.5     # scale of the body-embedding block: < 1 regularises it more (chosen on part3 validation + CV)
    encoder: str = "use"         # sentence encoder by name (service/encoder.py)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureConfig":
        d = dict(d)
        d.setdefault("body_weight", 1.0)  # artifacts written before the field existed
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def clean(text: str | None) -> str:
    """Whitespace collapsed, HTML tags and entities dropped (sections of posts may keep <p> markup)."""
    text = text or ""
    if "<" in text or "&" in text:
        text = _MARKUP.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def encoder_dim(cfg: FeatureConfig) -> int:
    from service.encoder import dim

    return dim(cfg.encoder)


def encoder_inputs(texts, headings, cfg: FeatureConfig) -> tuple[list[str], list[str]]:
    bodies = [clean(t)[: cfg.emb_chars] for t in texts] if cfg.emb_chars > 0 else ["" for _ in texts]
    heads = [clean(h)[: cfg.head_chars] for h in headings]
    return bodies, heads


def embed(texts: list[str], headings: list[str | None], cfg: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """(body_emb, head_emb), each (n, d) float32; head rows are zero where there is no heading, and
    body rows are all zero when `cfg.emb_chars` is 0 (the body is then read by the n-grams only and
    the encoder runs on headings alone)."""
    bodies, heads = encoder_inputs(texts, headings, cfg)
    with_head = [i for i, h in enumerate(heads) if h]
    n_body = len(bodies) if cfg.emb_chars > 0 else 0
    d = encoder_dim(cfg)
    body = np.zeros((len(bodies), d), dtype=np.float32)
    head = np.zeros((len(bodies), d), dtype=np.float32)
    if not n_body and not with_head:
        return body, head
    from service.encoder import encode

    out = encode(bodies[:n_body] + [heads[i] for i in with_head], cfg.encoder)
    if n_body:
        body[:] = out[:n_body]
    if with_head:
        head[with_head] = out[n_body:]
    return body, head


def _hash_ngrams(codes: np.ndarray, n: int, seed: np.uint64, bits: int) -> np.ndarray:
    h = np.full(len(codes) - n + 1, seed, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            h = (h ^ codes[j: len(codes) - n + 1 + j]) * _K[j % 3]
        h ^= h >> np.uint64(29)
        h = h * _K[(n + 1) % 3]
    return (h >> np.uint64(64 - bits)).astype(np.int64)


def hashed_ngrams(texts: list[str], cfg: FeatureConfig, kind: str = "body", max_chars: int | None = None) -> sparse.csr_matrix:
    """Sublinear (1+log tf), L2-normalised hashed char n-gram counts, one row per text."""
    seed = _SEEDS[kind]
    limit = cfg.ngram_chars if max_chars is None else max_chars
    rows, cols = [], []
    for i, t in enumerate(texts):
        t = clean(t)[:limit]
        if not t:
            continue
        codes = np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        parts = [_hash_ngrams(codes, n, seed + np.uint64(n), cfg.hash_bits)
                 for n in range(cfg.ngram_min, cfg.ngram_max + 1) if len(codes) >= n]
        c = np.concatenate(parts)
        cols.append(c)
        rows.append(np.full(len(c), i, dtype=np.int64))
    n_feat = 1 << cfg.hash_bits
    if not cols:
        return sparse.csr_matrix((len(texts), n_feat), dtype=np.float32)
    m = sparse.csr_matrix((np.ones(sum(map(len, cols)), dtype=np.float32),
                           (np.concatenate(rows), np.concatenate(cols))), shape=(len(texts), n_feat))
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ m, dtype=np.float32)


@dataclass
class Features:
    body_emb: np.ndarray
    head_emb: np.ndarray
    body_ngr: sparse.csr_matrix
    head_ngr: sparse.csr_matrix

    def __len__(self) -> int:
        return self.body_emb.shape[0]

    def subset(self, idx) -> "Features":
        idx = np.asarray(idx)
        return Features(self.body_emb[idx], self.head_emb[idx], self.body_ngr[idx], self.head_ngr[idx])

    def concat(self, other: "Features") -> "Features":
        return Features(np.vstack([self.body_emb, other.body_emb]), np.vstack([self.head_emb, other.head_emb]),
                        sparse.vstack([self.body_ngr, other.body_ngr], format="csr"),
                        sparse.vstack([self.head_ngr, other.head_ngr], format="csr"))

    def without_heading(self) -> "Features":
        return Features(self.body_emb, np.zeros_like(self.head_emb), self.body_ngr,
                        sparse.csr_matrix(self.head_ngr.shape, dtype=np.float32))

    def heading_only(self) -> "Features":
        return Features(np.zeros_like(self.body_emb), self.head_emb,
                        sparse.csr_matrix(self.body_ngr.shape, dtype=np.float32), self.head_ngr)

    def matrix(self, cfg: FeatureConfig, blocks=("body_emb", "head_emb", "body_ngr", "head_ngr")) -> sparse.csr_matrix:
        """All blocks side by side: [body_emb·b | head_emb·w | body_ngr | head_ngr·w] (sparse)."""
        w = cfg.head_weight
        parts = {"body_emb": sparse.csr_matrix(self.body_emb * cfg.body_weight), "head_emb": sparse.csr_matrix(self.head_emb * w),
                 "body_ngr": self.body_ngr, "head_ngr": self.head_ngr * w}
        return sparse.hstack([parts[b] for b in blocks], format="csr", dtype=np.float32)


def featurize(texts: list[str], headings: list[str | None] | None, cfg: FeatureConfig,
              embeddings: tuple[np.ndarray, np.ndarray] | None = None) -> Features:
    """All four blocks; `embeddings` (body_emb, head_emb), when the caller already has them, replace
    the encoder call (the build's mixed sections reuse their base item's)."""
    headings = list(headings) if headings is not None else [None] * len(texts)
    if len(headings) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(headings)} headings")
    body_emb, head_emb = embeddings if embeddings is not None else embed(texts, headings, cfg)
    return Features(body_emb, head_emb,
                    hashed_ngrams(texts, cfg, "body"),
                    hashed_ngrams([h or "" for h in headings], cfg, "head", max_chars=cfg.head_chars))


__all__ = ["FeatureConfig", "Features", "featurize", "embed", "encoder_dim", "hashed_ngrams", "clean", "DIM"]
