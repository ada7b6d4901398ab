"""python -m models.evaluate traditional [--limit N] [--markdown docs/figures/traditional.md]

Traditional Chinese against the same posts in simplified. The seed posts (../shared/seed) and the long
documents of `long-documents` (work reports, plans, CLTS and 中国经济网/人民日报 articles) are converted
with OpenCC `s2twp` (Taiwan characters and phrases, as a Taiwan reader would write them), then both
versions go through analyze(). Measured, over all documents:

    primary tag kept   sections whose primary tag is the same in both versions (same section index)
    key figures        figures found in the traditional version ÷ in the simplified one
    exact spans        summary pieces (and section one-liners) that are document.text[start:end] and
                       occur in the traditional input exactly as written (line breaks and spaces
                       aside: the reader joins a line broken inside a sentence)
    same summary       documents whose summary, converted back with t2s, is the simplified summary

Targets (issue 18): ≥ 95 % primary tags kept, key figures ≥ 95 %, every piece an exact span.
The baseline row is the service without the simplified view (the models read the traditional text
itself, as before this was built), with the same measures except exact spans.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from models.evaluate.summarization import shared_data

_SPACE = re.compile(r"\s+")


def documents(root: Path, limit: int | None) -> list[tuple[str, str]]:
    """(id, raw text) of the seed posts and the long documents, as a user's files would hold them."""
    docs = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((root.parent / "seed").glob("*.md"))]
    for line in open(root / "gov_reports/docs.jsonl", encoding="utf-8"):
        x = json.loads(line)
        docs.append((x["id"], x["text"]))
    for name in ("clts_samples/clts_samples.jsonl", "clts_samples/clts_plus_samples.jsonl"):
        for line in open(root / name, encoding="utf-8"):
            x = json.loads(line)
            if len(x["article"]) >= 1000:
                docs.append((x["id"], x["article"]))
    seen = set()
    for line in open(root / "ce_people_daily_articles/articles.jsonl", encoding="utf-8"):
        x = json.loads(line)
        text = "\n".join(x.get("paragraphs") or [x.get("text", "")])
        if len(text) >= 1000 and text not in seen:
            seen.add(text)
            docs.append((x["id"], text))
    return docs[:limit] if limit else docs


def primary_tags(result) -> list[str | None]:
    return [tags[0].id if tags else None for tags in result.section_tags]


def compare(simplified, other, raw: str | None, totals: dict) -> None:
    a, b = primary_tags(simplified), primary_tags(other)
    totals["sections"] += len(a)
    totals["tags_kept"] += sum(x == y for x, y in zip(a, b))
    totals["figures_simplified"] += len(simplified.key_figures)
    totals["figures"] += len(other.key_figures)
    from service.reader.script import convert

    totals["same_summary"] += convert(other.summary.text, "t2s") == simplified.summary.text
    if raw is None:
        return
    text = other.document.text
    written = _SPACE.sub("", raw)        # the reader joins lines broken inside a sentence
    pieces = [p for p in other.summary.sentences if p.origin != "generated"]
    pieces += [p for p in other.summary.section_summaries or [] if p is not None]
    for piece in pieces:
        totals["pieces"] += 1
        totals["exact"] += text[piece.start:piece.end] == piece.text and _SPACE.sub("", piece.text) in written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.evaluate traditional", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--markdown", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    root = shared_data()
    if not (root / "gov_reports").is_dir():
        print(f"shared data not found at {root} (set ZHNEWS_SHARED_DATA)", file=sys.stderr)
        return 2
    from service import analyze
    from service.reader import read_post
    from service.reader.script import detect

    docs = documents(root, args.limit)
    ours = {k: 0 for k in ("sections", "tags_kept", "figures_simplified", "figures", "same_summary", "pieces", "exact")}
    converted = dict(ours)
    detected = 0
    seconds = {"simplified": 0.0, "traditional": 0.0}
    for _, raw in docs:
        traditional = _converter("s2twp").convert(raw)
        detected += detect(traditional) == "traditional"
        start = time.perf_counter()
        simplified = analyze(raw)
        seconds["simplified"] += time.perf_counter() - start
        start = time.perf_counter()
        result = analyze(traditional)
        seconds["traditional"] += time.perf_counter() - start
        compare(simplified, result, traditional, ours)
        as_is = read_post(traditional)
        as_is.view = None                 # the models read the traditional text itself
        compare(simplified, analyze(as_is), None, converted)
    rows = [("ours: read through the simplified view", ours, True),
            ("baseline: the models read the traditional text as is", converted, False)]
    lines = [f"<!-- made by: python -m models.evaluate traditional {' '.join(argv or sys.argv[1:])} -->", "",
             f"{len(docs)} documents (the seed posts and the long documents), converted with OpenCC s2twp; "
             f"{detected} detected as traditional; analyze() took {seconds['traditional']:.1f} s on the "
             f"traditional versions against {seconds['simplified']:.1f} s on the originals", "",
             "| system | primary tag kept | key figures vs simplified | exact spans | same summary |",
             "|---|---:|---:|---:|---:|"]
    share = lambda a, b: f"{100 * a / b:.1f} % ({a}/{b})" if b else "n/a"
    for name, t, spans in rows:
        exact = share(t["exact"], t["pieces"]) if spans else "n/a"
        lines.append(f"| {name} | {share(t['tags_kept'], t['sections'])} "
                     f"| {share(t['figures'], t['figures_simplified'])} | {exact} "
                     f"| {share(t['same_summary'], len(docs))} |")
    print("\n".join(lines))
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


if __name__ == "__main__":
    sys.exit(main())
