"""Batch throughput: posts/s and peak memory of `python -m service.batch`, default backend and Ray.

    .venv/bin/python benchmarks/batch_throughput.py [--posts 2000 5000] [--workers 1 2] [--datasets]
        [--memory-run 100000] [--markdown docs/figures/batch-throughput.md]

Each corpus is made in a temp folder by copying the shared real articles (../shared: the seed post,
finews posts, and the People's Daily/CE articles written out as posts) round-robin up to --posts
files. Each run is timed from the command's start to its end, so start-up (models, and Ray's own for
`--backend ray`) is included. Peak memory: the largest summed RSS of the process tree, and the largest
RSS of one worker (a pool process, or a Ray actor), sampled every 0.2 s. The driver's own limits (the
listing, the commit, the skip set) are measured in-process. `--memory-run N` runs the Ray backend
over N short posts made from the project's examples and prints each worker's RSS as the count grows.
`--datasets` also times the same work done with `datasets.map`. Numbers are printed, not asserted.
Skips (exit 0) when ../shared is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
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


def is_worker(cmdline: list[str]) -> bool:
    line = " ".join(cmdline)
    return "spawn_main" in line or line.startswith("ray::MapWorker")


def run_measured(cmd: list[str], cwd: Path, on_sample=None) -> dict:
    """Run `cmd`; its seconds, peak RSS MiB of the process tree and of one worker, last stdout line."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))))
    parent = psutil.Process(proc.pid)
    peak = worker_peak = 0
    while proc.poll() is None:
        try:
            tree = [parent] + parent.children(recursive=True)
            rss = {p.pid: (p.memory_info().rss, is_worker(p.cmdline())) for p in tree}
        except psutil.Error:
            rss = {}
        workers = {pid: r for pid, (r, w) in rss.items() if w}
        peak = max(peak, sum(r for r, _ in rss.values()))
        worker_peak = max([worker_peak] + list(workers.values()))
        if on_sample:
            on_sample(workers)
        time.sleep(0.2)
    out = proc.stdout.read().strip().splitlines()
    last = out[-1] if out else f"exit {proc.returncode}"
    startup = re.search(r"Ray started in ([\d.]+)s", last)
    return {"seconds": time.perf_counter() - start, "peak": peak / 2 ** 20, "worker_peak": worker_peak / 2 ** 20,
            "last": last, "ray_startup": float(startup.group(1)) if startup else None}


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
    from service.batch import process_one, init_worker, Options, _OPTIONS
    import service.batch as b
    if b._OPTIONS is None:
        init_worker(Options())
    return {"line": [process_one((p, os.path.basename(p)))[2] for p in batch["path"]]}
ds = Dataset.from_generator(gen, cache_dir=out + ".cache")
ds = ds.map(work, batched=True, batch_size=16, num_proc=workers if workers > 1 else None,
            remove_columns=["path"], cache_file_name=out + ".arrow")
with open(out, "w", encoding="utf-8") as fh:
    for line in ds["line"]:
        fh.write(line + "\n")
print(f"datasets: {len(ds)} posts")
"""


def driver_limits(lines: list[str], n: int = 200_000) -> dict:
    """What the driver alone can do per second (commit, list and spool) and its skip set's cost."""
    import tracemalloc

    from service.batch_io import Item, path_key
    from service.batch_ray import spool_chunks
    from service.batch_shards import ShardedOutput

    work = Path(tempfile.mkdtemp(prefix="zhnews-driver-"))
    try:
        shards = ShardedOutput(str(work / "out"))
        shards.open()
        start = time.perf_counter()
        for i in range(n):
            shards.append(lines[i % len(lines)], i)
        shards.close()
        commit = n / (time.perf_counter() - start)
        items = (Item(f"/archive/{i // 1000:05d}/post-{i:07d}.md", f"post-{i:07d}.md") for i in range(n))
        start = time.perf_counter()
        keys = set()
        for item in items:
            keys.add(path_key(item.path))
        spool_chunks((Item(f"/archive/post-{i:07d}.md", "x") for i in range(n)), str(work / "pending"), 32)
        listing = n / (time.perf_counter() - start)
        tracemalloc.start()
        skip = {path_key(f"/archive/post-{i:07d}.md") for i in range(n)}
        skip_bytes = tracemalloc.get_traced_memory()[0] / len(skip)
        tracemalloc.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"commit": commit, "listing": listing, "line_bytes": sum(map(len, lines)) / len(lines),
            "skip_bytes": skip_bytes}


def memory_run(n: int, work: Path) -> list[str]:
    """The Ray backend over n short distinct posts; each worker's RSS as the count grows."""
    from tests.test_batch import make_posts

    make_posts(work / "short", n)
    out = work / "memory-run"
    marks = sorted({m for m in (2_000, 10_000, 50_000, 100_000, 200_000, 500_000) if m <= n} | {n})
    peaks: dict[int, int] = {}          # each worker's peak RSS since the last mark
    lines = []

    def emit(mark: int) -> None:
        lines.append(f"| {mark:,} | " + " | ".join(f"{peaks[pid] / 2 ** 20:.0f}" for pid in sorted(peaks)) + " |")
        peaks.clear()

    def sample(workers: dict[int, int]) -> None:
        for pid, rss in workers.items():
            peaks[pid] = max(peaks.get(pid, 0), rss)
        while marks and _committed(out) >= marks[0]:
            emit(marks.pop(0))

    result = run_measured([sys.executable, "-m", "service.batch", str(work / "short"), "-o", str(out) + "/",
                           "--backend", "ray", "--workers", "2", "--no-progress"], ROOT, on_sample=sample)
    if marks and peaks:
        emit(marks.pop(0))          # the last posts were committed after the last sample
    return [f"Ray backend, 2 workers, {n:,} short posts (the project's examples, made distinct): "
            f"{n / result['seconds']:.1f} posts/s, {result['seconds']:.0f} s", "",
            "| posts committed | peak RSS of each worker since the row above (MiB) | |", "|---:|---:|---:|"] + lines


def _committed(out: Path) -> int:
    try:
        with open(out / "_manifest.jsonl", "rb") as fh:
            return sum(json.loads(raw)["posts"] for raw in fh if raw.endswith(b"\n"))
    except (OSError, ValueError):
        return 0


def projections(per_worker: float) -> list[str]:
    """Hours for 1M and 10M posts on N machines of M cores, from the measured posts/s per worker."""
    rows = ["| machines × cores | 1M posts | 10M posts |", "|---|---:|---:|"]
    for machines, cores in ((1, 2), (1, 16), (4, 16), (16, 32), (64, 32)):
        rate = per_worker * machines * cores
        rows.append(f"| {machines} × {cores} | {_duration(1e6 / rate)} | {_duration(1e7 / rate)} |")
    return rows


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[2000], help="corpus sizes, one run each")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-ray", action="store_true", help="only the default backend")
    parser.add_argument("--datasets", action="store_true", help="also time the datasets.map variant")
    parser.add_argument("--memory-run", type=int, default=0, metavar="N",
                        help="also run the Ray backend over N short posts, printing worker RSS as it goes")
    parser.add_argument("--markdown", help="also write the tables to this file")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent (the benchmark copies the shared articles)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="zhnews-bench-"))
    report = []
    try:
        report += [f"{len(source_posts())} distinct shared articles, copied round-robin; "
                   f"{len(os.sched_getaffinity(0))} CPU cores; wall time from the command's start, "
                   "start-up included", "",
                   "| posts | backend | workers | posts/s | vs default, same workers | seconds | Ray start-up | "
                   "peak RSS, all processes (MiB) | peak RSS of one worker (MiB) |",
                   "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        print(report[0], flush=True)
        runs = [("default", w) for w in args.workers] + ([] if args.no_ray else [("ray", w) for w in args.workers])
        if args.datasets:
            runs += [("datasets.map", w) for w in args.workers]
        rates: dict = {}
        for n in args.posts:
            posts = work / f"posts-{n}"
            make_corpus(posts, n)
            for backend, w in runs:
                out = work / f"out-{n}-{backend}-w{w}.jsonl"
                if backend == "datasets.map":
                    cmd = [sys.executable, "-c", DATASETS_RUN, str(posts), str(out), str(w)]
                else:
                    cmd = [sys.executable, "-m", "service.batch", str(posts), "-o", str(out), "--workers", str(w),
                           "--no-progress"] + (["--backend", "ray"] if backend == "ray" else [])
                r = run_measured(cmd, ROOT)
                rate = n / r["seconds"]
                rates[n, backend, w] = rate
                base = rates.get((n, "default", w))
                row = (f"| {n:,} | {backend} | {w} | {rate:.1f} | {rate / base:.2f}× | {r['seconds']:.1f} | "
                       f"{'' if r['ray_startup'] is None else format(r['ray_startup'], '.1f') + ' s'} | "
                       f"{r['peak']:.0f} | {r['worker_peak'] or r['peak']:.0f} |")
                report.append(row)
                print(row, "   ", r["last"], flush=True)
        n, w = max(args.posts), max(args.workers)
        first = work / f"out-{n}-default-w{min(args.workers)}.jsonl"
        lines = first.read_text(encoding="utf-8").splitlines()
        if lines:
            d = driver_limits(lines)
            per_worker = rates[n, "default" if args.no_ray else "ray", w] / w
            report += ["", "The driver alone (one core, in-process): "
                       f"commits {d['commit']:,.0f} records/s (records of {d['line_bytes'] / 1024:.1f} KiB mean) "
                       f"and lists + spools {d['listing']:,.0f} posts/s; its skip set costs "
                       f"{d['skip_bytes']:.0f} bytes a post ({d['skip_bytes'] * 1e6 / 2 ** 20:.0f} MiB per 1M posts, "
                       "twice that while the Ray backend runs: its duplicate guard holds the same keys). "
                       f"A cluster outruns the commit at about {d['commit'] / per_worker:,.0f} workers "
                       f"({per_worker:.2f} posts/s each here).", "",
                       f"Computed from {per_worker:.2f} posts/s per worker ({'default' if args.no_ray else 'Ray'}, "
                       f"{w} workers, {n:,} posts, start-up included), assuming it scales with cores and the posts are like these:", ""]
            report += projections(per_worker)
        if args.memory_run:
            report += [""] + memory_run(args.memory_run, work)
        print("\n".join(report[report.index("") if "" in report else 0:]))
        if args.markdown:
            argv = " ".join(sys.argv[1:])
            Path(args.markdown).write_text(f"<!-- made by: python benchmarks/batch_throughput.py {argv} -->\n\n"
                                           + "\n".join(report) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
