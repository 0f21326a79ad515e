"""asiaplustj.info: Asia-Plus, the Tajik news agency (Drupal 7), editions ru, tj and en.

Evidence: shared/research/evidence-2026-12.md §2.9 and sites.md §2.8. Drupal 7 [E]; editions ``/ru/``, ``/tj/``, ``/en/``
[E] (the Tajik edition says ``tj`` in its URLs; its language is ``tg``); articles
``/<lang>/news/<section>[/<sub>]/<YYYYMMDD>/<slug>`` [E]; title ``h1.atitle``, date
``div.article-info``, author ``span.article-author``, body ``div.article-body.js-mediator-article``
[E, a public scraper; the date is somewhere in ``div.article-info``, so that element is read
whole]. Listing ``/<lang>/news/all?page=N`` with items ``<div><a href><h3>`` [E]: the card is
the link holding an ``h3``; the pager link is a guess [G]. RSS ``/ru/rss``
[E]; other editions' feeds are cited but unverified [G] and not declared. The date text format
(``29/01/2025 17:42``) and the tag page ``/ru/tags/odkb`` are guesses [G]. Dates are
Asia/Dushanbe (UTC+5, no DST).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

#: URL prefix → ISO 639-1 (the Tajik edition's prefix is ``tj``, its language ``tg``).
_EDITIONS = {"ru": "ru", "tj": "tg", "en": "en"}


class AsiaplusSpider(NewsSpider):
    name = "asiaplus"
    site_name = "ASIA-Plus (asiaplustj.info)"
    home_url = "https://asiaplustj.info/ru"
    kind = "news"
    allowed_domains = ["asiaplustj.info"]
    #: Pages exist on both hosts [E]: one document.
    host_aliases = {"www.asiaplustj.info": "asiaplustj.info"}
    languages = ("ru", "tg", "en")
    rules = SiteRules(
        title_selector="h1.atitle",
        date_selector="div.article-info",
        author_selector="span.article-author",
        content_selector="div.article-body.js-mediator-article",
        drop_selectors=("script", ".article-views", ".article-image", ".article-tags", ".share-block", ".related-news"),
        date_formats=("%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M"),
        timezone="Asia/Dushanbe",
    )

    feeds = {"ru": ["https://asiaplustj.info/ru/rss"]}
    listings = {
        "tg": ["https://asiaplustj.info/tj/news/all?page={page}"],
        "en": ["https://asiaplustj.info/en/news/all?page={page}"],
    }
    #: guess [G]: the ОДКБ tag page, read like a listing, so back-fills reach the CSTO archive.
    search = {"ru": ["https://asiaplustj.info/ru/tags/odkb"]}
    first_page = 0  # Drupal pagers count from 0
    article_patterns = (r"^/(?:ru|tj|en)/news/[a-z_]+(?:/[a-z_]+)?/\d{8}/[^/]+$",)
    listing_item_selector = "a:has(h3)"
    listing_link_selector = "::attr(href)"
    next_page_selector = "li.pager-next a::attr(href)"  # guess [G]: pages are numbered anyway

    def language_for(self, url: str) -> str | None:
        """The edition by the first path segment: ``/ru/`` → ru, ``/tj/`` → tg, ``/en/`` → en."""
        first = urlsplit(url).path.strip("/").split("/", 1)[0]
        return _EDITIONS.get(first)
