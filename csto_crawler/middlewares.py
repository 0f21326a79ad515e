"""Fetching from a loopback mirror (``CSTO_MIRROR``) while everything else sees the real URL.

With ``CSTO_MIRROR=http://127.0.0.1:8800`` every request for ``https://HOST/PATH?QUERY``
(http too) is fetched from ``http://127.0.0.1:8800/HOST/PATH?QUERY``, and the response comes
back under the original URL. This is how tests, the offline demo and replays of saved sites
run the real spiders unchanged.

The rewrite happens in the download handler, the last step before the network, rather than in
a downloader middleware: a middleware that swapped the URL would either send the request back
through the scheduler (where offsite filtering, robots.txt and the dupefilter would see the
mirror's host) or bypass the per-site download slots. In the handler, every component above it
(robots.txt, which ``RobotsTxtMiddleware`` requests through the same chain, offsite filtering,
cookies, redirects, the per-site slots, callbacks, items and fetch records) only ever sees the
original URL; an absolute ``Location`` pointing into the mirror is mapped back too.

``RobotsTxtMiddleware`` replaces Scrapy's (``DOWNLOADER_MIDDLEWARES``): the same, except that
every request waiting for a host's robots.txt is checked against it (Scrapy 2.19 checks only the
first one).

``MirrorAddon`` (listed in ``ADDONS``) installs the handler only when ``CSTO_MIRROR`` is set,
and then drops the politeness delays meant for real sites (``DOWNLOAD_DELAY`` 0, AutoThrottle
off): a loopback server needs no pause. Values given with ``-s`` still win.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxtMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from csto_crawler.urls import from_mirror, to_mirror

__all__ = ["MIRROR_SETTINGS", "MirrorAddon", "MirrorDownloadHandler", "RobotsTxtMiddleware", "check_mirror"]

logger = logging.getLogger(__name__)

#: Settings ``MirrorAddon`` applies when a mirror is set (unless given on the command line or
#: by a spider): no delay and no AutoThrottle on loopback.
MIRROR_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
}

_HANDLER = f"{__name__}.MirrorDownloadHandler"


def check_mirror(mirror: str) -> str:
    """The mirror base URL without a trailing slash; ValueError when it is not ``http(s)://HOST[:PORT]``."""
    parts = urlsplit(mirror.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"CSTO_MIRROR must look like http://127.0.0.1:8800, got {mirror!r}")
    return mirror.strip().rstrip("/")


class MirrorDownloadHandler(HTTP11DownloadHandler):
    """The stock HTTP handler, fetching ``<mirror>/HOST/PATH?QUERY`` for ``scheme://HOST/PATH?QUERY``."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        mirror = crawler.settings.get("CSTO_MIRROR")
        if not mirror:
            raise NotConfigured("CSTO_MIRROR is not set")
        self.mirror = check_mirror(mirror)
        self.stats = crawler.stats

    def mirror_request(self, request: Request) -> Request:
        """The request as sent to the mirror (no proxy: the mirror is local)."""
        meta = dict(request.meta)
        meta.pop("proxy", None)
        mirrored = request.replace(url=to_mirror(request.url, self.mirror), meta=meta)
        mirrored.headers.pop(b"Proxy-Authorization", None)
        return mirrored

    def original_response(self, request: Request, response: Response) -> Response:
        """The mirror's response under the original URL, with ``Location`` mapped back."""
        location = response.headers.get(b"Location")
        if not location:  # the headers as they are (most answers: no copy to make)
            return response.replace(url=request.url, request=request)
        headers = response.headers.copy()
        scheme = urlsplit(request.url).scheme or "https"
        original = from_mirror(location.decode("latin-1"), self.mirror, scheme)
        if original:
            headers[b"Location"] = original.encode("utf-8")
        return response.replace(url=request.url, headers=headers, request=request)

    async def download_request(self, request: Request) -> Response:
        mirrored = self.mirror_request(request)
        logger.debug("Mirror: %s -> %s", request.url, mirrored.url)
        response = await super().download_request(mirrored)
        if self.stats is not None:
            self.stats.inc_value("csto/mirror/responses")
        return self.original_response(request, response)


class MirrorAddon:
    """Installs ``MirrorDownloadHandler`` and loopback pacing when ``CSTO_MIRROR`` is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        mirror = settings.get("CSTO_MIRROR")
        if not mirror:
            return
        check_mirror(mirror)
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update({"http": _HANDLER, "https": _HANDLER})
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
        for key, value in MIRROR_SETTINGS.items():
            if settings.getpriority(key) <= SETTINGS_PRIORITIES["project"]:
                settings.set(key, value, priority="project")
        logger.info("CSTO_MIRROR: fetching every request from %s (original URLs kept)", mirror)


class RobotsTxtMiddleware(_ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a host's robots.txt
    checked against its rules.

    In Scrapy 2.19 the requests queued while a host's robots.txt is being fetched all await the
    same ``Deferred``; converting it to an asyncio future consumes its result, so only the first
    waiter gets the parsed rules and the others get ``None`` ("no robots.txt") and go through
    unchecked. Here a waiter awaits the ``Deferred`` only as a signal and then reads the parser
    the middleware stored for the host (the rules, or ``None`` when robots.txt failed).
    """

    async def robot_parser(self, request: Request):
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            await maybe_deferred_to_future(pending)
            return self._parsers[netloc]
        return await super().robot_parser(request)
