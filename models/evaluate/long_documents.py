"""python -m models.evaluate long-documents [--limit N] [--max-chars 150] [--quiet]

The defects a reader of a long document notices, counted over the long texts in ../shared/data: the
government work reports and five-year plans (gov_reports, read by the service's reader, as a user's
file would be), and the CLTS and 中国经济网/人民日报 articles of at least --min-chars characters.
Each summary is printed with its defects, so that a person can read them.

Defects of a summary (the list of issue 19):
    procedural   a formula of a report or speech (请予审议, 我代表…作报告, 各位代表)
    header       a metadata line (a date with a site name, 发布时间, 字号)
    byline       an opening credit (本报讯, 新华社…电)
    table        table residue
    dangling     an opener that leans on a sentence left out (其…, 此前, 对此, 二是…)
    unflagged    a piece shorter than its source sentence without the cut_at_clause or cut flag
    opening_only a document of three or more sections summarized from its first section alone
    no_figure    a document with key figures whose summary carries none
    number       a number in the summary that is not in the source exactly
    over_budget  a summary longer than --max-chars
Per-section one-liners are checked for the same defects (but opening_only and no_figure).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter

from models.evaluate.summarization import shared_data
from service.key_figures import extract_key_figures
from service.summarization.candidates import HEADER, flags

_NUMBER = re.compile(r"\d+(?:[.,．]\d+)*")


def long_documents(root, min_chars: int) -> list[tuple[str, object]]:
    from service.reader import read_post
    from service.summarization.plaindoc import document_from_text

    docs = []
    for line in open(root / "gov_reports/docs.jsonl", encoding="utf-8"):
        x = json.loads(line)
        docs.append((x["id"], read_post(x["text"])))
    for name in ("clts_samples/clts_samples.jsonl", "clts_samples/clts_plus_samples.jsonl"):
        for line in open(root / name, encoding="utf-8"):
            x = json.loads(line)
            if len(x["article"]) >= min_chars:
                docs.append((x["id"], document_from_text(x["article"])))
    seen = set()
    for line in open(root / "ce_people_daily_articles/articles.jsonl", encoding="utf-8"):
        x = json.loads(line)
        text = "\n".join(x.get("paragraphs") or [x.get("text", "")])
        if len(text) >= min_chars and text not in seen:
            seen.add(text)
            docs.append((x["id"], document_from_text(text, title=x.get("title"))))
    return docs


def piece_defects(document, piece) -> list[str]:
    """Defects of one summary piece (a SummarySentence)."""
    out = []
    source = next((s for s in document.sentences if s.start <= piece.start and piece.end <= s.end), None)
    whole = source is not None and source.text.strip() == piece.text.strip()
    found = flags(piece.text, source, False, whole or (source is not None and piece.start == source.start))
    out += [f for f in found if f in ("procedural", "table", "dangling", "byline", "header")]
    if HEADER.search(piece.text):
        out.append("header")
    if not whole and not ({"cut_at_clause", "cut"} & set(piece.flags)):
        out.append("unflagged")
    body = document.text
    if any(n not in body for n in _NUMBER.findall(piece.text)):
        out.append("number")
    return sorted(set(out))


def summary_defects(document, summary, budget: int) -> list[str]:
    out = [d for piece in summary.sentences for d in piece_defects(document, piece)]
    if len(summary.text) > budget:
        out.append("over_budget")
    if len(document.sections) >= 3 and summary.sentences and all(p.section == 0 for p in summary.sentences):
        out.append("opening_only")
    if extract_key_figures(document) and not re.search(r"\d", summary.text):
        out.append("no_figure")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.evaluate long-documents", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--min-chars", type=int, default=1500)
    parser.add_argument("--max-chars", type=int, default=150)
    parser.add_argument("--quiet", action="store_true", help="print the counts only")
    parser.add_argument("--markdown", default=None, help="also write the counts (not the summaries) to this file")
    args = parser.parse_args(argv)
    root = shared_data()
    if not root.exists():
        print(f"shared data not found at {root} (set ZHNEWS_SHARED_DATA)", file=sys.stderr)
        return 2
    from service.summarization.embedded import EmbeddedSummarizer

    engine = EmbeddedSummarizer()
    docs = long_documents(root, args.min_chars)[:args.limit]
    counts, section_counts = Counter(), Counter()
    lines = 0
    started = time.perf_counter()
    for name, document in docs:
        summary = engine.summarize(document, max_chars=args.max_chars)
        defects = summary_defects(document, summary, args.max_chars)
        counts.update(defects)
        for line in summary.section_summaries:
            if line is not None:
                lines += 1
                section_counts.update(piece_defects(document, line))
        entry = (f"#### {name} ({len(document.text):,} chars, {len(document.sections)} sections)"
                 f"{' — ' + ', '.join(defects) if defects else ''}\n\n{summary.text}\n")
        if not args.quiet:
            print(entry)
    seconds = time.perf_counter() - started
    totals = [f"{len(docs)} long documents ({sum(len(d.text) for _, d in docs):,} chars), budget {args.max_chars}, "
              f"{seconds:.1f} s",
              f"summary defects: {sum(counts.values())}" + "".join(f", {k} {v}" for k, v in sorted(counts.items())),
              f"section one-liners: {lines}, defects: {sum(section_counts.values())}"
              + "".join(f", {k} {v}" for k, v in sorted(section_counts.items()))]
    print("\n".join(totals))
    if args.markdown:
        from pathlib import Path

        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(
            f"<!-- made by: python -m models.evaluate long-documents {' '.join(argv or sys.argv[1:])} -->\n\n"
            + "\n\n".join(totals) + "\n\nThe summaries themselves are printed by the command, not written here: "
            "they are the data's text, which stays out of the project.\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
