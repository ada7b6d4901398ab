"""ROUGE on hand-computed cases, and the evaluation CLI on a tiny JSONL written here."""
from __future__ import annotations

import json

import pytest

from models.evaluate.baselines import fit, lead
from models.evaluate.rouge import chars, lcs_length, rouge


def test_chars_drop_whitespace_and_punctuation():
    assert chars("我 爱，北京！ABC 1.5%") == list("我爱北京abc15")


def test_rouge_hand_cases():
    # candidate 我爱北京 / reference 我爱上海: unigrams 2/4 both ways → F1 .5; bigrams {我爱} 1/3 → .333;
    # LCS 我爱 = 2 → .5
    s = rouge("我爱北京", "我爱上海")
    assert s.rouge1 == pytest.approx(0.5)
    assert s.rouge2 == pytest.approx(1 / 3)
    assert s.rougeL == pytest.approx(0.5)
    # punctuation and spaces do not count
    assert rouge("我爱北京。", "我 爱 北 京").rouge1 == pytest.approx(1.0)
    # LCS 甲丙丁 = 3 of candidate 4 and reference 5: P .75, R .6 → F1 2*.45/1.35
    assert lcs_length(list("甲乙丙丁"), list("甲丙戊丁己")) == 3
    assert rouge("甲乙丙丁", "甲丙戊丁己").rougeL == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    # clipped counts: 好好好 vs 好 → P 1/3, R 1 → .5
    assert rouge("好好好", "好").rouge1 == pytest.approx(0.5)
    assert rouge("", "参考").rouge1 == 0.0 and rouge("甲", "").rougeL == 0.0


def test_fit_matched_length():
    pieces = ["第一句很长很长很长。", "第二句。", "第三句话。"]
    assert fit(pieces, [2, 1, 0], 9) == "第二句。第三句话。"
    assert fit(pieces, [1, 0, 2], 9, stop_at_misfit=True) == "第二句。"
    assert lead("甲乙丙。丁戊。", 3, 7) == "甲乙丙。丁戊。"
    assert lead("甲乙丙。丁戊。", 1, 7) == "甲乙丙。"


def test_cli_all_systems(tmp_path, capsys):
    from models.evaluate.__main__ import main

    items = [
        {"id": "a", "article": "本市今年一季度地区生产总值同比增长5.6%。工业生产稳中向好，订单充足。"
                               "消费市场逐步回暖，餐饮收入增长明显。", "summary": "一季度生产总值增长5.6%"},
        {"id": "b", "article": "公司发布年报，全年营业收入120亿元，同比增长15%。净利润8亿元，同比增长9%。"
                               "公司拟每10股派发现金红利2元。", "summary": "公司营收120亿元增长15%"},
    ]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in items), encoding="utf-8")
    assert main(["summarization", "--data", str(path)]) == 0
    out = capsys.readouterr().out
    for system in ("embedded (ours)", "Lead-1", "Lead-3", "SnowNLP", "TextRank4ZH"):
        assert f"| {system} |" in out
    assert "margin of ours over the best baseline" in out


def test_presets_load(shared_data):
    from models.evaluate.summarization import PRESETS

    sets = PRESETS["all"](shared_data)
    sizes = {title.split()[0]: len(items) for title, items in sets}
    assert sizes["lcsts_part3"] == 725
    assert sizes["finna_fincuge"] == 147
    assert sizes["cfbenchmark_summary"] == 440        # the reported three quarters
    dev = PRESETS["cfbenchmark-dev"](shared_data)[0][1]
    everything = PRESETS["cfbenchmark-all"](shared_data)[0][1]
    assert len(dev) == 152 and len(everything) == 592
    reported = {x["id"] for x in sets[2][1]}
    assert not reported & {x["id"] for x in dev} and len(reported | {x["id"] for x in dev}) == 592


def test_clause_run_oracle_picks_the_best_run_within_the_budget():
    from models.evaluate.oracle import clauses, oracle

    article = "昨天下午，市政府召开会议，研究部署防汛工作，会议由副市长主持。各区要落实责任。"
    figures = "增长3.5%，达到1,000亿元。"
    assert [figures[a:b] for a, b in clauses(figures)] == ["增长3.5%，", "达到1,000亿元。"]
    best = oracle(article, "市政府部署防汛工作", budget=20)
    assert best == "市政府召开会议，研究部署防汛工作，"
    assert len(best) <= 20 and best in article
    assert oracle(article, "市政府部署防汛工作", budget=3) == ""


def test_headline_corpora_are_split_by_date(tmp_path):
    import gzip
    import json

    from models import corpora

    rows = [{"id": f"f{i}", "article": "正文。", "summary": "标题", "date": date}
            for i, date in enumerate(["2026-07-19", "2026-07-20", "2026-07-21 09:30", "2026-08-01"])]
    path = tmp_path / corpora.FLASH
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    assert [r["id"] for r in corpora.held_out(tmp_path, corpora.FLASH)] == ["f2", "f3"]
    assert [r["id"] for r in corpora.training_pairs(tmp_path, corpora.FLASH)] == ["f0", "f1"]
    assert corpora.is_held_out(corpora.CCTV, {"date": "2025-03-01"})
    assert not corpora.is_held_out(corpora.CCTV, {"date": "2024-12-31"})
