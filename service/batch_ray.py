"""The batch on Ray Data: `python -m service.batch INPUT... -o OUT --backend ray [--ray-address ADDR]`.

The driver (this process) lists the posts still to do, streaming, into small chunk files beside the
output (so no list of a million paths is ever held), and makes a dataset of the chunk names. An actor
pool (`map_batches` with a callable class) loads the encoder and the tagger once per actor and turns
each chunk into result lines with the same `process_one` the default backend uses, so the records are
the same. The lines stream back to the driver, which commits them: to the journal for `-o OUT.jsonl`,
or as shards named in a manifest for `-o OUT/` (service/batch_shards.py). Ray retries tasks and
restarts actors (at-least-once); the commit drops what was already written, so each post lands once.

On a cluster the posts, the output and the driver's working folder must be on storage every node
mounts at the same path (the actors open the posts by name, after moving to the driver's folder).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from typing import Callable, Iterator

from service.batch_io import Item


class Analyzer:
    """One Ray actor: the models loaded once, then one chunk file of posts per call."""

    def __init__(self, options, cwd: str):
        from service.batch import init_worker

        os.chdir(cwd)                 # relative post names mean what they meant to the driver
        init_worker(options, single_thread=True, watch_parent=False)

    def __call__(self, batch: dict) -> dict:
        from service.batch import died_record, process_one
        from service.batch_io import path_key

        out: dict[str, list] = {"ok": [], "key": [], "line": []}
        for chunk in batch["chunk"]:
            chunk = str(chunk)
            with open(chunk, encoding="ascii") as fh:
                items = [Item(*json.loads(raw)) for raw in fh]
            note = _read_note(chunk)
            for index, item in enumerate(items):
                deaths = note[1] + 1 if note and note[0] == index else 0    # deaths while it ran
                if deaths >= 2:
                    ok, path, line = False, item.path, died_record(item)
                else:
                    _note(chunk, index, deaths)
                    ok, path, line = process_one(item)
                out["ok"].append(ok)
                out["key"].append(str(path_key(path)))   # 64-bit unsigned: as text through Arrow
                out["line"].append(line)
            _clear_note(chunk)
        return out


# A post that kills its worker (out of memory, a crash in native code) would make Ray restart the
# actor and retry the chunk for ever. Before each post the actor notes, beside the chunk, which post it
# is on; a retry that finds the note knows which post was running when its actor died. The post that
# was running at two deaths is recorded as WorkerDied and skipped; one death may be a kill from outside.
def _note(chunk: str, index: int, deaths: int) -> None:
    with open(chunk + ".at", "w", encoding="ascii") as fh:
        fh.write(f"{index} {deaths}")


def _read_note(chunk: str) -> tuple[int, int] | None:
    """(index of the post that was running when an actor died on this chunk, its deaths before)."""
    try:
        with open(chunk + ".at", encoding="ascii") as fh:
            index, deaths = fh.read().split()
        return int(index), int(deaths)
    except (OSError, ValueError):
        return None


def _clear_note(chunk: str) -> None:
    try:
        os.unlink(chunk + ".at")
    except OSError:
        pass


def spool_chunks(items: Iterator[Item], folder: str, per_chunk: int) -> list[str]:
    """Write the items to chunk files of `per_chunk` posts (JSON, ASCII: any file name survives);
    returns the chunk file names, one per `per_chunk` posts."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    names: list[str] = []
    fh = None
    count = 0
    for item in items:
        if count % per_chunk == 0:
            if fh:
                fh.close()
            names.append(os.path.join(folder, f"chunk-{len(names):07d}.jsonl"))
            fh = open(names[-1], "w", encoding="ascii")
        fh.write(json.dumps(list(item)) + "\n")
        count += 1
    if fh:
        fh.close()
    return names


def start_ray(address: str | None, workers: int | None) -> tuple[int, float]:
    """Join the cluster at `address` (or RAY_ADDRESS), else start a local Ray; returns (actors to
    run, seconds it took). Ray's own progress bars and info logs are turned off: the batch has one bar."""
    start = time.perf_counter()
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ValueError(f"--backend ray needs ray[data] ({exc}); pip install -r requirements.txt") from None
    address = address or os.environ.get("RAY_ADDRESS") or None
    kwargs = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    if address:
        _check_reachable(address)
    try:
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=max(workers or 0, os.cpu_count() or 1), **kwargs)
    except (ConnectionError, RuntimeError) as exc:
        raise ValueError(f"cannot start or join Ray{' at ' + address if address else ''}: {exc}") from None
    logging.getLogger("ray.data").setLevel(logging.ERROR)     # not even "progress bars disabled"
    ray.data.DataContext.get_current().enable_progress_bars = False
    actors = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    return actors, time.perf_counter() - start


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds on a HOST:PORT nobody listens on; Ray itself retries for minutes."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return                  # "auto" and other forms Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ValueError(f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}); start it with "
                         f"`ray start --head` or check --ray-address / RAY_ADDRESS") from None


def run_on_ray(items: Iterator[Item], options, workers: int, per_chunk: int, work_folder: str,
               record: Callable[[bool, str, int], None]) -> None:
    """Analyze `items` on the running Ray, calling record(ok, line, key) once for each post as its
    result arrives. The chunk folder is removed at the end; an interrupted run leaves it to be rewritten."""
    import ray.data

    recorded: set[int] = set()      # a chunk Ray ran twice (a retry after a worker died) comes back twice
    chunks = spool_chunks(items, work_folder, per_chunk)
    if chunks:
        dataset = ray.data.from_items([{"chunk": name} for name in chunks]).map_batches(
            Analyzer, fn_constructor_kwargs={"options": options, "cwd": os.getcwd()}, batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(workers, len(chunks))), num_cpus=1)
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            for ok, key, line in zip(batch["ok"], batch["key"], batch["line"]):
                key = int(key)
                if key not in recorded:
                    recorded.add(key)
                    record(bool(ok), str(line), key)
    shutil.rmtree(work_folder, ignore_errors=True)


def stop_ray() -> None:
    import ray

    if ray.is_initialized():
        ray.shutdown()
