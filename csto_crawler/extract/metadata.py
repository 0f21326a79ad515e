"""Layer 2: what the page declares about itself (JSON-LD, Open Graph, meta tags, ``<html lang>``).

Read once from the parsed tree, before anything is removed from it. Values are kept raw
(strings as found); dates are parsed by the caller, which knows the site's time zone.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from csto_crawler.extract.document import paragraphs

__all__ = ["Metadata", "read_metadata"]

logger = logging.getLogger(__name__)

_ARTICLE_TYPES = {
    "newsarticle", "article", "blogposting", "reportagenews", "analysisnewsarticle", "backgroundnewsarticle",
    "opinionnewsarticle", "report", "webpage", "socialmediaposting", "liveblogposting",
}
_PUBLISHED_KEYS = (
    "article:published_time", "datepublished", "og:article:published_time", "pubdate", "publishdate",
    "publish-date", "publish_date", "date", "dc.date.issued", "dc.date", "dcterms.created", "sailthru.date",
    "parsely-pub-date", "article.published", "created",
)
_MODIFIED_KEYS = (
    "article:modified_time", "datemodified", "og:updated_time", "dc.date.modified", "dcterms.modified",
    "lastmod", "last-modified", "article.updated",
)
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author", "byl")


@dataclass
class Metadata:
    """Page-level metadata, raw."""

    headline: str | None = None  #: JSON-LD headline
    og_title: str | None = None
    html_title: str | None = None
    site_name: str | None = None
    published: str | None = None
    modified: str | None = None
    author: str | None = None
    language: str | None = None  #: as declared (``<html lang>``, og:locale, inLanguage)
    canonical_url: str | None = None
    #: the article's text as its JSON-LD declares it (``articleBody``), one string a paragraph
    article_body: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)


def _walk_jsonld(node, found: list[dict]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk_jsonld(item, found)
    elif isinstance(node, dict):
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            found.append(node)
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in node and isinstance(node[key], (list, dict)):
                _walk_jsonld(node[key], found)


def _name(value) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and value.strip() and not value.strip().startswith(("http://", "https://")):
        return value.strip()
    return None


@dataclass
class _Declared:
    """The elements ``read_metadata`` reads, found in one walk of the tree (document order)."""

    metas: list = field(default_factory=list)  #: every ``<meta>``
    ld_json: list[str] = field(default_factory=list)  #: texts of ``<script type="application/ld+json">``
    head_title: str | None = None  #: text of the first ``<head>/<title>`` with text
    title: str | None = None  #: text of the first ``<title>`` with text, anywhere
    canonical: str | None = None  #: ``href`` of the first ``<link rel="canonical" href>``


def _declared(tree) -> _Declared:
    """What ``//meta``, ``//script[@type="application/ld+json"]/text()``, ``//head/title/text()``,
    ``//title/text()`` and ``//link[@rel="canonical"]/@href`` select, in one walk rather than five
    (the parser keeps ``<script>`` and ``<title>`` content as text, no child elements)."""
    found = _Declared()
    for element in tree.iter("meta", "script", "title", "link"):
        tag = element.tag
        if tag == "meta":
            found.metas.append(element)
        elif tag == "script":
            if element.get("type") == "application/ld+json" and element.text:
                found.ld_json.append(element.text)
        elif tag == "title":
            if element.text:
                if found.title is None:
                    found.title = element.text
                parent = element.getparent()
                if found.head_title is None and parent is not None and parent.tag == "head":
                    found.head_title = element.text
        elif found.canonical is None and element.get("rel") == "canonical":
            found.canonical = element.get("href")
    return found


def _jsonld(scripts: list[str]) -> dict:
    articles: list[dict] = []
    for raw in scripts:
        try:
            _walk_jsonld(json.loads(raw, strict=False), articles)
        except ValueError as err:
            logger.debug("unreadable JSON-LD: %s", err)
    # prefer a news/article object over a generic WebPage
    articles.sort(key=lambda a: str(a.get("@type")).lower() in ("webpage", "['webpage']"))
    merged: dict = {}
    for article in articles:
        for key in ("headline", "name", "datePublished", "dateModified", "author", "inLanguage"):
            if key not in merged and article.get(key):
                merged[key] = article[key]
        body = article.get("articleBody")
        if isinstance(body, str) and len(body) > len(merged.get("articleBody", "")):
            merged["articleBody"] = body
    return merged


_MARKUP = re.compile(r"<(?:p|br|div|h[2-6]|li|blockquote)\b[^>]*>", re.IGNORECASE)


def _body_paragraphs(body: str) -> tuple[str, ...]:
    """``articleBody`` as paragraphs: some publishers put HTML in it, most plain text with
    newlines between paragraphs (entities escaped or not)."""
    if _MARKUP.search(body):
        try:
            return tuple(paragraphs(lxml_html.fragment_fromstring(body, create_parent="div")))
        except (etree.ParserError, ValueError) as err:
            logger.debug("articleBody is not readable HTML: %s", err)
    text = html.unescape(body)
    return tuple(line for line in (" ".join(part.split()) for part in text.splitlines()) if line)


def read_metadata(tree, url: str | None = None) -> Metadata:
    """The metadata a page declares about itself."""
    meta = Metadata()
    declared = _declared(tree)
    values: dict[str, str] = {}
    for element in declared.metas:
        key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
        content = element.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), content.strip())
    ld = _jsonld(declared.ld_json)

    headline = ld.get("headline") or ld.get("name")
    meta.headline = headline.strip() if isinstance(headline, str) and headline.strip() else None
    meta.og_title = values.get("og:title") or values.get("twitter:title")
    title = declared.head_title or declared.title
    meta.html_title = " ".join(title.split()) if title else None
    meta.site_name = values.get("og:site_name")
    if isinstance(ld.get("articleBody"), str):
        meta.article_body = _body_paragraphs(ld["articleBody"])

    for attr, ld_key, keys in (("published", "datePublished", _PUBLISHED_KEYS), ("modified", "dateModified", _MODIFIED_KEYS)):
        value = ld.get(ld_key) if isinstance(ld.get(ld_key), str) else None
        source = "json-ld" if value else None
        if not value:
            for key in keys:
                if values.get(key):
                    value, source = values[key], key
                    break
        if value:
            setattr(meta, attr, value)
            meta.sources[attr] = source

    meta.author = _name(ld.get("author"))
    if not meta.author:
        for key in _AUTHOR_KEYS:
            meta.author = _name(values.get(key))
            if meta.author:
                break

    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        body = tree.find("body")
        lang = body.get("lang") if body is not None else None
    in_language = ld.get("inLanguage")
    meta.language = (
        lang
        or (in_language if isinstance(in_language, str) else None)
        or values.get("og:locale")
        or values.get("content-language")
        or values.get("language")
    )

    canonical = declared.canonical if declared.canonical is not None else values.get("og:url")
    if canonical and canonical.strip():
        meta.canonical_url = urljoin(url or "", canonical.strip())
    return meta
