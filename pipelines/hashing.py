"""The content hash that names a text and detects edits (pure: no Scrapy, no I/O).

``content_hash`` is the sha256 (hex) of the normalized ``title + "\\n\\n" + text``: Unicode NFC,
zero-width characters removed, runs of spaces collapsed, lines stripped, blank lines dropped.
``short_hash`` is its first 16 hex digits, the name exports use (``NNN_<short_hash>.txt``).
The archive (``pipelines.archive``) and the fingerprint pipeline both hash with these.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["normalize_for_hash", "content_hash", "short_hash"]

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalize_for_hash(title: str | None, text: str | None) -> str:
    """The canonical form of an article that its hash is taken over."""
    joined = f"{title or ''}\n\n{text or ''}"
    joined = unicodedata.normalize("NFC", joined)
    joined = _ZERO_WIDTH.sub("", joined.replace("\r\n", "\n").replace("\r", "\n"))
    # " ".join(line.split()): spaces collapsed and the line stripped, the whitespace being the
    # regex engine's \s (both use str.isspace); a hash never changes with this spelling
    lines = (" ".join(line.split()) for line in joined.split("\n"))
    return "\n".join(line for line in lines if line)


def content_hash(title: str | None, text: str | None) -> str:
    """sha256 hex of the normalized title and text."""
    return hashlib.sha256(normalize_for_hash(title, text).encode("utf-8")).hexdigest()


def short_hash(full_hash: str) -> str:
    """The first 16 hex digits of a content hash."""
    return full_hash[:16]
