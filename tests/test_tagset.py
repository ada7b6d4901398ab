"""Tag sets: the built-in taxonomy, users' YAML and JSON tag files, and clear errors for bad files."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from service.tagging.tagset import TagSet, TagSetError

BUILTIN_IDS = ["industrial_scale", "business_environment", "investment_attraction", "project_construction",
               "innovation", "enterprise_growth", "foreign_trade", "capital_markets", "banking_finance",
               "consumption", "agriculture_rural", "livelihood", "green_development", "outlook", "other"]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_builtin_taxonomy():
    ts = TagSet.builtin()
    assert ts.ids == BUILTIN_IDS
    assert ts.other == "other"
    assert ts["business_environment"].name == "营商环境"
    assert ts.name_of("industrial_scale") == "产业规模"
    for t in ts:
        assert t.description, t.id
        assert 1 <= len(t.examples) <= 5, t.id
    assert TagSet.load(None) is ts
    assert len(ts.topical) == 14


@pytest.mark.skipif(not (SHARED / "TAXONOMY.md").is_file(), reason="../shared absent")
def test_builtin_matches_shared_taxonomy():
    table = (SHARED / "TAXONOMY.md").read_text(encoding="utf-8")
    rows = [r for r in re.findall(r"^\| ([a-z_]+) \| ([^|]+?) \|", table, flags=re.M) if r[0] != "id"]
    ts = TagSet.builtin()
    assert [r[0] for r in rows] == ts.ids
    assert {r[0]: r[1] for r in rows} == {t.id: t.name for t in ts}


def test_user_yaml(tmp_path):
    p = tmp_path / "tags.yaml"
    p.write_text("""
name: sports
tags:
  - id: football
    name: 足球
    description: 足球比赛和球队
    examples: [主队二比一取胜, 球队签下新前锋]
  - id: weather
    description: 天气预报
""", encoding="utf-8")
    ts = TagSet.load(str(p))
    assert ts.ids == ["football", "weather", "other"]  # the fallback tag is added
    assert ts["football"].examples == ("主队二比一取胜", "球队签下新前锋")
    assert ts["weather"].name == "weather"
    assert ts.name == "sports"
    assert len(ts.examples()) == 2


def test_user_json_list_and_labelled_file(tmp_path):
    (tmp_path / "more.jsonl").write_text(json.dumps({"text": "明天有雨", "tags": ["weather"]}, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    p = tmp_path / "tags.json"
    p.write_text(json.dumps({"other": "misc", "labelled": "more.jsonl",
                             "tags": [{"id": "weather", "name": "天气", "description": "天气"}, "misc"]},
                            ensure_ascii=False), encoding="utf-8")
    ts = TagSet.load(p)
    assert ts.ids == ["weather", "misc"]
    assert ts.other == "misc"
    assert ts.labelled == [("明天有雨", ("weather",))]


@pytest.mark.parametrize("name,content,needle", [
    ("broken.yaml", "tags: [id: a, : :\n  - ]]", "not valid YAML"),
    ("broken.json", "{not json", "not valid JSON"),
    ("noid.yaml", "tags:\n  - name: 无编号\n", "has no 'id'"),
    ("dup.yaml", "tags:\n  - id: a\n  - id: a\n", "duplicate tag id"),
    ("empty.yaml", "name: nothing\n", "'tags' must be a non-empty list"),
    ("badex.yaml", "tags:\n  - id: a\n    examples: {x: 1}\n", "'examples' must be a list"),
])
def test_bad_files_name_the_file(tmp_path, name, content, needle):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(TagSetError) as err:
        TagSet.load(p)
    assert name in str(err.value)
    assert needle in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(TagSetError, match="nowhere.yaml"):
        TagSet.load(tmp_path / "nowhere.yaml")
    assert issubclass(TagSetError, ValueError)


def test_finnl_tag_file_is_valid():
    ts = TagSet.load(Path(__file__).resolve().parents[1] / "models" / "tagsets" / "finnl_fincuge.yaml")
    assert ts.other == "其它"
    assert len(ts.topical) == 16
    assert all(len(t.examples) <= 5 and t.description for t in ts.topical)
