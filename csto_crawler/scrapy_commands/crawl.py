"""``scrapy crawl``, exiting with status 2 on a bad spider argument and 1 when the crawl could
not do its job.

A spider that declares ``check_arguments(settings, **arguments)`` (every site spider, and
``news``) has its ``-a`` arguments checked before the crawl starts: a bad one prints its one
line (``Bad spider argument: …``) and exits with status 2, with no traceback.

Scrapy's own command exits non-zero only when the crawl fails to start. A crawl that starts
and then finds the archive unwritable (a full disk) stops itself with the finish reason
``archive_error`` (``pipelines.store``); this command reports that as a failure too, so cron,
Scrapyd and CI see it. Everything else is Scrapy's command unchanged.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

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
        if len(args) == 1 and not self._arguments_ok(args[0], opts.spargs):
            self.exitcode = 2
            return
        super().run(args, opts)
        crawler = getattr(self, "_crawler", None)
        stats = getattr(crawler, "_stats", None) if crawler is not None else None
        if stats is not None and stats.get_value("finish_reason") in FAILED_REASONS:
            self.exitcode = 1

    def _arguments_ok(self, name: str, arguments: dict) -> bool:
        """Check the spider's arguments before anything starts; print the one line if bad."""
        try:
            spidercls = self.crawler_process.spider_loader.load(name)
        except KeyError:
            return True  # Scrapy's own message follows
        check = getattr(spidercls, "check_arguments", None)
        if check is None:
            return True
        try:
            check(self.settings, **arguments)
        except (UsageError, ValueError) as exc:
            what = "Bad spider argument" if isinstance(exc, UsageError) else "Bad configuration"
            sys.stderr.write(f"{what}: {exc}\n")
            return False
        return True
