"""The transformers (abstractive) summarizer end to end on a tiny random mT5 whose sentencepiece
tokenizer is trained here, from sentences written for this test. Random weights generate gibberish, so
these tests check behaviour (loading, budget, batching, long input, number guard, quantization, errors),
never quality."""
from __future__ import annotations

import os
import re

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

from models.tiny import build_tiny_mt5  # noqa: E402
from service.document import Document, Paragraph, Section, Sentence  # noqa: E402
from service.summarization.abstractive import (ModelNotAvailable, ModelNotConfigured,  # noqa: E402
                                           TransformersSummarizer, clean_generated, split_generated)
from service.summarization.base import Summarizer, Summary, SummarySentence  # noqa: E402

# written for this test (not from any data set)
CORPUS = [
    "今年前三季度，全区地区生产总值完成512.3亿元，同比增长6.4%。",
    "新签约招商引资项目48个，计划总投资186亿元。",
    "区内高新技术企业达到356家，研发经费投入增长15.2%。",
    "外贸进出口总额完成98.7亿元，其中出口增长12.1%。",
    "全区新增城镇就业1.2万人，城镇登记失业率控制在3.5%以内。",
    "政务服务事项全部实现网上可办，企业开办时间压缩至1个工作日。",
    "重点项目完成投资74.5亿元，占年度计划的82%。",
    "社会消费品零售总额增长5.9%，夜间经济持续升温。",
    "明年将继续扩大有效投资，推动产业转型升级。",
    "农业产业化龙头企业新增5家，农民人均收入增长7.8%。",
    "污水处理率达到97%，新增绿地面积30公顷。",
    "辖区银行新增贷款132亿元，其中普惠小微贷款增长24%。",
]


def make_document(sections: list[tuple[str | None, list[str]]], title: str | None = None) -> Document:
    """A Document built by hand: (heading, paragraphs) per section, sentences split at 。！？."""
    text = ""
    out: list[Section] = []
    for index, (heading, paragraphs) in enumerate(sections):
        section = Section(index=index, heading=heading, role="lead" if index == 0 else "body")
        if heading:
            start = len(text)
            text += heading + "\n"
            section.heading_span = (start, start + len(heading))
        for p_index, para in enumerate(paragraphs):
            start = len(text)
            text += para + "\n"
            paragraph = Paragraph(text=para, start=start, end=start + len(para))
            for m in re.finditer(r"[^。！？]+[。！？]?", para):
                paragraph.sentences.append(Sentence(text=m.group(), start=start + m.start(), end=start + m.end(),
                                                    section=index, paragraph=p_index))
            section.paragraphs.append(paragraph)
        out.append(section)
    return Document(text=text.rstrip("\n"), sections=out, title=title)


class LeadExtractor(Summarizer):
    """Stand-in extractive engine: ranks sentences in document order (used where the test is not
    about the embedded engine, to keep it fast)."""
    name = "lead"

    def rank(self, document):
        return [(s, 1.0 / (1 + i)) for i, s in enumerate(document.sentences)]

    def summarize(self, document, max_chars=None, max_sentences=None):
        sentences = [SummarySentence(s.text, s.start, s.end, s.section) for s in document.sentences[:1]]
        return Summary(text="".join(s.text for s in sentences), sentences=sentences, engine=self.name)


@pytest.fixture(scope="module")
def tiny_mt5(tmp_path_factory):
    return str(build_tiny_mt5(tmp_path_factory.mktemp("models") / "tiny-mt5", texts=CORPUS, vocab_size=400))


@pytest.fixture(scope="module")
def engine(tiny_mt5):
    return TransformersSummarizer(model=tiny_mt5, num_beams=2, max_new_tokens=24, extractor=LeadExtractor())


@pytest.fixture
def article():
    return make_document([
        (None, [CORPUS[0] + CORPUS[1], CORPUS[2]]),
        ("对外开放水平提升", [CORPUS[3] + CORPUS[11]]),
        ("民生保障有力", [CORPUS[4] + CORPUS[5], CORPUS[8]]),
    ], title="全区经济运行稳中向好")


def _within_budget(summary: Summary, max_chars: int):
    assert len(summary.text) <= max_chars
    assert summary.engine == "transformers:tiny-mt5"
    for s in summary.sentences:
        assert s.origin in ("generated", "replaced", "extracted")


def test_loads_from_directory_and_summarizes(tiny_mt5, engine, article):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    assert isinstance(AutoTokenizer.from_pretrained(tiny_mt5), type(engine.tokenizer))
    assert AutoModelForSeq2SeqLM.from_pretrained(tiny_mt5).config.d_model == 32
    summary = engine.summarize(article, max_chars=60)
    _within_budget(summary, 60)
    # every generated sentence points at a real source sentence (or none); offsets slice Document.text
    for s in summary.sentences:
        if s.start is not None:
            assert article.text[s.start:s.end]


def test_registry_and_summarize_entry_point(tiny_mt5, article):
    from service.summarization import summarize

    summary = summarize(article, max_chars=50, engine="transformers", model=tiny_mt5, num_beams=1,
                        max_new_tokens=16, extractor=LeadExtractor())
    _within_budget(summary, 50)


def test_model_from_environment(tiny_mt5, article, monkeypatch):
    monkeypatch.setenv("ZHNEWS_SUMMARIZER_MODEL", tiny_mt5)
    engine = TransformersSummarizer(num_beams=1, max_new_tokens=8, extractor=LeadExtractor())
    assert engine.model_name == tiny_mt5
    _within_budget(engine.summarize(article, max_chars=40), 40)


def test_batch_matches_one_by_one(tiny_mt5, article):
    documents = [
        article,
        make_document([(None, [CORPUS[6]])]),
        make_document([(None, [CORPUS[7] + CORPUS[9], CORPUS[10]])]),
    ]
    batched = TransformersSummarizer(model=tiny_mt5, batch_size=3, num_beams=2, max_new_tokens=12,
                                     extractor=LeadExtractor(), guard="off")
    single = TransformersSummarizer(model=tiny_mt5, batch_size=1, num_beams=2, max_new_tokens=12,
                                    extractor=LeadExtractor(), guard="off")
    calls = []
    original = batched.generate
    batched.generate = lambda texts, n: (calls.append(len(texts)), original(texts, n))[1]
    together = batched.summarize_many(documents, max_chars=80)
    assert calls == [3]                      # one generate call for the three documents
    raw_batched = original([d.body for d in documents], 12)
    raw_single = [single.generate([d.body], 12)[0] for d in documents]
    assert raw_batched == raw_single
    assert [s.text for s in together] == [single.summarize(d, max_chars=80).text for d in documents]


def test_long_input_is_extracted_then_generated(tiny_mt5, article):
    engine = TransformersSummarizer(model=tiny_mt5, max_input_tokens=40, num_beams=1, max_new_tokens=12,
                                    extractor=LeadExtractor())
    assert engine.count_tokens(article.body) > 40
    seen = []
    original = engine.generate
    engine.generate = lambda texts, n: (seen.extend(texts), original(texts, n))[1]
    summary = engine.summarize(article, max_chars=60)
    _within_budget(summary, 60)
    assert any("extract-then-generate" in note for note in summary.notes)
    (model_input,) = seen
    assert engine.count_tokens(model_input) <= 40
    # the input is made of whole source sentences, in document order, starting with the lead
    pieces = [p for p in model_input.split("\n") if p]
    assert pieces[0].startswith(article.sentences[0].text)
    positions = [article.text.index(p) for p in pieces]
    assert positions == sorted(positions)


def _fake_generation(engine, text):
    engine.generate = lambda texts, n: [text] * len(texts)


def test_number_guard_replaces_made_up_figure(engine, article, monkeypatch):
    monkeypatch.setattr(engine, "guard", "replace")
    _fake_generation(engine, "全区生产总值增长9.9%。新签约招商引资项目48个。")
    summary = engine.summarize(article, max_chars=200)
    first, second = summary.sentences
    assert first.origin == "replaced"
    assert first.flags == ["unsupported_number:9.9%"]
    assert article.text[first.start:first.end] == first.text
    assert first.text == article.sentences[0].text          # the best extractive sentence (lead here)
    assert second.origin == "generated" and second.flags == []
    assert second.text == "新签约招商引资项目48个。"
    assert article.text[second.start:second.end] == CORPUS[1]  # matched to its source sentence
    assert "9.9" not in summary.text
    assert any("number guard replaced" in n for n in summary.notes)


def test_number_guard_skips_sentences_already_used(engine, article, monkeypatch):
    monkeypatch.setattr(engine, "guard", "replace")
    # the generated sentence copies the lead: the replacement must be the next best sentence
    _fake_generation(engine, CORPUS[0] + "新增就业8888人。")
    summary = engine.summarize(article, max_chars=200)
    assert [s.origin for s in summary.sentences] == ["generated", "replaced"]
    assert summary.sentences[1].text == article.sentences[1].text
    assert summary.sentences[1].flags == ["unsupported_number:8888"]


def test_number_guard_flag_and_off(engine, article, monkeypatch):
    _fake_generation(engine, "全区生产总值增长9.9%。")
    monkeypatch.setattr(engine, "guard", "flag")
    flagged = engine.summarize(article, max_chars=200)
    assert flagged.sentences[0].origin == "generated"
    assert flagged.sentences[0].flags == ["unsupported_number:9.9%"]
    monkeypatch.setattr(engine, "guard", "off")
    assert engine.summarize(article, max_chars=200).sentences[0].flags == []


def test_number_guard_uses_embedded_engine(tiny_mt5, article):
    """Default extractor: the embedded engine, its trained ranker scoring whole sentences."""
    embedded = pytest.importorskip("service.summarization.embedded")

    extractor = embedded.EmbeddedSummarizer()
    engine = TransformersSummarizer(model=tiny_mt5, num_beams=1, max_new_tokens=8, extractor=extractor)
    ranking = engine.rank_sentences(article)
    assert sorted(id(s) for s, _ in ranking) == sorted(id(s) for s in article.sentences)
    _fake_generation(engine, "全区生产总值增长9.9%。")
    summary = engine.summarize(article, max_chars=200)
    (replaced,) = summary.sentences
    assert replaced.origin == "replaced" and replaced.text == ranking[0][0].text


def test_default_extractor_is_the_embedded_engine(tiny_mt5):
    engine = TransformersSummarizer(model=tiny_mt5, num_beams=1)
    extractor = engine._get_extractor()
    embedded = pytest.importorskip("service.summarization.embedded")
    assert isinstance(extractor, embedded.EmbeddedSummarizer)


def test_quantized_path(tiny_mt5, article):
    engine = TransformersSummarizer(model=tiny_mt5, quantize=True, num_beams=2, max_new_tokens=16,
                                    extractor=LeadExtractor())
    from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantLinear

    quantized = [m for m in engine.model.modules() if isinstance(m, DynamicQuantLinear)]
    assert quantized, "no Linear layer was quantized"
    assert not any(type(m) is torch.nn.Linear for m in engine.model.modules())
    summary = engine.summarize(article, max_chars=60)
    _within_budget(summary, 60)
    assert any("int8" in note for note in summary.notes)


def test_quantize_from_environment(tiny_mt5, monkeypatch):
    monkeypatch.setenv("ZHNEWS_QUANTIZE", "1")
    engine = TransformersSummarizer(model=tiny_mt5, extractor=LeadExtractor())
    assert engine.quantized


def test_budget_and_max_sentences(engine, article):
    _fake_generation(engine, "新签约招商引资项目48个。外贸进出口总额完成98.7亿元。重点项目完成投资74.5亿元。")
    two = engine.summarize(article, max_chars=200, max_sentences=2)
    assert len(two.sentences) == 2
    short = engine.summarize(article, max_chars=20)
    assert len(short.text) <= 20 and short.sentences
    cut = engine.summarize(article, max_chars=8)
    assert 0 < len(cut.text) <= 8


def test_empty_document(engine):
    summary = engine.summarize(Document(text="", sections=[]), max_chars=50)
    assert summary.text == "" and summary.sentences == [] and summary.notes


def test_missing_model_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("ZHNEWS_SUMMARIZER_MODEL", raising=False)
    with pytest.raises(ModelNotConfigured) as info:
        TransformersSummarizer()
    message = str(info.value)
    assert "ZHNEWS_SUMMARIZER_MODEL" in message and "models.train_summarizer" in message
    assert "hf download" in message


def test_hub_id_offline_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotAvailable) as info:
        TransformersSummarizer(model="zhnews-test/no-such-model-here")
    message = str(info.value)
    assert "zhnews-test/no-such-model-here" in message and "ZHNEWS_SUMMARIZER_MODEL" in message


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotAvailable, match="does not exist"):
        TransformersSummarizer(model=str(tmp_path / "nope"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelNotAvailable, match="cannot load"):
        TransformersSummarizer(model=str(empty))


def test_clean_and_split_generated_text():
    assert clean_generated("北 京 是 中 国 的 首 都 ， 增 长 10 . 7 % 。") == "北京是中国的首都，增长10.7%。"
    assert clean_generated("▁今年 收入 2665 亿元") == "今年收入2665亿元"
    assert split_generated("第一句。第二句！“引语。”\n。第三句") == ["第一句。", "第二句！", "“引语。”", "第三句"]
