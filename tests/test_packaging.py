"""Packaging: pyproject.toml declares the project with the same pins as requirements.txt, and the
`zhnews` command it installs runs show, batch and app."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from service import cli
from tests.test_batch import ROOT, make_posts, read_jsonl


def test_pyproject_reads_its_dependencies_from_requirements_and_names_the_command():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dynamic"] == ["dependencies"]
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"]["file"] == ["requirements.txt"]
    assert project["project"]["scripts"]["zhnews"] == "service.cli:main"
    requirements = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    assert "torch==2.13.0" in requirements and all(" " not in r and not r.startswith("-") for r in requirements)


def test_zhnews_show_prints_summary_sections_and_figures(tmp_path, capsys):
    post, = make_posts(tmp_path, 1)
    assert cli.main(["show", str(post)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# 示例帖子第0号") and "\n- " in out and "key figures:" in out
    assert cli.main(["show", str(post), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "示例帖子第0号"


def test_zhnews_show_names_the_file_it_cannot_read(tmp_path, capsys):
    assert cli.main(["show", str(tmp_path / "missing.md")]) == 2
    assert "missing.md" in capsys.readouterr().err


def test_zhnews_batch_is_the_batch(tmp_path, capsys):
    make_posts(tmp_path / "in", 2)
    assert cli.main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out.jsonl"), "--no-progress"]) == 0
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 2


@pytest.mark.parametrize("argv, status", [([], 2), (["frobnicate"], 2), (["--help"], 0)])
def test_zhnews_without_a_command_prints_the_commands(argv, status, capsys):
    assert cli.main(argv) == status
    assert "zhnews batch" in capsys.readouterr().err
