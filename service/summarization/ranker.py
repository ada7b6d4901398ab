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


class Ranker:
    def __init__(self, config: dict, weights: dict[str, np.ndarray]):
        if list(config.get("numeric", [])) != list(NUMERIC):
            raise ArtifactError("the artifact was trained on other features than this code computes "
                                f"({len(config.get('numeric', []))} vs {len(NUMERIC)}); retrain it")
        self.config = config
        self.buckets = int(config["buckets"])
        self.opener_buckets = int(config["opener_buckets"])
        self.mean = np.asarray(config["mean"], dtype=np.float32)
        self.std = np.asarray(config["std"], dtype=np.float32)
        self.bigram = weights["bigram"].astype(np.float32)
        self.opener = weights["opener"].astype(np.float32)
        self.w1, self.b1 = weights["w1"].astype(np.float32), weights["b1"].astype(np.float32)
        self.w2, self.b2 = weights["w2"].astype(np.float32), weights["b2"].astype(np.float32)
        self.echo = weights["echo"].astype(np.float32) if int(config.get("echo_dim", 0)) else None
        self.context = int(config.get("context", 0))
        if self.context:
            self.context_w = weights["context_w"].astype(np.float32)     # (k * dim, dim)
            self.context_b = weights["context_b"].astype(np.float32)
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

    def _state(self, index: DocumentIndex) -> _DocumentState:
        state = getattr(index, "_ranker_state", None)
        if state is None:
            prefix = _prefix_sums(self._rows(index.ids))      # row 0 (no bigram) is zero
            total = max(1, int(index.p_valid[-1]))
            echo = None if self.echo is None else _prefix_sums(self.echo[index.ids] * index.recur[:, None])
            state = _DocumentState(prefix, prefix[-1] / total, echo)
            index._ranker_state = state
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

    def inputs(self, index: DocumentIndex, cands: list[Candidate], budget: int) -> np.ndarray:
        """The model's input rows for `cands` at `budget` (also what the training code feeds torch)."""
        state = self._state(index)
        a, e = index.spans(cands)
        n_valid = np.maximum(1, index.p_valid[e] - index.p_valid[a]).astype(np.float32)
        bag = (state.prefix[e] - state.prefix[a]) / n_valid[:, None]
        opener = self.opener[index.openers(cands) % self.opener_buckets]
        numeric = (index.numeric(cands, budget) - self.mean) / self.std
        parts = [numeric, bag, bag * state.doc, opener]
        if state.echo is not None:
            parts.append((state.echo[e] - state.echo[a]) / n_valid[:, None])
        return np.concatenate(parts, axis=1)

    def score(self, index: DocumentIndex, cands: list[Candidate], budget: int) -> np.ndarray:
        if not cands:
            return np.zeros(0, dtype=np.float32)
        hidden = np.maximum(0.0, self.inputs(index, cands, budget) @ self.w1 + self.b1)
        return hidden @ self.w2 + self.b2
