"""Options are resolved once (AnalyzeOptions) and a length means the same in every engine."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service import analyze
from service.options import AnalyzeOptions, OptionError, summary_chars, summary_sentences
from service.summarization.plaindoc import document_from_text

ROOT = Path(__file__).resolve().parent.parent
TEXT = "全区地区生产总值完成512.3亿元，同比增长6.4%。新签约项目48个，计划总投资186亿元。高新技术企业达到356家。"


def test_defaults_come_from_the_configuration(monkeypatch):
    monkeypatch.delenv("ZHNEWS_SUMMARY_MAX_CHARS", raising=False)
    options = AnalyzeOptions.resolve()
    assert (options.max_chars, options.max_sentences, options.summarizer, options.tagger) == \
        (150, None, "embedded", "embedded")
    monkeypatch.setenv("ZHNEWS_SUMMARY_MAX_CHARS", "90")
    assert AnalyzeOptions.resolve().max_chars == 90 == summary_chars(None)
    assert AnalyzeOptions.resolve(max_chars=60).max_chars == 60      # an argument beats the environment


@pytest.mark.parametrize("bad", [0, -5, 2.5, "100", True])
def test_a_bad_length_is_one_clear_error(bad):
    with pytest.raises(OptionError, match="max_chars"):
        AnalyzeOptions.resolve(max_chars=bad)
    with pytest.raises(OptionError, match="max_sentences"):
        summary_sentences(bad)


@pytest.mark.parametrize("engine", ["embedded", "transformers"])
def test_zero_means_the_same_in_every_engine(engine, monkeypatch):
    """max_chars=0 is refused by each engine itself, before any model is loaded or configured."""
    from service.summarization import ENGINES, _load

    monkeypatch.setenv("ZHNEWS_SUMMARIZER_MODEL", str(ROOT / "not-loaded"))
    cls = _load(engine)
    summarizer = cls.__new__(cls)          # no model: the check comes first
    with pytest.raises(OptionError, match="max_chars=0"):
        summarizer.summarize(document_from_text(TEXT), max_chars=0)
    assert engine in ENGINES


def test_analyze_takes_resolved_options_or_arguments_not_both():
    options = AnalyzeOptions.resolve(max_chars=40)
    assert len(analyze(TEXT, options=options).summary.text) <= 40
    with pytest.raises(TypeError, match="not both"):
        analyze(TEXT, max_chars=40, options=options)
    assert options.replace(max_chars=80).max_chars == 80
    with pytest.raises(OptionError):
        options.replace(tagger="nope")


def test_options_travel_to_workers():
    import pickle

    options = AnalyzeOptions.resolve(max_chars=70)
    assert pickle.loads(pickle.dumps(options)) == options


def test_batch_refuses_a_bad_option_at_start_up(tmp_path):
    post = tmp_path / "post.md"
    post.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "service.batch", str(post), "-o", str(out), "--max-chars", "0",
                           "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "max_chars=0 must be at least 1" in done.stderr
    assert not out.exists() or not out.read_text().strip()
    done = subprocess.run([sys.executable, "-m", "service.batch", str(post), "-o", str(out), "--max-chars", "50",
                           "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_text().splitlines()[0])["summary"]["text"]) <= 50


def test_a_tagset_file_is_parsed_once_per_version(tmp_path, monkeypatch):
    """analyze() without options= resolves on every call; the tag file is parsed again only when it changes."""
    import os

    from service.tagging import tagset as tagset_module

    tags = tmp_path / "tags.yaml"
    tags.write_text("tags:\n  - id: a\n    description: 甲\n  - id: b\n    description: 乙\n", encoding="utf-8")
    calls = []
    real = tagset_module.TagSet.load
    monkeypatch.setattr(tagset_module.TagSet, "load", classmethod(lambda cls, src: calls.append(src) or real(src)))
    for _ in range(3):
        AnalyzeOptions.resolve(tagset=str(tags))
    assert len(calls) == 1
    tags.write_text("tags: [", encoding="utf-8")          # a new version, malformed: checked again
    os.utime(tags, ns=(1, 1))
    with pytest.raises(OptionError, match="tags.yaml"):
        AnalyzeOptions.resolve(tagset=str(tags))
