"""Which weights a text is summarized with. Three kinds of text want different sentence weights:

- short texts (briefs, Weibo-length posts; body under SHORT_TEXT_CHARS): a sharp lead prior, more
  weight on centrality, no fill bonus, no budget refill (`--preset dev --tune`: LCSTS label < 3 + FinNA
  test_all not in test.jsonl, all ≤ 289 chars); and when the whole sentences that fit fill under 70 %
  of the budget, a longer run of clauses of a top sentence replaces them (window_below: dev +1.2 on
  the mean of R-1 and R-L; 0.9 gained 0.26 more, but 0.7 keeps whole sentences whenever they fill
  most of the budget). 365 is the midpoint of the gap between the two dev sets
  (289 and 441 chars); nothing reported placed it.
- research reports (sell-side 研报 and results commentary, recognised by REPORT_CUES): their first
  sentence is rarely the point (事件：公司发布年报…) and their reference summaries take one point from
  each paragraph, so position counts half as much, paragraphs are coverage units, filling the budget
  counts more, and twice as many candidates are encoded (`--preset cfbenchmark-dev --tune --tune-regime
  report`: the quarter of CFBenchmark kept for tuning, never reported).
- other long texts (news): the Weights defaults, searched on dev-long (中国经济网/人民日报 articles).

Each regime is a set of overrides of `embedded.Weights`; weights tuned for one kind cost 2–3 ROUGE
points on the others, hence the split.
"""
from __future__ import annotations

import re

from service.document import Document

SHORT, REPORT, LONG = "short", "report", "long"
SHORT_TEXT_CHARS = 365

# Distinct cues of a research report or a results commentary: earnings terms, ratings, forecasts and
# the analysts' shorthand (22H1, 4Q22, YoY, pct). Three distinct cues flag 125 of the 152 reports in
# cfbenchmark-dev, 1 of 27 dev-long news articles and 11 of 3,453 FinNA briefs (not in test.jsonl).
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
