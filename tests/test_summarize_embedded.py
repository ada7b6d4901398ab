"""The embedded (default) summarizer, the trained ranker as shipped in models/artifacts: budget,
order, exact text, flagged clause runs, faithful numbers, coverage, no duplicates, section lines, the
filtered kinds of text, and the edge cases (empty, one sentence, no Chinese, tiny budget)."""
from __future__ import annotations

import pytest

from service import analyze
from service.document import Document
from service.summarization import get_summarizer, summarize
from service.summarization.embedded import EmbeddedSummarizer
from service.summarization.numbers import unsupported_numbers
from service.summarization.plaindoc import document_from_text
from service.summarization.selection import cut_at_clause, joiner

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
    # pieces are joined as written; a piece that ends mid-sentence (a clause run) is followed by a space
    joined = ""
    for s in summary.sentences:
        joined += joiner(joined) + s.text if joined else s.text
    assert summary.text == joined


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
    values = {(f.indicator, f.value, f.unit) for f in analyze(POST).key_figures}   # key figures are the pipeline's own stage
    assert ("外贸进出口额", "96.4", "亿元") in values


def test_cut_at_clause_keeps_numbers_whole():
    assert cut_at_clause("收入1,280.5亿元，同比增长6.8%，增速第一", 12) == "收入1,280.5亿元"
    assert cut_at_clause("收入1,280.5亿元同比增长", 7) == "收入"
    assert cut_at_clause("短句", 10) == "短句"
    assert cut_at_clause("任何文本", 0) == ""


def test_fullwidth_indent_starts_a_paragraph_in_plain_text():
    text = "　　核心观点　　事件：公司发布年报，营业收入增长12%。利润率提升。\n　　第二段，订单充足。"
    doc = document_from_text(text)
    paragraphs = doc.sections[0].paragraphs
    assert [p.text for p in paragraphs] == ["核心观点", "事件：公司发布年报，营业收入增长12%。利润率提升。", "第二段，订单充足。"]
    assert all(doc.text[p.start:p.end] == p.text for p in paragraphs)
    assert [s.paragraph for s in doc.sentences] == [0, 1, 1, 2]




def _check_pieces(doc: Document, summary) -> None:
    """Every piece is exact text; a piece that is not a whole sentence is flagged and noted."""
    whole = {(x.start, x.end) for x in doc.sentences}
    for piece in summary.sentences:
        assert doc.text[piece.start:piece.end] == piece.text
        if (piece.start, piece.end) not in whole:
            assert piece.flags and piece.flags[0] in ("cut_at_clause", "cut"), piece
            assert any("clause" in n or "cut" in n for n in summary.notes)


def test_headline_budget_takes_the_event_not_the_time_phrase(engine):
    text = ("7月20日晚间，星海科技发布公告称，公司拟以12亿元收购云帆电子60%股权。本次交易完成后，云帆电子将成为公司控股子公司。"
            "公告显示，云帆电子主要从事车载显示模组的研发和生产。")
    doc = document_from_text(text)
    summary = engine.summarize(doc, max_chars=30)
    assert summary.text and len(summary.text) <= 30
    assert not summary.text.startswith("7月20日")
    _check_pieces(doc, summary)
    assert unsupported_numbers(summary.text, doc.text) == []


def test_clause_runs_never_split_numbers_titles_or_quotes():
    from service.summarization.candidates import clause_spans

    text = "收入1,280.5亿元，《关于促进消费、扩大内需的意见》印发，他说“稳增长、防风险”，比例3:1"
    pieces = [text[a:b] for a, b in clause_spans(text)]
    assert pieces == ["收入1,280.5亿元", "《关于促进消费、扩大内需的意见》印发", "他说“稳增长、防风险”", "比例3:1"]


def test_procedural_header_byline_and_dangling_text_is_not_chosen(engine):
    from service.reader import read_post

    text = ("各位代表：\n\n现在，我代表市人民政府，向大会作政府工作报告，请予审议。\n\n"
            "一、过去一年工作回顾\n\n"
            "过去一年，全市地区生产总值达到3260亿元，增长6.1%。其中第三产业增加值增长7.4%，对增长的贡献率超过六成。"
            "此前，全市已连续三年保持中高速增长。\n\n"
            "二、今年主要目标\n\n"
            "今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇新增就业5万人以上。"
            "二是持续扩大有效投资，重大项目完成投资800亿元。\n")
    doc = read_post(text)
    for budget in (40, 80, 150):
        summary = engine.summarize(doc, max_chars=budget)
        assert summary.text and len(summary.text) <= budget
        for bad in ("请予审议", "我代表", "各位代表", "此前", "二是", "其中第三产业"):
            assert bad not in summary.text, (budget, summary.text)
        _check_pieces(doc, summary)


def test_every_section_gets_one_line(document, engine):
    summary = engine.summarize(document, max_chars=150)
    lines = summary.section_summaries
    assert len(lines) == len(document.sections)
    for section, line in zip(document.sections, lines):
        assert line is not None
        assert document.text[line.start:line.end] == line.text
        assert section.start <= line.start and line.end <= section.end
        assert len(line.text) <= engine.section_chars
        assert unsupported_numbers(line.text, document.text) == []


def test_settings_come_from_the_artifact(engine):
    import json

    from service.summarization.ranker import ARTIFACTS, DEFAULT

    meta = json.loads((ARTIFACTS / f"{DEFAULT}.json").read_text(encoding="utf-8"))
    assert engine.shortlist == meta["selection"]["shortlist"]
    assert engine.section_chars == meta["selection"]["section_chars"]
    assert (ARTIFACTS / f"{DEFAULT}.md").exists()   # the model card


def test_long_document_shortlist_keeps_cost_bounded(engine):
    sentences = [f"第{i}号项目完成投资{i}.5亿元，带动就业{i * 10}人，建设进度超过计划。" for i in range(1, 400)]
    doc = document_from_text("".join(sentences))
    cands = engine.candidates(doc, engine.ranker.index(doc), 150)
    opened = {c.sentence for c in cands if not c.whole}
    assert len(opened) <= engine.shortlist + len(doc.sections)
    summary = engine.summarize(doc, max_chars=150)
    assert 0 < len(summary.text) <= 150
    _check_pieces(doc, summary)


def test_missing_artifact_is_a_clear_error(tmp_path):
    from service.summarization.ranker import ArtifactError

    with pytest.raises(ArtifactError, match="not found"):
        EmbeddedSummarizer(str(tmp_path / "nothing"))


def test_long_budgets_take_whole_sentences_or_sentence_openings(document, engine):
    summary = engine.summarize(document, max_chars=150)
    starts = {x.start for x in document.sentences}
    for piece in summary.sentences:
        assert piece.start in starts, piece      # a run of clauses here always starts its sentence
        if piece.flags:
            assert len(piece.text) >= engine.run_min_share * 150


def test_sectioned_document_takes_one_piece_per_section(document, engine):
    assert len(document.sections) >= engine.one_per_section
    summary = engine.summarize(document, max_chars=300)
    sections = [x.section for x in summary.sentences]
    assert len(sections) == len(set(sections)) and len(sections) >= 2


def test_long_document_with_figures_gets_one(engine):
    prose = ["全市上下坚持稳中求进工作总基调，统筹推进各项工作，经济社会发展取得新的成效。",
             "我们坚持以人民为中心的发展思想，着力保障和改善民生，群众获得感持续增强。",
             "各级政府部门认真落实中央决策部署，推动高质量发展迈出坚实步伐。"]
    text = "".join(prose * 9) + "全年地区生产总值增长6.2%，城镇新增就业4.1万人。" + "".join(prose * 3)
    doc = document_from_text(text)
    assert len(doc.text) >= engine.figure_document
    summary = engine.summarize(doc, max_chars=120)
    assert any(ch.isdigit() for ch in summary.text), summary.text
    assert unsupported_numbers(summary.text, doc.text) == []


def test_text_with_nothing_fit_for_a_summary_gives_an_empty_one_with_a_note(engine):
    rows = "\n".join(f"2026/{m}/1{d} {m}{d}.5 {d}{m}.25 {m * d}" for m in range(1, 7) for d in range(1, 6))
    summary = engine.summarize(document_from_text(rows), max_chars=80)
    assert summary.text == "" and any("not fit for a summary" in n or "no sentence" in n for n in summary.notes)


def test_figure_is_found_outside_the_shortlist():
    """A long document whose figures are all in sentences the shortlist left out still gets one."""
    words = ["坚持稳中求进工作总基调", "深化改革扩大开放", "推动高质量发展", "保障和改善民生", "加强生态文明建设",
             "统筹发展和安全", "凝聚各方面力量", "增强发展内生动力"]
    sentences = [f"我们要{words[i % 8]}，{words[(i + 3) % 8]}，切实把各项工作落到实处。" for i in range(60)]
    sentences.insert(45, "全年新增城镇就业1200万人以上。")
    doc = document_from_text("".join(sentences))
    engine = EmbeddedSummarizer()
    engine.shortlist = 1                       # the figure's sentence is certainly not in it
    summary = engine.summarize(doc, max_chars=120)
    assert "1200" in summary.text
    _check_pieces(doc, summary)
