"""The registry of site spiders: which spider (and so which rules) serves a URL.

``spider_classes`` is what ``scrapy list`` lists. ``site_classes`` is every *site*: the site
modules (``site_modules``), plus the sites a dispatching spider (one with ``dispatcher = True``,
e.g. the generic ``news`` spider) runs from configuration (``configured_sites``), each a spider
class of its own under its slug, in place of the dispatcher. URLs are matched against sites.

The registry loads the spider modules lazily (Scrapy's ``SpiderLoader``, on the first call), so
a spider may import this module at its top: there is no import loop. ``configured_sites`` is the
one place that refuses a configured slug which is also a site module's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.spiderloader import SpiderLoader

from csto_crawler.config import ConfigError, project_settings

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from csto_crawler.extract.rules import SiteRules

__all__ = ["spider_classes", "site_modules", "configured_sites", "site_classes",
           "spider_for_url", "rules_for_url"]


@lru_cache(maxsize=1)
def spider_classes() -> dict[str, type]:
    """Every spider of the project by slug, as ``scrapy list`` sees them."""
    loader = SpiderLoader.from_settings(project_settings())
    return {name: loader.load(name) for name in loader.list()}


def _is_dispatcher(cls: type) -> bool:
    return bool(getattr(cls, "dispatcher", False))


def site_modules() -> dict[str, type]:
    """The spiders that are one site each (``csto_crawler/spiders/<slug>.py``), by slug."""
    return {name: cls for name, cls in spider_classes().items() if not _is_dispatcher(cls)}


def configured_sites(settings: BaseSettings | None = None,
                     dispatcher: type | None = None) -> dict[str, type]:
    """The sites dispatching spiders run from configuration (only ``dispatcher``'s when given),
    by slug, as ``settings`` (default: the project's) configure them.

    Raises ``ConfigError`` when a configured slug is also a site module's.
    """
    settings = settings if settings is not None else project_settings()
    modules = site_modules()
    dispatchers = [dispatcher] if dispatcher is not None else [
        cls for cls in spider_classes().values() if _is_dispatcher(cls)]
    configured: dict[str, type] = {}
    for cls in dispatchers:
        found = cls.configured_sites(settings)
        clash = sorted(set(found) & set(modules))
        if clash:
            raise ConfigError(f"configured sites of the {cls.name} spider: {', '.join(clash)}: "
                              "the slug of a site that has its own spider module; choose another "
                              "slug (seeds/)")
        configured.update(found)
    return configured


@lru_cache(maxsize=1)
def site_classes() -> dict[str, type]:
    """Every site by slug: the site modules and the configured sites of dispatching spiders.

    Raises ``ConfigError`` when a configured slug is also a site module's.
    """
    return {**site_modules(), **configured_sites()}


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
