"""read_post on posts written for these tests, in the users' formats (fixtures/posts), plus encodings,
errors and size."""
import codecs
import time
from pathlib import Path

import pytest

from service.document import Document, ReadError
from service.reader import read_post

POSTS = Path(__file__).parent / "fixtures" / "posts"


def check_invariants(doc: Document) -> None:
    """Offsets slice back, indexes are filled, every section has paragraphs."""
    assert doc.sections
    lines = doc.text.split("\n")
    assert all(line.strip() == line and line for line in lines)
    for i, section in enumerate(doc.sections):
        assert section.index == i and section.paragraphs
        assert section.role in ("lead", "body", "closing", "procedural")
        if section.heading_span:
            a, b = section.heading_span
            assert doc.text[a:b].replace("\n", " ").strip()
        for j, paragraph in enumerate(section.paragraphs):
            assert doc.text[paragraph.start:paragraph.end] == paragraph.text
            for sentence in paragraph.sentences:
                assert doc.text[sentence.start:sentence.end] == sentence.text
                assert paragraph.start <= sentence.start < sentence.end <= paragraph.end
                assert (sentence.section, sentence.paragraph) == (i, j)
    heading_lines = {doc.text[a:b] for s in doc.sections if s.heading_span for a, b in [s.heading_span]}
    assert not any(sent.text in heading_lines for sent in doc.sentences)


def test_html_post_with_front_matter_digest_and_boilerplate():
    doc = read_post(POSTS / "html_headings.md")
    check_invariants(doc)
    assert doc.title == "滇池新区一季度经济开局良好 数字产业增长迅速"
    assert doc.date == "2023-04-12T08:30:00+08:00"
    assert doc.categories == ["citynews"] and doc.tags == ["城市日报新闻"]
    assert doc.metadata == {"layout": "post", "author": "测试编辑"}
    assert doc.digest.startswith("一季度，滇池新区地区生产总值")
    assert doc.source == "城市日报"
    assert doc.source_url == "http://example.com/news/20230412001.html"
    assert doc.byline == "本报记者 王小明 李青"
    assert doc.path == str(POSTS / "html_headings.md")
    # boilerplate is out of the body
    for junk in ("http", "返回", "文章来源", "本报记者", "图片来源", "comment", "<", "一季度，滇池新区地区生产总值同比"):
        assert junk not in doc.text
    assert "&" in doc.text and "&amp;" not in doc.text           # entity decoded
    assert "企业满意度达到96.5分" in doc.text                      # stray span dropped, text kept
    # sections: lead, two merged heading lines, <strong> heading, <h2> heading, closing
    assert [(s.role, s.heading) for s in doc.sections] == [
        ("lead", None), ("body", "数字产业 规模持续扩大"), ("body", "营商环境"),
        ("body", "下一阶段任务"), ("closing", None)]
    merged = doc.sections[1]
    assert doc.text[merged.heading_span[0]:merged.heading_span[1]] == "数字产业\n规模持续扩大"
    # <br> splits a paragraph
    assert [p.text[:4] for p in merged.paragraphs] == ["一季度，", "新区还引", "园区孵化"]
    assert doc.sections[-1].paragraphs[0].text.startswith("下一步")


def test_markdown_post():
    doc = read_post(POSTS / "markdown.md")
    check_invariants(doc)
    assert doc.date == "2023-05-08"
    assert doc.categories == ["汽车", "产业"] and doc.tags == ["新能源", "出口"]
    assert doc.metadata == {"source_site": "示例财经", "draft": False}
    assert doc.byline == "记者 赵一鸣" and doc.source == "新华社"
    assert [s.heading for s in doc.sections] == [None, "出口结构", "行业展望"]
    assert doc.sections[0].paragraphs[0].text.startswith("记者从行业协会获悉")
    assert "**" not in doc.text and "](" not in doc.text and "![" not in doc.text
    assert "九成以上" in doc.text and "协会网站" in doc.text
    assert "纯电动车型出口9.8万辆。" in [p.text for p in doc.paragraphs]


def test_plain_text_with_numbered_headings():
    doc = read_post(POSTS / "plain_numbered.txt")
    check_invariants(doc)
    assert doc.title is None and doc.date is None
    headings = [s.heading for s in doc.sections]
    # the opening formulas (各位代表：, …请予审议) are a section of their own, for summary and tags to skip
    assert headings[0] is None and doc.sections[0].role == "procedural"
    assert [p.text for p in doc.sections[0].paragraphs] == ["各位代表：", "现在，我向大会报告本市的工作，请予审议。"]
    assert "一、过去一年工作回顾" in headings
    assert "二、今年的主要任务 （一）扩大有效投资" in headings      # two heading lines in a row
    assert "（二）提振消费需求" in headings
    # a short real sentence is not a heading
    assert "现在，我向大会报告本市的工作，请予审议。" in [p.text for p in doc.paragraphs]


def test_full_width_space_paragraphs():
    doc = read_post(POSTS / "fullwidth.txt")
    check_invariants(doc)
    assert [p.text[:4] for p in doc.paragraphs] == ["公司发布", "分业务看", "风险提示"]
    assert doc.sections[0].heading == "核心观点"
    assert "\u3000" not in doc.text


def test_post_without_headings_gets_lead_and_body():
    doc = read_post(POSTS / "no_headings.txt")
    check_invariants(doc)
    assert [(s.role, s.heading, len(s.paragraphs)) for s in doc.sections] == [("lead", None, 1), ("body", None, 3)]


def test_long_post_without_headings_is_grouped():
    paragraph = "园区今年新增项目投资12.5亿元，同比增长8.3%，其中产业项目占比超过六成。" * 6
    doc = read_post("\n\n".join([paragraph] * 20))
    check_invariants(doc)
    assert doc.sections[0].role == "lead" and len(doc.sections[0].paragraphs) == 1
    assert 3 <= len(doc.sections) <= 12
    assert all(s.heading is None for s in doc.sections)


def test_text_source_and_plain_one_paragraph():
    doc = read_post("融信中国公告，公司已回购票据。本公司将继续监察市场状况。")
    check_invariants(doc)
    assert doc.path is None
    assert [s.text for s in doc.sentences] == ["融信中国公告，公司已回购票据。", "本公司将继续监察市场状况。"]


def test_path_text_and_bytes(tmp_path):
    post = tmp_path / "p.md"
    post.write_text("---\ntitle: T\n---\n正文一句。\n", encoding="utf-8")
    assert read_post(post).path == str(post)
    assert read_post(post).encoding == "utf-8"
    assert read_post(post.read_bytes()).title == "T"
    # a str is always the post's text, even when it names an existing file: never opened
    doc = read_post(str(post))
    assert doc.path is None and doc.encoding is None
    assert doc.sentences[0].text == str(post)
    assert read_post("/etc/passwd").text == "/etc/passwd"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings(tmp_path, encoding):
    text = "---\ntitle: 编码测试\ndate: 2023-01-02\n---\n<p>昆明高新区主营业务收入达2665亿元。</p>\r\n<p>同比增长10.7%。</p>\r\n"
    path = tmp_path / f"{encoding}.md"
    path.write_bytes(text.encode(encoding))
    doc = read_post(path)
    assert doc.title == "编码测试"
    assert [p.text for p in doc.paragraphs] == ["昆明高新区主营业务收入达2665亿元。", "同比增长10.7%。"]
    assert "\ufeff" not in doc.text


def test_binary_file_is_a_clear_error(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    with pytest.raises(ReadError) as err:
        read_post(path)
    assert err.value.where == str(path) and "binary" in err.value.problem
    assert str(path) in str(err.value)


def test_undecodable_file_names_the_file(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("正文".encode("utf-8") + b"\xff\xfe\xff" + "内容".encode("utf-8"))
    with pytest.raises(ReadError) as err:
        read_post(path)
    assert err.value.where == str(path) and "decode" in err.value.problem


def test_broken_front_matter_says_so():
    with pytest.raises(ReadError) as err:
        read_post(POSTS / "broken_front_matter.md")
    assert "front matter" in err.value.problem and "YAML" in err.value.problem
    with pytest.raises(ReadError, match="no closing"):
        read_post("---\ntitle: x\n正文。")
    with pytest.raises(ReadError, match="front matter"):
        read_post("---\n- a\n- b\n---\n正文。")


def test_empty_posts():
    for source in ("", "   \n\n", POSTS / "empty.md", "---\ntitle: x\n---\n"):
        with pytest.raises(ReadError, match="empty post"):
            read_post(source)
    with pytest.raises(ReadError) as err:
        read_post("")
    assert err.value.where == "<text>"


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        read_post(tmp_path / "missing.md")


def test_digest_only_post_uses_the_digest_as_body():
    doc = read_post("---\ntitle: t\n---\n> 摘要一句话。\n")
    assert doc.digest == "摘要一句话。"
    assert [p.text for p in doc.paragraphs] == ["摘要一句话。"]


def test_dates_are_normalised():
    def date(value):
        return read_post(f"---\ndate: {value}\n---\n正文。").date
    assert date("2022-02-21 06:01:08 +0800") == "2022-02-21T06:01:08+08:00"
    assert date("2021-12-08 12:05:03") == "2021-12-08T12:05:03"
    assert date("2021-12-08T12:05:03Z") == "2021-12-08T12:05:03+00:00"
    assert date("2022年2月21日") == "2022-02-21"
    assert date('"2022/2/1"') == "2022-02-01"
    doc = read_post("---\ndate:  +0800\n---\n正文。")
    assert doc.date is None and doc.metadata["date_raw"] == "+0800"


def test_short_sentences_are_not_headings():
    doc = read_post("第一段内容比较长，介绍了基本情况。\n\n就这样吧。\n\n最后一段继续讲述更多细节内容。")
    assert all(s.heading is None for s in doc.sections)


def test_heading_at_the_end_is_a_paragraph():
    doc = read_post("<p>第一段内容比较长，介绍了基本情况。</p><p><strong>结尾小标题</strong></p>")
    assert all(s.heading is None for s in doc.sections)
    assert doc.paragraphs[-1].text == "结尾小标题"


def test_five_megabyte_post_reads_in_seconds(tmp_path):
    para = "<p>2021年，园区实现主营业务收入2665.5亿元，同比增长10.7%；工业总产值完成1013亿元。</p>\n"
    body = "".join(f"<p>第{i}部分</p>\n" if i % 25 == 0 else para for i in range(5_200_000 // len(para.encode())))
    path = tmp_path / "big.md"
    path.write_bytes(("---\ntitle: big\n---\n" + body).encode("utf-8"))
    assert path.stat().st_size >= 4_900_000
    t = time.perf_counter()
    doc = read_post(path)
    assert time.perf_counter() - t < 10
    assert len(doc.sections) > 1000
    assert doc.sentences[-1].end <= len(doc.text)


def test_the_service_entry_point():
    import service
    assert service.read_post is read_post


@pytest.mark.parametrize("line,byline", [
    ("本报记者 田 鹏", "本报记者 田 鹏"),
    ("■ 李 文", "■ 李 文"),
    ("记者颉满斌 通讯员余若怡", "记者颉满斌 通讯员余若怡"),
    ("记者 张三 报道", "记者 张三 报道"),
])
def test_byline_lines(line, byline):
    doc = read_post(f"{line}\n\n园区今年新增项目投资12.5亿元，同比增长8.3%。\n\n第二段内容。")
    assert doc.byline == byline
    assert line not in doc.text and doc.title is None


def test_sentences_starting_with_jizhe_are_body_text():
    doc = read_post("记者从海关总署获悉，前三季度外贸进出口增长。\n\n据记者了解，多家企业订单饱满。")
    assert doc.byline is None
    assert doc.paragraphs[0].text.startswith("记者从海关总署获悉")


def test_trailing_source_notes():
    doc = read_post("正文第一句。正文第二句。（文章来源：城市日报）")
    assert doc.source == "城市日报" and doc.text == "正文第一句。正文第二句。"
    doc = read_post("国内某公司发布公告称将回购股份。（上海证券报）")
    assert doc.source == "上海证券报" and doc.text.endswith("回购股份。")
    doc = read_post("他说这并非事实（笑）。")
    assert doc.source is None


def test_h1_repeating_the_title_is_dropped():
    doc = read_post("---\ntitle: 标题一\n---\n<h1>标题一</h1><p>正文内容在这里。</p>")
    assert doc.text == "正文内容在这里。"


def test_decoding_only_with_confidence(tmp_path):
    cases = {
        "utf16le.md": ("---\ntitle: 无BOM\n---\n正文内容，经济增长。\n".encode("utf-16-le"), "utf-16-le", "经济增长"),
        "utf16be.md": ("---\ntitle: 无BOM\n---\n正文内容，经济增长。\n".encode("utf-16-be"), "utf-16-be", "经济增长"),
        "latin1.txt": ("Zürich und Genève melden höhere Umsätze.\n".encode("latin-1"), "cp1252", "Zürich"),
        "mixed.md": ("第一段用UTF-8写成。\n".encode() + "第二段用GBK写成。\n".encode("gbk"), "utf-8+gb18030", "GBK写成"),
        "big5.txt": ("臺灣經濟成長率達百分之三點二。\n".encode("big5"), "big5", "臺灣經濟"),
    }
    for name, (data, encoding, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        doc = read_post(path)
        assert doc.encoding == encoding, name
        assert expected in doc.text, name


def test_title_markup_is_removed():
    doc = read_post('---\ntitle: "<script>alert(1)</script>园区&amp;企业<b>新闻</b>"\n---\n正文。\n')
    assert doc.title == "园区&企业新闻"


def test_fifo_and_dangling_symlink_are_errors_not_hangs(tmp_path):
    import os

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="FIFO"):
        read_post(fifo)
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(ReadError, match="dangling"):
        read_post(link)


@pytest.mark.parametrize("front", [
    "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi")),
    "a: &a [*a]\n",
    "a: &a {b: *a}\n",
    "x: " + "[" * 10000 + "]" * 10000 + "\n",
])
def test_hostile_front_matter_is_a_quick_small_read_error(front):
    import resource
    import time

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(ReadError, match="front matter refused"):
        read_post(f"---\n{front}---\n正文。\n")
    assert time.monotonic() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024   # KB: under 50 MB


def test_aliases_within_bounds_still_work():
    doc = read_post("---\ntitle: 标题\nbase: &b {x: 1}\nother: *b\n---\n正文。\n")
    assert doc.metadata == {"base": {"x": 1}, "other": {"x": 1}}


def test_work_report_as_written():
    """A work report written for this test: the header is metadata, the formulas are set apart, wiki
    line breaks and list markers do not make headings, 19·5 is read as written."""
    from service import analyze

    result = analyze(POSTS / "work_report.txt")
    doc = result.document
    check_invariants(doc)
    assert doc.title == "政府工作报告" and doc.date == "2025-01-15"
    assert doc.byline == "示例市市长 王明"
    assert doc.metadata["occasion"] == "2025年1月15日在示例市第十六届人民代表大会第五次会议上"
    headings = [s.heading for s in doc.sections]
    assert headings == [None, "一、2024年工作回顾", "二、2025年主要目标和任务", None]
    roles = [s.role for s in doc.sections]
    assert roles[0] == "procedural" and roles[-1] == "procedural"
    assert [p.text for p in doc.sections[-1].paragraphs] == ["各位代表！"]
    paragraphs = [p.text for p in doc.paragraphs]
    assert "全市认真落实《示例市国民经济和社会发展第十四个五年规划纲要》，重点项目完成投资412亿元。" in paragraphs
    assert any(p.startswith("一是产业转型步伐加快。") for p in paragraphs)
    # the formulas are neither summarized nor tagged
    assert result.section_tags[0] == [] and result.section_tags[-1] == []
    assert not any("请予审议" in s.text or "各位代表" in s.text for s in result.summary.sentences)
    figures = {f.value: f for f in result.key_figures}
    assert figures["19·5"].amount == 19.5 and figures["19·5"].unit == "％"
    assert figures["７．３"].amount == 7.3
    assert figures["1865.4"].period == "过去一年" and figures["1865.4"].kind == "level"
    assert figures["31.2"].kind == "share"
    targets = [f for f in result.key_figures if f.kind == "target"]
    assert [(f.value, f.unit) for f in targets] == [("6", "%"), ("4.5", "万人"), ("3", "%")]
    assert all(f.period == "今年" for f in targets)


def test_a_share_names_with_a_star_are_not_emphasis():
    doc = read_post("近日，*ST创兴、*ST沪科、*ST太和3只个股进入退市整理期。")
    assert doc.text == "近日，*ST创兴、*ST沪科、*ST太和3只个股进入退市整理期。"
