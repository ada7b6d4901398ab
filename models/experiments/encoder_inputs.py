"""Do the shared sentence encoder's embeddings help the ranker? A measurement, not part of the product.

    python -m models.experiments.encoder_inputs [--docs 12000] [--epochs 6]

Two rankers are trained the same way (models/train_ranker.py, same seed, same documents: a seeded
sample of the flash-news and CCTV training sides) and compared on the documents set aside from
training (models/corpora.is_aside), by the mean target (mean of ROUGE-1 and ROUGE-L F1 against the
headline) of the candidate each ranks first:
    A  the shipped inputs (features.NUMERIC + bigram and opener embeddings)
    B  A + two columns from the multilingual USE (service/encoder.py): the cosine of the candidate's
       sentence embedding with the document centroid, and with the first sentence's embedding.
Sentences are encoded once each (a clause run takes its sentence's values), as inference would have
to: that is the cheapest way the encoder could enter. The encoding time is printed next to the gain.
"""
from __future__ import annotations

import argparse
import random
import sys
import time

import numpy as np

from models import corpora, train_ranker
from models.evaluate.summarization import shared_data


def _encoder_columns(document, cands_sentences: np.ndarray, encode) -> np.ndarray:
    texts = [s.text[:80] for s in document.sentences]
    emb = encode(texts)
    centroid = emb.mean(0)
    centroid /= np.linalg.norm(centroid) or 1.0
    lead = emb[0]
    per_sentence = np.stack([emb @ centroid, emb @ lead], axis=1)
    return per_sentence[cands_sentences].astype(np.float32)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args(argv)
    from service.encoder import encode
    from service.summarization.candidates import sentence_candidates, whole_sentences
    from service.summarization.plaindoc import document_from_text

    root = shared_data()
    rows = [r for c in (corpora.FLASH, corpora.CCTV) for r in corpora.training_pairs(root, c)]
    rows = random.Random(0).sample(rows, min(args.docs, len(rows)))
    config = {**train_ranker.DEFAULTS, "epochs": args.epochs}
    plain, extended = [], []
    encode_seconds, sentences = 0.0, 0
    for k, row in enumerate(rows):
        document = document_from_text(row["article"])
        summary = row["summary"].strip()
        ex = train_ranker.example(document, summary, config, random.Random(k), corpora.is_aside(row["article"]))
        if ex is None:
            continue
        # the candidates' sentences, in the order example() built them (same seed, same sampling)
        budget = len(summary)
        cands = whole_sentences(document)
        for i in range(len(document.sentences)):
            cands += [c for c in sentence_candidates(document, i, budget, config["max_runs"]) if not c.whole]
        rng, values = random.Random(k), ex.target
        if len(cands) > config["max_candidates"]:
            # rebuild the same subset example() kept: it is the candidates whose spans match
            spans = {(int(a), int(e)) for a, e in zip(ex.a, ex.e)}
            cands = [c for c in cands if (c.start, max(c.start, c.end - 1)) in spans]
        sent = np.array([c.sentence for c in cands])
        if len(sent) != len(values):
            continue
        started = time.perf_counter()
        extra = _encoder_columns(document, sent, encode)
        encode_seconds += time.perf_counter() - started
        sentences += len(document.sentences)
        plain.append(ex)
        extended.append(train_ranker.Example(ex.ids, ex.valid, ex.recur, ex.a, ex.e, ex.opener,
                                             np.concatenate([ex.numeric, extra], axis=1), ex.target, ex.held))
    print(f"{len(plain)} documents, {sentences} sentences encoded in {encode_seconds:.0f} s", file=sys.stderr)
    results = {}
    for name, examples, extra in (("A: shipped inputs", plain, 0), ("B: + USE cosines", extended, 2)):
        started = time.perf_counter()
        _, _, _, history = train_ranker.train(examples, {**config, "extra_numeric": extra},
                                              log=lambda m: print(m, file=sys.stderr))
        results[name] = (history[-1]["held_top1"], history[-1]["held_best"], time.perf_counter() - started)
    print(f"| inputs | top-1 target on {sum(x.held for x in plain)} set-aside documents | best reachable | train s |")
    print("|---|---:|---:|---:|")
    for name, (got, best, seconds) in results.items():
        print(f"| {name} | {got:.2f} | {best:.2f} | {seconds:.0f} |")
    print(f"\nencoding cost: {encode_seconds:.0f} s for {sentences} sentences "
          f"({1000 * encode_seconds / max(1, sentences):.1f} ms per sentence)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
