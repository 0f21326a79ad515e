"""belta.by: BelTA, the Belarusian Telegraph Agency, editions ru, en and be.

Evidence: shared/research/sites.md §2.9. Articles ``/<section>/view/<slug>-<id>-<year>``
[E, public pages], the English edition on ``eng.belta.by`` [E], RSS ``https://belta.by/rss/``
[E, public code]. Guessed [G]: the Belarusian edition on ``blr.belta.by``, the feeds of the en
and be hosts (``/rss/``), the trailing slash of article URLs, the article markup (``h1``,
``div.date_full``, ``div.js-mediator-article``) and the date text ``23 ноября 2023, 12:45``.
Dates are Europe/Minsk (UTC+3).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

_HOSTS = {"eng.belta.by": "en", "blr.belta.by": "be"}


class BeltaSpider(NewsSpider):
    name = "belta"
    site_name = "BelTA — Belarusian Telegraph Agency (belta.by)"
    home_url = "https://belta.by/"
    kind = "news"
    allowed_domains = ["belta.by"]
    languages = ("ru", "en", "be")
    rules = SiteRules(
        title_selector="div.content_margin h1",
        date_selector="div.date_full",
        content_selector="div.js-mediator-article",
        drop_selectors=(".views_count", ".main_img", ".tg_subscribe", ".news_tags", ".news_by_theme"),
        date_formats=("%d %B %Y, %H:%M", "%d.%m.%Y, %H:%M"),
        timezone="Europe/Minsk",
    )

    feeds = {
        "ru": ["https://belta.by/rss/"],
        "en": ["https://eng.belta.by/rss/"],
        "be": ["https://blr.belta.by/rss/"],
    }
    article_patterns = (r"^/[a-z_]+/view/[a-z0-9-]+-\d+-\d{4}/?$",)
    host_aliases = {"www.belta.by": "belta.by"}
    canonical_scheme = "https"

    def language_for(self, url: str) -> str | None:
        """The edition by host: ``eng.`` → en, ``blr.`` → be, else ru."""
        return _HOSTS.get((urlsplit(url).hostname or "").lower(), "ru")
