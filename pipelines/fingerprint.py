"""Fingerprint pipeline: the content hash that names a text and detects edits.

``content_hash`` is the sha256 (hex) of the normalized ``title + "\\n\\n" + text``: Unicode NFC,
zero-width characters removed, runs of spaces collapsed, lines stripped, blank lines dropped.
``short_hash`` is its first 16 hex digits, the name exports use (``NNN_<short_hash>.txt``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata

from itemadapter import ItemAdapter

__all__ = ["normalize_for_hash", "content_hash", "short_hash", "FingerprintPipeline"]

logger = logging.getLogger(__name__)

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[^\S\n]+")


def normalize_for_hash(title: str | None, text: str | None) -> str:
    """The canonical form of an article that its hash is taken over."""
    joined = f"{title or ''}\n\n{text or ''}"
    joined = unicodedata.normalize("NFC", joined)
    joined = _ZERO_WIDTH.sub("", joined.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in joined.split("\n"))
    return "\n".join(line for line in lines if line)


def content_hash(title: str | None, text: str | None) -> str:
    """sha256 hex of the normalized title and text."""
    return hashlib.sha256(normalize_for_hash(title, text).encode("utf-8")).hexdigest()


def short_hash(full_hash: str) -> str:
    """The first 16 hex digits of a content hash."""
    return full_hash[:16]


class FingerprintPipeline:
    """Sets ``content_hash`` and ``short_hash`` on every article item."""

    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(stats=crawler.stats)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if "content_hash" not in adapter.field_names():
            return item
        full = content_hash(adapter.get("title"), adapter.get("text"))
        adapter["content_hash"] = full
        adapter["short_hash"] = short_hash(full)
        if self.stats is not None:
            self.stats.inc_value("csto/fingerprint/items")
        logger.debug("fingerprint %s %s", full[:16], adapter.get("url"))
        return item
