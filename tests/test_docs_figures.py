"""The figures in the README and docs are pasted from docs/figures/ by scripts/docs_figures.py, and each
figure file names the command that measured it: a figure regenerated but not pasted fails here."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("docs_figures", ROOT / "scripts" / "docs_figures.py")
docs_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docs_figures)


def test_every_figure_file_names_the_command_that_made_it():
    files = sorted((ROOT / "docs" / "figures").glob("*.md"))
    assert len(files) >= 5
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("<!-- made by: "), path.name


def test_pasted_figures_are_current():
    assert docs_figures.stale() == []


def test_a_changed_figure_is_caught(tmp_path, monkeypatch):
    """Edit a pasted number and the check names the block."""
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- figure: summarization-headline -->" in text
    readme.write_text(text.replace("| set | ours", "| set | ours (edited)", 1), encoding="utf-8")
    monkeypatch.setattr(docs_figures, "DOCUMENTS", [readme])
    monkeypatch.setattr(docs_figures, "ROOT", tmp_path)
    assert docs_figures.stale() == ["README.md: summarization-headline"]


def test_readme_is_for_users():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 300
