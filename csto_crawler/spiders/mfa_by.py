"""``mfa_by``: the Belarusian Ministry of Foreign Affairs, mfa.gov.by.

Evidence: ``shared/research/evidence-2026-12.md`` §2.5 and ``sites.md`` §2.5; [E] evidenced
by public pages or public code, [G] guessed.

* Editions: Russian at the root, English under ``/en/`` [E], Belarusian under ``/be/`` [G: not
  evidenced on the main host]; embassies live on ``<country>.mfa.gov.by`` and are not crawled.
* **The news list is a POST date-range form** [E, a 2026 collector]: the section page
  ``/[en/]press/news_mfa/`` prints a token; the list answers
  ``page=N&ggtoken=…&date_from=DD.MM.YYYY&date_to=DD.MM.YYYY`` with up to 10 items per query,
  the session cookie kept. The spider GETs the section page (taking the article links it
  shows), reads the token from the form, then asks one day at a time, newest first: page
  ``N+1`` of the same day while a page is full (10 items), else the day before; a normal crawl
  walks back ``recent_days`` days [G: a choice], ``-a since=`` back to that day (at most
  ``CSTO_BACKFILL_MAX_PAGES`` queries). A valid result page holds ``tabs__item`` [E]; its links
  are relative ``/press/news_mfa/<16 hex>.html`` [E].
* Pages are windows-1251 [E]; the charset comes through the HTTP header or the meta tag.
* Article [E]: title ``h1``; date ``span.date._big`` ("19 мая 2021 г.", "15 September 2021");
  the body follows the date up to the ``/print/`` link or ``div.content-page__social``. The
  body container ``div.article__text`` is a guess [G]: when it misses, the generic layers take
  over; the font-size widget, language label and "Source: … ©" footer are removed as text.
* The block page "Web Page Blocked" [E] is recognised by ``csto_crawler.pagecheck`` (``blocked``).
* Dates are Minsk time (Europe/Minsk, +03:00); mfa.gov.by prints no time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from csto_crawler.extract.rules import SiteRules
from csto_crawler.spiders.base import NewsSpider

__all__ = ["MfaBySpider"]

_EDITION = re.compile(r"^/(en|be)/")
MINSK = ZoneInfo("Europe/Minsk")
_TOKEN = re.compile(r"""ggtoken["']?\s*[:=,]\s*["']([A-Za-z0-9_.:-]{4,})""")
#: Items the form returns per query at most [E]: a full page means there may be another.
PAGE_SIZE = 10


class MfaBySpider(NewsSpider):
    """mfa.gov.by: the news section's date-range form, one day per query."""

    name = "mfa_by"
    site_name = "Министерство иностранных дел Республики Беларусь (mfa.gov.by)"
    home_url = "https://mfa.gov.by/"
    kind = "official"
    allowed_domains = ["mfa.gov.by"]
    languages = ("ru", "en", "be")

    listings = {
        "ru": ["https://mfa.gov.by/press/news_mfa/"],
        "en": ["https://mfa.gov.by/en/press/news_mfa/"],
        # guess [G]: /be/ on the main host is not evidenced
        "be": ["https://mfa.gov.by/be/press/news_mfa/"],
    }
    #: Days a normal crawl asks the form for, today included [G: a choice].
    recent_days = 7

    article_patterns = (r"^/(?:(?:en|be)/)?press/news_mfa/[0-9a-f]{16}\.html$",)
    #: Every article-shaped link is a card (result items are ``tabs__item`` [E]).
    listing_item_selector = 'a[href*="/press/news_mfa/"][href$=".html"]'
    listing_link_selector = "::attr(href)"

    host_aliases = {"www.mfa.gov.by": "mfa.gov.by"}
    canonical_scheme = "https"

    rules = SiteRules(
        content_selector="div.article__text",
        title_selector="h1",
        date_selector="span.date._big, div.article__date, h1 + span",
        drop_selectors=(
            ".font-size", ".page-tools", ".article__lang", ".article__source", ".more-news", ".breadcrumbs",
            ".top-bar", "nav", "header", "footer", "div.content-page__social", 'a[href^="/print/"]',
        ),
        date_formats=("%d %B %Y г.", "%d %B %Y"),
        timezone="Europe/Minsk",
        furniture=(
            r"(?:Размер шрифта|Памер шрыфту|Font size):?(?:\s+A){0,3}",
            r"(?:Русский|English|Беларуская)",
            r"(?:Источник|Крыніца|Source):\s+\S*mfa\.gov\.by\S*(?:\s+©.*)?",
            r"(?:Версия для печати|Версія для друку|Print version)",
        ),
    )

    def language_for(self, url: str) -> str | None:
        """``/en/`` and ``/be/`` are their editions; any other path on the site is Russian."""
        match = _EDITION.match(urlsplit(url).path)
        return match.group(1) if match else "ru"

    # --- the date-range form ------------------------------------------------------------
    def next_page(self, response: Response, entries):
        """The next form query: page N+1 of the same day when this page was full, else the
        day before, until the window (``recent_days`` or ``-a since``) is walked."""
        token = self.form_token(response)
        if not token:
            if response.request is not None and response.request.method == "POST":
                return None
            self.logger.warning("%s %s: no ggtoken in the page's form; only the links it shows are followed",
                                self.name, response.url)
            return None
        meta = response.meta if response.request is not None else {}
        day = meta.get("csto_day")
        queries = int(meta.get("csto_queries", 0))
        if day is None:  # the section page: start today
            return self.form_request(response, token, self.today(), 1, queries)
        day = date.fromisoformat(day)
        if len(entries) >= PAGE_SIZE:
            return self.form_request(response, token, day, int(meta.get("csto_form_page", 1)) + 1, queries)
        earlier = day - timedelta(days=1)
        if earlier < self.window_start():
            return None
        return self.form_request(response, token, earlier, 1, queries)

    @staticmethod
    def form_token(response: Response) -> str | None:
        """The page's form token: the ``ggtoken`` input, else a ``ggtoken`` value printed in a
        script (how the page prints it is not evidenced [G])."""
        token = response.css("input[name=ggtoken]::attr(value)").get()
        if token:
            return token.strip()
        match = _TOKEN.search(response.text) if hasattr(response, "text") else None
        return match.group(1) if match else None

    def form_request(self, response: Response, token: str, day: date, page: int, queries: int) -> scrapy.Request | None:
        """The POST of one day's query (the form's own action, the session cookie kept)."""
        if queries >= self.page_guard_queries():
            self.logger.info("%s: %d form queries made; stop at %s", self.name, queries, day)
            return None
        action = response.css("form:has(input[name=ggtoken])::attr(action)").get() or response.url
        action = action.strip() or response.url
        shown = day.strftime("%d.%m.%Y")
        meta = {k: v for k, v in response.meta.items() if k.startswith("csto_")} if response.request is not None else {}
        meta.update(csto_day=day.isoformat(), csto_form_page=page, csto_queries=queries + 1)
        return scrapy.FormRequest(
            response.urljoin(action),
            formdata={"page": str(page), "ggtoken": token, "date_from": shown, "date_to": shown},
            callback=self.parse_listing, errback=self.fetch_failed, meta=meta, dont_filter=True,
        )

    def today(self) -> date:
        """Today in Minsk (discovery only: which days to ask the form for)."""
        return datetime.now(MINSK).date()

    def window_start(self) -> date:
        """The oldest day a crawl asks for."""
        return self.since or self.today() - timedelta(days=self.recent_days - 1)

    def page_guard_queries(self) -> int:
        """How many form queries one edition may make in this run."""
        settings = getattr(self, "settings", None)
        if self.since:
            return settings.getint("CSTO_BACKFILL_MAX_PAGES", 300) if settings else 300
        return self.recent_days * self.page_guard()  # a day's pages count like a listing's
