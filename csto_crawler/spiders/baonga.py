"""baonga.com: Vietnamese news from Russia (custom CMS, theme classes ``monkey-…``).

Evidence: shared/research/sites.md §2.2. Vietnamese only [E]; date printed as
"Thứ tư 21/06/2023 07:19 GMT + 7" [E]; ad and teaser blocks ``.monkey-qc``,
``.monkey-section-tinnoibat``, ``.monkey-content-duoicanbiet`` [E]. No evidence of the article
container, so the body comes from the generic layers.
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

    def language_for(self, url: str) -> str | None:
        """Every page is Vietnamese."""
        return "vi"
