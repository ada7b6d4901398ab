"""The transformers tagger: a fine-tuned AutoModelForSequenceClassification (multi-label), loaded by path.

    TransformersTagger(tagset=None, model=None, device=None, threshold=None, max_length=None,
                       batch_size=16, quantize=None, max_tags=None)

* `model`: the directory written by `python -m models.train_classifier` (or any sequence-
  classification checkpoint, local directory or hub id); default ZHNEWS_CLASSIFIER_MODEL.
* Labels: tag ids are the model config's id2label. Display names come from `tags.json` in the model
  directory (written by the trainer), else from the tag set, else the id itself.
* Scores: sigmoid per label (softmax if the model was trained single-label). Tags whose score reaches
  the threshold (argument, else tags.json's, else 0.5) are returned best first; when none does, the
  fallback tag `other` is returned alone with score = its own probability if the model has an `other`
  label, else 1 − the best topical score.
* Input: a section heading, when given, is put before its text as "heading。text" — the same format
  the trainer uses (format_input), so the heading is a strong signal.
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

from service.punctuation import COLON, SEMICOLON, SENTENCE_END
from service.tagging.base import Tag, Tagger
from service.transformers_runtime import (ModelNotAvailable, ModelNotConfigured, load_error, load_once,
                                          looks_like_path, resolve_device)

TAGS_FILE = "tags.json"
DEFAULT_THRESHOLD = 0.5
OTHER_ID = "other"
_SENTENCE_END = SENTENCE_END + SEMICOLON + COLON

HOW_TO_PROVIDE = (
    "Provide a fine-tuned classifier directory: train one with `python -m models.train_classifier --base "
    "CHECKPOINT --data FILE.jsonl --out DIR` (CHECKPOINT e.g. a local copy of bert-base-chinese or "
    "hfl/chinese-roberta-wwm-ext, fetched with `hf download ID --local-dir DIR` on a machine with internet "
    "access), then set ZHNEWS_CLASSIFIER_MODEL=DIR or pass model=DIR. The default engine 'embedded' needs "
    "no model."
)


def format_input(text: str, heading: str | None = None) -> str:
    """What the classifier reads: "heading。text" (the heading as a strong signal), or the text alone."""
    text = (text or "").strip()
    heading = " ".join((heading or "").split())
    if not heading:
        return text
    return heading + ("" if heading[-1] in _SENTENCE_END else "。") + text


def read_tags_file(model_dir: str | os.PathLike) -> dict:
    path = Path(model_dir) / TAGS_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"tags": data} if isinstance(data, list) else data


def load_classifier(name: str, device: str = "cpu", quantize: bool = False):
    """(tokenizer, model) for a classifier directory or hub id, loaded once per (name, device, quantize)."""

    def load(path: str):
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        try:
            return AutoTokenizer.from_pretrained(path), AutoModelForSequenceClassification.from_pretrained(path)
        except (OSError, ValueError, ImportError) as error:
            raise load_error("classifier", name, error, HOW_TO_PROVIDE) from error

    return load_once("classifier model", name, load, HOW_TO_PROVIDE, device, quantize)


class TransformersTagger(Tagger):
    name = "transformers"

    def __init__(self, tagset=None, model: str | os.PathLike | None = None, device: str | None = None,
                 threshold: float | None = None, max_length: int | None = None, batch_size: int = 16,
                 quantize: bool | None = None, max_tags: int | None = None):
        from service.config import settings

        config = settings()
        name = os.fspath(model) if model is not None else config.classifier_model
        if not name:
            raise ModelNotConfigured("no classifier model is configured for the 'transformers' tagger "
                                     "(ZHNEWS_CLASSIFIER_MODEL is unset). " + HOW_TO_PROVIDE)
        self.model_name = name
        self.device = resolve_device(device)
        quantize = config.quantize if quantize is None else bool(quantize)
        self.tokenizer, self.model = load_classifier(name, self.device, quantize)
        self.quantized = quantize and self.device == "cpu"
        info = read_tags_file(os.path.expanduser(name)) if looks_like_path(name) else {}
        id2label = getattr(self.model.config, "id2label", None) or {}
        self.labels = [str(id2label.get(i, id2label.get(str(i), f"LABEL_{i}")))
                       for i in range(self.model.config.num_labels)]
        self.tagset = self._load_tagset(tagset)
        names = {str(t["id"]): str(t.get("name") or t["id"]) for t in info.get("tags", []) if "id" in t}
        self.names = {label: names.get(label) or self._tagset_name(label) for label in self.labels}
        self.other = str(info.get("other") or getattr(self.tagset, "other", None) or OTHER_ID)
        if self.other not in self.names:
            self.names[self.other] = self._tagset_name(self.other)
        self.threshold = float(threshold if threshold is not None else info.get("threshold", DEFAULT_THRESHOLD))
        limit = getattr(self.tokenizer, "model_max_length", None)
        self.max_length = int(max_length or info.get("max_length") or (limit if limit and limit < 100_000 else 512))
        self.batch_size = max(1, int(batch_size))
        self.max_tags = max_tags
        self.single_label = getattr(self.model.config, "problem_type", None) == "single_label_classification"

    @staticmethod
    def _load_tagset(tagset):
        try:
            from service.tagging.tagset import load_tagset
        except ImportError:
            return None
        try:
            return load_tagset(tagset)
        except Exception as error:  # names are a nicety: a bad tag file must not stop tagging
            warnings.warn(f"tag set {tagset!r} not loaded ({error}); tag names fall back to ids", RuntimeWarning,
                          stacklevel=3)
            return None

    def _tagset_name(self, tag_id: str) -> str:
        if self.tagset is not None and hasattr(self.tagset, "name_of"):
            return self.tagset.name_of(tag_id)
        return tag_id

    def predict_proba(self, inputs: list[str]):
        """Per-label probabilities, shape (len(inputs), num_labels) as a numpy array."""
        import numpy as np
        import torch

        rows = []
        for begin in range(0, len(inputs), self.batch_size):
            encoded = self.tokenizer(inputs[begin:begin + self.batch_size], return_tensors="pt", padding=True,
                                     truncation=True, max_length=self.max_length)
            encoded = {k: v.to(self.device) for k, v in encoded.items()}
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                logits = self.model(**encoded).logits.float()
            probs = logits.softmax(-1) if self.single_label else logits.sigmoid()
            rows.append(probs.cpu().numpy())
        return np.concatenate(rows) if rows else np.zeros((0, len(self.labels)), dtype=np.float32)

    def predict(self, texts: list[str], headings: list[str | None] | None = None) -> list[list[Tag]]:
        texts = list(texts)
        if headings is None:
            headings = [None] * len(texts)
        if len(headings) != len(texts):
            raise ValueError(f"{len(headings)} headings for {len(texts)} texts")
        if not texts:
            return []
        probabilities = self.predict_proba([format_input(t, h) for t, h in zip(texts, headings)])
        other_index = self.labels.index(self.other) if self.other in self.labels else None
        results = []
        for row in probabilities:
            scored = sorted(((float(p), label) for label, p in zip(self.labels, row) if label != self.other),
                            reverse=True)
            tags = [Tag(label, self.names[label], round(p, 4)) for p, label in scored if p >= self.threshold]
            if self.max_tags:
                tags = tags[:self.max_tags]
            if not tags:
                best = scored[0][0] if scored else 0.0
                score = float(row[other_index]) if other_index is not None else 1.0 - best
                tags = [Tag(self.other, self.names[self.other], round(score, 4))]
            results.append(tags)
        return results


__all__ = ["TransformersTagger", "format_input", "load_classifier", "ModelNotAvailable", "ModelNotConfigured"]
