"""The trained candidate ranker, run in numpy from its artifact (no torch at inference).

An artifact is two files with one stem: `NAME.json` (the architecture, the feature names, their
normalisation, the selection settings and the training record) and `NAME.npz` (the weights). The
model, trained by `python -m models.train_ranker`:

    bag(c)    = mean of the bigram embeddings over the candidate's character bigrams (with `context` k > 0,
                each embedding first gets a relu conv over its k neighbours added: 公司 in 公司公告 and
                in 该公司表示 can differ)
    doc       = mean of the bigram embeddings over the whole document
    opener(c) = embedding of the candidate's first bigram (how it starts: 公司, 0月, 此前…)
    echo(c)   = mean over the candidate's bigrams of a second, small embedding times log(how often
                the bigram occurs in the document): a learned centrality, in which a recurring name
                can count and a recurring 公司 or 表示 need not (artifacts with `echo_dim` > 0)
    x         = [normalised numeric features (features.NUMERIC), bag(c), bag(c) * doc, opener(c), echo(c)]
    score(c)  = w2 · relu(W1 x + b1) + b2

An artifact trained with `--members N` holds N such networks, trained alike from N seeds; the score
is their mean (the keys of member k > 0 carry the prefix `mK.`).

Bag means over any span are differences of one prefix sum per document, so the cost is one
(chars × dim) gather and cumsum per document plus a small MLP over the candidates.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.summarization.candidates import Candidate
from service.summarization.features import NUMERIC, DocumentIndex

ARTIFACTS = Path(__file__).resolve().parents[2] / "models" / "artifacts"
DEFAULT = "summarizer-ranker"


class ArtifactError(ValueError):
    """A ranker artifact that is missing or does not fit this code."""


@dataclass
class _DocumentState:
    prefix: np.ndarray      # (chars + 1, dim) prefix sums of bigram embeddings
    doc: np.ndarray         # (dim,) mean embedding of the document
    echo: np.ndarray | None  # (chars + 1, echo_dim) prefix sums of recurrence-weighted echo embeddings


def _prefix_sums(rows: np.ndarray) -> np.ndarray:
    """(n + 1, d) float32: row i is the sum of rows[:i], so a span's sum is two lookups."""
    out = np.zeros((len(rows) + 1, rows.shape[1]), dtype=np.float32)
    np.cumsum(rows, axis=0, out=out[1:])
    return out


def member_key(member: int, name: str) -> str:
    """The .npz key of one weight of ensemble member `member` (member 0 keeps the plain names)."""
    return name if member == 0 else f"m{member}.{name}"


class Network:
    """One trained network of the artifact: its embeddings and MLP."""

    def __init__(self, config: dict, weights: dict[str, np.ndarray], member: int = 0):
        def get(name):
            return weights[member_key(member, name)].astype(np.float32)

        self.member = member
        self.bigram, self.opener = get("bigram"), get("opener")
        self.w1, self.b1, self.w2, self.b2 = get("w1"), get("b1"), get("w2"), get("b2")
        self.echo = get("echo") if int(config.get("echo_dim", 0)) else None
        self.context = int(config.get("context", 0))
        if self.context:
            self.context_w = get("context_w")     # (k * dim, dim)
            self.context_b = get("context_b")

    def _state(self, index: DocumentIndex) -> _DocumentState:
        cache = index.__dict__.setdefault("_ranker_states", {})
        state = cache.get(self.member)
        if state is None:
            prefix = _prefix_sums(self._rows(index.ids))      # row 0 (no bigram) is zero
            total = max(1, int(index.p_valid[-1]))
            echo = None if self.echo is None else _prefix_sums(self.echo[index.ids] * index.recur[:, None])
            state = cache[self.member] = _DocumentState(prefix, prefix[-1] / total, echo)
        return state

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        """Each position's embedding, in context when the artifact has a context conv."""
        rows = self.bigram[ids]
        if not self.context or not len(ids):
            return rows
        half = self.context // 2
        padded = np.pad(rows, ((half, half), (0, 0)))
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.context, axis=0)   # (n, dim, k)
        windows = windows.transpose(0, 2, 1).reshape(len(ids), -1)                         # (n, k * dim)
        near = np.maximum(0.0, windows @ self.context_w + self.context_b)
        return rows + near * (ids != 0)[:, None]

    def score(self, index: DocumentIndex, a, e, n_valid, numeric, openers) -> np.ndarray:
        """Scores of the spans a:e, given what every member shares (their features and opener buckets)."""
        state = self._state(index)
        bag = (state.prefix[e] - state.prefix[a]) / n_valid[:, None]
        parts = [numeric, bag, bag * state.doc, self.opener[openers]]
        if state.echo is not None:
            parts.append((state.echo[e] - state.echo[a]) / n_valid[:, None])
        hidden = np.maximum(0.0, np.concatenate(parts, axis=1) @ self.w1 + self.b1)
        return hidden @ self.w2 + self.b2


class Ranker:
    """The artifact's networks (`members`, 1 unless trained with --members): a candidate's score is
    their mean, so that one training run's luck counts less."""

    def __init__(self, config: dict, weights: dict[str, np.ndarray]):
        if list(config.get("numeric", [])) != list(NUMERIC):
            raise ArtifactError("the artifact was trained on other features than this code computes "
                                f"({len(config.get('numeric', []))} vs {len(NUMERIC)}); retrain it")
        self.config = config
        self.buckets = int(config["buckets"])
        self.opener_buckets = int(config["opener_buckets"])
        self.mean = np.asarray(config["mean"], dtype=np.float32)
        self.std = np.asarray(config["std"], dtype=np.float32)
        try:
            self.members = [Network(config, weights, k) for k in range(int(config.get("members", 1)))]
        except KeyError as e:
            raise ArtifactError(f"the ranker's weights lack {e.args[0]}; retrain it") from e
        self.selection = dict(config.get("selection", {}))

    @classmethod
    def load(cls, name_or_path: str | Path = DEFAULT) -> "Ranker":
        """A ranker by artifact name (in models/artifacts) or by the path of its .json or stem."""
        path = Path(name_or_path)
        if path.suffix in (".json", ".npz"):
            path = path.with_suffix("")
        elif not path.parent.parts or str(path.parent) == ".":
            path = ARTIFACTS / str(name_or_path)
        try:
            config = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            with np.load(path.with_suffix(".npz")) as npz:
                weights = {k: npz[k] for k in npz.files}
        except FileNotFoundError as e:
            raise ArtifactError(f"summarizer artifact not found: {e.filename} "
                                "(train one with python -m models.train_ranker)") from e
        return cls(config, weights)

    def index(self, document) -> DocumentIndex:
        return DocumentIndex(document, self.buckets)

    def score(self, index: DocumentIndex, cands: list[Candidate], budget: int) -> np.ndarray:
        if not cands:
            return np.zeros(0, dtype=np.float32)
        a, e = index.spans(cands)
        n_valid = np.maximum(1, index.p_valid[e] - index.p_valid[a]).astype(np.float32)
        numeric = (index.numeric(cands, budget) - self.mean) / self.std
        openers = index.openers(cands) % self.opener_buckets
        scores = [net.score(index, a, e, n_valid, numeric, openers) for net in self.members]
        return scores[0] if len(scores) == 1 else np.mean(scores, axis=0)
