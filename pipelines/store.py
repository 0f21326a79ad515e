"""Store pipeline: writes every fetch into the SQLite archive (``CSTO_ARCHIVE_DB``).

* an ``ArticleItem`` becomes a document version (or just a fetch row when unchanged); a new
  version is placed in a story in the same transaction (``pipelines.stories``: it joins the
  story of the text it republishes or starts its own), and documents left unplaced by an
  earlier crawl or before an upgrade are placed when the crawl opens;
* a ``FetchRecord`` (304, removed page, bot challenge, error page) becomes a fetch row and is
  then dropped, so feed exports hold articles only;
* an item another pipeline skipped with ``SkipItem`` (irrelevant, empty) is recorded through the
  ``item_dropped`` signal;
* one ``runs`` row per crawl, closed with the finish reason and the crawler stats (which include
  the field-coverage report);
* an archive that cannot be written (disk full, read-only, I/O error) stops the crawl: one
  ERROR line saying why, the spider closed with reason ``archive_error`` (``scrapy crawl``
  then exits with status 1), nothing half-written (each item is one transaction), and no
  further write attempted.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from csto_crawler.items import ArticleItem, FetchRecord
from pipelines import transactions
from pipelines.archive import Archive, ArchiveError
from pipelines.outcomes import SkipItem
from pipelines.stories import StoryIndex

__all__ = ["ARCHIVE_ERROR", "StorePipeline"]

logger = logging.getLogger(__name__)

#: The finish reason of a crawl stopped because the archive could not be written.
ARCHIVE_ERROR = "archive_error"


def _fields(item) -> dict:
    """The item's fields as a new dict, their values as they are: the archive only reads them
    (``ItemAdapter.asdict`` copies every nested value too: ~0.1 ms an article for nothing)."""
    return dict(ItemAdapter(item).items())


class StorePipeline:
    """Writes items to the archive; one instance per crawl."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = Path(crawler.settings.get("CSTO_ARCHIVE_DB"))
        self.gone_after = crawler.settings.getint("CSTO_GONE_AFTER", 2)
        self.archive: Archive | None = None
        self.stories: StoryIndex | None = None
        self.run_id: int | None = None
        #: Why the archive cannot be written (set once; the crawl is then stopping).
        self.failure: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        try:
            self.archive = Archive(self.db_path, gone_after=self.gone_after, shared=True)
            # A spider that runs several sites (the generic ``news`` spider) names them itself.
            for site in spider.archive_sites() if hasattr(spider, "archive_sites") else [spider]:
                self.archive.upsert_site(
                    site.name,
                    name=getattr(site, "site_name", None) or site.name,
                    home_url=getattr(site, "home_url", None),
                    kind=getattr(site, "kind", None),
                    languages=tuple(getattr(site, "languages", ()) or ()),
                )
            self.run_id = self.archive.start_run(spider.name)
            self.stories = StoryIndex(self.archive.db, now=self.archive.now)
            self.stories.assign_pending()
        except (ArchiveError, sqlite3.Error, OSError) as exc:
            # Stop at once, cleanly: a crawl that cannot store anything must not fetch.
            if self.archive is not None:
                self.archive.close()
                self.archive = None
            self._fail(exc, close=False)
            # the engine cannot close a spider it is still opening: as soon as it has started
            self.crawler.signals.connect(self._close_failed, signal=signals.engine_started)
            return
        logger.info("archive %s: run %s for %s", self.db_path, self.run_id, spider.name)

    def process_item(self, item):
        if self.failure is not None or self.archive is None:
            raise DropItem(f"not stored, the archive cannot be written: {self.failure}", log_level="DEBUG")
        if isinstance(item, FetchRecord):
            self._record(_fields(item))
            raise DropItem(f"{item.outcome}: {item.url}", log_level="DEBUG")
        if not isinstance(item, ArticleItem):
            return item
        try:
            with transactions.write(self.archive.db):  # the version and its story: one commit
                result = self.archive.store_article(_fields(item), self.run_id)
                if result.version_id is not None:
                    self.stories.assign(result.document_id)
        except (sqlite3.Error, ArchiveError, OSError) as exc:
            self._fail(exc)
            raise DropItem(f"not stored: {exc}", log_level="DEBUG") from exc
        self.stats.inc_value(f"csto/store/{result.outcome}")
        if result.held:
            self.stats.inc_value("csto/store/held")
        return item

    def item_dropped(self, item, response, exception, spider) -> None:
        """Record the fetch of an item a pipeline skipped (irrelevant, no text …)."""
        if self.archive is None or not isinstance(exception, SkipItem):
            return
        fields = _fields(item)
        fields.update(outcome=exception.outcome, detail=exception.detail)
        self._record(fields)

    def _record(self, fields: dict) -> None:
        if self.failure is not None or self.archive is None:
            return
        try:
            self.archive.record_fetch(
                url=fields["url"], site=fields.get("site"), outcome=fields["outcome"],
                run_id=self.run_id, http_status=fields.get("http_status"), etag=fields.get("etag"),
                last_modified=fields.get("last_modified"), detail=fields.get("detail"),
                capture_id=fields.get("capture_id"),
            )
        except (sqlite3.Error, ArchiveError, OSError) as exc:
            self._fail(exc)
            return
        self.stats.inc_value(f"csto/store/{fields['outcome']}")

    def _close_failed(self) -> None:
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=ARCHIVE_ERROR))

    def _fail(self, exc: BaseException, close: bool = True) -> None:
        """Stop the crawl once: the archive cannot be written."""
        if self.failure is not None:
            return
        self.failure = f"{type(exc).__name__}: {exc}"
        self.stats.set_value("csto/store/failure", self.failure)
        if self.stats.get_value("csto/capture/failure"):
            # the capture middleware already said it (one ERROR line) and is stopping the crawl
            logger.debug("archive %s cannot be written either (%s)", self.db_path, self.failure)
            if close:
                self._close_failed()
            return
        logger.error(
            "archive %s cannot be written (%s): stopping the crawl. Everything stored so far is "
            "complete (each item is one transaction); free disk space or make the archive "
            "writable, then run again", self.db_path, self.failure,
        )
        if close:
            self._close_failed()

    def spider_closed(self, spider, reason: str) -> None:
        if self.archive is None:
            return
        stats = self.stats.get_stats()
        counts = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                  if k.startswith("csto/store/") and k != "csto/store/failure"}
        try:
            self.archive.finish_run(self.run_id, reason, stats)
        except (sqlite3.Error, ArchiveError, OSError) as exc:
            # the run row stays open (no finish time): the archive could not take it. After the
            # failure that stopped the crawl (said once, as an ERROR) this is its echo.
            log = logger.warning if self.failure is not None else logger.error
            log("archive %s: run %s could not be closed: %s", self.db_path, self.run_id, exc)
        logger.info("archive run %s (%s) finished: %s; %s", self.run_id, spider.name, reason,
                    ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing stored")
        self.archive.close()
        self.archive = None
