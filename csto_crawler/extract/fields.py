"""Stage 5: the article's fields other than its text: title, dates, author, credit, language.

Each field comes from the first layer that supplies it, and ``Extraction.sources`` records
which: ``site`` (the site's selectors), ``metadata`` (JSON-LD, Open Graph, meta tags),
``generic`` (the visible headline, the article's own visible date) or ``text`` (found in, or
detected from, the cleaned text). No clock is read (relative dates need ``fetched_at``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from csto_crawler.extract import generic, site
from csto_crawler.extract.dates import parse_date, parse_iso, zone_of
from csto_crawler.extract.language import choose as choose_language
from csto_crawler.extract.metadata import Metadata
from csto_crawler.extract.rules import SiteRules
from csto_crawler.extract.zones import zone_name_for_url

__all__ = ["title", "dates", "author", "credit", "language"]

logger = logging.getLogger(__name__)


def title(tree, meta: Metadata, rules: SiteRules | None, sources: dict) -> str | None:
    """The headline: the site's title selector, else the visible h1 / the metadata."""
    found = site.field_value(tree, rules.title_selector) if rules and rules.title_selector else None
    if found:
        sources["title"] = "site"
        return found
    found, layer = generic.find_title(tree, meta)
    if layer:
        sources["title"] = layer
    return found


def author(tree, meta: Metadata, rules: SiteRules | None, sources: dict) -> str | None:
    """The byline: the site's author selector, else the metadata's author."""
    found = site.field_value(tree, rules.author_selector) if rules and rules.author_selector else None
    if found:
        sources["author"] = "site"
        return found
    if meta.author:
        sources["author"] = "metadata"
    return meta.author


def credit(scope, sources: dict) -> str | None:
    """A source credit printed after the headline that the text lost."""
    found = generic.find_credit(scope)
    if found:
        sources["source_credit"] = "generic"
    return found


def language(meta: Metadata, rules: SiteRules | None, text: str | None, sources: dict) -> str | None:
    """The declared language (site, else page), checked against the text's script."""
    declared, layer = (rules.language, "site") if rules and rules.language else (meta.language, "metadata")
    found, detected = choose_language(declared, text)
    if found:
        sources["language"] = "text" if detected else layer
    return found


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


def _visible_date(tree, formats, zone, fetched_at) -> tuple[str | None, str | None]:
    """The first visible date with a time and zone; a bare calendar date only if no
    candidate says more."""
    fallback = (None, None)
    for raw, layer in generic.find_date_texts(tree):
        value = parse_date(raw, formats=formats, tz=zone, fetched_at=fetched_at)
        if value and "T" in value:
            return value, layer
        if value and fallback[0] is None:
            fallback = (value, layer)
    return fallback


def dates(tree, meta: Metadata, rules: SiteRules | None, fetched_at, url: str,
          sources: dict) -> tuple[str | None, str | None]:
    """``(published_at, modified_at)``: site selectors, then metadata, then visible dates."""
    zone = zone_of(rules.timezone) if rules and rules.timezone else None
    zone = zone or _zone_hint(meta) or zone_of(zone_name_for_url(url))
    formats = tuple(rules.date_formats) if rules else ()
    found = {}
    for attr, selector, raw in (
        ("published_at", rules.date_selector if rules else None, meta.published),
        ("modified_at", rules.modified_selector if rules else None, meta.modified),
    ):
        value = None
        if selector:
            text = site.field_value(tree, selector)
            value = parse_date(text, formats=formats, tz=zone, fetched_at=fetched_at) if text else None
            if value:
                sources[attr] = "site"
            else:
                logger.debug("site date selector %r gave no date (%r)", selector, text)
        if not value and raw:
            value = parse_iso(raw, zone)
            if value:
                sources[attr] = "metadata"
        found[attr] = value
    if not found["published_at"]:
        value, layer = _visible_date(tree, formats, zone, fetched_at)
        if value:
            found["published_at"] = value
            sources["published_at"] = layer
        else:
            logger.debug("no publication date found")
    return found["published_at"], found["modified_at"]
