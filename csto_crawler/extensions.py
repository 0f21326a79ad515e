"""The per-run field-coverage report: what share of articles came out with each field.

A selector broken by a redesign shows at once as a share that drops: every article the spider
yields (relevant or not, before any pipeline drops it) is counted, and the crawler stats hold,
always up to date (so the archive's ``runs.stats`` sees them whenever it reads them):

* ``csto/coverage/items``: articles yielded;
* ``csto/coverage/<field>``: the share (0–1, three decimals) of them with a non-empty field;
* ``csto/coverage/<field>_count``: how many.

At close one INFO line sums it up, and a WARNING names every field whose share is below
``CSTO_COVERAGE_MIN_SHARE`` once at least ``CSTO_COVERAGE_MIN_ITEMS`` articles were seen.
The fields are ``CSTO_COVERAGE_FIELDS`` (default: title, published_at, text, language).
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from csto_crawler.items import ArticleItem

__all__ = ["CoverageReport"]

logger = logging.getLogger(__name__)


class CoverageReport:
    """Counts field coverage of yielded ``ArticleItem``s in stats; logs and warns at close."""

    def __init__(self, stats, fields: list[str], min_share: float, min_items: int) -> None:
        if not fields:
            raise NotConfigured("CSTO_COVERAGE_FIELDS is empty")
        self.stats = stats
        self.fields = fields
        self.min_share = min_share
        self.min_items = min_items
        self.items = 0
        self.counts = dict.fromkeys(fields, 0)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        ext = cls(
            crawler.stats,
            settings.getlist("CSTO_COVERAGE_FIELDS", ["title", "published_at", "text", "language"]),
            settings.getfloat("CSTO_COVERAGE_MIN_SHARE", 0.8),
            settings.getint("CSTO_COVERAGE_MIN_ITEMS", 5),
        )
        # Counted as the spider yields, so items a pipeline drops (irrelevant ones) count too.
        crawler.signals.connect(ext.item_yielded, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_yielded, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_yielded, signal=signals.item_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_yielded(self, item, **kwargs) -> None:
        """Count one item (only articles; fetch records have no fields to cover)."""
        if not isinstance(item, ArticleItem):
            return
        adapter = ItemAdapter(item)
        self.items += 1
        self.stats.set_value("csto/coverage/items", self.items)
        for name in self.fields:
            value = adapter.get(name)
            if value not in (None, "", [], {}):
                self.counts[name] += 1
            self.stats.set_value(f"csto/coverage/{name}_count", self.counts[name])
            self.stats.set_value(f"csto/coverage/{name}", self.share(name))

    def share(self, name: str) -> float:
        """The share of articles that have the field (0.0 when there were none)."""
        return round(self.counts[name] / self.items, 3) if self.items else 0.0

    def spider_closed(self, spider, reason) -> None:
        """Log the report (one INFO line) and warn about fields below the threshold."""
        if not self.items:
            logger.info("Field coverage (%s): no articles in this run", spider.name)
            return
        summary = ", ".join(f"{name} {self.share(name):.0%}" for name in self.fields)
        logger.info("Field coverage (%s, %d articles): %s", spider.name, self.items, summary)
        if self.items < self.min_items:
            return
        low = [name for name in self.fields if self.share(name) < self.min_share]
        if low:
            logger.warning(
                "Field coverage (%s) below %.0f%% for %s: a selector or date format of this "
                "site may be broken by a redesign; record fresh fixtures (csto fixtures record) "
                "and compare",
                spider.name,
                self.min_share * 100,
                ", ".join(f"{name} ({self.share(name):.0%})" for name in low),
            )
