"""baonga.com: Vietnamese news from Russia (custom CMS, theme classes ``monkey-…``).

Evidence: shared/research/evidence-2026-12.md §2.2 (no evidence) and sites.md §2.2. Vietnamese only [E]; date printed as
"Thứ tư 21/06/2023 07:19 GMT + 7" [E]; ad and teaser blocks ``.monkey-qc``,
``.monkey-section-tinnoibat``, ``.monkey-content-duoicanbiet`` [E]. No evidence of the article
container, so the body comes from the generic layers.

Discovery: articles ``/<ascii-slug>.html`` and the legacy ``/<cat>.nd<catId>/<slug>.i<id>.html``
[E]. No feed, listing or sitemap of the site is evidenced: the RSS ``/rss`` and the category
listing ``/the-gioi?page=N`` (cards ``div.monkey-item`` › ``h3 a``, time ``dd/mm/yyyy HH:MM``)
are guesses [G] to check on a live fetch (``csto fixtures record``). The site is served over
https; old links use http.
"""

from __future__ import annotations

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
    listings = {"vi": ["https://baonga.com/the-gioi?page={page}"]}
    article_patterns = (
        r"^/[a-z0-9]+(?:-+[a-z0-9]+)+\.html$",
        r"^/[a-z0-9-]+\.nd\d+/[a-z0-9-]+\.i\d+\.html$",
    )
    listing_item_selector = "div.monkey-item"
    listing_link_selector = "h3 a::attr(href)"
    listing_date_selector = ".monkey-item-time::text"
    listing_date_formats = ("%d/%m/%Y %H:%M",)
    canonical_scheme = "https"

    def language_for(self, url: str) -> str | None:
        """Every page is Vietnamese."""
        return "vi"
