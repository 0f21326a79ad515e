"""``mid_ru``: the Russian Ministry of Foreign Affairs, mid.ru (1C-Bitrix).

Evidence: ``shared/research/evidence-2026-12.md`` §2.4 and ``sites.md`` §2.6; [E] evidenced by
public pages or public code, [G] guessed, [K] general knowledge.

* Editions ru, en, de, fr, es, pt, each under a path prefix ``/<lang>/`` [E]; a feed per
  edition at ``/<lang>/rss.php`` [E]; the Atom feed ``https://www.mid.ru/ru/rss`` is the
  evidenced fallback when ``rss.php`` answers the bot stub [E].
* **robots.txt forbids ``?PAGEN_`` paging and the site search** [E, a 2026 collector; the
  Bitrix default has ``Disallow: /*PAGEN``]. So the only listing is the bare first page
  ``/ru/foreign_policy/news/`` [E: page 1 of the public scrapers], never paged, and there is
  no search entry point. Older material comes from the feeds and ``-a urls=``.
* News list ``ul.announce.announce_articles > li.announce__item`` with ``span.announce__date``
  (``dd.mm.yyyy``), ``span.announce__time``, ``a.announce__link`` [E].
* Articles ``/<lang>/<section>/…/<id>/`` with a 6–8 digit id [E]: ``foreign_policy/news``,
  ``press_service/spokesman/briefings``, ``press_service/minister_speeches`` and the other
  sections the 2026 collector names. Page: ``div.photo-content`` with
  ``h1.photo-content__title``, the date ``.photo-content__date`` ("20.08.2026", en
  "30 September 2026") [E, 2026], the document number ``p.article-line__note`` and the body
  ``div.text.article-content`` [E]; an older "announcement" layout (``ul.announcements``) is
  read too [E]. Moscow time.
* Canonical URLs drop Bitrix parameters (``clear_cache``, ``lang``, ``print``) [K: they do
  not change the document; whether ``?lang=en`` on a ``/ru/`` page does is not evidenced];
  ``www.mid.ru`` is an alias of ``mid.ru`` [E].
* Anti-bot [E]: the JavaScript stub "Data processing... Please, wait." (``bobcmn`` cookie),
  served with status 200 instead of pages **and feeds**. ``csto_crawler.pagecheck``
  recognises it: ``blocked``, never archived; on the Russian ``rss.php`` the Atom fallback is
  tried once. Public scrapers pace mid.ru at 10–30 s per page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from csto_crawler.extract.rules import SiteRules
from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.spiders.base import NewsSpider

__all__ = ["MidRuSpider"]

_LANGS = ("ru", "en", "de", "fr", "es", "pt")
_EDITION = re.compile(r"^/(ru|en|de|fr|es|pt)(?:/|$)")
#: Bitrix query parameters that do not change the document.
_BITRIX_PARAMS = frozenset({"clear_cache", "lang", "print", "sphrase_id", "bxajaxid"})


class MidRuSpider(NewsSpider):
    """mid.ru: feeds per edition (Atom fallback), the bare news list; challenge pages recorded as blocked."""

    name = "mid_ru"
    site_name = "Министерство иностранных дел Российской Федерации (mid.ru)"
    home_url = "https://mid.ru/ru/"
    kind = "official"
    allowed_domains = ["mid.ru"]
    languages = _LANGS

    feeds = {lang: [f"https://mid.ru/{lang}/rss.php"] for lang in _LANGS}
    #: The Atom feed tried once when a Russian ``rss.php`` answer is not a feed [E].
    fallback_feeds = {"ru": "https://www.mid.ru/ru/rss"}
    #: The bare first page only: robots.txt forbids ``?PAGEN_`` [E].
    listings = {"ru": ["https://mid.ru/ru/foreign_policy/news/"]}
    max_pages = 1

    article_patterns = (r"^/(?:ru|en|de|fr|es|pt)/(?:[a-z_]+/){1,4}\d{6,8}/?(?:\?|$)",)
    listing_item_selector = "ul.announce.announce_articles > li.announce__item"
    listing_link_selector = "a.announce__link::attr(href)"
    listing_date_selector = "span.announce__date::text"
    listing_date_formats = ("%d.%m.%Y", "%d %B %Y")

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

    def parse_feed(self, response: Response, **kwargs):
        """A feed; when the Russian ``rss.php`` is refused or the bot stub, the Atom fallback once."""
        results = list(super().parse_feed(response, **kwargs))
        yield from results
        language = response.meta.get("csto_language")
        fallback = self.fallback_feeds.get(language or "")
        refused = response.status >= 400 or any(isinstance(r, FetchRecord) for r in results)
        if fallback and refused and not response.meta.get("csto_fallback") and response.url != fallback:
            self.logger.info("%s: %s gave no entries (HTTP %d); trying %s", self.name, response.url, response.status, fallback)
            meta = dict(response.meta, csto_fallback=True, csto_entry=fallback)
            yield scrapy.Request(fallback, callback=self.parse_feed, errback=self.fetch_failed,
                                 meta={k: v for k, v in meta.items() if k.startswith("csto_")})

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
