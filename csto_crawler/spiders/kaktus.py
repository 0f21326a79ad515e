"""kaktus.media: Kaktus Media, a Kyrgyz news site (Russian).

Evidence: shared/research/evidence-2026-12.md §2.10 and sites.md §2.9.

* Articles ``/doc/<id>_<slug>.html`` [E, many public pages].
* Sitemaps: one per month, ``/other/sitemap.php?sitemap=sitemap.xml&year=YYYY&mount=MM``
  ("mount" sic), a ``urlset`` of ``/doc/`` URLs with ``<lastmod>`` [E, public code]. A normal
  crawl reads this month's and last month's; ``-a since=`` walks back month by month to that
  month. The zero-padded month is a guess [G]. ``/sitemap.xml`` is not evidenced and not used.
* The news list of a day ``/?lable=8&date=YYYY-MM-DD&order=time`` [E]: cards
  ``div.Tag--article`` with the link ``a.ArticleItem--name`` [E]; a normal crawl reads today's
  and yesterday's (Bishkek time).
* Article body ``div.BbCode`` [E] (inside ``div.Article--text``), also
  ``div.Article--block-content`` [E]. Guessed [G]: the title ``h1.Article--title``, the date
  ``.Article--date`` and its text ``23 ноября 2023, 15:10``; when they miss, the generic
  layers take over.
* A Kyrgyz edition is not evidenced and not declared. Dates are Asia/Bishkek (UTC+6).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import scrapy

from csto_crawler.entrypoints import EntryPoint
from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

BISHKEK = ZoneInfo("Asia/Bishkek")


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
        content_selector="div.BbCode, div.Article--block-content",
        drop_selectors=(".Article--views", ".Article--comments", ".Article--share", ".Article--copy", ".Article--related"),
        date_formats=("%d %B %Y, %H:%M", "%d.%m.%Y, %H:%M"),
        timezone="Asia/Bishkek",
        language="ru",
    )

    #: ``{year}`` and ``{month}`` are filled for every month of the crawl's window.
    sitemaps = {"ru": ["https://kaktus.media/other/sitemap.php?sitemap=sitemap.xml&year={year}&mount={month}"]}
    #: ``{date}`` is filled with today and yesterday (YYYY-MM-DD).
    listings = {"ru": ["https://kaktus.media/?lable=8&date={date}&order=time"]}
    listing_item_selector = "div.Tag--article"
    listing_link_selector = "a.ArticleItem--name::attr(href)"
    article_patterns = (r"^/doc/\d+_[^/]+\.html$",)
    #: Months a normal crawl reads, this one included [G: a choice].
    recent_months = 2
    #: Day lists a normal crawl reads, today included [G: a choice].
    recent_days = 2

    def today(self) -> date:
        """Today in Bishkek (discovery only: which month and day pages to read)."""
        return datetime.now(BISHKEK).date()

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every monthly sitemap to read, newest first."""
        today = self.today()
        year, month = today.year, today.month
        if self.since:
            oldest = (self.since.year, self.since.month)
        else:
            back = today.year * 12 + today.month - 1 - (self.recent_months - 1)
            oldest = (back // 12, back % 12 + 1)
        out = []
        while (year, month) >= oldest:
            out.append((year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return out

    def entry_requests(self, point: EntryPoint) -> list[scrapy.Request]:
        """A dated entry point becomes one request per month (sitemaps) or day (lists)."""
        meta = {"csto_language": point.language, "csto_kind": point.kind}
        if "{year}" in point.url:
            return [self._entry_request(point.url.format(year=y, month=f"{m:02d}"), self.parse_sitemap,
                                        dict(meta, csto_entry=point.url))
                    for y, m in self.months()]
        if "{date}" in point.url:
            if self.since:
                return []  # back-fills read the monthly sitemaps
            days = [self.today() - timedelta(days=n) for n in range(self.recent_days)]
            return [self._entry_request(point.url.format(date=d.isoformat()), self.parse_listing,
                                        dict(meta, csto_entry=point.url))
                    for d in days]
        return super().entry_requests(point)
