"""``SiteRules``: what a site module declares about its article pages.

This is the contract between a site module (``csto_crawler/spiders/<slug>.py``) and the layered
extraction (``csto_crawler.extract``). Every field is optional: a site with no rules is
extracted by the generic layers alone.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SiteRules"]


@dataclass(frozen=True)
class SiteRules:
    """Site-specific extraction rules (layer 1 of the layered extraction)."""

    #: CSS selector of the element holding the article body.
    content_selector: str | None = None
    #: CSS selectors removed from the page before anything is extracted (share bars, related
    #: blocks, counters, comment forms …).
    drop_selectors: tuple[str, ...] = ()
    #: CSS selector of the headline.
    title_selector: str | None = None
    #: CSS selector of the publication date (its ``datetime``/``content`` attribute, else text).
    date_selector: str | None = None
    #: CSS selector of the modification date, when the page shows one.
    modified_selector: str | None = None
    #: CSS selector of the author / byline.
    author_selector: str | None = None
    #: Date formats of the site (``strptime`` directives; localized month and weekday names
    #: are understood, see ``csto_crawler.extract.dates``), tried before any generic parser.
    date_formats: tuple[str, ...] = ()
    #: IANA time zone of dates printed without an offset, e.g. ``Asia/Dushanbe``.
    timezone: str | None = None
    #: The edition's declared language (ISO 639-1), when the URL tells it.
    language: str | None = None
    #: Extra regular expressions: whole text lines that are this site's furniture.
    furniture: tuple[str, ...] = ()
