"""Saved pages extracted as the crawl extracts them: the site's rules, the spider's item mapping.

``SavedPages`` gives, for a page saved to a file and its URL, the ``extract()`` arguments the
crawl would use (the rules of the site module whose domains cover the URL, else none: generic
layers only) and the item fields the crawl would store (the site spider's ``article_item``, the
one mapping from an ``Extraction`` to the item, canonical URL included; a generic
``NewsSpider`` for a URL of no site). ``sidecar_url`` reads a page's URL from its sidecar;
``page_text`` is the whole extraction as a function of the page, for scorers
(``score.py --python csto_crawler.saved_pages:page_text --input bytes``). ``csto extract`` and
``bench`` use it.

A saved page given as bytes, with no encoding named by the caller, is decoded as the crawl
decodes an answer (``guards.CharsetMiddleware``): the charset it declares (BOM, ``<meta>``)
unless its bytes contradict it (``guards.detect_encoding``: valid UTF-8 with non-ASCII text is
UTF-8; an undeclared page in no valid UTF-8, charset-normalizer's guess). Pages re-encoded to
UTF-8 with their old ``<meta charset=windows-1251>`` left in place then read as text, not
mojibake, as they do in a crawl.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from scrapy.http import HtmlResponse
from w3lib.encoding import html_body_declared_encoding

from csto_crawler.extract import extract
from csto_crawler.guards import detect_encoding
from csto_crawler.sites import spider_for_url
from csto_crawler.spiders.base import NewsSpider

__all__ = ["SavedPages", "page_text", "sidecar_url"]

#: Item fields that describe a fetch, not the page: left out of a saved page's fields.
FETCH_FIELDS = ("http_status", "etag", "last_modified", "content_hash", "short_hash", "capture_id")


class SavedPages:
    """The site spider serving each URL (one instance per site, made once), else a generic one."""

    def __init__(self) -> None:
        self._sites: dict[type, object] = {}
        self._generic = None

    def site(self, url: str | None):
        """The site spider whose domains cover ``url``; None when no site module does."""
        cls = spider_for_url(url) if url else None
        if cls is None:
            return None
        if cls not in self._sites:
            self._sites[cls] = cls()
        return self._sites[cls]

    def call(self, page: bytes | str, url: str, site_url: str | None, encoding: str | None) -> tuple[tuple, dict]:
        """``extract()``'s arguments for a page: the site's rules when ``site_url`` has a site,
        and, for bytes with no ``encoding`` given, the charset their bytes are really in when it
        is not the one they declare (as a crawl corrects it)."""
        site = self.site(site_url)
        if encoding is None and isinstance(page, bytes):
            encoding = detect_encoding(page, html_body_declared_encoding(page))
        return (page, url, site.rules_for(url) if site else None), {"encoding": encoding}

    def fields(self, extraction, url: str, site_url: str | None) -> dict:
        """The item fields of an extraction, as the crawl's spider maps them (``article_item``)."""
        site = self.site(site_url)
        if site is None and self._generic is None:
            self._generic = NewsSpider(name="generic")
        item = (site or self._generic).article_item(HtmlResponse(url=url, body=b"", status=200), extraction)
        fields = {k: v for k, v in dataclasses.asdict(item).items() if k not in FETCH_FIELDS}
        fields["site"] = site.name if site else None
        return fields


_shared = SavedPages()


def page_text(html: str | bytes, url: str | None = None) -> str:
    """The clean article text ``csto extract`` prints for a page ('' when none)."""
    args, kwargs = _shared.call(html, url or "", url, None)
    return extract(*args, **kwargs).text or ""


def sidecar_url(page: Path) -> str | None:
    """The URL a page's sidecar gives (``PAGE.json``, else ``meta.json`` in its folder)."""
    for sidecar in (page.with_suffix(".json"), page.parent / "meta.json"):
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        url = data.get("url") if isinstance(data, dict) else None
        if isinstance(url, str) and url.strip():
            return url.strip()
    return None
