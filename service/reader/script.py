"""Traditional and simplified Chinese: detect the script, read a simplified view of the same length,
and give every text back as the user wrote it.

The models (ranker, tagger, key-figure rules, the reader's own cue words) learned simplified Chinese.
A traditional post is read twice over one set of offsets:

    written   園區營業收入達到486億元，同比增長12.5%。      (Document, what the user sees)
    view      园区营业收入达到486亿元，同比增长12.5%。      (Document.view, what the models read)

The view is OpenCC's `t2s` conversion (the `opencc` wheel, Apache-2.0), kept character for character: a
conversion that would change the length falls back to converting one character at a time. So
`written.text[a:b]` and `view.text[a:b]` are the same stretch of the post, and any offset a model
returns points into the text as written.

Going back from the view to the written text is not a conversion (simplified → traditional is
one-to-many: 发 is 發 or 髮). Each line the reader made is found in the view of the raw input and the
written characters at that place are taken; a line the reader rebuilt (a line break joined, markup
removed inside it) is aligned with the raw view character by character.
"""
from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from functools import lru_cache

SIMPLIFIED, TRADITIONAL, MIXED, NONE = "simplified", "traditional", "mixed", "none"
OUTPUT_SCRIPTS = ("as-written", SIMPLIFIED, TRADITIONAL)
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=65536)
def _one(char: str, config: str) -> str:
    out = _converter(config).convert(char)
    return out if len(out) == 1 else char


def convert(text: str, config: str) -> str:
    """OpenCC conversion (`t2s`, `s2t`, …) that keeps the length: character for character if need be."""
    if not text:
        return text
    out = _converter(config).convert(text)
    return out if len(out) == len(text) else "".join(_one(c, config) for c in text)


def detect(text: str, view: str | None = None) -> str:
    """`traditional`, `simplified`, `mixed` or `none` (no Chinese), from the characters only one script has.
    `view`: the text's `t2s` conversion, when the caller has it already."""
    if not _CJK.search(text):
        return NONE
    view = convert(text, "t2s") if view is None else view
    traditional = sum(a != b for a, b in zip(text, view))
    if traditional == 0:
        return SIMPLIFIED
    simplified = sum(a != b for a, b in zip(text, convert(text, "s2t")))
    if simplified == 0 or traditional >= 9 * simplified:
        return TRADITIONAL
    if simplified >= 9 * traditional:
        return SIMPLIFIED
    return MIXED


class Restorer:
    """Maps text derived from `view_raw` (the simplified view of the raw input) back to `raw`."""

    def __init__(self, raw: str, view_raw: str):
        self.raw, self.view_raw = raw, view_raw
        seen: dict[str, Counter] = defaultdict(Counter)
        for written, viewed in zip(raw, view_raw):
            if written != viewed:
                seen[viewed][written] += 1
        for written, viewed in zip(raw, view_raw):      # a simplified character also written as itself
            if written == viewed and viewed in seen:
                seen[viewed][written] += 1
        self.origin = {viewed: counts.most_common(1)[0][0] for viewed, counts in seen.items()}

    def restore(self, text: str, start: int = 0) -> tuple[str, int]:
        """(the text as written, where the search goes on): found whole in the raw view from `start`,
        else character by character."""
        if not text:
            return text, start
        at = self.view_raw.find(text, start)
        if at < 0:
            at = self.view_raw.find(text)
        if at >= 0:
            return self.raw[at:at + len(text)], at + len(text)
        return self._aligned(text, start)

    def _aligned(self, text: str, start: int, window: int = 400) -> tuple[str, int]:
        """A line the reader rebuilt (a break joined, markup or spaces removed): each character is
        taken from the next place in the raw view that has it, so a 复 reads 復 or 複 as written there."""
        out, cursor = [], start
        for char in text:
            if char not in self.origin:          # the same in both scripts: nothing to look up
                out.append(char)
                continue
            at = self.view_raw.find(char, cursor, cursor + window)
            if at < 0:
                out.append(self.origin[char])
                continue
            out.append(self.raw[at])
            cursor = at + 1
        return "".join(out), cursor

    def restore_all(self, text: str | None) -> str | None:
        return None if text is None else self.restore(text)[0]


def written_document(view, restorer: Restorer, script: str):
    """The Document as written: `view` (read from the simplified view) with every text restored; the
    offsets are the view's. `written.view` is `view`."""
    written = copy.deepcopy(view)
    lines, cursor, out = view.text.split("\n"), 0, []
    for line in lines:
        restored, cursor = restorer.restore(line, cursor)
        out.append(restored)
    written.text = "\n".join(out)
    assert len(written.text) == len(view.text)
    for section in written.sections:
        if section.heading is not None:
            section.heading = restorer.restore_all(section.heading)
        for paragraph in section.paragraphs:
            paragraph.text = written.text[paragraph.start:paragraph.end]
            for sentence in paragraph.sentences:
                sentence.text = written.text[sentence.start:sentence.end]
    for name in ("title", "digest", "source", "byline"):
        setattr(written, name, restorer.restore_all(getattr(view, name)))
    written.script, written.view = script, view
    view.script = SIMPLIFIED
    return written


class WrittenText:
    """Puts what the models said about `document.view` back into the text as written: a fragment of the
    view (a summary sentence, a figure's unit) becomes the same stretch of `document.text`."""

    def __init__(self, document):
        self.document, self.view = document, document.view
        self._origin: dict[str, str] | None = None

    def of(self, fragment: str | None, near: int | None = None) -> str | None:
        """The written form of a fragment of the view; `near`: an offset it is at or just after."""
        if self.view is None or not fragment:
            return fragment
        text, view = self.document.text, self.view.text
        at = -1
        if near is not None:
            at = view.find(fragment, max(0, near - len(fragment)))
            at = at if 0 <= at <= near + len(fragment) else -1
        if at < 0:
            at = view.find(fragment)
        if at >= 0:
            return text[at:at + len(fragment)]
        return "".join(self.origin().get(c, c) for c in fragment)

    def span(self, start: int | None, end: int | None, fallback: str) -> str:
        """document.text[start:end] when the span is the fallback's length (so it is the same stretch)."""
        if self.view is None or start is None or end is None or end - start != len(fallback):
            return self.of(fallback)
        return self.document.text[start:end]

    def restore_summary(self, summary) -> None:
        """A Summary of the view, rewritten in place with the written texts (offsets unchanged)."""
        joined, cursor = summary.text, 0
        for piece in summary.sentences:
            if piece.origin == "generated":
                continue
            restored = self.span(piece.start, piece.end, piece.text)
            at = joined.find(piece.text, cursor)
            if at >= 0 and len(restored) == len(piece.text):
                joined = joined[:at] + restored + joined[at + len(piece.text):]
                cursor = at + len(restored)
            piece.text = restored
        summary.text = joined
        for line in summary.section_summaries or []:
            if line is not None:
                line.text = self.span(line.start, line.end, line.text)

    def restore_figures(self, figures) -> None:
        """Key figures of the view, rewritten in place: each field is a stretch of its written sentence."""
        for figure in figures:
            sentence = figure.sentence
            figure.sentence = self.of(sentence, near=figure.start)
            figure.value = self.span(figure.start, figure.end, figure.value)
            for name in ("indicator", "unit", "change"):
                value = getattr(figure, name)
                if value and value in sentence and len(figure.sentence) == len(sentence):
                    at = sentence.find(value)
                    setattr(figure, name, figure.sentence[at:at + len(value)])
                else:
                    setattr(figure, name, self.of(value, near=figure.start))

    def origin(self) -> dict[str, str]:
        if self._origin is None:
            self._origin = Restorer(self.document.text, self.view.text).origin
        return self._origin


_TO = {SIMPLIFIED: "t2s", TRADITIONAL: "s2t"}


def output_converter(option: str):
    """The function applied to every text of a result: `as-written` keeps the user's text,
    `simplified` / `traditional` convert (lengths kept, offsets hold)."""
    config = _TO.get(option)
    return (lambda text: convert(text, config)) if config else (lambda text: text)


def tag_name_converter(option: str, document_script: str):
    """The same for tag names, which are simplified: as written, they follow a traditional post."""
    return output_converter(TRADITIONAL if option == "as-written" and document_script == TRADITIONAL else option)
