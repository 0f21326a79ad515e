"""belta.by: BelTA, the Belarusian Telegraph Agency, editions ru, en and be.

Evidence: shared/research/evidence-2026-12.md §2.13 and sites.md §2.9.

* Articles ``/<rubric>/view/<slug>-<id>-<year>/`` [E], also under ``/special/<rubric>/`` and
  ``/amp/`` [E]; the English edition on ``eng.belta.by`` [E], the Belarusian one on
  ``blr.belta.by`` [E, the host exists].
* Russian RSS ``https://www.belta.by/rss`` [E, many public configs].
* English: ``https://eng.belta.by/rss`` answers 404 [E, verified 2026-10-04], so the English
  edition is discovered from its rubric front pages ``/president/`` and ``/politics/`` [E, a
  2026 collector]; rubric pagination repeats page 1 [E], so they are not paged. Every link of
  the article shape on a rubric page is taken (``listing_item_selector``): the card markup is
  not evidenced.
* Article: title ``h1`` [E]; date ``meta[name=mediator_published_time]`` (ISO) [E], else
  ``div.date_full`` ("02 October 2026, 11:54") [E]; body ``div.js-mediator-article`` [E],
  without ``div.video_add`` [E].
* robots.txt allows everything except ``/printv*``, ``*getResults*``, ``*extendedSearch*`` [E].

Guessed [G]: the Belarusian feed ``blr.belta.by/rss/`` (the host is real, its feed is not
evidenced). Dates are Europe/Minsk (UTC+3).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

_HOSTS = {"eng.belta.by": "en", "blr.belta.by": "be"}


class BeltaSpider(NewsSpider):
    name = "belta"
    site_name = "BelTA — Belarusian Telegraph Agency (belta.by)"
    home_url = "https://belta.by/"
    kind = "news"
    allowed_domains = ["belta.by"]
    languages = ("ru", "en", "be")
    rules = SiteRules(
        title_selector="h1",
        date_selector="meta[name=mediator_published_time], div.date_full",
        content_selector="div.js-mediator-article",
        drop_selectors=(".views_count", ".main_img", ".tg_subscribe", ".news_tags", ".news_by_theme",
                        "div.video_add", "div.invite_in_messagers"),
        date_formats=("%d %B %Y, %H:%M", "%d.%m.%Y, %H:%M"),
        timezone="Europe/Minsk",
    )

    feeds = {
        "ru": ["https://www.belta.by/rss"],
        # guess [G]: the Belarusian host's feed is not evidenced
        "be": ["https://blr.belta.by/rss/"],
    }
    listings = {"en": ["https://eng.belta.by/president/", "https://eng.belta.by/politics/"]}
    listing_item_selector = 'a[href*="/view/"]'
    listing_link_selector = "::attr(href)"
    #: Rubric pages repeat page 1 when paged [E]: the front page only.
    max_pages = 1
    article_patterns = (r"^/(?:amp/|special/)?[a-z_]+/view/[a-z0-9-]+-\d+-\d{4}/?$",)
    host_aliases = {"www.belta.by": "belta.by"}
    canonical_scheme = "https"

    def language_for(self, url: str) -> str | None:
        """The edition by host: ``eng.`` → en, ``blr.`` → be, else ru."""
        return _HOSTS.get((urlsplit(url).hostname or "").lower(), "ru")
