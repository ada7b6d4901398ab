"""What both transformers engines (summarizer, tagger) share: naming a model, choosing the device,
int8 quantization, and loading each model once per process with errors that tell the user what to do
instead of a traceback from deep inside transformers."""
from __future__ import annotations

import os
import threading
import warnings
from typing import Callable


class ModelNotAvailable(RuntimeError):
    """A transformers engine has no usable model; the message says how to provide one."""


class ModelNotConfigured(ModelNotAvailable):
    """No model was named at all (no argument, no environment variable)."""


# Offline unless the user says otherwise (HF_HUB_OFFLINE=0): a hub id must never make the batch or
# the app reach for the network behind the user's back. Set before transformers is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

_LOADED: dict = {}
_LOCK = threading.Lock()


def looks_like_path(name: str) -> bool:
    """A name that can only be a filesystem path (hub ids are `name` or `owner/name`)."""
    return (name.startswith(("/", ".", "~")) or "\\" in name or name.count("/") > 1
            or os.path.exists(os.path.expanduser(name)))


def resolve_device(device: str | None) -> str:
    import torch

    from service.config import settings

    name = (device or settings().device or "cpu").strip().lower()
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(f"device {name!r} requested but CUDA is not available: using the CPU", RuntimeWarning,
                      stacklevel=3)
        return "cpu"
    return name


def quantize_int8(model):
    """Dynamic int8 quantization of every torch.nn.Linear (CPU inference only)."""
    import torch

    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError:  # very old torch
        from torch.quantization import quantize_dynamic
    with warnings.catch_warnings():
        # torch 2.10+ marks torch.ao.quantization deprecated (in favour of torchao); it still works
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def load_error(kind: str, name: str, error: Exception, how_to_provide: str) -> ModelNotAvailable:
    """A ModelNotAvailable that names what failed to load, why, and the likely fix."""
    reason = " ".join(str(error).split())[:400].rstrip(".")
    where = ("the local directory" if looks_like_path(name) else "the hub id") + f" {name!r}"
    hint = ""
    if "tiktoken" in reason or "protobuf" in reason.lower() or "sentencepiece" in reason.lower():
        hint = (" The tokenizer ships only a sentencepiece model (spiece.model): install `protobuf` "
                "(pip install protobuf) so transformers can convert it, or save the tokenizer with "
                "tokenizer.json.")
    offline = os.environ.get("HF_HUB_OFFLINE") in ("1", "true", "yes") or "offline" in reason.lower() \
        or "connect" in reason.lower()
    if offline and not looks_like_path(name):
        hint += " This machine cannot download from the hub (offline): download the model elsewhere and copy the directory here."
    return ModelNotAvailable(f"cannot load the {kind} from {where}: {reason}.{hint} {how_to_provide}")


def load_once(kind: str, name: str, load: Callable[[str], tuple], how_to_provide: str,
              device: str = "cpu", quantize: bool = False, cache_key=None) -> tuple:
    """(tokenizer, model) from `load(path)`, cached per (kind, name, device, quantize, cache_key):
    put in eval mode, int8-quantized on the CPU when asked, moved to the device."""
    key = (kind, name, device, bool(quantize), cache_key)
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        path = os.path.expanduser(name)
        if looks_like_path(name) and not os.path.isdir(path):
            raise ModelNotAvailable(f"{kind} directory {name!r} does not exist. {how_to_provide}")
        tokenizer, model = load(path)
        model.eval()
        if quantize and device != "cpu":
            warnings.warn("int8 dynamic quantization runs on the CPU only: not quantizing", RuntimeWarning,
                          stacklevel=3)
        elif quantize:
            model = quantize_int8(model)
        if device != "cpu":
            model.to(device)
        _LOADED[key] = (tokenizer, model)
        return tokenizer, model
