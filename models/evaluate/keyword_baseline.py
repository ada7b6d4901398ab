"""Keyword baseline for section tagging: jieba TF-IDF of the text against each tag's name + description.

Words are jieba tokens (single characters, numbers and punctuation dropped), weighted by TF × IDF with
jieba's bundled IDF table (jieba.analyse's idf.txt; unknown words get its median IDF). Score = cosine
between the text's vector and the tag's vector. Best first; tags within `ratio` of the best are added;
`other` when no word is shared with any description. No training, no encoder.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter

from service.tagging.base import Tag, Tagger
from service.tagging.features import clean
from service.tagging.tagset import TagSet

_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}")


def _idf():
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    loader = jieba.analyse.default_tfidf.idf_loader
    return loader.idf_freq, loader.median_idf


class KeywordTagger(Tagger):
    name = "keyword"

    def __init__(self, tagset=None, ratio: float = 0.8, max_chars: int = 2000):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._cut = jieba.lcut
        self.tagset = TagSet.load(tagset)
        self.ratio = ratio
        self.max_chars = max_chars
        self.idf, self.median = _idf()
        self.vectors = {}
        for t in self.tagset.topical:
            self.vectors[t.id] = self._vector(f"{t.name} {t.description}")

    def _vector(self, text: str) -> dict[str, float]:
        words = [w for w in self._cut(clean(text)[: self.max_chars]) if _WORD.fullmatch(w)]
        tf = Counter(words)
        v = {w: c * self.idf.get(w, self.median) for w, c in tf.items()}
        n = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / n for w, x in v.items()}

    def predict(self, texts: list[str], headings: list[str | None] | None = None) -> list[list[Tag]]:
        headings = list(headings) if headings is not None else [None] * len(texts)
        out = []
        for text, heading in zip(texts, headings):
            v = self._vector(f"{heading or ''} {text or ''}")
            scores = sorted(((sum(x * tv.get(w, 0.0) for w, x in v.items()), tid)
                             for tid, tv in self.vectors.items()), key=lambda s: (-s[0], s[1]))
            best = scores[0][0] if scores else 0.0
            if best <= 0:
                out.append([Tag(self.tagset.other, self.tagset.name_of(self.tagset.other), 0.0)])
                continue
            out.append([Tag(tid, self.tagset.name_of(tid), round(s, 4)) for s, tid in scores if s >= self.ratio * best])
        return out


__all__ = ["KeywordTagger"]
