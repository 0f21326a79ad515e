"""akorda.kz: the President of Kazakhstan (Alison CMS by Licon).

Evidence: shared/research/evidence-2026-12.md §2.1 (agree) and sites.md §2.1. Article body ``div.content-text`` [E]; editions
``/ru/``, ``/kz/``, ``/en/`` [E]; the header shows the crawl day ("Воскресенье, 24 Ноября
2024"), never the publication date [E seed 003]. Title, date and drop selectors are guesses [G]:
when they miss, the generic layers take over.

Discovery: RSS ``/ru/rss`` [E]; listings ``/<lang>/events?page=N`` [E for ru, G for kz/en]
and ``/ru/news`` [E], cards ``div.card`` › ``h3 a`` with an ``h5`` date "21 марта 2026 года"
[E]; articles ``/<lang>/<translit-slug>-<id>`` [E, the regex of a public scraper]; legacy
hierarchical URLs (``/ru/events/akorda_news/…``) are not followed. ``mirror.akorda.kz`` and
``akorda.kz`` serve the same documents as ``www.akorda.kz`` [E]. ``/kz/rss``, ``/en/rss`` and a
sitemap are unverified [G] and not declared.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

_EDITIONS = {"ru": "ru", "kz": "kk", "en": "en"}


class AkordaSpider(NewsSpider):
    name = "akorda"
    site_name = "Akorda — official site of the President of the Republic of Kazakhstan"
    home_url = "https://www.akorda.kz/ru"
    kind = "official"
    allowed_domains = ["akorda.kz"]
    languages = ("ru", "kk", "en")
    rules = SiteRules(
        content_selector="div.content-text",
        # guess [G]: the article title and date markup (no evidence; the generic layers take over)
        title_selector="h1",
        date_selector=".article-date",
        drop_selectors=(".header-date", ".article-share", ".other-news"),
        date_formats=("%d %B %Y %H:%M", "%d.%m.%Y %H:%M", "%d %B %Y", "%d.%m.%Y"),
        timezone="Asia/Almaty",
    )

    feeds = {"ru": ["https://www.akorda.kz/ru/rss"]}
    listings = {
        "ru": ["https://www.akorda.kz/ru/events?page={page}", "https://www.akorda.kz/ru/news"],
        # guess [G]: the kz and en listings mirror the evidenced /ru/events
        "kk": ["https://www.akorda.kz/kz/events?page={page}"],
        "en": ["https://www.akorda.kz/en/events?page={page}"],
    }
    article_patterns = (r"^/(?:ru|kz|en)/[a-z0-9-]+-\d{4,}$",)
    listing_item_selector = "div.card"
    listing_link_selector = "h3 a::attr(href)"
    listing_date_selector = "h5::text"
    listing_date_formats = ("%d %B %Y",)
    host_aliases = {"mirror.akorda.kz": "www.akorda.kz", "akorda.kz": "www.akorda.kz"}
    canonical_scheme = "https"

    def language_for(self, url: str) -> str | None:
        """The edition by the first path segment: ``/ru/`` → ru, ``/kz/`` → kk, ``/en/`` → en."""
        first = urlsplit(url).path.strip("/").split("/", 1)[0]
        return _EDITIONS.get(first)
