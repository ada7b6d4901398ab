"""Analyze many posts: `python -m service.batch INPUT... -o OUT.jsonl`.

    python -m service.batch posts/ -o out.jsonl                    # folder, recursive
    python -m service.batch posts/ --glob '*.md' -o out.csv          # CSV (or .parquet)
    find posts -name '*.md' | python -m service.batch - -o out.jsonl --workers 2
    python -m service.batch posts/ -o out.jsonl --copy-to tagged/   # copies with summary:/tags: added

Crash-safe and resumable: results go to a JSONL journal (OUT itself for JSONL output, else
OUT's stem + `.journal.jsonl`) one complete line per post, written by this process only; after a kill
the same command repairs a torn last line, skips every post already written (or already failed) and
finishes the rest. CSV and Parquet are produced from the journal at the end (atomically).

Bad posts go to the errors file (`OUT's stem + .errors.jsonl`: path, error, kind) and the batch goes
on. Exit status: 0 when no post of the job failed, 1 when some did, 2 for a usage error.

Workers: `--workers N` runs N spawned processes (each loads the models once and uses one BLAS thread),
fed through a bounded queue so memory stays flat whatever the number of posts; `--workers 1` (the
default) runs in this process, also with one BLAS thread unless ZHNEWS_ENCODER_THREADS says otherwise.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import itertools
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from service.batch_io import (DEFAULT_GLOB, FORMATS, Item, Journal, OutputBusy, OutputLock, dumps, iter_inputs,
                              iter_jsonl, path_key, rewrite_without, with_front_matter, write_copy, write_csv,
                              write_parquet)
from service.batch_shards import ERRORS as SHARD_ERRORS, ShardedOutput, is_folder_output
from service.options import AnalyzeOptions
from service.paths import path_fields, printable

BACKENDS = ("local", "ray")


@dataclass
class Options:
    """What each worker is told: the analysis options, resolved once by the driver, and the batch's own."""
    analysis: AnalyzeOptions = field(default_factory=AnalyzeOptions.resolve)
    copy_to: str | None = None


# ------------------------------------------------------------------------------------------ worker
_OPTIONS: Options | None = None


def init_worker(options: Options, single_thread: bool = True, watch_parent: bool = True) -> None:
    """Per worker: one BLAS thread (workers are the parallelism), options, models loaded once."""
    global _OPTIONS
    if single_thread:
        # workers are the parallelism: never let a user's ZHNEWS_ENCODER_THREADS oversubscribe them
        os.environ["ZHNEWS_ENCODER_THREADS"] = "1"
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
    _OPTIONS = options
    if single_thread and watch_parent:
        _exit_with_parent()
    _warm_up(options)


def _exit_with_parent(every_s: float = 1.0) -> None:
    """A worker ends itself once its parent is gone (kill -9 of the batch leaves no orphans: a worker
    waiting for work would otherwise wait for ever)."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _warm_up(options: Options) -> None:
    from service.pipeline import analyze

    example = _example_text()
    if example:
        try:
            analyze(example, options=options.analysis)
        except Exception:  # a broken engine shows up on the first real post, with its reason
            pass


def _example_text() -> str | None:
    folder = os.path.join(os.path.dirname(__file__), "examples")
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".md"))
        with open(os.path.join(folder, names[0]), encoding="utf-8") as fh:
            return fh.read()
    except (OSError, IndexError):
        return None


def process_one(item: Item) -> tuple[bool, str, str]:
    """(ok, path, JSON line) for one input: the Analysis record or an error record."""
    from service.document import ReadError
    from service.pipeline import InputTooLarge, analyze

    path, relative, problem = item
    name = path_fields(path)
    if problem:
        return False, path, dumps({**name, "error": problem, "kind": "ReadError"})
    options = _OPTIONS or Options()
    try:
        result = analyze(Path(path), options=options.analysis)
        record = result.to_dict()
        record.update(name)
        if options.copy_to:
            _copy(path, relative, record, options.copy_to)
        return True, path, dumps(record)
    except ReadError as exc:
        return False, path, dumps({**name, "error": exc.problem, "kind": "ReadError"})
    except InputTooLarge as exc:
        return False, path, dumps({**name, "error": str(exc), "kind": "InputTooLarge"})
    except Exception as exc:  # noqa: BLE001 - one bad post must not stop the batch
        return False, path, dumps({**name, "error": f"{type(exc).__name__}: {exc}", "kind": type(exc).__name__})


def died_record(item: Item) -> str:
    """The error record of a post whose worker process died while analyzing it."""
    return dumps({**path_fields(item.path), "kind": "WorkerDied",
                  "error": "the worker process died while analyzing this post (killed for memory, "
                           "or crashed); the batch restarted it and went on"})


def process_chunk(items: list[Item]) -> list[tuple[bool, str, str]]:
    return [process_one(item) for item in items]


def _copy(path: str, relative: str, record: dict, directory: str) -> None:
    from service.reader.decode import decode_bytes

    with open(path, "rb") as fh:
        text = decode_bytes(fh.read(), printable(path))
    tags = [t["name"] for t in record.get("topics") or []]
    target = os.path.join(directory, relative.lstrip("/"))
    if os.path.exists(target) and os.path.samefile(target, path):
        raise ValueError(f"--copy-to would overwrite the original post {path}; choose another folder")
    copy = write_copy(directory, relative, with_front_matter(text, record["summary"]["text"], tags))
    record["copy"] = printable(copy)


# ------------------------------------------------------------------------------------------ driver
@dataclass
class Outcome:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    total_ok: int = 0
    total_failed: int = 0
    seconds: float = 0.0
    startup_seconds: float = 0.0       # the Ray backend's start-up (local Ray or joining a cluster)


def output_paths(output: str, fmt: str | None, errors: str | None) -> tuple[str, str, str]:
    """(format, journal, errors file) for an output name; a folder gets shards (batch_shards)."""
    if is_folder_output(output):
        if fmt not in (None, "jsonl", "shards"):
            raise ValueError(f"-o {output} is a folder, which holds JSONL shards; --format {fmt} needs "
                             f"an output file (OUT.{fmt})")
        folder = output.rstrip("/" + os.sep) or output
        return "shards", folder, errors or os.path.join(folder, SHARD_ERRORS)
    stem, ext = os.path.splitext(output)
    fmt = fmt or {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(ext.lower(), "jsonl")
    if ext.lower() not in (".jsonl", ".json", ".csv", ".parquet", ".pq", ".ndjson"):
        stem = output
    journal = output if fmt == "jsonl" else stem + ".journal.jsonl"
    return fmt, journal, errors or stem + ".errors.jsonl"


def run(inputs: list[str], output: str, fmt: str | None = None, errors: str | None = None,
        glob: str = DEFAULT_GLOB, workers: int = 1, options: Options | None = None, chunksize: int = 4,
        progress: bool = True, retry_failed: bool = False, stdin=None, log=sys.stderr,
        follow_symlinks: bool = False, backend: str = "local", ray_address: str | None = None) -> Outcome:
    """Analyze every input into `output`; raises OutputBusy when another batch is writing there."""
    options = options or Options()
    fmt, journal_path, errors_path = output_paths(output, fmt, errors)
    if fmt not in FORMATS + ("shards",):
        raise ValueError(f"unknown format {fmt!r}; choose one of {FORMATS}")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
    output = journal_path if fmt == "shards" else output
    with OutputLock(output):
        return _run_locked(inputs, output, fmt, journal_path, errors_path, glob, workers, options, chunksize,
                           progress, retry_failed, stdin, log, follow_symlinks, backend, ray_address)


def _run_locked(inputs, output, fmt, journal_path, errors_path, glob, workers, options, chunksize, progress,
                retry_failed, stdin, log, follow_symlinks, backend, ray_address) -> Outcome:
    if retry_failed:
        rewrite_without(errors_path)
    results = ShardedOutput(journal_path, log=log) if fmt == "shards" else Journal(journal_path, log=log)
    failures = Journal(errors_path, log=log)
    done = results.open()
    done |= failures.open()
    already_ok, already_failed = results.count, failures.count

    spool = None
    if "-" in inputs:   # stdin can be read once: spool it to a temp file to count and then stream
        spool = tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape")
        for line in (stdin or _stdin_lines()):
            spool.write(line)
    try:
        def listing() -> Iterator[Item]:
            if spool:
                spool.seek(0)
            return iter_inputs(inputs, glob, stdin=spool, follow_symlinks=follow_symlinks)

        total = sum(1 for _ in listing())
        outcome = Outcome()
        if backend == "ray":
            from service.batch_ray import start_ray

            workers, outcome.startup_seconds = start_ray(ray_address, workers)
        elif workers <= 1:
            init_worker(options, single_thread=False)   # load the models before the clock starts
        bar = _progress(total, min(len(done), total), progress)
        start = time.perf_counter()

        def pending() -> Iterator[Item]:
            for item in listing():
                key = path_key(item.path)
                if key in done:
                    outcome.skipped += 1
                    continue
                done.add(key)        # also drops a path listed twice
                yield item

        def record(ok: bool, line: str, key: int) -> None:
            if ok:
                results.append(line, key)
                outcome.ok += 1
            else:
                failures.append(line)
                outcome.failed += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(ok=outcome.ok, failed=outcome.failed, refresh=False)

        try:
            if backend == "ray":
                from service.batch_ray import run_on_ray

                work = os.path.join(journal_path, "_pending") if fmt == "shards" else journal_path + ".ray-work"
                run_on_ray(pending(), options, workers, chunksize, work, record)
            elif workers <= 1:
                for item in pending():
                    ok, path, line = process_one(item)
                    record(ok, line, path_key(path))
            else:
                _run_pool(pending(), workers, options, chunksize, record, log)
        finally:
            results.close()
            failures.close()
            if bar is not None:
                bar.close()
            if backend == "ray":
                from service.batch_ray import stop_ray

                stop_ray()
        outcome.seconds = time.perf_counter() - start
    finally:
        if spool:
            spool.close()

    outcome.total_ok, outcome.total_failed = already_ok + outcome.ok, already_failed + outcome.failed
    if fmt == "csv":
        write_csv(iter_jsonl(journal_path), output)
    elif fmt == "parquet":
        write_parquet(iter_jsonl(journal_path), output)
    return outcome


def _run_pool(items: Iterator[Item], workers: int, options: Options, chunksize: int, record, log) -> None:
    """Feed `items` to a pool of `workers` processes through a bounded window of chunks.

    A worker that dies (OOM kill, segfault) breaks the whole pool. Then every chunk in flight is
    suspect: the pool is restarted and each suspect post is run again alone, so the one that kills
    its worker again is recorded as WorkerDied and the others get their results."""
    max_in_flight = workers * 3
    pool = _new_pool(workers, options)
    try:
        in_flight: dict = {}
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < max_in_flight:
                chunk = list(itertools.islice(items, chunksize))
                if not chunk:
                    exhausted = True
                    break
                in_flight[pool.submit(process_chunk, chunk)] = chunk
            if not in_flight:
                break
            finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            suspects: list[Item] = []
            for future in finished:
                chunk = in_flight.pop(future)
                try:
                    lines = future.result()
                except BrokenProcessPool:
                    suspects.extend(chunk)
                    continue
                for ok, path, line in lines:
                    record(ok, line, path_key(path))
            if suspects:
                for chunk in in_flight.values():   # they die with the pool
                    suspects.extend(chunk)
                in_flight.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                print(f"warning: a worker died; restarting the pool and retrying {len(suspects)} post(s) "
                      f"one at a time", file=log, flush=True)
                pool = _retry_alone(suspects, workers, options, record)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _retry_alone(suspects: list[Item], workers: int, options: Options, record) -> ProcessPoolExecutor:
    """Run each suspect post by itself in a fresh pool; returns the pool to go on with."""
    pool = _new_pool(workers, options)
    for item in suspects:
        try:
            (ok, path, line), = pool.submit(process_chunk, [item]).result()
            record(ok, line, path_key(path))
        except BrokenProcessPool:
            record(False, died_record(item), path_key(item.path))
            pool.shutdown(wait=False, cancel_futures=True)
            pool = _new_pool(workers, options)
    return pool


def _new_pool(workers: int, options: Options) -> ProcessPoolExecutor:
    import multiprocessing as mp

    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                               initializer=init_worker, initargs=(options,))


def _stdin_lines():
    """Standard input as lines of file names, bytes that are not UTF-8 kept (surrogateescape)."""
    import io

    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:      # already text (a StringIO, in tests)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="surrogateescape")


def _progress(total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="post", dynamic_ncols=True, smoothing=0.1,
                desc="analyzing", file=sys.stderr, mininterval=0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.batch", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="post files, folders (recursive), or - to read paths from stdin")
    parser.add_argument("-o", "--output", required=True,
                        help="OUT.jsonl, OUT.csv or OUT.parquet, or a folder OUT/ for JSONL shards")
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from the extension)")
    parser.add_argument("--errors", help="errors file (default: OUT's stem + .errors.jsonl)")
    parser.add_argument("--glob", default=DEFAULT_GLOB,
                        help=f"comma-separated file patterns inside folders (default: {DEFAULT_GLOB})")
    parser.add_argument("--workers", type=int,
                        help="processes (default 1: this process); with --backend ray, actors (default: "
                             "one per CPU of the Ray cluster)")
    parser.add_argument("--chunksize", type=int,
                        help="posts per task sent to a worker (default 4; with --backend ray, 32)")
    parser.add_argument("--backend", choices=BACKENDS, default="local",
                        help="local: this machine's processes (default); ray: Ray Data, on a local Ray "
                             "or the cluster at --ray-address / RAY_ADDRESS")
    parser.add_argument("--ray-address", metavar="ADDR", help="a running Ray cluster to join (ray start --head)")
    parser.add_argument("--max-chars", type=int, help="summary length in characters")
    parser.add_argument("--max-sentences", type=int, help="summary length in sentences")
    parser.add_argument("--script", choices=("as-written", "simplified", "traditional"), default=None,
                        help="the output's texts: as written (default), or converted to simplified or "
                             "traditional Chinese (offsets still index the post as written)")
    parser.add_argument("--summarizer", help="summarizer engine (embedded, transformers)")
    parser.add_argument("--tagger", help="tagging engine (embedded, embedded-e5, zero-shot, transformers)")
    parser.add_argument("--tagset", help="tag set file (default: the built-in taxonomy)")
    parser.add_argument("--copy-to", metavar="DIR",
                        help="also write each post, with summary: and tags: in its front matter, under DIR")
    parser.add_argument("--retry-failed", action="store_true", help="try the posts in the errors file again")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--follow-symlinks", action="store_true",
                        help="inside a folder, also follow symlinks whose target is outside it")
    args = parser.parse_args(argv)
    try:
        from service.config import settings

        config = settings()          # a bad ZHNEWS_* value or option is one error now, not one per post
        analysis = AnalyzeOptions.resolve(max_chars=args.max_chars, max_sentences=args.max_sentences,
                                          summarizer=args.summarizer, tagger=args.tagger, tagset=args.tagset,
                                          script=args.script)
        if analysis.summarizer == "embedded":
            from service.summarization.ranker import Ranker
            Ranker.load(config.summarizer_ranker)    # a missing ranker artifact, likewise
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    options = Options(analysis=analysis, copy_to=os.path.abspath(args.copy_to) if args.copy_to else None)
    try:
        fmt, journal, errors = output_paths(args.output, args.format, args.errors)
        outcome = run(args.inputs, args.output, fmt=fmt, errors=errors, glob=args.glob,
                      workers=args.workers if args.workers is not None else (0 if args.backend == "ray" else 1),
                      options=options, chunksize=max(1, args.chunksize or (32 if args.backend == "ray" else 4)),
                      progress=not args.no_progress, retry_failed=args.retry_failed,
                      follow_symlinks=args.follow_symlinks, backend=args.backend, ray_address=args.ray_address)
    except (ValueError, OutputBusy) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rate = outcome.ok / outcome.seconds if outcome.seconds else 0.0
    print(f"done: {outcome.ok} ok, {outcome.failed} failed, {outcome.skipped} skipped (already done) "
          f"in {outcome.seconds:.1f}s ({rate:.1f} posts/s); job total {outcome.total_ok} ok, "
          f"{outcome.total_failed} failed → {args.output}; errors → {errors}"
          + (f"; Ray started in {outcome.startup_seconds:.1f}s" if args.backend == "ray" else ""), flush=True)
    return 1 if outcome.total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
