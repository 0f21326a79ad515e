"""Layered article extraction: only the article survives, with its own metadata.

``extract(html, url, rules)`` reads one page through four layers, each field taken from the
first layer that supplies it (``Extraction.sources`` records which):

1. ``site``: the site module's ``SiteRules`` (drop selectors, content/title/date selectors,
   date formats, time zone, declared language); a content selector skips trafilatura;
2. ``metadata``: JSON-LD, Open Graph and meta tags, ``<html lang>``, ``<link rel=canonical>``;
3. ``generic``: trafilatura in precision mode on a DOM pre-cleaned of furniture, the visible
   headline and the article's own visible date (never a header's "today" date);
4. ``text``: ``clean_text``, the text-level cleaner (usable on its own), which trims furniture
   lines, pulls the source credit out and, with the language detector, checks the language.

The page is parsed once; no clock is read (relative dates need ``fetched_at``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from csto_crawler.extract import generic, site
from csto_crawler.extract.dates import parse_date, parse_iso, zone_of
from csto_crawler.extract.document import decode, paragraphs, parse
from csto_crawler.extract.language import choose as choose_language
from csto_crawler.extract.metadata import Metadata, read_metadata
from csto_crawler.extract.rules import SiteRules
from csto_crawler.extract.textclean import CleanedText, clean_text
from csto_crawler.extract.zones import zone_name_for_url

__all__ = ["extract", "Extraction", "clean_text", "CleanedText", "SiteRules"]

logger = logging.getLogger(__name__)


@dataclass
class Extraction:
    """What the page says about its article (no clock read anywhere)."""

    title: str | None = None
    text: str | None = None
    published_at: str | None = None
    modified_at: str | None = None
    author: str | None = None
    language: str | None = None
    source_credit: str | None = None
    #: from ``<link rel=canonical>`` / ``og:url``, as found (made absolute)
    canonical_url: str | None = None
    #: field → layer that supplied it: ``site``, ``metadata``, ``generic`` or ``text``
    sources: dict[str, str] = field(default_factory=dict)

    def item_fields(self) -> dict:
        """The ``ArticleItem`` fields this extraction fills (``extraction`` = the sources)."""
        return {
            "title": self.title,
            "text": self.text,
            "published_at": self.published_at,
            "modified_at": self.modified_at,
            "author": self.author,
            "language": self.language,
            "source_credit": self.source_credit,
            "canonical_url": self.canonical_url,
            "extraction": dict(self.sources),
        }


def _zone_hint(meta: Metadata):
    """A zone the page states elsewhere: the offset of one of its machine timestamps."""
    for value in (meta.published, meta.modified):
        if not value:
            continue
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            return parsed.tzinfo
    return None


def _dates(tree, meta: Metadata, rules: SiteRules | None, fetched_at, out: Extraction,
           url: str = "") -> None:
    zone = zone_of(rules.timezone) if rules and rules.timezone else None
    zone = zone or _zone_hint(meta) or zone_of(zone_name_for_url(url))
    formats = tuple(rules.date_formats) if rules else ()
    for attr, selector, raw in (
        ("published_at", rules.date_selector if rules else None, meta.published),
        ("modified_at", rules.modified_selector if rules else None, meta.modified),
    ):
        value = None
        if selector:
            found = site.field_value(tree, selector)
            value = parse_date(found, formats=formats, tz=zone, fetched_at=fetched_at) if found else None
            if value:
                out.sources[attr] = "site"
            else:
                logger.debug("site date selector %r gave no date (%r)", selector, found)
        if not value and raw:
            value = parse_iso(raw, zone)
            if value:
                out.sources[attr] = "metadata"
        setattr(out, attr, value)
    if out.published_at:
        return
    # visible dates: the first one with a time and zone wins; a bare calendar date only if
    # no candidate says more
    fallback = None
    for raw, layer in generic.find_date_texts(tree):
        value = parse_date(raw, formats=formats, tz=zone, fetched_at=fetched_at)
        if value and "T" in value:
            out.published_at = value
            out.sources["published_at"] = layer
            return
        if value and fallback is None:
            fallback = (value, layer)
    if fallback:
        out.published_at, out.sources["published_at"] = fallback
    else:
        logger.debug("no publication date found")


def extract(
    html: str | bytes,
    url: str,
    rules: SiteRules | None = None,
    *,
    fetched_at: datetime | None = None,
    encoding: str | None = None,
) -> Extraction:
    """Extract the article of one page (see the module docstring for the layers)."""
    out = Extraction()
    tree = parse(decode(html, encoding))
    if tree is None:
        logger.debug("no HTML to extract from: %s", url)
        return out
    meta = read_metadata(tree, url)
    out.canonical_url = meta.canonical_url
    if out.canonical_url:
        out.sources["canonical_url"] = "metadata"
    site.drop(tree, rules)

    # title
    title = site.field_value(tree, rules.title_selector) if rules and rules.title_selector else None
    if title:
        out.sources["title"] = "site"
    else:
        title, layer = generic.find_title(tree, meta)
        if layer:
            out.sources["title"] = layer
    out.title = title

    _dates(tree, meta, rules, fetched_at, out, url)

    # author
    author = site.field_value(tree, rules.author_selector) if rules and rules.author_selector else None
    if author:
        out.sources["author"] = "site"
    elif meta.author:
        author = meta.author
        out.sources["author"] = "metadata"
    out.author = author

    # text
    content = site.select_one(tree, rules.content_selector) if rules and rules.content_selector else None
    if content is not None:
        generic.preclean(content)
        paras = paragraphs(content)
        out.sources["text"] = "site"
    else:
        if rules and rules.content_selector:
            logger.debug("content selector %r matched nothing on %s: generic layers", rules.content_selector, url)
        generic.preclean(tree)
        paras = generic.main_paragraphs(tree, url)
        out.sources["text"] = "generic"
    if paras:
        cleaned = clean_text("\n".join(paras), title=title, rules=rules)
        out.text = cleaned.text or None
        out.source_credit = cleaned.source_credit
        if cleaned.source_credit:
            out.sources["source_credit"] = "text"
    if out.text and not out.source_credit:
        credit = generic.find_credit(content if content is not None else tree)
        if credit:
            out.source_credit = credit
            out.sources["source_credit"] = "generic"
    if not out.text:
        out.sources.pop("text", None)

    # language
    declared, layer = (rules.language, "site") if rules and rules.language else (meta.language, "metadata")
    language, detected = choose_language(declared, out.text or out.title)
    out.language = language
    if language:
        out.sources["language"] = "text" if detected else layer
    return out
