"""The import directions of docs/architecture.md, checked on the source: the runtime (service/) never
imports the lab (models/: training, evaluation, dev sets, experiments), and no module imports another
module's private names. The lab may import the runtime."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = sorted((ROOT / "service").rglob("*.py"))


def _imports(path: Path):
    """(line, module, names) for every import in a file, at any depth (lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module, [alias.name for alias in node.names]


def test_the_runtime_is_found():
    assert len(RUNTIME) > 20 and any(p.name == "pipeline.py" for p in RUNTIME)


@pytest.mark.parametrize("path", RUNTIME, ids=lambda p: str(p.relative_to(ROOT)))
def test_runtime_never_imports_the_lab(path):
    bad = [f"line {line}: {module}" for line, module, _ in _imports(path)
           if module == "models" or module.startswith("models.")]
    assert not bad, f"{path.relative_to(ROOT)} imports lab code: {bad}"


@pytest.mark.parametrize("path", RUNTIME, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_another_modules_private_names(path):
    bad = [f"line {line}: from {module} import {name}" for line, module, names in _imports(path)
           if module.startswith("service") for name in names if name.startswith("_")]
    assert not bad, f"{path.relative_to(ROOT)} reaches into private names: {bad}"


def test_the_check_catches_a_lab_import(tmp_path):
    """The checker itself: a lazy import inside a function is still an import."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from models.training import read_jsonl\n    import models.devset\n")
    assert [m for _, m, _ in _imports(sample)] == ["models.training", "models.devset"]
