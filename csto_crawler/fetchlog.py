"""Fetches that archived nothing: their ``FetchRecord``, and what the log tells the operator.

``PageRecords`` (a mixin of ``NewsSpider``) turns a challenge, an error page, a removed page or
a failed request into a ``FetchRecord`` and one log line with advice per outcome (``ADVICE``;
a site module replaces it for its own pages with ``NewsSpider.advice``).
"""

from __future__ import annotations

import re

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from csto_crawler.items import FetchRecord
from csto_crawler.pagecheck import check as check_page

__all__ = ["ADVICE", "PageRecords", "failure_detail"]

#: The log line's advice per outcome of a page that was not archived.
ADVICE = {
    "blocked": (
        "the site refused us or served a bot challenge instead of the page; nothing was archived. "
        "Slow down (DOWNLOAD_DELAY), check the site's robots.txt and terms, or record the page "
        "with a browser and add a fixture"
    ),
    "error": (
        "the site served an error page; nothing was archived. If it persists, the URL pattern "
        "or the site may have changed: fetch the URL by hand and update the site module"
    ),
    "gone": "the page was removed (the archive keeps earlier versions)",
    "failed": (
        "no usable answer (network error, refused redirect, oversized or cut-off body); nothing "
        "was archived and the archive keeps what it had; the page is tried again on the next run"
    ),
}

_MAXSIZE_RE = re.compile(r"larger than download max size \((\d+)\)|exceeded DOWNLOAD_MAXSIZE \((\d+) B\)")


def failure_detail(reason: BaseException, maxsize: int = 0) -> tuple[str, str]:
    """(outcome, detail) of a request that got no usable response, said plainly."""
    text = str(reason)
    if "robots.txt" in text:
        return "blocked", "forbidden by robots.txt"
    match = _MAXSIZE_RE.search(text)
    if match:
        limit = match.group(1) or match.group(2)
        how = "when decompressed" if match.group(2) else "announced or received"
        return "error", f"response larger than {limit} bytes ({how}; DOWNLOAD_MAXSIZE); dropped"
    if type(reason).__name__ in ("CancelledError", "DownloadCancelledError") and not text and maxsize:
        # Scrapy's HTTP handler cancels a body that grows past the limit without a message
        return "error", f"response larger than {maxsize} bytes (received; DOWNLOAD_MAXSIZE); dropped"
    if isinstance(reason, IgnoreRequest) and text:
        return "error", text
    return "error", f"{type(reason).__name__}: {text}" if text else type(reason).__name__


class PageRecords:
    """``FetchRecord``s of pages that are not what was asked for (a mixin of ``NewsSpider``)."""

    @staticmethod
    def requested_url(response: Response) -> str:
        """The URL as first requested (before any redirect), never a mirror URL."""
        redirects = response.request.meta.get("redirect_urls") if response.request is not None else None
        return redirects[0] if redirects else response.url

    @staticmethod
    def headers_of(response: Response) -> dict[str, str]:
        """The response's headers as ``pagecheck.check`` reads them (lower-case names, first
        values)."""
        return {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}

    def page_problem(self, response: Response) -> FetchRecord | None:
        """A ``FetchRecord`` when the response is a challenge, an error page or gone, else None."""
        problem = check_page(response.status, self.headers_of(response), response.body)
        if problem is None:
            return None
        return self._record(response, problem.outcome, problem.detail)

    def _record(self, response: Response, outcome: str, detail: str) -> FetchRecord:
        url = self.requested_url(response)
        self._count(f"csto/pages/{outcome}")
        log = self.logger.info if outcome == "gone" else self.logger.warning
        log("%s %s: %s: %s", self.name, url, detail, self.advice.get(outcome) or ADVICE[outcome])
        return self._fetch_record(response, outcome, detail)

    def _fetch_record(self, response: Response, outcome: str, detail: str) -> FetchRecord:
        return FetchRecord(url=self.requested_url(response), site=self.name, outcome=outcome, http_status=response.status,
                           etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"), detail=detail,
                           capture_id=capture_id_of(response))

    def fetch_failed(self, failure: Failure):
        """Errback: a request that got no usable response (network error, robots.txt, …)."""
        request = failure.request
        # the URL first asked for: a redirect the guards refused is the fetch of that URL
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        outcome, detail = failure_detail(failure.value, self.settings.getint("DOWNLOAD_MAXSIZE") if getattr(self, "settings", None) else 0)
        self._count(f"csto/pages/{outcome}")
        advice = (self.advice.get(outcome) or ADVICE[outcome]) if outcome == "blocked" else ADVICE["failed"]
        self.logger.warning("%s %s: %s: %s", self.name, url, detail, advice)
        entry = request.meta.get("csto_entry")
        if entry and request.meta.get("csto_kind") not in ("article", "recheck"):
            self.report.answered(entry, f"failed: {detail}", request.meta.get("csto_found_by"))
        yield FetchRecord(url=url, site=self.name, outcome=outcome, detail=detail)

    def _count(self, key: str, count: int = 1) -> None:
        if getattr(self, "crawler", None) is not None:
            self.crawler.stats.inc_value(key, count)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def capture_id_of(response: Response) -> int | None:
    """The raw capture the capture middleware wrote for this response (None when not captured)."""
    request = response.request
    return request.meta.get("csto_capture_id") if request is not None else None
