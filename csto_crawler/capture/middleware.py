"""``CaptureMiddleware``: every captured response (and its request) into the WARC files.

A downloader middleware placed next to the download handler (``DOWNLOADER_MIDDLEWARES``, 950),
so it sees each response as it came off the wire (still compressed, before the redirect
middleware acts): a redirect chain is captured hop by hop, each hop its own request/response
pair. Which requests are captured is ``CSTO_CAPTURE``:

* ``articles`` (default): article fetches and re-checks (request kinds ``article``, ``recheck``);
* ``all``: also feeds, sitemaps, listings and search pages;
* ``off``: nothing (the middleware is not installed).

The request kind is the ``csto_kind`` meta key the spiders set (``csto_crawler.spiders.base``);
requests without one (robots.txt) are not captured. A spider whose entry pages carry the
articles themselves (a JSON news API) names those kinds in its ``capture_kinds`` attribute, and
they are captured in ``articles`` mode too: every version has the bytes it came from. The capture's id goes into the request's
``csto_capture_id`` meta key, where the spider's item picks it up. A capture that cannot be
written (disk full, unwritable folder) fails the fetch (``IgnoreRequest``: recorded as an
``error`` fetch), because a version must never be stored without its bytes, and stops the
crawl (finish reason ``archive_error``, one ERROR line) as an unwritable archive does.

One ``CaptureLog`` (one WARC file series) is shared by every crawler of a process that writes
to the same archive, so ``csto refresh`` over sixteen sites writes one series of files.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from csto_crawler.capture.log import CaptureLog, default_warc_dir, open_error
from csto_crawler.capture.warc import Exchange

__all__ = ["CaptureMiddleware", "ARTICLE_KINDS", "ENTRY_KINDS", "capture_kinds", "exchange_of"]

logger = logging.getLogger(__name__)

ARTICLE_KINDS = frozenset({"article", "recheck"})
ENTRY_KINDS = frozenset({"feeds", "sitemaps", "listings", "search"})

#: Open capture logs of this process: key -> [log, number of crawlers using it].
_SHARED: dict[tuple[str, str], list] = {}


def capture_kinds(mode: str | None) -> frozenset[str]:
    """The request kinds a ``CSTO_CAPTURE`` value captures; ValueError for a bad value."""
    value = (mode or "articles").strip().lower()
    if value == "off":
        return frozenset()
    if value == "articles":
        return ARTICLE_KINDS
    if value == "all":
        return ARTICLE_KINDS | ENTRY_KINDS
    raise ValueError(f"CSTO_CAPTURE must be articles, all or off, not {mode!r}")


def _pairs(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


def exchange_of(request: Request, response: Response, fetched_at: datetime) -> Exchange:
    """The WARC view of a Scrapy request and its (raw) response."""
    request_headers = _pairs(request.headers)
    if not any(k.lower() == "host" for k, _ in request_headers):
        from urllib.parse import urlsplit

        request_headers.insert(0, ("Host", urlsplit(request.url).netloc))
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    ip = getattr(response, "ip_address", None)
    return Exchange(url=request.url, method=request.method, request_headers=request_headers,
                    status=response.status, reason=reason,
                    response_headers=_pairs(response.headers), body=response.body,
                    fetched_at=fetched_at, request_body=request.body or b"",
                    protocol=protocol if protocol.startswith("HTTP/") else "HTTP/1.1",
                    ip_address=str(ip) if ip else None)


class CaptureMiddleware:
    """Writes captured exchanges; one instance per crawler, one ``CaptureLog`` per archive."""

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        self.kinds = capture_kinds(settings.get("CSTO_CAPTURE"))
        if not self.kinds:
            raise NotConfigured("CSTO_CAPTURE=off")
        self.db_path = Path(settings.get("CSTO_ARCHIVE_DB"))
        self.warc_dir = default_warc_dir(self.db_path, settings.get("CSTO_WARC_DIR"))
        self.max_bytes = settings.getint("CSTO_WARC_MAX_BYTES", 10**9)
        self.fsync = settings.getbool("CSTO_WARC_FSYNC", False)
        self.stats = crawler.stats
        self.crawler = crawler
        self._key = (str(self.db_path.resolve()), str(self.warc_dir.resolve()))
        self._log: CaptureLog | None = None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider=None) -> None:
        """Join the process's capture log now, so it stays open until the last crawler closes
        (its WARC file is only created at the first capture)."""
        spider = spider or self.crawler.spider
        self.kinds = self.kinds | frozenset(getattr(spider, "capture_kinds", ()) or ())
        try:
            self._capture_log()
        except (OSError, sqlite3.Error) as exc:
            # the store pipeline reports an archive it cannot open; a capture is retried (and
            # fails the crawl) at the first captured response
            logger.warning("captures: %s", open_error(exc))

    def _capture_log(self) -> CaptureLog:
        if self._log is None:
            shared = _SHARED.get(self._key)
            if shared is None:
                shared = _SHARED[self._key] = [
                    CaptureLog(self.db_path, self.warc_dir, max_bytes=self.max_bytes, shared=True,
                               fsync=self.fsync), 0]
            shared[1] += 1
            self._log = shared[0]
        return self._log

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        kind = request.meta.get("csto_kind")
        if kind not in self.kinds:
            return response
        try:
            captured = self._capture_log().capture(
                exchange_of(request, response, datetime.now(UTC)), kind)
        except (OSError, sqlite3.Error) as exc:
            reason = open_error(exc)
            self._failed(request, reason)
            raise IgnoreRequest(reason) from exc
        request.meta["csto_capture_id"] = captured.capture_id
        self.stats.inc_value(f"csto/capture/{captured.record_type}")
        self.stats.inc_value("csto/capture/bytes", captured.length)
        return response

    def _failed(self, request: Request, reason: str) -> None:
        """A capture could not be written: like an unwritable archive, it stops the crawl, with
        one ERROR line (none when the store already reported the archive unwritable)."""
        self.stats.inc_value("csto/capture/errors")
        if self.stats.get_value("csto/capture/failure") or self.stats.get_value(
                "csto/store/failure"):
            logger.debug("%s: %s", request.url, reason)
            return
        self.stats.set_value("csto/capture/failure", reason)
        logger.error("%s: the raw capture cannot be written (%s): stopping the crawl; the fetch "
                     "is not stored (a version is never "
                     "stored without its capture). Free disk space or fix CSTO_WARC_DIR, then "
                     "run again", request.url, reason)
        from scrapy.utils.defer import deferred_from_coro

        from pipelines.store import ARCHIVE_ERROR

        engine = getattr(self.crawler, "engine", None)
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=ARCHIVE_ERROR))

    def spider_closed(self, spider=None, reason=None) -> None:
        if self._log is None:
            return
        shared = _SHARED.get(self._key)
        self._log = None
        if shared is None:
            return
        shared[1] -= 1
        if shared[1] <= 0:
            shared[0].close()
            del _SHARED[self._key]
