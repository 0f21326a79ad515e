"""``Fallbacks``: what discovery does when a site's configured entry points are wrong.

A mixin of ``DiscoveryFlow`` (so of ``NewsSpider``), driven by the crawler's signals:

* ``robots_parsed``: the ``Sitemap:`` lines of every robots.txt of the site are read as
  sitemaps (an index: its news sitemaps and newest children), whatever the site declares;
* a listing whose card selector matches nothing: every article link of the page is taken
  (``harvest``), with a warning naming the selector, and the page's announced feeds are read;
* ``spider_idle`` with no article link found at all (every entry point refused, a challenge,
  or empty): the home page is read the same way, with its feeds, its article links and its
  section pages (``fallback_requests``);
* ``spider_closed``: the per-entry-point report is logged (``csto_crawler.discovery.report``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from csto_crawler.discovery import pages
from csto_crawler.discovery.pages import Entry
from csto_crawler.entrypoints import ENTRY_KINDS
from csto_crawler.items import ArticleItem
from csto_crawler.urls import on_site

__all__ = ["AUTODISCOVERY", "HOME", "ROBOTS", "SECTION", "Fallbacks", "csto_meta", "robots_parser_sitemaps"]

#: The names the report gives the fallbacks (``EntryResult.found_by``).
ROBOTS, AUTODISCOVERY, HOME, SECTION = "robots.txt", "feed autodiscovery", "home page", "section page"


def csto_meta(response: Response) -> dict:
    """The request's ``csto_*`` meta keys (none for a response built without a request)."""
    if response.request is None:
        return {}
    return {k: v for k, v in response.request.meta.items() if k.startswith("csto_")}


class Fallbacks:
    """Discovery beyond the configured entry points (a mixin of ``DiscoveryFlow``)."""

    # --- Fallbacks ---------------------------------------------------------------------------
    #: Section pages of the home page tried when every entry point failed.
    max_sections: ClassVar[int] = 8
    #: In a normal crawl, the newest sitemaps of an index robots.txt names that are read
    #: (news sitemaps always), and the newest article links of each.
    robots_sitemap_children: ClassVar[int] = 3
    robots_sitemap_entries: ClassVar[int] = 200

    def _harvest(self, response: Response) -> list[Entry]:
        """Every article link of a listing page whose card selector matched nothing."""
        entries = pages.article_links(response, self.is_article_url)
        selector = self.listing_item_selector or self.listing_link_selector
        self._count("csto/discovery/harvested_listings")
        self.logger.warning("%s listing %s: the card selector %r matched nothing; %d article link(s) "
                            "taken from the whole page; update the site's listing selectors",
                            self.name, response.url, selector, len(entries))
        return entries

    def _autodiscovered(self, response: Response) -> Iterator[scrapy.Request]:
        """Requests for the feeds a page announces (``<link rel="alternate">``)."""
        language = csto_meta(response).get("csto_language")
        for url in pages.feed_links(response, self.allowed_domains):
            meta = {"csto_kind": "feeds", "csto_entry": url, "csto_found_by": AUTODISCOVERY, "csto_language": language}
            yield self._entry_request(url, self.parse_feed, meta)

    def _read_home(self, response: Response) -> Iterator:
        yield from self._autodiscovered(response)
        yield from self.article_requests(pages.article_links(response, self.is_article_url), response)
        if csto_meta(response).get("csto_found_by") != HOME:
            return
        for url in pages.section_links(response, self.allowed_domains, self.is_article_url, self.max_sections):
            yield self._entry_request(url, self.parse_home, {"csto_kind": "listings", "csto_entry": url, "csto_found_by": SECTION})

    def connect_discovery(self, crawler) -> None:
        """Follow robots.txt ``Sitemap:`` lines, fall back when the crawl runs dry, report."""
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._entry_answered, signal=signals.response_received)
        crawler.signals.connect(self._entry_item, signal=signals.item_scraped)
        crawler.signals.connect(self._entry_item, signal=signals.item_dropped)
        crawler.signals.connect(self._idle, signal=signals.spider_idle)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def _entry_answered(self, response: Response, request: scrapy.Request) -> None:
        """Every entry page's status reaches the report, whichever callback reads it."""
        meta = request.meta
        if meta.get("csto_kind") not in ENTRY_KINDS or not meta.get("csto_entry") or not on_site(request.url, self.allowed_domains):
            return
        if int(meta.get("csto_page", self.first_page)) <= self.first_page:
            self.report.answered(meta["csto_entry"], str(response.status), meta.get("csto_found_by"))

    def _entry_item(self, item, response=None) -> None:
        """An article a site reads straight off an entry page (an API listing) is an entry.
        (``response`` is a ``Failure`` for what an errback yielded.)"""
        meta = response.meta if isinstance(response, Response) and response.request is not None else {}
        if isinstance(item, ArticleItem) and item.site == self.name and meta.get("csto_kind") in ENTRY_KINDS and meta.get("csto_entry"):
            self.report.counted(meta["csto_entry"], new=True)

    def _robots_parsed(self, robotparser, request) -> None:
        host = urlsplit(request.url).netloc
        if self.urls or host in self._robots_hosts or not on_site(request.url, self.allowed_domains):
            return
        self._robots_hosts.add(host)
        for url in robots_parser_sitemaps(robotparser):
            if on_site(url, self.allowed_domains):
                meta = {"csto_kind": "sitemaps", "csto_entry": url, "csto_found_by": ROBOTS}
                self.crawler.engine.crawl(self._entry_request(url, self.parse_sitemap, meta))

    def _idle(self, spider=None) -> None:
        if self._fell_back or self.urls or self.report.entries:
            return
        self._fell_back = True
        requests = self.fallback_requests()
        if not requests:
            return
        self.logger.warning("%s: no entry point gave an article link; trying the home page and its sections", self.name)
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def fallback_requests(self) -> list[scrapy.Request]:
        """What is tried when every entry point failed: the home page (its feeds, article
        links and section pages), unless it is backing off after a block."""
        if not self.home_url or self.refresh.backing_off(self.home_url):
            return []
        meta = {"csto_kind": "listings", "csto_entry": self.home_url, "csto_found_by": HOME}
        return [self._entry_request(self.home_url, self.parse_home, meta)]

    def _closed(self, spider=None, reason: str = "") -> None:
        for line in self.report.lines():
            self.logger.info("Discovery: %s", line)


def robots_parser_sitemaps(robotparser) -> list[str]:
    """The ``Sitemap:`` URLs of a parsed robots.txt (Scrapy's Protego or stdlib parser)."""
    parser = getattr(robotparser, "rp", None)
    found = getattr(parser, "sitemaps", None)
    if found is None and hasattr(parser, "site_maps"):
        found = parser.site_maps()
    return [str(u) for u in (found or [])]
