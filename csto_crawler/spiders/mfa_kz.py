"""``mfa_kz``: the Kazakh Ministry of Foreign Affairs on gov.kz, through gov.kz's public JSON API.

Evidence (``shared/research/sites.md`` §2.9 and public code): [E] evidenced, [G] guessed.

* The ministry's pages on ``www.gov.kz/memleket/entities/mfa/…`` are rendered by JavaScript
  [E]: the HTML holds no article, so the spider reads the JSON API the pages themselves call.
* List API [E, several public scrapers of other ministries]:
  ``/api/v1/public/content-manager/news?sort-by=created_date:DESC&projects=eq:<project>
  &page=N&size=N``, a JSON list of records ``{id, title, body (HTML), created_date
  ('%Y-%m-%dT%H:%M:%S.%f%z')}``; the language is chosen by the ``Accept-Language`` header
  (``ru``, ``kk``; ``en`` [G]). The spider also puts ``lang=<code>`` in the query [G] so that
  each edition has its own URL (and its own page on the offline mirror).
* Public page of a record [E]: ``/memleket/entities/mfa/press/news/details/<id>?lang=<code>``,
  the item's ``url`` and canonical URL (one document per edition: the ``lang`` parameter is
  kept). ``-a urls=`` takes such pages and fetches the record from
  ``/api/v1/public/content-manager/news/<id>`` [G, like the evidenced ``/documents/<id>``].
* The item's text is the record's HTML ``body`` split into paragraphs and run through the
  extraction's text cleaner (``csto_crawler.extract.clean_text``), its language checked by the
  extraction's detector; ``extraction`` says ``api`` for the fields the API gave.
* Dates: the API's timestamps carry an offset; they are shown in Kazakhstan's time,
  ``Asia/Almaty`` by zoneinfo: +06:00 until 2024-03-01, +05:00 since (the country moved to one
  zone, UTC+5). A timestamp without an offset is taken as Almaty time.
* Ticket [E, evidence-2026-12.md §2.7, "verified live 2026-09-27"]: the list API answers HTTP
  400 «notAllowed» unless the session first POSTs to ``/api/v1/public/_/c/k6`` (JSON content
  type, ``Origin``) for a cookie ticket; the list GET then carries the cookie (Scrapy's cookie
  middleware keeps it), ``Accept-Language`` and a ``Referer`` on the entity's
  ``/press/news?lang=<code>`` page. The POST's body is a guess (``{}``) [G]. A 400 reaches the
  spider (``handle_httpstatus_list``): the ticket is renewed once and the list asked again;
  a second refusal is recorded as ``blocked`` and the fallback below is tried. A ticket POST
  that fails does not stop the crawl: the list is asked without it (older clients did).
* Response shapes [E]: a JSON list, or a page object with ``content`` (both are read).
* Fallback [G]: one public scraper uses another endpoint,
  ``https://gov.kz/api/v1/public/news?projects=<id>&lang=<code>&limit=N`` with the MFA as
  project 6 [G], answering ``{content: [...]}`` with ``publish_date``. When the list API
  refuses us (gov.kz's front end sends ``hash``/``token`` headers that one public scraper
  had to capture with a browser [E]) or answers something that is not JSON, the spider
  records the refusal and tries this endpoint once for that edition.
* No site search: no evidence of a search API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.request import request_from_dict

from csto_crawler.extract import clean_text
from csto_crawler.extract.document import paragraphs, parse
from csto_crawler.extract.language import choose as choose_language
from csto_crawler.extract.rules import SiteRules
from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.spiders.base import NewsSpider
from csto_crawler.urls import canonicalize

__all__ = ["MfaKzSpider", "almaty_time"]

ALMATY = ZoneInfo("Asia/Almaty")
PROJECT = "mfa"
#: The public page of one record (the item's URL).
DETAILS_URL = "https://www.gov.kz/memleket/entities/mfa/press/news/details/{id}?lang={lang}"
#: The cookie-ticket endpoint the list API wants first [E evidence §2.7].
TICKET_URL = "https://www.gov.kz/api/v1/public/_/c/k6"
#: The entity's news page, the Referer of the API requests [E evidence §2.7].
NEWS_PAGE = "https://www.gov.kz/memleket/entities/mfa/press/news?lang={lang}"
#: One record by id [G].
RECORD_URL = "https://www.gov.kz/api/v1/public/content-manager/news/{id}?lang={lang}"
_DETAILS = re.compile(r"^/memleket/entities/mfa/press/(?:news|article)/details/(\d+)/?$")
#: Record fields, in order of preference.
_DATE_FIELDS = ("created_date", "publish_date", "published_date", "createdDate", "publishedDate")
_MODIFIED_FIELDS = ("updated_date", "modified_date", "updatedDate")
_BODY_FIELDS = ("body", "content", "text")


def almaty_time(value: str | None) -> str | None:
    """An API timestamp as ISO 8601 in Kazakhstan's time (Asia/Almaty), to the second."""
    if not value or not str(value).strip():
        return None
    text = str(value).strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0600 -> +06:00
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    moment = moment.replace(tzinfo=ALMATY) if moment.tzinfo is None else moment.astimezone(ALMATY)
    return moment.replace(microsecond=0).isoformat()


class MfaKzSpider(NewsSpider):
    """gov.kz MFA news: JSON API pages yield article items directly (no HTML pages)."""

    name = "mfa_kz"
    site_name = "Министерство иностранных дел Республики Казахстан (gov.kz)"
    home_url = "https://www.gov.kz/memleket/entities/mfa?lang=ru"
    kind = "official"
    allowed_domains = ["gov.kz"]
    languages = ("ru", "en", "kk")
    #: The list API's answers hold the articles: captured as article pages are (CSTO_CAPTURE).
    capture_kinds = ("listings",)

    listings = {
        lang: [
            "https://www.gov.kz/api/v1/public/content-manager/news?sort-by=created_date:DESC"
            f"&projects=eq:{PROJECT}&page={{page}}&size=20&lang={lang}"
        ]
        for lang in ("ru", "en", "kk")
    }
    #: The other news API, tried once per edition when the list API refuses us [G].
    fallback_api = {lang: f"https://gov.kz/api/v1/public/news?projects=6&lang={lang}&limit=20" for lang in ("ru", "en", "kk")}

    article_patterns = (r"^/memleket/entities/mfa/press/(?:news|article)/details/\d+/?(?:\?|$)",)
    host_aliases = {"gov.kz": "www.gov.kz"}
    canonical_scheme = "https"
    #: Text cleaning rules for the API's HTML bodies (no selectors: there is no page).
    rules = SiteRules(timezone="Asia/Almaty")
    #: 400 is the list API's refusal without a ticket: it must reach ``parse_listing``.
    handle_httpstatus_list = [*NewsSpider.handle_httpstatus_list, 400]

    advice = {
        "blocked": (
            "gov.kz's API refused us (its web front end sends browser-made hash/token headers); "
            "the other news endpoint is tried once per edition. If both fail, crawl later, check "
            "the API in a browser's network panel and update mfa_kz.py, or record the responses "
            "as fixtures"
        ),
    }

    # --- editions and requests ----------------------------------------------------------
    def language_for(self, url: str) -> str | None:
        """The edition is the ``lang`` query parameter (details pages and API URLs alike)."""
        values = parse_qs(urlsplit(url).query).get("lang")
        if not values:
            return None
        code = values[0].strip().lower()
        code = {"kz": "kk"}.get(code, code)
        return code if code in self.languages else None

    @staticmethod
    def _api_headers(language: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json", "Referer": NEWS_PAGE.format(lang=language or "ru")}
        if language:
            headers["Accept-Language"] = language
        return headers

    def ticket_request(self, then: scrapy.Request) -> scrapy.Request:
        """The cookie-ticket POST; ``then`` (the list request) follows it, ticket or not."""
        language = then.meta.get("csto_language") or "ru"
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Origin": "https://www.gov.kz", "Referer": NEWS_PAGE.format(lang=language)}
        # the follow-up as a dict (serializable, should a disk queue hold the ticket request)
        meta = {"csto_then": then.to_dict(spider=self), "csto_language": language, "csto_kind": "ticket",
                "handle_httpstatus_all": True}
        return scrapy.Request(TICKET_URL, method="POST", body=b"{}", headers=headers, meta=meta,
                              callback=self.parse_ticket, errback=self.ticket_failed, dont_filter=True)

    def parse_ticket(self, response: Response, **kwargs):
        """The ticket answer: the list request it was made for follows."""
        if response.status >= 400:
            self.logger.warning("%s: ticket POST %s answered HTTP %d; asking the list API without it",
                                self.name, response.url, response.status)
        self._count(f"csto/mfa_kz/ticket_{response.status}")
        yield request_from_dict(response.meta["csto_then"], spider=self)

    def ticket_failed(self, failure):
        """A ticket POST with no answer at all: the list request goes ahead without it."""
        self.logger.warning("%s: ticket POST failed (%s); asking the list API without it", self.name, failure.value)
        yield request_from_dict(failure.request.meta["csto_then"], spider=self)

    def _with_language(self, request: scrapy.Request) -> scrapy.Request:
        language = request.meta.get("csto_language") or self.language_for(request.url)
        for key, value in self._api_headers(language).items():
            request.headers[key] = value
        return request

    def entry_requests(self, point):
        """The ticket POST, then the list API request with its edition's ``Accept-Language``."""
        return [self.ticket_request(self._with_language(r)) for r in super().entry_requests(point)]

    def next_page(self, response: Response, entries):
        """The next API page, with the same ``Accept-Language``."""
        following = super().next_page(response, entries)
        return self._with_language(following) if following is not None else None

    def article_request(self, url: str, *, kind: str = "article", **kwargs) -> scrapy.Request:
        """A details page (``-a urls=``) is fetched as its record from the API (the page's
        conditional headers, if any, do not apply to the API and are dropped)."""
        match = _DETAILS.match(urlsplit(url).path)
        if not match:
            return super().article_request(url, kind=kind, **kwargs)
        language = self.language_for(url) or "ru"
        kwargs.pop("headers", None)
        meta = dict(kwargs.pop("meta", None) or {}, csto_kind=kind, csto_language=language, csto_details=url)
        return self.ticket_request(scrapy.Request(
            RECORD_URL.format(id=match.group(1), lang=language),
            callback=self.parse_record,
            errback=self.fetch_failed,
            headers=self._api_headers(language),
            meta=meta,
            **kwargs,
        ))

    def recheck_requests(self) -> list[scrapy.Request]:
        """None: the list API hands back every recent record, known ones included, on each
        run, so a known record is re-checked there (``refresh_decision``) at no extra request."""
        return []

    # --- callbacks --------------------------------------------------------------------------
    def parse_listing(self, response: Response, **kwargs):
        """One page of the list API: an item per record, then the next page."""
        records, problem = self._records(response)
        if problem is not None:
            yield from problem
            return
        language = self._language_of(response)
        entries: list[tuple[str, date | None]] = []
        for record in records:
            item = self.record_item(record, language, response)
            if item is None:
                continue
            published = date.fromisoformat(item.published_at[:10]) if item.published_at else None
            entries.append((item.url, published))
            if self.since and published and published < self.since:
                continue
            if self.refresh_decision(item.canonical_url or item.url) == "skip":
                self._count("csto/refresh/skipped_known")  # known, not due (or not about the CSTO)
                continue
            yield item
        self._count("csto/discovery/api_records", len(entries))
        if response.meta.get("csto_fallback"):
            return  # the fallback endpoint is read once, not paged
        following = self.next_page(response, entries)
        if following is not None:
            yield following

    def parse_record(self, response: Response, **kwargs):
        """One record fetched by id (``-a urls=`` of a details page)."""
        records, problem = self._records(response)
        if problem is not None:
            yield from problem
            return
        for record in records[:1]:
            item = self.record_item(record, self._language_of(response), response, url=response.meta.get("csto_details"))
            if item is not None:
                yield item

    def _language_of(self, response: Response) -> str:
        return response.meta.get("csto_language") or self.language_for(response.url) or "ru"

    def _answer(self, response: Response) -> tuple[list[dict], Iterator | None]:
        """The records of an API answer that is not a 400, or what to yield instead."""
        problem = self.entry_problem(response)
        if problem is not None:
            return [], self._after_failure(response, problem)
        try:
            data = json.loads(response.body)
        except ValueError:
            record = self._record(response, "blocked" if response.status == 200 else "error",
                                  f"HTTP {response.status}, not JSON ({response.headers.get('Content-Type', b'').decode('latin-1')})")
            return [], self._after_failure(response, record)
        return records_of(data), None

    def _records(self, response: Response) -> tuple[list[dict], Iterator | None]:
        """The records of an API response, or the records/requests to yield instead; a 400
        refusal renews the ticket once."""
        if response.status == 400:
            return [], self._refused(response)
        return self._answer(response)

    def _refused(self, response: Response) -> Iterator:
        """The list API's 400 «notAllowed»: a new ticket and the same request once, then the
        refusal recorded (``blocked``) and the fallback."""
        request = response.request
        renewable = response.meta.get("csto_kind") in ("listings", "article", "recheck")
        if request is not None and renewable and not response.meta.get("csto_renewed"):
            self.logger.info("%s: %s refused (HTTP 400); renewing the ticket once", self.name, response.url)
            again = request.replace(dont_filter=True, meta=dict(request.meta, csto_renewed=True))
            return iter([self.ticket_request(again)])
        detail = f"HTTP 400, refused ({response.text[:80].strip() if isinstance(response, TextResponse) else ''})"
        return self._after_failure(response, self._record(response, "blocked", detail))

    def _after_failure(self, response: Response, record: FetchRecord) -> Iterator:
        """The refusal (unless it is the normal end of paging), then the fallback endpoint once."""
        if record.outcome == "gone" and int(response.meta.get("csto_page", self.first_page)) > self.first_page:
            return iter(())
        out: list = [] if record.outcome == "gone" else [record]
        language = self._language_of(response)
        fallback = self.fallback_api.get(language)
        first = int(response.meta.get("csto_page", self.first_page)) == self.first_page
        if fallback and first and response.meta.get("csto_kind") == "listings" and not response.meta.get("csto_fallback"):
            self.logger.info("%s: list API failed for %s; trying %s", self.name, language, fallback)
            meta = {"csto_language": language, "csto_kind": "listings", "csto_fallback": True, "csto_entry": fallback}
            out.append(scrapy.Request(fallback, callback=self.parse_listing, errback=self.fetch_failed,
                                      headers=self._api_headers(language), meta=meta))
        return iter(out)

    # --- one record -----------------------------------------------------------------------
    def record_item(self, record: dict, language: str, response: Response, url: str | None = None) -> ArticleItem | None:
        """The ``ArticleItem`` of one API record (None when it has no id or title)."""
        rid = record.get("id")
        title = " ".join(str(record.get("title") or "").split())
        if rid is None or not title:
            self.logger.debug("%s: record without id or title skipped: %r", self.name, str(record)[:120])
            return None
        details = url or DETAILS_URL.format(id=rid, lang=language)
        html = next((record[k] for k in _BODY_FIELDS if isinstance(record.get(k), str) and record[k].strip()), "")
        tree = parse(f"<html><body>{html}</body></html>") if html else None
        cleaned = clean_text("\n".join(paragraphs(tree.body)) if tree is not None else "", title=title, rules=self.rules)
        text = cleaned.text or None
        checked, detected = choose_language(language, text or title)
        published = next((almaty_time(record[k]) for k in _DATE_FIELDS if record.get(k)), None)
        modified = next((almaty_time(record[k]) for k in _MODIFIED_FIELDS if record.get(k)), None)
        sources = {"title": "api", "language": "text" if detected else "site"}
        if text:
            sources["text"] = "api"
        if published:
            sources["published_at"] = "api"
        if modified:
            sources["modified_at"] = "api"
        if cleaned.source_credit:
            sources["source_credit"] = "text"
        return ArticleItem(
            url=details,
            site=self.name,
            canonical_url=canonicalize(details, host_aliases=self.host_aliases, scheme=self.canonical_scheme),
            language=checked,
            title=title,
            text=text,
            published_at=published,
            modified_at=modified,
            source_credit=cleaned.source_credit,
            http_status=response.status,
            extraction=sources,
            capture_id=response.meta.get("csto_capture_id"),
        )


def records_of(data) -> list[dict]:
    """The records of an API answer: a list, or a page object's ``content``/``data``/``items``;
    a single record is a one-element list."""
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if isinstance(data, dict):
        for key in ("content", "data", "items", "results"):
            if isinstance(data.get(key), list):
                return [r for r in data[key] if isinstance(r, dict)]
        if "id" in data:
            return [data]
    return []
