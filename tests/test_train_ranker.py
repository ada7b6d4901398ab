"""models.train_ranker end to end on pairs written for this test: data from JSONL and from posts with a
`> ` digest, targets, listwise training, the artifact, and the numpy ranker agreeing with torch."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models import train_ranker  # noqa: E402
from models.evaluate.rouge import chars, rouge  # noqa: E402
from service.summarization.embedded import EmbeddedSummarizer  # noqa: E402
from service.summarization.plaindoc import document_from_text  # noqa: E402
from service.summarization.ranker import Ranker  # noqa: E402

# written for this test: filler clauses, and one clause that the "summary" always repeats
PLACES = ["东湖区", "西山县", "南港市", "北塘镇", "青河区", "白石县", "金沙市", "云台镇"]
FILLER = ["天气晴好", "市民出行平稳", "各部门按计划推进工作", "会议在市政中心举行", "相关负责人出席",
          "现场秩序良好", "活动持续到傍晚", "多家单位参加"]
EVENTS = ["签约新建港口项目", "宣布开通城际铁路", "发布产业扶持政策", "启动老旧小区改造"]


def _pair(rng: random.Random) -> tuple[str, str]:
    place, event = rng.choice(PLACES), rng.choice(EVENTS)
    key = f"{place}{event}"
    clauses = rng.sample(FILLER, 4)
    clauses.insert(rng.randrange(5), key)
    sentences = ["，".join(clauses[:3]) + "。", "，".join(clauses[3:]) + "。", rng.choice(FILLER) + "。"]
    return "".join(sentences), key


@pytest.fixture(scope="module")
def pairs():
    rng = random.Random(7)
    return [_pair(rng) for _ in range(160)]


@pytest.fixture(scope="module")
def trained(pairs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranker")
    data = folder / "pairs.jsonl"
    data.write_text("\n".join(json.dumps({"article": a, "summary": s}, ensure_ascii=False) for a, s in pairs[:120]),
                    encoding="utf-8")
    out = folder / "tiny"
    code = train_ranker.main(["--data", str(data), "--out", str(out), "--epochs", "40", "--buckets", "4096",
                              "--dim", "8", "--hidden", "16", "--echo-dim", "4", "--context", "3", "--workers", "1",
                              "--batch-docs", "16", "--members", "2"])
    assert code == 0
    return out


def test_target_is_the_evaluation_rouge():
    reference = "东湖区签约新建港口项目"
    for candidate in ["东湖区签约新建港口项目", "东湖区天气晴好", "港口项目", ""]:
        score = rouge(candidate, reference)
        expected = (score.rouge1 + score.rougeL) / 2
        ref = chars(reference)
        from collections import Counter
        assert train_ranker.target(chars(candidate), ref, Counter(ref)) == pytest.approx(expected)


def test_artifact_has_config_weights_and_record(trained):
    meta = json.loads(trained.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["buckets"] == 4096 and meta["dim"] == 8 and len(meta["mean"]) == len(meta["numeric"])
    assert meta["training"]["documents"] > 100 and meta["training"]["history"]
    assert "shortlist" in meta["selection"]
    with np.load(trained.with_suffix(".npz")) as npz:
        assert npz["bigram"].shape == (4096, 8) and not npz["bigram"][0].any()   # row 0: no bigram
        assert meta["echo_dim"] == 4 and npz["echo"].shape == (4096, 4) and not npz["echo"][0].any()
        assert meta["members"] == 2 and npz["m1.bigram"].shape == (4096, 8)


def test_learns_the_clause_the_summaries_repeat(trained, pairs):
    engine = EmbeddedSummarizer(str(trained))
    hits = 0
    for article, key in pairs[120:]:
        summary = engine.summarize(document_from_text(article), max_chars=len(key))
        hits += summary.text == key
        assert len(summary.text) <= len(key)
    assert hits >= 0.8 * len(pairs[120:])


def test_numpy_ranker_matches_torch(trained, pairs):
    """The numpy forward (inference) and the torch forward (training) give the same scores: each
    member of the ensemble, and the artifact's score is their mean."""
    whole = Ranker.load(str(trained))
    assert len(whole.members) == 2
    assert not np.allclose(whole.members[0].w2, whole.members[1].w2)      # two seeds, two networks
    config = {**train_ranker.DEFAULTS, "buckets": 4096, "dim": 8, "hidden": 16, "echo_dim": 4, "context": 3}
    article, key = pairs[-1]
    ex = train_ranker.example(document_from_text(article), key, config, random.Random(0))
    batch = train_ranker.collate([ex], whole.mean, whole.std, whole.opener_buckets, gap=1)
    expected = []
    for ranker in whole.members:
        model = train_ranker.build_model(config)
        model.load_state_dict({
            "bigram.weight": torch.tensor(ranker.bigram), "opener.weight": torch.tensor(ranker.opener),
            "hidden.weight": torch.tensor(ranker.w1.T), "hidden.bias": torch.tensor(ranker.b1),
            "out.weight": torch.tensor(ranker.w2[None, :]), "out.bias": torch.tensor(ranker.b2),
            "echo.weight": torch.tensor(ranker.echo),
            "context.weight": torch.tensor(ranker.context_w.reshape(3, 8, 8).transpose(2, 1, 0).copy()),
            "context.bias": torch.tensor(ranker.context_b)})
        with torch.no_grad():
            expected.append(model(batch).numpy())
    doc = document_from_text(article)
    from service.summarization.candidates import sentence_candidates, whole_sentences
    cands = whole_sentences(doc)
    for i in range(len(doc.sentences)):
        cands += [c for c in sentence_candidates(doc, i, len(key), config["max_runs"]) if not c.whole]
    got = whole.score(whole.index(doc), cands, len(key))
    assert np.allclose(got, np.mean(expected, axis=0), atol=1e-4)


def test_posts_with_a_digest_are_training_pairs(tmp_path, pairs):
    posts = tmp_path / "posts"
    posts.mkdir()
    for k, (article, key) in enumerate(pairs[:40]):
        (posts / f"2024-01-{k % 28 + 1:02d}-p{k}.md").write_text(
            f"---\ntitle: 测试{k}\n---\n> {key}\n\n{article}\n", encoding="utf-8")
    out = tmp_path / "from-posts"
    assert train_ranker.main(["--data", str(posts), "--out", str(out), "--epochs", "1", "--buckets", "1024",
                              "--dim", "4", "--hidden", "8", "--workers", "1"]) == 0
    assert json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["training"]["documents"] == 40


def test_bad_data_is_an_error_naming_the_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article": "甲乙丙。", "summary": "甲"}\nnot json\n', encoding="utf-8")
    assert train_ranker.main(["--data", str(bad), "--out", str(tmp_path / "x")]) == 2
    assert f"{bad}:2" in capsys.readouterr().err
    assert train_ranker.main(["--data", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "x")]) == 2


def test_weights_repeat_documents_per_epoch():
    """--weight SOURCE=W: a document is seen int(W) times an epoch, plus once with W's fraction."""
    fit = [train_ranker.Example(*([np.zeros(1)] * 8), held=False, weight=w) for w in (1.0, 3.0, 0.5, 2.25)]
    rng = random.Random(0)
    counts = np.zeros(4)
    for _ in range(400):
        order = train_ranker.epoch_order(fit, rng)
        counts += np.bincount(order, minlength=4)
    assert counts[0] == 400 and counts[1] == 1200
    assert 160 < counts[2] < 240 and 860 < counts[3] < 940
    unweighted = [train_ranker.Example(*([np.zeros(1)] * 8), held=False) for _ in range(5)]
    assert sorted(train_ranker.epoch_order(unweighted, random.Random(1))) == list(range(5))


def test_weight_option_names_its_source(tmp_path, pairs, capsys):
    data = tmp_path / "pairs.jsonl"
    data.write_text("\n".join(json.dumps({"article": a, "summary": s}, ensure_ascii=False) for a, s in pairs[:30]),
                    encoding="utf-8")
    for bad, message in (("flashes=2", "the source must be one of"), ("data=0", "above 0"), ("data=x", "above 0")):
        with pytest.raises(SystemExit):
            train_ranker.main(["--data", str(data), "--out", str(tmp_path / "x"), "--weight", bad])
        assert message in capsys.readouterr().err
    out = tmp_path / "weighted"
    assert train_ranker.main(["--data", str(data), "--out", str(out), "--epochs", "1", "--buckets", "1024",
                              "--dim", "4", "--hidden", "8", "--workers", "1", "--weight", "data=2"]) == 0
    assert json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["training"]["weights"] == {"data": 2.0}
    assert "data ×2" in out.with_suffix(".md").read_text(encoding="utf-8")
