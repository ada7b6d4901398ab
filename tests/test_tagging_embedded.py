"""The embedded default tagger, the zero-shot engine for custom tag sets, and the deterministic build."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from service.tagging import classify
from service.tagging.base import Tag
from service.tagging.embedded import EmbeddedTagger, LinearHead, decide
from service.tagging.tagset import TagSet

# original sections written for these tests
PROJECTS_AND_INVESTMENT = (
    "今年以来，我县坚持招商引资和项目建设双轮驱动，全年新签约亿元以上招商项目36个，协议引资总额达到280亿元；"
    "42个省市重点项目完成固定资产投资156亿元，其中新能源电池材料项目已经开工建设，"
    "物流园基础设施一期工程年底前竣工。")
NEUTRAL_BODY = "今年以来，全区上下认真贯彻落实各项部署，相关工作取得积极进展，各项指标稳步提升。"


@pytest.fixture(scope="module")
def tagger():
    return EmbeddedTagger()


def test_artifact_is_small_and_portable():
    from service.config import ARTIFACTS_DIR

    npz, js = ARTIFACTS_DIR / "tagger.npz", ARTIFACTS_DIR / "tagger.json"
    assert npz.stat().st_size < 10 * 1024 * 1024
    meta = json.loads(js.read_text(encoding="utf-8"))
    assert meta["tags"] == TagSet.builtin().ids
    with np.load(npz, allow_pickle=False) as z:  # plain arrays, no pickled objects
        assert {"w_body", "w_head", "ngram_rows", "ngram_w", "bias", "thresholds"} <= set(z.files)


def test_classify_shape_order_and_names(tagger):
    texts = [PROJECTS_AND_INVESTMENT, "沪指今日高开高走，两市成交额突破一万亿元，半导体板块领涨。", "", "（记者 王明）"]
    out = tagger.classify(texts)
    assert len(out) == len(texts)
    builtin = TagSet.builtin()
    for row in out:
        assert row and all(isinstance(t, Tag) for t in row)
        assert [t.score for t in row] == sorted((t.score for t in row), reverse=True)
        assert all(t.id in builtin and t.name == builtin.name_of(t.id) for t in row)
        assert len({t.id for t in row}) == len(row)
        if any(t.id == "other" for t in row):
            assert len(row) == 1
    assert out[1][0].id == "capital_markets"
    assert classify([]) == []


def test_multi_label_projects_and_investment(tagger):
    ids = [t.id for t in tagger.classify([PROJECTS_AND_INVESTMENT])[0]]
    assert "project_construction" in ids and "investment_attraction" in ids, ids


def test_heading_is_a_strong_signal(tagger):
    s = tagger.scores([NEUTRAL_BODY] * 3, headings=[None, "优化营商环境 提升政务服务水平", "科技创新能力持续增强"])
    tags = tagger.head.tags
    be, inn = tags.index("business_environment"), tags.index("innovation")
    assert s[1, be] > s[0, be] and s[1, be] > s[2, be]
    assert s[2, inn] > s[0, inn] and s[2, inn] > s[1, inn]
    out = tagger.classify([NEUTRAL_BODY] * 2, headings=["优化营商环境 提升政务服务水平", "科技创新能力持续增强"])
    assert out[0][0].id == "business_environment"
    assert out[1][0].id == "innovation"


def test_headings_length_mismatch(tagger):
    with pytest.raises(ValueError):
        tagger.classify(["a", "b"], headings=["x"])


def test_decide_other_fallback():
    tags = ["a", "b", "other"]
    thr = np.array([0.5, 0.5, 0.5])
    p = np.array([[0.9, 0.7, 0.1],    # both pass
                  [0.3, 0.2, 0.1],    # none passes, best above min_score → best alone
                  [0.05, 0.04, 0.2],  # other is best
                  [0.1, 0.08, 0.05]])  # none passes, best below min_score → other
    rows = decide(p, tags, thr, 0.2, "other")
    assert [[t for t, _ in r] for r in rows] == [["a", "b"], ["a"], ["other"], ["other"]]


def test_decide_aspect_leads_only_without_a_topic():
    tags = ["edu", "trade", "outlook", "other"]
    thr = np.array([0.5, 0.5, 0.5, 0.5])
    p = np.array([[0.4, 0.1, 0.9, 0.05],   # a topic reaches the floor → it leads (below its threshold), outlook follows
                  [0.2, 0.1, 0.9, 0.05],   # no tag reaches the floor → outlook leads
                  [0.1, 0.1, 0.9, 0.6],    # the runner-up is `other` → other alone
                  [0.7, 0.6, 0.9, 0.05]])  # the best topic leads, the rest keep their order
    rows = [[t for t, _ in r] for r in decide(p, tags, thr, 0.0, "other", "outlook", 0.3)]
    assert rows == [["edu", "outlook"], ["outlook"], ["other"], ["edu", "outlook", "trade"]]
    # without the rule, outlook leads everywhere it scores best
    plain = [[t for t, _ in r] for r in decide(p, tags, thr, 0.0, "other")]
    assert [r[0] for r in plain] == ["outlook"] * 4


def _custom_yaml(tmp_path, with_examples=True):
    ex = lambda *xs: ("\n    examples:\n" + "".join(f"      - {x}\n" for x in xs)) if with_examples else "\n"
    p = tmp_path / "mytags.yaml"
    p.write_text(
        "name: my-tags\ntags:\n"
        "  - id: football\n    name: 足球\n    description: 足球比赛、球队、球员转会和联赛积分" + ex("主队在主场二比一战胜对手", "俱乐部宣布签下一名新前锋") +
        "  - id: weather\n    name: 天气\n    description: 天气预报、降雨、气温变化、台风和寒潮" + ex("明天全市有中到大雨", "受寒潮影响气温将下降八度") +
        "  - id: stocks\n    name: 股市\n    description: 股票市场行情、指数涨跌、个股涨停和成交额" + ex("沪指收盘上涨百分之一", "多只个股涨停"),
        encoding="utf-8")
    return p


def test_custom_tagset_end_to_end(tmp_path):
    path = _custom_yaml(tmp_path)
    texts = ["联赛第十轮，客队凭借补时阶段的进球一比零取胜，积分升至第三。",
             "气象台预计，本周后半段将有一次明显降雨过程，最高气温降至十五度。",
             "今日三大指数集体收涨，创业板指涨超两个百分点，两市成交额放大。"]
    for engine in ("zero-shot", "embedded"):  # the embedded engine falls back to zero-shot for custom tags
        out = classify(texts, tagset=str(path), engine=engine)
        assert [row[0].id for row in out] == ["football", "weather", "stocks"], engine
        assert out[0][0].name == "足球"
    tagger = EmbeddedTagger(tagset=str(path))
    assert tagger.fallback is not None and tagger.head is None


def test_custom_tagset_learns_from_examples(tmp_path):
    from service.tagging.zero_shot import ZeroShotTagger

    # tags whose names say nothing: only labelled examples can tell them apart
    p = tmp_path / "opaque.yaml"
    p.write_text("tags:\n  - id: a\n    name: 甲类\n  - id: b\n    name: 乙类\n  - id: c\n    name: 丙类\n", encoding="utf-8")
    zs = ZeroShotTagger(tagset=str(p), fit_min=3)
    assert zs.linear is None
    texts = ["门将扑出点球，球队惊险晋级八强。", "午后雷雨过后气温明显回落。", "证券板块午后异动拉升，指数翻红。"]
    x = zs.embed(texts)

    def margins():  # each text's own tag against the best other tag
        sim = zs.similarities(x)[:, :3]
        return np.array([sim[i, i] - np.delete(sim[i], i).max() for i in range(3)])

    before = margins()
    zs.add_examples(["前锋梅开二度帮助球队逆转", "球队主教练赛后接受采访", "联赛积分榜上主队排名第二",
                     "明日有雷阵雨", "今晚到明天多云转晴", "寒潮来袭气温骤降",
                     "股指震荡走高", "银行股集体拉升", "两市成交额放大"],
                    ["a"] * 3 + ["b"] * 3 + ["c"] * 3)
    assert zs.linear is not None  # ≥ fit_min labelled texts per tag: a linear head is fit too
    after = margins()
    assert (after > 0).all() and after.mean() > before.mean(), (before, after)
    assert [row[0].id for row in zs.classify(texts)] == ["a", "b", "c"]
    with pytest.raises(ValueError):
        zs.add_examples(["x"], ["no_such_tag"])


def test_deterministic_build(tmp_path):
    from models.train_tagger import main

    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert main(["--limit", "3", "--folds", "2", "--hash-bits", "12", "--emb-chars", "64", "--no-self-train",
                     "--out", str(out)]) == 0
        digests.append([hashlib.sha256((out / f).read_bytes()).hexdigest() for f in ("tagger.npz", "tagger.json")])
    assert digests[0] == digests[1]
    head = LinearHead.load(tmp_path / "a")
    assert head.tags == TagSet.builtin().ids
    assert head.cfg.emb_chars == 64 and head.cfg.hash_bits == 12


def test_body_embedding_optional_and_weighted(monkeypatch):
    from service.tagging import features as F

    # emb_chars=0: the body is read by the n-grams only; with no headings the encoder is never called
    import service.encoder as enc

    def boom(texts, name="use"):  # pragma: no cover - must not run
        raise AssertionError("encoder called")

    monkeypatch.setattr(enc, "encode", boom)
    cfg = F.FeatureConfig(emb_chars=0)
    f = F.featurize([PROJECTS_AND_INVESTMENT, NEUTRAL_BODY], None, cfg)
    assert not f.body_emb.any() and not f.head_emb.any() and f.body_ngr.nnz > 0
    # body_weight scales the body-embedding block; artifacts without the field read as 1.0
    f.body_emb[:] = 1.0
    m = f.matrix(F.FeatureConfig(body_weight=0.5))
    assert np.allclose(m[:, :F.DIM].toarray(), 0.5)
    assert F.FeatureConfig.from_dict({"emb_chars": 64}).body_weight == 1.0


def test_secondary_tags_are_weaker_positives():
    from models.train_tagger import SECONDARY_WEIGHT, SECONDARY_WEIGHT_BY_TAG, label_matrix

    tags = ["industrial_scale", "investment_attraction", "outlook", "other"]
    rows = [{"tags": ["industrial_scale", "investment_attraction", "outlook"]}, {"tags": ["outlook"]},
            {"tags": ["other", "industrial_scale"]}]
    y = label_matrix(rows, tags)
    assert y[0].tolist() == pytest.approx([1.0, SECONDARY_WEIGHT, SECONDARY_WEIGHT_BY_TAG["outlook"], 0.0])
    assert y[1].tolist() == [0.0, 0.0, 1.0, 0.0]                  # a primary outlook is a full positive
    assert y[2].tolist() == pytest.approx([SECONDARY_WEIGHT, 0.0, 0.0, 1.0])
    assert 0 < SECONDARY_WEIGHT_BY_TAG["outlook"] < SECONDARY_WEIGHT < 1
    assert label_matrix(rows, tags, secondary=1.0)[0].tolist() == [1.0, 1.0, 1.0, 0.0]


def test_mixed_sections_keep_the_dominant_topic_primary():
    from models.train_tagger import mixed_sections

    rows = [{"id": f"r{i}", "heading": None, "text": f"第{i}段。" + "园区产值增长较快。" * 6, "tags": [tag]}
            for i, tag in enumerate(["industrial_scale", "consumption", "industrial_scale", "outlook"])]
    mixed = mixed_sections(rows)
    assert mixed == mixed_sections(rows)                       # deterministic
    assert len(mixed) == len(rows)
    for base, m in zip(rows, mixed):
        partner = next(r for r in rows if r["id"] == m["id"].split("+")[1])
        assert m["base"] == base["id"] and m["text"].startswith(base["text"] + "\n")
        assert m["tags"][0] == base["tags"][0] and partner["tags"][0] in m["tags"][1:]
        assert partner["tags"][0] != base["tags"][0]
        assert len(m["text"]) - len(base["text"]) <= len(base["text"]) + 1   # the base dominates


def test_tags_are_ordered_by_score_with_one_primary():
    from service.tagging import classify

    texts = ["下一步，园区将继续围绕主导产业招大引强，力争全年营业收入突破2000亿元。",
             "今年一季度，园区新签约项目27个，协议投资额312亿元，其中新能源项目占比超过六成。"]
    for row in classify(texts):
        scores = [t.score for t in row]
        assert scores == sorted(scores, reverse=True)
        assert sum(t.primary for t in row) == 1


def test_a_review_of_the_past_is_never_outlook():
    from service.tagging import classify
    from service.tagging.base import Tag, finish

    review = "过去一年，全市地区生产总值增长6.1%，新增就业4.5万人，完成了全年目标任务。"
    (row,) = classify([review], headings=["一、过去一年工作回顾"])
    assert "outlook" not in [t.id for t in row]
    # the rule itself: outlook dropped, the next tag leads
    row = finish([Tag("outlook", "规划展望", 0.9, primary=True), Tag("livelihood", "民生保障", 0.6)], review,
                 "一、过去一年工作回顾")
    assert [(t.id, t.primary) for t in row] == [("livelihood", True)]
    # a plan keeps it
    plan = finish([Tag("outlook", "规划展望", 0.9, primary=True)], "明年将继续扩大有效投资。", "二、今年主要任务")
    assert [t.id for t in plan] == ["outlook"]


def test_scores_are_calibrated_and_keep_their_order():
    from service.tagging.embedded import LinearHead

    head = LinearHead.load()
    assert head.calibration and head.calibration["method"] == "platt"
    raw = [0.3, 0.6, 0.9, 0.99]
    calibrated = [head.calibrated(x) for x in raw]
    assert calibrated == sorted(calibrated) and calibrated[-1] < 0.99    # over-confident tops come down


def test_self_training_reads_only_the_training_side(tmp_path):
    """Self-training pseudo-labels real items the head is sure of, keeps the corpus thresholds, and never
    reads a held-out row. The items here are written for the test."""
    import gzip
    import json as json_

    from models.corpora import CCTV, FLASH
    from models.train_tagger import build, load_corpus, self_train
    from service.tagging.features import FeatureConfig

    sure = ["全市高新技术企业数量突破一千家，研发投入强度持续提高，科技创新能力不断增强，新增发明专利授权三千件。",
            "上证指数收涨百分之一，深证成指和创业板指同步上涨，两市成交额超过一万亿元，券商板块领涨。"]
    for corpus, held_out_date in ((FLASH, "2026-09-01"), (CCTV, "2025-03-01")):
        path = tmp_path / corpus
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            for k in range(12):
                date = held_out_date if k % 4 == 0 else "2024-05-01"
                text = ("（留出）" if date == held_out_date else "") + sure[k % 2] * 2
                fh.write(json_.dumps({"id": f"x{k}", "article": text, "summary": "标题", "date": date}) + "\n")
    cfg = FeatureConfig(hash_bits=12, emb_chars=64)
    rows = load_corpus(limit_per_tag=3)
    head, _ = build(rows, cfg=cfg, n_folds=0)
    refit, card = self_train(head, rows, cfg, root=tmp_path)
    assert card is not None and card["items_read"] == 2 * 9          # the held-out quarter is never read
    assert 0 <= card["pseudo_labelled"] <= card["items_read"]
    assert (refit.thresholds == head.thresholds).all() and refit.tags == head.tags
    assert self_train(head, rows, cfg, root=tmp_path / "absent") == (head, None)


def test_secondary_tags_under_the_calibrated_floor_are_dropped():
    """A secondary tag whose calibrated score is under the artifact's floor is more likely wrong than
    right, so it is not returned; the primary tag stays whatever its score."""
    from service.tagging.embedded import LinearHead

    head = LinearHead.load()
    assert 0 < head.calibration["secondary_floor"] < 1               # the shipped artifact has one
    head.calibration = {"method": "platt", "a": 1.0, "b": 0.0, "secondary_floor": 0.5}   # identity map
    k = len(head.tags)
    head.thresholds = np.full(k, 0.3, dtype=np.float32)
    p = np.full((1, k), 0.01)
    trade, consumption, innovation = (head.tags.index(t) for t in ("foreign_trade", "consumption", "innovation"))
    p[0, innovation], p[0, consumption], p[0, trade] = 0.95, 0.45, 0.35
    (row,) = head.decide(p)
    assert [t for t, _ in row] == ["innovation"]                      # 0.45 and 0.35 pass their thresholds
    p[0, innovation] = 0.2
    (row,) = head.decide(p)
    assert [t for t, _ in row] == ["consumption"]                     # the lead stays under the floor
    head.calibration["secondary_floor"] = 0.0
    (row,) = head.decide(p)
    assert [t for t, _ in row] == ["consumption", "foreign_trade"]
