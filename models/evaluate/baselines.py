"""Baseline extractive summarizers for the evaluation and the benchmark, all at a matched length.

Every system gets the same character budget per item and is cut to it the same way (`fit`): whole
sentences are taken in the system's own priority order (Lead: document order, stopping at the first
that does not fit; SnowNLP / TextRank4ZH: their ranking, skipping any that does not fit — the same
rule our engine uses), output in document order; if not even one fits, the system's top sentence is
cut at a clause boundary (numbers whole) — again the same rule as our engine.

SnowNLP's `summary` splits at commas too and drops punctuation; its pieces are joined with "，".
TextRank4ZH 0.3 calls networkx.from_numpy_matrix, removed in networkx 3: `_networkx_shim` restores it
as an alias of from_numpy_array at run time (site-packages untouched).
"""
from __future__ import annotations

from service.summarization.selection import cut_at_clause, joiner


def _join(texts: list[str], sep: str | None = None) -> str:
    out = ""
    for t in texts:
        out += ((sep if sep is not None else joiner(out)) if out else "") + t
    return out


def fit(pieces: list[str], priority: list[int], budget: int, stop_at_misfit: bool = False,
        sep: str | None = None) -> str:
    """The pieces chosen in `priority` order under `budget` chars, joined in document order."""
    chosen: list[int] = []
    for i in priority:
        trial = sorted(chosen + [i])
        if len(_join([pieces[j] for j in trial], sep)) <= budget:
            chosen = trial
        elif stop_at_misfit:
            break
    if chosen:
        return _join([pieces[j] for j in chosen], sep)
    return cut_at_clause(pieces[priority[0]], budget) if priority else ""


def sentences_of(article: str) -> list[str]:
    from service.reader.sentences import split_sentences

    return [article[s:e] for s, e in split_sentences(article)]


def lead(article: str, k: int, budget: int) -> str:
    sents = sentences_of(article)
    return fit(sents, list(range(min(k, len(sents)))), budget, stop_at_misfit=True)


def snownlp_summary(article: str, budget: int) -> str:
    from snownlp import SnowNLP

    doc = SnowNLP(article)
    pieces = doc.sentences
    if not pieces:
        return ""
    ranked = doc.summary(limit=len(pieces))
    position = {p: i for i, p in reversed(list(enumerate(pieces)))}
    return fit(pieces, [position[p] for p in ranked if p in position], budget, sep="，")


def _networkx_shim() -> None:
    import networkx as nx

    if not hasattr(nx, "from_numpy_matrix"):
        nx.from_numpy_matrix = nx.from_numpy_array


def textrank4zh_summary(article: str, budget: int) -> str:
    _networkx_shim()
    from textrank4zh import TextRank4Sentence

    tr = TextRank4Sentence()
    tr.analyze(text=article, lower=True, source="all_filters")
    if not tr.sentences:
        return ""
    ranked = tr.get_key_sentences(num=len(tr.sentences), sentence_min_len=1)
    return fit(list(tr.sentences), [item.index for item in ranked], budget)


def warm_up() -> None:
    """Load the baselines' models/dictionaries (so that timings measure per-article work)."""
    text = "今天的天气很好，我们去公园散步。公园里有很多人在锻炼身体。"
    snownlp_summary(text, 20)
    textrank4zh_summary(text, 20)


BASELINES = {
    "Lead-1": lambda article, budget: lead(article, 1, budget),
    "Lead-3": lambda article, budget: lead(article, 3, budget),
    "SnowNLP": snownlp_summary,
    "TextRank4ZH": textrank4zh_summary,
}
