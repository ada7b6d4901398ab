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


def _rows(text: str) -> list[tuple[str | None, str, str | None]]:
    return [(f.indicator, f.value, f.change) for f in extract_key_figures(document_from_text(text))]


def test_what_each_figure_of_a_report_sentence_measures():
    """The phrasings of work reports and plans, in sentences written for the test."""
    # a list read with 分别: the k-th value measures the k-th item …
    assert [i for i, _, _ in _rows("全市工业增加值、社会消费品零售总额分别增长6.2%和7.5%。")] == \
        ["全市工业增加值", "社会消费品零售总额"]
    # … unless the items share their head noun (养老保险、医疗保险参保人数): the list stays whole
    assert {i for i, _, _ in _rows("城镇职工养老保险、医疗保险参保人数分别增加120万和150万。")} == \
        {"城镇职工养老保险、医疗保险参保人数"}
    # a change against a named year, or a yearly average, belongs to the figure before it
    assert _rows("客运量3.2亿人次，比2020年增长8.5%。") == [("客运量", "3.2", "比2020年增长8.5%")]
    assert _rows("地区生产总值达到5200亿元，平均每年增长7.1%。") == [("地区生产总值", "5200", "平均每年增长7.1%")]
    # money provided is named after the figure
    assert _rows("市财政安排12亿元专项资金支持技术改造。")[0][0] == "专项资金"
    assert _rows("稳增长要有5%－6%的增速就能稳住就业。")[0][0] == "增速"
    # a multiple of something earlier measures what the figure before measured
    assert [i for i, _, _ in _rows("全年利用外资85亿美元，相当于上年的1.3倍。")] == ["利用外资", "利用外资"]
    # a clause that is only a predicate takes its subject from the clause before
    assert [i for i, _, _ in _rows("园区企业的研发投入强度，已由五年前的1.5%左右，提高到3.2%以上。")] == \
        ["园区企业的研发投入强度", "园区企业的研发投入强度"]
    # the verb of reaching and the word "target" are not part of the measure (the kind says target)
    assert _rows("常住人口城镇化率提高到68.5%。")[0][0] == "常住人口城镇化率"
    (target,) = extract_key_figures(document_from_text("经济增长预期目标5%左右。"))
    assert (target.indicator, target.kind) == ("经济增长", "target")


def test_spaced_out_digits_are_one_number():
    """Text extracted from print may space out its digits: 1 1万 is 11万, read whole and kept as written."""
    rows = extract_key_figures(document_from_text("到2010年，公路通车总里程达到1 1万公里左右，其中高速公路1 3 0 0公里。"))
    assert [(f.indicator, f.value, f.amount) for f in rows] == [("公路通车总里程", "1 1", 11.0), ("高速公路", "1 3 0 0", 1300.0)]


def test_what_each_figure_of_a_market_brief_or_news_item_measures():
    """The phrasings of market briefs and broadcast news, in sentences written for the test."""
    # 涨超 / 跌逾 and 飙升 are the change, not part of the name
    assert [i for i, _, _ in _rows("午后个股分化，星河电子涨超6%，远山科技跌逾3%。")] == ["星河电子", "远山科技"]
    assert _rows("其中钢材成本飙升12%。")[0][0] == "钢材成本"
    # an index level in points takes the change compared with last week
    assert _rows("本周东海港出口运价指数(EFI)报收于1234.5点，较上周上涨2.5%。") == \
        [("东海港出口运价指数", "1234.5", "较上周上涨2.5%")]
    assert _rows("会议下午3点开始。") == []          # a whole number of 点 is an hour
    # 预计 / 首次 / 实际 / 保持在 / 当月 are not part of the measure
    assert _rows("公司二季度净利润预计3.2亿元。")[0][0] == "公司二季度净利润"
    assert _rows("全市居民人均可支配收入实际增长5.1%。")[0][0] == "全市居民人均可支配收入"
    assert _rows("粮食播种面积保持在1.2亿亩以上。")[0][0] == "粮食播种面积"
    # a share of the total: the part named before (回购股份…，占总股本…)
    assert [i for i, _, _ in _rows("公司累计回购股份120万股，占总股本0.52%。")] == ["公司累计回购股份"] * 2
    # a figure opening its clause counts what follows it …
    assert _rows("全省共开放景区300个，约85万人次参与线上游览。")[1][0] == "参与线上游览"
    assert _rows("台风过境，12万用户遭遇停电。")[0][0] == "用户遭遇停电"
    # … but a share opening its clause is a share of what the clause before named
    assert _rows("今年新开工的项目，80%以上已经完成主体工程。")[0][0] == "新开工的项目"
    # what the verb acts on is named after the figure, past a bound (运用不超过…的资金, 有超过…)
    assert [i for i, _, _ in _rows("集团将运用不超过20亿元、不低于10亿元的资金回购股份。")] == ["资金", "资金"]
    assert _rows("全县有超过30万亩茶园，年产茶叶占全省的12%。")[0][0] == "茶园"
    assert _rows("今年要解决800万农村人口的出行难题。")[0][0] == "农村人口"
    # a multiple with its base in the clause measures the subject; a range's lower end is not a figure
    assert _rows("新材料的价格是普通钢材的3倍左右。")[0][0] == "新材料的价格"
    assert [v for _, v, _ in _rows("居民需储备3至5天的食物。")] == ["5"]


def test_what_each_figure_of_a_financial_article_measures():
    """Round 5's phrasings of financial articles, in sentences written for the test."""
    # a comparison with a month-end is the change of the figure before, "增长超" included
    assert _rows("截至6月末，基金存续规模达到12.5万亿元，较3月末增长超2300亿元。") == \
        [("基金存续规模", "12.5", "较3月末增长超2300亿元")]
    # 跃升至 goes whole; 一般 before a bound is not part of the measure
    assert [i for i, _, _ in _rows("去年，北港集装箱吞吐量跃升至850万标箱，年货运量跃升至1.2亿吨。")] == \
        ["北港集装箱吞吐量", "年货运量"]
    assert _rows("目前小微企业贷款利率一般不超过3.5%。")[0][0] == "目前小微企业贷款利率"
    # what is provided, or what a price is of, is named after the figure
    assert _rows("银行同意为公司提供不超过6亿元的专项贷款。")[0][0] == "专项贷款"
    assert _rows("根据12.50元/股的发行价格计算，募集资金总额3亿元。")[0][0] == "发行价格"
    # … and what a figure counts before its verb (有…贫困人口解决了…); a purpose (帮助…) is not the measure
    assert _rows("三年中有120万农村人口解决了饮水问题。")[0][0] == "农村人口"
    assert _rows("省财政安排8亿元帮助解决山区学校取暖问题。")[0][0] == "省财政安排"
    # the "from" value of 增至 is not a row, and a counted "from" value (由以前的14个大项) leaves the
    # measure's words to the value it fell to; 将/把 names its object after the figure
    assert _rows("出口额从2015年的1.2万亿元增至2020年的2.1万亿元。") == [("出口额", "2.1", None)]
    assert _rows("全区把审批事项由以前的20个大项压缩为6项。")[0][0] == "全区把审批事项"
    assert _rows("园区将东区80公顷仓储用地调整为工业用地。")[0][0] == "仓储用地"
    assert _rows("今年物价涨幅要控制在3%左右。")[0][0] == "物价涨幅"
    # round the clock is not a measure
    assert _rows("监测站24小时采集水质数据，全年采集样本1.2万个。")[0][0] is None


def test_numbers_in_words_and_spaced_digits_of_older_reports():
    """Older reports write money and quantities in words, and print extraction spaces out digits: both
    are figures, exactly as written, with their amounts read (sentences written for the test)."""
    document = document_from_text(
        "去年全省进出口总额达到三百零五亿元，比上年增长１２．５％；粮食产量两千一百多万吨。"
        "城镇新增就业3 5 5 万人，人均居住面积增加到1 2 ．5 平方米。全省三千万人民和五个部门。")
    rows = extract_key_figures(document)
    assert [(f.indicator, f.value, f.unit, f.amount) for f in rows] == [
        ("全省进出口总额", "三百零五亿", "元", 30_500_000_000.0), ("粮食产量", "两千一百", "多万吨", 2100.0),
        ("城镇新增就业", "3 5 5", "万人", 355.0), ("人均居住面积", "1 2 ．5", "平方米", 12.5)]
    assert rows[0].change == "比上年增长１２．５％"
    assert all(document.text[f.start:f.end] == f.value for f in rows)      # offsets of the value as written
    from service.key_figures import amount_of
    assert amount_of("二十六亿六千万", "美元") == 2_660_000_000 and amount_of("一点五", "亿元") == 1.5


def test_more_than_between_number_and_unit():
    """多/余 between a number and its unit (6700多公里): a figure, its unit as written, its change kept."""
    rows = extract_key_figures(document_from_text("全年新建改建高速公路6700多公里、农村公路29万公里。"
                                                  "园区生产总值达到1200多亿元，比上年增长8.1%。"))
    assert [(f.indicator, f.value, f.unit) for f in rows] == [
        ("新建改建高速公路", "6700", "多公里"), ("农村公路", "29", "万"), ("园区生产总值", "1200", "多亿元")]
    assert rows[2].change == "比上年增长8.1%" and rows[2].amount == 1200.0
    # 产能 and 平均 are words of the measure, not a trailing verb
    assert _rows("退出煤炭产能1.5亿吨以上、钢铁产能3000万吨。")[1][0] == "钢铁产能"
    assert _rows("城镇调查失业率平均为5.2%。")[0][0] == "城镇调查失业率"


def test_stakes_time_windows_and_rates():
    """Round-4 phrasings, in sentences written for the test."""
    # a percentage of 股权 / 股份 is a stake
    assert [i for i, _, _ in _rows("交易完成后，甲公司持有乙公司60%股权，丙公司持有40%股权。")] == ["股权", "股权"]
    # a time window is not a measure
    assert _rows("过去24小时，全省新增病例12例。")[0][0] is None
    # a rate per hour, a comparison with a quarter, 逼近, 扩充到
    assert _rows("设计时速为每小时250公里。")[0][0] == "设计时速"
    assert [i for i, _, _ in _rows("上半年全市工业增加值同比增长5.1%，比一季度加快0.6个百分点。")] == ["全市工业增加值"] * 2
    assert _rows("全省累计确诊病例逼近900例。")[0][0] == "全省累计确诊病例"
    assert [i for i, _, _ in _rows("合作社社员从2019年的80多人扩充到了2023年的600多人。")] == ["合作社社员"] * 2
    # a verb in the perfective acts on what the figure counts; 参与 is one word
    assert _rows("今年村里种上了800亩经济林。")[0][0] == "经济林"
    assert _rows("活动累计有超过30万名市民参与，反响热烈。")[0][0] == "市民参与"
    # the list numbering of a budget item is not part of it
    assert _rows("三、 科技事业费120亿元，平均每年24亿元。") == [("科技事业费", "120", None), ("科技事业费", "24", None)]
