"""inform.kz: Kazinform, Kazakhstan's national news agency, editions ru, kk and en.

Evidence: shared/research/sites.md §2.9. Articles ``https://www.inform.kz/ru/<slug>-<6 hex>``
and ``https://en.inform.kz/news/<slug>-<6 hex>`` [E, public pages]; legacy AMP articles
``/amp/<slug>_a<id>/`` [E]; bare ``inform.kz`` redirects to ``www`` [E, 2018]. Guessed [G]: the
Kazakh edition under ``www.inform.kz/kz/``, one sitemap per edition (``/ru/sitemap.xml``,
``/kz/sitemap.xml``, ``en.inform.kz/sitemap.xml``), the
article markup (``h1.article__title``, ``.article__date``, ``div.article__body``) and the date
text ``23 Ноября 2023 12:30``. No feed or listing is evidenced. Dates are Asia/Almaty through the
IANA zone: UTC+6 until 2024-03-01, UTC+5 since (Kazakhstan moved to one time zone).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

_EDITIONS = {"ru": "ru", "kz": "kk"}


class InformKzSpider(NewsSpider):
    name = "inform_kz"
    site_name = "Kazinform (inform.kz)"
    home_url = "https://www.inform.kz/ru/"
    kind = "news"
    allowed_domains = ["inform.kz"]
    languages = ("ru", "kk", "en")
    rules = SiteRules(
        title_selector="h1.article__title",
        date_selector=".article__date",
        content_selector="div.article__body",
        drop_selectors=(".article__views", ".article__photo", ".article__subscribe", ".article__tags", ".latest"),
        date_formats=("%d %B %Y %H:%M", "%d.%m.%Y %H:%M"),
        timezone="Asia/Almaty",
    )

    sitemaps = {
        "ru": ["https://www.inform.kz/ru/sitemap.xml"],
        "kk": ["https://www.inform.kz/kz/sitemap.xml"],
        "en": ["https://en.inform.kz/sitemap.xml"],
    }
    article_patterns = (
        r"^/(?:ru|kz)/[a-z0-9-]+-[0-9a-f]{6}$",
        r"^/news/[a-z0-9-]+-[0-9a-f]{6}$",
        r"^/(?:(?:ru|kz|en)/)?amp/[\w-]+_a\d+/?$",
    )
    host_aliases = {"inform.kz": "www.inform.kz"}
    canonical_scheme = "https"

    def language_for(self, url: str) -> str | None:
        """``en.inform.kz`` is English; on www the first path segment tells (``/kz/`` → kk)."""
        parts = urlsplit(url)
        if (parts.hostname or "").startswith("en."):
            return "en"
        return _EDITIONS.get(parts.path.strip("/").split("/", 1)[0])
