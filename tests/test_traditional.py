"""Traditional Chinese: read through a simplified view of the same length, answered in the user's own
text. The posts are written for this test."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service import analyze, read_post, summarize
from service.options import OptionError
from service.reader.script import convert, detect

ROOT = Path(__file__).resolve().parent.parent
SIMPLIFIED = """---
title: 滨江产业园一季度营收增长12.5%
date: 2024-03-18
---
<p>今年一季度，滨江产业园实现营业收入486亿元，同比增长12.5%，规模以上工业增加值增长9.8%。园区负责人表示，主要指标保持稳中有进。</p>
<p>产业升级 新能源项目加快落地</p>
<p>一季度，园区新签约项目27个，协议投资额312亿元，其中新能源电池、储能设备等项目占比超过六成。年产20万套储能系统的一期工厂已完成主体建设。</p>
<p>优化服务 审批时间大幅压缩</p>
<p>为提升营商环境，园区推行“拿地即开工”审批模式，审批时间由原来的90个工作日压缩至15个工作日。一季度共为企业办理各类审批事项1260件，办结率达到100%。</p>
<p>下一步，园区将继续围绕主导产业招大引强，力争全年营业收入突破2000亿元，同比增长10个百分点以上。</p>
"""
TRADITIONAL = """---
title: 濱江產業園一季度營收增長12.5%
date: 2024-03-18
---
<p>今年一季度，濱江產業園實現營業收入486億元，同比增長12.5%，規模以上工業增加值增長9.8%。園區負責人表示，主要指標保持穩中有進。</p>
<p>產業升級 新能源項目加快落地</p>
<p>一季度，園區新簽約項目27個，協議投資額312億元，其中新能源電池、儲能設備等項目佔比超過六成。年產20萬套儲能系統的一期工廠已完成主體建設。</p>
<p>優化服務 審批時間大幅壓縮</p>
<p>為提升營商環境，園區推行「拿地即開工」審批模式，審批時間由原來的90個工作日壓縮至15個工作日。一季度共為企業辦理各類審批事項1260件，辦結率達到100%。</p>
<p>下一步，園區將繼續圍繞主導產業招大引強，力爭全年營業收入突破2000億元，同比增長10個百分點以上。</p>
"""


def test_the_script_is_detected():
    assert detect(SIMPLIFIED) == "simplified"
    assert detect(TRADITIONAL) == "traditional"
    assert detect(SIMPLIFIED[:200] + TRADITIONAL[200:]) == "mixed"
    assert detect("GDP rose 5%.") == "none"


def test_the_view_keeps_every_offset():
    document = read_post(TRADITIONAL)
    assert document.script == "traditional" and document.view is not None
    assert len(document.text) == len(document.view.text)
    assert document.title == "濱江產業園一季度營收增長12.5%"
    assert [s.heading for s in document.sections] == [None, "產業升級 新能源項目加快落地", "優化服務 審批時間大幅壓縮", None]
    for written, viewed in zip(document.sentences, document.view.sentences):
        assert (written.start, written.end) == (viewed.start, viewed.end)
        assert document.text[written.start:written.end] == written.text
        assert convert(written.text, "t2s") == viewed.text


def test_a_traditional_post_is_answered_in_its_own_words():
    simplified, traditional = analyze(SIMPLIFIED), analyze(TRADITIONAL)
    record = traditional.to_dict(include_text=True)
    assert record["script"] == "traditional"
    for piece in record["summary"]["sentences"]:
        assert record["text"][piece["start"]:piece["end"]] == piece["text"]
        assert piece["text"] in TRADITIONAL
    assert all(p["text"] in record["summary"]["text"] for p in record["summary"]["sentences"])
    for section in record["sections"]:
        if section["summary"]:
            assert section["summary"]["text"] in TRADITIONAL
    # the models saw the same post: the same tags, the same figures
    assert [t[0].id for t in traditional.section_tags] == [t[0].id for t in simplified.section_tags]
    assert len(traditional.key_figures) == len(simplified.key_figures)
    units = {f["unit"] for f in record["key_figures"]}
    assert {"億元", "個"} <= units
    for figure in record["key_figures"]:
        assert figure["sentence"] in TRADITIONAL and record["text"][figure["start"]:figure["end"]] == figure["value"]
        for field in ("indicator", "unit", "change"):
            assert figure[field] is None or figure[field] in figure["sentence"]
    assert "營商環境" in {t["name"] for s in record["sections"] for t in s["tags"]}   # tag names follow the post


def test_summarize_entry_point_answers_as_written():
    summary = summarize(TRADITIONAL, max_chars=80)
    assert summary.text and all(piece.text in TRADITIONAL for piece in summary.sentences)


def test_mixed_script_input_works():
    mixed = SIMPLIFIED.split("<p>产业升级")[0] + "<p>產業升級" + TRADITIONAL.split("<p>產業升級")[1]
    record = analyze(mixed).to_dict(include_text=True)
    assert record["script"] == "mixed"
    for piece in record["summary"]["sentences"]:
        assert piece["text"] in mixed and record["text"][piece["start"]:piece["end"]] == piece["text"]
    assert len(record["key_figures"]) == len(analyze(SIMPLIFIED).key_figures)


@pytest.mark.parametrize("script, source, check", [
    ("simplified", TRADITIONAL, lambda text: convert(text, "t2s") == text),
    ("traditional", SIMPLIFIED, lambda text: convert(text, "s2t") == text),
])
def test_output_in_the_script_asked_for(script, source, check):
    as_written = analyze(source).to_dict(include_text=True)
    record = analyze(source, script=script).to_dict(include_text=True)
    assert record["output_script"] == script
    assert check(record["summary"]["text"]) and record["summary"]["text"] != as_written["summary"]["text"]
    for piece in record["summary"]["sentences"]:
        assert record["text"][piece["start"]:piece["end"]] == piece["text"]     # the offsets still hold
    assert all(check(t["name"]) for s in record["sections"] for t in s["tags"])


def test_a_bad_script_is_refused():
    with pytest.raises(OptionError, match="script"):
        analyze(SIMPLIFIED, script="cyrillic")


def test_big5_file_and_the_batch_script_option(tmp_path):
    post = tmp_path / "big5.md"
    post.write_bytes(TRADITIONAL.replace("「", "“").replace("」", "”").encode("big5", errors="strict"))
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "service.batch", str(post), "-o", str(out), "--no-progress",
                           "--script", "simplified"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert record["script"] == "traditional" and record["output_script"] == "simplified"
    assert "营业收入" in record["summary"]["text"]
