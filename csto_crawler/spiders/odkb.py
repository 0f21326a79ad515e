"""``odkb``: the CSTO's own site, odkb-csto.org (Russian) and en.odkb-csto.org (English).

Evidence (``shared/research/evidence-2026-12.md`` §2.8, ``sites.md`` §2.7): [E] evidenced by
public pages, [G] guessed, [K] general knowledge.

* Hosts: Russian ``odkb-csto.org``, English ``en.odkb-csto.org`` [E]; other languages unknown.
* Articles ``/news/news_odkb/<transliterated Russian title>/`` [E]. **The English host reuses
  the Russian slug** [E]: ``https://odkb-csto.org/news/news_odkb/X/`` and
  ``https://en.odkb-csto.org/news/news_odkb/X/`` are two documents (a text and its
  translation), told apart by the host, never merged. Other sections with articles:
  ``/international_org/<org>/<slug>/`` (news of other organisations, e.g. the SCO) and
  ``/75-letie-pobedy/novosti/<slug>/``, ``/25years/news/<slug>/`` (underscored slugs) and
  ``/documents/statements/<slug>/`` [E]; those sections' index pages are read as listings [G:
  that the index lists its articles].
* Page text [E]: the title, the title again with the date ``DD.MM.YYYY`` (no time, so
  ``published_at`` is a date), the body, then the navigation "Go back / Back to the section /
  Back to the all news" (Russian wording [G]), which is furniture.
* CMS: 1C-Bitrix [G, from the URL style and the navigation texts]. Markup is not evidenced:
  the default Bitrix ``news.detail`` and ``news.list`` templates are assumed [K/G]
  (``span.news-date-time``, ``p.news-item``); when the body selector misses, the generic
  layers take over and the navigation lines are removed as text.
* News list ``/news/?PAGEN_1=N`` on each host [G; Bitrix ``PAGEN_1`` paging is evidenced on
  other sections of the English host]. If odkb's robots.txt is the Bitrix default, PAGEN pages
  are forbidden [inf] and only the section indexes remain. RSS, sitemap: none found [G]. No site
  search is crawled: nearly everything on the site concerns the CSTO; the relevance pipeline
  still decides, as for every site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

__all__ = ["OdkbSpider"]


class OdkbSpider(NewsSpider):
    """odkb-csto.org: the news list of each host; one slug on two hosts is two documents."""

    name = "odkb"
    site_name = "Организация Договора о коллективной безопасности (odkb-csto.org)"
    home_url = "https://odkb-csto.org/"
    kind = "csto"
    allowed_domains = ["odkb-csto.org"]
    languages = ("ru", "en")

    listings = {
        "ru": ["https://odkb-csto.org/news/?PAGEN_1={page}", "https://odkb-csto.org/documents/statements/"],
        "en": ["https://en.odkb-csto.org/news/?PAGEN_1={page}", "https://en.odkb-csto.org/25years/news/"],
    }

    article_patterns = (
        r"^/news/news_odkb/[\w-]+/?$",
        r"^/international_org/[\w-]+/[\w-]+/?$",
        r"^/75-letie-pobedy/novosti/[\w-]+/?$",
        r"^/25years/news/[\w-]+/?$",
        r"^/documents/statements/[\w-]+/?$",
    )
    # guess [G]: the default Bitrix news.list card markup
    listing_item_selector = ".news-list .news-item"
    listing_link_selector = "a::attr(href)"
    listing_date_selector = ".news-date-time::text"
    listing_date_formats = ("%d.%m.%Y",)

    host_aliases = {"www.odkb-csto.org": "odkb-csto.org", "www.en.odkb-csto.org": "en.odkb-csto.org"}
    canonical_scheme = "https"

    rules = SiteRules(
        content_selector="div.news-detail__text",
        title_selector="h1, .news-detail h3",
        date_selector=".news-detail .news-date-time, .news-date-time, h3 + span",
        drop_selectors=(".news-nav", ".breadcrumbs", ".header", ".footer"),
        date_formats=("%d.%m.%Y",),
        timezone="Europe/Moscow",
        furniture=(
            r"(?:Go back|Back to the section|Back to the all news)",
            r"(?:Назад|Вернуться в раздел|Вернуться ко всем новостям|Возврат к списку)",
        ),
    )

    def language_for(self, url: str) -> str | None:
        """``en.odkb-csto.org`` is English; the main host is Russian."""
        host = (urlsplit(url).hostname or "").lower()
        if host.endswith("odkb-csto.org"):
            return "en" if host.split(".")[0] == "en" or host.startswith("www.en.") else "ru"
        return None
