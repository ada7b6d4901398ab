"""The punctuation the reader, the summarizers and the key figures agree on, named once.

Chinese text mixes full-width marks with their ASCII twins (writers and converters use both), so each
class holds both. Modules combine the classes they need: `ends(SENTENCE_END, SEMICOLON)` is "a
sentence or clause ends here" for a regular expression, a plain `in` test works on the strings.
"""
from __future__ import annotations

import re

SENTENCE_END = "。！？!?"      # a sentence ends
ELLIPSIS = "…"                 # ends a sentence in news copy (……), not inside a number
SEMICOLON = "；;"              # ends a clause that can stand as a sentence (work reports' lists)
COLON = "：:"
COMMA = "，,"
ENUMERATION_COMMA = "、"       # between items of a list; never inside a number
CLAUSE_MARKS = COMMA + ENUMERATION_COMMA + SEMICOLON + COLON     # where a long sentence may be cut
CLOSERS = "”’」』）)】"        # belong to the sentence before them


def char_class(*groups: str, negate: bool = False) -> str:
    """A regular-expression character class of the given groups: char_class(COMMA, COLON) == "[，,：:]"."""
    body = "".join(re.escape(c) for c in dict.fromkeys("".join(groups)))
    return f"[{'^' if negate else ''}{body}]"
