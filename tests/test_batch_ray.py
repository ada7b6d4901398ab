"""The batch on Ray Data (`--backend ray`) on a local Ray: the same records as the default backend,
folder output as committed shards, a driver killed with kill -9 and resumed, and a worker killed by
the post it was analyzing. Posts are generated from the project's own examples."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from service.batch_shards import MANIFEST, ShardedOutput, shard_paths
from tests.test_batch import ROOT, make_posts, read_jsonl
from tests.test_batch_hostile import KILLER, env_with, posts_and_a_hook

pytest.importorskip("ray")
pytestmark = pytest.mark.timeout(900)


def batch(*args: str, env=None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.batch", *args, "--no-progress"], cwd=ROOT,
                          env=env or env_with(), capture_output=True, text=True, timeout=timeout)


def records(lines_of: list[dict]) -> dict[str, dict]:
    out = {}
    for record in lines_of:
        record.pop("timings_ms", None)
        assert record["path"] not in out, f"written twice: {record['path']}"
        out[record["path"]] = record
    return out


def shard_records(folder: Path) -> list[dict]:
    return [r for shard in shard_paths(str(folder)) for r in read_jsonl(Path(shard))]


def test_ray_backend_writes_the_same_records_as_the_default_one(tmp_path):
    posts = make_posts(tmp_path / "in", 12)
    (tmp_path / "in" / "empty.md").write_text("---\ntitle: 空\n---\n", encoding="utf-8")
    local = batch(str(tmp_path / "in"), "-o", str(tmp_path / "local.jsonl"))
    ray_file = batch(str(tmp_path / "in"), "-o", str(tmp_path / "ray.jsonl"), "--backend", "ray",
                     "--workers", "2", "--chunksize", "3")
    ray_folder = batch(str(tmp_path / "in"), "-o", str(tmp_path / "shards") + "/", "--backend", "ray",
                       "--workers", "1")
    for done in (local, ray_file, ray_folder):
        assert done.returncode == 1, done.stderr[-3000:]          # the empty post failed
    expected = records(read_jsonl(tmp_path / "local.jsonl"))
    assert len(expected) == len(posts)
    assert records(read_jsonl(tmp_path / "ray.jsonl")) == expected
    assert records(shard_records(tmp_path / "shards")) == expected
    for errors in (tmp_path / "ray.errors.jsonl", tmp_path / "shards" / "errors.jsonl"):
        assert [(e["path"], e["kind"]) for e in read_jsonl(errors)] == [
            (str(tmp_path / "in" / "empty.md"), "ReadError")]
    assert "Ray started in" in ray_file.stdout
    assert not (tmp_path / "ray.jsonl.ray-work").exists() and not (tmp_path / "shards" / "_pending").exists()


def test_folder_output_refuses_a_file_format(tmp_path):
    make_posts(tmp_path / "in", 1)
    done = batch(str(tmp_path / "in"), "-o", str(tmp_path / "out") + "/", "--format", "csv")
    assert done.returncode == 2 and "is a folder, which holds JSONL shards" in done.stderr


def test_driver_killed_mid_run_then_resumed_writes_every_post_once(tmp_path):
    posts = make_posts(tmp_path / "in", 240)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "service.batch", str(tmp_path / "in"), "-o", str(out) + "/", "--backend", "ray",
           "--workers", "2", "--chunksize", "2", "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env_with(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:     # kill once a shard is committed
        if (out / MANIFEST).exists() and (out / MANIFEST).stat().st_size:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the batch ended before it could be killed"
    actors = [p for p in psutil.process_iter(["cmdline"]) if _is_actor(p, proc.pid)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    gone, alive = psutil.wait_procs(actors, timeout=30)     # the local Ray shares the driver's fate
    for p in alive:
        p.kill()
    assert actors and not alive, f"Ray actors still running after the driver was killed: {alive}"
    committed = len(shard_records(out))
    assert 0 < committed < len(posts)
    done = batch(str(tmp_path / "in"), "-o", str(out) + "/", "--backend", "ray", "--workers", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    written = Counter(r["path"] for r in shard_records(out))
    assert sorted(written) == sorted(map(str, posts)) and set(written.values()) == {1}
    named = {Path(p).name for p in shard_paths(str(out))}
    assert {p.name for p in out.glob("part-*")} == named            # nothing uncommitted left behind
    assert f"{committed} skipped" in done.stdout


def _is_actor(process, driver_pid: int) -> bool:
    """A Ray actor of the batch whose driver is `driver_pid` (the local Ray runs under the driver)."""
    try:
        return (" ".join(process.info["cmdline"] or []).startswith("ray::MapWorker")
                and any(parent.pid == driver_pid for parent in process.parents()))
    except psutil.Error:
        return False


def test_a_post_that_kills_its_worker_is_recorded_and_the_rest_written(tmp_path):
    posts, killer, env = posts_and_a_hook(tmp_path, KILLER, "crash-me.md", 6)
    done = batch(str(tmp_path / "in"), "-o", str(tmp_path / "out.jsonl"), "--backend", "ray", "--workers", "2",
                 "--chunksize", "3", env=env)
    assert done.returncode == 1, done.stderr[-3000:]
    assert sorted(records(read_jsonl(tmp_path / "out.jsonl"))) == sorted(map(str, posts))
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [(e["path"], e["kind"]) for e in errors] == [(str(killer), "WorkerDied")]


def test_shards_a_rerun_trusts_only_the_manifest(tmp_path):
    folder = tmp_path / "out"
    shards = ShardedOutput(str(folder), shard_posts=2)
    assert shards.open() == set()
    for key in range(5):
        shards.append(json.dumps({"path": f"p{key}"}), key)
    shards.close()                                               # shards of 2, 2 and 1 posts
    (folder / "part-000009.jsonl").write_text('{"path": "never committed"}\n', encoding="utf-8")
    (folder / ".part-000010.jsonl.tmp").write_text('{"path": "torn', encoding="utf-8")
    with open(folder / MANIFEST, "ab") as fh:
        fh.write(b'{"shard": "part-000009.jsonl", "po')             # a kill mid-append
    again = ShardedOutput(str(folder))
    assert again.open() == set(range(5)) and again.count == 5
    again.close()
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "part-000000.jsonl", "part-000001.jsonl",
                                                         "part-000002.jsonl"]
    assert [r["path"] for s in shard_paths(str(folder)) for r in read_jsonl(Path(s))] == [f"p{k}" for k in range(5)]


ONCE = '''
import os, signal
import service.pipeline as pipeline
_analyze = pipeline.analyze
def analyze(source, *args, **kwargs):
    marker = str(source) + ".killed-once"
    if "crash-once" in str(source) and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)     # a kill from outside, not the post's fault
    return _analyze(source, *args, **kwargs)
pipeline.analyze = analyze
'''


def test_a_worker_killed_once_is_restarted_and_its_posts_retried(tmp_path):
    posts, victim, env = posts_and_a_hook(tmp_path, ONCE, "crash-once.md", 6)
    done = batch(str(tmp_path / "in"), "-o", str(tmp_path / "out.jsonl"), "--backend", "ray", "--workers", "2",
                 "--chunksize", "3", "--glob", "*.md", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "in" / "crash-once.md.killed-once").exists(), "the worker was not killed"
    assert sorted(records(read_jsonl(tmp_path / "out.jsonl"))) == sorted(map(str, posts + [victim]))
    assert not read_jsonl(tmp_path / "out.errors.jsonl")


def test_an_unreachable_cluster_is_one_clear_error(tmp_path):
    make_posts(tmp_path / "in", 1)
    done = batch(str(tmp_path / "in"), "-o", str(tmp_path / "out.jsonl"), "--backend", "ray",
                 "--ray-address", "127.0.0.1:1", timeout=60)
    assert done.returncode == 2 and "cannot reach the Ray cluster at 127.0.0.1:1" in done.stderr
