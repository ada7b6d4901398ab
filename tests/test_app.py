"""The web app through its API: `gradio_client` against `python -m service.app` started here on a free
loopback port, inside a guard that records (and refuses) any connection that leaves 127.0.0.1."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "service" / "examples").glob("*.md"))
MAX_INPUT = 20000

# Run the app with socket.connect patched: anything but loopback is logged and refused.
GUARD = r"""
import socket, sys, runpy
log = sys.argv.pop(1)
_connect = socket.socket.connect
def connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost") or self.family == socket.AF_UNIX):
        with open(log, "a") as fh:
            fh.write(f"{host}\n")
        raise OSError(f"network guard: {host} refused")
    return _connect(self, address)
socket.socket.connect = connect
sys.argv[0] = "service.app"
runpy.run_module("service.app", run_name="__main__", alter_sys=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(tmp: Path, extra_env: dict | None = None) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = tmp / "outbound.log"
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", ZHNEWS_MAX_INPUT_CHARS=str(MAX_INPUT),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               GRADIO_TEMP_DIR=str(tmp / "gradio"), **(extra_env or {}))
    env.pop("ZHNEWS_SUMMARIZER_MODEL", None)
    proc = subprocess.Popen([sys.executable, "-c", GUARD, str(log), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited: {proc.stdout.read().decode(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "config", timeout=2) as response:
                if response.status == 200:
                    return proc, url, log
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("app did not start in 120 s")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("app")
    proc, url, log = start_app(tmp)
    yield url, log
    stop_app(proc)
    assert not log.exists() or not log.read_text().strip(), f"outbound connections: {log.read_text()}"


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app[0], verbose=False, download_files=str(app[1].parent / "downloads"))


def test_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/analyze" in endpoints and "/analyze_files" in endpoints
    params = endpoints["/analyze"]["parameters"]
    assert params[0]["parameter_name"] == "text"
    assert all(p["parameter_has_default"] for p in params[1:])


def test_analyze_text_only(client):
    text = next(p for p in EXAMPLES if "industrial" in p.name).read_text(encoding="utf-8")
    summary, article, sections, figures, record = client.predict(text, api_name="/analyze")
    assert summary.strip()
    assert record["summary"]["text"] and record["title"].startswith("滨江产业园")
    assert record["sections"] and all(s["tags"] for s in record["sections"])
    tag_names = {t["name"] for s in record["sections"] for t in s["tags"]}
    assert any(name in article for name in tag_names)
    assert "<mark" in article
    tags_column = sections["headers"].index("tags (score)")
    assert any(any(name in row[tags_column] for name in tag_names) for row in sections["data"])
    assert figures["headers"] == ["indicator", "value", "unit", "change", "period", "kind", "sentence"]
    assert any("486" in row for row in figures["data"])


def test_analyze_with_length_and_engine(client):
    text = next(p for p in EXAMPLES if "school" in p.name).read_text(encoding="utf-8")
    short = client.predict(text, 40, "embedded", api_name="/analyze")[4]
    long = client.predict(text, 400, "embedded", api_name="/analyze")[4]
    assert len(short["summary"]["text"]) <= len(long["summary"]["text"])


def test_oversized_and_empty_input_are_refused(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="too large"):
        client.predict("新闻。" * (MAX_INPUT // 3 + 10), api_name="/analyze")
    with pytest.raises(AppError, match="Paste an article"):
        client.predict("   ", api_name="/analyze")


def test_unconfigured_transformers_engine_is_refused(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="not available.*ZHNEWS_SUMMARIZER_MODEL"):
        client.predict("今天全市气温超过三十五度。气象台发布高温预警。", 150, "transformers", api_name="/analyze")


def test_article_markup_is_escaped(client):
    text = ("市图书馆今天开放新馆，藏书超过一百万册。"
            "<script>window.__xss = 1</script>&lt;img src=x onerror=alert(1)&gt;"
            "馆方表示，市民可以免费办理借阅证，新馆每天开放十二个小时。")
    article = client.predict(text, api_name="/analyze")[1]
    assert "<script" not in article.lower() and "<img" not in article.lower()


def test_analyze_files_per_file_results_and_downloads(client, tmp_path):
    from gradio_client import handle_file

    good = tmp_path / "heat.md"
    good.write_text(next(p for p in EXAMPLES if "heat" in p.name).read_text(encoding="utf-8"), encoding="utf-8")
    html_post = tmp_path / "school.html"
    html_post.write_text("<html><body><h1>山区学校的流动图书馆</h1><p>一辆图书车每周往返于十二所村小之间。"
                         "学生每两周就能换一批新书。</p><p>县教育局计划今年再增加两辆图书车。</p></body></html>",
                         encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    rows, downloads = client.predict([handle_file(str(good)), handle_file(str(html_post)), handle_file(str(empty))],
                                     api_name="/analyze_files")
    status = {row[0]: row[1] for row in rows["data"]}
    assert status["heat.md"] == "ok" and status["school.html"] == "ok"
    assert status["empty.txt"].startswith("error")
    names = sorted(Path(d).name for d in downloads)
    assert names == ["analysis.csv", "analysis.jsonl"]
    jsonl = next(Path(d) for d in downloads if d.endswith(".jsonl"))
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["path"] for r in records) == ["heat.md", "school.html"]
    assert all(r["summary"]["text"] and r["sections"][0]["tags"] for r in records)


def test_text_that_names_a_server_file_is_analyzed_as_text(client):
    # the article box is text: a path pasted there must never be opened on the server
    for probe in ("/etc/passwd", "../../../../etc/passwd", str(ROOT / "service" / "config.py"), "/no/such/file"):
        summary, article, sections, figures, record = client.predict(probe, api_name="/analyze")
        assert record["path"] is None and record["encoding"] is None
        assert record["chars"] == len(probe.strip())
        assert "root:" not in summary and "import" not in summary


def test_oversized_request_body_is_refused_before_reading(app):
    body = b"{" + b" " * (7 * MAX_INPUT + 128 * 1024) + b"}"
    request = urllib.request.Request(app[0] + "gradio_api/queue/join", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=30)
    assert err.value.code == 413 and b"too large" in err.value.read()


def test_one_bad_file_keeps_the_other_rows(client, tmp_path):
    from gradio_client import handle_file

    good = tmp_path / "school.md"
    good.write_text(next(p for p in EXAMPLES if "school" in p.name).read_text(encoding="utf-8"), encoding="utf-8")
    bomb = tmp_path / "bomb.md"
    bomb.write_text("---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi"))
        + "---\n正文一句。\n", encoding="utf-8")
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 8)
    rows, downloads = client.predict([handle_file(str(bomb)), handle_file(str(good)), handle_file(str(binary))],
                                     api_name="/analyze_files")
    status = {row[0]: row[1] for row in rows["data"]}
    assert status["school.md"] == "ok"
    assert "front matter refused" in status["bomb.md"] and "binary" in status["image.md"]


def test_transformers_engine_offered_only_when_configured(monkeypatch):
    from service.app import engine_choices

    monkeypatch.delenv("ZHNEWS_SUMMARIZER_MODEL", raising=False)
    choices, note = engine_choices()
    assert choices == ["embedded"] and "ZHNEWS_SUMMARIZER_MODEL" in note
    monkeypatch.setenv("ZHNEWS_SUMMARIZER_MODEL", "/models/some-local-model")
    assert engine_choices()[0] == ["embedded", "transformers"]


def test_downloads_share_one_folder_that_is_pruned(monkeypatch, tmp_path):
    import service.app as app_module

    monkeypatch.setattr(app_module, "_DOWNLOADS", None)
    monkeypatch.setattr(app_module.tempfile, "tempdir", str(tmp_path))
    first = Path(app_module._downloads_dir())
    old = os.stat(first).st_mtime - app_module.DOWNLOADS_TTL_S - 5
    os.utime(first, (old, old))
    second = Path(app_module._downloads_dir())
    assert first.parent == second.parent and not first.exists() and second.exists()
    assert [p.name for p in tmp_path.iterdir()] == [second.parent.name]
