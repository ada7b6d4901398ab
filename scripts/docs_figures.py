"""Paste the measured figures into the README and docs, so that no table there is copied by hand.

    .venv/bin/python scripts/docs_figures.py           # rewrite every figure block from docs/figures/
    .venv/bin/python scripts/docs_figures.py --check   # exit 1, naming each stale block (a test runs this)

A block is the text between `<!-- figure: NAME -->` and `<!-- /figure -->` in a Markdown file. NAME is a
view below, computed from a file in docs/figures/ that an evaluation or benchmark script wrote
(`--markdown`; its first line names the command). Rerun that command, then this script: a figure file
newer than the text pasted from it shows up as a failing test until it is pasted.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- figure: ([\w-]+) -->\n)(.*?)(<!-- /figure -->)", re.S)


def tables(markdown: str) -> list[tuple[str, list[dict]]]:
    """(heading above it, rows as {column: cell}) for every pipe table in a Markdown text."""
    found, heading, lines = [], "", markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|$", lines[i + 1]):
            columns = [c.strip() for c in line.strip("|").split("|")]
            rows, i = [], i + 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(dict(zip(columns, (c.strip() for c in lines[i].strip("|").split("|")))))
                i += 1
            found.append((heading, rows))
            continue
        i += 1
    return found


def made_by(name: str) -> str:
    first = (FIGURES / name).read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"<!-- made by: (.*) -->", first)
    return match.group(1) if match else "(unknown command)"


def summarization_headline() -> str:
    """Ours against the best baseline (by the mean of R-1 and R-L) on each held-out set."""
    out = ["| set | ours (trained ranker) | best baseline |", "|---|---|---|"]
    for heading, rows in tables((FIGURES / "summarization.md").read_text(encoding="utf-8")):
        ours = next(r for r in rows if "(ours)" in r["system"])
        baselines = [r for r in rows if r is not ours and "oracle" not in r["system"]]
        best = max(baselines, key=lambda r: float(r["R-1"]) + float(r["R-L"]))
        name, count = heading.split(":")[0], re.search(r": (\d[\d,]*) items", heading).group(1)
        win = float(ours["R-1"]) + float(ours["R-L"]) >= float(best["R-1"]) + float(best["R-L"])
        cell = lambda r, bold: ("**{} / {}**" if bold else "{} / {}").format(r["R-1"], r["R-L"])
        label = re.sub(r"\s*\((old|ceiling)\)", "", best["system"])
        out.append(f"| {name}, {count} | {cell(ours, win)} | {label} {cell(best, not win)} |")
    out.append("")
    out.append(f"R-1 / R-L, character-level ROUGE F1 ×100; made by `{made_by('summarization.md')}`.")
    return "\n".join(out)


def tagging_headline() -> str:
    """The dev-set table: top-1, macro-F1 and speed of each engine and baseline."""
    text = (FIGURES / "tagging.md").read_text(encoding="utf-8")
    _, rows = next(t for t in tables(text) if t[0].startswith("Section tagging"))
    columns = [("top-1 acc", "top-1"), ("macro-F1", "macro-F1"), ("primary macro-F1", "primary macro-F1"),
               ("micro P", "micro P"), ("micro R", "micro R"), ("tags/section", "tags/section"), ("ECE", "ECE")]
    columns = [(k, name) for k, name in columns if k in rows[0]]
    best = {k: (min if k == "ECE" else max)(float(r[k]) for r in rows) for k, _ in columns if k != "tags/section"}
    bold = lambda r, k: f"**{r[k]}**" if k in best and float(r[k]) == best[k] else r[k]
    out = ["| engine | " + " | ".join(name for _, name in columns) + " | sections/s |",
           "|---" * (len(columns) + 2) + "|"]
    out += [f"| {r['system']} | " + " | ".join(bold(r, k) for k, _ in columns) + f" | {r['sections/s']} |"
            for r in rows]
    speed = re.search(r"\(sections/s: (.*)\)", text)
    out.append("")
    out.append(f"Made by `{made_by('tagging.md')}`" + (f"; sections/s: {speed.group(1)}." if speed else "."))
    return "\n".join(out)


def speed_headline() -> str:
    """One sentence: how much faster than SnowNLP, the cold start and the peak memory."""
    text = (FIGURES / "speed.md").read_text(encoding="utf-8")
    _, rows = tables(text)[0]
    snownlp = next(r for r in rows if r["system"].startswith("SnowNLP"))
    cold = re.search(r"cold start .*?: ([\d.]+ s); peak memory \(max RSS\): (\d+ MB)", text)
    return (f"On long articles this is {snownlp['vs ours'].rstrip('x')}× faster than SnowNLP, with a "
            f"{cold.group(1)} cold start and {cold.group(2)} peak memory (`{made_by('speed.md')}`).")


def tagging_report(name: str) -> str:
    """The dev- or tuning-set part of a classification report, as printed."""
    text = (FIGURES / name).read_text(encoding="utf-8")
    part = text[text.index("## Section tagging"):text.index("## Training corpus")].strip()
    return f"`{made_by(name)}`:\n```\n{part}\n```"


def table_of(name: str) -> str:
    """A figure file as the script wrote it, without its first (made-by) line."""
    body = (FIGURES / name).read_text(encoding="utf-8").split("\n", 1)[1].strip()
    return body + f"\n\nMade by `{made_by(name)}`."


VIEWS = {"tagging-devset": lambda: tagging_report("tagging.md"),
         "tagging-tuning": lambda: tagging_report("tagging-tuning.md"), "traditional": lambda: table_of("traditional.md"),
         "key-figures": lambda: table_of("key-figures.md"), "ranker-cv": lambda: table_of("ranker-cv.md"),
         "ranker-echo": lambda: table_of("ranker-echo.md"), "ranker-context": lambda: table_of("ranker-context.md"),
         "ranker-context-seed1": lambda: table_of("ranker-context-seed1.md"), "summarization-headline": summarization_headline, "tagging-headline": tagging_headline,
         "speed-headline": speed_headline}


def stale() -> list[str]:
    """`FILE: NAME` for every block whose text differs from its view (or names no view)."""
    found = []
    for document in DOCUMENTS:
        for match in BLOCK.finditer(document.read_text(encoding="utf-8")):
            name = match.group(2)
            if name not in VIEWS or match.group(3) != VIEWS[name]() + "\n":
                found.append(f"{document.relative_to(ROOT)}: {name}")
    return found


def paste() -> list[str]:
    changed = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        new = BLOCK.sub(lambda m: m.group(1) + VIEWS[m.group(2)]() + "\n" + m.group(4), text)
        if new != text:
            document.write_text(new, encoding="utf-8")
            changed.append(str(document.relative_to(ROOT)))
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report stale blocks (exit 1 if any)")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for item in found:
            print(f"stale figure: {item} (run scripts/docs_figures.py)")
        return 1 if found else 0
    for name in paste():
        print(f"pasted figures into {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
