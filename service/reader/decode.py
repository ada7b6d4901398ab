"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 (a superset of GBK/GB2312).

Anything else, and anything that looks binary, is a ReadError naming the file: a post we cannot read
correctly is better refused than silently turned into mojibake.
"""
from __future__ import annotations

import codecs

from service.document import ReadError

_SNIFF = 8192
# Control characters that never appear in a text post (tab, LF, CR, FF are fine).
_BINARY_CONTROLS = frozenset(range(0, 9)) | {11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}


def decode_bytes(data: bytes, where: str | None = None) -> str:
    """Decode a post's bytes; raise ReadError(where, ...) when it is binary or undecodable."""
    if data.startswith(codecs.BOM_UTF8):
        return _checked(_decode(data, "utf-8-sig", where), where)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_decode(data, "utf-16", where), where)
    if _looks_binary(data[:_SNIFF]):
        raise ReadError(where, "binary file, not a text post")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), where)
        except UnicodeDecodeError:
            continue
    raise ReadError(where, "cannot decode the text as UTF-8 or GB18030/GBK")


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a leading BOM left in a str is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode(data: bytes, encoding: str, where: str | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(where, f"not valid {encoding} despite its byte-order mark (byte {exc.start})") from None


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = sum(1 for b in head if b in _BINARY_CONTROLS)
    return controls > max(2, len(head) // 100)


def _checked(text: str, where: str | None) -> str:
    """Reject decoded text that is still mostly control characters (binary that happened to decode)."""
    head = text[:_SNIFF]
    controls = sum(1 for ch in head if ord(ch) in _BINARY_CONTROLS)
    if "\x00" in head or controls > max(2, len(head) // 100):
        raise ReadError(where, "binary file, not a text post")
    return normalize_newlines(text)
