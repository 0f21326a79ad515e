"""``scrapy crawl``, exiting with status 1 when the crawl could not do its job.

Scrapy's own command exits non-zero only when the crawl fails to start. A crawl that starts
and then finds the archive unwritable (a full disk) stops itself with the finish reason
``archive_error`` (``pipelines.store``); this command reports that as a failure too, so cron,
Scrapyd and CI see it. Everything else is Scrapy's command unchanged.
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from pipelines.store import ARCHIVE_ERROR

__all__ = ["FAILED_REASONS", "Command"]

#: Finish reasons that make ``scrapy crawl`` exit with status 1.
FAILED_REASONS = frozenset({ARCHIVE_ERROR})


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``; exit status 1 also when the spider closed for a failure reason."""

    def _create_crawler(self, spidercls):
        self._crawler = super()._create_crawler(spidercls)
        return self._crawler

    def run(self, args, opts) -> None:
        super().run(args, opts)
        crawler = getattr(self, "_crawler", None)
        if crawler is not None and crawler.stats.get_value("finish_reason") in FAILED_REASONS:
            self.exitcode = 1
