"""akorda.kz: the President of Kazakhstan (Alison CMS by Licon).

Evidence: shared/research/sites.md §2.1. Article body ``div.content-text`` [E]; editions
``/ru/``, ``/kz/``, ``/en/`` [E]; the header shows the crawl day ("Воскресенье, 24 Ноября
2024"), never the publication date [E seed 003]. Title, date and drop selectors are guesses [G]:
when they miss, the generic layers take over.
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
        title_selector="h1",
        date_selector=".article-date",
        drop_selectors=(".header-date", ".article-share", ".other-news"),
        date_formats=("%d %B %Y %H:%M", "%d.%m.%Y %H:%M", "%d %B %Y", "%d.%m.%Y"),
        timezone="Asia/Almaty",
    )

    def language_for(self, url: str) -> str | None:
        """The edition by the first path segment: ``/ru/`` → ru, ``/kz/`` → kk, ``/en/`` → en."""
        first = urlsplit(url).path.strip("/").split("/", 1)[0]
        return _EDITIONS.get(first)
