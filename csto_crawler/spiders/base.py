"""``NewsSpider``: the shared flow every site spider reuses.

A site module subclasses it and declares data (class attributes): slug, domains, languages,
entry points per language (feeds, sitemaps, listings, search), article URL patterns, listing
selectors and extraction rules. The flow:

1. ``start`` yields the entry points (the module's plus ``seeds/entry_points.yml``), or with
   ``-a urls=…`` exactly those article URLs;
2. discovery (``csto_crawler.discovery``: the ``DiscoveryFlow`` mixin over plain page
   readers) turns each entry page into article requests (``article_requests``), following
   only URLs on the site's domains that match ``article_patterns``; listings page on, robots.txt
   ``Sitemap:`` lines are followed, and when the configured entry points give nothing the home
   page and its sections are tried (``docs/spiders.md``, "Discovery");
3. ``parse_article`` checks the page is one (not a bot challenge, error page or removed page:
   ``csto_crawler.pagecheck``), extracts it with the layered extraction and yields an
   ``ArticleItem``; a page that is not an article yields a ``FetchRecord``.

A site with an unusual shape overrides one method (``parse_listing``, ``listing_entries``,
``feed_entries``, ``article_requests``, ``next_page``, ``entry_refused`` …), not the whole flow.

Spider arguments every site supports: ``-a urls=URL[,URL…]``, ``-a since=YYYY-MM-DD``,
``-a lang=ru,en`` (``csto_crawler.spiderargs``). A bad argument stops the crawl with one line
saying what is wrong (exit status 2).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from csto_crawler.discovery.flow import DiscoveryFlow, csto_meta
from csto_crawler.discovery.report import EntryReport
from csto_crawler.extract import extract
from csto_crawler.extract.rules import SiteRules
from csto_crawler.extraction_pool import (
    ExtractionError,
    ExtractionPool,
    ExtractionTimeout,
    await_future,
    pool_for,
)
from csto_crawler.fetchlog import PageRecords, capture_id_of, failure_detail
from csto_crawler.httpdate import parse_http_date as http_date
from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.pagecheck import PageProblem
from csto_crawler.refresh import IncrementalRefresh
from csto_crawler.spiderargs import SpiderArgumentError, SpiderArguments
from csto_crawler.urls import canonical_url, canonicalize, on_site

if TYPE_CHECKING:
    from csto_crawler.extract import Extraction

__all__ = ["NewsSpider", "SpiderArgumentError", "failure_detail", "http_date"]


class NewsSpider(DiscoveryFlow, IncrementalRefresh, PageRecords, scrapy.Spider):
    """Base class of every site spider: declarations (class attributes) plus the flow."""

    #: The site slug: spider name, module name, fixture folder, ``site`` column.
    name: ClassVar[str]
    #: Human-readable site name, stored in ``sites.name``.
    site_name: ClassVar[str] = ""
    #: The site's home page (also the first fallback of discovery).
    home_url: ClassVar[str] = ""
    #: The site's category, stored in ``sites.kind``: ``official`` (state bodies), ``csto``
    #: (the organisation) or ``news`` (press). ``kind`` is its older name, kept in step; in
    #: the spider and discovery code "kind" is what a request fetches (``csto_kind``).
    category: ClassVar[str] = "news"
    kind: ClassVar[str] = "news"
    #: Domains of the site (all editions); requests elsewhere are never made.
    allowed_domains: ClassVar[list[str]] = []
    #: ISO 639-1 codes of the language editions.
    languages: ClassVar[tuple[str, ...]] = ()
    #: Extraction rules of the site's article pages.
    rules: ClassVar[SiteRules] = SiteRules()
    #: Alias hosts of the same documents: ``{"mirror.example.kz": "www.example.kz"}``.
    host_aliases: ClassVar[Mapping[str, str]] = {}
    #: The scheme canonical URLs use (None: keep the fetched URL's).
    canonical_scheme: ClassVar[str | None] = None
    #: Statuses handed to the callbacks (recorded as gone/blocked/error, and on an entry page
    #: handed to ``entry_refused`` and the fallbacks) instead of only to the errback.
    handle_httpstatus_list: ClassVar[list[int]] = [304, *range(400, 452), *range(500, 512)]
    #: Site-specific advice per outcome (``blocked``, ``error``, ``gone``) for the log line of a
    #: page that was not archived, replacing the generic advice.
    advice: ClassVar[Mapping[str, str]] = {}
    #: The refresh policy's clock (never the extraction's); a test replaces it.
    clock: ClassVar[Callable[[], datetime]] = staticmethod(lambda: datetime.now(UTC))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in vars(cls) and "category" not in vars(cls):
            cls.category = cls.kind
        cls.kind = cls.category

    def __init__(self, *args: Any, urls: str | Sequence[str] | None = None, since: str | date | None = None,
                 lang: str | Sequence[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        checked = self.check_arguments(urls=urls, since=since, lang=lang)
        self.langs, self.since, self.urls = checked.langs, checked.since, checked.urls
        self._patterns = tuple(re.compile(p) for p in self.article_patterns)
        self.report = EntryReport(self.name)
        self._robots_hosts: set[str] = set()
        self._fell_back = False

    @classmethod
    def check_arguments(cls, settings=None, **arguments: Any) -> SpiderArguments:
        """The checked ``-a`` arguments (``SpiderArgumentError`` when one is bad); ``scrapy
        crawl`` calls it before the crawl starts. Other arguments are the spider's own."""
        known = {k: arguments.get(k) for k in ("urls", "since", "lang")}
        return SpiderArguments.parse(getattr(cls, "name", cls.__name__), cls.languages,
                                     cls.allowed_domains, **known)

    def _set_crawler(self, crawler) -> None:
        super()._set_crawler(crawler)
        self.report.crawler = crawler
        self.connect_discovery(crawler)

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
    async def start(self):
        """Entry point requests, or exactly the ``-a urls`` articles."""
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> list[scrapy.Request]:
        """The first requests of a run (``start`` yields them; tests call this directly)."""
        if self.urls:
            self.logger.info("Fetching %d article URL(s) given with -a urls", len(self.urls))
            return [self.article_request(url, dont_filter=True) for url in self.urls]
        requests = self.opening_requests()
        for url in self._seed_entries().urls:
            language = self.language_for(url)
            if language is None or language in self.langs:
                requests.extend(self.article_requests([(url, None)], None))
        requests.extend(self.recheck_requests())
        if not requests:
            self.logger.warning("%s has no entry points for language(s) %s", self.name, ",".join(self.langs))
        return requests

    # --- Articles ---------------------------------------------------------------------------
    def article_request(self, url: str, *, kind: str = "article", **kwargs: Any) -> scrapy.Request:
        """The request for one article page (``kind``: ``article`` or ``recheck``)."""
        meta = dict(kwargs.pop("meta", None) or {}, csto_kind=kind)
        return scrapy.Request(url, callback=self.parse_article, errback=self.fetch_failed, meta=meta, **kwargs)

    def article_requests(self, links: Iterable[tuple[str, date | None]], response: Response | None) -> Iterator[scrapy.Request]:
        """Requests for the article links of an entry page (tracking parameters dropped,
        non-articles and, with ``-a since``, older articles skipped). What the archive knows
        decides the rest (``csto_crawler.refresh``): a new URL is fetched, a known one only when
        it is due for a re-check (conditionally), an irrelevant one never again. Each link is
        counted in the report under its entry point."""
        entry = (csto_meta(response).get("csto_entry") or response.url) if response is not None else None
        for url, published in links:
            absolute = canonicalize(response.urljoin(url) if response is not None else url)
            if not self.is_article_url(absolute):
                self.logger.debug("Not an article URL of %s: %s", self.name, absolute)
                continue
            if self.since and published and published < self.since:
                continue
            decision = self.refresh_decision(absolute)
            if entry is not None:
                self.report.counted(entry, new=decision == "new")
            if decision == "new":
                yield self.article_request(absolute)
            elif decision == "recheck":
                yield self.recheck_request(absolute)
            else:
                self._count("csto/refresh/skipped_known")

    def parse_article(self, response: Response, **kwargs: Any):
        """One article page: an ``ArticleItem``, or a ``FetchRecord`` when it is not one
        (``not_modified`` for a 304 answer to a conditional re-check).

        In a running crawl the extraction runs in the worker processes of
        ``csto_crawler.extraction_pool`` (never on the reactor thread) and this returns a
        coroutine Scrapy awaits; a page over ``CSTO_EXTRACT_TIMEOUT`` becomes an ``error``
        record ("extraction timeout"), fetched again on the next run. Outside a crawl (tests,
        ``csto fixtures``) or with ``CSTO_EXTRACT_WORKERS = 0`` it extracts inline and returns
        the list of results."""
        # a 304 has nothing to extract: decided before asking for the pool, which would start it
        pool = None if response.status == 304 else pool_for(getattr(self, "crawler", None))
        record = self._not_an_article(response, check_page=pool is None)
        if record is not None:
            return [record]
        if pool is None:
            return [self.article_item(response)]
        return self._article_from_pool(response, pool)

    def _not_an_article(self, response: Response, check_page: bool = True) -> FetchRecord | None:
        """A record when the response is no article page. ``check_page=False``: the page check
        (``pagecheck.check``) is left to the extraction worker, except for a response that is no
        text page or is empty."""
        if response.status == 304:
            self._count("csto/pages/not_modified")
            self.logger.debug("Not modified: %s", response.url)
            return self._fetch_record(response, "not_modified", "HTTP 304")
        if check_page or not isinstance(response, TextResponse) or not response.body.strip():
            problem = self.page_problem(response)
            if problem:
                return problem
        if not isinstance(response, TextResponse):
            return self._record(response, "error", f"not a text page ({response.headers.get('Content-Type', b'').decode('latin-1')})")
        if not response.body.strip():
            return self._record(response, "error", f"HTTP {response.status}, empty body")
        return None

    async def _article_from_pool(self, response: TextResponse, pool: ExtractionPool) -> list:
        args, kwargs = self.extraction_call(response)
        kwargs.update(status=response.status, headers=self.headers_of(response))
        try:
            extraction = await await_future(pool.submit(*args, **kwargs))
        except ExtractionTimeout as exc:
            self._count("csto/pages/extraction_timeout")
            self.logger.warning("%s %s: extraction timeout (%s, CSTO_EXTRACT_TIMEOUT); nothing was archived, "
                                "the page is tried again on the next run", self.name, response.url, exc)
            return [self._fetch_record(response, "error", f"extraction timeout ({exc}, CSTO_EXTRACT_TIMEOUT)")]
        except ExtractionError as exc:
            self._count("csto/pages/extraction_failed")
            self.logger.error("%s %s: extraction failed: %s", self.name, response.url, exc)
            return [self._fetch_record(response, "error", f"extraction failed: {exc}")]
        if isinstance(extraction, PageProblem):
            return [self._record(response, extraction.outcome, extraction.detail)]
        return [self.article_item(response, extraction)]

    def extraction_call(self, response: TextResponse) -> tuple[tuple, dict]:
        """The arguments of ``extract()`` for an article page (picklable, for the pool)."""
        return ((response.body, response.url, self.rules_for(response.url)),
                {"fetched_at": http_date(response.headers.get("Date")), "encoding": response.encoding})

    def article_item(self, response: TextResponse, extraction: Extraction | None = None) -> ArticleItem:
        """The ``ArticleItem`` of an article page, as the layered extraction reads it (given, or
        extracted here). The one mapping from an ``Extraction`` to the item: ``csto extract
        --json`` prints what this returns."""
        requested = self.requested_url(response)
        if extraction is None:
            args, kwargs = self.extraction_call(response)
            extraction = extract(*args, **kwargs)
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
            capture_id=capture_id_of(response),
        )


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
