"""Regenerate the README's picture of the web app: start `python -m service.app`, paste the first
bundled example, click Analyze, and save the page to docs/figures/web-app.png.

    .venv/bin/python scripts/screenshot_app.py [--out docs/figures/web-app.png]

Needs Debian's chromium (/usr/bin/chromium), a CJK font (apt-get install fonts-wqy-microhei) and the
playwright package (in requirements.txt).
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
EXAMPLE = ROOT / "service" / "examples" / "2024-03-18-riverside-industrial-park.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int) -> subprocess.Popen:
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    env.pop("ZHNEWS_SUMMARIZER_MODEL", None)
    proc = subprocess.Popen([sys.executable, "-m", "service.app", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the app did not start in 120 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "figures" / "web-app.png"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start(port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--lang=zh-CN"])
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            page.wait_for_selector("#analyze-button", timeout=60_000)
            page.locator("#article-input textarea").fill(EXAMPLE.read_text(encoding="utf-8"))
            page.locator("#analyze-button").click()
            page.wait_for_selector("#article-html mark", timeout=90_000)
            page.wait_for_selector("#sections-table", timeout=30_000)
            page.wait_for_timeout(800)
            # the results, from the summary down: the input above them is what the user pasted
            top = page.locator("#summary-output").bounding_box()["y"] - 8
            height = page.evaluate("() => document.documentElement.scrollHeight")
            page.screenshot(path=args.out, full_page=True,
                            clip={"x": 0, "y": top, "width": 1280, "height": min(1100, height - top)})
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
