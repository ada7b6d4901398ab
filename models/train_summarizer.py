"""Fine-tune a seq2seq checkpoint (mT5/T5, Pegasus, BART) on your own (article, summary) pairs.

    python -m models.train_summarizer --base CHECKPOINT --data pairs.jsonl --out DIR
    python -m models.train_summarizer --base CHECKPOINT --from-posts POSTS_DIR --out DIR

--data: JSON lines, one pair a line: {"article": "...", "summary": "..."} ("text" or "body" are
accepted for the article, "digest" for the summary). --from-posts: every post under the directory
(*.md, *.markdown, *.html, *.htm, *.txt) that carries a leading `> ` digest becomes a pair
(body → digest), read with service.reader.read_post. Both may be given.

Training uses `datasets` + `Seq2SeqTrainer` (DataCollatorForSeq2Seq pads inputs and labels). The fine-
tuned model and its tokenizer are saved to --out, which then loads in the service:

    ZHNEWS_SUMMARIZER_MODEL=DIR  (engine "transformers")
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from models.training import TrainingDataError, load_pairs, pairs_from_posts, train_and_save



def train(base: str, pairs: list[dict], out: str | os.PathLike, epochs: float = 3.0, batch_size: int = 4,
          lr: float = 3e-4, max_input_tokens: int = 512, max_target_tokens: int = 128, prefix: str = "",
          seed: int = 42, eval_pairs: list[dict] | None = None, logging_steps: int = 10) -> dict:
    """Fine-tune `base` on `pairs`, save model + tokenizer to `out`; returns training metrics."""
    import datasets
    import torch
    from transformers import (AutoModelForSeq2SeqLM, AutoTokenizer, DataCollatorForSeq2Seq, Seq2SeqTrainer,
                              Seq2SeqTrainingArguments, set_seed)

    if not pairs:
        raise TrainingDataError("no (article, summary) pairs to train on")
    set_seed(seed)
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForSeq2SeqLM.from_pretrained(base)
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot load the base checkpoint {base!r}: {' '.join(str(error).split())[:300]}\n"
                         "Give a local directory, or a hub id on a machine that can download it "
                         "(e.g. `hf download csebuetnlp/mT5_multilingual_XLSum --local-dir DIR`).") from None

    def preprocess(batch):
        encoded = tokenizer([prefix + a for a in batch["article"]], max_length=max_input_tokens, truncation=True)
        labels = tokenizer(text_target=batch["summary"], max_length=max_target_tokens, truncation=True)
        encoded["labels"] = labels["input_ids"]
        return encoded

    def dataset(rows):
        return datasets.Dataset.from_list(rows).map(preprocess, batched=True, remove_columns=["article", "summary"])

    train_set = dataset(pairs)
    eval_set = dataset(eval_pairs) if eval_pairs else None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    args = Seq2SeqTrainingArguments(
        output_dir=str(out),
        num_train_epochs=epochs,
        per_device_train_batch_size=batch_size,
        per_device_eval_batch_size=batch_size,
        learning_rate=lr,
        weight_decay=0.01,
        save_strategy="no",
        eval_strategy="epoch" if eval_set is not None else "no",
        logging_steps=logging_steps,
        report_to="none",
        seed=seed,
        use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0,
        disable_tqdm=True,
        predict_with_generate=False,
    )
    trainer = Seq2SeqTrainer(
        model=model, args=args, train_dataset=train_set, eval_dataset=eval_set,
        data_collator=DataCollatorForSeq2Seq(tokenizer, model=model),
        processing_class=tokenizer,
    )
    metrics = train_and_save(trainer, tokenizer, out, has_eval=eval_set is not None)
    info = {"base": base, "pairs": len(pairs), "epochs": epochs, "batch_size": batch_size, "lr": lr,
            "max_input_tokens": max_input_tokens, "max_target_tokens": max_target_tokens, "prefix": prefix,
            "metrics": metrics}
    (out / "zhnews_training.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.train_summarizer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="checkpoint to start from: local directory or hub id")
    parser.add_argument("--data", help="JSON-lines file of {article, summary} pairs")
    parser.add_argument("--from-posts", help="directory of posts; those with a `> ` digest become pairs")
    parser.add_argument("--eval-data", help="optional JSON-lines file of held-out pairs (loss per epoch)")
    parser.add_argument("--out", required=True, help="directory to save the fine-tuned model to")
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--max-input-tokens", type=int, default=512)
    parser.add_argument("--max-target-tokens", type=int, default=128)
    parser.add_argument("--prefix", default="", help='text put before every article (T5 models: "summarize: ")')
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if not args.data and not args.from_posts:
        parser.error("give --data FILE.jsonl and/or --from-posts DIR")
    try:
        pairs = load_pairs(args.data) if args.data else []
        if args.from_posts:
            from_posts = pairs_from_posts(args.from_posts)
            print(f"{len(from_posts)} (body, digest) pairs from posts under {args.from_posts}")
            pairs += from_posts
        eval_pairs = load_pairs(args.eval_data) if args.eval_data else None
    except (OSError, TrainingDataError) as error:
        parser.exit(2, f"error: {error}\n")
    if not pairs:
        parser.exit(2, "error: no (article, summary) pairs found\n")
    print(f"fine-tuning {args.base} on {len(pairs)} pairs")
    metrics = train(args.base, pairs, args.out, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                    max_input_tokens=args.max_input_tokens, max_target_tokens=args.max_target_tokens,
                    prefix=args.prefix, seed=args.seed, eval_pairs=eval_pairs)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}))
    print(f"saved to {args.out}; use it with ZHNEWS_SUMMARIZER_MODEL={args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
