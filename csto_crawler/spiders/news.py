"""``news``: the generic, configuration-driven spider for the long tail of regional news sites.

A regional site without special needs is a few lines of YAML in ``seeds/news_sites.yml``
(``csto_crawler.siteconfig`` reads it and documents the keys). Every entry becomes a
``ConfiguredSite`` class: a ``NewsSpider`` declared by data, so the configured site is crawled,
tested and registered (``csto_crawler.sites.site_classes``) exactly like a site module, under
its own slug. The ``news`` spider runs them in one crawl:

* ``scrapy crawl news``: every configured site; ``-a sites=paruskg,vov_vn``: only those;
* ``-a urls=URL[,URL…]``: exactly those article URLs, each under its configured site's slug or,
  for a host no site declares, under a slug made from the host name (``www.example-news.kz`` →
  ``example_news_kz``) with generic extraction; a URL of a site that has its own module is
  refused with the command to use instead;
* ``-a since=YYYY-MM-DD`` and ``-a lang=ru,vi`` as for every site.

Each site keeps its own discovery (entry points, fallbacks, the per-entry-point report in the
stats under its slug) exactly as if it ran alone.

A malformed file or entry stops the crawl with a ``ConfigError`` naming the file, the entry and
the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import scrapy

from csto_crawler import sites as registry
from csto_crawler.siteconfig import (
    NEWS_SITES_FILE,
    ConfigError,
    ConfiguredSite,
    host_site,
    host_slug,
    load_sites,
    sites_file,
)
from csto_crawler.spiders.base import NewsSpider, SpiderArgumentError
from csto_crawler.urls import on_site

__all__ = [
    "NEWS_SITES_FILE",
    "ConfigError",
    "ConfiguredSite",
    "GenericNewsSpider",
    "host_site",
    "host_slug",
    "load_sites",
    "sites_file",
]


# --- The spider ---------------------------------------------------------------------------------
class GenericNewsSpider(scrapy.Spider):
    """Crawls the configured regional sites (or given article URLs) with generic extraction.

    Each site runs as its own ``ConfiguredSite`` instance bound to this crawler: its requests,
    callbacks, items and log lines are that site's, under its slug.
    """

    name = "news"
    #: Tells the registry (``csto_crawler.sites``) to list ``configured_sites`` instead of this.
    dispatcher = True
    #: Middlewares read this from the crawler's spider: the sites' callbacks record these pages.
    handle_httpstatus_list = NewsSpider.handle_httpstatus_list

    def __init__(
        self,
        *args: Any,
        sites: str | Sequence[str] | None = None,
        urls: str | Sequence[str] | None = None,
        since: str | None = None,
        lang: str | Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._args = {"sites": _split(sites), "urls": _split(urls), "since": since, "lang": _split(lang)}
        self.sites: dict[str, NewsSpider] = {}
        self.allowed_domains: list[str] = []

    @classmethod
    def configured_sites(cls, settings) -> dict[str, type[ConfiguredSite]]:
        """The sites of the configuration file ``settings`` point to, by slug."""
        return load_sites(sites_file(settings.get("CSTO_SEEDS_DIR")))

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider.setup(crawler)
        except (SpiderArgumentError, ConfigError) as exc:
            # One clean line before Scrapy's traceback, which buries the message.
            spider.logger.error("%s: %s", "Bad spider argument" if isinstance(exc, SpiderArgumentError) else "Bad configuration", exc)
            raise
        return spider

    @classmethod
    def check_arguments(cls, settings, **arguments: Any) -> dict[str, tuple[type[NewsSpider], dict]]:
        """The run's plan, ``{slug: (site class, its arguments)}``, every argument checked
        (``SpiderArgumentError``, or ``ConfigError`` for a bad configuration); ``scrapy crawl``
        calls it before the crawl starts."""
        args = {"sites": _split(arguments.get("sites")), "urls": _split(arguments.get("urls")),
                "since": arguments.get("since"), "lang": _split(arguments.get("lang"))}
        plan = cls._plan(settings, args)
        for site, kwargs in plan.values():
            site.check_arguments(settings, since=args["since"], **kwargs)
        return plan

    @classmethod
    def _plan(cls, settings, args: dict) -> dict[str, tuple[type[NewsSpider], dict]]:
        configured = registry.configured_sites(settings, cls)
        modules = registry.site_modules()
        wanted = args["sites"]
        unknown = [s for s in wanted if s not in configured]
        if unknown:
            raise SpiderArgumentError(f"news: -a sites: unknown site(s) {unknown}; configured: {', '.join(sorted(configured)) or 'none'}")
        plan: dict[str, tuple[type[NewsSpider], dict]] = {}
        if args["urls"]:
            for url in args["urls"]:
                site = cls._site_of(url, configured, modules)
                plan.setdefault(site.name, (site, {"urls": []}))[1]["urls"].append(url)
        else:
            plan = {slug: (site, {}) for slug, site in configured.items() if not wanted or slug in wanted}
        langs = args["lang"]
        if langs:
            offered = {x for site, _ in plan.values() for x in site.languages}
            unknown = [x for x in langs if x not in offered]
            if unknown:
                raise SpiderArgumentError(f"news: -a lang: no selected site has the language edition(s) {unknown}; they have {sorted(offered)}")
            for slug, (site, kwargs) in list(plan.items()):
                mine = [x for x in langs if x in site.languages]
                if site.languages and not mine:
                    del plan[slug]
                elif site.languages:
                    kwargs["lang"] = mine
        return plan

    def setup(self, crawler) -> None:
        """Build one site spider per selected site (or per host of ``-a urls``), bound to ``crawler``."""
        for slug, (site, kwargs) in self._plan(crawler.settings, self._args).items():
            self.sites[slug] = site.from_crawler(crawler, since=self._args["since"], **kwargs)
        self.allowed_domains = sorted({d for site in self.sites.values() for d in site.allowed_domains})
        self.logger.info("news: %d site(s): %s", len(self.sites), ", ".join(self.sites) or "none")

    @staticmethod
    def _site_of(url: str, configured: dict[str, type], modules: dict[str, type]) -> type[NewsSpider]:
        """The configured site of an ``-a urls`` URL, else a site named after its host."""
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise SpiderArgumentError(f"news: -a urls: {url!r} is not an http(s) URL")
        for cls in configured.values():
            if on_site(url, cls.allowed_domains):
                return cls
        for slug, cls in modules.items():
            if on_site(url, getattr(cls, "allowed_domains", ()) or ()):
                raise SpiderArgumentError(f"news: -a urls: {url} belongs to the {slug} spider; run: scrapy crawl {slug} -a urls={url}")
        return host_site(url)

    async def start(self):
        """Every site's first requests (its entry points, or its ``-a urls``)."""
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> list[scrapy.Request]:
        """The first requests of every site of this run (``start`` yields them)."""
        return [request for site in self.sites.values() for request in site.start_requests_list()]

    def site_for(self, url: str) -> NewsSpider:
        """The site spider a URL belongs to (ValueError when none of this run's sites)."""
        for site in self.sites.values():
            if on_site(url, site.allowed_domains):
                return site
        raise ValueError(f"news: {url} is not on any site of this run ({', '.join(self.sites)})")

    def parse(self, response, **kwargs: Any):
        """Route a response to its site (``scrapy parse --spider=news URL``)."""
        return self.site_for(response.url).parse(response, **kwargs)

    def parse_article(self, response, **kwargs: Any):
        """An article page, read by its site (``scrapy parse --spider=news -c parse_article URL``)."""
        return self.site_for(response.url).parse_article(response, **kwargs)

    def archive_sites(self) -> list[NewsSpider]:
        """The sites of this run, for the archive's ``sites`` table (one row each)."""
        return list(self.sites.values())


def _split(value: str | Sequence[str] | None) -> list[str]:
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [x.strip() for x in items if x and x.strip()]
