"""The three code entry points promised to users: `from service import analyze, summarize, classify,
read_post` gives the functions (not same-named subpackages), and they work on a post we wrote."""
import service
from service import Summary, Tag, analyze, classify, read_post, summarize

POST = """---
title: 示例：开发区一季度经济运行平稳
date: 2024-04-02 09:00:00 +0800
---
<p>今年一季度，示例开发区规模以上工业总产值完成312.5亿元，同比增长9.8%。</p>
<p>招商引资</p>
<p>一季度新签约项目18个，协议投资额106亿元，实际利用外资2300万美元。</p>
"""


def test_entry_points_are_functions():
    for name in ("analyze", "summarize", "classify", "read_post"):
        assert callable(getattr(service, name)), name
        assert getattr(service, name).__module__.startswith("service."), name


def test_entry_points_work_together():
    document = read_post(POST)
    summary = summarize(document, max_chars=60)
    assert isinstance(summary, Summary) and summary.text
    assert len(summary.text) <= 60
    tags = classify([s.text for s in document.sections], headings=[s.heading for s in document.sections])
    assert len(tags) == len(document.sections) and all(isinstance(t, Tag) for row in tags for t in row)
    assert analyze(POST).to_dict()["summary"]["text"] == summarize(POST).text


def test_empty_text_is_an_empty_summary_with_a_note():
    summary = summarize("  \n")
    assert summary.text == "" and summary.sentences == []
    assert any("empty" in note for note in summary.notes)
