"""Batch throughput: posts/s and peak memory of `python -m service.batch` at 1 and 2 workers.

    .venv/bin/python benchmarks/batch_throughput.py [--posts 2000] [--workers 1 2] [--datasets]

The corpus is made in a temp folder by copying the shared real articles (../shared: the seed post,
finews posts, and the People's Daily/CE articles written out as posts) round-robin up to --posts
files. Peak memory is the largest summed RSS of the batch process and its workers, sampled every
0.2 s. `--datasets` also times the same work done with `datasets` (Dataset.from_generator + map with
num_proc) for comparison. Numbers are printed, not asserted. Skips (exit 0) when ../shared is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SEED = ROOT.parent / "shared" / "seed"


def source_posts() -> list[str]:
    posts: list[str] = []
    for folder in (SEED, SHARED / "finews" / "_posts"):
        posts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
    articles = SHARED / "ce_people_daily_articles" / "articles.jsonl"
    if articles.exists():
        for line in articles.read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            title = str(a.get("title", "")).replace('"', "'")
            posts.append(f'---\ntitle: "{title}"\ndate: {a.get("publish_time", "")}\n---\n'
                         + "\n\n".join(a.get("paragraphs") or []) + "\n")
    return posts


def make_corpus(folder: Path, n: int) -> None:
    posts = source_posts()
    for i in range(n):
        sub = folder / f"d{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"post-{i:06d}.md").write_text(posts[i % len(posts)], encoding="utf-8")


def run_measured(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB of the process tree, last stdout line)."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))))
    parent = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = parent.memory_info().rss + sum(c.memory_info().rss for c in parent.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    out = proc.stdout.read().strip().splitlines()
    return time.perf_counter() - start, peak / 2 ** 20, out[-1] if out else f"exit {proc.returncode}"


DATASETS_RUN = r"""
import json, os, sys
from datasets import Dataset, disable_progress_bars
disable_progress_bars()
folder, out, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
def gen():
    for dirpath, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            yield {"path": os.path.join(dirpath, f)}
def work(batch):
    from service.batch import process_one, _init_worker, Options, _OPTIONS
    import service.batch as b
    if b._OPTIONS is None:
        _init_worker(Options())
    return {"line": [process_one((p, os.path.basename(p)))[2] for p in batch["path"]]}
ds = Dataset.from_generator(gen, cache_dir=out + ".cache")
ds = ds.map(work, batched=True, batch_size=16, num_proc=workers if workers > 1 else None,
            remove_columns=["path"], cache_file_name=out + ".arrow")
with open(out, "w", encoding="utf-8") as fh:
    for line in ds["line"]:
        fh.write(line + "\n")
print(f"datasets: {len(ds)} posts")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--datasets", action="store_true", help="also time the datasets.map variant")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent (the benchmark copies the shared articles)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="zhnews-bench-"))
    try:
        make_corpus(work / "posts", args.posts)
        print(f"corpus: {args.posts} posts ({len(source_posts())} distinct shared articles, copied) in {work}")
        print(f"cpu cores available: {len(os.sched_getaffinity(0))}")
        for w in args.workers:
            out = work / f"out-w{w}.jsonl"
            seconds, peak, last = run_measured(
                [sys.executable, "-m", "service.batch", str(work / "posts"), "-o", str(out),
                 "--workers", str(w), "--no-progress"], ROOT)
            print(f"process pool  workers={w}: {args.posts / seconds:7.1f} posts/s  "
                  f"({seconds:6.1f} s incl. start-up)  peak RSS {peak:7.1f} MiB   | {last}")
            if args.datasets:
                out = work / f"ds-w{w}.jsonl"
                seconds, peak, last = run_measured(
                    [sys.executable, "-c", DATASETS_RUN, str(work / "posts"), str(out), str(w)], ROOT)
                print(f"datasets.map  workers={w}: {args.posts / seconds:7.1f} posts/s  "
                      f"({seconds:6.1f} s incl. start-up)  peak RSS {peak:7.1f} MiB   | {last}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
