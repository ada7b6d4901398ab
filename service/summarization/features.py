"""The numbers a ranker sees about each candidate, in its document's context.

`DocumentIndex` is built once per document: per character position the hashed character bigram that
starts there (digits folded to 0, so `7月20日` and `8月3日` share their bigrams), whether both of its
characters are letters or digits, how often that bigram recurs in the document, whether it is in the
title, and prefix sums of all of these. Any span's bigram count, lexical centrality and title overlap
is then two lookups, so scoring ten thousand clause runs of a work report costs milliseconds.

`numeric()` gives the hand-made part of the input (position in the document, section and paragraph,
where in its sentence a clause run starts and ends, how much of the budget it fills, figures, flags);
the learned part (bigram and opener embeddings) is looked up by the ranker from `bag_ids()`. The
training code builds its inputs with these same functions, so training and inference agree exactly.
"""
from __future__ import annotations

import re
from functools import cached_property

import numpy as np

from service.document import Document
from service.punctuation import ELLIPSIS, SENTENCE_END
from service.summarization.candidates import TIME_OPENER, Candidate

NUMERIC = (
    "relative_position", "lead_decay_2", "lead_decay_8", "first_sentence", "paragraph_lead", "section_lead",
    "section_position", "starts_sentence", "ends_sentence", "whole", "first_clause", "clauses",
    "fill", "fill_squared", "log_length", "digit_share", "has_digit", "time_opener", "dangling",
    "lexical", "lexical_z", "title_overlap", "has_title", "log_budget", "log_document", "report_cues",
    "ends_terminal", "has_quote", "procedural", "header", "byline", "table", "char_position", "lead_overlap",
)
_TERMINAL = SENTENCE_END + ELLIPSIS

# Distinct cues of a research report or a results commentary (earnings terms, ratings, forecasts, the
# analysts' shorthand); how many a document has is one of the inputs.
REPORT_CUES = re.compile(
    r"归母净利|扣非|盈利预测|投资评级|投资建议|(?:买入|增持|推荐|中性|减持|跑赢|优于大市)[”\"]?评级"
    r"|维持[“\"]?(?:买入|增持|推荐)|首次覆盖|目标价|EPS|PE(?![A-Za-z])|市盈率|风险提示|毛利率|净利率"
    r"|营收|营业收入|同比[+-]|[1-4]Q2\d|2\dQ[1-4]|\d{2}H[12]|YoY|QoQ|pct")


def report_cues(text: str) -> int:
    return len({m.group() for m in REPORT_CUES.finditer(text)})


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _is_word(text: str) -> np.ndarray:
    # letters and digits of any script; one pass in Python (str.isalnum per char) is ~1 ms per 10k chars
    return np.fromiter((ch.isalnum() for ch in text), dtype=bool, count=len(text))


class DocumentIndex:
    """Per-position bigram facts of one document and their prefix sums (see the module doc)."""

    def __init__(self, document: Document, buckets: int):
        text = document.text
        self.document = document
        self.buckets = buckets
        codes = _codes(text)
        word = _is_word(text)
        digit = np.fromiter((ch.isdigit() for ch in text), dtype=bool, count=len(text))
        folded = np.where(digit, ord("0"), codes)
        n = len(text)
        valid = np.zeros(n, dtype=bool)
        ids = np.zeros(n, dtype=np.int64)
        if n > 1:
            valid[:-1] = word[:-1] & word[1:]
            ids[:-1] = (folded[:-1] * 1000003 + folded[1:]) % (buckets - 1) + 1   # 0: no bigram
        ids[~valid] = 0
        self.ids = ids
        self.valid = valid
        present = ids[valid]
        counts = np.zeros(n, dtype=np.float64)
        if len(present):
            vocab, inverse, freq = np.unique(present, return_inverse=True, return_counts=True)
            counts[valid] = freq[inverse]
            self.norm = float(np.sqrt((freq.astype(np.float64) ** 2).sum()))
        else:
            self.norm = 1.0
        title_ids = set()
        if document.title:
            t = document.title
            tc = np.where(np.fromiter((c.isdigit() for c in t), dtype=bool, count=len(t)), ord("0"), _codes(t))
            tw = np.fromiter((c.isalnum() for c in t), dtype=bool, count=len(t))
            for i in range(len(t) - 1):
                if tw[i] and tw[i + 1]:
                    title_ids.add(int((tc[i] * 1000003 + tc[i + 1]) % (buckets - 1) + 1))
        in_title = np.isin(ids, list(title_ids)) & valid if title_ids else np.zeros(n, dtype=bool)
        self.has_title = bool(title_ids)
        self.p_valid = np.concatenate([[0], np.cumsum(valid)])
        self.p_count = np.concatenate([[0.0], np.cumsum(counts)])
        self.p_title = np.concatenate([[0], np.cumsum(in_title)])
        self.p_digit = np.concatenate([[0], np.cumsum(digit)])
        # bigrams of the first sentence: a headline often compresses the lead
        sentences = document.sentences
        lead = np.zeros(n, dtype=bool)
        if sentences:
            first = ids[sentences[0].start:max(sentences[0].start, sentences[0].end - 1)]
            first = first[first > 0]
            if len(first):
                lead = np.isin(ids, first) & valid
        self.p_lead = np.concatenate([[0], np.cumsum(lead)])
        # the first valid bigram at or after each position (n: none), for the opener embedding
        where = np.concatenate([np.where(valid, np.arange(n), n), [n]])
        self.next_valid = np.minimum.accumulate(where[::-1])[::-1]
        self.n_sentences = len(sentences)
        self.n_sections = max(1, len(document.sections))
        self.paragraph_lead = np.zeros(len(sentences), dtype=bool)
        self.section_lead = np.zeros(len(sentences), dtype=bool)
        seen_p, seen_s = set(), set()
        for i, s in enumerate(sentences):
            self.paragraph_lead[i] = (s.section, s.paragraph) not in seen_p
            self.section_lead[i] = s.section not in seen_s and s.section > 0
            seen_p.add((s.section, s.paragraph))
            seen_s.add(s.section)
        self.section_of = np.array([s.section for s in sentences], dtype=np.int64)
        self.report_cues = report_cues(text)
        self.length = n

    @cached_property
    def recur(self) -> np.ndarray:
        """Log of how often each position's bigram occurs in the document (0 for a bigram seen once, or
        none): the echo input's weights, derived from p_count and computed only when a ranker asks."""
        return np.log(np.maximum(np.diff(self.p_count), 1.0)).astype(np.float32)

    def spans(self, cands: list[Candidate]) -> tuple[np.ndarray, np.ndarray]:
        """Start and end (exclusive) positions of each candidate's bigrams: [start, end - 1)."""
        a = np.fromiter((c.start for c in cands), dtype=np.int64, count=len(cands))
        b = np.fromiter((c.end for c in cands), dtype=np.int64, count=len(cands))
        return a, np.maximum(a, b - 1)

    def openers(self, cands: list[Candidate]) -> np.ndarray:
        """The bigram id of each candidate's first two letters (0 when it has none)."""
        a, b = self.spans(cands)
        first = self.next_valid[a]
        ids = np.concatenate([self.ids, [0]])
        return np.where(first < b, ids[np.minimum(first, self.length)], 0)

    def numeric(self, cands: list[Candidate], budget: int) -> np.ndarray:
        """(len(cands), len(NUMERIC)) float32 features at this character budget."""
        m = len(cands)
        a, e = self.spans(cands)
        start = a
        end = np.fromiter((c.end for c in cands), dtype=np.int64, count=m)
        length = (end - start).astype(np.float64)
        n_valid = (self.p_valid[e] - self.p_valid[a]).astype(np.float64)
        lexical = (self.p_count[e] - self.p_count[a]) / (np.sqrt(np.maximum(n_valid, 1.0)) * (self.norm or 1.0))
        sd = lexical.std() if m > 1 else 0.0
        lexical_z = (lexical - lexical.mean()) / sd if sd > 1e-9 else np.zeros(m)
        title = (self.p_title[e] - self.p_title[a]) / np.maximum(n_valid, 1.0)
        digits = (self.p_digit[end] - self.p_digit[start]).astype(np.float64)
        sent = np.fromiter((c.sentence for c in cands), dtype=np.int64, count=m)
        budget = max(1, int(budget))
        fill = length / budget
        flags = [set(c.flags) for c in cands]
        texts = [c.text for c in cands]
        cols = {
            "relative_position": sent / max(1, self.n_sentences - 1),
            "lead_decay_2": np.exp(-sent / 2.0),
            "lead_decay_8": np.exp(-sent / 8.0),
            "first_sentence": sent == 0,
            "paragraph_lead": self.paragraph_lead[sent],
            "section_lead": self.section_lead[sent],
            "section_position": self.section_of[sent] / max(1, self.n_sections - 1),
            "starts_sentence": [c.first_clause == 0 for c in cands],
            "ends_sentence": [c.at_sentence_end for c in cands],
            "whole": [c.whole for c in cands],
            "first_clause": np.log1p([c.first_clause for c in cands]),
            "clauses": np.log1p([c.clauses for c in cands]),
            "fill": fill,
            "fill_squared": fill ** 2,
            "log_length": np.log1p(length),
            "digit_share": digits / np.maximum(length, 1.0),
            "has_digit": digits > 0,
            "time_opener": [bool(TIME_OPENER.match(t)) for t in texts],
            "dangling": ["dangling" in f for f in flags],
            "lexical": lexical,
            "lexical_z": lexical_z,
            "title_overlap": title,
            "has_title": np.full(m, self.has_title),
            "log_budget": np.full(m, np.log(budget)),
            "log_document": np.full(m, np.log1p(self.length)),
            "report_cues": np.full(m, min(self.report_cues, 6) / 6.0),
            "ends_terminal": [bool(t) and t[-1] in _TERMINAL for t in texts],
            "has_quote": ["《" in t or "“" in t for t in texts],
            "procedural": ["procedural" in f for f in flags],
            "header": ["header" in f for f in flags],
            "byline": ["byline" in f for f in flags],
            "table": ["table" in f for f in flags],
            "char_position": start / max(1, self.length),
            "lead_overlap": (self.p_lead[e] - self.p_lead[a]) / np.maximum(n_valid, 1.0),
        }
        return np.stack([np.asarray(cols[k], dtype=np.float64) for k in NUMERIC], axis=1).astype(np.float32)
