"""Web latency: `/analyze` p50/p95 under 8 concurrent gradio_client clients on loopback.

    .venv/bin/python benchmarks/web_latency.py [--clients 8] [--requests 64] [--port 0]

Starts `python -m service.app` on a free 127.0.0.1 port (models warmed before serving), then each
client thread sends its share of the requests back to back. The articles are the project's example
posts plus, when ../shared is present, the shared seed/finews posts (read at run time, never stored).
Latency is measured per request from the client side (queue wait included). Printed, not asserted.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def articles() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "service" / "examples").glob("*.md"))]
    shared = ROOT.parent / "shared"
    for folder in (shared / "seed", shared / "data" / "finews" / "_posts"):
        if folder.is_dir():
            texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
    return texts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int) -> subprocess.Popen:
    """`python -m service.app` on the port, returned once it answers (also scripts/screenshot_app.py)."""
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, "-m", "service.app", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the app exited")
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the app did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=64, help="total requests")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    from gradio_client import Client

    port = args.port or free_port()
    texts = articles()
    proc = start(port)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    try:
        url = f"http://127.0.0.1:{port}/"
        clients = [Client(url, verbose=False) for _ in range(args.clients)]
        clients[0].predict(texts[0], api_name="/analyze")           # one warm request, not counted

        def worker(index: int) -> None:
            for i in range(index, args.requests, args.clients):
                t0 = time.perf_counter()
                try:
                    clients[index].predict(texts[i % len(texts)], api_name="/analyze")
                    with lock:
                        latencies.append(time.perf_counter() - t0)
                except Exception as exc:  # noqa: BLE001
                    with lock:
                        errors.append(repr(exc))

        start_all = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start_all
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if not latencies:
        print(f"no successful requests; errors: {errors[:3]}")
        return 1
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"/analyze on 127.0.0.1, {args.clients} concurrent clients, {len(latencies)} requests "
          f"({len(texts)} distinct articles), cores {len(os.sched_getaffinity(0))}")
    print(f"latency p50 {q[49] * 1000:.0f} ms  p95 {q[94] * 1000:.0f} ms  max {max(latencies) * 1000:.0f} ms  "
          f"throughput {len(latencies) / wall:.1f} req/s  errors {len(errors)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
