"""baonga.com: Vietnamese news from Russia (custom CMS, theme classes ``monkey-…``).

Evidence: shared/research/evidence-2026-12.md §2.2 (no evidence) and sites.md §2.2. Vietnamese only [E]; date printed as
"Thứ tư 21/06/2023 07:19 GMT + 7" [E]; ad and teaser blocks ``.monkey-qc``,
``.monkey-section-tinnoibat``, ``.monkey-content-duoicanbiet`` [E]. No evidence of the article
container, so the body comes from the generic layers.

Discovery: articles ``/<ascii-slug>.html`` and the legacy ``/<cat>.nd<catId>/<slug>.i<id>.html``
[E]. No feed, listing or sitemap of the site is evidenced (evidence-2026-12.md §2.2): the RSS
``/rss`` and the category listing ``/the-gioi?page=N`` (cards ``div.monkey-item`` › ``h3 a``,
time ``dd/mm/yyyy HH:MM``) are guesses [G] to check on a live fetch (``csto probe``). The home
page is read too, taking every link of the evidenced article shapes, so discovery does not
hang on those guesses. The site is served over
https; old links use http.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider


class BaongaSpider(NewsSpider):
    name = "baonga"
    site_name = "Báo Nga (baonga.com)"
    home_url = "https://baonga.com/"
    kind = "news"
    allowed_domains = ["baonga.com"]
    languages = ("vi",)
    rules = SiteRules(
        drop_selectors=(".monkey-qc", ".monkey-section-tinnoibat", ".monkey-content-duoicanbiet"),
        date_formats=("%d/%m/%Y %H:%M %z", "%d/%m/%Y %H:%M"),
        timezone="Asia/Ho_Chi_Minh",
        language="vi",
    )

    # guess [G]: every entry point (feed, category listing and its cards); only -a urls= is known to work
    feeds = {"vi": ["https://baonga.com/rss"]}
    listings = {"vi": ["https://baonga.com/the-gioi?page={page}", "https://baonga.com/"]}
    article_patterns = (
        r"^/[a-z0-9]+(?:-+[a-z0-9]+)+\.html$",
        r"^/[a-z0-9-]+\.nd\d+/[a-z0-9-]+\.i\d+\.html$",
    )
    listing_item_selector = "div.monkey-item"
    listing_link_selector = "h3 a::attr(href)"
    listing_date_selector = ".monkey-item-time::text"
    listing_date_formats = ("%d/%m/%Y %H:%M",)
    canonical_scheme = "https"

    def listing_entries(self, response):
        """The category cards; on the home page every link (its markup is not evidenced)."""
        if urlsplit(response.url).path in ("", "/"):
            return [(href.strip(), None) for href in response.css("a::attr(href)").getall() if href.strip()]
        return super().listing_entries(response)

    def language_for(self, url: str) -> str | None:
        """Every page is Vietnamese."""
        return "vi"
