"""Bytes to text, decoded only with confidence, and the encoding that was used.

Order: a byte-order mark (UTF-8, UTF-16); UTF-16 without one (every other byte zero); strict UTF-8;
GB18030 (a superset of GBK/GB2312) when the result reads like Chinese; a file whose lines mix UTF-8
and GBK, line by line; then Big5 or a Western code page when charset-normalizer is sure of it.
Anything else, and anything that looks binary, is a ReadError naming the file: a post we cannot read
correctly is better refused than silently turned into mojibake.
"""
from __future__ import annotations

import codecs

from service.document import ReadError

_SNIFF = 8192
# Control characters that never appear in a text post (tab, LF, CR, FF are fine).
_BINARY_CONTROLS = frozenset(range(0, 9)) | {11, *range(14, 32)}
# Real GBK-encoded Chinese keeps nearly all of its characters inside GB2312; Latin-1 or Big5 bytes
# read as GB18030 land mostly in the rare extension planes (`Zürich` → `Z黵ich`, 黵 is not GB2312).
_MIN_GB2312_SHARE = 0.8
# Other encodings charset-normalizer may settle on (it guesses widely; these are what posts use).
_FALLBACKS = ["big5", "cp1252", "latin_1"]
_MAX_CHAOS = 0.1


def decode_bytes(data: bytes, where: str | None = None) -> str:
    """Decode a post's bytes; raise ReadError(where, ...) when it is binary or undecodable."""
    return decode_with_encoding(data, where)[0]


def decode_with_encoding(data: bytes, where: str | None = None) -> tuple[str, str]:
    """(text, the encoding used) for a post's bytes; ReadError(where, ...) when not confident."""
    if data.startswith(codecs.BOM_UTF8):
        return _checked(_decode(data, "utf-8-sig", where), where), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_decode(data, "utf-16", where), where), "utf-16"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _checked(utf16[0], where), utf16[1]
    if _looks_binary(data[:_SNIFF]):
        raise ReadError(where, "binary file, not a text post")
    try:
        return _checked(data.decode("utf-8"), where), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _as_chinese(data)
    if text is not None:
        return _checked(text, where), "gb18030"
    mixed = _mixed_lines(data)
    if mixed is not None:
        return _checked(mixed, where), "utf-8+gb18030"
    guess = _confident_guess(data)
    if guess is not None:
        return _checked(guess[0], where), guess[1]
    raise ReadError(where, "cannot decode the text with confidence (tried UTF-8, UTF-16, GB18030/GBK, "
                           "Big5 and Western code pages)")


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


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """(text, 'utf-16-le' / 'utf-16-be') when the zero bytes sit at every other position, as in
    UTF-16 text that is mostly ASCII or CJK punctuation; None otherwise."""
    head = data[:_SNIFF - _SNIFF % 2]
    if len(head) < 4 or len(data) % 2:
        return None
    odd_zeros = head[1::2].count(0)
    even_zeros = head[0::2].count(0)
    half = len(head) // 2
    for encoding, zeros, others in (("utf-16-le", odd_zeros, even_zeros), ("utf-16-be", even_zeros, odd_zeros)):
        if zeros >= 0.3 * half and others <= 0.02 * half:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    return None


def _as_chinese(data: bytes) -> str | None:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if _reads_as_chinese(text) else None


def _reads_as_chinese(text: str) -> bool:
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    common = sum(1 for ch in wide if _in_gb2312(ch))
    return common >= _MIN_GB2312_SHARE * len(wide)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _mixed_lines(data: bytes) -> str | None:
    """A file assembled from UTF-8 and GBK pieces: each line in whichever encoding reads it."""
    lines = []
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        text = _as_chinese(raw)
        if text is None:
            return None
        lines.append(text)
    return "\n".join(lines)


def _confident_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_FALLBACKS).best()
    if best is None or best.chaos > _MAX_CHAOS:
        return None
    return str(best), best.encoding


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
