"""The transformers engine: an abstractive seq2seq model (mT5/T5, Pegasus, BART families) with a number
guard.

    TransformersSummarizer(model=None, device=None, quantize=None, max_input_tokens=None,
                           max_new_tokens=None, batch_size=8, num_beams=4, guard="replace", ...)

* Model: `model` is a local directory or a hub id (argument, else ZHNEWS_SUMMARIZER_MODEL). It is
  loaded with AutoTokenizer + AutoModelForSeq2SeqLM. No model, or one that cannot be loaded (e.g. a hub
  id while offline), raises ModelNotAvailable with instructions, never a raw traceback.
* Long articles: **extract-then-generate**. When the article body does not fit the model's input
  (`max_input_tokens`, default: the tokenizer's/model's limit, else 512), the embedded extractive
  engine ranks the sentences and the most salient ones that fit the token budget are fed to the model
  in document order (paragraph breaks kept). The summary's notes say when this happened.
* Batching: `summarize_many(documents)` generates for several documents in batches of `batch_size`
  (inputs sorted by length to limit padding); `summarize` is the one-document case.
* Quantization: `quantize=True` (or ZHNEWS_QUANTIZE=1) applies torch dynamic int8 quantization to the
  Linear layers on CPU (`torch.ao.quantization.quantize_dynamic`).
* Number guard: every generated sentence stating a figure that is not in the article (see
  service.summarization.numbers) is flagged `unsupported_number:<figure>`; with guard="replace" (default)
  it is replaced by the best-ranked extractive sentence not already in the summary (origin
  "replaced"), with guard="flag" it is kept and flagged, with guard="off" nothing is checked.
"""
from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from service.document import Document, Sentence
from service.options import summary_chars, summary_sentences
from service.punctuation import CLOSERS, ELLIPSIS, SENTENCE_END, char_class
from service.summarization.base import Summarizer, Summary, SummarySentence
from service.summarization.numbers import unsupported_numbers
from service.summarization.plaindoc import as_document
from service.summarization.selection import bigrams, cut_at_clause, joiner, near_duplicate
from service.transformers_runtime import (ModelNotAvailable, ModelNotConfigured, load_error, load_once,
                                          looks_like_path, quantize_int8, resolve_device)

GUARD_MODES = ("replace", "flag", "off")
DEFAULT_MAX_INPUT_TOKENS = 512

HOW_TO_PROVIDE = (
    "Provide a seq2seq summarization model as a local directory or a hub id: set the environment "
    "variable ZHNEWS_SUMMARIZER_MODEL=/path/to/model (or pass model=... to the engine). To get one, "
    "on a machine with internet access run e.g. `hf download csebuetnlp/mT5_multilingual_XLSum "
    "--local-dir models/mt5-xlsum` (older huggingface_hub: `huggingface-cli download ...`) and point "
    "ZHNEWS_SUMMARIZER_MODEL at that directory, or fine-tune your own with `python -m "
    "models.train_summarizer --base CHECKPOINT --data pairs.jsonl --out DIR`. The default engine "
    "'embedded' needs no model."
)


# ---------------------------------------------------------------------------------------------------
# loading


def load_seq2seq(name: str, device: str = "cpu", quantize: bool = False, tokenizer=None):
    """(tokenizer, model) for a local directory or hub id, loaded once per (name, device, quantize)."""

    def load(path: str):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        try:
            tok = tokenizer
            if tok is None or isinstance(tok, (str, os.PathLike)):
                tok = AutoTokenizer.from_pretrained(os.fspath(tok) if tok is not None else path)
        except (OSError, ValueError, ImportError) as error:
            raise load_error("tokenizer", name, error, HOW_TO_PROVIDE) from error
        try:
            return tok, AutoModelForSeq2SeqLM.from_pretrained(path)
        except (OSError, ValueError, ImportError) as error:
            raise load_error("seq2seq model", name, error, HOW_TO_PROVIDE) from error

    return load_once("summarizer model", name, load, HOW_TO_PROVIDE, device, quantize,
                     cache_key=id(tokenizer) if tokenizer is not None else None)


# ---------------------------------------------------------------------------------------------------
# text helpers

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_SPACE_BEFORE_NUMBER_MARK = re.compile(r"(?<=\d)[ \t]+(?=[.%])")
_SPACE_AFTER_NUMBER_MARK = re.compile(r"(?<=\d\.)[ \t]+(?=\d)")
_GENERATED_SENTENCE = re.compile(char_class(SENTENCE_END, "\n", negate=True) + "+" + char_class(SENTENCE_END, ELLIPSIS)
                                 + "*" + char_class(CLOSERS) + "*")


def clean_generated(text: str) -> str:
    """Decoded model output as Chinese text: BERT-vocabulary models (e.g. BART-Chinese) decode to
    space-separated characters; drop spaces next to CJK characters and inside numbers."""
    text = " ".join(text.replace("\u2581", " ").split())
    text = _SPACE_NEAR_CJK.sub("", text)
    text = _SPACE_BEFORE_NUMBER_MARK.sub("", text)
    return _SPACE_AFTER_NUMBER_MARK.sub("", text).strip()


def split_generated(text: str) -> list[str]:
    """Sentences of generated text (ends at 。！？, closing quotes kept); punctuation-only bits dropped."""
    out = []
    for match in _GENERATED_SENTENCE.finditer(text):
        sentence = match.group().strip()
        if re.search(r"\w", sentence):
            out.append(sentence)
    return out


# ---------------------------------------------------------------------------------------------------
# the engine

@dataclass
class _Plan:
    document: Document
    input: str | None = None                       # text given to the model (None: nothing to do)
    notes: list[str] = field(default_factory=list)
    ranking: list[tuple[Sentence, float]] | None = None


class TransformersSummarizer(Summarizer):
    name = "transformers"

    @classmethod
    def unavailable(cls) -> str | None:
        from service.config import settings

        if settings().summarizer_model:
            return None
        return ("no model is configured: set `ZHNEWS_SUMMARIZER_MODEL` to a local model directory "
                "(or a hub id) and restart to offer it")

    def __init__(self, model: str | os.PathLike | None = None, device: str | None = None,
                 quantize: bool | None = None, max_input_tokens: int | None = None,
                 max_new_tokens: int | None = None, batch_size: int = 8, num_beams: int = 4,
                 guard: str = "replace", prefix: str | None = None, tokenizer=None, extractor="embedded",
                 generate_kwargs: dict | None = None):
        from service.config import settings

        config = settings()
        name = os.fspath(model) if model is not None else config.summarizer_model
        if not name:
            raise ModelNotConfigured("no summarization model is configured for the 'transformers' engine. "
                                     + HOW_TO_PROVIDE)
        if guard not in GUARD_MODES:
            raise ValueError(f"guard must be one of {GUARD_MODES}, not {guard!r}")
        if batch_size < 1 or num_beams < 1:
            raise ValueError("batch_size and num_beams must be at least 1")
        self.model_name = name
        self.device = resolve_device(device)
        self.quantize = config.quantize if quantize is None else bool(quantize)
        self.tokenizer, self.model = load_seq2seq(name, self.device, self.quantize, tokenizer)
        self.quantized = self.quantize and self.device == "cpu"
        self.max_input_tokens = int(max_input_tokens or self._model_input_limit())
        self.max_new_tokens = max_new_tokens
        self.batch_size = int(batch_size)
        self.num_beams = int(num_beams)
        self.guard = guard
        self.prefix = prefix if prefix is not None else self._task_prefix()
        self.generate_kwargs = dict(generate_kwargs or {})
        self._extractor_spec = extractor
        self._extractor = None
        self._extractor_note: str | None = None

    # -- model facts -------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        name = self.model_name.rstrip("/\\")
        short = Path(name).name if looks_like_path(name) else name
        return f"transformers:{short}"

    def _model_input_limit(self) -> int:
        limits = []
        tok_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and 0 < tok_max < 100_000:
            limits.append(tok_max)
        config = getattr(self.model, "config", None)
        for attr in ("max_position_embeddings", "n_positions"):
            value = getattr(config, attr, None)
            if isinstance(value, int) and value > 0:
                limits.append(value)
        return min(limits) if limits else DEFAULT_MAX_INPUT_TOKENS

    def _task_prefix(self) -> str:
        params = getattr(getattr(self.model, "config", None), "task_specific_params", None) or {}
        return str((params.get("summarization") or {}).get("prefix") or "")

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # -- the extractive helper (long inputs, number guard) ------------------------------------------
    def _get_extractor(self):
        if self._extractor is not None or self._extractor_note is not None:
            return self._extractor
        spec = self._extractor_spec
        if spec is None:
            self._extractor_note = "no extractive engine: lead order used"
        elif isinstance(spec, str):
            try:
                from service.summarization import get_summarizer

                self._extractor = get_summarizer(spec)
            except Exception as error:  # engine absent or its model missing: lead order still works
                self._extractor_note = (f"the {spec!r} extractive engine is unavailable ({type(error).__name__}: "
                                        f"{error}); lead order used for sentence ranking")
        else:
            self._extractor = spec
        return self._extractor

    def rank_sentences(self, document: Document) -> list[tuple[Sentence, float]]:
        """Every sentence of the document, best first: the extractive engine's choice in its score
        order, then the sentences it left out in document order (score 0)."""
        sentences = document.sentences
        extractor = self._get_extractor()
        ranked = extractor.rank(document) if isinstance(extractor, Summarizer) else None
        if ranked is not None:
            ranked = [(s, float(v)) for s, v in ranked]
            seen = {id(s) for s, _ in ranked}
            return ranked + [(s, 0.0) for s in sentences if id(s) not in seen]
        ranked = []
        if extractor is not None:
            # a generic extractive engine: its summary at a budget of half the article, best first
            budget = max(1, sum(len(s.text) for s in sentences) // 2)
            summary = extractor.summarize(document, max_chars=budget, max_sentences=None)
            by_span = {(s.start, s.end): s for s in sentences}
            seen = set()
            for chosen in sorted(summary.sentences, key=lambda s: -s.score):
                sentence = by_span.get((chosen.start, chosen.end))
                if sentence is None and chosen.start is not None:   # a clause-cut sentence: its full span
                    sentence = next((s for s in sentences if s.start == chosen.start), None)
                if sentence is not None and id(sentence) not in seen:
                    seen.add(id(sentence))
                    ranked.append((sentence, float(chosen.score)))
            ranked += [(s, 0.0) for s in sentences if id(s) not in seen]
        else:
            ranked = [(s, 1.0 / (1 + i)) for i, s in enumerate(sentences)]
        return ranked

    # -- planning the model input -------------------------------------------------------------------
    def _plan(self, document: Document) -> _Plan:
        plan = _Plan(document)
        sentences = document.sentences
        if not sentences:
            plan.notes.append("empty input: there is no body text to summarize")
            return plan
        body = "\n".join(p.text for p in document.paragraphs if p.text.strip())
        budget = self.max_input_tokens - self.count_tokens(self.prefix) - 2   # room for special tokens
        total = self.count_tokens(body)
        if total <= budget:
            plan.input = self.prefix + body
            return plan
        plan.ranking = self.rank_sentences(document)
        picked, used = [], 0
        for sentence, _ in plan.ranking:
            cost = self.count_tokens(sentence.text) + 1
            if used + cost <= budget:
                picked.append(sentence)
                used += cost
        if not picked:   # even the best sentence is too long: the tokenizer truncates it
            picked = [plan.ranking[0][0]]
        picked.sort(key=lambda s: s.start)
        parts: list[str] = []
        for i, sentence in enumerate(picked):
            if i and (sentence.section, sentence.paragraph) != (picked[i - 1].section, picked[i - 1].paragraph):
                parts.append("\n")
            parts.append(sentence.text)
        plan.input = self.prefix + "".join(parts)
        how = "the embedded extractive engine" if self._extractor is not None else "lead order"
        plan.notes.append(f"the article ({total} tokens) is longer than the model input ({self.max_input_tokens} "
                          f"tokens): generated from the {len(picked)} most salient of {len(sentences)} sentences, "
                          f"picked by {how} (extract-then-generate)")
        if self._extractor_note:
            plan.notes.append(self._extractor_note)
        return plan

    # -- generation ---------------------------------------------------------------------------------
    def _max_new_tokens(self, max_chars: int) -> int:
        if self.max_new_tokens:
            return int(self.max_new_tokens)
        return max(16, min(512, int(max_chars * 1.2) + 8))

    def generate(self, texts: list[str], max_new_tokens: int) -> list[str]:
        """Batched generation: raw texts in, cleaned generated texts out (same order)."""
        import torch

        results: list[str] = [""] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        options = {"max_new_tokens": max_new_tokens, "num_beams": self.num_beams, "do_sample": False}
        if self.num_beams > 1:
            options["early_stopping"] = True
        options.update(self.generate_kwargs)
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin:begin + self.batch_size]
            encoded = self.tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True,
                                     truncation=True, max_length=self.max_input_tokens)
            inputs = {k: encoded[k].to(self.device) for k in ("input_ids", "attention_mask") if k in encoded}
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")   # quantized-op deprecation notices on every call
                output = self.model.generate(**inputs, **options)
            for i, text in zip(batch, self.tokenizer.batch_decode(output, skip_special_tokens=True)):
                results[i] = clean_generated(text)
        return results

    # -- public API ---------------------------------------------------------------------------------
    def summarize(self, document: Document, max_chars: int | None = None,
                  max_sentences: int | None = None) -> Summary:
        return self.summarize_many([document], max_chars=max_chars, max_sentences=max_sentences)[0]

    def summarize_many(self, documents, max_chars: int | None = None,
                       max_sentences: int | None = None) -> list[Summary]:
        """Summaries for several documents (or texts), generated in batches of `batch_size`."""
        max_chars, max_sentences = summary_chars(max_chars), summary_sentences(max_sentences)
        plans = [self._plan(as_document(d)) for d in documents]
        todo = [p for p in plans if p.input]
        generated = self.generate([p.input for p in todo], self._max_new_tokens(max_chars)) if todo else []
        outputs = {id(p): g for p, g in zip(todo, generated)}
        return [self._assemble(p, outputs.get(id(p), ""), max_chars, max_sentences) for p in plans]

    # -- from generated text to a Summary -----------------------------------------------------------
    def _assemble(self, plan: _Plan, generated: str, max_chars: int, max_sentences: int | None) -> Summary:
        document = plan.document
        notes = list(plan.notes)
        if self.quantized:
            notes.append("model run with int8 dynamic quantization")
        if plan.input is None:
            return Summary(text="", sentences=[], engine=self.label, notes=notes)
        sources = document.sentences
        source_grams = [bigrams(s.text) for s in sources]
        source_text = "\n".join(t for t in (document.title, document.text) if t)
        used_spans: set[tuple[int, int]] = set()
        chosen: list[SummarySentence] = []
        chosen_grams: list[set[str]] = []

        def duplicate(grams: set[str]) -> bool:
            return any(near_duplicate(grams, g, threshold=0.8) for g in chosen_grams)

        def next_extractive() -> tuple[Sentence, float] | None:
            if plan.ranking is None:
                plan.ranking = self.rank_sentences(document)
            for sentence, score in plan.ranking:
                if (sentence.start, sentence.end) not in used_spans and not duplicate(bigrams(sentence.text)):
                    return sentence, score
            return None

        def from_source(sentence: Sentence, score: float, origin: str, flags: list[str]) -> SummarySentence:
            return SummarySentence(text=sentence.text, start=sentence.start, end=sentence.end,
                                   section=sentence.section, heading=self._heading(document, sentence.section),
                                   score=score, origin=origin, flags=flags)

        for text in split_generated(generated):
            grams = bigrams(text)
            if not grams or duplicate(grams):
                continue    # generation often repeats itself
            missing = unsupported_numbers(text, source_text) if self.guard != "off" else []
            flags = [f"unsupported_number:{n}" for n in missing]
            if missing and self.guard == "replace":
                replacement = next_extractive()
                if replacement is None:
                    notes.append(f"number guard dropped a generated sentence stating {', '.join(missing)} "
                                 "(not in the article); no extractive sentence was left to replace it")
                    continue
                sentence, score = replacement
                notes.append(f"number guard replaced a generated sentence stating {', '.join(missing)} "
                             "(not in the article) with an extracted sentence")
                chosen.append(from_source(sentence, score, "replaced", flags))
                used_spans.add((sentence.start, sentence.end))
                chosen_grams.append(bigrams(sentence.text))
                continue
            if missing:
                notes.append(f"number guard: a generated sentence states {', '.join(missing)}, "
                             "which the article does not")
            best, overlap = None, 0.0
            for sentence, sgrams in zip(sources, source_grams):
                value = len(grams & sgrams) / len(grams)
                if value > overlap:
                    best, overlap = sentence, value
            chosen.append(SummarySentence(
                text=text, start=best.start if best else None, end=best.end if best else None,
                section=best.section if best else None,
                heading=self._heading(document, best.section) if best else None,
                score=round(overlap, 4), origin="generated", flags=flags))
            if best is not None:
                used_spans.add((best.start, best.end))
            chosen_grams.append(grams)

        if not chosen:
            notes.append("the model generated no usable text: showing the best extracted sentence instead")
            fallback = next_extractive()
            if fallback is not None:
                chosen.append(from_source(fallback[0], fallback[1], "extracted", []))

        return self._fit(chosen, max_chars, max_sentences, notes)

    @staticmethod
    def _heading(document: Document, section: int | None) -> str | None:
        if section is None or not (0 <= section < len(document.sections)):
            return None
        return document.sections[section].heading

    def _fit(self, chosen: list[SummarySentence], max_chars: int, max_sentences: int | None,
             notes: list[str]) -> Summary:
        kept: list[SummarySentence] = []
        length = 0
        for sentence in chosen:
            if max_sentences is not None and len(kept) >= max_sentences:
                break
            extra = len(sentence.text) + (len(joiner(kept[-1].text)) if kept else 0)
            if length + extra <= max_chars:
                kept.append(sentence)
                length += extra
                continue
            if not kept:   # the first sentence alone is too long: cut it at a clause boundary
                cut = cut_at_clause(sentence.text, max_chars)
                if cut:
                    if sentence.start is not None and sentence.origin != "generated":
                        sentence.end = sentence.start + len(cut)
                    sentence.text = cut
                    kept.append(sentence)
                    notes.append(f"the first summary sentence was cut to fit {max_chars} characters")
            break
        text = ""
        for sentence in kept:
            text = text + joiner(text) + sentence.text
        return Summary(text=text, sentences=kept, engine=self.label, notes=notes)


__all__ = ["TransformersSummarizer", "ModelNotAvailable", "ModelNotConfigured", "load_seq2seq",
           "quantize_int8", "clean_generated", "split_generated"]
