"""``NewsSpider``: the shared flow every site spider reuses.

A site module subclasses it and declares data (class attributes): slug, domains, languages,
entry points per language (feeds, sitemaps, listings, search), article URL patterns, listing
selectors and extraction rules. The flow:

1. ``start`` yields the entry points (the module's plus ``seeds/entry_points.yml``), or with
   ``-a urls=…`` exactly those article URLs;
2. ``parse_feed`` / ``parse_sitemap`` / ``parse_listing`` turn an entry page into article
   requests (``article_links`` → ``article_requests``), following only URLs on the site's
   domains that match ``article_patterns``; listings page on (``next_page``) up to a guard,
   or with ``-a since=`` back to that date;
3. ``parse_article`` checks the page is one (not a bot challenge, error page or removed page:
   ``csto_crawler.pagecheck``), extracts it with the layered extraction and yields an
   ``ArticleItem``; a page that is not an article yields a ``FetchRecord``.

A site with an unusual shape overrides one method (``parse_listing``, ``listing_entries``,
``feed_entries``, ``article_requests``, ``next_page`` …), not the whole flow.

Spider arguments every site supports: ``-a urls=URL[,URL…]``, ``-a since=YYYY-MM-DD``,
``-a lang=ru,en``. A bad argument stops the crawl with a message saying what is wrong.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest, UsageError
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from csto_crawler.entrypoints import EntryPoint, entry_points_from, load_seed_entries
from csto_crawler.extract import extract
from csto_crawler.extract.dates import parse_date
from csto_crawler.extract.rules import SiteRules
from csto_crawler.guards import xml_errors, xml_selector
from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.pagecheck import check as check_page
from csto_crawler.refresh import ArchiveState, RecheckSchedule
from csto_crawler.urls import canonical_url, canonicalize, on_site

__all__ = ["NewsSpider", "SpiderArgumentError", "http_date"]


class SpiderArgumentError(UsageError, ValueError):
    """A bad ``-a`` argument: ``scrapy crawl`` prints the message and usage, exit status 2."""

_ADVICE = {
    "blocked": (
        "the site refused us or served a bot challenge instead of the page; nothing was archived. "
        "Slow down (DOWNLOAD_DELAY), check the site's robots.txt and terms, or record the page "
        "with a browser and add a fixture"
    ),
    "error": (
        "the site served an error page; nothing was archived. If it persists, the URL pattern "
        "or the site may have changed: fetch the URL by hand and update the site module"
    ),
    "gone": "the page was removed (the archive keeps earlier versions)",
    "failed": (
        "no usable answer (network error, refused redirect, oversized or cut-off body); nothing "
        "was archived and the archive keeps what it had; the page is tried again on the next run"
    ),
}


def http_date(value: bytes | str | None) -> datetime | None:
    """An HTTP date header (``Date``, ``Last-Modified``) as an aware datetime, or None."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


def _feed_date(value: str | None) -> date | None:
    """The calendar date of an RSS (RFC 822) or Atom/sitemap (ISO 8601) timestamp."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


class NewsSpider(scrapy.Spider):
    """Base class of every site spider: declarations (class attributes) plus the flow."""

    # --- Identity ---------------------------------------------------------------------------
    #: The site slug: spider name, module name, fixture folder, ``site`` column.
    name: ClassVar[str]
    #: Human-readable site name, stored in ``sites.name``.
    site_name: ClassVar[str] = ""
    #: The site's home page.
    home_url: ClassVar[str] = ""
    #: ``official`` (state bodies), ``csto`` (the organisation) or ``news`` (press).
    kind: ClassVar[str] = "news"
    #: Domains of the site (all editions); requests elsewhere are never made.
    allowed_domains: ClassVar[list[str]] = []
    #: ISO 639-1 codes of the language editions.
    languages: ClassVar[tuple[str, ...]] = ()
    #: Extraction rules of the site's article pages.
    rules: ClassVar[SiteRules] = SiteRules()

    # --- Discovery: entry points per language edition ---------------------------------------
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

    # --- Discovery: what is an article, how a listing reads ----------------------------------
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

    # --- Canonical URLs --------------------------------------------------------------------
    #: Alias hosts of the same documents: ``{"mirror.example.kz": "www.example.kz"}``.
    host_aliases: ClassVar[Mapping[str, str]] = {}
    #: The scheme canonical URLs use (None: keep the fetched URL's).
    canonical_scheme: ClassVar[str | None] = None

    #: Statuses handed to the callbacks (recorded as gone/blocked/error) instead of dropped.
    handle_httpstatus_list: ClassVar[list[int]] = [304, 401, 403, 404, 410, 429, 451, 500, 502, 503, 504]
    #: Site-specific advice per outcome (``blocked``, ``error``, ``gone``) for the log line of a
    #: page that was not archived, replacing the generic advice (e.g. how to get past a
    #: site's bot challenge).
    advice: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        *args: Any,
        urls: str | Sequence[str] | None = None,
        since: str | date | None = None,
        lang: str | Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        try:
            self.langs: tuple[str, ...] = self._parse_lang(lang)
            self.since: date | None = self._parse_since(since)
            self.urls: tuple[str, ...] = self._parse_urls(urls)
        except SpiderArgumentError as exc:
            # One clean line before Scrapy's traceback, which buries the message.
            self.logger.error("Bad spider argument: %s", exc)
            raise
        self._patterns = tuple(re.compile(p) for p in self.article_patterns)

    # --- Arguments ---------------------------------------------------------------------------
    def _parse_lang(self, lang: str | Sequence[str] | None) -> tuple[str, ...]:
        if not lang:
            return tuple(self.languages)
        wanted = [x.strip() for x in (lang.split(",") if isinstance(lang, str) else lang) if x.strip()]
        unknown = [x for x in wanted if x not in self.languages]
        if unknown or not wanted:
            raise SpiderArgumentError(
                f"{self.name}: -a lang={lang!r}: unknown language edition(s) {unknown}; "
                f"this site has {', '.join(self.languages)}"
            )
        return tuple(wanted)

    def _parse_since(self, since: str | date | None) -> date | None:
        if since is None or since == "":
            return None
        if isinstance(since, date):
            return since
        try:
            return date.fromisoformat(str(since).strip())
        except ValueError:
            raise SpiderArgumentError(f"{self.name}: -a since={since!r}: expected a date as YYYY-MM-DD") from None

    def _parse_urls(self, urls: str | Sequence[str] | None) -> tuple[str, ...]:
        if not urls:
            return ()
        items = [u.strip() for u in (urls.split(",") if isinstance(urls, str) else urls) if u.strip()]
        bad = [u for u in items if urlsplit(u).scheme not in ("http", "https") or not on_site(u, self.allowed_domains)]
        if bad:
            raise SpiderArgumentError(
                f"{self.name}: -a urls: {', '.join(bad)} not an http(s) URL on this site's "
                f"domains ({', '.join(self.allowed_domains)})"
            )
        return tuple(items)

    # --- Site knowledge hooks ----------------------------------------------------------------
    def language_for(self, url: str) -> str | None:
        """The language edition a URL belongs to (override per site); None when unknown."""
        return self.languages[0] if len(self.languages) == 1 else None

    def rules_for(self, url: str) -> SiteRules:
        """The extraction rules for one article URL (the site's rules with its edition's language)."""
        language = self.language_for(url)
        if language and language != self.rules.language:
            return dataclasses.replace(self.rules, language=language)
        return self.rules

    def is_article_url(self, url: str) -> bool:
        """Whether a URL is an article of this site (domains, ``article_patterns``, ``-a lang``)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not on_site(url, self.allowed_domains):
            return False
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if not any(p.search(target) for p in self._patterns):
            return False
        language = self.language_for(url)
        return language is None or language in self.langs

    # --- Start ------------------------------------------------------------------------------
    def entry_points(self) -> list[EntryPoint]:
        """The site's entry points plus those of ``seeds/``, limited to ``-a lang``."""
        points: list[EntryPoint] = []
        for kind in ("feeds", "sitemaps", "listings", "search"):
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

    async def start(self):
        """Entry point requests, or exactly the ``-a urls`` articles."""
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> list[scrapy.Request]:
        """The first requests of a run (``start`` yields them; tests call this directly)."""
        if self.urls:
            self.logger.info("Fetching %d article URL(s) given with -a urls", len(self.urls))
            return [self.article_request(url, dont_filter=True) for url in self.urls]
        requests: list[scrapy.Request] = []
        for point in self.entry_points():
            requests.extend(self.entry_requests(point))
        seeds = self._seed_entries()
        for url in seeds.urls:
            language = self.language_for(url)
            if language is None or language in self.langs:
                requests.extend(self.article_requests([(url, None)], None))
        requests.extend(self.recheck_requests())
        if not requests:
            self.logger.warning("%s has no entry points for language(s) %s", self.name, ",".join(self.langs))
        return requests

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
                self._listing_request(point.url.replace("{query}", term), self.first_page, dict(meta, csto_entry=point.url.replace("{query}", term)))
                for term in terms
            ]
        raise ValueError(f"unknown entry point kind {point.kind!r}")

    def _entry_request(self, url: str, callback, meta: dict) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.fetch_failed, meta=dict(meta))

    def _listing_request(self, template: str, page: int, meta: dict) -> scrapy.Request:
        url = template.replace("{page}", str(page))
        return self._entry_request(url, self.parse_listing, dict(meta, csto_page=page, csto_entry=template))

    # --- Articles ---------------------------------------------------------------------------
    def article_request(self, url: str, *, kind: str = "article", **kwargs: Any) -> scrapy.Request:
        """The request for one article page (``kind``: ``article`` or ``recheck``)."""
        meta = dict(kwargs.pop("meta", None) or {}, csto_kind=kind)
        return scrapy.Request(url, callback=self.parse_article, errback=self.fetch_failed, meta=meta, **kwargs)

    def recheck_request(self, url: str) -> scrapy.Request:
        """A conditional re-check of a known article (``If-None-Match``/``If-Modified-Since``
        from its last fetch: an unchanged page answers 304 and costs no parsing)."""
        known = self.archive_state.get(url)
        headers = known.conditional_headers() if known else {}
        return self.article_request(url, kind="recheck", headers=headers)

    def article_requests(self, links: Iterable[tuple[str, date | None]], response: Response | None) -> Iterator[scrapy.Request]:
        """Requests for the article links of an entry page (tracking parameters dropped,
        non-articles and, with ``-a since``, older articles skipped). What the archive knows
        decides the rest (``csto_crawler.refresh``): a new URL is fetched, a known one only when
        it is due for a re-check (conditionally), an irrelevant one never again."""
        for url, published in links:
            absolute = canonicalize(response.urljoin(url) if response is not None else url)
            if not self.is_article_url(absolute):
                self.logger.debug("Not an article URL of %s: %s", self.name, absolute)
                continue
            if self.since and published and published < self.since:
                continue
            decision = self.refresh_decision(absolute)
            if decision == "new":
                yield self.article_request(absolute)
            elif decision == "recheck":
                yield self.recheck_request(absolute)
            else:
                self._count("csto/refresh/skipped_known")

    # --- Incremental refresh ---------------------------------------------------------------
    @property
    def incremental(self) -> bool:
        """Whether this run consults the archive (``CSTO_INCREMENTAL``; ``-a urls`` never does)."""
        settings = getattr(self, "settings", None)
        return bool(settings is not None and settings.getbool("CSTO_INCREMENTAL", True) and not self.urls)

    @property
    def archive_state(self) -> ArchiveState:
        """What the archive knows of this site, read once per run (empty when not incremental)."""
        if getattr(self, "_archive_state", None) is None:
            state = ArchiveState()
            if self.incremental and self.settings.get("CSTO_ARCHIVE_DB"):
                state = ArchiveState.load(self.settings.get("CSTO_ARCHIVE_DB"), self.name)
            self._archive_state = state
            self._refresh_now = datetime.now(UTC)  # the refresh policy's clock, not extraction's
            self._schedule = RecheckSchedule.parse(self.settings.get("CSTO_RECHECK_SCHEDULE", "*:never")) if self.incremental else None
            if len(state):
                self.logger.info("%s: the archive knows %d URL(s) of this site", self.name, len(state))
        return self._archive_state

    def refresh_decision(self, url: str) -> str:
        """``new``, ``recheck`` or ``skip`` for a discovered article URL."""
        state = self.archive_state
        if not self.incremental or not len(state):
            return "new"
        return state.decide(url, now=self._refresh_now, schedule=self._schedule)

    def recheck_requests(self) -> list[scrapy.Request]:
        """Conditional re-checks of the known articles due by the schedule, wherever they
        were discovered (those no feed or listing shows any more included)."""
        state = self.archive_state
        if not self.incremental or not len(state):
            return []
        due = [e for e in state.due(now=self._refresh_now, schedule=self._schedule) if self.is_article_url(e.url)]
        if due:
            self.logger.info("%s: %d known article(s) due for a re-check", self.name, len(due))
        return [self.recheck_request(entry.url) for entry in due]

    def all_known(self, entries: list[tuple[str, date | None]], response: Response) -> bool:
        """Whether every article link of a listing page is already in the archive."""
        if not self.incremental or not len(self.archive_state):
            return False
        links = [canonicalize(response.urljoin(u)) for u, _ in entries]
        links = [u for u in links if self.is_article_url(u)]
        return bool(links) and all(self.archive_state.knows(u) for u in links)

    # --- Callbacks --------------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any):
        """Route a response by what it is (``scrapy parse URL`` without ``-c`` lands here)."""
        if self.is_article_url(response.url):
            return self.parse_article(response)
        head = response.body[:512].lstrip()
        if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<urlset" in head or b"<sitemapindex" in head:
            if b"<urlset" in response.body[:2048] or b"<sitemapindex" in response.body[:2048]:
                return self.parse_sitemap(response)
            return self.parse_feed(response)
        return self.parse_listing(response)

    def entry_problem(self, response: Response) -> FetchRecord | None:
        """Like ``page_problem``, for a feed, sitemap or listing page; a missing one (404/410)
        is returned but not to be yielded: past the last listing page it is the normal end
        (DEBUG), else the entry point is stale and the site module or seeds need an update."""
        if response.status == 304:
            return FetchRecord(url=response.url, site=self.name, outcome="not_modified", http_status=304, detail="HTTP 304")
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        problem = check_page(response.status, headers, response.body)
        if problem is None:
            return None
        if problem.outcome != "gone":
            return self._record(response, problem.outcome, problem.detail)
        meta = _csto_meta(response)
        if int(meta.get("csto_page", self.first_page)) > self.first_page:
            self.logger.debug("Listing page %s: %s (past the last page)", response.url, problem.detail)
        else:
            self._count("csto/entry_points/gone")
            self.logger.warning(
                "%s entry point %s: %s; update the site module or seeds/entry_points.yml",
                self.name, response.url, problem.detail,
            )
        return FetchRecord(url=response.url, site=self.name, outcome="gone", http_status=response.status, detail=problem.detail)

    def parse_feed(self, response: Response, **kwargs: Any):
        """Article requests from an RSS or Atom feed."""
        problem = self.entry_problem(response)
        if problem:
            if problem.outcome not in ("gone", "not_modified"):
                yield problem
            return
        entries = self.feed_entries(response)
        self._count("csto/discovery/feed_entries", len(entries))
        self.logger.debug("Feed %s: %d entries", response.url, len(entries))
        if not entries:
            unreadable = self.unreadable_xml(response)
            if unreadable:
                yield unreadable
                return
        yield from self.article_requests(entries, response)

    def unreadable_xml(self, response: Response) -> FetchRecord | None:
        """An ``error`` record for a feed or sitemap lxml could not read to its end (broken or
        hostile XML: an entity bomb stops the parser), or None."""
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        errors = xml_errors(text) if text.strip() else ["empty body"]
        if not errors:
            return None
        return self._record(response, "error", f"HTTP {response.status}, unreadable XML: {errors[0].strip()}")

    def feed_entries(self, response: Response) -> list[tuple[str, date | None]]:
        """(link, date) of each RSS ``item`` / Atom ``entry``."""
        # parsed safely: no entity expansion, no external entities, lxml's size limits on
        selector = xml_selector(response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace"))
        selector.remove_namespaces()
        entries = []
        for item in selector.xpath("//item"):
            link = item.xpath("link/text()").get() or item.xpath("guid[not(@isPermaLink='false')]/text()").get()
            stamp = item.xpath("pubDate/text()").get() or item.xpath("date/text()").get()
            if link:
                entries.append((link.strip(), _feed_date(stamp)))
        for entry in selector.xpath("//entry"):
            link = entry.xpath("link[@rel='alternate' or not(@rel)]/@href").get()
            stamp = entry.xpath("published/text()").get() or entry.xpath("updated/text()").get()
            if link:
                entries.append((link.strip(), _feed_date(stamp)))
        return entries

    def parse_sitemap(self, response: Response, **kwargs: Any):
        """Article requests from a sitemap (an index is followed; robots.txt names sitemaps)."""
        problem = self.entry_problem(response)
        if problem:
            if problem.outcome not in ("gone", "not_modified"):
                yield problem
            return
        meta = _csto_meta(response)
        if response.url.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.text, base_url=response.url):
                yield self._entry_request(url, self.parse_sitemap, meta)
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # lxml raises several kinds on garbage
            self.logger.warning("Not a sitemap: %s (%s)", response.url, exc)
            return
        entries = [(e["loc"], _feed_date(e.get("lastmod"))) for e in sitemap if e.get("loc")]
        if not entries:
            unreadable = self.unreadable_xml(response)
            if unreadable:
                yield unreadable
                return
        if sitemap.type == "sitemapindex":
            for url, modified in entries:
                if self.since and modified and modified < self.since:
                    continue
                if on_site(url, self.allowed_domains):
                    yield self._entry_request(url, self.parse_sitemap, meta)
            return
        yield from self.article_requests(entries, response)

    def parse_listing(self, response: Response, **kwargs: Any):
        """Article requests from a listing page, then the next page while it is wanted."""
        problem = self.entry_problem(response)
        if problem:
            if problem.outcome not in ("gone", "not_modified"):
                yield problem
            return
        entries = self.listing_entries(response)
        self.logger.debug("Listing %s: %d entries", response.url, len(entries))
        yield from self.article_requests(entries, response)
        following = self.next_page(response, entries)
        if following is not None:
            yield following

    def listing_entries(self, response: Response) -> list[tuple[str, date | None]]:
        """(link, date) of each card of a listing page (``listing_*_selector``)."""
        cards = response.css(self.listing_item_selector) if self.listing_item_selector else [response]
        entries = []
        for card in cards:
            link = card.css(self.listing_link_selector).get()
            if not link:
                continue
            published = None
            if self.listing_date_selector:
                text = " ".join(t.strip() for t in card.css(self.listing_date_selector).getall() if t.strip())
                published = self.listing_date(text)
            entries.append((link.strip(), published))
        return entries

    def listing_date(self, text: str) -> date | None:
        """The date a listing card shows (``listing_date_formats``, else the rules' formats)."""
        if not text:
            return None
        formats = self.listing_date_formats or self.rules.date_formats
        # Only the calendar date matters here, so a zone-less time is read as UTC.
        parsed = parse_date(text, formats=formats, tz=self.rules.timezone or "UTC")
        if not parsed:
            return None
        return date.fromisoformat(parsed[:10])

    def next_page(self, response: Response, entries: list[tuple[str, date | None]]) -> scrapy.Request | None:
        """The next listing page, or None: no articles on this page, the page guard reached,
        or (with ``-a since``) every dated entry on this page older than ``since``."""
        meta = _csto_meta(response) or self.listing_context(response.url)
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
            pattern = re.escape(point.url).replace(re.escape("{page}"), r"(?P<page>\d+)").replace(re.escape("{query}"), r"(?P<query>[^&/]*)")
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

    def parse_article(self, response: Response, **kwargs: Any):
        """One article page: an ``ArticleItem``, or a ``FetchRecord`` when it is not one
        (``not_modified`` for a 304 answer to a conditional re-check)."""
        if response.status == 304:
            self._count("csto/pages/not_modified")
            self.logger.debug("Not modified: %s", response.url)
            yield self._fetch_record(response, "not_modified", "HTTP 304")
            return
        problem = self.page_problem(response)
        if problem:
            yield problem
            return
        if not isinstance(response, TextResponse):
            yield self._record(response, "error", f"not a text page ({response.headers.get('Content-Type', b'').decode('latin-1')})")
            return
        if not response.body.strip():
            yield self._record(response, "error", f"HTTP {response.status}, empty body")
            return
        yield self.article_item(response)

    def article_item(self, response: TextResponse) -> ArticleItem:
        """The ``ArticleItem`` of an article page, as the layered extraction reads it."""
        requested = self.requested_url(response)
        extraction = extract(
            response.body,
            response.url,
            self.rules_for(response.url),
            fetched_at=http_date(response.headers.get("Date")),
            encoding=response.encoding,
        )
        if not extraction.published_at:
            # never invented: the archive keeps no date rather than a guessed one
            self._count("csto/pages/no_date")
            self.logger.debug("%s %s: no publication date could be read from the page; published_at left empty",
                              self.name, response.url)
        return ArticleItem(
            url=requested,
            site=self.name,
            canonical_url=canonical_url(
                response.url,
                extraction.canonical_url,
                domains=self.allowed_domains,
                host_aliases=self.host_aliases,
                scheme=self.canonical_scheme,
            ),
            language=extraction.language or self.language_for(response.url),
            title=extraction.title,
            text=extraction.text,
            published_at=extraction.published_at,
            modified_at=extraction.modified_at,
            author=extraction.author,
            source_credit=extraction.source_credit,
            http_status=response.status,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            extraction=dict(extraction.sources or {}),
            capture_id=_csto_meta(response).get("csto_capture_id"),
        )

    # --- Pages that are not what was asked for -----------------------------------------------
    @staticmethod
    def requested_url(response: Response) -> str:
        """The URL as first requested (before any redirect), never a mirror URL."""
        redirects = response.request.meta.get("redirect_urls") if response.request is not None else None
        return redirects[0] if redirects else response.url

    def page_problem(self, response: Response) -> FetchRecord | None:
        """A ``FetchRecord`` when the response is a challenge, an error page or gone, else None."""
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        problem = check_page(response.status, headers, response.body)
        if problem is None:
            return None
        return self._record(response, problem.outcome, problem.detail)

    def _record(self, response: Response, outcome: str, detail: str) -> FetchRecord:
        url = self.requested_url(response)
        self._count(f"csto/pages/{outcome}")
        log = self.logger.info if outcome == "gone" else self.logger.warning
        log("%s %s: %s: %s", self.name, url, detail, self.advice.get(outcome) or _ADVICE[outcome])
        return self._fetch_record(response, outcome, detail)

    def _fetch_record(self, response: Response, outcome: str, detail: str) -> FetchRecord:
        return FetchRecord(
            url=self.requested_url(response),
            site=self.name,
            outcome=outcome,
            http_status=response.status,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            detail=detail,
            capture_id=_csto_meta(response).get("csto_capture_id"),
        )

    def fetch_failed(self, failure: Failure):
        """Errback: a request that got no usable response (network error, robots.txt, …)."""
        request = failure.request
        # the URL first asked for: a redirect the guards refused is the fetch of that URL
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        outcome, detail = failure_detail(failure.value, self.settings.getint("DOWNLOAD_MAXSIZE") if getattr(self, "settings", None) else 0)
        self._count(f"csto/pages/{outcome}")
        advice = (self.advice.get(outcome) or _ADVICE[outcome]) if outcome == "blocked" else _ADVICE["failed"]
        self.logger.warning("%s %s: %s: %s", self.name, url, detail, advice)
        yield FetchRecord(url=url, site=self.name, outcome=outcome, detail=detail)

    def _count(self, key: str, count: int = 1) -> None:
        if getattr(self, "crawler", None) is not None:
            self.crawler.stats.inc_value(key, count)


_MAXSIZE_RE = re.compile(r"larger than download max size \((\d+)\)|exceeded DOWNLOAD_MAXSIZE \((\d+) B\)")


def failure_detail(reason: BaseException, maxsize: int = 0) -> tuple[str, str]:
    """(outcome, detail) of a request that got no usable response, said plainly."""
    text = str(reason)
    if "robots.txt" in text:
        return "blocked", "forbidden by robots.txt"
    match = _MAXSIZE_RE.search(text)
    if match:
        limit = match.group(1) or match.group(2)
        how = "when decompressed" if match.group(2) else "announced or received"
        return "error", f"response larger than {limit} bytes ({how}; DOWNLOAD_MAXSIZE); dropped"
    if type(reason).__name__ in ("CancelledError", "DownloadCancelledError") and not text and maxsize:
        # Scrapy's HTTP handler cancels a body that grows past the limit without a message
        return "error", f"response larger than {maxsize} bytes (received; DOWNLOAD_MAXSIZE); dropped"
    if isinstance(reason, IgnoreRequest) and text:
        return "error", text
    return "error", f"{type(reason).__name__}: {text}" if text else type(reason).__name__


def _csto_meta(response: Response) -> dict:
    """The request's ``csto_*`` meta keys (none for a response built without a request)."""
    if response.request is None:
        return {}
    return {k: v for k, v in response.request.meta.items() if k.startswith("csto_")}


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
