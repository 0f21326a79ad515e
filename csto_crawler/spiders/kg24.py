"""24.kg: the Kyrgyz news agency 24.kg, Russian edition at the root and English under /english/.

Evidence: shared/research/evidence-2026-12.md §2.11 and sites.md §2.9. Articles
``/<section>/<id>_<slug>/`` [E, public pages]; listing ``/page_<N>`` [E]; title
``h1.newsTitle``, date ``span[itemprop=datePublished]``, body ``div.cont`` [E, public code];
RSS ``/rss/`` [E] (``/feed/`` and ``/english/rss`` are cited too, not declared). Listing cards
``div.one`` › ``div.title a`` [E; the ``div.lineNews`` ancestor is only weakly evidenced, so it
is not required]; English ``/english/page_<N>/`` and ``/english/<id>_<slug>/`` [E]. Guessed
[G]: the tag page ``/tags/ОДКБ/``, the "read also" box ``div.readMore`` inside the body, and
the date text ``13:55, 28 ноября 2024``. A Kyrgyz edition ``/kyrgyzcha/`` exists [E] and is not
declared. Dates are Asia/Bishkek (UTC+6).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider


class Kg24Spider(NewsSpider):
    name = "kg24"
    site_name = "24.kg"
    home_url = "https://24.kg/"
    kind = "news"
    allowed_domains = ["24.kg"]
    #: One scheme for canonical URLs (links in the wild use both) [inf].
    canonical_scheme = "https"
    languages = ("ru", "en")
    rules = SiteRules(
        title_selector="h1.newsTitle",
        date_selector="span[itemprop=datePublished]",
        content_selector="div.cont",
        drop_selectors=("div.readMore", ".views", ".share", ".lineNews", ".weather"),
        date_formats=("%H:%M, %d %B %Y", "%d %B %Y %H:%M"),
        timezone="Asia/Bishkek",
    )

    feeds = {"ru": ["https://24.kg/rss/"]}
    listings = {"ru": ["https://24.kg/page_{page}"], "en": ["https://24.kg/english/page_{page}"]}
    #: guess [G]: the ОДКБ tag page, read like a listing.
    search = {"ru": ["https://24.kg/tags/{query}/"]}
    search_terms = {"ru": ["ОДКБ"]}
    article_patterns = (r"^/(?:english/)?[a-z_]+/\d+_[^/]+/?$", r"^/english/\d+_[^/]+/?$")
    listing_item_selector = "div.one"
    listing_link_selector = "div.title a::attr(href)"

    def language_for(self, url: str) -> str | None:
        """``/english/…`` is the English edition; everything else is Russian."""
        return "en" if urlsplit(url).path.startswith("/english/") else "ru"
