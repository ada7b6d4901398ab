"""Sentence splitting: Chinese ends, closers, numbers, abbreviations, long runs, offsets."""
from service.reader.sentences import MAX_SENTENCE_CHARS, split_sentences


def texts(text, **kw):
    return [text[a:b] for a, b in split_sentences(text, **kw)]


def test_chinese_sentence_ends():
    assert texts("今天开会。明天出发！真的吗？是的；好的…最后") == ["今天开会。", "明天出发！", "真的吗？", "是的；", "好的…", "最后"]


def test_ascii_ends_and_runs_of_ends():
    assert texts("Growth slowed! Why? Costs rose; demand fell. 真的吗？！是……") == [
        "Growth slowed!", "Why?", "Costs rose;", "demand fell.", "真的吗？！", "是……"]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    assert texts("他说：“今年目标能完成。”随后离开。") == ["他说：“今年目标能完成。”", "随后离开。"]
    assert texts("（详见附件。）下文继续。") == ["（详见附件。）", "下文继续。"]
    assert texts('He said "yes." Then left.') == ['He said "yes."', "Then left."]


def test_no_split_inside_numbers_dates_and_abbreviations():
    assert texts("实际利用外资6762.07万美元。压缩为2.5项。") == ["实际利用外资6762.07万美元。", "压缩为2.5项。"]
    assert texts("会议于2021.12.08召开。下一句。") == ["会议于2021.12.08召开。", "下一句。"]
    assert texts("The U.S. economy grew. Mr. Li agreed, e.g. on rates.") == [
        "The U.S. economy grew.", "Mr. Li agreed, e.g. on rates."]
    assert texts("访问www.example.com了解详情。") == ["访问www.example.com了解详情。"]


def test_list_markers_are_not_sentence_ends():
    assert texts("1. 加强管理\n2. 提高效率") == ["1. 加强管理", "2. 提高效率"]
    assert texts("原则有：1.为人们解决问题；2.从人开始") == ["原则有：1.为人们解决问题；", "2.从人开始"]


def test_book_titles_keep_their_punctuation():
    assert texts("电影《你好！李焕英》上映了。反响很好。") == ["电影《你好！李焕英》上映了。", "反响很好。"]


def test_newline_is_a_boundary_and_whitespace_is_trimmed():
    text = "  第一段第一句。第一段第二句\n\n　第二段。  "
    assert texts(text) == ["第一段第一句。", "第一段第二句", "第二段。"]


def test_long_run_is_cut_at_commas():
    clause = "这是一个相当长而且没有句号的分句"
    text = "，".join([clause] * 30) + "。"
    pieces = texts(text)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert all(p.endswith(("，", "。")) for p in pieces)
    assert "".join(pieces) == text


def test_long_run_without_commas_is_still_cut():
    text = "字" * 1000
    pieces = texts(text)
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert "".join(pieces) == text


def test_offsets_slice_back_and_are_ordered():
    text = "第一句。“第二句！”第三句？\n第四句，6.5%增长…第五句"
    spans = split_sentences(text)
    assert spans == sorted(spans)
    for a, b in spans:
        assert text[a:b].strip() == text[a:b] and text[a:b]
    assert split_sentences("") == []
    assert split_sentences(" \n　") == []


def test_linear_time_on_big_input():
    import time
    text = ("收入增长10.7%，利润增长6.5%。" * 20 + "\n") * 5000
    t = time.perf_counter()
    spans = split_sentences(text)
    assert time.perf_counter() - t < 5
    assert len(spans) == 100000
