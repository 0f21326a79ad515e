"""Add a new article to a feed (RSS ``item`` / Atom ``entry``) or a ``urlset`` sitemap of the
offline sample web: a copy of the first entry, rewritten for the article, put at the top.

Nothing here names a site: what a feed looks like comes from its fixture.
"""

from __future__ import annotations

import copy
import email.utils
from collections.abc import Iterable
from datetime import UTC, datetime

from lxml import etree

from csto_crawler.mirror.pages import Page
from csto_crawler.mirror.render import teaser

__all__ = ["insert_feed_entry", "insert_sitemap_url"]


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _parse_xml(page: Page) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.fromstring(page.body, parser)


def _serialize_xml(root: etree._Element) -> bytes:
    tree = root.getroottree()
    encoding = tree.docinfo.encoding or "utf-8"
    return etree.tostring(tree, xml_declaration=True, encoding=encoding)


def _first(root: etree._Element, names: Iterable[str]) -> etree._Element | None:
    wanted = set(names)
    return next((e for e in root.iter() if _local(e.tag) in wanted), None)


def insert_feed_entry(feed: Page, *, url: str, title: str, body_html: str, when: datetime) -> bytes:
    """The feed (RSS 2.0 or Atom) with a new first entry for the article."""
    root = _parse_xml(feed)
    first = _first(root, ("item", "entry"))
    if first is None:
        raise ValueError(f"the feed {feed.url} has no item or entry to copy")
    old_link = None
    for child in first:
        if _local(child.tag) == "link":
            old_link = (child.text or child.get("href") or "").strip() or None
            break
    clone = copy.deepcopy(first)
    for child in list(clone):
        name = _local(child.tag)
        if name == "title":
            child.text = title
        elif name == "link":
            if child.get("href") is not None:
                child.set("href", url)
            else:
                child.text = url
        elif name in ("guid", "id"):
            child.text = url
        elif name == "pubDate":
            child.text = email.utils.format_datetime(when)
        elif name in ("published", "updated", "date", "modified"):
            child.text = when.isoformat()
        elif name in ("description", "summary"):
            child.text = teaser(body_html)
        elif name in ("encoded", "content"):
            child.text = body_html
        elif name in ("comments", "commentRss") or (
                old_link and old_link in (child.text or "")):
            clone.remove(child)
    first.addprevious(clone)
    clone.tail = first.tail
    for element in root.iter():
        if _local(element.tag) == "lastBuildDate":
            element.text = email.utils.format_datetime(when)
    return _serialize_xml(root)


def insert_sitemap_url(sitemap: Page, *, url: str, title: str, when: datetime) -> bytes:
    """The sitemap (``urlset``) with a new first ``url`` entry."""
    root = _parse_xml(sitemap)
    if _local(root.tag) != "urlset":
        raise ValueError(f"{sitemap.url} is not a urlset sitemap")
    first = _first(root, ("url",))
    if first is None:
        raise ValueError(f"the sitemap {sitemap.url} has no url entry to copy")
    clone = copy.deepcopy(first)
    for element in clone.iter():
        name = _local(element.tag)
        if name == "loc" and element.getparent() is clone:
            element.text = url
        elif name in ("lastmod", "publication_date"):
            element.text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        elif name == "title":
            element.text = title
    first.addprevious(clone)
    clone.tail = first.tail
    return _serialize_xml(root)
