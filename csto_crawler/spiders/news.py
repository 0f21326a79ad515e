"""``news``: the generic, configuration-driven spider for the long tail of regional news sites.

A regional site without special needs is a few lines of YAML in ``seeds/news_sites.yml`` (the
file ``NEWS_SITES_FILE`` in the ``CSTO_SEEDS_DIR`` folder), keyed by the site's slug::

    paruskg:
      name: Белый парус (paruskg.info)
      home: https://paruskg.info/
      languages: [ru]
      article_patterns: ['^/[a-z_]+/\\d+-[^/]+\\.html$']
      feeds: [https://paruskg.info/rss.xml]          # a list: the site's only language
      search:
        ru: ['https://paruskg.info/index.php?do=search&subaction=search&story={query}']
      search_terms: {ru: [ОДКБ]}
      selectors: {content: 'div[id^=news-id-]', title: h1.title, date: .story-info .date}
      date_formats: ['%d-%m-%Y, %H:%M']
      timezone: Asia/Bishkek

Keys (``name``, ``home``, ``languages`` and ``article_patterns`` are required, plus at least one
of ``feeds``, ``sitemaps``, ``listings``, ``search``):

* ``name``, ``home``: the site's name and home page (the archive's ``sites`` row);
  ``kind``: ``news`` (default), ``official`` or ``csto``; ``evidence``: free text, where the
  knowledge comes from ([E] evidenced, [G] guessed);
* ``languages``: ISO 639-1 codes; ``editions``: ``{language: URL prefix or [prefixes]}`` tells
  a multilingual site's editions apart (a one-language site needs none);
* ``domains``: the site's domains (default: the home page's host without ``www.``);
  ``host_aliases``: ``{alias host: canonical host}``;
* ``feeds``, ``sitemaps``, ``listings``, ``search``: entry points as in ``NewsSpider``, a
  mapping ``{language: [URL, …]}`` or, for a one-language site, a plain list; ``{page}`` in a
  listing or search URL pages through it (from ``first_page``), ``{query}`` in a search URL is
  filled with each of ``search_terms[language]``; ``max_pages`` caps a normal crawl's paging;
* ``article_patterns``: regular expressions searched in an article URL's path (plus ``?query``);
* ``listing``: how listing and search pages read: ``item`` (a card's CSS selector), ``link``
  (default ``a::attr(href)``), ``date`` and ``date_formats`` (the card's date), ``next`` (the
  next page's ``href`` when the URL has no ``{page}``);
* ``selectors``: ``content``, ``title``, ``date``, ``modified``, ``author`` (CSS) and ``drop``
  (a list of CSS selectors removed first); ``date_formats`` (``strptime``, localized month
  names understood); ``timezone`` (IANA) of dates printed without an offset; ``furniture``:
  regular expressions of whole text lines that are the site's furniture.

Every entry becomes a ``ConfiguredSite`` class: a ``NewsSpider`` declared by data, so the
configured site is crawled, tested and registered (``csto_crawler.sites.site_classes``)
exactly like a site module, under its own slug. The ``news`` spider runs them in one crawl:

* ``scrapy crawl news``: every configured site; ``-a sites=paruskg,vov_vn``: only those;
* ``-a urls=URL[,URL…]``: exactly those article URLs, each under its configured site's slug or,
  for a host no site declares, under a slug made from the host name (``www.example-news.kz`` →
  ``example_news_kz``) with generic extraction; a URL of a site that has its own module is
  refused with the command to use instead;
* ``-a since=YYYY-MM-DD`` and ``-a lang=ru,vi`` as for every site.

A malformed file or entry stops the crawl with a ``ConfigError`` naming the file, the entry and
the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import scrapy
import yaml

from csto_crawler import sites as registry
from csto_crawler.config import ConfigError
from csto_crawler.entrypoints import ENTRY_KINDS
from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider, SpiderArgumentError
from csto_crawler.urls import host_of, on_site

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

#: The configuration file's name inside ``CSTO_SEEDS_DIR``.
NEWS_SITES_FILE = "news_sites.yml"

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_KINDS = ("news", "official", "csto")
_REQUIRED = ("name", "home", "languages", "article_patterns")
_KEYS = frozenset(
    {
        *_REQUIRED, *ENTRY_KINDS, "kind", "evidence", "editions", "domains", "host_aliases",
        "search_terms", "first_page", "max_pages", "listing", "selectors", "date_formats",
        "timezone", "furniture",
    }
)
_LISTING_KEYS = {"item": "listing_item_selector", "link": "listing_link_selector",
                 "date": "listing_date_selector", "next": "next_page_selector"}
_SELECTOR_KEYS = {"content": "content_selector", "title": "title_selector", "date": "date_selector",
                  "modified": "modified_selector", "author": "author_selector"}


class ConfiguredSite(NewsSpider):
    """A site declared in ``news_sites.yml``; ``load_sites`` makes one subclass per entry."""

    #: ``{language: (URL prefix, …)}``: which URLs belong to which edition.
    editions: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Where the entry comes from (``path: slug``), for messages.
    source: ClassVar[str] = ""
    #: The entry's ``evidence`` text.
    evidence: ClassVar[str] = ""

    def language_for(self, url: str) -> str | None:
        """The edition whose URL prefix is the longest match; a one-language site's language."""
        if len(self.languages) == 1:
            return self.languages[0]
        bare = url.split("://", 1)[-1]
        best: tuple[int, str] | None = None
        for language, prefixes in self.editions.items():
            for prefix in prefixes:
                stem = prefix.split("://", 1)[-1]
                if bare.startswith(stem) and (best is None or len(stem) > best[0]):
                    best = (len(stem), language)
        return best[1] if best else None


# --- Configuration ------------------------------------------------------------------------------
def sites_file(seeds_dir: str | Path) -> Path:
    """The configuration file in a seeds folder."""
    return Path(seeds_dir) / NEWS_SITES_FILE


def load_sites(path: str | Path) -> dict[str, type[ConfiguredSite]]:
    """One ``ConfiguredSite`` class per entry of the file, by slug (empty when there is no file).

    Raises ``ConfigError`` naming the file, the entry and the key when anything is malformed.
    """
    path = Path(path)
    if not path.is_file():
        return {}
    return dict(_load_sites(str(path.resolve()), path.stat().st_mtime_ns))


@lru_cache(maxsize=8)
def _load_sites(path: str, _mtime: int) -> tuple[tuple[str, type[ConfiguredSite]], ...]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the news site configuration: {exc}") from exc
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of site slugs to entries, got {type(data).__name__}")
    return tuple((str(slug), _site_class(str(slug), entry, path)) for slug, entry in data.items())


def _site_class(slug: str, entry: Any, path: str) -> type[ConfiguredSite]:
    where = f"{path}: {slug}"

    def fail(key: str | None, problem: str) -> ConfigError:
        return ConfigError(f"{where}{'.' + key if key else ''}: {problem}")

    if not _SLUG.match(slug):
        raise fail(None, "a slug is snake_case ASCII starting with a letter (it names the site everywhere)")
    if not isinstance(entry, dict):
        raise fail(None, "expected a mapping of keys (name, home, languages, article_patterns, feeds …)")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise fail(None, f"unknown key(s) {unknown}; known: {', '.join(sorted(_KEYS))}")
    missing = [k for k in _REQUIRED if not entry.get(k)]
    if missing:
        raise fail(None, f"missing required key(s) {missing}")

    name = _text(entry["name"], fail, "name")
    home = _url(entry["home"], fail, "home")
    languages = _list(entry["languages"], fail, "languages")
    bad = [x for x in languages if not _LANGUAGE.match(x)]
    if bad:
        raise fail("languages", f"{bad} are not ISO 639-1 codes")
    kind = entry.get("kind", "news")
    if kind not in _KINDS:
        raise fail("kind", f"{kind!r} is not one of {', '.join(_KINDS)}")
    domains = _list(entry.get("domains") or [_bare_host(home)], fail, "domains")
    if not on_site(home, domains):
        raise fail("home", f"{home} is not on the site's domains {domains}")

    attrs: dict[str, Any] = {
        "name": slug,
        "site_name": name,
        "home_url": home,
        "kind": kind,
        "allowed_domains": domains,
        "languages": tuple(languages),
        "source": where,
        "evidence": str(entry.get("evidence") or ""),
        "__module__": __name__,
        "__doc__": f"{name}: configured in {where}.",
    }
    for kind_key in ENTRY_KINDS:
        attrs[kind_key] = _by_language(entry.get(kind_key), languages, fail, kind_key, urls=True)
    if not any(attrs[k] for k in ENTRY_KINDS):
        raise fail(None, f"declare at least one entry point ({', '.join(ENTRY_KINDS)})")
    attrs["search_terms"] = _by_language(entry.get("search_terms"), languages, fail, "search_terms")
    for language, urls in attrs["search"].items():
        if any("{query}" in u for u in urls) and not attrs["search_terms"].get(language):
            raise fail("search_terms", f"a search URL of the {language} edition has {{query}} but no terms are given")
    attrs["editions"] = _by_language(entry.get("editions"), languages, fail, "editions", urls=True)
    if len(languages) > 1:
        no_prefix = [x for x in languages if not attrs["editions"].get(x)]
        if no_prefix:
            raise fail("editions", f"a multilingual site needs a URL prefix for each edition; missing {no_prefix}")

    patterns = _list(entry["article_patterns"], fail, "article_patterns")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail("article_patterns", f"{pattern!r} is not a regular expression: {exc}") from None
    attrs["article_patterns"] = tuple(patterns)

    for key in ("first_page", "max_pages"):
        if entry.get(key) is not None:
            if not isinstance(entry[key], int) or entry[key] < 0:
                raise fail(key, "expected a whole number")
            attrs[key] = entry[key]
    aliases = entry.get("host_aliases") or {}
    if not isinstance(aliases, dict):
        raise fail("host_aliases", "expected a mapping {alias host: canonical host}")
    attrs["host_aliases"] = {str(k).lower(): str(v).lower() for k, v in aliases.items()}

    listing = entry.get("listing") or {}
    if not isinstance(listing, dict) or set(listing) - {*_LISTING_KEYS, "date_formats"}:
        raise fail("listing", f"expected a mapping with {', '.join([*_LISTING_KEYS, 'date_formats'])}")
    for key, attr in _LISTING_KEYS.items():
        if listing.get(key):
            attrs[attr] = _text(listing[key], fail, f"listing.{key}")
    if listing.get("date_formats"):
        attrs["listing_date_formats"] = tuple(_formats(listing["date_formats"], fail, "listing.date_formats"))

    attrs["rules"] = _rules(entry, languages, fail)
    return type(_class_name(slug), (ConfiguredSite,), attrs)


def _rules(entry: dict, languages: list[str], fail) -> SiteRules:
    selectors = entry.get("selectors") or {}
    if not isinstance(selectors, dict) or set(selectors) - {*_SELECTOR_KEYS, "drop"}:
        raise fail("selectors", f"expected a mapping with {', '.join([*_SELECTOR_KEYS, 'drop'])}")
    fields: dict[str, Any] = {attr: _text(selectors[key], fail, f"selectors.{key}")
                              for key, attr in _SELECTOR_KEYS.items() if selectors.get(key)}
    fields["drop_selectors"] = tuple(_list(selectors.get("drop") or [], fail, "selectors.drop"))
    fields["date_formats"] = tuple(_formats(entry.get("date_formats") or [], fail, "date_formats"))
    timezone = entry.get("timezone")
    if timezone:
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise fail("timezone", f"{timezone!r} is not an IANA time zone (e.g. Asia/Bishkek)") from None
        fields["timezone"] = str(timezone)
    furniture = _list(entry.get("furniture") or [], fail, "furniture")
    for pattern in furniture:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail("furniture", f"{pattern!r} is not a regular expression: {exc}") from None
    fields["furniture"] = tuple(furniture)
    if len(languages) == 1:
        fields["language"] = languages[0]
    return SiteRules(**fields)


def _text(value: Any, fail, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(key, f"expected a non-empty string, got {value!r}")
    return value.strip()


def _url(value: Any, fail, key: str) -> str:
    url = _text(value, fail, key)
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise fail(key, f"{url!r} is not an http(s) URL")
    return url


def _list(value: Any, fail, key: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
        raise fail(key, f"expected a list of strings, got {value!r}")
    return [x.strip() for x in items]


def _formats(value: Any, fail, key: str) -> list[str]:
    formats = _list(value, fail, key)
    bad = [f for f in formats if "%" not in f]
    if bad:
        raise fail(key, f"{bad} are not strptime formats (e.g. '%d-%m-%Y, %H:%M')")
    return formats


def _by_language(value: Any, languages: list[str], fail, key: str, urls: bool = False) -> dict[str, tuple[str, ...]]:
    """``{language: (value, …)}`` from a mapping, or from a plain list on a one-language site."""
    if not value:
        return {}
    if isinstance(value, list | str):
        if len(languages) != 1:
            raise fail(key, f"a multilingual site maps each language to its list: {{{languages[0]}: [...]}}")
        value = {languages[0]: value}
    if not isinstance(value, dict):
        raise fail(key, "expected a mapping {language: [...]}")
    result = {}
    for language, items in value.items():
        if str(language) not in languages:
            raise fail(key, f"language {language!r} is not one of the site's languages {languages}")
        items = _list(items, fail, f"{key}.{language}")
        if urls:
            items = [_url(u, fail, f"{key}.{language}") for u in items]
        result[str(language)] = tuple(items)
    return result


# --- Hosts no entry declares ---------------------------------------------------------------------
def _class_name(slug: str) -> str:
    return "".join(part.title() for part in slug.split("_")) + "Site"


def _strip_www(host: str) -> str:
    host = host.lower().strip(".")
    return host[4:] if host.startswith("www.") else host


def _bare_host(url: str) -> str:
    return _strip_www(host_of(url))


def host_slug(host: str) -> str:
    """The slug of a site known only by its host: ``www.example-news.kz`` → ``example_news_kz``."""
    slug = re.sub(r"[^a-z0-9]+", "_", _strip_www(host)).strip("_")
    return slug if slug[:1].isalpha() else f"site_{slug}"


def host_site(url: str) -> type[ConfiguredSite]:
    """A ``ConfiguredSite`` for the host of an article URL no entry declares: generic extraction."""
    parts = urlsplit(url)
    host, domain = (parts.hostname or "").lower(), _bare_host(url)
    slug = host_slug(host)
    return type(
        _class_name(slug),
        (ConfiguredSite,),
        {
            "name": slug,
            "site_name": domain,
            "home_url": f"{parts.scheme}://{host}/",
            "allowed_domains": [domain],
            "article_patterns": (r".",),
            "source": f"the host of {url}",
            "__module__": __name__,
        },
    )


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

    def setup(self, crawler) -> None:
        """Build one site spider per selected site (or per host of ``-a urls``), bound to ``crawler``."""
        configured = registry.configured_sites(crawler.settings, type(self))
        modules = registry.site_modules()
        wanted = self._args["sites"]
        unknown = [s for s in wanted if s not in configured]
        if unknown:
            raise SpiderArgumentError(f"news: -a sites: unknown site(s) {unknown}; configured: {', '.join(sorted(configured)) or 'none'}")
        chosen = {slug: cls for slug, cls in configured.items() if not wanted or slug in wanted}
        plan: dict[str, tuple[type[NewsSpider], dict]] = {}
        if self._args["urls"]:
            for url in self._args["urls"]:
                cls = self._site_of(url, configured, modules)
                plan.setdefault(cls.name, (cls, {"urls": []}))[1]["urls"].append(url)
        else:
            plan = {slug: (cls, {}) for slug, cls in chosen.items()}
        langs = self._args["lang"]
        if langs:
            offered = {x for cls, _ in plan.values() for x in cls.languages}
            unknown = [x for x in langs if x not in offered]
            if unknown:
                raise SpiderArgumentError(f"news: -a lang: no selected site has the language edition(s) {unknown}; they have {sorted(offered)}")
        for slug, (cls, kwargs) in plan.items():
            if langs and cls.languages:
                mine = [x for x in langs if x in cls.languages]
                if not mine:
                    continue
                kwargs["lang"] = mine
            self.sites[slug] = cls.from_crawler(crawler, since=self._args["since"], **kwargs)
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
