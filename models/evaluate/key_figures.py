"""python -m models.evaluate key-figures [--split dev|test|all] [--show] [--markdown PATH]

Does a key figure's indicator name what was measured? Against the project's own labels
(models/devset/key_figures.jsonl: 537 figures from real articles, work reports, posts, flash briefs and
新闻联播 items in ../shared, each with the span of the sentence that names what the figure measures, or
none; ids and offsets only, no text). `test` is a fixed set of 83 figures from documents drawn by a hash
of their id, reported and never looked at while developing; `dev` is what the rules were developed on
(later rounds added documents to it only: training-side flash and 新闻联播 items among them).

The labels are the shortest phrase that names the measure. A Chinese noun phrase ends with its head, so
a predicted indicator matches when it ends with the label (上市券商及券商概念股平均市净率 ~ 平均市净率: more
modifiers, the same measure), or the label ends with it and it is at least half the label. A trailing
fragment (…节约的费用可, …收益率较4月份) does not match. A figure labelled "none" matches an empty
indicator. A value that is the change of a figure (客运量2.99亿人次，比1985年增长12.3%) is read in that
figure's row, under its indicator. A figure the extractor no longer finds counts as a miss.

Baseline: the clause before the value, as it stands (what an indicator is without the trimming rules).
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

from models.evaluate.summarization import shared_data

LABELS = Path(__file__).resolve().parents[1] / "devset" / "key_figures.jsonl"


def sources(root: Path, wanted: set[str] = frozenset()) -> dict[str, str]:
    """Raw text of the labelled documents, by id: every article, report and post, and the flash and
    新闻联播 items named in `wanted` (the training-side corpora are too many to keep whole)."""
    raw = {}
    for line in open(root / "ce_people_daily_articles/articles.jsonl", encoding="utf-8"):
        x = json.loads(line)
        raw[x["id"]] = "\n".join(x.get("paragraphs") or [x.get("text", "")])
    for name in ("clts_samples.jsonl", "clts_plus_samples.jsonl"):
        for line in open(root / "clts_samples" / name, encoding="utf-8"):
            x = json.loads(line)
            raw[x["id"]] = x["article"]
    for line in open(root / "gov_reports/docs.jsonl", encoding="utf-8"):
        x = json.loads(line)
        raw[x["id"]] = x["text"]
    for path in (root / "finews/_posts").glob("*.md"):
        raw["finews/" + path.name] = path.read_text(encoding="utf-8")
    for path in (root / "finews/old_post").glob("*.md"):
        raw["finews/old_post/" + path.name] = path.read_text(encoding="utf-8")
    for path in (root.parent / "seed").glob("*.md"):
        raw["seed/" + path.name] = path.read_text(encoding="utf-8")
    for name in ("flash_news_headlines", "cctv_xwlb_headlines"):
        if not wanted - raw.keys():
            break                                          # every labelled item is read already
        with gzip.open(root / name / "pairs.jsonl.gz", "rt", encoding="utf-8") as lines:
            for line in lines:
                if line[8:line.index('"', 8)] in wanted:   # '{"id": "…"': skip the parse of the rest
                    x = json.loads(line)
                    raw[x["id"]] = x["article"]
    return raw


def matches(predicted: str | None, label: str | None) -> bool:
    if not label:
        return not predicted
    if not predicted:
        return False
    predicted = predicted.strip()
    return predicted.endswith(label) or (label.endswith(predicted) and len(predicted) * 2 >= len(label))


def changes(text: str, figure, at: int) -> bool:
    """The value at `at` is the change of `figure` (比1985年增长12.3% after 客运量2.99亿人次): the reader
    sees it in that figure's row, under that figure's indicator."""
    if not figure.change:
        return False
    start = text.find(figure.change, figure.end)
    return 0 <= start <= at < start + len(figure.change)


def clause_head(sentence: str, at: int) -> str | None:
    start = at
    while start > 0 and sentence[start - 1] not in "，,；;：:。！？!?":
        start -= 1
    return sentence[start:at].strip() or None


def evaluate(split: str, show: bool = False) -> dict:
    from service.key_figures import extract_key_figures
    from service.reader import read_post

    labels = [json.loads(line) for line in open(LABELS, encoding="utf-8")]
    labels = [x for x in labels if split == "all" or x["split"] == split]
    raw = sources(shared_data(), {x["doc"] for x in labels})
    documents: dict = {}
    totals = {"items": 0, "found": 0, "ours": 0, "baseline": 0}
    for item in labels:
        text = raw[item["doc"]]
        sentence = text[item["sentence"][0]:item["sentence"][1]]
        offset = item["value"][0] - item["sentence"][0]
        label = text[item["indicator"][0]:item["indicator"][1]] if item["indicator"] else None
        if item["doc"] not in documents:
            document = read_post(text)
            documents[item["doc"]] = (document, extract_key_figures(document))
        document, figures = documents[item["doc"]]
        at = document.text.find(sentence)
        figure = next((f for f in figures if at >= 0 and f.start == at + offset), None) \
            or next((f for f in figures if at >= 0 and changes(document.text, f, at + offset)), None)
        totals["items"] += 1
        totals["found"] += figure is not None
        ours = figure.indicator if figure else None
        ok = figure is not None and matches(ours, label)
        totals["ours"] += ok
        totals["baseline"] += figure is not None and matches(clause_head(sentence, offset), label)
        if show and not ok:
            print(f"  {item['doc']}: label {label!r}, ours {ours!r}")
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.evaluate key-figures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--show", action="store_true", help="print each miss (label and ours)")
    parser.add_argument("--markdown", default=None)
    args = parser.parse_args(argv)
    if not (shared_data() / "ce_people_daily_articles").is_dir():
        print(f"shared data not found at {shared_data()} (set ZHNEWS_SHARED_DATA)", file=sys.stderr)
        return 2
    rows = []
    for split in (("dev", "test") if args.split == "all" else (args.split,)):
        t = evaluate(split, args.show)
        share = lambda k: f"{100 * t[k] / t['items']:.1f} % ({t[k]}/{t['items']})"
        rows.append(f"| {split} | {share('ours')} | {share('baseline')} | {share('found')} |")
    lines = [f"<!-- made by: python -m models.evaluate key-figures {' '.join(argv or sys.argv[1:])} -->", "",
             "Key figures whose indicator names what was measured (own labels, models/devset/key_figures.jsonl)", "",
             "| split | ours | baseline: the clause before the value | figure found |", "|---|---:|---:|---:|", *rows]
    print("\n".join(lines))
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
