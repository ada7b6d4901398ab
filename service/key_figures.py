"""Key figures: the numbers an economic news post states, as structured rows.

    2021年，园区主营业务收入实现2665亿元，同比增长10.7%。
    → KeyFigure(indicator="园区主营业务收入", value="2665", unit="亿元", change="同比增长10.7%", ...)

Rule-based and fast (regular expressions, no model): a figure is a number followed by a unit; a
change phrase (同比增长10.7%, 超目标任务32.58个百分点, 净增67个) that stands alone in its clause belongs
to the figure before it; one with its own subject (产值同比增长42.7%) is a figure of its own. The
indicator is the noun phrase between the clause start and the value, with verbs (实现, 完成, 达到…),
time phrases (2021年, 其中, 全年…) and a leading place/zone name (昆明高新区…) trimmed. Values, units
and changes are exact substrings of the source; `start`/`end` are the value's offsets in Document.text
(`document.text[f.start:f.end] == f.value`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from service.document import Document
from service.punctuation import COLON, COMMA, SEMICOLON, SENTENCE_END

# older texts write the decimal point as · or ．(增长19·5％, ７．３％): read as written, valued as a point
# text extracted from print sometimes spaces out its digits (公路通车总里程达到1 1万公里, 4 9 2 5 0 万吨,
# 1 7 ．5 万人): a run of single digits with single spaces, a point among them, is one number, read
# without the spaces, and one space may stand before its unit
_SPACED = r"\d(?: \d)+(?: ?[.·．] ?\d(?: \d)*)?|\d ?[.·．] ?\d(?: \d)*"
_NUM = rf"(?:(?:{_SPACED})(?![\d.·．,，])|\d+(?:[,，]\d{{3}})*(?:[.·．]\d+)?)"
_UNITS = sorted("""个百分点 百分点 万亿元 亿美元 万美元 亿欧元 亿港元 亿元 万元 千元 美元 元 万亿 亿 万 % ％ ‰
个工作日 工作日 亿人次 万人次 人次 亿人 万人 人 万名 万户 户 家 个 项 件 台 辆 吨 万吨 亿吨 公顷 亩 万亩 亿亩 平方公里 平方米 万平方米
公里 千米 千瓦时 万千瓦 千瓦 GW MW GWh 倍 座 所 套 片 批 只 张 位 名 起 次 例 万例 万辆 万台 万套 万件 亿件 单 笔
kg 千克 克 毫米 米 度 小时 分钟 天 点""".split(), key=len, reverse=True)
_UNIT = "(?:" + "|".join(re.escape(u) for u in _UNITS) + ")"
# 6700多公里, 960余万: "more than" between the number and its unit stays with the unit, as written
FIGURE = re.compile(rf"(?<![\d.,A-Za-z])(?P<value>{_NUM})(?:(?<=\d) )?(?P<about>[多余])?(?P<unit>{_UNIT})")
# numbers in words, as older reports write money and quantities (一千二百零一亿元, 四亿零七百多万吨): the
# value keeps its 万/亿 (what the words say), the unit is a base unit or, after 多/余, 万吨 and the like; a
# value without 十/百/千/万/亿 (三人, 五元) is not read, and only units of money, mass, length, area, people
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_VALUE = {**{c: k for k, c in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2}
_CN_MAGNITUDE = {"亿": 10 ** 8, "万": 10 ** 4}
_CN_UNITS = sorted("""万亿元 亿美元 万美元 亿元 万元 美元 港元 元 万吨 亿吨 吨 公斤 公里 万亩 亩 公顷 平方公里 平方米
万人次 人次 万人 亿人 人 万户 户 千瓦时 千瓦""".split(), key=len, reverse=True)
FIGURE_CN = re.compile(rf"(?<![{_CN_DIGITS}十百千万亿第])(?P<value>[{_CN_DIGITS}十][{_CN_DIGITS}十百千万亿]*"
                       rf"(?:点[{_CN_DIGITS}]+)?)(?P<about>[多余])?(?P<unit>{'|'.join(_CN_UNITS)})")
# an index level is written with decimals (报收于1670.3点); a whole number of 点 is an hour or a point made
_WHOLE_POINTS = re.compile(r"^[\d ]+$")
_DURATIONS = ("分钟", "小时", "天", "个工作日", "工作日")
_PERCENT = ("%", "％")
_SHARES = (*_PERCENT, "‰")
_CLASSIFIERS = set("个户家项件台辆座所套片批只张位名起单笔") | {"万户"}
_CHANGE_PREFIX = re.compile(
    r"(?:(?:同比|环比|比上年(?:同期)?|较上年(?:同期)?|比去年(?:同期)?|较去年(?:同期)?|比年初|较年初|年均|平均每年|每年|"
    r"[比较]\d{4}年(?:同期)?|[比较]\d{1,2}月(?:末|底|初|份)?|[比较](?:上周|上月|上日|上季度|[一二三四]季度|[前上]一(?:个)?交易日))?"
    r"(?:(?:涨|跌)(?:超|逾|近)|飙升|攀升|跃升|激增|骤降|大涨|大跌|暴涨|暴跌|加快|放缓|回升|收窄|缩减|压减|削减|增产|减产|"
    r"增长|增加|下降|减少|提高|提升|上升|回落|下滑|降低|上涨|下跌|(?<!新)增|降|减|涨|跌|\+|-|＋|－)"
    r"|超(?:额完成)?(?:目标任务|年度目标|计划|目标)?|净增|净减|高出|(?<!不)低于)(?:超过|接近|逾|近|约|超)?$")
_CLAUSE_SPLIT = COMMA + SEMICOLON + COLON + SENTENCE_END + "\n"
_LEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\d{1,2}、|以上|以下|左右|其中|同时|此外|另外|全年|今年|去年|当年|当月|当日|当天|本月|本周|上周|上月|年度|上半年|下半年|前三季度|一季度|二季度|三季度|四季度|"
    r"\d{4}年(?:\d{1,2}月(?:份|末|底|初|\d{1,2}日)?)?|\d{1,2}月(?:份|末|底|初|\d{1,2}日)?|截至\S*?年底?|实现|完成|引进|累计|共计|共|并|且|和|及|"
    r"力争|争取|预计|计划|确保|虽然|虽|但是|但|而且|而|然而|因此|因为|因|由于|如|据|分别|其|这一|该|这|此|将|即|占|较|的|"
    r"[\s“”\"（(）)、])+")
_TRAILING = re.compile(
    r"(?:同比|环比|分别|实现|完成|达到|达|为|至|到|突破|超过|约|近|共计|共|累计|合计|总计|是|有|增长到|提升至|增至|"
    r"提升到|(?:跃|攀|飙)升(?:至|到)|一般|(?<![需重主纲摘])要|了|的|年度|全年|高达|仅|逾|已|已经|将|在|可|不|均|更是|更|则|也|都|还|又|就|(?<!产)能|被|以|每秒|每|"
    r"不超过|不低于|不得超过|最高|最低|高于|低于|低至|高至|升至|降至|低|高|升|至少|多|大约|普遍|直接|合计持有|持有|(?<!过)会|"
    r"缩小|扩大|加长|较多|较少|居前|平均|预计|首次|实际|保持|维持|稳定|只|报收于|报收|收报|收于|(?<=[数指])报|"
    r"[（(][0-9A-Za-z.]{1,12}[）)]|(?<=..)中|(?:提高|上升|增加|下降|降低|减少|扩充|扩大|发展|增长)(?:到|至)了?|控制在|逼近|接近|每小时|每分钟|每天|每日|每月|每年|预期目标|预期|目标|"
    r"\d{4}年|[\s“”\"（(、])+$")
# a comparison after the measure: 收益率较4月份 → 收益率
_COMPARED = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z0-9])(?:较|(?<!占)比(?![例重率值])|相比|同比|环比)[^，。；、]{0,10}$")
# the measure named after the figure: 持有世纪数码88.24%的股份, 加长了30%的宽幅胶刷, 1亿股股份
# (a range's upper end comes first: 6.5%－7%的增速)
_RANGE_END = (r"(?:(?:[－\-~～至到]|、(?:不低于|不少于|不超过|最高|最低)?)\d+(?:[.·．]\d+)?"
              r"(?:[%％]|万亿元|亿元|万元|亿|万|元)?)?")
_NAMED_AFTER = re.compile(rf"{_RANGE_END}(?:以上|以下|左右|多)?(?:/?股)?(?:的)?(?!以上|以下|左右|帮助|用于|支持|推动|促进|确保)((?:股份|[\u4e00-\u9fff]{{2,8}}?))"
                          r"(?=和|(?<!参)与|及|等|进行|用于|支持|助力|推动|带动|直接|已经|已|将|在|使|让|可|能|会|就|才|"
                          r"不断|发生|的|回购|购买|收购|实施|开展|计算|测算|解决|通过|调整|改为|转为|用好|[，。；、,;（(”\s]|$)")
_BA_OBJECT = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:调整|改为|转为|划为|用于|用好|纳入|投向)")
# the head noun of a measure: a list item ending so names a whole measure
_MEASURE_END = re.compile(r"(?:量|额|值|率|数|收入|利润|支出|价格|指数|比重|规模|成本|资产|储备|投资|消费|贷款|存款)$")
# a figure compared with another (相当于前九年总和的1.6倍, 为1997年的2.9倍) measures what the one before did
_MULTIPLE_OF = re.compile(r"^(?:相当于|是|为)[^，。；]{1,14}的$")
# a clause that is only a predicate (已由五十年代的50%左右): its subject is in the clause before
_PREDICATE_ONLY = re.compile(r"^(?:已|又|再|仍|还|并|均|则|也)?(?:由|从|比|较)")
_ACTS_ON = re.compile(r"(?:[\u4e00-\u9fff]了|持有|受让|增持|转换为|加长了?|缩小了?|扩大了?|设立了?|获得|运用|拥有|覆盖|应用于|以每秒|以|"
                      r"安排|增发|发行|投入|拨付|下达|筹集|有|解决|准备|加征|征收|新增|惠及|对|提供|根据|按照|使用|带动)$")
_RANGE_START = re.compile(r"\d+(?:[.·．]\d+)?\s*[至到~～－—]$")
# a bound between the verb and the figure (运用不超过130亿元的资金, 有超过400万亩小麦种田)
_BOUND = re.compile(r"(?:不超过|不低于|不少于|超过|至少|多达|高达|近|约|逾|达)$")
# a figure that opens its clause and is followed by what it counts (约185万人次参与网络祭扫, 13亿多人口的…);
# a share that opens its clause (原定投产的项目，90%以上可以按计划实现) is a share of what the clause before named
_COUNTED = re.compile(r"(?:以上|以下|左右|多|余)?(?:的)?(?!以上|以下|左右)((?:(?!的)[\u4e00-\u9fff]){2,10})(?=的|[，。；;,]|$)")
# a multiple named with its base in the clause (价格是一档价的1.2倍): the measure is the subject
_MULTIPLE_IN = re.compile(r"^(.{2,}?)(?:相当于|是|为)[^，。；]{1,14}的$")
_PLACE = re.compile(r"^[\u4e00-\u9fa5]{2,6}?(?:高新区|开发区|经开区|示范区|新区|自贸区|保税区|试验区|省|市(?![场值民])|县(?!域))(?=[\u4e00-\u9fa5]{3,})")
# "from" (从2021年的40个, 由五十年代的50%): up to a digit, or a 的 right before the value (not 自由, 从事)
_FROM = re.compile(r"(?:(?<![自理经缘来])由|(?<!服)从(?!事))(?:[^从由]{0,12}?(?:\d|[零〇一二两三四五六七八九十百千万亿]+[多余]?"
                   r"(?:元|美元|吨|人|户|平方米|公里|亩))|[^从由]{0,12}的$|$)")
_MID_VERB = re.compile(r"(?:实现|完成|达到|录得|培育|引进|兑现)")
_FROM_TO = re.compile(r"^(?:的)?(?:提升|增加|增长|下降|减少|提高|上升|压缩|降低|扩大|缩减|缩短|[增降升减])(?:至|到|为)")
_VERB_AFTER = re.compile(r"^(?:提升|增加|增长|下降|减少|以上|以下|左右|提高|上升)")
_PERIOD = re.compile(
    r"\d{4}\s*[—\-－~至到]\s*\d{4}\s*年|\d{4}\s*年(?:\s*\d{1,2}\s*[—\-－~至到]\s*\d{1,2}\s*月|\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|底|末|初)?"
    r"|前[一二三]季度|[一二三四]季度|第[一二三四]季度|上半年|下半年|全年|今年|去年|明年|上年|当年|年内|年底|年末"
    r"|[“\"]?[十一二三四五六七八九]+五[”\"]?(?:时期|期间|末)?|过去[一二三四五六七八九十]+年|今后[一二三四五六七八九十]+年|未来[一二三四五六七八九十]+年"
    r"|\d{1,2}\s*月(?:份|\s*\d{1,2}\s*日)?|截至\S{0,10}?(?:年底|年末|月底|月末)")
# a figure that is aimed at, not reached: 预期目标…增长5%左右, 力争…突破2000亿元
_TARGET = re.compile(r"目标|预期|力争|争取|计划(?!单列)|预计|规划|确保|要(?:实现|达到|完成|控制|保持|提高)|将(?:达到|突破|实现|超过)")
_SHARE = re.compile(r"占(?:比|全[国省市区])?|比重|比例|份额|覆盖率|率$")
_TARGET_LIST = re.compile(r"(?:目标|预期|计划)[^：:。]{0,10}[：:]")
KINDS = ("level", "growth", "share", "target")


@dataclass
class KeyFigure:
    indicator: str | None
    value: str              # exactly as written
    unit: str
    change: str | None      # e.g. 同比增长10.7%, 超目标任务32.58个百分点, 净增67个
    sentence: str           # the sentence the figure came from
    start: int              # offsets of `value` in Document.text
    end: int
    section: int
    amount: float | None = None   # the value as a number (19·5 → 19.5, １，２８０ → 1280), in `unit`s
    period: str | None = None     # the time it refers to, as written (2021年, 前三季度, “十四五”时期)
    kind: str = "level"           # level | growth | share | target (aimed at, not reached)

    def to_dict(self) -> dict:
        return asdict(self)


def _cn_number(words: str) -> float:
    """一千二百零一亿 → 120100000000, 二十六亿六千万 → 2660000000, 十八点六 → 18.6, 一点五亿 → 150000000."""
    whole, point, rest = words.partition("点")
    if point:                                  # 一点五亿: the decimals, then the magnitudes they are of
        decimals = rest.rstrip("万亿")
        scale = 1
        for c in rest[len(decimals):]:
            scale *= _CN_MAGNITUDE[c]
        return (_cn_number(whole) + float("0." + "".join(str(_CN_VALUE[c]) for c in decimals))) * scale
    total = below = section = number = 0      # 亿 multiples, 万 multiples below them, the current 千百十 run
    for c in whole:
        if c in _CN_VALUE:
            number = _CN_VALUE[c]
        elif c in _CN_SMALL:
            section, number = section + (number or 1) * _CN_SMALL[c], 0
        elif c == "万":
            below, section, number = below + (section + number) * 10 ** 4, 0, 0
        elif c == "亿":
            total, below, section, number = (total + below + section + number) * 10 ** 8, 0, 0, 0
    return float(total + below + section + number)


def amount_of(value: str, unit: str = "") -> float | None:
    """The number a value is written as, in `unit`s: full-width digits, thousands separators and · / ．
    points read; numbers in words too (四亿零七百 in 多万吨: 40700)."""
    if value[:1] in _CN_DIGITS + "十":
        lead = unit.lstrip("多余")[:1]                 # 万 of 多万吨: the value counts 万s of 吨
        magnitude = lead if lead in _CN_MAGNITUDE else ""
        return _cn_number(value + magnitude) / _CN_MAGNITUDE.get(magnitude, 1)
    digits = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in value)
    digits = digits.replace(",", "").replace("，", "").replace("·", ".").replace("．", ".").replace(" ", "")
    try:
        return float(digits)
    except ValueError:
        return None


def _period(sentence: str, at: int) -> str | None:
    """The nearest time phrase before the value (in its sentence), as written."""
    found = [m for m in _PERIOD.finditer(sentence, 0, at)]
    return found[-1].group().strip() if found else None


def _kind(sentence: str, clause_start: int, value_start: int, unit: str, change: str | None,
          in_target_list: bool) -> str:
    clause = sentence[clause_start:value_start]
    after = sentence[value_start:value_start + 16]
    if in_target_list or _TARGET.search(clause) or (
            _TARGET.search(sentence[:value_start]) and re.match(r"[^，。；;]*?(?:左右|以上|以内|以下)", after)):
        return "target"
    if change is not None or re.search(r"(?:增长|下降|增加|减少|提高|降低|上涨|下跌|回落)$", clause):
        return "growth"
    if unit in _SHARES and _SHARE.search(clause):
        return "share"
    return "level"


def _clause_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in _CLAUSE_SPLIT:
        i -= 1
    return i


def _indicator(raw: str) -> str | None:
    text = raw
    m = _FROM.search(text)
    if m:
        text = text[:m.start()]
    if "”" in text and "“" not in text[:text.rindex("”")]:
        text = text[text.rindex("”") + 1:]
    for _ in range(3):
        text = _TRAILING.sub("", _LEADING.sub("", text))
    verbs = list(_MID_VERB.finditer(text))
    if verbs and len(text) - verbs[-1].end() >= 2:
        text = text[verbs[-1].end():]
    place = _PLACE.match(text)
    if place and len(text) - place.end() >= 4:
        text = text[place.end():]
    text = _LEADING.sub("", text).strip()
    text = _COMPARED.sub("", text)
    bound = re.search(r"(?<=.{2})(?:不得超过|不超过|不低于|不少于)", text)
    if bound:                  # 发行的股票数量不得超过本次发行股票数量15%: the subject is the measure
        text = text[:bound.start()]
    share = next((m.start() for m in re.finditer(r"占(?!比)", text) if m.start() > 0), -1)
    if share > 0:              # 城镇单位就业人数仅占城镇总就业人数40.9%: the part is what is measured
        text = text[:share]
    for _ in range(3):
        text = _TRAILING.sub("", text)
    text = text.strip()
    return None if text in ("比", "较", "与") else text or None     # 比1980年预计增加: a change, no measure


def _named(sentence: str, head: str, indicator: str | None, ve: int, unit: str, rows: list[dict],
           opens_clause: bool) -> str | None:
    """The indicator in context: a measure named after the figure (…的股份) when the words before it
    only say what was done to it; a figure opening its clause counts what follows it; a list item
    (、77.62%) takes the one before it."""
    tail = sentence[ve:ve + 14]
    after = _NAMED_AFTER.match(sentence, ve)      # from the figure on, to the real end of the sentence
    # …or a 将/把 construction names its object after the figure (高新区将西区117.7公顷商业用地调整为…)
    acts_on = bool(_ACTS_ON.search(_BOUND.sub("", head.rstrip())) or (
        re.search(r"[将把][^，,；;]{1,8}$", head) and _BA_OBJECT.match(sentence, ve)))
    if after and re.match(rf"{_RANGE_END}(?:以上|以下|左右|多)?(?:的|股(?=股份|的))", tail) and (
            unit in (*_PERCENT, "万", "亿") or acts_on or not indicator):
        return after.group(1)
    if after and acts_on and unit not in _PERCENT:
        return after.group(1)                  # 安排30亿元建设资金, 增发1万亿元国债: the thing provided
    if unit in _PERCENT and (equity := re.match(r"的?(股权|股份)", sentence[ve:ve + 3])):
        return equity.group(1)                 # 浙江经投持有浙江智新51%股权: a stake
    if unit in _DURATIONS and (re.search(r"(?:过去|最近|未来|近|前|后)$", head.strip())
                               or re.match(r"(?:内|以内|之内|后|以后|之后|前|以前)", sentence[ve:ve + 2])
                               or (sentence[:ve].endswith("24小时") and re.match(r"[^\W\d的内以之]", sentence[ve:ve + 1]))):
        return None                            # 过去24小时, 发病1小时内, 24小时紧盯: a time window or round the clock
    if rows and head.strip().startswith("占"):
        return rows[-1]["indicator"]           # 回购股份454.64万股，占总股本0.9226%: the part is measured
    if opens_clause and unit not in (*_SHARES, *_DURATIONS):
        counted = _COUNTED.match(sentence, ve)
        if counted:
            return counted.group(1)            # 约185万人次参与网络祭扫: the figure is the subject
    multiple = _MULTIPLE_IN.match(head.strip()) if unit == "倍" else None
    if multiple and (subject := _indicator(multiple.group(1))):
        return subject
    if rows and (not indicator or _MULTIPLE_OF.match(head.strip())):
        return rows[-1]["indicator"]           # 、77.62% / 相当于前九年总和的1.6倍: the measure before
    if not indicator and (head.strip(" 、，,和及与") in ("", "占", "分别为", "分别", "分别有", "至", "到", "为", "达")
                          or _PREDICATE_ONLY.match(head)):
        end = sentence.rfind("，", 0, ve - len(unit))          # the clause before: 行业的企业数量较多，分别有9家
        if end > 0:
            return _indicator(sentence[_clause_start(sentence, end):end])
    return indicator


def _figures_in(sentence: str, in_target_list: bool = False) -> list[dict]:
    rows: list[dict] = []
    last_end = 0          # the previous figure's end: the next one's words start after it
    found = [*FIGURE.finditer(sentence)]
    for m in FIGURE_CN.finditer(sentence):
        if re.search("[十百千万亿]", m.group("value") + m.group("unit")[:1]):
            found.append(m)
    for m in sorted(found, key=lambda m: m.start()):
        value, unit, about = m.group("value"), m.group("unit"), m.group("about") or ""
        vs, ve = m.start("value"), m.end("unit")
        previous_end = last_end
        after = sentence[ve:ve + 4]
        before = sentence[max(0, vs - 1):vs]
        if before == "第" or (unit == "点" and _WHOLE_POINTS.match(value)) or (unit.endswith("人") and after[:1] == "民"):
            continue
        if unit in _CLASSIFIERS and after[:1] and re.match(r"[\u4e00-\u9fa5A-Za-z“\"]", after[:1]) \
                and not _VERB_AFTER.match(after):
            if not re.search(r"[由从][^，,；;]{0,12}$", sentence[:vs]):
                last_end = ve  # (the words before a "from" value, 由以前的14个大项压缩为…, still name the next one)
            continue   # a counting modifier: 4个新型工业化示范基地, 18户规上工业企业
        cs = max(_clause_start(sentence, vs), previous_end)
        head = _RANGE_START.sub("", sentence[cs:vs])      # 准备至少5至7天的: the upper end is the figure
        if _FROM_TO.match(sentence[ve:ve + 5]) and re.search("[从由]", head):
            continue   # the "from" value of 从41个提升至108个: the row is the value it rose to
        prefix = _CHANGE_PREFIX.search(head)
        subject = head[:prefix.start()] if prefix else head
        change = sentence[cs + prefix.start():ve].strip() if prefix else None
        own = _indicator(subject)
        last_end = ve
        if prefix and not own and rows and rows[-1]["change"] is None:
            rows[-1]["change"] = change          # 同比增长10.7% standing alone: the figure before changed
            continue
        # a clause of its own after a comma, not a list item (、77.62%) nor the part of a whole (其中…中，70%)
        opens_clause = cs == _clause_start(sentence, vs) and sentence[cs - 1:cs] in ("", "，", ",") \
            and not _BOUND.sub("", head.strip()) and not re.search(r"[中里内]$", sentence[:max(cs - 1, 0)])
        rows.append(dict(indicator=_named(sentence, subject, own, ve, unit, rows, opens_clause), value=value,
                         unit=about + unit,
                         change=change, offset=vs, kind=_kind(sentence, cs, vs, unit, change, in_target_list)))
    return _paired(rows)


def _paired(rows: list[dict]) -> list[dict]:
    """化学需氧量、二氧化硫排放量分别减少6.61%和8.95%: the k-th value measures the k-th item of the list,
    when the counts agree and every item names a whole measure (an elliptical 养老保险、医疗保险参保人数
    shares its head noun and stays whole)."""
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1]["indicator"] == rows[i]["indicator"]:
            j += 1
        items = (rows[i]["indicator"] or "").split("、")
        if j > i and len(items) == j - i + 1 and all(_MEASURE_END.search(item) for item in items):
            for k, item in enumerate(items):
                rows[i + k]["indicator"] = item
        i = j + 1
    return rows


def extract_key_figures(document: Document) -> list[KeyFigure]:
    """Every figure-with-unit in the document's sentences, in document order."""
    out: list[KeyFigure] = []
    for paragraph in (p for section in document.sections for p in section.paragraphs):
        in_list = False      # 预期目标是：…增长5%左右；城镇新增就业1200万人以上；… : every item is a target
        period = None        # … and refers to the period the list opened with
        for s in paragraph.sentences:
            opens_list = bool(_TARGET_LIST.search(s.text))
            for row in _figures_in(s.text, in_list or opens_list):
                start = s.start + row["offset"]
                period = _period(s.text, row["offset"]) or (period if in_list else None)
                out.append(KeyFigure(indicator=row["indicator"], value=row["value"], unit=row["unit"],
                                     change=row["change"], sentence=s.text, start=start,
                                     end=start + len(row["value"]), section=s.section,
                                     amount=amount_of(row["value"], row["unit"]), period=period,
                                     kind=row["kind"]))
            in_list = (in_list or opens_list) and s.text.rstrip()[-1:] in "；;"
    return out
