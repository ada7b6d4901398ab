"""Regenerate the README's picture of the web app: start `python -m service.app`, paste the first
bundled example, click Analyze, and save the page to docs/figures/web-app.png.

    .venv/bin/python scripts/screenshot_app.py [--out docs/figures/web-app.png]

Needs Debian's chromium (/usr/bin/chromium), a CJK font (Debian fonts-noto-cjk, which scripts/test.sh installs as root) and the
playwright package (in requirements.txt).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.web_latency import free_port, start  # noqa: E402  (the benchmark's way to start the app)

CHROMIUM = "/usr/bin/chromium"
EXAMPLE = ROOT / "service" / "examples" / "2024-03-18-riverside-industrial-park.md"


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
