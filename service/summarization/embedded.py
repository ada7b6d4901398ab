"""The embedded default: a trained extractive summarizer that runs offline, in numpy.

Steps per document
1. Candidates (candidates.py): whole sentences and runs of whole clauses inside a sentence, with exact
   offsets; procedural formulas, header and byline lines, table residue and dangling openers are
   flagged and only used when nothing clean is left.
2. Ranking (ranker.py): the trained ranker scores every candidate in its document's context at the
   budget. A long document's sentences are ranked whole first and only the best `shortlist` (and each
   section's best) are opened up into clause runs.
3. Selection: the best candidate that fits; then, while room is left, the best of the rest, ranked
   again at the remaining budget, one per sentence, no near duplicates, `coverage` less per pick
   already taken from the same section. Output in document order. A run of clauses is flagged
   "cut_at_clause" and the notes say so. When not even one clause fits, the best sentence is cut at
   its last clause mark within the budget (flag "cut").
4. Section summaries: one line per section (`section_summaries`), the same ranker at
   `section_chars` with one pick.

The ranker's weights and every selection setting live in its artifact (models/artifacts/
summarizer-ranker.json + .npz, card summarizer-ranker.md); nothing tuned is a constant here.
"""
from __future__ import annotations

import re

import numpy as np

from service.document import Document, Sentence
from service.summarization.base import Summarizer, Summary, SummarySentence
from service.summarization.candidates import Candidate, sentence_candidates, whole_sentences
from service.summarization.features import DocumentIndex
from service.options import summary_chars, summary_sentences
from service.summarization.ranker import Ranker
from service.summarization.selection import (bigrams, cut_at_clause, joined_length, joiner, near_duplicate,
                                             returned_whole)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DIGIT = re.compile(r"\d")


class EmbeddedSummarizer(Summarizer):
    name = "embedded"

    def __init__(self, artifact: str | None = None, ranker: Ranker | None = None):
        """`artifact`: the ranker's name in models/artifacts or its path (default: ZHNEWS_SUMMARIZER_RANKER,
        else summarizer-ranker)."""
        if ranker is None:
            from service.config import settings
            ranker = Ranker.load(artifact or settings().summarizer_ranker)
        self.ranker = ranker
        sel = self.ranker.selection
        self.shortlist = int(sel.get("shortlist", 24))
        self.max_runs = int(sel.get("max_runs", 40))
        self.coverage = float(sel.get("coverage", 0.0))
        self.min_remaining = int(sel.get("min_remaining", 6))
        self.section_chars = int(sel.get("section_chars", 60))
        self.headline_chars = int(sel.get("headline_chars", 0))
        # above headline size a run of clauses must start its sentence and fill this share of the
        # budget: a summary is a few substantial pieces that read as written, not a chain of fragments …
        self.run_min_share = float(sel.get("run_min_share", 0.0))
        # … except the first piece of a summary of up to this many characters (a long headline)
        self.free_run_chars = int(sel.get("free_run_chars", 0))
        # long, sectioned documents: at most one piece per section once it has this many sections …
        self.one_per_section = int(sel.get("one_per_section_from", 0))
        # … and a figure in the summary when the document has any, from this budget and document length
        self.figure_budget = int(sel.get("figure_from_budget", 0))
        self.figure_document = int(sel.get("figure_from_document_chars", 0))

    # candidates and ranking -------------------------------------------------------------------------
    def candidates(self, document: Document, index: DocumentIndex, budget: int,
                   sentences: list[int] | None = None) -> list[Candidate]:
        """Candidates from `sentences` (default: all); with more than `shortlist` of them, only the
        best-ranked sentences and each section's best are opened up into clause runs."""
        pool = _whole_sentences(document, index)
        if sentences is not None:
            allowed = set(sentences)
            pool = [c for c in pool if c.sentence in allowed]
        # the shortlist is drawn from the sentences a summary may use or take clauses from (a sentence
        # that opens with a byline or a dangling word still has clean runs of clauses)
        pool = [c for c in pool if c.usable]
        if len(pool) > self.shortlist:
            scores = self.ranker.score(index, pool, budget)
            keep = {pool[int(i)].sentence for i in np.argsort(-scores, kind="stable")[:self.shortlist]}
            best_of_section: dict[int, tuple[float, int]] = {}
            for c, s in zip(pool, scores):
                section = document.sentences[c.sentence].section
                if section not in best_of_section or s > best_of_section[section][0]:
                    best_of_section[section] = (float(s), c.sentence)
            keep |= {i for _, i in best_of_section.values()}
            chosen = sorted(keep)
        else:
            chosen = [c.sentence for c in pool]
        return [c for i in chosen for c in sentence_candidates(document, i, budget, self.max_runs)]

    def select(self, document: Document, index: DocumentIndex, cands: list[Candidate], budget: int,
               max_sentences: int | None, first: list[Candidate] | None = None) -> list[tuple[Candidate, float]]:
        """Greedy selection under the budget (see the module doc); `first`, when given, is the pool
        the first piece is taken from."""
        pool = [c for c in cands if c.clean] or [c for c in cands if c.usable]
        chosen: list[tuple[Candidate, float]] = []
        limit = max_sentences if max_sentences and max_sentences > 0 else len(pool)
        grams: dict[int, set[str]] = {}
        one_per_section = bool(self.one_per_section) and len(document.sections) >= self.one_per_section
        while pool and len(chosen) < limit:
            room = budget - joined_length([c.text for c, _ in chosen]) - (1 if chosen else 0)
            if chosen and room < self.min_remaining:
                break
            source = first if (first and not chosen) else pool
            fits = [c for c in source if len(c.text) <= room]
            if self.run_min_share and budget > self.headline_chars and (chosen or budget > self.free_run_chars):
                fits = [c for c in fits if c.whole or (c.first_clause == 0 and len(c.text) >= self.run_min_share * budget)]
            if not fits:
                break
            scores = self.ranker.score(index, fits, room if chosen else budget)
            if self.coverage and chosen:
                taken = [document.sentences[c.sentence].section for c, _ in chosen]
                scores = scores - self.coverage * np.array(
                    [taken.count(document.sentences[c.sentence].section) for c in fits], dtype=np.float32)
            picked = None
            for i in np.argsort(-scores, kind="stable"):
                c = fits[int(i)]
                g = grams.setdefault(id(c), bigrams(c.text))
                if any(near_duplicate(g, grams[id(o)]) for o, _ in chosen):
                    continue
                picked = (c, float(scores[int(i)]))
                break
            if picked is None:
                break
            chosen.append(picked)
            ordered = sorted(chosen, key=lambda x: x[0].start)
            if joined_length([c.text for c, _ in ordered]) > budget:   # a joiner tipped it over
                chosen.pop()
                break
            section = document.sentences[picked[0].sentence].section
            pool = [c for c in pool if c.sentence != picked[0].sentence
                    and not (one_per_section and document.sentences[c.sentence].section == section)]
        return sorted(chosen, key=lambda x: x[0].start)

    def select_with_figure(self, document: Document, index: DocumentIndex, cands: list[Candidate], budget: int,
                           max_sentences: int | None) -> list[tuple[Candidate, float]]:
        """`select`, and when a long document has figures but the summary none, again with the first
        piece taken from the figure-bearing candidates (a work report's targets and results)."""
        chosen = self.select(document, index, cands, budget, max_sentences)
        if not (self.figure_budget and budget >= self.figure_budget and len(document.text) >= self.figure_document):
            return chosen
        if any(_DIGIT.search(c.text) for c, _ in chosen):
            return chosen
        def with_figures(pool):
            return [c for c in pool if c.clean and _DIGIT.search(c.text)]

        # from the shortlist's candidates, else (none there) from the sentences that have figures
        first = with_figures(cands) or with_figures(self.candidates(
            document, index, budget, [i for i, s in enumerate(document.sentences) if _DIGIT.search(s.text)]))
        return self.select(document, index, cands, budget, max_sentences, first=first) if first else chosen

    # the engine ---------------------------------------------------------------------------------------
    def summarize(self, document: Document, max_chars: int | None = None,
                  max_sentences: int | None = None) -> Summary:
        budget, max_sentences = summary_chars(max_chars), summary_sentences(max_sentences)
        sentences = document.sentences
        if not sentences or not document.body.strip():
            return Summary(text="", sentences=[], engine=self.name, notes=["empty input: nothing to summarize"])
        notes: list[str] = []
        if not _CJK.search(document.body):
            notes.append("input has no Chinese text; summarized as is")
        index = self.ranker.index(document)
        sections = self.section_summaries(document, index)
        whole = self._whole_if_short(document, budget, max_sentences, notes)
        if whole is not None:
            return Summary(text=_join(whole), sentences=whole, engine=self.name, notes=notes,
                           section_summaries=sections)
        if budget <= self.headline_chars:
            max_sentences = 1        # a headline is one run of the article's words, not fragments
        chosen = self.select_with_figure(document, index, self.candidates(document, index, budget), budget,
                                         max_sentences)
        if chosen:
            out = [self._sentence(document, c, score) for c, score in chosen]
            parts = [k + 1 for k, (c, _) in enumerate(chosen) if not c.whole]
            if parts:
                notes.append(f"summary sentence{'s' if len(parts) > 1 else ''} {', '.join(map(str, parts))} "
                             f"{'are runs' if len(parts) > 1 else 'is a run'} of whole clauses from a longer "
                             f"sentence (flag cut_at_clause), to fit max_chars={budget}")
            if any(c.flags for c, _ in chosen):
                notes.append("no clean candidate fits; the summary uses text flagged "
                             + ", ".join(sorted({f for c, _ in chosen for f in c.flags})))
        elif any(c.usable for c in _whole_sentences(document, index)):
            out = self._cut(document, index, budget, notes)
        else:
            out = []
            notes.append("no sentence is fit for a summary: the text is formulas, headers or table residue")
        return Summary(text=_join(out), sentences=out, engine=self.name, notes=notes, section_summaries=sections)

    def rank(self, document: Document, budget: int | None = None) -> list[tuple[Sentence, float]]:
        """Every sentence the ranker considers (content of 4+ letters), best first, scored whole at
        `budget` (default: the summary budget); used by the transformers engine's number guard."""
        index = self.ranker.index(document)
        pool = _whole_sentences(document, index)
        scores = self.ranker.score(index, pool, summary_chars(budget))
        order = np.argsort(-scores, kind="stable")
        return [(document.sentences[pool[int(i)].sentence], float(scores[int(i)])) for i in order]

    def section_summaries(self, document: Document, index: DocumentIndex | None = None,
                          max_chars: int | None = None) -> list[SummarySentence | None]:
        """One line per section of `document` (None for a section without sentences)."""
        index = index or self.ranker.index(document)
        budget = self.section_chars if max_chars is None else summary_chars(max_chars)
        per_section: dict[int, list[int]] = {}
        for i, s in enumerate(document.sentences):
            per_section.setdefault(s.section, []).append(i)
        out: list[SummarySentence | None] = []
        for k in range(len(document.sections)):
            picked = []
            if k in per_section:
                cands = [c for c in self.candidates(document, index, budget, per_section[k]) if c.clean]
                # a line read on its own needs its subject: a whole sentence or the sentence's opening
                # clauses, not a tail such as 同比增长15.2% (unless nothing else is clean)
                opening = [c for c in cands if c.whole or c.first_clause == 0]
                picked = self.select(document, index, opening or cands, budget, 1)
            out.append(self._sentence(document, *picked[0]) if picked else None)
        return out

    def _whole_if_short(self, document: Document, budget: int, max_sentences: int | None,
                        notes: list[str]) -> list[SummarySentence] | None:
        sentences = document.sentences
        if len(sentences) == 1 and len(sentences[0].text) <= budget:
            notes.append("input is a single sentence; returned as is")
            return [_from_sentence(document, sentences[0])]
        if joined_length([s.text for s in sentences]) > budget or (max_sentences and len(sentences) > max_sentences):
            if len(sentences) == 1:
                notes.append("input is a single sentence")
            return None
        kept, note = returned_whole([s.text for s in sentences])
        notes.append(note)
        return [_from_sentence(document, sentences[i]) for i in kept]

    def _cut(self, document: Document, index: DocumentIndex, budget: int, notes: list[str]) -> list[SummarySentence]:
        pool = [c for c in _whole_sentences(document, index) if c.usable]
        if not pool:
            notes.append(f"max_chars={budget} leaves no room for any text")
            return []
        scores = self.ranker.score(index, pool, budget)
        best = pool[int(np.argmax(scores))]
        cut = cut_at_clause(best.text, budget)
        if not cut:
            notes.append(f"max_chars={budget} leaves no room for any text")
            return []
        notes.append(f"no sentence fits max_chars={budget}, nor any of its clauses; the best sentence "
                     f"({len(best.text)} chars) was cut to {len(cut)} chars, numbers kept whole")
        item = self._sentence(document, best, float(np.max(scores)))
        item.text, item.end = cut, best.start + len(cut)
        item.flags = ["cut"]
        return [item]

    def _sentence(self, document: Document, c: Candidate, score: float) -> SummarySentence:
        s = document.sentences[c.sentence]
        return SummarySentence(text=c.text, start=c.start, end=c.end, section=s.section,
                               heading=_heading(document, s), score=round(float(score), 4),
                               flags=[] if c.whole else ["cut_at_clause"])


def _whole_sentences(document: Document, index: DocumentIndex) -> list[Candidate]:
    """Every sentence as a candidate, built once per document and kept on its index."""
    pool = getattr(index, "whole_sentences", None)
    if pool is None:
        pool = index.whole_sentences = whole_sentences(document)
    return pool


def _heading(document: Document, s: Sentence) -> str | None:
    return document.sections[s.section].heading if 0 <= s.section < len(document.sections) else None


def _from_sentence(document: Document, s: Sentence) -> SummarySentence:
    return SummarySentence(text=s.text, start=s.start, end=s.end, section=s.section, heading=_heading(document, s))


def _join(sentences: list[SummarySentence]) -> str:
    text = ""
    for s in sentences:
        text += joiner(text) + s.text if text else s.text
    return text
