"""The formulas that open and close a report or a speech: 各位代表：, 现在，我代表国务院，向大会报告政府工作，
请予审议…, 各位代表！ (alone), 谢谢大家！. No reader wants them summarized or tagged, so the reader puts
them in sections of their own with role="procedural"; the summarizer and the tagger skip such sections.
"""
from __future__ import annotations

import re

# the formulas themselves (the summarizer's candidate flags reuse this pattern)
FORMULA = (r"请予审议|请.{0,6}(?:代表|委员).{0,6}(?:审议|提出意见)|各位代表|各位委员|我代表.{0,16}(?:作|向|报告)"
           r"|现将.{0,24}报告如下|提请.{0,12}审议")
_OPENER = re.compile(FORMULA)
_CLOSER = re.compile(r"^(?:各位(?:代表|委员|同志)|同志们|谢谢(?:大家)?|谢谢各位)[！!。：:，,]?$")
MAX_OPENER = 160        # an opener is a sentence or two; a longer paragraph that names the formula is content


def split_procedural(plans: list) -> list:
    """SectionPlans with a report's leading formulas (and trailing short ones) in sections of their own."""
    if not plans:
        return plans
    first, last = plans[0], plans[-1]
    lead = 0
    while lead < len(first.paragraphs) and len(first.paragraphs[lead]) <= MAX_OPENER \
            and _OPENER.search(first.paragraphs[lead]):
        lead += 1
    tail = 0
    while tail < len(last.paragraphs) - (lead if last is first else 0) and \
            _CLOSER.match(last.paragraphs[len(last.paragraphs) - 1 - tail].strip()):
        tail += 1
    if not lead and not tail:
        return plans
    cls = type(first)
    out = list(plans)
    if tail:
        closing = last.paragraphs[len(last.paragraphs) - tail:]
        last.paragraphs = last.paragraphs[:len(last.paragraphs) - tail]
        out.append(cls(paragraphs=closing, role="procedural"))
    if lead:
        opening = first.paragraphs[:lead]
        first.paragraphs = first.paragraphs[lead:]
        out.insert(0, cls(paragraphs=opening, role="procedural"))
    return [p for p in out if p.paragraphs or p.headings]
