"""The dev set and the tuning set: well-formed, disjoint, and (with ../shared) resolvable."""
import json
from collections import defaultdict

import pytest

from models.devset.load import DEFAULT_SHARED, SECTIONS, TUNING, load_devset
from service.tagging.tagset import TagSet


def _items(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [SECTIONS, TUNING], ids=["dev", "tuning"])
def test_items_are_well_formed(path):
    items = _items(path)
    known = set(TagSet.builtin().ids)
    assert len({i["id"] for i in items}) == len(items)
    for it in items:
        assert it["tags"] and set(it["tags"]) <= known, it["id"]
        assert len(set(it["tags"])) == len(it["tags"]), it["id"]
        assert 0 <= it["start"] < it["end"], it["id"]
        assert "text" not in it  # ids and offsets only: the project stores no source text


def test_tuning_set_never_overlaps_the_dev_set():
    spans = defaultdict(list)
    for it in _items(SECTIONS) + _items(TUNING):
        spans[(it["dataset"], it["doc"])].append((it["start"], it["end"], it["id"]))
    for doc, ranges in spans.items():
        ranges.sort()
        for (s1, e1, a), (s2, e2, b) in zip(ranges, ranges[1:]):
            assert s2 >= e1, f"{a} and {b} overlap in {doc}"
    # outside the 30 ce articles (28 used by the dev set), the two sets share no document
    dev_docs = {(i["dataset"], i["doc"]) for i in _items(SECTIONS) if i["dataset"] != "ce_people_daily_articles"}
    assert not dev_docs & {(i["dataset"], i["doc"]) for i in _items(TUNING)}


@pytest.mark.skipif(not (DEFAULT_SHARED / "data").is_dir(), reason="needs ../shared/data (texts are not stored here)")
@pytest.mark.parametrize("path,n", [(SECTIONS, 192), (TUNING, 219)], ids=["dev", "tuning"])
def test_spans_resolve_with_checksums(path, n):
    items = load_devset(sections_file=path)
    assert len(items) == n
    assert all(i["text"].strip() for i in items)
