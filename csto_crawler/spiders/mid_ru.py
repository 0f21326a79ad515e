"""``mid_ru``: the Russian Ministry of Foreign Affairs, mid.ru (1C-Bitrix).

Evidence (``shared/research/sites.md`` §2.6): [E] evidenced by public pages or public code,
[G] guessed, [K] general knowledge.

* Editions ru, en, de, fr, es, pt, each under a path prefix ``/<lang>/`` [E]; a feed per
  edition at ``/<lang>/rss.php`` [E] (``/cn/`` and ``/ar/`` exist but are not crawled: no
  evidence of their feeds working).
* News list ``/ru/foreign_policy/news/?PAGEN_1=N`` [E]: ``ul.announce.announce_articles >
  li.announce__item`` with ``span.announce__date`` (``dd.mm.yyyy``, or ``2 January 2006`` in
  English), ``span.announce__time``, ``a.announce__link`` [E]. The English list at the same
  path under ``/en/`` is [G].
* Articles ``/<lang>/foreign_policy/news/<numeric id>/`` [E]: ``div.photo-content`` with
  ``h1.photo-content__title``, ``.photo-content__date``, the document number
  ``p.article-line__note`` (e.g. ``1208-20-06-2023``; the item has no field for it) and the
  body ``div.text.article-content`` [E]. An older "announcement" layout (``ul.announcements``
  › ``h3.announcement__title``, ``div.announcement__text``) is read too [E]. Article dates
  print ``dd.mm.yyyy HH:MM`` (en ``20 June 2023 17:40``) [G]; Moscow time.
* Canonical URLs: ``https://mid.ru/<lang>/foreign_policy/news/<id>/``. Links found in the
  wild carry Bitrix parameters (``?clear_cache=Y&lang=en`` [E]); ``clear_cache`` resets the
  component cache and ``lang`` is the Bitrix interface language [K], the document is the
  same, so both are dropped; ``www.mid.ru`` is an alias of ``mid.ru`` [E].
* Site search ``/ru/search/?q=ОДКБ&PAGEN_1=N`` in the default Bitrix ``search.page``
  markup (``div.search-item h4 a``) [G]: lets ``-a since=`` back-fills reach the CSTO
  material without walking the whole news list.
* Anti-bot [E]: a JavaScript stub "Data processing... Please, wait." setting a ``bobcmn``
  cookie, served with status 200 instead of the page. ``csto_crawler.pagecheck`` recognises
  it; the page is recorded as ``blocked`` (a ``FetchRecord``), never archived, and the log
  line says what to do (``advice``). Public scrapers pace mid.ru at 20–30 s per page.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response

from csto_crawler.extract.rules import SiteRules
from csto_crawler.items import ArticleItem
from csto_crawler.spiders.base import NewsSpider

__all__ = ["MidRuSpider"]

_LANGS = ("ru", "en", "de", "fr", "es", "pt")
_EDITION = re.compile(r"^/(ru|en|de|fr|es|pt)(?:/|$)")
#: Bitrix query parameters that do not change the document.
_BITRIX_PARAMS = frozenset({"clear_cache", "lang", "print", "sphrase_id", "bxajaxid"})


class MidRuSpider(NewsSpider):
    """mid.ru: feeds per edition, the news list, site search; challenge pages recorded as blocked."""

    name = "mid_ru"
    site_name = "Министерство иностранных дел Российской Федерации (mid.ru)"
    home_url = "https://mid.ru/ru/"
    kind = "official"
    allowed_domains = ["mid.ru"]
    languages = _LANGS

    feeds = {lang: [f"https://mid.ru/{lang}/rss.php"] for lang in _LANGS}
    listings = {
        "ru": ["https://mid.ru/ru/foreign_policy/news/?PAGEN_1={page}"],
        "en": ["https://mid.ru/en/foreign_policy/news/?PAGEN_1={page}"],
    }
    search = {"ru": ["https://mid.ru/ru/search/?q={query}&PAGEN_1={page}"]}
    search_terms = {"ru": ["ОДКБ"]}

    article_patterns = (r"^/(?:ru|en|de|fr|es|pt)/foreign_policy/news/\d+/?(?:\?|$)",)
    listing_item_selector = "ul.announce.announce_articles > li.announce__item"
    listing_link_selector = "a.announce__link::attr(href)"
    listing_date_selector = "span.announce__date::text"
    listing_date_formats = ("%d.%m.%Y", "%d %B %Y")
    #: Search result cards (default Bitrix ``search.page`` template) [G].
    search_item_selector = "div.search-item"
    search_link_selector = "h4 a::attr(href)"
    search_date_selector = "div.search-item-date::text"

    host_aliases = {"www.mid.ru": "mid.ru"}
    canonical_scheme = "https"

    rules = SiteRules(
        content_selector="div.photo-content div.text.article-content, ul.announcements div.announcement__text",
        title_selector="h1.photo-content__title, ul.announcements h3.announcement__title",
        date_selector=".photo-content__date, ul.announcements .announcement__date",
        drop_selectors=(
            "header", "footer", "ul.breadcrumbs", ".share-block", ".article-tags", ".more-materials",
            "p.article-line__note", "div.announcement__doc-num",
        ),
        date_formats=("%d.%m.%Y %H:%M", "%d.%m.%Y", "%d %B %Y %H:%M", "%d %B %Y"),
        timezone="Europe/Moscow",
    )

    advice = {
        "blocked": (
            "mid.ru served its JavaScript bot challenge ('Data processing... Please, wait.', "
            "bobcmn cookie) instead of the page; nothing was archived. Crawl again later with a "
            "longer delay (-s DOWNLOAD_DELAY=20), or from another network; if it persists, open "
            "the page in a browser and save it as a fixture (csto fixtures record) or pass the "
            "article URLs again with -a urls= once the challenge is gone"
        ),
    }

    def language_for(self, url: str) -> str | None:
        """The edition is the first path segment (``/ru/``, ``/en/`` …)."""
        match = _EDITION.match(urlsplit(url).path)
        return match.group(1) if match else None

    def listing_entries(self, response: Response) -> list[tuple[str, date | None]]:
        """News-list cards, or on a search result page the search cards."""
        if "/search/" not in urlsplit(response.url).path:
            return super().listing_entries(response)
        entries = []
        for card in response.css(self.search_item_selector):
            link = card.css(self.search_link_selector).get()
            if link:
                shown = " ".join(card.css(self.search_date_selector).getall())
                entries.append((link.strip(), self.listing_date(shown)))
        return entries

    def article_item(self, response, extraction=None) -> ArticleItem:
        """The item, its canonical URL cleaned of Bitrix parameters."""
        item = super().article_item(response, extraction)
        if item.canonical_url:
            item.canonical_url = strip_bitrix_params(item.canonical_url)
        return item


def strip_bitrix_params(url: str) -> str:
    """``url`` without the Bitrix parameters that do not change the document."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _BITRIX_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))
