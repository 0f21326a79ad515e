"""kaktus.media: Kaktus Media, a Kyrgyz news site (Russian).

Evidence: shared/research/sites.md §2.9. Articles ``/doc/<id>_<slug>.html`` [E, many public
pages]; a sitemap read through its ``<loc>``/``<lastmod>`` entries [E, public code]; article body
``div.BbCode`` and list items ``div.Tag--article`` [E, public code]. The sitemap's address
(``/sitemap.xml``, also listed in robots.txt), the ``Article--title``/``Article--date`` markup and
the date text format ``23 ноября 2023, 15:10`` are guesses [G]. A Kyrgyz edition is not
evidenced and not declared. Dates are Asia/Bishkek (UTC+6).
"""

from __future__ import annotations

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider


class KaktusSpider(NewsSpider):
    name = "kaktus"
    site_name = "Kaktus.media"
    home_url = "https://kaktus.media/"
    kind = "news"
    allowed_domains = ["kaktus.media"]
    languages = ("ru",)
    rules = SiteRules(
        title_selector="h1.Article--title",
        date_selector=".Article--date",
        content_selector="div.BbCode",
        drop_selectors=(".Article--views", ".Article--comments", ".Article--share", ".Article--copy", ".Article--related"),
        date_formats=("%d %B %Y, %H:%M", "%d.%m.%Y, %H:%M"),
        timezone="Asia/Bishkek",
        language="ru",
    )

    sitemaps = {"ru": ["https://kaktus.media/sitemap.xml"]}
    article_patterns = (r"^/doc/\d+_[^/]+\.html$",)
