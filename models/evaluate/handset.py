"""The hand-set scorer: the embedded engine before it was trained, kept as a baseline row of the
evaluation (`hand-set scorer`), not as an engine. Its weights were set by coordinate search on the
dev splits (`--tune`).

Pipeline per document
1. Candidates: the document's sentences (the reader's splitter keeps them whole); fragments with fewer
   than 6 content characters are dropped unless nothing else is left. Only max(min_candidates,
   budget // 15) candidates (10, or 20 for reports; at most 300) are encoded: every section's first
   sentence plus the best by the encoder-free part of the score (position, leads, bigram centrality,
   fill). Encoding is >90 % of the time, so this bounds the cost of long articles and of 1000-sentence government reports.
2. One batch through the sentence encoder (multilingual USE, service/encoder.py), with the title and
   the digest when the post has them.
3. Score = centrality to the document centroid and similarity to title/digest (embeddings), plus
   character-bigram centrality (all z-scored within the document) + a position prior (exp decay over
   the sentence index, bonuses for the lead sentence of a paragraph and of a section) + a mild
   information prior (figures) + how much of the budget a sentence fills. The weights (`Weights`)
   were set on dev data only, never on reported items (see Weights).
4. Selection: MMR under the character budget (and max_sentences), a per-section coverage penalty, and
   no near duplicates (selection.py); then budget filling (`refill`): every subset of the 8 best
   candidates that fits is judged by its MMR terms + refill·(share of the budget used), and replaces
   the greedy choice when worth more. Output in document order, sentences whole and exact.
   The weights depend on the kind of text (regimes.py): short texts, research reports, other long texts.
5. If no sentence fits the budget, the best run of whole clauses (by embedding centrality) from the
   top sentences is returned, flagged "cut_at_clause". Short texts also take this path when the whole
   sentences that fit fill under `window_below` (70 %) of the budget and a longer run exists. If not
   even one clause fits, the best sentence is cut short with numbers kept whole (flag "cut"). Summary.notes says so. Notes also name empty, single-sentence, short and non-Chinese input.

"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

import numpy as np

from service.document import Document, Sentence
from models.evaluate import handset_regimes as regimes
from service.summarization.base import Summarizer, Summary, SummarySentence
from models.evaluate.handset_selection import clause_windows, mmr_select, refill
from service.summarization.selection import cut_at_clause, joined_length, joiner, returned_whole

MAX_CANDIDATES = 300
MIN_CANDIDATES = 10
CHARS_PER_CANDIDATE = 15   # one encoded candidate per 15 chars of budget (dev-long: 10 at budget 150 ≈ 15)
ENCODE_CHARS = 80   # a sentence is embedded from its first 80 chars (encoder cost grows with length)
MIN_CONTENT_CHARS = 6
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CONTENT = re.compile(r"[\w]")
_DIGIT = re.compile(r"\d")


@dataclass
class Weights:
    """Scoring and selection weights of the baseline, set on dev splits only (docs/summarization.md,
    "The hand-set baseline", says how each was chosen)."""
    centrality: float = 0.5   # cosine to the document centroid (z-scored within the document)
    title: float = 0.5        # similarity to title / digest (when present)
    position: float = 3.0     # weight of exp(-index / tau)
    tau: float = 3.0
    paragraph_lead: float = 0.3
    section_lead: float = 1.0
    figures: float = 0.1
    short: float = 0.0        # penalty for sentences under 12 content chars
    lexical: float = 0.5      # character-bigram cosine to the whole document (z-scored)
    fill: float = 0.3         # bonus for the share of the budget a sentence fills
    window_centrality: float = 3.0   # fallback (nothing fits): clause windows by centrality …
    window_fill: float = 0.0         # … and by how much of the budget they fill
    window_sentences: int = 8        # … taken from this many best sentences
    window_score: float = 0.0        # … weighing in their sentence's score
    window_prefix: float = 0.0       # … a bonus for starting at the sentence's start
    window_position: float = 1.0     # … and for the sentence's position (exp(-index / tau))
    window_below: float = 0.0        # … also used when the whole sentences fill < this share of the budget
    redundancy: float = 0.5
    coverage: float = 1.0       # per sentence already taken from the same section
    paragraph_coverage: float = 0.0   # one-section documents: the same, per paragraph
    refill: float = 2.0         # budget filling after the greedy pass: weight of the share of budget used
    refill_k: int = 8           # … over subsets of this many best candidates
    min_candidates: int = MIN_CANDIDATES   # encode at least this many candidates (see _cap)


@dataclass
class Features:
    """Everything selection needs about one document, computed once (one encoder batch; the
    nothing-fits fallback encodes its clause windows in a second, small batch)."""
    sentences: list[Sentence]
    embeddings: np.ndarray
    centrality: np.ndarray
    title_sim: np.ndarray | None
    position: np.ndarray          # index among all document sentences
    paragraph_lead: np.ndarray
    section_lead: np.ndarray
    figures: np.ndarray
    short: np.ndarray
    lexical: np.ndarray
    centroid: np.ndarray
    encode: object = None
    notes: list[str] = field(default_factory=list)


def _content_len(text: str) -> int:
    return len(_CONTENT.findall(text))


def _zscore(x: np.ndarray) -> np.ndarray:
    if len(x) < 2:
        return np.zeros_like(x)
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-6 else np.zeros_like(x)


def _cap(budget: int | None, least: int) -> int:
    """How many candidates to encode: enough for the budget (a sentence is ~25-40 chars), bounded."""
    if not budget:
        return MAX_CANDIDATES
    return max(least, min(MAX_CANDIDATES, budget // CHARS_PER_CANDIDATE))


def _prefilter(candidates: list[Sentence], positions: np.ndarray, lexical: np.ndarray, para_lead: np.ndarray,
               sec_lead: np.ndarray, limit: int, w: "Weights", budget: int | None) -> list[int]:
    """Indices of the `limit` candidates best by the encoder-free part of the score (position, leads,
    bigram centrality, fill); every section's first candidate is kept for coverage."""
    cheap = w.position * np.exp(-positions / max(w.tau, 1e-3)) + w.lexical * _zscore(lexical) \
        + w.paragraph_lead * para_lead + w.section_lead * sec_lead
    if budget:
        cheap = cheap + w.fill * np.minimum(1.0, np.array([len(c.text) for c in candidates]) / budget)
    keep: dict[int, None] = {}
    seen: set[int] = set()
    for i, c in enumerate(candidates):
        if c.section not in seen and len(keep) < limit // 2:
            keep[i] = None
        seen.add(c.section)
    for i in np.argsort(-cheap, kind="stable"):
        if len(keep) >= limit:
            break
        keep[int(i)] = None
    return sorted(keep)


def _lexical(texts: list[str]) -> np.ndarray:
    """Cosine of each sentence's character-bigram counts with the whole document's (vectorised:
    bigrams as int64 codes of two code points, counted with np.unique / bincount)."""
    n = len(texts)
    stripped = [re.sub(r"\W", "", x) for x in texts]
    codes = np.frombuffer("".join(stripped).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lens = np.fromiter(map(len, stripped), dtype=np.int64, count=n)
    if len(codes) < 2:
        return np.zeros(n, dtype=np.float32)
    sid = np.repeat(np.arange(n), lens)
    same = sid[:-1] == sid[1:]                       # a bigram never spans two sentences
    grams = (codes[:-1] << 21 | codes[1:])[same]
    owner = sid[:-1][same]
    if not len(grams):
        return np.zeros(n, dtype=np.float32)
    vocab, inverse = np.unique(grams, return_inverse=True)
    total = np.bincount(inverse, minlength=len(vocab)).astype(np.float64)
    pairs, counts = np.unique(owner * len(vocab) + inverse, return_counts=True)
    who, gram = pairs // len(vocab), pairs % len(vocab)
    dot = np.bincount(who, weights=counts * total[gram], minlength=n)
    norm = np.sqrt(np.bincount(who, weights=counts.astype(np.float64) ** 2, minlength=n))
    norm[norm == 0] = 1.0
    return (dot / (norm * (np.sqrt((total ** 2).sum()) or 1.0))).astype(np.float32)


def prepare(document: Document, encode=None, budget: int | None = None,
            weights: "Weights | None" = None) -> Features | None:
    """Candidate sentences and their features; None when the document has no sentences. With a
    budget, only the best candidates by the encoder-free score are encoded (see _cap)."""
    if encode is None:
        from service.encoder import encode
    w = weights or Weights()
    everything = document.sentences
    if not everything:
        return None
    index_of = {id(s): i for i, s in enumerate(everything)}
    content = {id(s): _content_len(s.text) for s in everything}   # computed once per sentence
    candidates = [s for s in everything if content[id(s)] >= MIN_CONTENT_CHARS] or \
        [s for s in everything if content[id(s)] > 0] or everything
    first_in_paragraph: set[tuple[int, int]] = set()
    first_in_section: set[int] = set()
    para_lead, sec_lead = [], []
    for s in everything:
        para_lead.append((s.section, s.paragraph) not in first_in_paragraph)
        sec_lead.append(s.section not in first_in_section and s.section > 0)
        first_in_paragraph.add((s.section, s.paragraph))
        first_in_section.add(s.section)
    pos = np.array([index_of[id(s)] for s in candidates], dtype=np.float32)
    para = np.array([para_lead[int(i)] for i in pos], dtype=np.float32)
    sec = np.array([sec_lead[int(i)] for i in pos], dtype=np.float32)
    lexical = _lexical([s.text for s in candidates])
    notes: list[str] = []
    limit = _cap(budget, w.min_candidates)
    if len(candidates) > limit:
        keep = _prefilter(candidates, pos, lexical, para, sec, limit, w, budget)
        if len(candidates) > MAX_CANDIDATES:
            notes.append(f"long input: {len(candidates)} sentences prefiltered to {len(keep)} candidates")
        candidates = [candidates[i] for i in keep]
        pos, para, sec, lexical = pos[keep], para[keep], sec[keep], lexical[keep]
    queries = [q for q in (document.title, document.digest) if q and q.strip()]
    vectors = encode([s.text[:ENCODE_CHARS] for s in candidates] + queries)
    emb, query_vecs = vectors[:len(candidates)], vectors[len(candidates):]
    n_content = np.array([content[id(s)] for s in candidates], dtype=np.float32)
    lengths = np.sqrt(np.maximum(1.0, n_content))
    centroid = (emb * lengths[:, None]).sum(0)
    centroid /= np.linalg.norm(centroid) or 1.0
    return Features(
        sentences=candidates,
        embeddings=emb,
        centrality=emb @ centroid,
        title_sim=(emb @ query_vecs.T).max(1) if len(query_vecs) else None,
        position=pos,
        paragraph_lead=para,
        section_lead=sec,
        figures=np.array([bool(_DIGIT.search(s.text)) for s in candidates], dtype=np.float32),
        short=(n_content < 12).astype(np.float32),
        lexical=lexical,
        centroid=centroid,
        encode=encode,
        notes=notes,
    )


def score(features: Features, w: Weights, budget: int | None = None) -> np.ndarray:
    total = w.centrality * _zscore(features.centrality) + w.lexical * _zscore(features.lexical)
    if budget:
        lengths = np.array([len(s.text) for s in features.sentences], dtype=np.float32)
        total = total + w.fill * np.minimum(1.0, lengths / budget)
    if features.title_sim is not None:
        total = total + w.title * _zscore(features.title_sim)
    total = total + w.position * np.exp(-features.position / max(w.tau, 1e-3))
    total = total + w.paragraph_lead * features.paragraph_lead + w.section_lead * features.section_lead
    total = total + w.figures * features.figures - w.short * features.short
    return total.astype(np.float32)


def select(document: Document, features: Features, budget: int, max_sentences: int | None,
           w: Weights) -> tuple[list[SummarySentence], list[str]]:
    """The chosen sentences (document order) and notes; cuts the best sentence if nothing fits."""
    scores = score(features, w, budget)
    sents = features.sentences
    # Coverage units: the sections when there are several, else the paragraphs (a report's paragraphs
    # are its points, and its reference summary takes one from each).
    if len(document.sections) > 1:
        units, coverage = [s.section for s in sents], w.coverage
    else:
        units, coverage = [s.paragraph for s in sents], w.paragraph_coverage
    chosen = mmr_select(scores, features.embeddings, [len(s.text) for s in sents], [s.text for s in sents],
                        units, budget, max_sentences, redundancy=w.redundancy, coverage=coverage)
    picked = [c.index for c in chosen]
    if picked and w.refill > 0:
        picked = refill(picked, scores, features.embeddings, [s.text for s in sents], units,
                        budget, max_sentences, top_k=w.refill_k, redundancy=w.redundancy, coverage=coverage,
                        fill=w.refill)
    notes: list[str] = []
    out: list[SummarySentence] = []
    top = [int(i) for i in np.argsort(-scores, kind="stable")[:max(1, w.window_sentences)]]
    used = joined_length([sents[i].text for i in picked])
    longer: list[tuple[int, int, int]] = []
    if picked and used < w.window_below * budget:
        # the whole sentences that fit leave most of the budget unused: a longer run of clauses of a
        # top sentence says more (short regime only; see Weights.window_below)
        longer = [(i, a, b) for i in top for a, b in clause_windows(sents[i].text, budget) if b - a > used]
    if picked and not longer:
        for i in sorted(picked, key=lambda i: sents[i].start):
            s = sents[i]
            out.append(_summary_sentence(document, s, s.text, s.end, float(scores[i])))
        return out, notes
    windows = longer or [(i, a, b) for i in top for a, b in clause_windows(sents[i].text, budget)]
    if windows:
        texts = [sents[i].text[a:b] for i, a, b in windows]
        cos = features.encode(texts) @ features.centroid
        value = [w.window_score * scores[i] + w.window_centrality * c + w.window_fill * (b - a) / budget
                 + w.window_prefix * (sents[i].text[:a].strip() == "")
                 + w.window_position * math.exp(-features.position[i] / max(w.tau, 1e-3))
                 for (i, a, b), c in zip(windows, cos)]
        i, a, b = windows[int(np.argmax(value))]
        s = sents[i]
        why = (f"the whole sentences that fit max_chars={budget} fill only {used} chars" if longer
               else f"no sentence fits max_chars={budget}")
        notes.append(f"{why}; a sentence ({len(s.text)} chars) was cut at clause boundaries to {b - a} chars")
        item = SummarySentence(text=s.text[a:b], start=s.start + a, end=s.start + b, section=s.section,
                               heading=_heading(document, s), score=round(float(scores[i]), 4),
                               flags=["cut_at_clause"] if s.text[a:b] != s.text.strip() else [])
        return [item], notes
    best = top[0]
    s = sents[best]
    cut = cut_at_clause(s.text, budget)
    if cut:
        notes.append(f"no sentence fits max_chars={budget}, nor any of its clauses; the best sentence "
                     f"({len(s.text)} chars) was cut to {len(cut)} chars, numbers kept whole")
        item = _summary_sentence(document, s, cut, s.start + len(cut), float(scores[best]))
        item.flags.append("cut")
        out.append(item)
    else:
        notes.append(f"max_chars={budget} leaves no room for any text")
    return out, notes


def _heading(document: Document, s: Sentence) -> str | None:
    return document.sections[s.section].heading if 0 <= s.section < len(document.sections) else None


def _summary_sentence(document: Document, s: Sentence, text: str, end: int, score_: float) -> SummarySentence:
    return SummarySentence(text=text, start=s.start, end=end, section=s.section, heading=_heading(document, s),
                           score=round(score_, 4))


def _join(sentences: list[SummarySentence]) -> str:
    text = ""
    for s in sentences:
        text += joiner(text) + s.text if text else s.text
    return text


class HandSetSummarizer(Summarizer):
    name = "hand-set"

    def __init__(self, weights: Weights | None = None, encode=None):
        """`weights`, when given, are used for every kind of text; by default each kind (regimes.py:
        short, report, long) gets its own."""
        self.weights = {name: weights or dataclasses.replace(Weights(), **overrides)
                        for name, overrides in regimes.OVERRIDES.items()}
        self._encode = encode

    def weights_for(self, document: Document) -> Weights:
        return self.weights[regimes.regime(document)]

    def summarize(self, document: Document, max_chars: int | None = None,
                  max_sentences: int | None = None) -> Summary:
        from service.options import summary_chars, summary_sentences

        budget, max_sentences = summary_chars(max_chars), summary_sentences(max_sentences)
        notes: list[str] = []
        sentences = document.sentences
        if not sentences or not document.body.strip():
            return Summary(text="", sentences=[], engine=self.name, notes=["empty input: nothing to summarize"])
        if not _CJK.search(document.body):
            notes.append("input has no Chinese text; summarized with the multilingual encoder as is")
        if len(sentences) == 1:
            notes.append("input is a single sentence; returned as is" if len(sentences[0].text) <= budget
                         else "input is a single sentence")
        elif joined_length([s.text for s in sentences]) <= budget and (max_sentences is None or len(sentences) <= max_sentences):
            kept, note = returned_whole([s.text for s in sentences])
            notes.append(note)
            chosen = [_summary_sentence(document, sentences[i], sentences[i].text, sentences[i].end, 0.0) for i in kept]
            return Summary(text=_join(chosen), sentences=chosen, engine=self.name, notes=notes)
        kind = regimes.regime(document)
        w = self.weights[kind]
        if kind == regimes.REPORT:
            notes.append("read as a research report (analyst terms such as 归母净利, 评级, YoY): "
                         "one point per paragraph rather than the lead")
        features = prepare(document, self._encode, budget, w)
        notes.extend(features.notes)
        chosen, more = select(document, features, budget, max_sentences, w)
        notes.extend(more)
        return Summary(text=_join(chosen), sentences=chosen, engine=self.name, notes=notes)
