"""Boilerplate out of the body, kept where it is useful.

* the publisher's digest: the leading `> ` quote block(s) before any body text → `digest`
* URL-only lines (the trailing `<http…>` source line, an empty `<>`): removed; the last one → `source_url`
* navigation: link-only lines such as `[返回…](…)｜[返回首页](…)`, or plain 返回首页 / 上一篇 lines: removed
* source notes: `（文章来源：昆明日报）`, `来源：…`, `<p class="em_media">` → `source`; a trailing
  outlet in brackets at the end of the last paragraph (…。（上海证券报）) → `source`, removed from the text
* bylines: a short line `本报记者 张三 通讯员 李四` / `记者 张三 报道` / `文/张三`, or a leading
  `本报讯（记者 张三）` / `新华社北京6月11日电（记者 张三）` → `byline`, removed from the text
* image credits (`图片来源：…`), end marks (`（完）`) and editor lines (`责任编辑：…`): removed
* a report's header, before any body text: the document title (`政府工作报告`) → `title`, the occasion
  (`——2024年3月5日在…会议上`) → `date` and `occasion`, the speaker (`国务院总理 李强`) → `byline`, a
  portal's name (`广东省人民政府门户网站`) → `source`

Every rule looks at one block and is anchored, so the pass is linear in the size of the post.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from service.reader.body import Block

# A Chinese name; papers pad two-character names with a space (田 鹏).
_NAME = r"(?:[\u4e00-\u9fff·]{2,5}|[\u4e00-\u9fff][ \u3000][\u4e00-\u9fff](?![\u4e00-\u9fff]))"
_SOURCE_NOTE = re.compile(r"^[（(【\[]?\s*(?:文章|新闻|稿件|信息)?来源\s*[:：]\s*(.+?)\s*[）)】\]]?$")
_TRAILING_SOURCE = re.compile(r"[（(]\s*(?:文章|新闻|稿件|信息)?来源\s*[:：]\s*([^（）()]{1,30}?)\s*[）)]\s*$")
_TRAILING_OUTLET = re.compile(
    r"(?<=[。！？!?”」』])\s*[（(]\s*([^（）()，。,\s]{2,14}?(?:报|社|网|台|客户端|新闻|日报|时报|周刊|杂志|财经|"
    r"在线|资讯|频道|新闻网|中国|APP|app))\s*[）)]\s*$"
)
_BYLINE_LINE = re.compile(
    rf"^(?:[■●◆▲□]\s*(?=\S)|(?:本报|本刊|本台|特约|实习|融媒体)?记者|通讯员|实习生|文\s*[/／|｜]|撰文\s*[:：/]?|作者\s*[:：]|图\s*[/／])"
    rf"\s*[:：]?\s*{_NAME}"
    rf"(?:[\s、，,]*(?:本报|特约|实习)?(?:记者|通讯员|实习生|摄影)\s*[:：]?\s*{_NAME}|[\s、，,]+{_NAME})*"
    rf"\s*(?:报道|摄)?$"
)
_LEADING_DATELINE = re.compile(
    rf"^(?:本报讯|本报[\u4e00-\u9fff]{{0,6}}讯|(?:新华社|中新社|中新网|人民网|央视网|新华网)?[\u4e00-\u9fff]{{0,8}}\d{{1,2}}月\d{{1,2}}日电)"
    rf"\s*[（(]((?:[^（）()]{{0,12}}?)?记者[^（）()]{{1,30}})[）)]\s*"
)
_AGENCY = re.compile(r"^(新华社|中新社|中新网|人民网|央视网|新华网)")
_IMAGE_CREDIT = re.compile(r"^[（(]?\s*(?:图片?来源|图源|图片提供|摄影|配图)\s*[:：/].{0,40}$|^[（(]?图\s*[/／:：].{0,30}$")
_END_MARK = re.compile(r"^[（(【\[]\s*(?:完|全文完|END|end)\s*[）)】\]]$|^(?:责任编辑|编辑|校对|审核|监制|责编)\s*[:：].{0,40}$|^【?责任编辑\s*[:：].{0,40}】?$")
# Licence / disclaimer footers (Wikisource's 本作品是…公有领域, portals' 免责声明): cut with all after them.
_FOOTER = re.compile(r"^(?:本作品是中华人民共和国|本作品(?:在全世界)?属于公有领域|版权声明\s*[:：]|免责声明\s*[:：]|特别声明\s*[:：]|声明\s*[:：]\s*本文)")
_NAV_WORDS = re.compile(r"^(?:返回|回到|首页|上一篇|下一篇|更多|点击|查看原文|阅读原文|分享|打印|关闭)")
_REPORT_TITLE = re.compile(r"^[\u4e00-\u9fff（）()“”]{0,24}(?:政府工作报告|工作报告|规划纲要|五年计划(?:纲要)?)$")
_OCCASION = re.compile(r"^[—－\-]{0,3}\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:在.{2,40}?上)?(?:的(?:讲话|报告))?$")
_OFFICE = r"(?:国务院|[\u4e00-\u9fff]{1,8}?(?:省|市|县|区|州|盟|旗))?(?:代理?)?(?:总理|副总理|省长|市长|区长|县长|州长|主席|书记)"
_SPEAKER = re.compile(rf"^{_OFFICE}\s*([\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){{1,3}})$")
_OFFICE_LINE = re.compile(rf"^{_OFFICE}$")
_NAME_LINE = re.compile(r"^[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3}$")
_PORTAL = re.compile(r"^[\u4e00-\u9fff]{2,20}(?:门户网站|人民政府网|政府网|政务网)$")
_NAV_LINE = re.compile(r"^(?:(?:返回|回到)[^。！？，,]{0,20}|首页|上一篇|下一篇)(?:\s*[｜|/·]\s*(?:(?:返回|回到)[^。！？，,]{0,20}|首页|上一篇|下一篇))*$")


@dataclass
class Extracted:
    digest: str | None = None
    source: str | None = None
    source_url: str | None = None
    byline: str | None = None
    title: str | None = None        # a report's own title line
    date: str | None = None         # ISO date of the occasion line
    occasion: str | None = None
    office: str | None = None       # a speaker's office on a line of its own, waiting for the name


def strip_boilerplate(blocks: list[Block]) -> tuple[list[Block], Extracted]:
    info = Extracted()
    blocks = _cut_footer(blocks)
    kept: list[Block] = []
    digest: list[str] = []
    for block in blocks:
        if block.quote and not kept:
            digest.append(block.text)
            continue
        if block.url_only:
            if block.text:
                info.source_url = block.text
            continue
        if _is_navigation(block):
            continue
        text = block.text
        if "em_media" in block.classes or (len(text) <= 40 and _SOURCE_NOTE.match(text)):
            source = _source_from_note(text)
            if source and not info.source:
                info.source = source
            if source or "em_media" in block.classes:
                continue
        if len(text) <= 40 and (_IMAGE_CREDIT.match(text) or _END_MARK.match(text)):
            continue
        if len(text) <= 40 and _BYLINE_LINE.match(text):
            info.byline = info.byline or text
            continue
        if not kept and len(text) <= 60 and _take_header(text, info):
            continue
        if not kept:
            block = _strip_dateline(block, info)
            if not block.text:
                continue
        kept.append(block)
    if digest:
        info.digest = " ".join(d for d in digest if d) or None
    _strip_trailing_source(kept, info)
    return kept, info


def _take_header(text: str, info: Extracted) -> bool:
    """A line of a report's header, before any body text, into metadata (True when taken)."""
    if _REPORT_TITLE.match(text) and not info.title:
        info.title = text
        return True
    m = _OCCASION.match(text)
    if m:
        year, month, day = m.groups()[:3]
        info.date = info.date or f"{year}-{int(month):02d}-{int(day):02d}"
        info.occasion = info.occasion or text.lstrip("—－- ")
        return True
    m = _SPEAKER.match(text)
    if m:
        name = re.sub(r"\s", "", m.group(1))
        info.byline = info.byline or text[:m.start(1)].strip() + " " + name
        return True
    if _OFFICE_LINE.match(text):
        info.office = text
        return True
    if info.office and _NAME_LINE.match(text):
        info.byline = info.byline or info.office + " " + re.sub(r"\s", "", text)
        info.office = None
        return True
    if _PORTAL.match(text):
        info.source = info.source or text
        return True
    return False


def _cut_footer(blocks: list[Block]) -> list[Block]:
    for i in range(len(blocks) // 2, len(blocks)):
        if _FOOTER.match(blocks[i].text):
            return blocks[:i]
    return blocks


def _is_navigation(block: Block) -> bool:
    if block.link_only:
        return bool(_NAV_WORDS.match(block.text)) or not block.text
    return len(block.text) <= 40 and bool(_NAV_LINE.match(block.text))


def _source_from_note(text: str) -> str | None:
    m = _SOURCE_NOTE.match(text)
    if m:
        return m.group(1).strip() or None
    inner = text.strip().strip("（）()【】[] ")
    return inner or None


def _strip_dateline(block: Block, info: Extracted) -> Block:
    """本报讯（记者 张三）… → byline 记者 张三, paragraph without the dateline."""
    m = _LEADING_DATELINE.match(block.text)
    if not m:
        return block
    info.byline = info.byline or m.group(1).strip()
    agency = _AGENCY.match(block.text)
    if agency and not info.source:
        info.source = agency.group(1)
    return replace(block, text=block.text[m.end():].strip())


def _strip_trailing_source(kept: list[Block], info: Extracted) -> None:
    """…最后一句。（文章来源：X） or …。（上海证券报） at the very end of the body → source."""
    if not kept:
        return
    last = kept[-1]
    for pattern in (_TRAILING_SOURCE, _TRAILING_OUTLET):
        m = pattern.search(last.text)
        if m and m.start() > 0:
            info.source = info.source or m.group(1).strip()
            kept[-1] = replace(last, text=last.text[:m.start()].rstrip())
            return
