"""Key figures: indicator, value (exact), unit, change, on a paragraph written for the test."""
from __future__ import annotations

from service.key_figures import extract_key_figures
from service.summarization.plaindoc import document_from_text

TEXT = ("2023年，滨江示范区园区主营业务收入实现1,280.5亿元，同比增长6.8%。"
        "其中规模以上工业总产值完成906亿元，同比增长9.2%。"
        "完成外贸进出口额96.4亿元，超目标任务8.2个百分点。"
        "示范区在库项目数从2021年的40个提升至2023年的95个，净增55个。"
        "实际利用外资6,762.07万美元。截至2023年，累计培育专精特新企业12户。"
        "围绕4个示范基地建设，推动产业升级。")


def test_rows():
    doc = document_from_text(TEXT)
    rows = {f.indicator: f for f in extract_key_figures(doc)}
    assert rows["园区主营业务收入"].value == "1,280.5"
    assert rows["园区主营业务收入"].unit == "亿元"
    assert rows["园区主营业务收入"].change == "同比增长6.8%"
    assert rows["规模以上工业总产值"].value == "906"
    assert rows["规模以上工业总产值"].change == "同比增长9.2%"
    assert rows["外贸进出口额"].change == "超目标任务8.2个百分点"
    assert (rows["示范区在库项目数"].value, rows["示范区在库项目数"].change) == ("95", "净增55个")
    assert (rows["实际利用外资"].value, rows["实际利用外资"].unit) == ("6,762.07", "万美元")
    assert rows["专精特新企业"].unit == "户"
    # counting modifiers (4个示范基地) and "from" values (40个) are not figures
    assert all(f.value not in ("4", "40", "2021", "2023") for f in rows.values())


def test_values_exact_and_located():
    doc = document_from_text(TEXT)
    figures = extract_key_figures(doc)
    assert figures
    for f in figures:
        assert doc.text[f.start:f.end] == f.value
        assert f.sentence in doc.text and f.value in f.sentence
        if f.change:
            assert f.change in f.sentence
        assert f.section == 0


def test_no_figures():
    assert extract_key_figures(document_from_text("今天天气很好。")) == []
