"""No log record is made that no handler would take.

Scrapy sets the root logger to ``NOTSET`` and its own ``scrapy`` logger to ``DEBUG``, and
filters by ``LOG_LEVEL`` in its handler. So every ``logger.debug(...)`` of a crawl (Scrapy's
"Crawled (200)" and "Scraped from" lines for every page, each pipeline's debug line) builds a
``LogRecord``, finds its caller's frame and walks the handlers before the handler's level
throws it away: about 2 % of the event loop's CPU in a benchmark crawl at ``LOG_LEVEL`` INFO.

``LogLevelFloor`` raises, while crawler engines run, the level of the root logger and of every
logger whose own level is lower, to the lowest level any handler of any logger would accept
(Scrapy's ``LOG_LEVEL`` handler, a ``LOG_FILE``, pytest's capture, a run summary's collector),
so a record below it is refused at the first check instead. It changes nothing when some
handler takes every level (level ``NOTSET``), and never lowers a level. The old levels are put
back when the last engine of the process stops (``csto refresh`` runs several crawlers).
"""

from __future__ import annotations

import logging

from csto_crawler.whilerunning import WhileEnginesRun

__all__ = ["LogLevelFloor", "handler_floor"]

logger = logging.getLogger(__name__)


def _loggers() -> list[logging.Logger]:
    return [logging.root, *(item for item in logging.Logger.manager.loggerDict.values()
                            if isinstance(item, logging.Logger))]


def handler_floor() -> int:
    """The lowest level a handler of any logger accepts (``NOTSET`` when one takes all, or when
    there is no handler: Python's last resort then decides). A ``NullHandler`` (what libraries
    put on their loggers) takes nothing."""
    levels = [handler.level for each in _loggers() for handler in each.handlers
              if not isinstance(handler, logging.NullHandler)]
    return min(levels) if levels else logging.NOTSET


class LogLevelFloor(WhileEnginesRun):
    """Raises loggers' levels to the handlers' floor while crawler engines run."""

    def apply(self) -> dict[logging.Logger, int] | None:
        floor = handler_floor()
        if floor <= logging.NOTSET:
            return None
        raised = {each: each.level for each in _loggers()
                  if each.level < floor and (each is logging.root or each.level > logging.NOTSET)}
        for each in raised:
            each.setLevel(floor)
        return raised

    def restore(self, saved: dict[logging.Logger, int]) -> None:
        for each, level in saved.items():
            each.setLevel(level)
