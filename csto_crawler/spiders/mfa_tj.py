"""``mfa_tj``: the Tajik Ministry of Foreign Affairs, mfa.tj.

Evidence (``shared/research/evidence-2026-12.md`` §2.6, ``sites.md`` §2.4): [E] evidenced by public pages or public code,
[G] guessed.

* Editions Tajik ``/tg/``, English ``/en/`` [E], Russian ``/ru/`` [G: the 2018 site had a
  Russian edition]. No Arabic edition. Embassy sub-sites (``/en/berlin/…``) are not crawled.
* Articles ``/<lang>/main/view/<id>/<slug>`` [E].
* News list (Tajik) ``/tg/main/ittiloot/khabarho-va-ruidodho`` [E]; the Russian and English
  lists are taken to be the same path under their prefix [G] (the old CMS had one news
  category for all editions). A list item is ``<a href=…>Title</a> <div class="text">
  teaser</div> <span class="date">DD.MM.YYYY HH:MM</span>`` [E, a working public scraper's
  regex]: the link and its date are siblings, so ``listing_entries`` pairs each article link
  with the first ``span.date`` after it, whatever the wrapper. Paging by a ``rel="next"``
  link [G].
* Article markup is not evidenced [G]: title ``h1``, date ``span.date`` as on the list
  (``DD.MM.YYYY HH:MM``), body ``div.news-view__text``; when the body selector misses, the
  generic layers take over. Dates are Dushanbe time (Asia/Dushanbe, +05:00).
* RSS, sitemap, site search: not found [G], so none is crawled.
* TLS: the live site serves an incomplete certificate chain [E: a public scraper turns
  verification off]. Scrapy does not verify certificates by default
  (``DOWNLOAD_VERIFY_CERTIFICATES`` is False), so the site is fetched as is; the spider pins
  that setting to False in its own ``custom_settings`` so that a project-wide hardening
  (``DOWNLOAD_VERIFY_CERTIFICATES = True``) does not silently lose this one site, and only
  this site. The proper fix, once the chain is known, is to verify against a CA bundle with
  the missing intermediate.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from scrapy.http import Response

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

__all__ = ["MfaTjSpider"]

_EDITION = re.compile(r"^/(tg|ru|en)(?:/|$)")


class MfaTjSpider(NewsSpider):
    """mfa.tj: the news list of each edition; list dates are siblings of the links."""

    name = "mfa_tj"
    site_name = "Вазорати корҳои хориҷии Ҷумҳурии Тоҷикистон (mfa.tj)"
    home_url = "https://mfa.tj/tg"
    kind = "official"
    allowed_domains = ["mfa.tj"]
    languages = ("tg", "ru", "en")

    custom_settings = {
        # mfa.tj's certificate chain is incomplete (sites.md §2.4): keep certificate
        # verification off for this spider even if the project turns it on globally. Scrapy's
        # default is already off; an explicit -s DOWNLOAD_VERIFY_CERTIFICATES=True still wins.
        "DOWNLOAD_VERIFY_CERTIFICATES": False,
    }

    listings = {
        "tg": ["https://mfa.tj/tg/main/ittiloot/khabarho-va-ruidodho"],
        # guess [G]: the ru and en lists at the Tajik list's path
        "ru": ["https://mfa.tj/ru/main/ittiloot/khabarho-va-ruidodho"],
        "en": ["https://mfa.tj/en/main/ittiloot/khabarho-va-ruidodho"],
    }

    article_patterns = (r"^/(?:tg|ru|en)/main/view/\d+(?:/[^/?#]*)?$",)
    listing_date_formats = ("%d.%m.%Y %H:%M", "%d.%m.%Y")
    next_page_selector = 'a[rel="next"]::attr(href)'  # guess [G]: no pagination evidence
    canonical_scheme = "https"
    host_aliases = {"www.mfa.tj": "mfa.tj"}

    rules = SiteRules(
        # guess [G]: the article markup (no evidence; the generic layers take over)
        content_selector="div.news-view__text",
        title_selector="h1",
        date_selector="div.news-view span.date, h1 ~ * span.date, span.date",
        drop_selectors=("header", "footer", ".share", ".news-other", ".views", ".lang-switch"),
        date_formats=("%d.%m.%Y %H:%M", "%d.%m.%Y"),
        timezone="Asia/Dushanbe",
    )

    def language_for(self, url: str) -> str | None:
        """The edition is the first path segment."""
        match = _EDITION.match(urlsplit(url).path)
        return match.group(1) if match else None

    def listing_entries(self, response: Response) -> list[tuple[str, date | None]]:
        """Each article link of the list, with the date of the first ``span.date`` after it."""
        entries = []
        for link in response.css('a[href*="/main/view/"]'):
            href = link.attrib.get("href", "").strip()
            if not href:
                continue
            shown = link.xpath("following-sibling::span[contains(concat(' ', normalize-space(@class), ' '), ' date ')][1]//text()").getall()
            entries.append((href, self.listing_date(" ".join(t.strip() for t in shown))))
        return entries
