"""Hostile and unlucky input against the reader and the batch; prints what held, with figures.

    .venv/bin/python benchmarks/hostile_input.py [--kills 10] [--posts 60]

1. Front matter that is built to blow up a YAML loader: time and memory until it is refused.
2. A folder of good posts with one of each hostile entry in it: what was written, what was refused.
3. `kill -9` of the batch (2 workers) at random moments, then the same command again, N times:
   every post written exactly once, no torn line, no worker left running.
The figures in docs/reliability.md are this script's output.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.document import ReadError  # noqa: E402
from service.reader import read_post  # noqa: E402

EXAMPLES = sorted((ROOT / "service" / "examples").glob("*.md"))


def front_matter_probes() -> None:
    bomb = ("a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi")))
    probes = {"alias bomb, 9 levels of 9": bomb, "self-referencing alias": "a: &a [*a]\n",
              "10,000-deep nesting": "x: " + "[" * 10000 + "]" * 10000 + "\n"}
    print("front matter                     bytes   refused in   peak RSS growth   reason")
    for name, front in probes.items():
        text = f"---\n{front}---\n正文。\n"
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            read_post(text)
            reason = "NOT REFUSED"
        except ReadError as exc:
            reason = exc.problem
        ms = (time.perf_counter() - started) * 1000
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(f"{name:30s} {len(text.encode()):7d} {ms:9.1f} ms {grown:12.1f} MB   {reason}")


def make_posts(folder: Path, n: int) -> list[Path]:
    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    paths = []
    for i in range(n):
        path = folder / f"g{i % 4}" / f"post-{i:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[i % len(texts)] + f"\n\n本文为第{i}篇测试稿件。\n", encoding="utf-8")
        paths.append(path)
    return paths


def hostile_folder(tmp: Path) -> None:
    root = tmp / "hostile"
    good = make_posts(root, 6)
    secret = tmp / "outside" / "secret.md"
    secret.parent.mkdir(parents=True)
    secret.write_text("SECRET-OUTSIDE-THE-FOLDER。\n", encoding="utf-8")
    (root / "escape.md").symlink_to(secret)
    (root / "loop-a.md").symlink_to(root / "loop-b.md")
    (root / "loop-b.md").symlink_to(root / "loop-a.md")
    (root / "dangling.md").symlink_to(root / "missing.md")
    (root / "dir-loop").symlink_to(root)
    os.mkfifo(root / "fifo.md")
    (root / "bomb.md").write_text("---\na: &a [*a]\n---\n正文。\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(root), b"name-\xff\xfe.md"), "wb") as fh:
        fh.write("市政府今天发布新的公交线路调整方案，涉及12条线路。\n".encode())
    out = tmp / "hostile.jsonl"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "service.batch", str(root), "-o", str(out), "--no-progress"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    errors = [json.loads(line) for line in (tmp / "hostile.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    leaked = "SECRET-OUTSIDE" in out.read_text(encoding="utf-8")
    print(f"\nhostile folder: {len(good) + 1} good posts + 7 hostile entries (one a symlink back to the folder, not followed), exit {done.returncode}, {seconds:.1f} s")
    print(f"  written: {len(records)} (non-UTF-8 name kept exactly: "
          f"{any(r.get('path_bytes') for r in records)}); file outside the folder leaked: {leaked}")
    for error in errors:
        print(f"  refused  {Path(error['path']).name:18s} {error['error']}")


def kill_and_resume(tmp: Path, kills: int, posts: int) -> None:
    import psutil

    root = tmp / "kill"
    expected = sorted(map(str, make_posts(root, posts)))
    out = tmp / "kill.jsonl"
    cmd = [sys.executable, "-m", "service.batch", str(root), "-o", str(out), "--workers", "2", "--chunksize", "1",
           "--no-progress"]
    rng = random.Random(7)
    orphans = 0
    killed = 0
    for _ in range(kills):
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.5, 6.0))
        children = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        _, alive = psutil.wait_procs(children, timeout=15)
        orphans += len(alive)
        for p in alive:
            p.kill()
    final = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    raw = out.read_bytes()
    lines = raw.decode("utf-8").splitlines()
    paths = sorted(json.loads(line)["path"] for line in lines)
    torn = not raw.endswith(b"\n")
    print(f"\nkill -9 and resume: {posts} posts, {killed} kills at random moments, then one full run "
          f"(exit {final.returncode})")
    print(f"  lines {len(lines)}, distinct posts {len(set(paths))}, every post exactly once: {paths == expected}, "
          f"torn last line: {torn}, workers left running after a kill: {orphans}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--posts", type=int, default=400)
    args = parser.parse_args()
    front_matter_probes()
    with tempfile.TemporaryDirectory() as tmp:
        hostile_folder(Path(tmp))
        kill_and_resume(Path(tmp), args.kills, args.posts)


if __name__ == "__main__":
    main()
