"""The registry of site spiders: which spider (and so which rules) serves a URL."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from csto_crawler.extract.rules import SiteRules

__all__ = ["spider_classes", "spider_for_url", "rules_for_url"]


@lru_cache(maxsize=1)
def spider_classes() -> dict[str, type]:
    """Every spider of the project by slug, as ``scrapy list`` sees them."""
    settings = Settings()
    settings.setmodule("csto_crawler.settings", priority="project")
    loader = SpiderLoader.from_settings(settings)
    return {name: loader.load(name) for name in loader.list()}


def _host_matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def spider_for_url(url: str) -> type | None:
    """The spider class whose ``allowed_domains`` cover the URL's host (most specific first)."""
    host = (urlsplit(url).hostname or "").lower()
    best: tuple[int, type] | None = None
    for cls in spider_classes().values():
        for domain in getattr(cls, "allowed_domains", None) or []:
            if _host_matches(host, domain.lower()) and (best is None or len(domain) > best[0]):
                best = (len(domain), cls)
    return best[1] if best else None


def rules_for_url(url: str) -> SiteRules | None:
    """The site rules for an article URL, or None when no site module covers it."""
    cls = spider_for_url(url)
    if cls is None or not hasattr(cls, "rules_for"):
        return None
    return cls().rules_for(url)
