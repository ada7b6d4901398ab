"""The hand-set scorer's selection (models/evaluate/handset.py): MMR under a character budget with a
per-section coverage penalty, budget refilling over subsets of the best sentences, and clause windows.
Pure numpy/python over precomputed scores and embeddings, so tuning re-runs it without encoding."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.summarization.selection import _is_clause_mark, bigrams, joined_length, joiner, near_duplicate


def clause_pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of `text` (marks excluded, whitespace trimmed)."""
    pieces, start = [], 0
    for i in range(len(text) + 1):
        if i == len(text) or _is_clause_mark(text, i):
            s, e = start, i
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                pieces.append((s, e))
            start = i + 1
    return pieces


def clause_windows(text: str, budget: int) -> list[tuple[int, int]]:
    """Every run of whole consecutive clauses of `text` that fits `budget` chars, as (start, end)."""
    pieces = clause_pieces(text)
    out = []
    for i, (s, _) in enumerate(pieces):
        for _, e in pieces[i:]:
            if e - s > budget:
                break
            out.append((s, e))
    return out


@dataclass
class Choice:
    index: int          # candidate index
    score: float        # the MMR score when chosen


def mmr_select(scores: np.ndarray, embeddings: np.ndarray, lengths: list[int], texts: list[str],
               sections: list[int], budget: int, max_sentences: int | None = None,
               redundancy: float = 1.0, coverage: float = 0.3, duplicate_cos: float = 0.9,
               duplicate_overlap: float = 0.7) -> list[Choice]:
    """Greedy maximal marginal relevance under the char budget.

    mmr(i) = score(i) - redundancy * max cos(i, chosen) - coverage * (#chosen in i's section)
    Candidates that do not fit the remaining budget are skipped (a shorter one may still fit);
    near duplicates (cosine ≥ duplicate_cos or bigram overlap ≥ duplicate_overlap) are never chosen.
    """
    n = len(scores)
    chosen: list[Choice] = []
    chosen_texts: list[str] = []
    alive = np.ones(n, dtype=bool)
    max_sim = np.zeros(n, dtype=np.float32)
    grams = [None] * n
    sec = np.asarray(sections)
    section_count = np.zeros(n, dtype=np.float32)
    limit = max_sentences if max_sentences and max_sentences > 0 else n
    while len(chosen) < limit and alive.any():
        mmr = scores - redundancy * max_sim - coverage * section_count
        mmr = np.where(alive, mmr, -np.inf)
        picked = None
        for i in np.argsort(-mmr, kind="stable"):
            if not alive[i]:
                break
            order = sorted([c.index for c in chosen] + [int(i)])
            if joined_length([texts[j] for j in order]) > budget:
                alive[i] = False
                continue
            if grams[i] is None:
                grams[i] = bigrams(texts[i])
            if any(near_duplicate(grams[i], grams[c.index], duplicate_overlap) for c in chosen):
                alive[i] = False
                continue
            picked = int(i)
            break
        if picked is None:
            break
        chosen.append(Choice(picked, float(mmr[picked])))
        chosen_texts.append(texts[picked])
        alive[picked] = False
        sims = embeddings @ embeddings[picked]
        max_sim = np.maximum(max_sim, sims)
        alive &= max_sim < duplicate_cos
        section_count[sec == sections[picked]] += 1
    return chosen


def subset_value(subset: list[int], scores: np.ndarray, embeddings: np.ndarray, sections: list[int],
                 used: int, budget: int, redundancy: float, coverage: float, fill: float) -> float:
    """The value a whole selection is judged by in `refill`: the MMR terms of its members taken in
    score order (score − redundancy·max cos to the better members − coverage·#better in the same
    section), plus fill·(chars used / budget)."""
    order = sorted(subset, key=lambda i: -scores[i])
    total = 0.0
    for k, i in enumerate(order):
        total += float(scores[i])
        if k:
            better = order[:k]
            total -= redundancy * float(np.max(embeddings[better] @ embeddings[i]))
            total -= coverage * sum(sections[j] == sections[i] for j in better)
    return total + fill * used / max(1, budget)


def refill(chosen: list[int], scores: np.ndarray, embeddings: np.ndarray, texts: list[str],
           sections: list[int], budget: int, max_sentences: int | None = None, top_k: int = 8,
           redundancy: float = 1.0, coverage: float = 0.3, fill: float = 1.0, duplicate_cos: float = 0.9,
           duplicate_overlap: float = 0.7) -> list[int]:
    """Budget filling after the greedy pass: every subset of the `top_k` best candidates (plus the
    greedy choice itself) that fits the budget and max_sentences and has no near-duplicate pair is
    judged by `subset_value`; the best replaces the greedy choice when it is worth more. Sentences
    stay whole; only which ones are taken changes (e.g. one long sentence for two short ones that
    leave half the budget unused)."""
    if fill <= 0 or not chosen:
        return chosen
    pool = sorted(set(int(i) for i in np.argsort(-scores, kind="stable")[:top_k]) | set(chosen))
    lengths = {i: len(texts[i]) for i in pool}
    fits = [i for i in pool if lengths[i] <= budget]
    grams = {i: bigrams(texts[i]) for i in fits}
    cos = embeddings[fits] @ embeddings[fits].T if fits else np.zeros((0, 0))
    at = {i: k for k, i in enumerate(fits)}
    limit = max_sentences if max_sentences and max_sentences > 0 else len(fits)

    def value(subset: list[int], used: int) -> float:
        if all(i in at for i in subset):   # the usual case: cosines from the pool's matrix
            ranked = sorted(subset, key=lambda i: -scores[i])
            total = float(sum(scores[i] for i in ranked))
            for k in range(1, len(ranked)):
                i = ranked[k]
                total -= redundancy * max(cos[at[i], at[j]] for j in ranked[:k])
                total -= coverage * sum(sections[j] == sections[i] for j in ranked[:k])
            return total + fill * used / max(1, budget)
        return subset_value(subset, scores, embeddings, sections, used, budget, redundancy, coverage, fill)

    best = sorted(chosen)
    best_value = value(best, joined_length([texts[j] for j in best]))
    # depth-first over subsets in document order (candidates are in document order, so a subset's
    # joined length grows by the new sentence and its joiner), pruning on length, duplicates, max_sentences
    stack: list[tuple[list[int], int, int]] = [([], 0, 0)]
    while stack:
        subset, start, used = stack.pop()
        if len(subset) >= limit:
            continue
        gap = len(joiner(texts[subset[-1]])) if subset else 0
        for k in range(start, len(fits)):
            i = fits[k]
            length = used + gap + lengths[i]
            if length > budget:
                continue
            if any(cos[at[i], at[j]] >= duplicate_cos or near_duplicate(grams[i], grams[j], duplicate_overlap)
                   for j in subset):
                continue
            trial = subset + [i]
            v = value(trial, length)
            if v > best_value + 1e-9:
                best, best_value = trial, v
            stack.append((trial, k + 1, length))
    return best
