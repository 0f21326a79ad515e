"""``DiscoveryFlow``: the part of ``NewsSpider`` that finds article links.

A mixin of ``csto_crawler.spiders.base.NewsSpider``: the entry-point declarations, the
requests that open them, the callbacks of entry pages (``parse_feed``, ``parse_sitemap``,
``parse_listing``, ``parse_home``), listing paging, and the fallbacks that run when a guess is
wrong. Reading a page is delegated to the plain functions of ``csto_crawler.discovery.pages``.
The order, and when each fallback runs, is in ``docs/spiders.md`` ("Discovery").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from csto_crawler.discovery import pages
from csto_crawler.discovery.fallbacks import ROBOTS, Fallbacks, csto_meta
from csto_crawler.discovery.pages import Entry
from csto_crawler.entrypoints import ENTRY_KINDS, EntryPoint, entry_points_from, load_seed_entries
from csto_crawler.extract.dates import parse_date
from csto_crawler.items import FetchRecord
from csto_crawler.pagecheck import check as check_page
from csto_crawler.urls import on_site

__all__ = ["DiscoveryFlow", "csto_meta"]

class DiscoveryFlow(Fallbacks):
    """Entry points, entry-page callbacks, paging and fallbacks (a mixin of ``NewsSpider``)."""

    # --- Entry points per language edition ----------------------------------------------------
    #: RSS/Atom feeds: ``{language: [url, …]}``.
    feeds: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Sitemaps (an index, a urlset, or a robots.txt naming them): ``{language: [url, …]}``.
    sitemaps: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Listing pages: ``{language: [url, …]}``; ``{page}`` in a URL is the page number
    #: (from ``first_page``), else pages are followed with ``next_page_selector``.
    listings: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Site search result pages: ``{language: [url with {query} (and maybe {page}), …]}``,
    #: parsed like listings, once per term of ``search_terms[language]``.
    search: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Search terms per language edition.
    search_terms: ClassVar[Mapping[str, Sequence[str]]] = {}

    # --- What is an article, how a listing reads ----------------------------------------------
    #: Regular expressions searched in an article URL's path (plus ``?query`` when it has one).
    article_patterns: ClassVar[tuple[str, ...]] = ()
    #: CSS selector of one article card on a listing page (None: the whole page is one card).
    listing_item_selector: ClassVar[str | None] = None
    #: CSS selector, inside a card, of the article link's ``href``.
    listing_link_selector: ClassVar[str] = "a::attr(href)"
    #: CSS selector, inside a card, of the article's date text (None: listings show no date).
    listing_date_selector: ClassVar[str | None] = None
    #: Date formats of listing cards (default: the article rules' ``date_formats``).
    listing_date_formats: ClassVar[tuple[str, ...]] = ()
    #: CSS selector of the next listing page's ``href`` (for listings without ``{page}``).
    next_page_selector: ClassVar[str | None] = None
    #: The number of the first page of a ``{page}`` listing.
    first_page: ClassVar[int] = 1
    #: Listing pages per entry point in a normal crawl (None: the ``CSTO_MAX_PAGES`` setting).
    max_pages: ClassVar[int | None] = None

    # --- Entry points ------------------------------------------------------------------------
    def entry_points(self) -> list[EntryPoint]:
        """The site's entry points plus those of ``seeds/``, limited to ``-a lang``."""
        points: list[EntryPoint] = []
        for kind in ENTRY_KINDS:
            points.extend(entry_points_from(kind, getattr(self, kind)))
        points.extend(self._seed_entries().entry_points)
        seen: set[tuple[str, str]] = set()
        wanted = []
        for point in points:
            if point.language is not None and point.language not in self.langs:
                continue
            if (point.kind, point.url) not in seen:
                seen.add((point.kind, point.url))
                wanted.append(point)
        return wanted

    def _seed_entries(self):
        settings = getattr(self, "settings", None)
        path = settings.get("CSTO_ENTRY_POINTS") if settings is not None else None
        return load_seed_entries(path, self.name, self.languages)

    def entry_requests(self, point: EntryPoint) -> list[scrapy.Request]:
        """The requests that open one entry point."""
        meta = {"csto_language": point.language, "csto_entry": point.url, "csto_kind": point.kind}
        if point.kind == "feeds":
            return [self._entry_request(point.url, self.parse_feed, meta)]
        if point.kind == "sitemaps":
            return [self._entry_request(point.url, self.parse_sitemap, meta)]
        if point.kind == "listings":
            return [self._listing_request(point.url, self.first_page, meta)]
        if point.kind == "search":
            terms = self.search_terms.get(point.language or "", ()) if "{query}" in point.url else ("",)
            return [
                self._listing_request(point.url.replace("{query}", term), self.first_page,
                                      dict(meta, csto_entry=point.url.replace("{query}", term)))
                for term in terms
            ]
        raise ValueError(f"unknown entry point kind {point.kind!r}")

    def _entry_request(self, url: str, callback, meta: dict) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.fetch_failed, meta=dict(meta))

    def _listing_request(self, template: str, page: int, meta: dict) -> scrapy.Request:
        url = template.replace("{page}", str(page))
        return self._entry_request(url, self.parse_listing, dict(meta, csto_page=page, csto_entry=template))

    def opening_requests(self) -> list[scrapy.Request]:
        """The requests of every entry point, except those still backing off after a block."""
        requests = []
        for point in self.entry_points():
            for request in self.entry_requests(point):
                until = self.refresh.backing_off(request.url)
                if until is None:
                    requests.append(request)
                    continue
                entry = request.meta.get("csto_entry") or request.url
                self.report.answered(entry, f"skipped: blocked before, next try after {until:%Y-%m-%d %H:%M} UTC")
                self.logger.info("%s entry point %s: blocked on earlier runs; next try after %s", self.name, request.url, until)
        return requests

    # --- Callbacks ---------------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any):
        """Route a response by what it is (``scrapy parse URL`` without ``-c`` lands here)."""
        if self.is_article_url(response.url):
            return self.parse_article(response)
        shape = pages.page_type(response)
        if shape == "sitemap":
            return self.parse_sitemap(response)
        return self.parse_feed(response) if shape == "feed" else self.parse_listing(response)

    def parse_feed(self, response: Response, **kwargs: Any):
        """Article requests from an RSS or Atom feed."""
        return self._entry_page(response, self._read_feed)

    def parse_sitemap(self, response: Response, **kwargs: Any):
        """Article requests from a sitemap (an index is followed; robots.txt names sitemaps)."""
        return self._entry_page(response, self._read_sitemap)

    def parse_listing(self, response: Response, **kwargs: Any):
        """Article requests from a listing page, then the next page while it is wanted."""
        return self._entry_page(response, self._read_listing)

    def parse_home(self, response: Response, **kwargs: Any):
        """A fallback page (the home page or one of its sections): its feeds, its article
        links and, on the home page, its section pages."""
        return self._entry_page(response, self._read_home)

    def _entry_page(self, response: Response, read) -> Iterator:
        """The check every entry page passes (challenge, error page, gone), its line in the
        report, then ``read(response)``; a refused page goes to ``entry_refused``."""
        meta = csto_meta(response)
        first = int(meta.get("csto_page", self.first_page)) <= self.first_page
        problem = self.entry_problem(response)
        if first:
            status = str(response.status) if problem is None or problem.outcome == "gone" else f"{response.status}, {problem.outcome}"
            self.report.answered(meta.get("csto_entry") or response.url, status, meta.get("csto_found_by"))
        if problem is None:
            yield from read(response)
            return
        if problem.outcome not in ("gone", "not_modified"):
            yield problem
        if problem.outcome != "not_modified" and (first or problem.outcome != "gone"):
            yield from self.entry_refused(response)

    def entry_refused(self, response: Response) -> Iterable[scrapy.Request]:
        """Requests to make when an entry page is refused (any status from 400, a challenge):
        a site module renews a ticket or a session here. None by default: the site's other
        entry points, then the fallbacks, carry on."""
        return ()

    def entry_problem(self, response: Response) -> FetchRecord | None:
        """Like ``page_problem``, for a feed, sitemap or listing page; a missing one (404/410)
        is returned but not to be yielded: past the last listing page it is the normal end
        (DEBUG), else the entry point is stale and the site module or seeds need an update."""
        if response.status == 304:
            return FetchRecord(url=response.url, site=self.name, outcome="not_modified", http_status=304, detail="HTTP 304")
        headers = self.headers_of(response)
        problem = check_page(response.status, headers, response.body)
        if problem is None:
            return None
        if problem.outcome != "gone":
            return self._record(response, problem.outcome, problem.detail)
        if int(csto_meta(response).get("csto_page", self.first_page)) > self.first_page:
            self.logger.debug("Listing page %s: %s (past the last page)", response.url, problem.detail)
        else:
            self._count("csto/entry_points/gone")
            self.logger.warning("%s entry point %s: %s; update the site module or seeds/entry_points.yml",
                                self.name, response.url, problem.detail)
        return FetchRecord(url=response.url, site=self.name, outcome="gone", http_status=response.status, detail=problem.detail)

    def unreadable_xml(self, response: Response) -> FetchRecord | None:
        """An ``error`` record for a feed or sitemap lxml could not read to its end, or None."""
        error = pages.unreadable_xml(response)
        return self._record(response, "error", f"HTTP {response.status}, unreadable XML: {error}") if error else None

    # --- Reading entry pages -----------------------------------------------------------------
    def _read_feed(self, response: Response) -> Iterator:
        entries = self.feed_entries(response)
        self._count("csto/discovery/feed_entries", len(entries))
        self.logger.debug("Feed %s: %d entries", response.url, len(entries))
        if not entries:
            unreadable = self.unreadable_xml(response)
            if unreadable:
                yield unreadable
                return
        yield from self.article_requests(entries, response)

    def _read_sitemap(self, response: Response) -> Iterator:
        meta = csto_meta(response)
        if response.url.endswith("/robots.txt"):
            for url in pages.robots_sitemaps(response):
                yield self._entry_request(url, self.parse_sitemap, meta)
            return
        sitemap = pages.sitemap_page(response)
        if sitemap is None:
            self.logger.warning("Not a sitemap: %s", response.url)
            return
        if not sitemap.entries:
            unreadable = self.unreadable_xml(response)
            if unreadable:
                yield unreadable
                return
        limited = meta.get("csto_found_by") == ROBOTS and not self.since
        if sitemap.index:
            children = [(u, d) for u, d in sitemap.entries
                        if on_site(u, self.allowed_domains) and not (self.since and d and d < self.since)]
            if limited:
                news = [e for e in children if "news" in e[0].lower()]
                children = news + [e for e in pages.newest(children, self.robots_sitemap_children) if e not in news]
            for url, _ in children:
                yield self._entry_request(url, self.parse_sitemap, meta)
            return
        entries = pages.newest(sitemap.entries, self.robots_sitemap_entries) if limited else sitemap.entries
        yield from self.article_requests(entries, response)

    def _read_listing(self, response: Response) -> Iterator:
        entries = self.listing_entries(response)
        self.logger.debug("Listing %s: %d entries", response.url, len(entries))
        if not entries and self._first_listing_page(response):
            entries = self._harvest(response)
            yield from self._autodiscovered(response)
        yield from self.article_requests(entries, response)
        following = self.next_page(response, entries)
        if following is not None:
            yield following

    def _first_listing_page(self, response: Response) -> bool:
        meta = csto_meta(response)
        return meta.get("csto_kind") == "listings" and int(meta.get("csto_page", self.first_page)) == self.first_page

    def feed_entries(self, response: Response) -> list[Entry]:
        """(link, date) of each RSS ``item`` / Atom ``entry``."""
        return pages.feed_entries(response)

    def listing_entries(self, response: Response) -> list[Entry]:
        """(link, date) of each card of a listing page (``listing_*_selector``)."""
        shape = pages.ListingShape(self.listing_item_selector, self.listing_link_selector, self.listing_date_selector)
        return pages.listing_entries(response, shape, self.listing_date)

    def listing_date(self, text: str) -> date | None:
        """The date a listing card shows (``listing_date_formats``, else the rules' formats)."""
        if not text:
            return None
        formats = self.listing_date_formats or self.rules.date_formats
        # Only the calendar date matters here, so a zone-less time is read as UTC.
        parsed = parse_date(text, formats=formats, tz=self.rules.timezone or "UTC")
        return date.fromisoformat(parsed[:10]) if parsed else None

    # --- Paging ------------------------------------------------------------------------------
    def next_page(self, response: Response, entries: list[Entry]) -> scrapy.Request | None:
        """The next listing page, or None: no articles on this page, the page guard reached,
        or (with ``-a since``) every dated entry on this page older than ``since``."""
        meta = csto_meta(response) or self.listing_context(response.url)
        page = int(meta.get("csto_page", self.first_page))
        template = meta.get("csto_entry") or response.url
        guard = self.page_guard()
        if not entries:
            return None
        if page - self.first_page + 1 >= guard:
            self.logger.debug("Listing %s: page guard (%d pages) reached", template, guard)
            return None
        dates = [d for _, d in entries if d is not None]
        if self.since and dates and max(dates) < self.since:
            self.logger.debug("Listing %s: page %d is older than %s; stop", template, page, self.since)
            return None
        if not self.since and self.all_known(entries, response):
            self.logger.debug("Listing %s: page %d holds only known articles; stop", template, page)
            self._count("csto/refresh/listing_stops")
            return None
        if "{page}" in template:
            return self._listing_request(template, page + 1, meta)
        if self.next_page_selector:
            href = response.css(self.next_page_selector).get()
            if href:
                return self._entry_request(response.urljoin(href.strip()), self.parse_listing, dict(meta, csto_page=page + 1))
        return None

    def listing_context(self, url: str) -> dict:
        """The ``csto_*`` meta of a listing page fetched without it (``scrapy parse URL``):
        the ``{page}`` entry point it matches and its page number."""
        for point in self.entry_points():
            if point.kind not in ("listings", "search") or "{page}" not in point.url:
                continue
            pattern = (re.escape(point.url).replace(re.escape("{page}"), r"(?P<page>\d+)")
                       .replace(re.escape("{query}"), r"(?P<query>[^&/]*)"))
            match = re.fullmatch(pattern, url)
            if match:
                # a search entry keeps the query it was fetched with, not the {query} template
                entry = point.url.replace("{query}", match.group("query")) if "{query}" in point.url else point.url
                return {"csto_entry": entry, "csto_page": int(match.group("page")), "csto_language": point.language, "csto_kind": point.kind}
        return {}

    def page_guard(self) -> int:
        """How many listing pages one entry point may be followed through in this run."""
        settings = getattr(self, "settings", None)
        if self.since:
            return settings.getint("CSTO_BACKFILL_MAX_PAGES", 300) if settings else 300
        if self.max_pages is not None:
            return self.max_pages
        return settings.getint("CSTO_MAX_PAGES", 3) if settings else 3
