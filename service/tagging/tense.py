"""Tense and aspect: `outlook` is for targets, plans and calls to action, never for a section that
reviews the past (一、过去一年工作回顾; 五年来…; 去年…取得…), whatever its topic. The project's labelling
rules say so; the trained head, which reads topics, cannot.
"""
from __future__ import annotations

import re

ASPECT = "outlook"
# a heading that announces a review: 回顾, 过去一年, 五年来, 2023年工作, 取得的成就
_REVIEW_HEADING = re.compile(r"回顾|总结|过去(?:的)?[一二三四五六七八九十]*年|[一二三四五六七八九十]+年来|一年来|去年|上年|"
                             r"(?:\d{4}|[一二三四五六七八九十]+)年(?:的)?工作(?!任务|重点|安排)|取得的(?:成就|成绩|进展)")
_PLAN_HEADING = re.compile(r"任务|目标|安排|计划|规划|展望|要求|思路|举措|措施|重点|今年|明年|下一步|今后|未来|[十一二三四五六七八九]+五")
# forward-looking words in a body; a review has none of them
_FUTURE = re.compile(r"将|要|力争|计划|目标|预计|预期|明年|下一步|今后|未来|展望|争取|确保|拟|规划")
_PAST = re.compile(r"过去|去年|上年|一年来|五年来|年来|已经|已|取得|实现了|完成了|达到了|增长了|同比|比上年|累计")


def reviews_the_past(heading: str | None, text: str) -> bool:
    """A section that looks back: its heading says so, or its body reports results without a word of plans."""
    if heading and _REVIEW_HEADING.search(heading) and not _PLAN_HEADING.search(heading):
        return True
    return len(_PAST.findall(text)) >= 3 and not _FUTURE.search(text)
