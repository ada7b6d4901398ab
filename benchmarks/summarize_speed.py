"""Speed of the embedded summarizer vs SnowNLP `summary` and TextRank4ZH on the same long articles.

    python benchmarks/summarize_speed.py [--limit N] [--min-chars 1000] [--max-chars 150]

Articles: the long Chinese news in ../shared/data (CLTS + CLTS+ samples, 中国经济网/人民日报 articles),
those with at least --min-chars characters. Every system gets the same budget (--max-chars) and the raw
article text; ours includes building the Document (sentence splitting) and key-figure extraction.
Models are loaded before timing (warm); the default's cold start (fresh interpreter: import, load the
encoder, first summary) and its peak memory (max RSS of that process after summarizing every
article) are measured in a subprocess.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import encoder  # noqa: E402  (after the path is set; loads no weights)

_CHILD = r"""
import json, resource, sys, time
started = time.perf_counter()
from service.summarization.embedded import EmbeddedSummarizer
from service.summarization.plaindoc import document_from_text
articles = json.load(open(sys.argv[1], encoding="utf-8"))
engine = EmbeddedSummarizer()
engine.summarize(document_from_text(articles[0]), max_chars=int(sys.argv[2]))
cold = time.perf_counter() - started
for a in articles:
    engine.summarize(document_from_text(a), max_chars=int(sys.argv[2]))
print(json.dumps({"cold_s": cold, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def long_articles(min_chars: int) -> list[str]:
    data = Path(os.environ.get("ZHNEWS_SHARED_DATA") or ROOT.parent / "shared" / "data")
    articles = []
    for name in ("clts_samples/clts_samples.jsonl", "clts_samples/clts_plus_samples.jsonl"):
        path = data / name
        if path.exists():
            articles += [json.loads(l)["article"] for l in open(path, encoding="utf-8") if l.strip()]
    path = data / "ce_people_daily_articles/articles.jsonl"
    if path.exists():
        for line in open(path, encoding="utf-8"):
            x = json.loads(line)
            articles.append("\n".join(x.get("paragraphs") or [x.get("text", "")]))
    return [a for a in dict.fromkeys(articles) if len(a) >= min_chars]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--min-chars", type=int, default=1000)
    parser.add_argument("--max-chars", type=int, default=150)
    parser.add_argument("--markdown", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    articles = long_articles(args.min_chars)[:args.limit]
    if not articles:
        print("no articles found (../shared/data absent?)", file=sys.stderr)
        return 2

    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(articles, f, ensure_ascii=False)
    child = subprocess.run([sys.executable, "-c", _CHILD, f.name, str(args.max_chars)], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    os.unlink(f.name)
    cold = json.loads(child.stdout.strip().splitlines()[-1])

    from models.evaluate.baselines import snownlp_summary, textrank4zh_summary, warm_up
    from models.evaluate.handset import HandSetSummarizer
    from service.summarization.embedded import EmbeddedSummarizer
    from service.summarization.plaindoc import document_from_text

    engine, handset = EmbeddedSummarizer(), HandSetSummarizer()
    warm_up()
    engine.summarize(document_from_text(articles[0]), max_chars=args.max_chars)
    handset.summarize(document_from_text(articles[0]), max_chars=args.max_chars)
    systems = {
        "embedded (ours)": lambda a: engine.summarize(document_from_text(a), max_chars=args.max_chars).text,
        "hand-set scorer (old engine)": lambda a: handset.summarize(document_from_text(a), max_chars=args.max_chars).text,
        "SnowNLP summary": lambda a: snownlp_summary(a, args.max_chars),
        "TextRank4ZH": lambda a: textrank4zh_summary(a, args.max_chars),
    }
    times: dict[str, list[float]] = {name: [] for name in systems}
    for article in articles:
        for name, run in systems.items():
            t = time.perf_counter()
            run(article)
            times[name].append(time.perf_counter() - t)
    mean_chars = sum(map(len, articles)) / len(articles)
    lines = [f"{len(articles)} long articles (>= {args.min_chars} chars; mean {mean_chars:.0f}, "
             f"max {max(map(len, articles))}), budget {args.max_chars} chars, warm, 1 process, "
             f"encoder threads {encoder.threads()}", "",
             "| system | ms / article (mean) | median | articles / s | vs ours |",
             "|---|---:|---:|---:|---:|"]
    ours = statistics.mean(times["embedded (ours)"])
    for name, ts in times.items():
        mean = statistics.mean(ts)
        lines.append(f"| {name} | {1000 * mean:.1f} | {1000 * statistics.median(ts):.1f} | {1 / mean:.1f} | "
                     f"{mean / ours:.1f}x |")
    lines += ["", f"default engine cold start (fresh interpreter → first summary): {cold['cold_s']:.2f} s; "
              f"peak memory (max RSS): {cold['peak_mb']:.0f} MB"]
    print("\n".join(lines))
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(f"<!-- made by: python benchmarks/summarize_speed.py "
                                       f"{' '.join(argv or sys.argv[1:])} -->\n\n" + "\n".join(lines) + "\n",
                                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
