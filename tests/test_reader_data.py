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
