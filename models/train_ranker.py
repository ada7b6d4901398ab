"""Train the embedded summarizer's candidate ranker (service/summarization/ranker.py) with torch.

    python -m models.train_ranker --corpus all --out models/artifacts/summarizer-ranker
    python -m models.train_ranker --data pairs.jsonl --data posts/ --out my-ranker

--data takes JSON lines {"article": ..., "summary": ...} (.jsonl or .jsonl.gz; "text"/"body" and
"digest" also accepted) or a folder of posts whose `> ` digest is the summary, so a newsroom can teach
the ranker its own house style. --corpus takes the training sides defined in models/corpora.py and
models/evaluate/summarization.py (the held-out splits are never read): flash, cctv, finna-train,
lcsts-train, cfbenchmark-train, or all.

For every (article, summary) pair, with the summary's length as the budget (as in the evaluation):
the candidates (service/summarization/candidates.py: whole sentences and runs of clauses that fit,
plus every whole sentence for the shortlist stage) get a target, mean(ROUGE-1, ROUGE-L) against the
summary, and their features (service/summarization/features.py). The loss is listwise: the cross-
entropy between the softmax of the model's scores over one document's candidates and the softmax of
the targets / temperature. 1 in 50 training documents (models/corpora.is_aside) is kept aside to report
the top-1 target. The artifact (NAME.json + NAME.npz) holds config, normalisation, weights and the
training record; the model card (NAME.md) is written next to them.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.corpora import is_aside
from models.evaluate.rouge import chars, lcs_length
from models.training import TrainingDataError, pair_of, posts_with_digest, read_jsonl
from service.summarization.candidates import sentence_candidates, whole_sentences
from service.summarization.features import NUMERIC, DocumentIndex
from service.summarization.selection import joined_length

CORPORA = ("flash", "cctv", "finna-train", "lcsts-train", "cfbenchmark-train")
DEFAULTS = dict(buckets=1 << 16, dim=64, opener_buckets=1 << 12, opener_dim=8, hidden=192, echo_dim=0, context=0,
                members=1, epochs=4, batch_docs=128, lr=3e-3, temperature=0.05, max_candidates=96, max_runs=40, seed=0,
                selection=dict(shortlist=24, max_runs=40, coverage=0.0, min_remaining=6, section_chars=60,
                               headline_chars=40, run_min_share=0.3, free_run_chars=80, one_per_section_from=3, figure_from_budget=60,
                               figure_from_document_chars=1000))


# data -------------------------------------------------------------------------------------------------
def read_pairs_file(path: Path):
    """(article, summary) from a JSON-lines file; a known corpus file loses its held-out rows."""
    from models import corpora

    corpus = next((c for c in (corpora.FLASH, corpora.CCTV) if path.as_posix().endswith(c)), None)
    for where, record in read_jsonl(path):
        if corpus and corpora.is_held_out(corpus, record):
            continue
        pair = pair_of(where, record)
        if pair:
            yield pair


def corpus_pairs(name: str, root: Path):
    from models import corpora
    from models.evaluate import summarization as ev

    if name == "flash":
        rows = corpora.training_pairs(root, corpora.FLASH)
    elif name == "cctv":
        rows = corpora.training_pairs(root, corpora.CCTV)
    elif name == "finna-train":
        reported = {x["id"] for x in ev.load_jsonl(root / "finna_fincuge/test.jsonl")}
        rows = [x for x in ev.load_jsonl(root / "finna_fincuge/test_all.jsonl") if x["id"] not in reported]
    elif name == "lcsts-train":
        rows = ev.load_jsonl(root / "lcsts_part3/test.jsonl", lambda x: x.get("human_label", 0) < 3)
    elif name == "cfbenchmark-train":
        rows = ev._cfbenchmark(root, dev=True)
    else:
        raise SystemExit(f"unknown corpus {name!r}; choose from {', '.join(CORPORA)} or all")
    for row in rows:
        yield row["article"], row["summary"].strip()


def sources(data: list[str], corpus: list[str], root: Path):
    """What to train on: (source, article text or Document, summary) from every --data and --corpus;
    the source is the corpus name, or "data" for the user's own files."""
    names = [c for name in corpus for c in (CORPORA if name == "all" else [name])]
    for name in names:
        for article, summary in corpus_pairs(name, root):
            yield name, article, summary
    for item in data:
        path = Path(item)
        if path.is_dir():
            for document in posts_with_digest(path):
                yield "data", document, document.digest.strip()
        elif path.is_file():
            for article, summary in read_pairs_file(path):
                yield "data", article, summary
        else:
            raise TrainingDataError(f"{item}: no such file or folder")


# targets and features -----------------------------------------------------------------------------------
def target(candidate_tokens: list[str], reference: list[str], ref_counts: Counter) -> float:
    """mean(ROUGE-1 F1, ROUGE-L F1), character level, as models/evaluate/rouge.py scores it."""
    if not candidate_tokens or not reference:
        return 0.0
    overlap = sum((Counter(candidate_tokens) & ref_counts).values())
    lcs = lcs_length(candidate_tokens, reference)

    def f1(hit):
        return 0.0 if hit == 0 else 2 * hit / (len(candidate_tokens) + len(reference))

    return (f1(overlap) + f1(lcs)) / 2


@dataclass
class Example:
    ids: np.ndarray        # (chars,) bigram ids of the document
    valid: np.ndarray      # (chars + 1,) prefix count of valid bigrams
    recur: np.ndarray      # (chars,) log of each position's bigram count in the document
    a: np.ndarray          # (m,) span starts
    e: np.ndarray          # (m,) span ends (exclusive, in bigram positions)
    opener: np.ndarray     # (m,)
    numeric: np.ndarray    # (m, F)
    target: np.ndarray     # (m,)
    held: bool
    weight: float = 1.0    # times the document is seen per epoch (--weight; fractions drawn by the seed)


def example(document, summary: str, config: dict, rng: random.Random, held: bool | None = None) -> Example | None:
    budget = len(summary)
    sentences = document.sentences
    if not sentences or joined_length([s.text for s in sentences]) <= budget:
        return None            # returned whole by the engine: nothing to learn
    cands = whole_sentences(document)
    for i in range(len(sentences)):
        cands += [c for c in sentence_candidates(document, i, budget, config["max_runs"]) if not c.whole]
    if len(cands) < 2:
        return None
    text = document.text
    tokens = [chars(ch) for ch in text]
    reference = chars(summary)
    ref_counts = Counter(reference)
    values = np.array([target([t for k in range(c.start, c.end) for t in tokens[k]], reference, ref_counts)
                       for c in cands], dtype=np.float32)
    if len(cands) > config["max_candidates"]:
        best = set(np.argsort(-values)[:8].tolist())
        rest = [i for i in range(len(cands)) if i not in best]
        keep = sorted(best | set(rng.sample(rest, config["max_candidates"] - len(best))))
        cands, values = [cands[i] for i in keep], values[keep]
    index = DocumentIndex(document, config["buckets"])
    a, e = index.spans(cands)
    held = is_aside(text) if held is None else held
    return Example(index.ids.astype(np.int32), index.p_valid.astype(np.int32), index.recur,
                   a.astype(np.int32),
                   e.astype(np.int32), index.openers(cands).astype(np.int32), index.numeric(cands, budget),
                   values, held)


def _prepare_one(args):
    from service.summarization.plaindoc import document_from_text

    document, summary, config, seed, weight = args
    held = None
    if isinstance(document, str):
        held = is_aside(document)          # as models/corpora.aside decides it, on the raw text
        document = document_from_text(document)
    ex = example(document, summary, config, random.Random(seed), held)
    if ex is not None:
        ex.weight = weight
    return ex


def prepare(triples, config: dict, workers: int, weights: dict[str, float] | None = None) -> list[Example]:
    """Examples of (source, document, summary) triples (see sources), each weighted by its source's
    entry in `weights` (default 1)."""
    weights = weights or {}
    jobs = ((d, s, config, config["seed"] * 1_000_003 + k, float(weights.get(src, 1.0)))
            for k, (src, d, s) in enumerate(triples))
    out: list[Example] = []
    started = time.perf_counter()
    if workers > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as pool:
            for k, ex in enumerate(pool.imap(_prepare_one, jobs, chunksize=64), 1):
                if ex is not None:
                    out.append(ex)
                if k % 10000 == 0:
                    print(f"  prepared {k:,} documents ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    else:
        out = [ex for ex in map(_prepare_one, jobs) if ex is not None]
    return out


# the model ------------------------------------------------------------------------------------------------
def build_model(config: dict):
    import torch
    from torch import nn

    def prefix_sums(rows):
        # row i is the sum of rows[:i] (as service/summarization/ranker.py builds it in numpy)
        return torch.cat([rows.new_zeros(1, rows.shape[1]), torch.cumsum(rows, 0)])

    class RankerModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.bigram = nn.Embedding(config["buckets"], config["dim"], padding_idx=0)
            self.opener = nn.Embedding(config["opener_buckets"], config["opener_dim"])
            nn.init.normal_(self.bigram.weight, std=0.1)
            nn.init.normal_(self.opener.weight, std=0.1)
            with torch.no_grad():
                self.bigram.weight[0].zero_()
            self.echo = None
            if config.get("echo_dim", 0):
                self.echo = nn.Embedding(config["buckets"], config["echo_dim"], padding_idx=0)
                nn.init.normal_(self.echo.weight, std=0.1)
                with torch.no_grad():
                    self.echo.weight[0].zero_()
            self.context = None
            k = config.get("context", 0)
            if k:      # a conv over the bigram embeddings: each one sees its neighbours
                if k % 2 == 0:
                    raise ValueError(f"context must be an odd width (3, 5, …), not {k}")
                self.context = nn.Conv1d(config["dim"], config["dim"], k, padding=k // 2)
                nn.init.normal_(self.context.weight, std=0.02)
                nn.init.zeros_(self.context.bias)
            width = (len(NUMERIC) + config.get("extra_numeric", 0) + 2 * config["dim"] + config["opener_dim"]
                     + config.get("echo_dim", 0))
            self.hidden = nn.Linear(width, config["hidden"])
            self.out = nn.Linear(config["hidden"], 1)

        def forward(self, batch):
            rows = self.bigram(batch["ids"])                                  # (chars, dim)
            if self.context is not None:       # residual, masked to real bigrams (padding stays zero)
                near = torch.relu(self.context(rows.T[None]))[0].T
                rows = rows + near * (batch["ids"] != 0)[:, None]
            prefix = prefix_sums(rows)                                        # (chars + 1, dim)
            bag = (prefix[batch["e"]] - prefix[batch["a"]]) / batch["n_valid"][:, None]
            doc = (prefix[batch["doc_end"]] - prefix[batch["doc_start"]]) / batch["doc_valid"][:, None]
            doc = doc[batch["doc"]]
            parts = [batch["numeric"], bag, bag * doc, self.opener(batch["opener"])]
            if self.echo is not None:
                echo = prefix_sums(self.echo(batch["ids"]) * batch["recur"][:, None])
                parts.append((echo[batch["e"]] - echo[batch["a"]]) / batch["n_valid"][:, None])
            x = torch.cat(parts, 1)
            return self.out(torch.relu(self.hidden(x))).squeeze(1)

    return RankerModel()


def collate(examples: list[Example], mean: np.ndarray, std: np.ndarray, opener_buckets: int, gap: int = 0):
    """One batch: the documents' positions concatenated, `gap` empty positions after each (so that the
    context conv never reads across two documents)."""
    import torch

    ids, recur, a, e, nv, opener, numeric, target, doc = [], [], [], [], [], [], [], [], []
    doc_start, doc_end, doc_valid = [], [], []
    offset = 0
    pad = np.zeros(gap, dtype=np.int64)
    for k, ex in enumerate(examples):
        n = len(ex.ids)
        ids.append(np.concatenate([ex.ids, pad]))
        recur.append(np.concatenate([ex.recur, pad]))
        a.append(ex.a + offset)
        e.append(ex.e + offset)
        nv.append(np.maximum(1, ex.valid[ex.e] - ex.valid[ex.a]))
        opener.append(ex.opener % opener_buckets)
        numeric.append(ex.numeric)
        target.append(ex.target)
        doc.append(np.full(len(ex.a), k))
        doc_start.append(offset)
        doc_end.append(offset + n)
        doc_valid.append(max(1, int(ex.valid[-1])))
        offset += n + gap
    # prefix[i] is the sum over positions < i of the concatenated documents, so spans shift by offset
    return {
        "ids": torch.from_numpy(np.concatenate(ids).astype(np.int64)),
        "recur": torch.from_numpy(np.concatenate(recur).astype(np.float32)),
        "a": torch.from_numpy(np.concatenate(a).astype(np.int64)),
        "e": torch.from_numpy(np.concatenate(e).astype(np.int64)),
        "n_valid": torch.from_numpy(np.concatenate(nv).astype(np.float32)),
        "opener": torch.from_numpy(np.concatenate(opener).astype(np.int64)),
        "numeric": torch.from_numpy((np.concatenate(numeric) - mean) / std),
        "target": torch.from_numpy(np.concatenate(target)),
        "doc": torch.from_numpy(np.concatenate(doc).astype(np.int64)),
        "doc_start": torch.tensor(doc_start), "doc_end": torch.tensor(doc_end),
        "doc_valid": torch.tensor(doc_valid, dtype=torch.float32), "docs": len(examples),
    }


def listwise_loss(scores, batch, temperature: float):
    import torch

    docs, doc = batch["docs"], batch["doc"]

    def log_softmax(x):
        top = torch.full((docs,), -1e9).scatter_reduce(0, doc, x, reduce="amax")
        z = torch.exp(x - top[doc])
        total = torch.zeros(docs).index_add(0, doc, z)
        return x - top[doc] - torch.log(total[doc])

    p_target = torch.exp(log_softmax(batch["target"] / temperature))
    return -(torch.zeros(docs).index_add(0, doc, p_target * log_softmax(scores))).mean()


def top1(model, examples: list[Example], mean, std, config) -> tuple[float, float]:
    """Mean target of the candidate the model ranks first, and the best reachable (x100)."""
    import torch

    got = best = 0.0
    with torch.no_grad():
        for k in range(0, len(examples), 256):
            chunk = examples[k:k + 256]
            batch = collate(chunk, mean, std, config["opener_buckets"], config.get("context", 0) // 2)
            scores = model(batch).numpy()
            start = 0
            for ex in chunk:
                m = len(ex.target)
                got += float(ex.target[int(np.argmax(scores[start:start + m]))])
                best += float(ex.target.max())
                start += m
    n = max(1, len(examples))
    return 100 * got / n, 100 * best / n


def epoch_order(fit: list[Example], rng: random.Random) -> list[int]:
    """One epoch's shuffled indices: each document int(weight) times, plus once more with the
    probability of the weight's fraction (a weight of 1 is every document once, as before)."""
    order = []
    for i, ex in enumerate(fit):
        whole, part = divmod(ex.weight, 1.0)
        order += [i] * (int(whole) + (rng.random() < part if part else 0))
    rng.shuffle(order)
    return order


def train(examples: list[Example], config: dict, log=print):
    import torch

    torch.manual_seed(config["seed"])
    rng = random.Random(config["seed"])
    fit = [x for x in examples if not x.held]
    held = [x for x in examples if x.held] or fit[:max(1, len(fit) // 50)]
    stacked = np.concatenate([x.numeric for x in fit])
    mean = stacked.mean(0).astype(np.float32)
    std = np.maximum(stacked.std(0), 1e-3).astype(np.float32)
    del stacked
    model = build_model(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    per_epoch = max(1, sum(math.ceil(x.weight) for x in fit))      # an upper bound of epoch_order's length
    steps = max(1, config["epochs"] * ((per_epoch + config["batch_docs"] - 1) // config["batch_docs"]))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config["lr"], total_steps=steps,
                                                   pct_start=0.1)
    history = []
    for epoch in range(config["epochs"]):
        order = epoch_order(fit, rng)
        model.train()
        total, count = 0.0, 0
        for k in range(0, len(order), config["batch_docs"]):
            batch = collate([fit[i] for i in order[k:k + config["batch_docs"]]], mean, std,
                            config["opener_buckets"], config.get("context", 0) // 2)
            loss = listwise_loss(model(batch), batch, config["temperature"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            with torch.no_grad():
                model.bigram.weight[0].zero_()
                if model.echo is not None:
                    model.echo.weight[0].zero_()
            total, count = total + float(loss.detach()), count + 1
        model.eval()
        got, best = top1(model, held, mean, std, config)
        history.append({"epoch": epoch + 1, "loss": round(total / max(1, count), 4),
                        "held_top1": round(got, 2), "held_best": round(best, 2)})
        log(f"epoch {epoch + 1}: loss {total / max(1, count):.4f}, top-1 target on the held-aside "
            f"{len(held)} documents {got:.2f} (best reachable {best:.2f})")
    return model, mean, std, history


def train_members(examples: list[Example], config: dict, log=print):
    """`config["members"]` networks trained alike on the same examples, from the seeds seed, seed + 1, …
    (their scores are averaged at inference). Returns (models, mean, std, history of each)."""
    models, histories = [], []
    for k in range(max(1, int(config.get("members", 1)))):
        if config.get("members", 1) > 1:
            log(f"member {k + 1} of {config['members']} (seed {config['seed'] + k})")
        model, mean, std, history = train(examples, {**config, "seed": config["seed"] + k}, log=log)
        models.append(model)
        histories.append(history)
    return models, mean, std, histories


def _weights(model, member: int) -> dict[str, np.ndarray]:
    """One network's weights under the keys service/summarization/ranker.py reads."""
    from service.summarization.ranker import member_key

    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    out = {"bigram": state["bigram.weight"].astype(np.float16), "opener": state["opener.weight"].astype(np.float16),
           "w1": state["hidden.weight"].T.astype(np.float32), "b1": state["hidden.bias"].astype(np.float32),
           "w2": state["out.weight"][0].astype(np.float32), "b2": state["out.bias"].astype(np.float32)}
    if "echo.weight" in state:
        out["echo"] = state["echo.weight"].astype(np.float16)
    if "context.weight" in state:
        # conv weight (out, in, k) as one (k * in, out) matrix over a window of k rows
        out["context_w"] = state["context.weight"].transpose(2, 1, 0).reshape(-1, state["context.weight"].shape[0])
        out["context_b"] = state["context.bias"]
    return {member_key(member, name): value for name, value in out.items()}


def save(models: list, mean, std, config: dict, record: dict, out: Path) -> None:
    """`models`: the trained networks (one, or an ensemble's members; see train_members)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out.with_suffix(".npz"),
                        **{k: v for member, model in enumerate(models) for k, v in _weights(model, member).items()})
    meta = {"name": out.name, "kind": "extractive candidate ranker", "numeric": list(NUMERIC),
            "mean": [float(x) for x in mean], "std": [float(x) for x in std],
            **{k: config.get(k, 0) for k in ("buckets", "dim", "opener_buckets", "opener_dim", "hidden", "echo_dim",
                                             "context")},
            "members": len(models),
            "selection": config["selection"], "training": record}
    out.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


TERMS = {
    "flash": "flash_news_headlines (72k financial briefs and their editors' headlines, 2026-05 → 2026-08); "
             "research use only (../shared/data/flash_news_headlines/SOURCE.md)",
    "cctv": "cctv_xwlb_headlines (新闻联播 items and their broadcast headlines, 2012-07 → 2025-12); the text "
            "is CCTV's, shared for study and research only (../shared/data/cctv_xwlb_headlines/SOURCE.md)",
    "finna-train": "FinNA (finna_fincuge) test_all items not in test.jsonl; research use "
                   "(../shared/data/finna_fincuge/SOURCE.md)",
    "lcsts-train": "LCSTS PART III items with human_label < 3; LCSTS is distributed by its authors on "
                   "application (../shared/data/lcsts_part3/SOURCE.md)",
    "cfbenchmark-train": "the CFBenchmark summary tuning quarter (a hash of the id); research use "
                         "(../shared/data/cfbenchmark_summary/SOURCE.md)",
}


def card(out: Path, record: dict, argv: list[str], network: dict) -> str:
    """The model card: data and terms, splits, command, network size (`network`: the artifact's
    buckets, dim, opener_dim, hidden), seeds, time, history."""
    names = [c for name in record["corpus"] for c in (CORPORA if name == "all" else [name])]
    h = record["hyperparameters"]
    lines = [f"# {out.name}: the embedded summarizer's candidate ranker", "",
             "A small network that scores candidate summary pieces (whole sentences and runs of whole clauses) "
             "in their document; `service/summarization/ranker.py` runs it in numpy, `embedded.py` selects "
             "with it. Design and evaluation: docs/summarization.md.", "",
             "## Training data and terms", ""]
    lines += [f"- {TERMS[n]}" for n in names]
    lines += [f"- your data: {d}" for d in record["data"]]
    lines += ["", "The parameters were learned from research-use text; they may be shared, the text may not, and "
              "anyone using them for more than research should check the terms above.", "",
              "## Splits", "",
              "- held out, never read by training: flash news dated after 2026-07-20, CCTV items dated 2025, "
              "FinNA test.jsonl, LCSTS label ≥ 3, CFBenchmark's other three quarters (models/corpora.py, "
              "models/evaluate/summarization.py);",
              "- set aside from training, for choices (`--preset dev-headlines`): 1 training document in 50 by "
              "a hash of its text (models/corpora.is_aside).", "",
              "## How it was made", "",
              f"    python -m models.train_ranker {' '.join(argv)}", "",
              f"- {record['documents']:,} documents, {record['candidates']:,} candidates; target mean(ROUGE-1, "
              f"ROUGE-L) F1 at the reference length; listwise loss, temperature {h['temperature']}",
              *([f"- documents seen per epoch: " + ", ".join(f"{k} ×{v:g}" for k, v in record["weights"].items())
                 + " (every other source ×1)"] if record.get("weights") else []),
              f"- network: {network['dim']}-dim embeddings of {network['buckets']:,} hashed character bigrams, "
              f"{network['opener_dim']}-dim opener embeddings, "
              + (f"{network['echo_dim']}-dim echo embeddings (weighted by recurrence), " if network.get("echo_dim") else "")
              + (f"a width-{network['context']} context conv over the bigram embeddings, " if network.get("context") else "")
              + f"{network['hidden']} hidden units"
              + (f"; {network['members']} such networks from seeds {h['seed']}…{h['seed'] + network['members'] - 1}, "
                 "their scores averaged" if network.get("members", 1) > 1 else ""),
              f"- {h['epochs']} epochs, {h['batch_docs']} documents a batch, Adam lr {h['lr']} (one-cycle), "
              f"≤ {h['max_candidates']} candidates a document, seed {h['seed']}, torch {record['torch']}, "
              f"{record['threads']} threads",
              f"- time: {record['seconds']['prepare']} s preparing, {record['seconds']['train']} s training", "",
              "| epoch | loss | top-1 target, set-aside documents | best reachable |", "|---:|---:|---:|---:|"]
    lines += [f"| {x['epoch']} | {x['loss']} | {x['held_top1']} | {x['held_best']} |" for x in record["history"]]
    lines += ["", "## Evaluation", "",
              "On the held-out sets, against Lead, SnowNLP, TextRank4ZH, the hand-set scorer this model replaced "
              "and the clause-run oracle: docs/figures/summarization.md (`python -m models.evaluate summarization "
              "--preset all --markdown docs/figures/summarization.md`). Long documents: "
              "docs/figures/long-documents.md; speed and memory: docs/figures/speed.md."]
    return "\n".join(lines) + "\n"


def parse_weights(items: list[str], error) -> dict[str, float]:
    weights = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in (*CORPORA, "data"):
            error(f"--weight {item}: the source must be one of {', '.join(CORPORA)} or data")
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan                # fails the bound below, with the same message
        if not 0 < weight <= 1000:
            error(f"--weight {item}: the weight must be a number above 0 and at most 1000")
        weights[name] = weight
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.train_ranker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append", default=[], help="JSONL(.gz) pairs file or folder of posts")
    parser.add_argument("--corpus", action="append", default=[], help=f"{', '.join(CORPORA)} or all")
    parser.add_argument("--shared-data", default=None, help="the shared data folder (default ../shared/data)")
    parser.add_argument("--out", required=True, help="artifact path without suffix (NAME → NAME.json, NAME.npz)")
    parser.add_argument("--weight", action="append", default=[], metavar="SOURCE=W",
                        help="see documents of SOURCE (a corpus name, or data for --data) W times an epoch, "
                             "for example data=20 so that a newsroom's few hundred pairs are not drowned "
                             "by the corpora")
    parser.add_argument("--limit", type=int, default=None, help="at most N documents (seeded sample)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    for key in ("epochs", "batch_docs", "buckets", "dim", "hidden", "echo_dim", "context", "members", "max_candidates",
                "seed"):
        parser.add_argument("--" + key.replace("_", "-"), type=int, default=DEFAULTS[key])
    for key in ("lr", "temperature"):
        parser.add_argument("--" + key, type=float, default=DEFAULTS[key])
    args = parser.parse_args(argv)
    if not args.data and not args.corpus:
        parser.error("give --data FILE_OR_FOLDER or --corpus NAME")
    weights = parse_weights(args.weight, parser.error)
    from models.evaluate.summarization import shared_data

    root = Path(args.shared_data) if args.shared_data else shared_data()
    config = {**DEFAULTS, **{k: getattr(args, k) for k in ("epochs", "batch_docs", "buckets", "dim", "hidden", "echo_dim",
                                                          "context", "members", "max_candidates", "seed", "lr",
                                                          "temperature")}}
    started = time.perf_counter()
    import torch

    torch.set_num_threads(max(1, args.workers))
    try:
        pairs = list(sources(args.data, args.corpus, root))
    except (TrainingDataError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.limit and len(pairs) > args.limit:
        pairs = random.Random(args.seed).sample(pairs, args.limit)
    print(f"{len(pairs):,} documents; preparing candidates and targets", file=sys.stderr)
    examples = prepare(pairs, config, args.workers, weights)
    if len(examples) < 2:
        print("error: fewer than two documents longer than their summary; nothing to train on", file=sys.stderr)
        return 2
    prepared = time.perf_counter()
    print(f"{len(examples):,} training documents, {sum(len(x.target) for x in examples):,} candidates "
          f"({prepared - started:.0f} s)", file=sys.stderr)
    models, mean, std, histories = train_members(examples, config, log=lambda m: print(m, file=sys.stderr))
    finished = time.perf_counter()
    record = {"data": args.data, "corpus": args.corpus, "weights": weights, "documents": len(examples),
              "candidates": int(sum(len(x.target) for x in examples)), "limit": args.limit,
              "hyperparameters": {k: config[k] for k in ("epochs", "batch_docs", "lr", "temperature",
                                                         "max_candidates", "max_runs", "seed")},
              "history": histories[0], **({"member_histories": histories} if len(histories) > 1 else {}),
              "seconds": {"prepare": round(prepared - started), "train": round(finished - prepared)},
              "threads": args.workers, "torch": torch.__version__}
    save(models, mean, std, config, record, Path(args.out))
    Path(args.out).with_suffix(".md").write_text(card(Path(args.out), record, list(argv or sys.argv[1:]), config),
                                                 encoding="utf-8")
    print(f"saved {args.out}.json and {args.out}.npz; {finished - started:.0f} s in all", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
