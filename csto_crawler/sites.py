"""The registry of site spiders: which spider (and so which rules) serves a URL.

``spider_classes`` is what ``scrapy list`` lists. ``site_classes`` is every *site*: the site
spiders, plus the sites a dispatching spider (one with ``dispatcher = True``, e.g. the generic
``news`` spider) runs from configuration, each a spider class of its own under its slug, in place
of the dispatcher. URLs are matched against sites.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.spiderloader import SpiderLoader

from csto_crawler.commands._common import project_settings
from csto_crawler.extract.rules import SiteRules

__all__ = ["spider_classes", "site_classes", "spider_for_url", "rules_for_url"]


@lru_cache(maxsize=1)
def spider_classes() -> dict[str, type]:
    """Every spider of the project by slug, as ``scrapy list`` sees them."""
    loader = SpiderLoader.from_settings(project_settings())
    return {name: loader.load(name) for name in loader.list()}


@lru_cache(maxsize=1)
def site_classes() -> dict[str, type]:
    """Every site by slug: the site spiders and the configured sites of dispatching spiders.

    Raises ValueError when a configured slug is also a spider's.
    """
    settings = project_settings()
    sites: dict[str, type] = {}
    configured: dict[str, type] = {}
    for name, cls in spider_classes().items():
        if getattr(cls, "dispatcher", False):
            configured.update(cls.configured_sites(settings))
        else:
            sites[name] = cls
    clash = sorted(set(sites) & set(configured))
    if clash:
        raise ValueError(f"configured site slug(s) {clash} are also spider names; rename them in seeds/")
    return {**sites, **configured}


def _host_matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def spider_for_url(url: str) -> type | None:
    """The site class whose ``allowed_domains`` cover the URL's host (most specific first)."""
    host = (urlsplit(url).hostname or "").lower()
    best: tuple[int, type] | None = None
    for cls in site_classes().values():
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
