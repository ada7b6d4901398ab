"""python -m service.batch: formats, bad posts, stdin, --glob, front-matter copies, and a real
kill -9 / resume run. Every post here is generated from the project's own example posts."""
from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from service import batch
from service.batch_io import Journal, with_front_matter

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "service" / "examples").glob("*.md"))


def make_posts(folder: Path, n: int, ext: str = ".md") -> list[Path]:
    """n distinct posts (titles and one sentence vary) in nested folders."""
    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    paths = []
    for i in range(n):
        text = texts[i % len(texts)]
        lines = text.split("\n")
        lines = [f"title: 示例帖子第{i}号" if line.startswith("title:") else line for line in lines]
        body = "\n".join(lines) + f"\n\n本文为第{i}篇测试稿件，共收到读者来信{i + 3}封。\n"
        path = folder / f"group{i % 3}" / f"post-{i:03d}{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths


def make_bad_posts(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bad = {
        "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        "undecodable": ("这是一篇新闻。".encode("gbk") + b"\x80\xff\xfe\x80" * 40),
        "broken_yaml": "---\ntitle: [没有闭合\ndate: 2024-01-01\n---\n正文第一句。正文第二句。\n".encode("utf-8"),
        "empty": b"",
    }
    paths = {}
    for name, data in bad.items():
        path = folder / f"{name}.md"
        path.write_bytes(data)
        paths[name] = path
    return paths


def read_jsonl(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert not raw or raw.endswith(b"\n"), "no torn last line"
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]


def test_folder_to_jsonl_with_bad_posts(tmp_path, capsys):
    posts = make_posts(tmp_path / "in", 6)
    bad = make_bad_posts(tmp_path / "in" / "bad")
    out = tmp_path / "out.jsonl"
    status = batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"])
    assert status == 1, "some posts failed"
    records = read_jsonl(out)
    assert sorted(r["path"] for r in records) == sorted(str(p) for p in posts)
    for r in records:
        assert r["title"].startswith("示例帖子") and r["summary"]["text"]
        assert r["sections"] and all("heading" in s and s["tags"] for s in r["sections"])
        assert "key_figures" in r and "date" in r
    errors = {Path(e["path"]).stem: e for e in read_jsonl(tmp_path / "out.errors.jsonl")}
    assert set(errors) == set(bad)
    assert all(e["error"] and e["kind"] == "ReadError" for e in errors.values())
    assert "binary" in errors["binary"]["error"]
    assert "decode" in errors["undecodable"]["error"]
    final = capsys.readouterr().out.strip().splitlines()[-1]
    assert final.startswith("done: 6 ok, 4 failed, 0 skipped") and "out.errors.jsonl" in final

    # the same command again does nothing, and says so
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("done: 0 ok, 0 failed, 10 skipped")
    assert len(read_jsonl(out)) == 6 and len(read_jsonl(tmp_path / "out.errors.jsonl")) == 4


def test_all_good_exits_zero_and_torn_line_is_repaired(tmp_path, capsys):
    posts = make_posts(tmp_path / "in", 4)
    out = tmp_path / "out.jsonl"
    assert batch.main([str(posts[0]), str(posts[1]), "-o", str(out), "--no-progress"]) == 0
    with open(out, "ab") as fh:        # what a kill in the middle of a write leaves behind
        fh.write(b'{"path": "' + str(posts[2]).encode() + b'", "title": "torn')
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 0
    records = read_jsonl(out)
    assert sorted(r["path"] for r in records) == sorted(map(str, posts))
    assert "2 ok, 0 failed, 2 skipped" in capsys.readouterr().out.strip().splitlines()[-1]


def test_folder_output_is_shards_named_in_a_manifest(tmp_path, capsys):
    from service.batch_shards import shard_paths

    posts = make_posts(tmp_path / "in", 5)
    out = tmp_path / "out"
    assert batch.main([str(posts[0]), str(posts[1]), "-o", str(out) + "/", "--no-progress"]) == 0
    assert batch.main([str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 0   # an existing folder
    assert "3 ok, 0 failed, 2 skipped" in capsys.readouterr().out.strip().splitlines()[-1]
    shards = shard_paths(str(out))
    assert [Path(s).name for s in shards] == ["part-000000.jsonl", "part-000001.jsonl"]
    written = [r["path"] for s in shards for r in read_jsonl(Path(s))]
    assert sorted(written) == sorted(map(str, posts))
    assert (out / "errors.jsonl").exists() and (tmp_path / ".out.lock").exists()   # the lock sits beside OUT


def test_journal_cuts_a_torn_tail(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_bytes(b'{"path": "a"}\n{"path": "b"}\n{"path": "c", "summ')
    journal = Journal(str(path))
    done = journal.open()
    journal.close()
    assert len(done) == 2 and path.read_bytes() == b'{"path": "a"}\n{"path": "b"}\n'


def test_journal_keeps_good_records_around_a_damaged_line(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_bytes(b'{"path": "a"}\n{"path": "b"}\nnot json at all\n{"path": "c"}\n')
    log = io.StringIO()
    journal = Journal(str(path), log=log)
    done = journal.open()
    journal.close()
    assert len(done) == 3
    assert path.read_bytes() == b'{"path": "a"}\n{"path": "b"}\n{"path": "c"}\n'
    assert (tmp_path / "j.jsonl.corrupt").read_bytes() == b"not json at all\n"
    assert "line 3" in log.getvalue() and "3 good records kept" in log.getvalue()


def test_stdin_list_and_glob(tmp_path, monkeypatch, capsys):
    md = make_posts(tmp_path / "in", 3)
    txt = make_posts(tmp_path / "txt", 2, ext=".txt")
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(map(str, md[:2])) + "\n\n"))
    out = tmp_path / "stdin.jsonl"
    assert batch.main(["-", "-o", str(out), "--no-progress"]) == 0
    assert sorted(r["path"] for r in read_jsonl(out)) == sorted(map(str, md[:2]))

    out2 = tmp_path / "glob.jsonl"
    assert batch.main([str(tmp_path), "--glob", "*.txt", "-o", str(out2), "--no-progress"]) == 0
    assert sorted(r["path"] for r in read_jsonl(out2)) == sorted(map(str, txt))


def test_csv_and_parquet(tmp_path):
    import csv

    import pyarrow.parquet as pq

    posts = make_posts(tmp_path / "in", 3)
    make_bad_posts(tmp_path / "in" / "bad")
    out_csv = tmp_path / "out.csv"
    assert batch.main([str(tmp_path / "in"), "-o", str(out_csv), "--no-progress"]) == 1
    with open(out_csv, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["path"] for r in rows) == sorted(map(str, posts))
    assert all(r["summary"] and r["section_tags"] and r["title"] for r in rows)
    assert (tmp_path / "out.journal.jsonl").exists() and (tmp_path / "out.errors.jsonl").exists()

    out_pq = tmp_path / "out.parquet"
    assert batch.main([str(tmp_path / "in"), "-o", str(out_pq), "--no-progress"]) == 1
    table = pq.read_table(out_pq).to_pylist()
    assert sorted(r["path"] for r in table) == sorted(map(str, posts))
    sections = json.loads(table[0]["sections"])
    assert sections and "heading" in sections[0] and sections[0]["tags"]


def test_front_matter_copies_leave_originals_untouched(tmp_path):
    posts = make_posts(tmp_path / "in", 3)
    plain = tmp_path / "in" / "plain.txt"
    plain.write_text("市区新建的三座公园今天全部开放。公园内设有步道和儿童游乐区。\n", encoding="utf-8")
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in posts + [plain]}
    copies = tmp_path / "copies"
    assert batch.main([str(tmp_path / "in"), "-o", str(tmp_path / "o.jsonl"), "--copy-to", str(copies),
                       "--no-progress"]) == 0
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before} == before
    for record in read_jsonl(tmp_path / "o.jsonl"):
        copy = Path(record["copy"])
        assert copy.is_relative_to(copies)
        text = copy.read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---\n")[1])
        assert front["summary"] == record["summary"]["text"]
        assert set(t["name"] for t in record["topics"]) <= set(front["tags"])
        original = Path(record["path"]).read_text(encoding="utf-8")
        if original.startswith("---"):
            assert front["title"].startswith("示例帖子")
            assert text.split("---\n", 2)[2].strip() == original.split("---\n", 2)[2].strip()
    assert (copies / "plain.txt").exists() and (copies / "group0" / "post-000.md").exists()


def test_with_front_matter_replaces_summary_and_merges_tags():
    text = "---\ntitle: 标题\nsummary: 旧摘要\ntags:\n  - 旧标签\n  - 经济\ndate: 2024-01-02\n---\n正文。\n"
    out = with_front_matter(text, "新摘要：包含冒号", ["经济", "科技"])
    front = yaml.safe_load(out.split("---\n")[1])
    assert front == {"title": "标题", "date": front["date"], "summary": "新摘要：包含冒号",
                     "tags": ["旧标签", "经济", "科技"]}
    assert out.endswith("---\n正文。\n")


def test_kill_minus_nine_then_resume(tmp_path):
    """SIGKILL the CLI (2 workers) mid-run, run the same command again: every post exactly once."""
    posts = make_posts(tmp_path / "in", 40)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "service.batch", str(tmp_path / "in"), "-o", str(out), "--workers", "2",
           "--chunksize", "1", "--no-progress"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= 8:
                break
            time.sleep(0.01)
        assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()[-2000:]!r}"
        os.killpg(proc.pid, signal.SIGKILL)       # the CLI and its workers: a group this test started
    finally:
        proc.wait(timeout=30)
    written = out.read_bytes().count(b"\n")
    assert 8 <= written < 40

    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    records = read_jsonl(out)
    paths = [r["path"] for r in records]
    assert sorted(paths) == sorted(map(str, posts)), "every post exactly once"
    assert all(r["summary"]["text"] for r in records)
    final = done.stdout.strip().splitlines()[-1]
    assert f"skipped (already done)" in final and "job total 40 ok, 0 failed" in final
