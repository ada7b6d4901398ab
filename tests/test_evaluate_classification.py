"""`python -m models.evaluate classification`: metrics and a smoke run on tiny data written here."""
from __future__ import annotations

import json

from models.evaluate.classification import confusions, main, scores
from models.evaluate.keyword_baseline import KeywordTagger


def test_scores_and_confusions():
    gold = [["a", "b"], ["b"], ["c"], ["a"]]
    pred = [["a"], ["a", "b"], ["c"], ["b"]]
    s = scores(pred, gold)
    assert s["top1"] == 0.5            # items 1 and 3
    assert s["top1_any"] == 0.5        # item 2's "a" is not gold; item 4's "b" neither
    # a: tp1 fp1 fn1 → 0.5; b: tp1 fp1 fn1 → 0.5; c: tp1 → 1.0
    assert abs(s["macro_f1"] - (0.5 + 0.5 + 1.0) / 3) < 1e-9
    assert abs(s["micro_f1"] - 2 * 3 / (2 * 3 + 2 + 2)) < 1e-9
    assert confusions(pred, gold) == [("a", "b", 1), ("b", "a", 1)]


def test_keyword_baseline():
    out = KeywordTagger().classify(["今年粮食播种面积稳定，高标准农田建设加快，农民收入持续增长。", "！！！"])
    assert out[0][0].id == "agriculture_rural"
    assert out[1][0].id == "other"


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_cli_smoke(tmp_path, capsys):
    dev = tmp_path / "dev.jsonl"
    _write_jsonl(dev, [
        {"text": "一季度全市规模以上工业增加值同比增长8.5%，装备制造产值增长12%。", "heading": None, "tags": ["industrial_scale"]},
        {"text": "沪深两市今日震荡整理，成交额九千亿元，券商板块走强。", "heading": "市场综述", "tags": ["capital_markets"]},
        {"text": "全年新增城镇就业三万人，新建中小学八所。", "heading": None, "tags": ["livelihood"]},
    ])
    tags = tmp_path / "tags.yaml"
    tags.write_text("other: 其它\ntags:\n  - id: 天气\n    description: 天气预报和降雨\n    examples: [明天有大雨]\n"
                    "  - id: 股市\n    description: 股票市场行情和指数\n", encoding="utf-8")
    finnl = tmp_path / "finnl.jsonl"
    _write_jsonl(finnl, [{"id": "x1", "text": "今天夜间到明天白天有中雨。", "labels": ["天气"]},
                         {"id": "x2", "text": "上证指数收涨百分之一。", "labels": ["股市", "屈辱"]}])
    corpus = tmp_path / "corpus.jsonl"
    texts = ["全市规上工业产值增长百分之九。", "两市成交额突破万亿元。", "新签约招商项目二十个。", "重点项目集中开工。"]
    ids = ["industrial_scale", "capital_markets", "investment_attraction", "project_construction"]
    _write_jsonl(corpus, [{"id": f"c{i}", "heading": None, "text": texts[i % 4] + ("" if i < 4 else "同比提高。"),
                           "tags": [ids[i % 4]]} for i in range(8)])
    rc = main(["--devset", str(dev), "--finnl", str(finnl), "--finnl-tags", str(tags), "--corpus", str(corpus),
               "--folds", "2"])
    assert rc == 0
    out = capsys.readouterr().out
    for needle in ("default (embedded)", "keyword baseline", "zero-shot (descriptions + examples)", "top-1 acc",
                   "macro-F1", "sections/s", "confusion summary", "2-fold CV", "descriptions only",
                   "descriptions + ≤1 examples", "micro-F1"):
        assert needle in out, needle


def test_cli_skips_missing_finnl(tmp_path, capsys):
    rc = main(["--skip", "devset", "--skip", "cv", "--finnl", str(tmp_path / "absent.jsonl")])
    assert rc == 0
    assert "FinNL skipped" in capsys.readouterr().out


def test_reliability_and_the_new_columns():
    from models.evaluate.classification import reliability, scores
    from service.tagging.base import Tag

    rows = [[Tag("a", "a", 0.95), Tag("b", "b", 0.55)], [Tag("a", "a", 0.95)]]
    gold = [["a"], ["b"]]
    ece, table = reliability(rows, gold)
    # bin 0.9-1.0: two tags at 0.95, one right (0.5); bin 0.5-0.6: one at 0.55, wrong (0.0)
    assert [(b, n) for b, n, _, _ in table] == [("0.5–0.6", 1), ("0.9–1.0", 2)]
    assert abs(ece - (2 / 3 * 0.45 + 1 / 3 * 0.55)) < 1e-9
    s = scores([["a", "b"], ["a"]], gold)
    assert (s["micro_p"], s["micro_r"], s["tags_per_section"]) == (1 / 3, 1 / 2, 1.5)
