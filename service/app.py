"""Web app: `python -m service.app [--host 127.0.0.1] [--port 7860]` (Gradio Blocks).

Paste an article or upload posts; see the summary, the article with the summary sentences
highlighted, the sections with their tags, and the key figures. Named API endpoints for
`gradio_client`:

    /analyze(text, max_chars=None, engine=None) -> (summary, article_html, sections, key_figures, analysis)
    /analyze_files(files, max_chars=None, engine=None) -> (results table, [JSONL, CSV] downloads)

(None: the configured defaults, ZHNEWS_SUMMARY_MAX_CHARS and ZHNEWS_SUMMARIZER.)

Runs offline: analytics are off, fonts are served locally, no model is downloaded.
"""
from __future__ import annotations

import argparse
import atexit
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from service.app_render import (CSS, FIGURE_COLUMNS, FIGURE_WIDTHS, SECTION_COLUMNS, SECTION_WIDTHS, figures_table,  # noqa: E402
                                render_article, sections_table)
from service.config import settings  # noqa: E402

EXAMPLES_DIR = Path(__file__).parent / "examples"
CONCURRENCY = 2          # analyses at once (the encoder serialises its calls; more only adds memory)
QUEUE_SIZE = 64          # waiting requests beyond this are refused with "queue full"
MAX_FILES = 20
RESULT_COLUMNS = ["file", "status", "title", "summary", "topics"]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024     # per file (Gradio's max_file_size)
# Downloads are kept this long (Gradio copies them into its own cache when it serves them).
DOWNLOADS_TTL_S = 600


class BodyLimit:
    """ASGI middleware: refuse a request body over the limit before it is read into memory.
    A declared Content-Length over the limit is answered 413 at once; a body that streams past the
    limit is cut off and answered 413 as well, so memory stays bounded either way. Uploads (which
    Gradio streams to disk) get `upload_bytes`; every other request `max_bytes`."""

    def __init__(self, app, max_bytes: int, upload_bytes: int):
        self.app, self.default_bytes, self.upload_bytes = app, max_bytes, upload_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.upload_bytes if scope.get("path", "").endswith("/upload") else self.default_bytes
        for name, value in scope.get("headers") or []:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                return await _refuse(send, limit)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _BodyTooLarge:
            if not started:
                await _refuse(send, limit)


async def _refuse(send, limit: int) -> None:
    body = f"request body too large: the limit is {limit:,} bytes".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


def body_limits() -> dict:
    """The largest request bodies the server reads: a paste at the input limit (6 bytes a character
    covers `\\uXXXX` JSON escapes of Chinese text), and a full batch of uploads; room for the envelope."""
    return {"max_bytes": 6 * settings().max_input_chars + 64 * 1024,
            "upload_bytes": MAX_FILES * MAX_UPLOAD_BYTES + 64 * 1024}


_DOWNLOADS: str | None = None


def _downloads_dir() -> str:
    """A new folder for one call's downloads, inside one folder per process that is removed at
    exit; folders older than DOWNLOADS_TTL_S are pruned on each call, so a server does not fill /tmp."""
    global _DOWNLOADS
    if _DOWNLOADS is None or not os.path.isdir(_DOWNLOADS):
        _DOWNLOADS = tempfile.mkdtemp(prefix="zhnews-app-")
        atexit.register(shutil.rmtree, _DOWNLOADS, ignore_errors=True)
    cutoff = time.time() - DOWNLOADS_TTL_S
    for entry in os.scandir(_DOWNLOADS):
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass
    return tempfile.mkdtemp(dir=_DOWNLOADS)


def refused(message: str) -> gr.Error:
    """A request the app cannot serve, said once to the user: no traceback in the server's log (it is
    the input, not the server, that is wrong)."""
    return gr.Error(message, title="Cannot analyze", print_exception=False)


def engine_choices() -> tuple[list[str], str]:
    """(summarizer engines offered, a note on those that are not): from the engine registry."""
    from service.summarization import available_engines

    engines = available_engines()
    offered = [name for name, why in engines.items() if why is None]
    notes = [f"The `{name}` engine is off: {why}." for name, why in engines.items() if why is not None]
    model = settings().summarizer_model
    if model and "transformers" in offered:
        notes.insert(0, f"`transformers` uses the configured model `{model}`.")
    return offered, " ".join(notes)


def _default_engine() -> str:
    choices, _ = engine_choices()
    wanted = settings().summarizer
    return wanted if wanted in choices else "embedded"


def _run(text_or_path, max_chars, engine, path=None) -> dict:
    from service.document import ReadError
    from service.options import OptionError
    from service.pipeline import InputTooLarge, analyze

    choices, note = engine_choices()
    engine = engine or _default_engine()
    if engine not in choices:
        raise refused(f"Engine {engine!r} is not available. {note}")
    try:
        result = analyze(text_or_path, max_chars=None if max_chars in (None, "") else max_chars,
                         summarizer=engine, path=path)
    except (InputTooLarge, OptionError) as exc:
        raise refused(str(exc)) from None
    except ReadError as exc:
        raise refused(f"Cannot read this post: {exc.problem}") from None
    record = result.to_dict(include_text=True)
    if path:
        record["path"] = path
    return record


def analyze_text(text: str, max_chars: float | None = None, engine: str | None = None):
    """Analyze one article given as text (Markdown/HTML with optional front matter)."""
    text = text or ""
    limit = settings().max_input_chars
    if len(text) > limit:
        raise refused(f"Input too large: {len(text):,} characters; the limit is {limit:,} "
                       f"(ZHNEWS_MAX_INPUT_CHARS).")
    if not text.strip():
        raise refused("Paste an article first (or pick an example).")
    record = _run(text, max_chars, engine)
    summary = record["summary"]["text"]
    if record["summary"]["notes"]:
        summary += "\n\n" + "\n".join(f"※ {n}" for n in record["summary"]["notes"])
    article = render_article(record)
    api_record = {k: v for k, v in record.items() if k != "text"}
    api_record["sections"] = [{k: v for k, v in s.items() if k != "text"} for s in record["sections"]]
    return summary, article, sections_table(record), figures_table(record), api_record


def analyze_files(files, max_chars: float | None = None, engine: str | None = None):
    """Analyze uploaded posts: one row per file, plus the results as JSONL and CSV downloads."""
    from service.batch_io import dumps, write_csv

    files = files or []
    if not files:
        raise refused("Upload one or more .md, .txt or .html posts.")
    if len(files) > MAX_FILES:
        raise refused(f"Too many files: {len(files)}; upload at most {MAX_FILES} at a time "
                       f"(use `python -m service.batch` for more).")
    rows, records = [], []
    for item in files:
        filename = item if isinstance(item, str) else getattr(item, "name", str(item))
        name = os.path.basename(filename)
        try:
            record = _run(Path(filename), max_chars, engine, path=name)
        except gr.Error as exc:
            rows.append([name, f"error: {exc.message}", "", "", ""])
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must not lose the other files' rows
            rows.append([name, f"error: {type(exc).__name__}: {exc}", "", "", ""])
            continue
        record.pop("text", None)
        for section in record["sections"]:
            section.pop("text", None)
        records.append(record)
        rows.append([name, "ok", record.get("title") or "", record["summary"]["text"],
                     ", ".join(t["name"] for t in record.get("topics") or [])])
    stem = os.path.join(_downloads_dir(), "analysis")
    jsonl = stem + ".jsonl"
    with open(jsonl, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(dumps(record) + "\n")
    csv_path = stem + ".csv"
    write_csv(records, csv_path)
    return rows, [jsonl, csv_path]


def _example_rows() -> list[list[str]]:
    return [[p.read_text(encoding="utf-8")] for p in sorted(EXAMPLES_DIR.glob("*.md"))]


def build_app() -> gr.Blocks:
    choices, note = engine_choices()
    default_chars = settings().summary_max_chars
    examples = sorted(EXAMPLES_DIR.glob("*.md"))
    with gr.Blocks(title="中文新闻摘要与分类 · Chinese news summarizer", analytics_enabled=False) as demo:
        gr.Markdown("## 中文新闻摘要与分类 · Chinese news: summary, sections, tags, key figures")
        with gr.Row():
            max_chars = gr.Slider(40, 600, value=default_chars, step=10, label="Summary length (characters)")
            # custom values reach analyze_text, which refuses an unavailable engine with the reason
            engine = gr.Dropdown(choices, value=_default_engine(), label="Summarizer engine", info=note or None,
                                 allow_custom_value=True, elem_id="engine")
        with gr.Tabs():
            with gr.Tab("Paste text"):
                # the outputs are made first so that the examples (above the fold) can fill them
                summary = gr.Textbox(label="Summary", lines=4, interactive=False, elem_id="summary-output",
                                     buttons=["copy"], render=False)
                article = gr.HTML(label="Article, summary sentences highlighted", elem_id="article-html",
                                  render=False)
                sections = gr.Dataframe(headers=SECTION_COLUMNS, label="Sections and tags", interactive=False,
                                        wrap=True, elem_id="sections-table", column_widths=SECTION_WIDTHS,
                                        render=False)
                figures = gr.Dataframe(headers=FIGURE_COLUMNS, label="Key figures", interactive=False, wrap=True,
                                       elem_id="figures-table", column_widths=FIGURE_WIDTHS, render=False)
                details = gr.JSON(label="analysis", render=False)
                outputs = [summary, article, sections, figures, details]
                text = gr.Textbox(lines=10, max_lines=30, label="Article (text, Markdown or HTML; front matter optional)",
                                  placeholder="粘贴一篇中文新闻……", elem_id="article-input")
                gr.Examples(_example_rows(), inputs=[text], outputs=outputs, fn=analyze_text,
                            run_on_click=True, cache_examples=False, label="Examples (click to analyze)",
                            example_labels=[p.stem for p in examples])
                button = gr.Button("Analyze", variant="primary", elem_id="analyze-button")
                summary.render()
                article.render()
                sections.render()
                figures.render()
                with gr.Accordion("Analysis JSON (Analysis.to_dict())", open=False):
                    details.render()
                # one place shows progress and a refusal, not every output
                button.click(analyze_text, inputs=[text, max_chars, engine], outputs=outputs, api_name="analyze",
                             show_progress_on=[summary])
                text.submit(analyze_text, inputs=[text, max_chars, engine], outputs=outputs,
                            api_visibility="private", show_progress_on=[summary])
            with gr.Tab("Upload posts"):
                files = gr.File(file_count="multiple", file_types=[".md", ".txt", ".html"], type="filepath",
                                label="Posts (.md, .txt, .html)")
                files_button = gr.Button("Analyze files", variant="primary", elem_id="files-button")
                results = gr.Dataframe(headers=RESULT_COLUMNS, label="Results per file", interactive=False, wrap=True)
                downloads = gr.File(label="Download (JSONL, CSV)", file_count="multiple", interactive=False)
                files_button.click(analyze_files, inputs=[files, max_chars, engine], outputs=[results, downloads],
                                   api_name="analyze_files", show_progress_on=[results])
    return demo


def launch(host: str = "127.0.0.1", port: int = 7860, warm_up: bool = True, **kwargs):
    if warm_up:   # load the models before the first visitor waits for them
        rows = _example_rows()
        if rows:
            try:
                analyze_text(rows[0][0])
            except Exception:  # noqa: BLE001 - the first request will show the reason
                pass
    demo = build_app()
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    from starlette.middleware import Middleware

    app_kwargs = {"middleware": [Middleware(BodyLimit, **body_limits())]}
    return demo.launch(server_name=host, server_port=port, show_error=True, max_file_size=MAX_UPLOAD_BYTES,
                       ssr_mode=False, css=CSS, footer_links=["api"], app_kwargs=app_kwargs, **kwargs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m service.app", description="Chinese news summarizer web app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--no-warm-up", action="store_true", help="do not load the models before serving")
    args = parser.parse_args(argv)
    try:
        settings()          # a bad ZHNEWS_* value stops the server at start-up with its name
    except ValueError as exc:
        parser.exit(2, f"error: {exc}\n")
    # one BLAS thread for the encoder unless set: its calls are serialised anyway, and on a 2-core
    # machine 2 threads measured 3x worse p50 under 8 concurrent clients (benchmarks/web_latency.py)
    launch(args.host, args.port, warm_up=not args.no_warm_up)


if __name__ == "__main__":
    main()
