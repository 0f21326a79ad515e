"""``NewsSpider``: the shared flow every site spider reuses.

A site module subclasses it and declares data (class attributes); a site with an unusual
shape overrides one method, not the whole flow.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import scrapy

from csto_crawler.extract.rules import SiteRules

__all__ = ["NewsSpider"]


class NewsSpider(scrapy.Spider):
    """Base class of every site spider (declarations only here; the flow is added on top)."""

    #: The site slug: spider name, module name, fixture folder, ``site`` column.
    name: ClassVar[str]
    #: Human-readable site name, stored in ``sites.name``.
    site_name: ClassVar[str] = ""
    #: The site's home page.
    home_url: ClassVar[str] = ""
    #: ``official`` (state bodies), ``csto`` (the organisation) or ``news`` (press).
    kind: ClassVar[str] = "news"
    #: Domains of the site (all editions); requests elsewhere are never made.
    allowed_domains: ClassVar[list[str]] = []
    #: ISO 639-1 codes of the language editions.
    languages: ClassVar[tuple[str, ...]] = ()
    #: Extraction rules of the site's article pages.
    rules: ClassVar[SiteRules] = SiteRules()

    def language_for(self, url: str) -> str | None:
        """The language edition a URL belongs to (override per site); None when unknown."""
        return self.languages[0] if len(self.languages) == 1 else None

    def rules_for(self, url: str) -> SiteRules:
        """The extraction rules for one article URL (the site's rules with its edition's language)."""
        language = self.language_for(url)
        if language and language != self.rules.language:
            return dataclasses.replace(self.rules, language=language)
        return self.rules
