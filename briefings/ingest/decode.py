"""Bytes to text: refuse what is not text, detect the encoding of what is.

The order matters. A byte-order mark decides first (UTF-8, UTF-16, UTF-32). Then known binary
signatures (images, archives, PDF, executables) and NUL bytes are refused; UTF-16 without a mark
is recognised by its NUL bytes falling on every other position. Strict UTF-8 comes next, then a
declared HTML ``charset``, then Windows-1252 (a superset of Latin-1's printable range) when the
result is plausible English prose. Anything else is refused with a message that says what to do.
"""

from __future__ import annotations

import codecs
import re
from typing import NoReturn

from briefings.errors import InputError

# Leading bytes of common binary formats, and what to call them in a message.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00\x00\x00", "a binary file (MP4 or similar)"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
# Control characters that never appear in text (tab, newline, form feed and return do).
_BAD_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\x80-\x9f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Windows-1252 characters that appear in English prose written on Windows: typographic quotes,
# dashes, ellipsis, currency, degree, accented letters of names.
_PLAUSIBLE_NON_ASCII = re.compile(r"[‘’“”–—…•€£¥°§©®™«»·±×½¼¾À-ÖØ-öø-ÿ\u00a0]")


def _binary_kind(data: bytes) -> str | None:
    """What binary format ``data`` is, or ``None`` when it may be text."""
    head = data[:16]
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"\x00" in data[:65536] or b"\x00" in data[-4096:]:
        return "binary data"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte is NUL, as ASCII text in UTF-16 looks."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.7 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.7 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


# Well-formed multi-byte UTF-8 sequences.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_STRAY_BYTES = "sitrep-cp1252-fallback"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    stray = exc.object[exc.start : exc.end]
    return stray.decode("cp1252", errors="ignore") or stray.decode("latin-1"), exc.end


codecs.register_error(_STRAY_BYTES, _cp1252_fallback)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few stray Windows-1252 bytes (a pasted quote mark, say): the UTF-8
    read as such and the stray bytes as Windows-1252. ``None`` when it is not mostly UTF-8."""
    found = _UTF8_SEQUENCE.findall(data)
    if not found:
        return None
    strays = len(_HIGH_BYTE.findall(data)) - sum(len(seq) for seq in found)
    if strays > len(found):
        return None
    return data.decode("utf-8", errors=_STRAY_BYTES)


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        return None


def _plausible(text: str) -> bool:
    """True when ``text`` decoded as a single-byte encoding reads like English prose."""
    if _BAD_CONTROLS.search(text):
        return False
    non_ascii = _NON_ASCII.findall(text)
    if not non_ascii:
        return True
    odd = sum(1 for ch in non_ascii if not _PLAUSIBLE_NON_ASCII.fullmatch(ch))
    letters = sum(1 for ch in text if ch.isalpha())
    # English with a few accented names and typographic marks, not a page of another script
    # misread byte by byte (Cyrillic in cp1251 reads as runs of accented Latin letters).
    return odd == 0 and len(non_ascii) <= max(8, 0.05 * letters)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid {encoding.upper()} text (bad bytes at offset {exc.start})"
        ) from None


def decode_bytes(data: bytes, *, name: str) -> str:
    """Decode an article's bytes to text, or raise ``InputError`` saying why it cannot be read.

    The returned text has no byte-order mark.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding, name)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, name)
    kind = _binary_kind(data)
    if kind:
        _refuse_binary(name, kind)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    mixed = _mostly_utf8(data)
    if mixed is not None:
        return mixed
    declared = _declared_charset(data)
    if declared and declared not in {"utf-8", "utf_8"}:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text
    guess = _guess_encoding(data)
    hint = f" (it looks like {guess})" if guess else ""
    raise InputError(
        f"{name}: not UTF-8 (bad byte at offset {bad_at}) nor Latin-1/Windows-1252 English text"
        f"{hint}; convert it to UTF-8"
    )


def _refuse_binary(name: str, kind: str) -> NoReturn:
    raise InputError(f"{name}: {kind}, not an article (expected text, Markdown or HTML)")


def _guess_encoding(data: bytes) -> str | None:
    """A best guess at the encoding of undecodable bytes, only to word the error message."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared as a dependency
        return None
    best = from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None
