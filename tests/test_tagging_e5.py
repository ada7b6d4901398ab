"""The opt-in embedded-e5 engine: the e5 encoder, its build, its shipped artifact, and the build's reuse
of base-row embeddings for mixed sections (which keeps an e5 build affordable)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from service.tagging import classify
from service.tagging.embedded import E5_ARTIFACT_NAME, EmbeddedE5Tagger, LinearHead
from service.tagging.tagset import TagSet

# original sections written for these tests
MARKETS = "沪指今日高开高走，两市成交额突破一万亿元，半导体板块领涨，北向资金净买入逾五十亿元。"
PROJECTS = ("今年以来，全县42个省市重点项目完成固定资产投资156亿元，新能源电池材料项目已经开工建设，"
            "物流园基础设施一期工程年底前竣工。")


def test_e5_encoder_dims_and_unknown_name():
    from service.encoder import dim, encode

    x = encode([MARKETS, "", PROJECTS], "e5")
    assert x.shape == (3, dim("e5")) == (3, 384) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-3)
    assert float(x[0] @ x[2]) < 0.999            # different texts, different vectors
    assert encode([], "e5").shape == (0, 384)
    with pytest.raises(ValueError, match="unknown sentence encoder"):
        encode(["x"], "no-such-encoder")


def test_mixed_features_reuse_base_embeddings(monkeypatch):
    """Mixed sections get the features featurize() would give them, encoding only the bodies whose
    first emb_chars characters differ from their base row's (base texts shorter than emb_chars)."""
    import service.encoder as enc
    from models.train_tagger import mixed_features, mixed_sections
    from service.tagging.features import FeatureConfig, featurize

    cfg = FeatureConfig()
    rows = [{"id": "a", "heading": "项目建设", "text": PROJECTS, "tags": ["project_construction"]},
            {"id": "b", "heading": None, "text": MARKETS, "tags": ["capital_markets"]},
            {"id": "c", "heading": "消费", "text": "假日消费持续升温。", "tags": ["consumption"]}]
    feats = featurize([r["text"] for r in rows], [r["heading"] for r in rows], cfg)
    extra = mixed_sections(rows)
    encoded: list[str] = []
    real = enc.encode
    monkeypatch.setattr(enc, "encode", lambda texts, name="use": (encoded.extend(texts), real(texts, name))[1])
    got = mixed_features(extra, rows, feats, cfg)
    short = {r["id"] for r in rows if len(r["text"]) < cfg.emb_chars}
    assert short == {"b", "c"}
    assert len(encoded) == 2 and {m["base"] for m in extra if m["text"].replace("\n", " ")[:48] in encoded} == short
    want = featurize([m["text"] for m in extra], [m["heading"] for m in extra], cfg)
    assert np.allclose(got.body_emb, want.body_emb, atol=1e-5)
    assert np.allclose(got.head_emb, want.head_emb, atol=1e-5)
    assert (got.body_ngr != want.body_ngr).nnz == 0 and (got.head_ngr != want.head_ngr).nnz == 0


def test_e5_build_and_engine(tmp_path):
    from models.train_tagger import main

    assert main(["--encoder", "e5", "--limit", "2", "--folds", "2", "--hash-bits", "12", "--no-self-train",
                 "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"{E5_ARTIFACT_NAME}.npz").is_file() and not (tmp_path / "tagger.npz").exists()
    head = LinearHead.load(tmp_path, E5_ARTIFACT_NAME)
    assert head.cfg.encoder == "e5" and head.cfg.body_weight == 1.5
    assert head.w_body.shape == head.w_head.shape == (384, len(TagSet.builtin()))
    out = EmbeddedE5Tagger(artifact_dir=tmp_path).classify([MARKETS, ""], headings=["股市", None])
    assert len(out) == 2 and all(row and row[0].id in TagSet.builtin() for row in out)
    with pytest.raises(FileNotFoundError, match="--encoder e5"):
        LinearHead.load(tmp_path / "missing", E5_ARTIFACT_NAME)


def test_shipped_e5_artifact_by_engine_name():
    from service.config import ARTIFACTS_DIR

    npz, js = ARTIFACTS_DIR / f"{E5_ARTIFACT_NAME}.npz", ARTIFACTS_DIR / f"{E5_ARTIFACT_NAME}.json"
    assert npz.stat().st_size < 10 * 1024 * 1024
    meta = json.loads(js.read_text(encoding="utf-8"))
    assert meta["tags"] == TagSet.builtin().ids and meta["features"]["encoder"] == "e5"
    out = classify([MARKETS, PROJECTS], engine="embedded-e5")
    assert out[0][0].id == "capital_markets"
    assert "project_construction" in [t.id for t in out[1]]
