"""Parsing a stored response again, exactly as the crawl parses a fetched one.

``parser_for(url)`` is the spider of the site that owns the URL (``csto_crawler.sites``: the
site's rules, language editions, article patterns), or, for a host no site module covers, a
generic spider named after the host (no site rules: page metadata and generic extraction).
``parse_stored`` runs the spider's own ``parse_article`` (page checks, layered extraction) on
the Scrapy response rebuilt from a capture.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from urllib.parse import urlsplit

from csto_crawler import PROJECT_ROOT, __version__
from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.sites import spider_for_url

__all__ = ["parser_for", "parse_stored", "generic_slug", "extractor_version", "is_known_site"]

logger = logging.getLogger(__name__)


def generic_slug(url: str) -> str:
    """The site slug of a host no site module covers: the host without ``www.``."""
    host = (urlsplit(url).hostname or "unknown").lower()
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=256)
def _generic_spider(slug: str):
    from csto_crawler.spiders.base import NewsSpider

    cls = type("Imported_" + re.sub(r"\W", "_", slug), (NewsSpider,),
               {"name": slug, "site_name": slug, "allowed_domains": [slug],
                "article_patterns": (r".",)})
    return cls()


@lru_cache(maxsize=256)
def _site_spider(cls):
    return cls()


def is_known_site(url: str) -> bool:
    """Whether a site module (or a configured site) covers the URL's host."""

    return spider_for_url(url) is not None


def parser_for(url: str):
    """The spider instance whose ``parse_article`` reads pages of ``url``'s site."""

    cls = spider_for_url(url)
    return _site_spider(cls) if cls is not None else _generic_spider(generic_slug(url))


def parse_stored(stored) -> ArticleItem | FetchRecord | None:
    """The item ``parse_article`` makes of a stored response (``read.StoredResponse``)."""
    from csto_crawler.capture.read import response_of

    spider = parser_for(stored.url)
    response = response_of(stored)
    results = list(spider.parse_article(response))
    item = results[0] if results else None
    if isinstance(item, ArticleItem | FetchRecord):
        item.capture_id = stored.capture_id
        return item
    return None


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """The extraction's identity: the package version plus a hash of the code and data that
    decide what a page extracts to (``csto_crawler/extract``, the site modules, the configured
    sites), so a re-extraction names exactly the extractor that made it."""
    digest = hashlib.sha256()
    package = PROJECT_ROOT / "csto_crawler"
    sources = sorted((package / "extract").rglob("*.py")) + sorted((package / "spiders").glob("*.py"))
    seeds = PROJECT_ROOT / "seeds" / "news_sites.yml"
    for path in sources + ([seeds] if seeds.exists() else []):
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
