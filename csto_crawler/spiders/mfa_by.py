"""``mfa_by``: the Belarusian Ministry of Foreign Affairs, mfa.gov.by.

Evidence (``shared/research/sites.md`` §2.5): [E] evidenced by public pages or public code,
[G] guessed.

* Editions: Russian at the root, English under ``/en/``, Belarusian under ``/be/`` [E];
  embassies live on ``<country>.mfa.gov.by`` and are not crawled. ``www.mfa.gov.by``
  redirects to the bare domain [E].
* Articles ``/[en/|be/]press/news_mfa/<16 hex digits>.html`` [E].
* Page text, in order [E]: the "Размер шрифта:" / "Font size:" widget, a language label, the
  title, the date ("19 мая 2021 г.", "15 September 2021"; Belarusian "2 чэрвеня 2022 г." [G]),
  the body, and a footer "Source: <url> © When using the site materials reference to the
  source is required" (Russian and Belarusian wording [G]), which is furniture.
* Markup and class names are not evidenced [G]: the title is the page's ``h1``, the date the
  ``div.article__date`` or else the element right after the ``h1`` (the evidenced order), the
  body ``div.article__text``; when the body selector misses, the generic layers (trafilatura
  + the furniture cleaner) take over, and the widget, label and footer lines are removed as
  text (``SiteRules.furniture``). mfa.gov.by prints no time: ``published_at`` is a date.
* News list, pagination, RSS and sitemap are not evidenced [G]: the list is taken to be the
  section index ``/[en/|be/]press/news_mfa/``, every link on it of the article shape is an
  article (whatever the card markup), and the next page is the ``rel="next"`` link.
* No site search is crawled: no evidence of its URL.
* Dates are Minsk time (Europe/Minsk, +03:00).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

__all__ = ["MfaBySpider"]

_EDITION = re.compile(r"^/(en|be)/")


class MfaBySpider(NewsSpider):
    """mfa.gov.by: the news section index of each edition, paged by ``rel=next``."""

    name = "mfa_by"
    site_name = "Министерство иностранных дел Республики Беларусь (mfa.gov.by)"
    home_url = "https://mfa.gov.by/"
    kind = "official"
    allowed_domains = ["mfa.gov.by"]
    languages = ("ru", "en", "be")

    listings = {
        "ru": ["https://mfa.gov.by/press/news_mfa/"],
        "en": ["https://mfa.gov.by/en/press/news_mfa/"],
        "be": ["https://mfa.gov.by/be/press/news_mfa/"],
    }

    article_patterns = (r"^/(?:(?:en|be)/)?press/news_mfa/[0-9a-f]{16}\.html$",)
    #: Every article-shaped link is a card: the list markup is unknown [G].
    listing_item_selector = 'a[href*="/press/news_mfa/"][href$=".html"]'
    listing_link_selector = "::attr(href)"
    next_page_selector = 'a[rel="next"]::attr(href)'

    host_aliases = {"www.mfa.gov.by": "mfa.gov.by"}
    canonical_scheme = "https"

    rules = SiteRules(
        content_selector="div.article__text",
        title_selector="h1",
        date_selector="div.article__date, h1 + div, h1 + p, h1 + span",
        drop_selectors=(
            ".font-size", ".page-tools", ".article__lang", ".article__source", ".more-news", ".breadcrumbs",
            ".top-bar", "nav", "header", "footer",
        ),
        date_formats=("%d %B %Y г.", "%d %B %Y"),
        timezone="Europe/Minsk",
        furniture=(
            r"(?:Размер шрифта|Памер шрыфту|Font size):?(?:\s+A){0,3}",
            r"(?:Русский|English|Беларуская)",
            r"(?:Источник|Крыніца|Source):\s+\S*mfa\.gov\.by\S*(?:\s+©.*)?",
        ),
    )

    def language_for(self, url: str) -> str | None:
        """``/en/`` and ``/be/`` are their editions; any other path on the site is Russian."""
        match = _EDITION.match(urlsplit(url).path)
        return match.group(1) if match else "ru"
