"""Fine-tune a section classifier: AutoModelForSequenceClassification, multi-label, on labelled texts.

    python -m models.train_classifier --base CHECKPOINT --data FILE.jsonl [FILE2.jsonl ...] --out DIR

--data: JSON lines {"text": "...", "tags": ["industrial_scale", ...], "heading": "..." (optional)} —
the format of models/tag_corpus/*.jsonl. An empty tag list means "none of the tags" (the fallback).
Labels are the tag set's ids with --tagset (a tag file, or "builtin" for the shipped taxonomy),
otherwise the tags seen in the data. The heading is put before the text as "heading。text", exactly
as the service does at inference (service.tagging.finetuned.format_input).

Training: `datasets` + `Trainer`, problem_type="multi_label_classification" (BCE over sigmoid). The
model, tokenizer and tags.json (label ids, names, threshold, the `other` id) are saved to --out; the
service loads it with ZHNEWS_TAGGER=transformers ZHNEWS_CLASSIFIER_MODEL=DIR.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from models.training import TrainingDataError, read_jsonl, train_and_save
from service.tagging.finetuned import DEFAULT_THRESHOLD, OTHER_ID, TAGS_FILE, format_input


def load_examples(paths) -> list[dict]:
    """Records {"text", "tags", "heading"} from JSON-lines files; names the line of a bad record."""
    examples = []
    for path in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
        for where, record in read_jsonl(path):
            text, tags = record.get("text"), record.get("tags")
            if not isinstance(text, str) or not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise TrainingDataError(f"{where}: needs \"text\" (string) and \"tags\" (list of ids)")
            heading = record.get("heading")
            examples.append({"text": text, "tags": tags,
                             "heading": heading if isinstance(heading, str) else None, "where": where})
    return examples


def label_space(examples: list[dict], tagset=None) -> tuple[list[str], dict[str, str], str]:
    """(label ids, id → name, the fallback id). With a tag set its ids (in its order); otherwise the
    tags seen, sorted, with the fallback last when present."""
    if tagset is not None:
        from service.tagging.tagset import load_tagset

        tags = load_tagset(None if tagset == "builtin" else tagset)
        ids = list(tags.ids)
        unknown = sorted({t for e in examples for t in e["tags"] if t not in ids})
        if unknown:
            where = next(e["where"] for e in examples if set(e["tags"]) & set(unknown))
            raise TrainingDataError(f"tags not in the tag set: {', '.join(unknown)} (first at {where})")
        return ids, {i: tags.name_of(i) for i in ids}, tags.other
    seen = sorted({t for e in examples for t in e["tags"]})
    if OTHER_ID in seen:
        seen = [t for t in seen if t != OTHER_ID] + [OTHER_ID]
    if not [t for t in seen if t != OTHER_ID]:
        raise TrainingDataError("the data carries no tags to learn")
    names = {}
    try:
        from service.tagging.tagset import load_tagset

        builtin = load_tagset(None)
        names = {i: builtin.name_of(i) for i in seen}
    except Exception:
        pass
    return seen, {i: names.get(i, i) for i in seen}, OTHER_ID


def multi_hot(tags: list[str], labels: list[str]) -> list[float]:
    wanted = set(tags)
    return [1.0 if label in wanted else 0.0 for label in labels]


def micro_f1(probabilities, targets, threshold: float) -> dict:
    import numpy as np

    predicted = np.asarray(probabilities) >= threshold
    gold = np.asarray(targets) >= 0.5
    tp = float((predicted & gold).sum())
    precision = tp / max(1.0, float(predicted.sum()))
    recall = tp / max(1.0, float(gold.sum()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"micro_precision": precision, "micro_recall": recall, "micro_f1": f1}


def train(base: str, examples: list[dict], out: str | os.PathLike, tagset=None, epochs: float = 5.0,
          batch_size: int = 16, lr: float = 5e-5, max_length: int = 256, seed: int = 42,
          threshold: float = DEFAULT_THRESHOLD, eval_examples: list[dict] | None = None,
          logging_steps: int = 20) -> dict:
    """Fine-tune `base` on `examples`; save model, tokenizer and tags.json to `out`; return metrics."""
    import datasets
    import numpy as np
    import torch
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments, set_seed)

    if not examples:
        raise TrainingDataError("no labelled texts to train on")
    labels, names, other = label_space(examples + (eval_examples or []), tagset)
    set_seed(seed)
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=len(labels), problem_type="multi_label_classification",
            id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
            ignore_mismatched_sizes=True)
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot load the base checkpoint {base!r}: {' '.join(str(error).split())[:300]}\n"
                         "Give a local directory, or a hub id on a machine that can download it "
                         "(e.g. `hf download hfl/chinese-roberta-wwm-ext --local-dir DIR`).") from None

    def dataset(rows):
        records = [{"text": format_input(r["text"], r["heading"]), "labels": multi_hot(r["tags"], labels)}
                   for r in rows]

        def tokenize(batch):
            return tokenizer(batch["text"], truncation=True, max_length=max_length)

        data = datasets.Dataset.from_list(records).map(tokenize, batched=True, remove_columns=["text"])
        return data.cast_column("labels", datasets.Sequence(datasets.Value("float32")))

    train_set = dataset(examples)
    eval_set = dataset(eval_examples) if eval_examples else None

    def compute_metrics(prediction):
        logits, targets = prediction
        return micro_f1(1 / (1 + np.exp(-np.asarray(logits))), targets, threshold)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    args = TrainingArguments(
        output_dir=str(out), num_train_epochs=epochs, per_device_train_batch_size=batch_size,
        per_device_eval_batch_size=batch_size, learning_rate=lr, weight_decay=0.01,
        save_strategy="no", eval_strategy="epoch" if eval_set is not None else "no",
        logging_steps=logging_steps, report_to="none", seed=seed, use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_set, eval_dataset=eval_set,
                      data_collator=DataCollatorWithPadding(tokenizer), processing_class=tokenizer,
                      compute_metrics=compute_metrics if eval_set is not None else None)
    metrics = train_and_save(trainer, tokenizer, out, has_eval=eval_set is not None)
    info = {
        "tags": [{"id": label, "name": names.get(label, label)} for label in labels],
        "other": other, "threshold": threshold, "max_length": max_length, "input_format": "heading。text",
        "base": base, "examples": len(examples), "epochs": epochs, "lr": lr, "metrics": metrics,
    }
    (out / TAGS_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.train_classifier", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="checkpoint to start from: local directory or hub id")
    parser.add_argument("--data", required=True, nargs="+", help="JSON-lines files of {text, tags, heading}")
    parser.add_argument("--eval-data", nargs="+", help="held-out JSON-lines files (micro-F1 per epoch)")
    parser.add_argument("--out", required=True, help="directory to save the fine-tuned classifier to")
    parser.add_argument("--tagset", help='tag file (YAML/JSON) or "builtin"; default: the tags seen in the data')
    parser.add_argument("--epochs", type=float, default=5.0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help="score a tag needs at inference (saved in tags.json)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    try:
        examples = load_examples(args.data)
        eval_examples = load_examples(args.eval_data) if args.eval_data else None
        print(f"fine-tuning {args.base} on {len(examples)} labelled texts", file=sys.stderr)
        metrics = train(args.base, examples, args.out, tagset=args.tagset, epochs=args.epochs,
                        batch_size=args.batch_size, lr=args.lr, max_length=args.max_length, seed=args.seed,
                        threshold=args.threshold, eval_examples=eval_examples)
    except (OSError, ValueError) as error:   # TrainingDataError, TagSetError, unreadable files
        parser.exit(2, f"error: {error}\n")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}))
    print(f"saved to {args.out}; use it with ZHNEWS_TAGGER=transformers ZHNEWS_CLASSIFIER_MODEL={args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
