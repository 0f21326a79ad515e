"""Clean pipeline: the final, text-level clean of an extracted article (idempotent).

Extraction (``csto_crawler.extract.extract``) already returns clean text, so a spider's item
whose ``extraction`` says the text came from it is only checked for emptiness; the pipeline is
the safety net for items built another way (an API, another extractor, an import) and the one
place that refuses an article with no text left.

For every ``ArticleItem`` it applies ``clean_text`` (with the item's title and the site's
rules when the running spider declares them), fills ``source_credit`` when one is found and
the item has none, and raises ``SkipItem("error", …)`` when nothing of the text survives.
Other items (``FetchRecord``) pass through untouched. Stats: ``csto/clean/items``,
``csto/clean/changed``, ``csto/clean/lines_removed``, ``csto/clean/source_credit``,
``csto/clean/empty``, ``csto/clean/already_clean``.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from csto_crawler.extract import clean_text
from pipelines.outcomes import SkipItem

__all__ = ["CleanPipeline", "EXTRACTED"]

#: ``ArticleItem.extraction["text"]`` values of texts that ``csto_crawler.extract.extract`` made
#: (its last layer is ``clean_text``), which this pipeline therefore leaves as they are.
EXTRACTED = frozenset({"site", "generic"})

logger = logging.getLogger(__name__)


class CleanPipeline:
    """Apply the text-level cleaner to article items."""

    def __init__(self, stats=None, crawler=None) -> None:
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(stats=crawler.stats, crawler=crawler)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"csto/clean/{key}", count)

    def _rules(self, url: str | None):
        spider = getattr(self.crawler, "spider", None) if self.crawler is not None else None
        rules_for = getattr(spider, "rules_for", None)
        return rules_for(url) if rules_for and url else None

    def process_item(self, item):
        adapter = ItemAdapter(item)
        names = adapter.field_names()
        if "text" not in names or "title" not in names:
            return item
        self._inc("items")
        if (adapter.get("extraction") or {}).get("text") in EXTRACTED:
            # The layered extraction ended with this very cleaner (same title, same rules):
            # running it again would change nothing and costs time on every page.
            self._inc("already_clean")
            if not (adapter.get("text") or "").strip():
                self._inc("empty")
                raise SkipItem("error", "no article text after cleaning")
            return item
        cleaned = clean_text(adapter.get("text") or "", title=adapter.get("title"), rules=self._rules(adapter.get("url")))
        if cleaned.text != (adapter.get("text") or ""):
            adapter["text"] = cleaned.text
            self._inc("changed")
            self._inc("lines_removed", len(cleaned.removed))
            logger.debug("clean removed %d lines from %s", len(cleaned.removed), adapter.get("url"))
        if cleaned.source_credit and not adapter.get("source_credit"):
            adapter["source_credit"] = cleaned.source_credit
            self._inc("source_credit")
        if not cleaned.text:
            self._inc("empty")
            raise SkipItem("error", "no article text after cleaning")
        return item
