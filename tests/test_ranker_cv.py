"""The training-side cross-validation's build grammar and fold (models/experiments/ranker_cv.py)."""
from __future__ import annotations

import pytest

from models.experiments.ranker_cv import FOLDS, held_back, parse_build


def test_a_build_names_its_settings_and_weights():
    assert parse_build("wide dim=96 hidden=256 weight:lcsts-train=20") == \
        ("wide", {"dim": 96, "hidden": 256}, {"lcsts-train": 20.0})
    assert parse_build("plain") == ("plain", {}, {})
    with pytest.raises(ValueError, match="unknown setting"):
        parse_build("bad depth=3")


def test_the_fold_is_a_fixed_share_decided_by_the_text():
    texts = [f"第{i}条快讯：某公司发布公告称，拟投资{i}亿元建设新项目。" for i in range(2000)]
    back = [t for t in texts if held_back(t)]
    assert abs(len(back) / len(texts) - 1 / FOLDS) < 0.04
    assert back == [t for t in texts if held_back(t)]          # the same text, the same side
