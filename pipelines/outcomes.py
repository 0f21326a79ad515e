"""``SkipItem``: how a pipeline says "record this fetch, archive no document".

A pipeline raises ``SkipItem(outcome, detail)``; Scrapy drops the item (logged at DEBUG) and
the store pipeline, listening to ``item_dropped``, records a ``fetches`` row with that outcome,
so an irrelevant or empty page is remembered without becoming a document.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from csto_crawler.items import FETCH_OUTCOMES

__all__ = ["SkipItem"]


class SkipItem(DropItem):
    """Drop an item and have its fetch recorded with ``outcome`` (one of ``FETCH_OUTCOMES``)."""

    def __init__(self, outcome: str, detail: str) -> None:
        if outcome not in FETCH_OUTCOMES:
            raise ValueError(f"unknown fetch outcome {outcome!r}")
        super().__init__(f"{outcome}: {detail}", log_level="DEBUG")
        self.outcome = outcome
        self.detail = detail
