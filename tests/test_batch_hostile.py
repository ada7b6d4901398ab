"""The batch against hostile and unlucky input: every good post is written, every bad one is in the
errors file with its reason, and nothing outside the input folder is read. Posts are generated from
the project's own examples; the hostile files are written here."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from service import batch
from service.paths import printable
from tests.test_batch import ROOT, make_posts, read_jsonl

BOMB = ("---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi"))
        + "---\n正文一句。\n")


def env_with(*paths) -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [*map(str, paths), str(ROOT), os.environ.get("PYTHONPATH")])))


def hostile_folder(root: Path, outside: Path) -> tuple[list[Path], dict[str, str]]:
    """Good posts plus one of each hostile entry; returns (good posts, {bad name: expected reason})."""
    good = make_posts(root, 4)
    secret = outside / "secret.md"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("机密文件，不应被读取。这一句也不应出现在输出里。\n", encoding="utf-8")
    (root / "escape.md").symlink_to(secret)
    (root / "loop-a.md").symlink_to(root / "loop-b.md")
    (root / "loop-b.md").symlink_to(root / "loop-a.md")
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    os.mkfifo(root / "pipe.md")
    (root / "bomb.md").write_text(BOMB, encoding="utf-8")
    (root / "self.md").write_text("---\na: &a [*a]\n---\n正文。\n", encoding="utf-8")
    (root / "deep.md").write_text("---\nx: " + "[" * 10000 + "]" * 10000 + "\n---\n正文。\n", encoding="utf-8")
    (root / "dirloop").mkdir()
    (root / "dirloop" / "again").symlink_to(root)          # a folder loop: not followed
    odd = os.path.join(os.fsencode(root), b"odd-\xff\xfe.md")
    with open(odd, "wb") as fh:
        fh.write("---\ntitle: 名字不是UTF-8的帖子\n---\n市政府今天发布了新的公交线路调整方案，共涉及12条线路。\n"
                 .encode("utf-8"))
    good.append(Path(os.fsdecode(odd)))
    reasons = {"escape.md": "leaves the input folder", "loop-a.md": "symlink loop", "loop-b.md": "symlink loop",
               "dangling.md": "dangling", "pipe.md": "FIFO", "bomb.md": "front matter refused",
               "self.md": "front matter refused", "deep.md": "front matter refused"}
    return good, reasons


def test_hostile_folder_every_good_post_written_every_bad_one_reported(tmp_path):
    good, reasons = hostile_folder(tmp_path / "in", tmp_path / "outside")
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 1
    assert time.monotonic() - started < 120
    records = read_jsonl(out)
    assert sorted(r["path"] for r in records) == sorted(printable(p) for p in good)
    odd = next(r for r in records if "odd-" in r["path"])
    assert odd["path"].endswith("odd-\\xff\\xfe.md") and bytes.fromhex(odd["path_bytes"]).endswith(b"odd-\xff\xfe.md")
    assert "机密" not in out.read_text(encoding="utf-8")
    errors = {Path(r["path"]).name: r["error"] for r in read_jsonl(tmp_path / "out.errors.jsonl")}
    for name, reason in reasons.items():
        assert reason in errors[name], (name, errors.get(name))
    assert set(errors) == set(reasons)

    # a rerun recognises every post, the oddly named one included: nothing is done twice
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 1
    assert len(read_jsonl(out)) == len(good)
    assert len(read_jsonl(tmp_path / "out.errors.jsonl")) == len(reasons)


def test_follow_symlinks_reads_the_target_when_asked(tmp_path):
    make_posts(tmp_path / "in", 1)
    outside = tmp_path / "outside" / "other.md"
    outside.parent.mkdir()
    outside.write_text("城市新开通两条地铁线路，全长48公里。沿线设站30座。\n", encoding="utf-8")
    (tmp_path / "in" / "link.md").symlink_to(outside)
    out = tmp_path / "out.jsonl"
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress", "--follow-symlinks"]) == 0
    assert any("48公里" in r["summary"]["text"] for r in read_jsonl(out))


def test_two_batches_on_one_output_the_second_is_refused(tmp_path, capsys):
    posts = make_posts(tmp_path / "in", 30)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "service.batch", str(tmp_path / "in"), "-o", str(out), "--no-progress"]
    first = subprocess.Popen(cmd, cwd=ROOT, env=env_with(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / ".out.jsonl.lock").exists() or not out.exists():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 2
        assert "another batch" in capsys.readouterr().err
    finally:
        first.wait(timeout=300)
    assert first.returncode == 0
    assert sorted(r["path"] for r in read_jsonl(out)) == sorted(map(str, posts))


def test_bad_setting_is_one_error_at_start_up(tmp_path, monkeypatch, capsys):
    make_posts(tmp_path / "in", 2)
    monkeypatch.setenv("ZHNEWS_MAX_INPUT_CHARS", "abc")
    out = tmp_path / "out.jsonl"
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 2
    assert "ZHNEWS_MAX_INPUT_CHARS='abc' is not a whole number" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "out.errors.jsonl").exists()


def test_outputs_follow_the_umask_and_leave_no_partials(tmp_path):
    make_posts(tmp_path / "in", 2)
    out = tmp_path / "out.csv"
    (tmp_path / ".out.csv.tmp").write_text("a partial file from a killed run")
    old = os.umask(0o022)
    try:
        assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress",
                           "--copy-to", str(tmp_path / "copies")]) == 0
    finally:
        os.umask(old)
    assert oct(out.stat().st_mode & 0o777) == oct(0o644)
    copy = next((tmp_path / "copies").rglob("*.md"))
    assert oct(copy.stat().st_mode & 0o777) == oct(0o644)
    assert not list(tmp_path.glob(".*.tmp"))


KILLER = '''
import os, signal
import service.pipeline as pipeline
_analyze = pipeline.analyze
def analyze(source, *args, **kwargs):
    if "crash-me" in str(source):
        os.kill(os.getpid(), signal.SIGKILL)     # as the OOM killer would
    return _analyze(source, *args, **kwargs)
pipeline.analyze = analyze
'''


def posts_and_a_hook(tmp_path: Path, hook: str, name: str, n: int) -> tuple[list[Path], Path, dict]:
    """n posts in tmp_path/in, one more called `name` that `hook` (a sitecustomize) acts on, and the
    environment that installs the hook in every process of the batch."""
    folder = tmp_path / "hook"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(hook, encoding="utf-8")
    posts = make_posts(tmp_path / "in", n)
    target = tmp_path / "in" / name
    target.write_text("这篇稿件会让处理它的进程退出。第二句话。\n", encoding="utf-8")
    return posts, target, env_with(folder)


def test_a_worker_that_dies_is_recorded_and_the_batch_goes_on(tmp_path):
    posts, killer, env = posts_and_a_hook(tmp_path, KILLER, "crash-me.md", 8)
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "service.batch", str(tmp_path / "in"), "-o", str(out),
                           "--workers", "2", "--chunksize", "2", "--no-progress"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]
    assert sorted(r["path"] for r in read_jsonl(out)) == sorted(map(str, posts))
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [(e["path"], e["kind"]) for e in errors] == [(str(killer), "WorkerDied")]
    assert "a worker died" in done.stderr


def test_killing_the_parent_leaves_no_worker_running(tmp_path):
    make_posts(tmp_path / "in", 60)
    proc = subprocess.Popen([sys.executable, "-m", "service.batch", str(tmp_path / "in"), "-o",
                             str(tmp_path / "out.jsonl"), "--workers", "2", "--chunksize", "1", "--no-progress"],
                            cwd=ROOT, env=env_with(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [c for c in parent.children(recursive=True) if "spawn_main" in " ".join(c.cmdline())]
        time.sleep(0.2)
    assert len(workers) >= 2, "the workers did not start"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    gone, alive = psutil.wait_procs(workers, timeout=20)
    for p in alive:
        p.kill()
    assert not alive, f"workers still running after the parent was killed: {[p.pid for p in alive]}"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_formats_written_from_a_journal_with_a_damaged_line(tmp_path, fmt):
    posts = make_posts(tmp_path / "in", 4)
    out = tmp_path / f"out.{fmt}"
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 0
    journal = tmp_path / "out.journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = b'{"path": "torn in the mid\n'
    journal.write_bytes(b"".join(lines))
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 0
    records = [json.loads(line) for line in journal.read_bytes().splitlines()]
    assert sorted(r["path"] for r in records) == sorted(map(str, posts)), "only the lost post redone"
    assert (tmp_path / "out.journal.jsonl.corrupt").exists()


def test_transformers_runtime_is_offline_unless_told_otherwise():
    code = "import os, service.transformers_runtime; print(os.environ.get('HF_HUB_OFFLINE'))"
    env = env_with()
    env.pop("HF_HUB_OFFLINE", None)
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True).stdout.strip() == "1"
    env["HF_HUB_OFFLINE"] = "0"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True).stdout.strip() == "0"
