"""Downloader middlewares that keep a crawl honest under broken and hostile answers.

Each closes one gap between what Scrapy does by itself and what an archive needs
(``docs/reliability.md`` has the whole table of faults and the tests that prove them):

* ``SiteGuardMiddleware``: only the site's own pages are fetched. Every request (retries and
  ``dont_filter`` requests included, which Scrapy's offsite filter lets through) must be
  ``http``/``https``, on the spider's ``allowed_domains``, on a default port (or one of
  ``CSTO_ALLOWED_PORTS``), and, when its host is an IP address or a local name, that address
  must be one the spider declares: a page cannot make the crawler call ``127.0.0.1``,
  ``169.254.169.254`` or ``localhost``. With ``CSTO_MIRROR`` the rewrite to the mirror happens
  below this check, so only mirror-rewritten requests reach loopback.
* ``RedirectGuardMiddleware`` and ``RefreshGuardMiddleware``: a redirect (``Location`` or
  ``<meta http-equiv=refresh>``) to another site, to an internal address or back to a URL
  of its own chain is not followed, and the fetch fails with a message saying so. Without
  them such a redirect would be dropped silently by the scheduler's offsite or duplicate
  filter, and the fetch lost from the archive's record.
* ``BackoffRetryMiddleware``: Scrapy's retries (5xx, 408, 429, network errors), with an
  exponentially growing wait between attempts (``CSTO_RETRY_BACKOFF`` doubled per attempt,
  at most ``CSTO_RETRY_BACKOFF_MAX``), and a ``Retry-After`` header honoured (seconds or an
  HTTP date); one longer than ``CSTO_RETRY_AFTER_MAX`` is not waited for: the answer goes to
  the spider and is recorded (``blocked`` for a 429).
* ``CharsetMiddleware``: a page whose declared charset is wrong (windows-1251 bytes declared
  as UTF-8, UTF-8 bytes declared as windows-1251) is decoded with the charset its bytes are
  in (``detect_encoding``), so no mojibake reaches the archive.
* ``xml_selector``: feeds are parsed without resolving entities (no "billion laughs", no
  external entity reading a local file), without network access and without lxml's
  ``huge_tree`` (its size limits stay on). Scrapy's own ``Sitemap`` parser is equally strict.

Nothing here names a site.
"""

from __future__ import annotations

import codecs
import ipaddress
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from weakref import WeakKeyDictionary

from lxml import etree
from parsel import Selector
from scrapy.downloadermiddlewares import redirect as scrapy_redirect
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from w3lib import html as w3html
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom, resolve_encoding
from w3lib.url import safe_url_string

from csto_crawler.urls import on_site

__all__ = [
    "BackoffRetryMiddleware",
    "CharsetMiddleware",
    "MetaRefreshMiddleware",
    "RedirectGuardMiddleware",
    "RefreshGuardMiddleware",
    "SiteGuardMiddleware",
    "detect_encoding",
    "retry_after_seconds",
    "url_problem",
    "xml_errors",
    "xml_selector",
]

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOCAL_NAMES = re.compile(r"(?:^|\.)(?:localhost|localdomain|local|internal|intranet|home\.arpa)$", re.I)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


# --- which URLs may be fetched ---------------------------------------------------------------
def _is_internal(host: str) -> bool:
    """Whether a host names this machine or a private network (an address or a local name)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return bool(_LOCAL_NAMES.search(host))
    return not address.is_global


def url_problem(url: str, domains: list[str] | tuple[str, ...], ports: frozenset[int] = frozenset()) -> str | None:
    """Why ``url`` must not be fetched for a site on ``domains``, or None when it may.

    ``domains`` empty means any public host (as Scrapy's ``allowed_domains``); an internal
    host (a loopback, private or link-local address, ``localhost``, ``*.local`` …) is allowed
    only when ``domains`` names it. ``ports`` are allowed besides the scheme's default.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in _DEFAULT_PORTS:
        return f"scheme {parts.scheme or '(none)'!r} is not fetched (http and https only)"
    host = (parts.hostname or "").lower()
    if not host:
        return "no host"
    if port is not None and port != _DEFAULT_PORTS[parts.scheme] and port not in ports:
        return f"port {port} is not the site's (CSTO_ALLOWED_PORTS)"
    if domains and not on_site(url, domains):
        return f"{host} is not one of the site's domains"
    if _is_internal(host) and not any(host == d.lower() for d in domains):
        return f"{host} is an internal address"
    return None


class SiteGuardMiddleware:
    """Refuse every request the spider's site does not own (see the module docstring)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.ports = frozenset(int(p) for p in crawler.settings.getlist("CSTO_ALLOWED_PORTS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        spider = self.crawler.spider
        problem = url_problem(request.url, list(getattr(spider, "allowed_domains", None) or []), self.ports)
        if problem:
            self.crawler.stats.inc_value("csto/guard/refused")
            logger.warning("Refused to fetch %s: %s", request.url, problem)
            raise IgnoreRequest(f"not fetched: {problem}")


# --- redirects -------------------------------------------------------------------------------
def _redirect_problem(crawler, request: Request, target: str, ports: frozenset[int]) -> str | None:
    chain = [*request.meta.get("redirect_urls", []), request.url]
    if target in chain:
        return "redirect loop: " + " -> ".join([*chain[chain.index(target):], target])
    spider = crawler.spider
    problem = url_problem(target, list(getattr(spider, "allowed_domains", None) or []), ports)
    if problem:
        return f"redirect to {target} not followed: {problem}"
    return None


class RedirectGuardMiddleware:
    """Fail a fetch whose redirect loops or leaves the site, instead of losing it silently.

    Sits just before ``RedirectMiddleware`` on the way back (a higher number), so it sees
    the 3xx answer first; a redirect it accepts is then followed as usual.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.ports = frozenset(int(p) for p in crawler.settings.getlist("CSTO_ALLOWED_PORTS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if (response.status not in _REDIRECT_STATUSES or b"Location" not in response.headers
                or request.meta.get("dont_redirect")
                or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ())):
            return response
        location = response.headers[b"Location"]
        if location.startswith(b"//"):
            location = urlsplit(request.url).scheme.encode() + b":" + location
        target = urljoin(request.url, safe_url_string(location))
        problem = _redirect_problem(self.crawler, request, target, self.ports)
        if problem:
            self.crawler.stats.inc_value("csto/guard/redirects_refused")
            raise IgnoreRequest(problem)
        return response


#: Scrapy looks for ``<meta http-equiv=refresh>`` (and the ``<base>`` it resolves against) in a
#: page's first 4,096 characters ...
_REFRESH_CHARS = 4096
#: ... which lie in its first 16,384 bytes in any charset (at most four bytes a character).
_REFRESH_BYTES = 4 * _REFRESH_CHARS


def _head_text(response: TextResponse) -> str:
    """``response.text[:4096]`` without decoding the whole body: the same decoding
    (``html_to_unicode`` with the response's encoding) of its first bytes. Only the last
    character of a cut body can differ (a character cut in two); more than 4,096 decoded, it
    is not among them. ``response.text`` of an 85 KB page costs ~0.07 ms and keeps the decoded
    page in memory with the response; the head, a tenth of that."""
    body = response.body
    if len(body) > _REFRESH_BYTES:
        text = html_to_unicode(f"charset={response.encoding}", body[:_REFRESH_BYTES])[1]
        if len(text) > _REFRESH_CHARS:
            return text[:_REFRESH_CHARS]
    return response.text[:_REFRESH_CHARS]


#: Each response's answer, for the guard and the middleware that both ask (as Scrapy caches it).
_refreshes: WeakKeyDictionary[Response, tuple[tuple[str, ...], tuple]] = WeakKeyDictionary()


def meta_refresh(response: TextResponse, ignore_tags=("script", "noscript")) -> tuple[float | None, str | None]:
    """``(interval, url)`` of the page's ``<meta http-equiv=refresh>``, or ``(None, None)``: what
    ``scrapy.utils.response.get_meta_refresh`` answers, read from the head alone."""
    ignore_tags = tuple(ignore_tags)
    known = _refreshes.get(response)
    if known is not None and known[0] == ignore_tags:
        return known[1]
    text = _head_text(response)
    answer = w3html.get_meta_refresh(text, w3html.get_base_url(text, response.url, response.encoding),
                                     response.encoding, ignore_tags=ignore_tags)
    _refreshes[response] = (ignore_tags, answer)
    return answer


class RefreshGuardMiddleware(RedirectGuardMiddleware):
    """The same for ``<meta http-equiv=refresh>`` (sits just before ``MetaRefreshMiddleware``)."""

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if (not isinstance(response, HtmlResponse) or request.meta.get("dont_redirect")
                or request.method == "HEAD"):
            return response
        settings = self.crawler.settings
        if not settings.getbool("METAREFRESH_ENABLED"):
            return response
        interval, url = meta_refresh(response, ignore_tags=settings.getlist("METAREFRESH_IGNORE_TAGS"))
        if not url or interval is None or interval >= settings.getint("METAREFRESH_MAXDELAY"):
            return response
        problem = _redirect_problem(self.crawler, request, url, self.ports)
        if problem:
            self.crawler.stats.inc_value("csto/guard/redirects_refused")
            raise IgnoreRequest(f"meta refresh: {problem}")
        return response


class MetaRefreshMiddleware(scrapy_redirect.MetaRefreshMiddleware):
    """Scrapy's ``MetaRefreshMiddleware``, reading the page's head only (``meta_refresh``): the
    stock one decodes every HTML body whole on the event loop to look at its first 4,096
    characters, and keeps the decoded page with the response."""

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if (request.meta.get("dont_redirect", False) or request.method == "HEAD"
                or not isinstance(response, HtmlResponse)
                or urlparse_cached(request).scheme not in {"http", "https"}):
            return response
        interval, url = meta_refresh(response, ignore_tags=self._ignore_tags)
        if not url:
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if urlparse_cached(redirected).scheme not in {"http", "https"}:
            return response
        if interval < self._maxdelay:
            return self._redirect(redirected, request, "meta refresh")
        return response


# --- retries ---------------------------------------------------------------------------------
def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header as seconds to wait (delay-seconds or an HTTP date), or None."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's ``RetryMiddleware`` with backoff between attempts and ``Retry-After`` honoured."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.backoff = max(0.0, settings.getfloat("CSTO_RETRY_BACKOFF", 1.0))
        self.backoff_max = max(0.0, settings.getfloat("CSTO_RETRY_BACKOFF_MAX", 30.0))
        self.retry_after_max = max(0.0, settings.getfloat("CSTO_RETRY_AFTER_MAX", 120.0))

    def backoff_for(self, request: Request) -> float:
        """The wait before the next attempt of ``request``: doubling from ``CSTO_RETRY_BACKOFF``."""
        attempt = int(request.meta.get("retry_times", 0))
        return min(self.backoff * (2 ** attempt), self.backoff_max)

    async def process_response(self, request: Request, response: Response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self.backoff_for(request)
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None:
            if asked > self.retry_after_max:
                self.crawler.stats.inc_value("csto/retry/retry_after_too_long")
                logger.warning("%s: Retry-After %.0f s is longer than CSTO_RETRY_AFTER_MAX (%.0f s); "
                               "not retried", request.url, asked, self.retry_after_max)
                return response
            wait = max(wait, asked)
            self.crawler.stats.inc_value("csto/retry/retry_after")
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await self._wait(request, wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        retry = super().process_exception(request, exception)
        if retry is None:
            return None
        await self._wait(request, self.backoff_for(request))
        return retry

    async def _wait(self, request: Request, seconds: float) -> None:
        if seconds <= 0:
            return
        self.crawler.stats.inc_value("csto/retry/waited_seconds", round(seconds, 3))
        logger.debug("Waiting %.2f s before retrying %s", seconds, request.url)
        await sleep(seconds)


# --- charsets --------------------------------------------------------------------------------
#: How much of a body is looked at to decide its charset.
SNIFF_BYTES = 256 * 1024


def _decodes(sample: bytes, encoding: str, *, partial: bool) -> bool:
    try:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        decoder.decode(sample, final=not partial)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(body: bytes, declared: str | None) -> str | None:
    """The charset ``body`` is really in, when it is not ``declared``; None to keep ``declared``.

    * a byte-order mark decides;
    * bytes that are valid UTF-8 and not plain ASCII are UTF-8 (text in a single-byte
      Cyrillic charset practically never is valid UTF-8);
    * otherwise a declared (header or ``<meta>``) single-byte charset the bytes decode in is
      kept; a UTF-8 declaration the bytes break is replaced by the page's ``<meta>`` charset
      when that decodes, else by charset-normalizer's guess.
    """
    bom, _ = read_bom(body)
    if bom:
        return None if declared and resolve_encoding(declared) == resolve_encoding(bom) else bom
    sample = body[:SNIFF_BYTES]
    partial = len(body) > SNIFF_BYTES
    current = resolve_encoding(declared) if declared else None
    if sample.isascii():
        return None
    if _decodes(sample, "utf-8", partial=partial):
        return None if current == "utf-8" else "utf-8"
    if current and current != "utf-8" and _decodes(sample, current, partial=partial):
        return None
    meta = html_body_declared_encoding(sample)
    meta = resolve_encoding(meta) if meta else None
    if meta and meta != "utf-8" and meta != current and _decodes(sample, meta, partial=partial):
        return meta
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    guess = resolve_encoding(best.encoding) if best is not None and best.encoding else None
    return guess if guess and guess != current else None


class CharsetMiddleware:
    """Re-decode HTML and XML answers whose declared charset their bytes contradict."""

    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if not isinstance(response, (HtmlResponse, XmlResponse)) or not response.body:
            return response
        declared = response.encoding if isinstance(response, TextResponse) else None
        real = detect_encoding(response.body, declared)
        if real is None:
            return response
        logger.info("%s: declared charset %s does not fit its bytes; decoded as %s",
                    response.url, declared, real)
        if self.stats is not None:
            self.stats.inc_value("csto/charset/corrected")
        return response.replace(encoding=real)


# --- XML -------------------------------------------------------------------------------------
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _parse_xml(text: str):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=True, remove_comments=True, remove_pis=True,
                             encoding="utf-8")
    data = _XML_DECLARATION.sub("", text, count=1).strip().replace("\x00", "").encode("utf-8")
    root = etree.fromstring(data or b"<empty/>", parser=parser)
    if root is None:
        root = etree.fromstring(b"<empty/>", parser=parser)
    return root, parser


def xml_selector(text: str) -> Selector:
    """A parsel ``Selector`` over an XML document (a feed), parsed safely: entities are not
    resolved, nothing is fetched, lxml's size limits stay on, broken markup is recovered
    (libxml2 stops at an entity bomb: what came before it is kept)."""
    root, _ = _parse_xml(text)
    return Selector(root=root, type="xml")


def xml_errors(text: str) -> list[str]:
    """The fatal errors met parsing an XML document as ``xml_selector`` does (e.g. "Maximum
    entity amplification factor exceeded"); empty when it was read to its end."""
    _, parser = _parse_xml(text)
    return [e.message for e in parser.error_log if e.level_name == "FATAL"]
