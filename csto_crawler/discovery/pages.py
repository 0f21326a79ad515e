"""Reading entry pages: plain functions over a Scrapy response and a site's description.

Nothing here needs a crawler: a test builds an ``HtmlResponse``/``XmlResponse`` from bytes and
calls the function. An *entry* is ``(url, date or None)``: a link as the page shows it (relative
links are resolved by the caller) and the calendar date the page gives for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from csto_crawler.guards import xml_errors, xml_selector
from csto_crawler.urls import canonicalize, on_site

__all__ = [
    "Entry",
    "ListingShape",
    "SitemapPage",
    "article_links",
    "feed_date",
    "feed_entries",
    "feed_links",
    "listing_entries",
    "newest",
    "page_type",
    "robots_sitemaps",
    "section_links",
    "sitemap_page",
    "unreadable_xml",
]

#: ``(link, date or None)``: one article link an entry page shows.
Entry = tuple[str, date | None]

#: ``type`` values of ``<link rel="alternate">`` that announce a feed.
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
#: File endings of links that are never a section page.
_NOT_PAGES = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".pdf", ".doc", ".docx", ".xls",
              ".xlsx", ".zip", ".rar", ".mp3", ".mp4", ".xml", ".rss", ".css", ".js", ".ico")


def _text(response: Response) -> str:
    return response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")


def feed_date(value: str | None) -> date | None:
    """The calendar date of an RSS (RFC 822) or Atom/sitemap (ISO 8601) timestamp."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def page_type(response: Response) -> str:
    """``feed``, ``sitemap`` or ``page`` (HTML), from the start of the body."""
    head = response.body[:512].lstrip()
    if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<urlset" in head or b"<sitemapindex" in head:
        start = response.body[:2048]
        return "sitemap" if b"<urlset" in start or b"<sitemapindex" in start else "feed"
    return "page"


def unreadable_xml(response: Response) -> str | None:
    """Why lxml could not read a feed or sitemap to its end (broken or hostile XML: an entity
    bomb stops the parser), or None when it could."""
    text = _text(response)
    errors = xml_errors(text) if text.strip() else ["empty body"]
    return errors[0].strip() if errors else None


def feed_entries(response: Response) -> list[Entry]:
    """The ``(link, date)`` of each RSS ``item`` / Atom ``entry``."""
    # parsed safely: no entity expansion, no external entities, lxml's size limits on
    selector = xml_selector(_text(response))
    selector.remove_namespaces()
    entries = []
    for item in selector.xpath("//item"):
        link = item.xpath("link/text()").get() or item.xpath("guid[not(@isPermaLink='false')]/text()").get()
        stamp = item.xpath("pubDate/text()").get() or item.xpath("date/text()").get()
        if link:
            entries.append((link.strip(), feed_date(stamp)))
    for entry in selector.xpath("//entry"):
        link = entry.xpath("link[@rel='alternate' or not(@rel)]/@href").get()
        stamp = entry.xpath("published/text()").get() or entry.xpath("updated/text()").get()
        if link:
            entries.append((link.strip(), feed_date(stamp)))
    return entries


@dataclass(frozen=True)
class SitemapPage:
    """A parsed sitemap: an index (``entries`` are sitemaps) or a urlset (articles)."""

    index: bool
    entries: list[Entry]


def sitemap_page(response: Response) -> SitemapPage | None:
    """The sitemap a response holds (news sitemaps are urlsets too), or None when it is none."""
    try:
        sitemap = Sitemap(response.body)
    except Exception:  # lxml raises several kinds on garbage
        return None
    entries = [(e["loc"], feed_date(e.get("lastmod"))) for e in sitemap if e.get("loc")]
    return SitemapPage(index=sitemap.type == "sitemapindex", entries=entries)


def robots_sitemaps(response: Response) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt."""
    return list(sitemap_urls_from_robots(response.body, base_url=response.url))


def newest(entries: Sequence[Entry], limit: int) -> list[Entry]:
    """The ``limit`` newest entries (undated ones after the dated, in page order)."""
    ranked = sorted(enumerate(entries), key=lambda x: (x[1][1] is None, -(x[1][1] or date.min).toordinal(), x[0]))
    return [entry for _, entry in ranked[:limit]]


@dataclass(frozen=True)
class ListingShape:
    """How a site's listing cards read (``NewsSpider.listing_*_selector``)."""

    item: str | None = None  #: one card (None: the whole page is one card)
    link: str = "a::attr(href)"  #: inside a card, the article link's ``href``
    date: str | None = None  #: inside a card, the date text


def listing_entries(response: Response, shape: ListingShape,
                    read_date: Callable[[str], date | None]) -> list[Entry]:
    """The ``(link, date)`` of each card of a listing page; ``read_date`` reads a card's date."""
    cards = response.css(shape.item) if shape.item else [response]
    entries = []
    for card in cards:
        link = card.css(shape.link).get()
        if not link:
            continue
        published = None
        if shape.date:
            text = " ".join(t.strip() for t in card.css(shape.date).getall() if t.strip())
            published = read_date(text)
        entries.append((link.strip(), published))
    return entries


def _hrefs(response: Response, selector: str = "a::attr(href)") -> Iterable[str]:
    if not isinstance(response, TextResponse):
        return []
    return (h.strip() for h in response.css(selector).getall() if h and h.strip())


def article_links(response: Response, is_article: Callable[[str], bool]) -> list[Entry]:
    """Every link of a page that ``is_article`` accepts (absolute, canonical, in page order,
    each once): the harvest when a listing's card selector matches nothing."""
    seen: set[str] = set()
    entries: list[Entry] = []
    for href in _hrefs(response):
        url = canonicalize(urljoin(response.url, href))
        if url not in seen and is_article(url):
            seen.add(url)
            entries.append((url, None))
    return entries


def feed_links(response: Response, domains: Sequence[str]) -> list[str]:
    """The on-site feeds a page announces (``<link rel="alternate" type="application/rss+xml">``
    or Atom), absolute, each once."""
    if not isinstance(response, TextResponse):
        return []
    found: list[str] = []
    for link in response.css("link[href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = urljoin(response.url, link.attrib["href"].strip())
            if on_site(url, domains) and url not in found:
                found.append(url)
    return found


def _section_url(url: str, home: str, domains: Sequence[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not on_site(url, domains) or parts.query:
        return False
    path = parts.path.rstrip("/")
    if not path or url.rstrip("/") == home.rstrip("/") or path.lower().endswith(_NOT_PAGES):
        return False
    return len([p for p in path.split("/") if p]) <= 2


def section_links(response: Response, domains: Sequence[str], is_article: Callable[[str], bool],
                  limit: int) -> list[str]:
    """Up to ``limit`` section pages a home page links to: on-site pages one or two path
    segments deep that are not articles, those in the navigation (``nav``, ``header``, menus)
    first, each once."""
    navigation = "nav a::attr(href), header a::attr(href), [class*=menu] a::attr(href), [id*=menu] a::attr(href)"
    found: list[str] = []
    for href in [*_hrefs(response, navigation), *_hrefs(response)]:
        url = canonicalize(urljoin(response.url, href).split("#")[0])
        if url not in found and _section_url(url, response.url, domains) and not is_article(url):
            found.append(url)
        if len(found) >= limit:
            break
    return found
