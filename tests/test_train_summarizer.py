"""models.train_summarizer end to end on a tiny random mT5 (tokenizer trained here on sentences written
for this test): data loading, Seq2SeqTrainer fine-tuning, saving, and loading the result in the
transformers engine."""
from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("datasets")

from models.tiny import build_tiny_mt5  # noqa: E402
from models.train_summarizer import TrainingDataError, load_pairs, main, pairs_from_posts  # noqa: E402

# written for this test (not from any data set)
PAIRS = [
    ("今年全市粮食总产量达到86万吨，比上年增加2万吨，连续五年保持稳定。", "全市粮食总产量达86万吨"),
    ("开发区新引进企业42家，其中制造业企业30家，带动就业3000人。", "开发区新引进企业42家"),
    ("前三季度外贸进出口额增长9.6%，出口增速高于全省平均水平。", "外贸进出口额增长9.6%"),
    ("全市新增高新技术企业120家，总数达到860家，创新能力持续增强。", "新增高新技术企业120家"),
    ("城区新建公园12个，人均公园绿地面积提高到14平方米。", "城区新建公园12个"),
    ("一季度社会消费品零售总额增长7.2%，餐饮收入增长15%。", "社会消费品零售总额增长7.2%"),
    ("重点项目累计完成投资210亿元，完成年度计划的75%。", "重点项目完成投资210亿元"),
    ("金融机构贷款余额突破5000亿元，同比增长11%。", "贷款余额突破5000亿元"),
]


@pytest.fixture(scope="module")
def tiny_mt5(tmp_path_factory):
    texts = [a for a, _ in PAIRS] + [s for _, s in PAIRS]
    return str(build_tiny_mt5(tmp_path_factory.mktemp("base") / "tiny-mt5", texts=texts, vocab_size=300))


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _loss(model_dir, pairs):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()
    batch = tok([a for a, _ in pairs], text_target=[s for _, s in pairs], return_tensors="pt", padding=True)
    batch["labels"][batch["labels"] == tok.pad_token_id] = -100
    with torch.no_grad():
        return float(model(**batch).loss)


def test_fine_tune_end_to_end_and_load_in_engine(tiny_mt5, tmp_path, capsys):
    data = _write_jsonl(tmp_path / "pairs.jsonl",
                        [{"article": a, "summary": s} for a, s in PAIRS[:4]]
                        + [{"text": a, "summary": s} for a, s in PAIRS[4:]])
    out = tmp_path / "finetuned"
    before = _loss(tiny_mt5, PAIRS)
    assert main(["--base", tiny_mt5, "--data", str(data), "--out", str(out), "--epochs", "6",
                 "--batch-size", "4", "--lr", "5e-3", "--max-input-tokens", "64",
                 "--max-target-tokens", "24"]) == 0
    assert "saved to" in capsys.readouterr().out
    for name in ("config.json", "model.safetensors", "tokenizer.json", "zhnews_training.json"):
        assert (out / name).is_file(), name
    info = json.loads((out / "zhnews_training.json").read_text(encoding="utf-8"))
    assert info["pairs"] == len(PAIRS) and "train_loss" in info["metrics"]
    assert _loss(str(out), PAIRS) < before          # it learned something from the pairs

    from service.document import Document, Paragraph, Section, Sentence
    from service.summarization.abstractive import TransformersSummarizer

    text = PAIRS[0][0]
    sentence = Sentence(text=text, start=0, end=len(text))
    document = Document(text=text, sections=[Section(index=0, heading=None, paragraphs=[
        Paragraph(text=text, start=0, end=len(text), sentences=[sentence])])])
    # extractor=None: lead order for the guard's replacements (the embedded engine is tested elsewhere)
    engine = TransformersSummarizer(model=str(out), num_beams=1, max_new_tokens=16, extractor=None)
    summary = engine.summarize(document, max_chars=40)
    assert summary.engine == "transformers:finetuned" and len(summary.text) <= 40


def test_data_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article": "正文", "summary": "摘要"}\n{"article": "只有正文"}\n', encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"bad.jsonl:2"):
        load_pairs(bad)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="not valid JSON"):
        load_pairs(broken)
    with pytest.raises(SystemExit):
        main(["--base", "x", "--out", str(tmp_path / "o")])   # neither --data nor --from-posts


def test_pairs_from_posts_digests(tmp_path):
    pytest.importorskip("service.reader")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "a.md").write_text(
        "---\ntitle: 测试一\ndate: 2024-01-02\n---\n> 全市粮食总产量达86万吨。\n\n"
        "今年全市粮食总产量达到86万吨，比上年增加2万吨。\n\n连续五年保持稳定。\n", encoding="utf-8")
    (posts / "b.md").write_text("---\ntitle: 测试二\n---\n没有摘要的文章正文。\n", encoding="utf-8")
    pairs = pairs_from_posts(posts)
    assert len(pairs) == 1
    assert pairs[0]["summary"].startswith("全市粮食总产量达86万吨")
    assert "比上年增加2万吨" in pairs[0]["article"] and "> " not in pairs[0]["article"]
