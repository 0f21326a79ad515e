"""Fingerprint pipeline: sets ``content_hash`` and ``short_hash`` on every article item.

The hash itself is ``pipelines.hashing`` (pure, shared with the archive); its functions are
re-exported here for the callers that import them from this module.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from pipelines.hashing import content_hash, normalize_for_hash, short_hash

__all__ = ["normalize_for_hash", "content_hash", "short_hash", "FingerprintPipeline"]

logger = logging.getLogger(__name__)


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
