"""Every post and article in ../shared (seed and data) reads without error, with sane invariants.

Skipped when ../shared is absent. Nothing from it is copied into the project."""
import json
import re
import time
from pathlib import Path

import pytest

from service.document import ReadError
from service.reader import read_post

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present")

JSONL = {
    "ce_people_daily_articles/articles.jsonl": "text",
    "cfbenchmark_summary/test.jsonl": "article",
    "clts_samples/clts_samples.jsonl": "article",
    "clts_samples/clts_plus_samples.jsonl": "article",
    "finna_fincuge/test_all.jsonl": "article",
    "lcsts_part3/test.jsonl": "article",
    "gov_reports/docs.jsonl": "text",
}


def check(doc, name):
    assert doc.sections and all(s.paragraphs for s in doc.sections), name
    for i, section in enumerate(doc.sections):
        assert section.index == i
        for j, paragraph in enumerate(section.paragraphs):
            assert doc.text[paragraph.start:paragraph.end] == paragraph.text, name
            for s in paragraph.sentences:
                assert s.text and doc.text[s.start:s.end] == s.text, name
                assert (s.section, s.paragraph) == (i, j), name
                if doc.source_url:
                    assert doc.source_url not in s.text, name
                assert "返回首页" not in s.text, name


def test_seed_post():
    seeds = sorted((SHARED / "seed").glob("*.md"))
    assert seeds
    doc = read_post(seeds[0])
    check(doc, seeds[0])
    assert doc.title and doc.date and doc.date.startswith("2022-02-21T06:01:08")
    assert doc.source == "昆明日报"
    assert doc.source_url and doc.source_url.startswith("http")
    assert [s.heading for s in doc.sections[:3]] == [None, "聚焦主责主业 产业规模做大做强", "聚焦企业需求 营商环境持续改善"]
    assert [s.role for s in doc.sections] == ["lead", "body", "body", "closing"]
    assert doc.sections[-1].paragraphs[0].text.startswith("2022年，昆明高新区将")
    assert all(len(s.text) <= 150 for s in doc.sentences)
    assert "文章来源" not in doc.text and "返回" not in doc.text
    t = time.perf_counter()
    for _ in range(10):
        read_post(seeds[0])
    assert (time.perf_counter() - t) / 10 < 0.05


def test_finews_posts():
    posts = sorted((DATA / "finews").glob("*/*.md"))
    assert posts
    for path in posts:
        doc = read_post(path)
        check(doc, path)
        assert doc.categories == ["emnews"]
        assert "返回" not in doc.text and not re.search(r"</?[a-z]+[ >/]", doc.text)
        assert doc.source_url is None or doc.source_url.startswith("http")
    digest_post = [read_post(p) for p in posts if read_post(p).digest]
    assert digest_post and all(d.digest not in d.text for d in digest_post)


def test_gov_report_text_files():
    files = sorted((DATA / "gov_reports" / "txt").glob("*.txt"))
    assert files
    headed = 0
    for path in files:
        doc = read_post(path)
        check(doc, path)
        headed += any(s.heading for s in doc.sections)
    assert headed >= len(files) * 0.8


@pytest.mark.parametrize("name,key", sorted(JSONL.items()))
def test_jsonl_articles(name, key):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    count = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            text = record[key]
            try:
                doc = read_post(text)
            except ReadError as exc:
                assert not text.strip(), (record.get("id"), exc)
                continue
            check(doc, record.get("id"))
            count += 1
    assert count


# The defects of issue 18 in official documents, checked over every document in gov_reports.
_LIST_MARKER_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}[是要]$")
_BROKEN_HEADING = re.compile(r"^[》”）)」，、。]|[《（(]$")   # (OCR text ends lines with stray “)
_HEADER_LINE = re.compile(r"^(?:——)?\d{4}年\d{1,2}月\d{1,2}日在.{2,40}上$|政府工作报告$|门户网站$")


def test_gov_reports_as_written():
    from service import analyze
    from service.reader.procedural import FORMULA

    formula = re.compile(FORMULA)
    docs = [json.loads(line) for line in open(DATA / "gov_reports" / "docs.jsonl", encoding="utf-8")]
    problems, openers, headers_taken = [], 0, 0
    for x in docs:
        result = analyze(x["text"])
        doc = result.document
        for section in doc.sections:
            heading = section.heading or ""
            if _LIST_MARKER_HEADING.match(heading) or _BROKEN_HEADING.search(heading):
                problems.append((x["id"], "heading", heading))
            if _HEADER_LINE.search(heading):
                problems.append((x["id"], "header as heading", heading))
        for figure in result.key_figures:
            after = doc.text[figure.end:figure.end + 2]
            if figure.value.endswith(("·", "．")) or re.match(r"[·．]\d", after):
                problems.append((x["id"], "figure cut at its point", figure.value + after))
        for piece in result.summary.sentences:
            if formula.search(piece.text) or _HEADER_LINE.search(piece.text):
                problems.append((x["id"], "formula or header in the summary", piece.text[:40]))
        openers += doc.sections[0].role == "procedural"
        headers_taken += bool(doc.metadata.get("occasion"))
    assert problems == []
    # the reports that open with 各位代表 all have their opening set apart, and the dated headers are metadata
    assert openers >= sum("各位代表" in x["text"][:200] for x in docs)
    assert headers_taken >= 4
