"""The embedded (default) summarizer: budget, order, exact whole sentences, faithful numbers,
coverage, no duplicates, and the edge cases (empty, one sentence, no Chinese, tiny budget)."""
from __future__ import annotations

import pytest

from service.document import Document
from service.summarization import get_summarizer, summarize
from service.summarization.embedded import EmbeddedSummarizer
from service.summarization.numbers import unsupported_numbers
from service.summarization.plaindoc import document_from_text
from service.summarization.selection import clause_windows, cut_at_clause

POST = """---
title: 示范区去年经济运行稳中有进
---
2023年，滨江示范区经济运行稳中有进，主要指标保持较快增长。全年实现地区生产总值1,280.5亿元，同比增长6.8%。规模以上工业增加值增长9.2%，增速居全市第一。

一、工业生产

示范区工业生产保持较快增长，新能源装备、生物医药两大产业贡献突出。全年新增规模以上工业企业42户，净增35户。新能源装备产业产值达到315亿元，同比增长21.4%。生物医药产业产值完成206.7亿元，同比增长12.5%。

二、投资与消费

固定资产投资完成410亿元，同比增长7.1%，其中工业投资占比达到46.3%。社会消费品零售总额实现188亿元，同比增长5.5%。新开业商业综合体3个，夜间经济持续活跃。

三、对外开放

外贸进出口额达到96.4亿元，超目标任务8.2个百分点。实际利用外资1.35亿美元，新引进外资企业17家。跨境电商交易额同比增长63%，成为外贸新的增长点。

四、营商环境

示范区推行“一窗受理、集成服务”，企业开办时间压缩至1个工作日。全年为企业兑现扶持资金2.6亿元，惠及企业860户。市场主体总数突破5万户，比上年增加6000户。
"""


@pytest.fixture(scope="module")
def document() -> Document:
    from service.reader import read_post

    return read_post(POST)


@pytest.fixture(scope="module")
def engine() -> EmbeddedSummarizer:
    return EmbeddedSummarizer()


def _check_faithful(doc: Document, summary) -> None:
    whole = {(s.start, s.end) for s in doc.sentences}
    for s in summary.sentences:
        assert doc.text[s.start:s.end] == s.text
        if "cut_at_clause" not in s.flags and "cut" not in s.flags:
            assert (s.start, s.end) in whole, f"not a whole sentence: {s.text}"
        assert s.section is not None and 0 <= s.section < len(doc.sections)
    assert unsupported_numbers(summary.text, doc.text) == []


@pytest.mark.parametrize("budget", [40, 80, 150, 300])
def test_budget_order_exactness(document, engine, budget):
    summary = engine.summarize(document, max_chars=budget)
    assert summary.engine == "embedded"
    assert summary.text and len(summary.text) <= budget
    starts = [s.start for s in summary.sentences]
    assert starts == sorted(starts)
    _check_faithful(document, summary)
    assert summary.text == "".join(s.text for s in summary.sentences)


def test_max_sentences(document, engine):
    summary = engine.summarize(document, max_chars=1000, max_sentences=2)
    assert len(summary.sentences) == 2


@pytest.mark.parametrize("budget,at_least", [(150, 3), (300, 4)])
def test_coverage_across_sections(document, engine, budget, at_least):
    summary = engine.summarize(document, max_chars=budget)
    sections = {s.section for s in summary.sentences}
    assert len(sections) >= at_least, [s.text for s in summary.sentences]
    assert all(s.heading == document.sections[s.section].heading for s in summary.sentences)


def test_no_near_duplicates(engine):
    text = ("今年一季度全市地区生产总值同比增长5.6%，经济运行开局良好。"
            "今年一季度全市地区生产总值同比增长5.6%，经济运行开局良好！"
            "一季度全市生产总值同比增长5.6%，经济运行实现良好开局。"
            "农业生产形势稳定，春播进度快于去年同期。工业企业订单充足，用电量持续上升。"
            "消费市场逐步回暖，餐饮收入增长明显。外贸出口结构继续优化，机电产品占比提高。")
    doc = document_from_text(text)
    summary = engine.summarize(doc, max_chars=200)
    firsts = [s for s in summary.sentences if "5.6%" in s.text]
    assert len(firsts) == 1, [s.text for s in summary.sentences]


def test_tiny_budget_cuts_at_clause_with_note(document, engine):
    summary = engine.summarize(document, max_chars=14)
    assert summary.text and len(summary.text) <= 14
    assert any("cut" in n for n in summary.notes)
    assert any(f in ("cut_at_clause", "cut") for s in summary.sentences for f in s.flags)
    _check_faithful(document, summary)


def test_short_text_prefers_a_longer_clause_run_to_a_fragment(engine):
    # a short text (short regime) where the only whole sentence that fits is a 5-char fragment: a run
    # of clauses of a better sentence that fills more of the budget is returned instead
    text = ("一季度全市生产总值同比增长5.6%，工业增加值增长7.2%，社会消费品零售总额增长8.1%，经济运行实现良好开局。"
            "形势总体向好。"
            "外贸出口结构继续优化，机电产品出口占比提高到58.3%，民营企业出口增长12.4%，跨境电商快速发展。")
    doc = document_from_text(text)
    summary = engine.summarize(doc, max_chars=40)
    assert len(summary.text) <= 40 and len(summary.text) > len("形势总体向好。")
    assert summary.sentences[0].flags == ["cut_at_clause"]
    assert any("fill only" in n for n in summary.notes), summary.notes
    _check_faithful(doc, summary)
    # with the rule off (the long-text default), the whole fragment is kept
    from service.summarization.embedded import Weights

    plain = EmbeddedSummarizer(weights=Weights()).summarize(doc, max_chars=40)
    assert plain.text == "形势总体向好。"


def test_empty_document(engine):
    summary = engine.summarize(Document(text=""), max_chars=100)
    assert summary.text == "" and summary.sentences == []
    assert any("empty" in n for n in summary.notes)


def test_one_sentence(engine):
    doc = document_from_text("央行宣布下调存款准备金率0.5个百分点。")
    summary = engine.summarize(doc, max_chars=100)
    assert summary.text == "央行宣布下调存款准备金率0.5个百分点。"
    assert any("single sentence" in n for n in summary.notes)


def test_short_input_returned_whole(engine):
    doc = document_from_text("今天股市上涨。成交量放大。")
    summary = engine.summarize(doc, max_chars=100)
    assert summary.text == "今天股市上涨。成交量放大。"
    assert any("shorter than the budget" in n for n in summary.notes)


def test_no_chinese(engine):
    doc = document_from_text("The central bank cut rates by 25 basis points on Monday. Markets rallied. "
                             "Analysts expect another cut later this year. Bond yields fell to 3.1%.")
    summary = engine.summarize(doc, max_chars=80)
    assert summary.text and len(summary.text) <= 80
    assert any("no Chinese" in n for n in summary.notes)
    _check_faithful(doc, summary)


def test_summarize_entry_point_and_key_figures():
    summary = summarize(POST, max_chars=120)
    assert summary.engine == "embedded" and len(summary.text) <= 120
    assert get_summarizer("embedded") is get_summarizer("embedded")
    values = {(f.indicator, f.value, f.unit) for f in summary.key_figures}
    assert ("外贸进出口额", "96.4", "亿元") in values


def test_long_document_prefilter(engine, monkeypatch):
    import service.summarization.embedded as embedded

    monkeypatch.setattr(embedded, "MAX_CANDIDATES", 40)
    sentences = [f"第{i}号项目完成投资{i}.5亿元，带动就业{i * 10}人。" for i in range(1, 90)]
    doc = document_from_text("".join(sentences))
    summary = engine.summarize(doc, max_chars=150)
    assert len(summary.text) <= 150
    assert any("prefiltered" in n for n in summary.notes)
    _check_faithful(doc, summary)


def test_cut_at_clause_keeps_numbers_whole():
    assert cut_at_clause("收入1,280.5亿元，同比增长6.8%，增速第一", 12) == "收入1,280.5亿元"
    assert cut_at_clause("收入1,280.5亿元同比增长", 7) == "收入"
    assert cut_at_clause("短句", 10) == "短句"
    assert cut_at_clause("任何文本", 0) == ""
    text = "甲乙，丙丁戊，己庚"
    assert [text[a:b] for a, b in clause_windows(text, 5)] == ["甲乙", "丙丁戊", "己庚"]
    assert ("丙丁戊，己庚" not in [text[a:b] for a, b in clause_windows(text, 5)])
    assert [text[a:b] for a, b in clause_windows(text, 6)] == ["甲乙", "甲乙，丙丁戊", "丙丁戊", "丙丁戊，己庚", "己庚"]


def test_refill_swaps_for_a_better_filled_budget():
    import numpy as np

    from service.summarization.selection import refill

    texts = ["甲" * 30 + "。", "乙" * 25 + "。", "丙" * 60 + "。", "丁" * 35 + "。"]
    scores = np.array([1.0, 0.9, 0.8, 0.1], dtype=np.float32)
    emb = np.eye(4, dtype=np.float32)
    # greedy took 0 and 1 (57 of 100 chars); 0 + 2 fills 92 and is worth it at fill weight 2
    assert refill([0, 1], scores, emb, texts, [0] * 4, 100, fill=2.0) == [0, 2]
    assert refill([0, 1], scores, emb, texts, [0] * 4, 100, fill=0.0) == [0, 1]
    # never over budget, never more than max_sentences, near duplicates never together
    assert refill([0], scores, emb, texts, [0] * 4, 40, fill=5.0) == [0]
    assert len(refill([0, 1], scores, emb, texts, [0] * 4, 200, max_sentences=2, fill=5.0)) == 2
    dup = ["甲乙丙丁戊己庚辛壬癸。", "甲乙丙丁戊己庚辛壬癸！", "子丑寅卯辰巳午未申酉戌亥。"]
    assert refill([0], np.array([1.0, 1.0, -5.0]), np.eye(3, dtype=np.float32), dup, [0] * 3, 100,
                  fill=5.0) in ([0, 2], [0])


def test_each_kind_of_text_gets_its_own_weights(engine):
    from service.summarization import regimes
    from service.summarization.embedded import Weights
    from service.summarization.plaindoc import document_from_text

    brief = document_from_text("本报讯 今年以来，全市新增市场主体1.2万户。其中企业4300户，同比增长12%。")
    news = document_from_text("今年以来，我市坚持项目为王，新开工重大项目86个，完成投资420亿元。" * 12)
    report = document_from_text("事件：公司发布2025年年报，实现营业收入52.3亿元，同比+18.6%；归母净利润6.1亿元，"
                                "同比+22.4%。25Q4单季毛利率31.2%。我们预计公司2026年EPS为1.35元，维持“买入”评级。" * 5)
    assert [regimes.regime(d) for d in (brief, news, report)] == [regimes.SHORT, regimes.LONG, regimes.REPORT]
    assert engine.weights_for(brief).tau == regimes.OVERRIDES[regimes.SHORT]["tau"]
    assert engine.weights_for(news) == Weights()
    assert engine.weights_for(report) == Weights(**regimes.OVERRIDES[regimes.REPORT])
    assert engine.weights_for(report) != Weights()
    custom = Weights(tau=7.0)
    assert all(EmbeddedSummarizer(weights=custom).weights_for(d) is custom for d in (brief, news, report))


def test_fullwidth_indent_starts_a_paragraph_in_plain_text():
    text = "　　核心观点　　事件：公司发布年报，营业收入增长12%。利润率提升。\n　　第二段，订单充足。"
    doc = document_from_text(text)
    paragraphs = doc.sections[0].paragraphs
    assert [p.text for p in paragraphs] == ["核心观点", "事件：公司发布年报，营业收入增长12%。利润率提升。", "第二段，订单充足。"]
    assert all(doc.text[p.start:p.end] == p.text for p in paragraphs)
    assert [s.paragraph for s in doc.sentences] == [0, 1, 1, 2]


def test_report_regime_covers_paragraphs():
    from service.summarization import regimes

    paragraphs = ["事件：公司发布2025年年报，实现营业收入52.3亿元，同比+18.6%；归母净利润6.1亿元，同比+22.4%。"
                  "25Q4单季毛利率31.2%，环比提升1.5pct。四季度费用率保持稳定。",
                  "储能业务放量，出货量同比翻倍。海外订单占比提升至35%，盈利能力强于国内。",
                  "新建基地按计划投产，年产能达到20GWh。我们预计公司2026年EPS为1.35元，维持“买入”评级。"]
    doc = document_from_text("\n".join(paragraphs * 3))
    assert regimes.regime(doc) == regimes.REPORT
    summary = EmbeddedSummarizer(key_figures=False).summarize(doc, max_chars=90)
    assert summary.text and len(summary.text) <= 90
    assert any("research report" in n for n in summary.notes)
    news = document_from_text("今年以来，我市坚持项目为王，新开工重大项目86个，完成投资420亿元。" * 12)
    assert not any("research report" in n for n in EmbeddedSummarizer(key_figures=False).summarize(news, 60).notes)
    _check_faithful(doc, summary)
