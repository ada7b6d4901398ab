"""service.analyze(): one call from a post to metadata, summary, tagged sections and key figures."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from service import Analysis, ReadError, analyze
from service.pipeline import SCHEMA_VERSION, InputTooLarge

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "service" / "examples").glob("*.md"))
INDUSTRY = next(p for p in EXAMPLES if "industrial" in p.name)
SCHOOL = next(p for p in EXAMPLES if "school" in p.name)


@pytest.fixture(scope="module")
def industry() -> Analysis:
    return analyze(INDUSTRY)


def test_examples_are_present():
    assert len(EXAMPLES) >= 2


def test_analyze_path_gives_metadata_summary_sections_tags(industry):
    record = industry.to_dict()
    json.dumps(record)  # JSON-ready
    assert record["version"] == SCHEMA_VERSION
    assert record["path"] == str(INDUSTRY)
    assert record["title"].startswith("滨江产业园")
    assert record["date"].startswith("2024-03-18")
    assert record["summary"]["text"]
    assert record["summary"]["engine"] == "embedded"
    assert record["sections"] and all(s["tags"] for s in record["sections"])
    for tag in record["sections"][0]["tags"]:
        assert set(tag) == {"id", "name", "score"} and isinstance(tag["score"], float)
    headings = [s["heading"] for s in record["sections"]]
    assert any(h and "产业升级" in h for h in headings)
    assert record["topics"] and record["topics"][0]["name"]
    assert set(record["timings_ms"]) == {"read", "summarize", "key_figures", "tag", "total"}
    assert "text" not in record and all("text" not in s for s in record["sections"])


def test_summary_sentences_point_into_the_text(industry):
    text = industry.document.text
    record = industry.to_dict(include_text=True)
    assert record["text"] == text
    for s in record["summary"]["sentences"]:
        if s["origin"] == "extracted":
            assert text[s["start"]:s["end"]] == s["text"]
            section = record["sections"][s["section"]]
            assert section["start"] <= s["start"] and s["end"] <= section["end"]


def test_every_section_has_a_one_line_summary(industry):
    text = industry.document.text
    record = industry.to_dict()
    for section in record["sections"]:
        line = section["summary"]
        assert line is not None and line["text"], section
        assert text[line["start"]:line["end"]] == line["text"]
        assert section["start"] <= line["start"] and line["end"] <= section["end"]
        assert isinstance(line["flags"], list)


def test_section_lines_for_an_engine_that_writes_none(monkeypatch):
    """The transformers engine writes no section lines; analyze() fills them with the embedded engine's."""
    from service.summarization.base import Summary

    import service.summarization as summarization

    monkeypatch.setattr(summarization, "summarize", lambda *a, **k: Summary(text="x", sentences=[], engine="stub"))
    record = analyze(INDUSTRY).to_dict()
    assert all(s["summary"] and s["summary"]["text"] for s in record["sections"])


def test_key_figures_are_plain_dicts(industry):
    figures = industry.to_dict()["key_figures"]
    assert figures, "the industry example has figures (486亿元, 12.5%)"
    assert any(f["value"] == "486" for f in figures)
    assert {"indicator", "value", "unit", "change", "sentence"} <= set(figures[0])


def test_analyze_text_with_path_and_length():
    text = SCHOOL.read_text(encoding="utf-8")
    result = analyze(text, path="upload/school.md", max_chars=60)
    assert result.path == "upload/school.md"
    assert result.document.digest  # the "> " line
    assert len(result.summary.text) <= 60 or result.summary.notes
    assert len(result.section_tags) == len(result.document.sections)


def test_analyze_document_and_plain_text():
    from service.reader import read_post

    doc = read_post(SCHOOL)
    assert analyze(doc).summary.text
    plain = analyze("今天上午，市图书馆新馆正式开放，馆内藏书超过一百万册。市民可以免费办理借阅证。"
                    "新馆还设有少儿阅览区和自习区，每天开放十二个小时。")
    assert plain.to_dict()["title"] is None and plain.summary.text


@pytest.mark.parametrize("bad", [b"", b"   \n\n", b"\x00\x01\x02binary" * 20])
def test_unreadable_posts_raise_read_error(tmp_path, bad):
    path = tmp_path / "bad.md"
    path.write_bytes(bad)
    with pytest.raises(ReadError):
        analyze(path)


def test_oversized_input_is_refused(monkeypatch):
    monkeypatch.setenv("ZHNEWS_MAX_INPUT_CHARS", "1000")
    with pytest.raises(InputTooLarge, match="limit is 1,000"):
        analyze("新闻。" * 600)


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        analyze(tmp_path / "missing.md")


def test_a_str_is_text_even_when_it_names_a_file():
    # text from a user is never opened: not an existing file, not a relative path, not a missing one
    for probe in ("/etc/passwd", "../../../../etc/passwd", str(INDUSTRY), "service/config.py"):
        record = analyze(probe).to_dict(include_text=True)
        assert record["path"] is None and record["encoding"] is None
        assert record["text"] == probe


def test_path_records_its_encoding(tmp_path):
    path = tmp_path / "gbk.md"
    path.write_bytes("---\ntitle: 编码\n---\n园区今年新增投资12亿元。\n".encode("gbk"))
    assert analyze(path).to_dict()["encoding"] == "gb18030"


def test_tagset_setting_changes_the_tags(monkeypatch):
    tagset = Path(__file__).resolve().parent.parent / "models" / "tagsets" / "finnl_fincuge.yaml"
    default = {t.name for tags in analyze(INDUSTRY).section_tags for t in tags}
    monkeypatch.setenv("ZHNEWS_TAGSET", str(tagset))
    result = analyze(INDUSTRY)
    custom = {t.name for tags in result.section_tags for t in tags}
    assert custom and not custom & default
    assert result.tagger == "zero-shot"         # what ran, not the engine asked for
    assert custom <= {"公司", "行业", "大盘", "中国", "外国", "国际", "经济", "政策", "政治", "期货", "债券",
                      "房地产", "外汇", "虚拟货币", "新冠", "能源", "其它"}
