"""The transformers tagger and models.train_classifier end to end on a tiny random BERT whose character
vocabulary is built here from texts written for this test."""
from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("datasets")

from models.tiny import build_tiny_bert  # noqa: E402
from models.train_classifier import TrainingDataError, load_examples, main  # noqa: E402
from service.tagging.base import Tag  # noqa: E402
from service.tagging.finetuned import ModelNotAvailable, ModelNotConfigured, TransformersTagger, format_input  # noqa: E402

# written for this test (not from any data set)
EXAMPLES = [
    {"text": "全市外贸进出口总额增长12%，出口增长15%。", "tags": ["foreign_trade"]},
    {"text": "跨境电商进出口额突破100亿元，港口吞吐量创新高。", "tags": ["foreign_trade"]},
    {"text": "新开通国际货运航线5条，进出口企业达到800家。", "tags": ["foreign_trade"], "heading": "开放"},
    {"text": "自贸试验区新增外贸企业120家，出口订单持续增加。", "tags": ["foreign_trade"]},
    {"text": "研发投入强度达到2.8%，新增发明专利1500件。", "tags": ["innovation"]},
    {"text": "新建省级重点实验室6个，科技成果转化加快。", "tags": ["innovation"], "heading": "创新驱动"},
    {"text": "高新技术企业研发经费增长20%，人工智能平台上线。", "tags": ["innovation"]},
    {"text": "科研院所与企业共建研发中心，专利授权量增长。", "tags": ["innovation"]},
    {"text": "新增城镇就业2万人，新建学校8所，医保覆盖全体居民。", "tags": ["livelihood"]},
    {"text": "改造老旧小区60个，养老服务中心覆盖所有街道。", "tags": ["livelihood"]},
    {"text": "城乡居民收入增长7%，困难群众救助及时到位。", "tags": ["livelihood"], "heading": "民生"},
    {"text": "科技企业出口高新技术产品增长30%。", "tags": ["innovation", "foreign_trade"]},
    {"text": "本报记者张三报道。", "tags": []},
    {"text": "编辑李四，校对王五。", "tags": ["other"]},
]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    texts = [e["text"] for e in EXAMPLES] + [e.get("heading") or "" for e in EXAMPLES]
    return str(build_tiny_bert(tmp_path_factory.mktemp("base") / "tiny-bert", texts=texts))


@pytest.fixture(scope="module")
def trained(tiny_bert, tmp_path_factory):
    root = tmp_path_factory.mktemp("classifier")
    data = root / "train.jsonl"
    data.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in EXAMPLES) + "\n", encoding="utf-8")
    out = root / "tiny-classifier"
    assert main(["--base", tiny_bert, "--data", str(data), "--eval-data", str(data), "--out", str(out),
                 "--epochs", "15", "--batch-size", "8", "--lr", "3e-3", "--max-length", "64"]) == 0
    return str(out)


def test_train_classifier_writes_a_loadable_model(trained):
    from transformers import AutoConfig

    for name in ("config.json", "model.safetensors", "tokenizer.json", "tags.json"):
        assert os.path.isfile(os.path.join(trained, name)), name
    config = AutoConfig.from_pretrained(trained)
    assert config.problem_type == "multi_label_classification"
    assert list(config.id2label.values()) == ["foreign_trade", "innovation", "livelihood", "other"]
    info = json.load(open(os.path.join(trained, "tags.json"), encoding="utf-8"))
    assert info["other"] == "other" and info["threshold"] == 0.5
    names = {t["id"]: t["name"] for t in info["tags"]}
    assert names["foreign_trade"] == "对外开放"          # names from the built-in tag set
    assert info["metrics"]["eval_micro_f1"] > 0.5          # it learned the (tiny) training set


def test_tagger_loads_by_path_and_classifies(trained):
    tagger = TransformersTagger(model=trained)
    results = tagger.classify([EXAMPLES[0]["text"], EXAMPLES[4]["text"], EXAMPLES[8]["text"]],
                              headings=[None, "科技创新", None])
    assert len(results) == 3
    for tags in results:
        assert tags and all(isinstance(t, Tag) for t in tags)
        assert [t.score for t in tags] == sorted((t.score for t in tags), reverse=True)
        assert all(0.0 <= t.score <= 1.0 for t in tags)
    assert results[0][0].id == "foreign_trade" and results[0][0].name == "对外开放"
    assert results[1][0].id == "innovation"
    assert results[2][0].id == "livelihood"


def test_other_when_nothing_passes_the_threshold(trained):
    strict = TransformersTagger(model=trained, threshold=1.01)
    (tags,) = strict.classify(["全市外贸进出口总额增长12%。"])
    assert [t.id for t in tags] == ["other"] and tags[0].name == "其他"


def test_registry_entry_point_and_environment(trained, monkeypatch):
    from service.tagging import classify

    monkeypatch.setenv("ZHNEWS_CLASSIFIER_MODEL", trained)
    results = classify(["新增发明专利1500件。", ""], engine="transformers", headings=["创新驱动", None])
    assert len(results) == 2 and all(results)


def test_quantized_tagger(trained):
    from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantLinear

    tagger = TransformersTagger(model=trained, quantize=True)
    assert any(isinstance(m, DynamicQuantLinear) for m in tagger.model.modules())
    assert tagger.classify(["改造老旧小区60个。"])[0]


def test_heading_format():
    assert format_input("正文内容。", "聚焦企业需求 营商环境持续改善") == "聚焦企业需求 营商环境持续改善。正文内容。"
    assert format_input("正文内容。", "问题在哪？") == "问题在哪？正文内容。"
    assert format_input(" 正文 ", None) == "正文"


def test_missing_model_errors(monkeypatch, tmp_path):
    monkeypatch.delenv("ZHNEWS_CLASSIFIER_MODEL", raising=False)
    with pytest.raises(ModelNotConfigured, match="ZHNEWS_CLASSIFIER_MODEL"):
        TransformersTagger()
    with pytest.raises(ModelNotAvailable, match="does not exist"):
        TransformersTagger(model=str(tmp_path / "none"))
    with pytest.raises(ModelNotAvailable, match="models.train_classifier"):
        TransformersTagger(model="zhnews-test/no-such-classifier")


def test_bad_training_data_names_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "正文", "tags": ["innovation"]}\n{"text": "缺少标签"}\n', encoding="utf-8")
    with pytest.raises(TrainingDataError, match="bad.jsonl:2"):
        load_examples([bad])
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"text": "正文", "tags": ["no_such_tag"]}\n', encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--base", "unused", "--data", str(unknown), "--out", str(tmp_path / "o"), "--tagset", "builtin"])
