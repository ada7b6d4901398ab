"""Section-tagging dev set (ids + offsets into the shared data; see NOTES.md)."""


def load_devset(shared_root=None):
    """See models.devset.load.load_devset (imported lazily so `python -m models.devset.load` runs cleanly)."""
    from .load import load_devset as _load

    return _load(shared_root)


__all__ = ["load_devset"]
