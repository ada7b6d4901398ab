"""python -m models.evaluate {summarization,classification,long-documents} [options]

Each task lives in its own module; this only dispatches, so that evaluation stays apart from the
algorithms it measures.
"""
from __future__ import annotations

import importlib
import sys

TASKS = {
    "summarization": "models.evaluate.summarization",
    "classification": "models.evaluate.classification",
    "long-documents": "models.evaluate.long_documents",
    "traditional": "models.evaluate.traditional",
    "key-figures": "models.evaluate.key_figures",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in TASKS:
        print(f"usage: python -m models.evaluate {{{','.join(TASKS)}}} [options]", file=sys.stderr)
        return 2
    return importlib.import_module(TASKS[argv[0]]).main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
