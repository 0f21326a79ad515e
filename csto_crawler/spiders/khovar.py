"""khovar.tj: the National Information Agency of Tajikistan "Khovar" (WordPress, one install
per language).

Evidence: shared/research/sites.md §2.3. Editions: Tajik at the root, ``/rus/``, ``/ara/``,
``/far/``, English on ``eng.khovar.tj`` [E]; date line "<Month> D, YYYY HH:MM" with localized
month, Arabic adds ", N مشاهدات" [E]; the body ends before ``div.ya-share2`` [E]; a slider
``.slide_container`` [E]. The body container ``div.entry-content`` and the meta-line class are
WordPress guesses [G]; when they miss, the generic layers take over.

Discovery: the WordPress feed of each edition, ``/feed/``, ``/rus/feed/``, ``/ara/feed/`` [E],
``/far/feed/`` and ``eng.khovar.tj/feed/`` [G: the WordPress default]; the Tajik news tape
``/lenta-novostey/page/<N>/`` [E] whose items link with ``a.more`` ("Матни пурра") [E]; articles
``/[rus|ara|far/]YYYY/MM/<slug-or-id>[/]`` [E]. A sitemap (``/wp-sitemap.xml``) is not
evidenced [G] and not declared.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

_EDITIONS = {"rus": "ru", "ara": "ar", "far": "fa"}


class KhovarSpider(NewsSpider):
    name = "khovar"
    site_name = "Khovar — National Information Agency of Tajikistan"
    home_url = "https://khovar.tj/"
    kind = "official"
    allowed_domains = ["khovar.tj"]
    languages = ("tg", "ru", "ar", "fa", "en")
    rules = SiteRules(
        content_selector="div.entry-content",
        title_selector="h1",
        date_selector=".post-meta .date",
        drop_selectors=(".ya-share2", ".slide_container", ".post-views"),
        date_formats=("%B %d, %Y %H:%M", "%d.%m.%Y %H:%M"),
        timezone="Asia/Dushanbe",
    )

    feeds = {
        "tg": ["https://khovar.tj/feed/"],
        "ru": ["https://khovar.tj/rus/feed/"],
        "ar": ["https://khovar.tj/ara/feed/"],
        "fa": ["https://khovar.tj/far/feed/"],
        "en": ["https://eng.khovar.tj/feed/"],
    }
    listings = {"tg": ["https://khovar.tj/lenta-novostey/page/{page}/"]}
    article_patterns = (r"^/(?:(?:rus|ara|far)/)?20\d\d/[01]\d/[^/?#]+/?$",)
    listing_item_selector = ".news-item"
    listing_link_selector = "a.more::attr(href)"
    listing_date_selector = ".date::text"
    canonical_scheme = "https"

    def language_for(self, url: str) -> str | None:
        """The edition: ``eng.khovar.tj`` → en, ``/rus/`` → ru, ``/ara/`` → ar, ``/far/`` → fa,
        anything else Tajik."""
        parts = urlsplit(url)
        if (parts.hostname or "").startswith("eng."):
            return "en"
        first = parts.path.strip("/").split("/", 1)[0]
        return _EDITIONS.get(first, "tg")
