"""inform.kz: Kazinform, Kazakhstan's national news agency, editions ru, kk and en.

Evidence: shared/research/evidence-2026-12.md §2.12 and sites.md §2.9.

* Articles ``https://www.inform.kz/ru/<slug>-<6 hex>`` [E] and
  ``https://en.inform.kz/news/<slug>-<6 hex>/`` — **the English URLs end with a slash** [E];
  legacy ``…_a<id>`` pages, with or without ``/amp`` [E]; bare ``inform.kz`` redirects to
  ``www`` [E, 2018]. The Kazakh edition's URL shape (``/kz/…``) is a guess [G].
* Feeds ``https://www.inform.kz/rss/rus.xml``, ``/rss/kaz.xml``, ``/rss/eng.xml`` [E, public
  configs; which variants are current is not evidenced]. News sitemaps
  ``/sitemaps/google-news_<lang>.xml`` are shown only for ``cn.inform.kz`` [E], so the ru/kk/en
  ones are tried [inf] but not relied on: a 404 there costs one request.
* Article: body ``.article__body-text`` (with ``.article__description``) [E, a 2025 parser];
  date "15:00, 23 Ноябрь 2025 | GMT +5" (time first, nominative month) [E]. The title
  ``h1.article__title`` and the date element ``.article__date`` are guesses [G]; when they
  miss, the generic layers take over.
* Dates are Asia/Almaty through the IANA zone: UTC+6 until 2024-03-01, UTC+5 since.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

_EDITIONS = {"ru": "ru", "kz": "kk"}
#: Feed and news sitemap names → edition.
_ENTRY = re.compile(r"^/(?:rss/(rus|kaz|eng)\.xml|sitemaps/google-news_(ru|kz|en)\.xml)$")
_ENTRY_LANG = {"rus": "ru", "kaz": "kk", "eng": "en", "ru": "ru", "kz": "kk", "en": "en"}


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
        content_selector=".article__description, .article__body-text",
        drop_selectors=(".article__views", ".article__photo", ".article__subscribe", ".article__tags", ".latest"),
        date_formats=("%H:%M, %d %B %Y", "%d %B %Y %H:%M", "%d.%m.%Y %H:%M"),
        timezone="Asia/Almaty",
    )

    feeds = {
        "ru": ["https://www.inform.kz/rss/rus.xml"],
        "kk": ["https://www.inform.kz/rss/kaz.xml"],
        "en": ["https://www.inform.kz/rss/eng.xml"],
    }
    #: Tried, not relied on [inf: the naming is evidenced for cn.inform.kz only].
    sitemaps = {
        "ru": ["https://www.inform.kz/sitemaps/google-news_ru.xml"],
        "kk": ["https://www.inform.kz/sitemaps/google-news_kz.xml"],
        "en": ["https://en.inform.kz/sitemaps/google-news_en.xml"],
    }
    article_patterns = (
        r"^/(?:ru|kz)/[a-z0-9-]+-[0-9a-f]{6}/?$",
        r"^/news/[a-z0-9-]+-[0-9a-f]{6}/?$",
        r"^/(?:(?:ru|kz|en)/)?amp/[\w-]+_a\d+/?$",
        r"^/(?:(?:ru|kz|en)/)?[\w-]+_a\d+(?:/amp)?/?$",
    )
    host_aliases = {"inform.kz": "www.inform.kz"}
    canonical_scheme = "https"

    def language_for(self, url: str) -> str | None:
        """``en.inform.kz`` is English; on www the first path segment tells (``/kz/`` → kk),
        or the feed's or news sitemap's name (``rus.xml`` → ru)."""
        parts = urlsplit(url)
        if (parts.hostname or "").startswith("en."):
            return "en"
        entry = _ENTRY.match(parts.path)
        if entry:
            return _ENTRY_LANG[entry.group(1) or entry.group(2)]
        return _EDITIONS.get(parts.path.strip("/").split("/", 1)[0])
