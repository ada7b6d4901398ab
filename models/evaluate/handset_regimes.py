"""Which weights a text is summarized with: short texts, research reports and other long texts each
get their own overrides of `handset.Weights`, because weights tuned for one kind cost 2–3 ROUGE points
on the others. How each was set: docs/summarization.md ("The hand-set baseline").
"""
from __future__ import annotations

import re

from service.document import Document

SHORT, REPORT, LONG = "short", "report", "long"
SHORT_TEXT_CHARS = 365

# Distinct cues of a research report or a results commentary: earnings terms, ratings, forecasts and
# the analysts' shorthand (22H1, 4Q22, YoY, pct); three of them mark a report.
REPORT_CUES = re.compile(
    r"归母净利|扣非|盈利预测|投资评级|投资建议|(?:买入|增持|推荐|中性|减持|跑赢|优于大市)[”\"]?评级"
    r"|维持[“\"]?(?:买入|增持|推荐)|首次覆盖|目标价|EPS|PE(?![A-Za-z])|市盈率|风险提示|毛利率|净利率"
    r"|营收|营业收入|同比[+-]|[1-4]Q2\d|2\dQ[1-4]|\d{2}H[12]|YoY|QoQ|pct")
REPORT_MIN_CUES = 3

OVERRIDES: dict[str, dict] = {
    SHORT: dict(centrality=2.0, tau=1.0, figures=0.2, lexical=1.0, fill=0.0, redundancy=1.0, refill=0.0,
                window_below=0.7),
    REPORT: dict(centrality=0.5, position=1.5, tau=1.0, paragraph_lead=0.3, figures=0.2, lexical=0.0, fill=0.3,
                 window_centrality=1.0, window_sentences=1, window_prefix=0.3, redundancy=0.5,
                 paragraph_coverage=0.3, refill=4.0, min_candidates=20),
    LONG: {},
}


def report_cues(text: str) -> int:
    """How many distinct research-report cues the text has."""
    return len({m.group() for m in REPORT_CUES.finditer(text)})


def regime(document: Document) -> str:
    body = document.body
    if len(body) < SHORT_TEXT_CHARS:
        return SHORT
    if report_cues(body) >= REPORT_MIN_CUES:
        return REPORT
    return LONG
