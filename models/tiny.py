"""Tiny random-weight models for tests and smoke tests: an mT5 seq2seq model with a sentencepiece
tokenizer trained on the spot, and a BERT encoder with a character vocabulary built on the spot.

Both are saved with `save_pretrained`, so they load exactly like a downloaded checkpoint:

    python -m models.tiny mt5 /tmp/tiny-mt5      # then ZHNEWS_SUMMARIZER_MODEL=/tmp/tiny-mt5
    python -m models.tiny bert /tmp/tiny-bert    # a --base for models.train_classifier

Random weights produce gibberish: these exist to exercise loading, batching, training and saving
end to end in seconds, never to judge quality. Nothing here downloads anything.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

# A few sentences written for this module (not taken from any data set): enough characters and
# digits for the sentencepiece / character vocabularies to cover typical news text in tests.
SAMPLE_TEXTS = [
    "今年一季度，全市规模以上工业增加值同比增长8.5%，增速比去年同期加快1.2个百分点。",
    "开发区新签约项目36个，协议投资总额达到215亿元，其中外资项目7个。",
    "市政府出台支持中小企业发展的十条措施，进一步优化营商环境。",
    "全年完成固定资产投资420.6亿元，重点项目开工率超过九成。",
    "外贸进出口总额突破1000亿元，跨境电商交易额增长两倍。",
    "科技型中小企业数量达到1280家，研发投入强度提高到2.9%。",
    "农村居民人均可支配收入增长7.1%，城乡收入差距继续缩小。",
    "新建保障性住房3200套，新增城镇就业岗位4.5万个。",
    "空气质量优良天数比例达到96%，单位生产总值能耗下降3.2%。",
    "银行业金融机构各项贷款余额同比增长11.3%，小微企业贷款利率继续下降。",
    "上证指数收于3150点，两市成交额连续五个交易日超过一万亿元。",
    "社会消费品零售总额增长6.8%，文旅消费持续回暖。",
    "明年将围绕产业升级、项目建设和民生保障三项重点任务持续发力。",
    "园区累计培育国家级专精特新小巨人企业12户，新增上市企业3户。",
    "审批时间从原来的60个工作日压缩到15个工作日，企业办事更加便利。",
    "新能源汽车产量增长45%，光伏和储能产业链不断完善。",
    "港口集装箱吞吐量达到520万标箱，国际航线新增8条。",
    "粮食播种面积稳定在300万亩以上，高标准农田建设任务全面完成。",
    "一网通办事项覆盖率达到98%，政务服务满意度明显提升。",
    "据介绍，下一步将加快推进重大项目建设，确保全年目标任务顺利完成。",
]

BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_sentencepiece(texts: list[str], model_prefix: str | os.PathLike, vocab_size: int = 400) -> Path:
    """Train a unigram sentencepiece model with T5 conventions (pad 0, eos 1, unk 2, no bos).

    Identity normalisation keeps the tokenizer exactly reproducible by the `tokenizers` backend without
    the protobuf package (an NFKC charsmap would need it). `hard_vocab_limit=False` lets a small corpus
    yield fewer pieces than asked."""
    import sentencepiece as spm

    prefix = Path(model_prefix)
    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(texts) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(prefix), vocab_size=vocab_size, model_type="unigram",
        character_coverage=0.9995, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
        pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        normalization_rule_name="identity", hard_vocab_limit=False, minloglevel=2,
        num_threads=1, split_digits=True,
    )
    return prefix.with_suffix(".model")


def t5_tokenizer_from_sentencepiece(model_file: str | os.PathLike):
    """A transformers T5Tokenizer holding the sentencepiece model's pieces and scores."""
    import sentencepiece as spm
    from transformers import T5Tokenizer

    sp = spm.SentencePieceProcessor(model_file=str(model_file))
    vocab = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    # mT5 keeps no T5-style sentinel tokens appended to the vocabulary: extra_ids=0
    return T5Tokenizer(vocab=vocab, extra_ids=0)


def build_tiny_mt5(out_dir: str | os.PathLike, texts: list[str] | None = None, vocab_size: int = 400,
                   seed: int = 0, d_model: int = 32, layers: int = 2) -> Path:
    """Save a random-weight MT5ForConditionalGeneration + its tokenizer to `out_dir`; return the path."""
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sp_model = train_sentencepiece(texts or SAMPLE_TEXTS, Path(tmp) / "spiece", vocab_size)
        tokenizer = t5_tokenizer_from_sentencepiece(sp_model)
    tokenizer.model_max_length = 512
    tokenizer.save_pretrained(out)
    config = MT5Config(
        vocab_size=len(tokenizer), d_model=d_model, d_ff=2 * d_model, d_kv=16, num_heads=2,
        num_layers=layers, num_decoder_layers=layers, relative_attention_num_buckets=8,
        relative_attention_max_distance=32, dropout_rate=0.0,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id, tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = MT5ForConditionalGeneration(config)
    model.generation_config.max_length = 64
    model.save_pretrained(out)
    return out


def bert_vocab(texts: list[str]) -> list[str]:
    """Special tokens, digits and their ## continuations, ASCII letters, then every character seen."""
    tokens = list(BERT_SPECIALS)
    basics = list("0123456789") + ["##" + d for d in "0123456789"] + list("abcdefghijklmnopqrstuvwxyz")
    basics += ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"] + list("%.,-:;!?()")
    seen = set(tokens)
    for token in basics + sorted({ch for t in texts for ch in t.lower() if not ch.isspace()}):
        if token not in seen:
            seen.add(token)
            tokens.append(token)
    return tokens


def build_tiny_bert(out_dir: str | os.PathLike, texts: list[str] | None = None, seed: int = 0,
                    hidden: int = 32, layers: int = 2) -> Path:
    """Save a random-weight BertModel + BertTokenizer (character vocabulary) to `out_dir`."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocab = bert_vocab(texts or SAMPLE_TEXTS)
    tokenizer = BertTokenizer(vocab={t: i for i, t in enumerate(vocab)})
    tokenizer.model_max_length = 128
    tokenizer.save_pretrained(out)
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=2, intermediate_size=2 * hidden, max_position_embeddings=128,
                        pad_token_id=0,
                        # a wider init and no dropout: at the default 0.02 a random tiny BERT barely moves
                        # from the label priors in a few dozen steps, too slow for a test
                        initializer_range=0.2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["mt5", "bert"])
    parser.add_argument("out", help="directory to write the model and tokenizer to")
    parser.add_argument("--texts", help="optional UTF-8 file, one sentence per line, to build the vocabulary from")
    args = parser.parse_args(argv)
    texts = None
    if args.texts:
        texts = [line.strip() for line in Path(args.texts).read_text(encoding="utf-8").splitlines() if line.strip()]
    path = (build_tiny_mt5 if args.kind == "mt5" else build_tiny_bert)(args.out, texts=texts)
    print(f"wrote a tiny random {args.kind} model to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
