"""Article extraction as a pipeline: only the article survives, with its own metadata.

``extract(html, url, rules)`` follows one page through five stages, one module each:

1. parse (``document``): decode and parse the page once; the site's drop selectors go;
2. candidates (``candidates``): the site rules' content selector when the site has one, else
   trafilatura (precision mode) and jusText, both on the furniture-stripped tree (``generic``);
3. choose (``choose``): site rules that yield an article win; otherwise the paragraphs the two
   generic candidates agree on, with the unagreed edges kept only if they read as body text,
   and the link-heavy sentences both dropped between them put back (``candidates.linked_gaps``);
4. clean (``textclean``): ``clean_text``, the text-level cleaner (usable on its own), trims
   furniture lines and pulls the source credit out;
5. fields (``fields``, ``metadata``): title, dates, author, credit and language, each from the
   first layer that supplies it (``Extraction.sources`` records which).

No clock is read (relative dates need ``fetched_at``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from csto_crawler.extract import candidates, choose, fields, site
from csto_crawler.extract.document import decode, parse
from csto_crawler.extract.metadata import read_metadata
from csto_crawler.extract.rules import SiteRules
from csto_crawler.extract.textclean import CleanedText, clean_text

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


def extract(
    html: str | bytes,
    url: str,
    rules: SiteRules | None = None,
    *,
    fetched_at: datetime | None = None,
    encoding: str | None = None,
) -> Extraction:
    """Extract the article of one page (see the module docstring for the stages)."""
    out = Extraction()
    page = decode(html, encoding)
    tree = parse(page)
    if tree is None:
        logger.debug("no HTML to extract from: %s", url)
        return out
    meta = read_metadata(tree, url)
    out.canonical_url = meta.canonical_url
    if out.canonical_url:
        out.sources["canonical_url"] = "metadata"
    site.drop(tree, rules)
    out.title = fields.title(tree, meta, rules, out.sources)
    out.published_at, out.modified_at = fields.dates(tree, meta, rules, fetched_at, url, out.sources)
    out.author = fields.author(tree, meta, rules, out.sources)

    found, content = candidates.build(tree, url, rules)
    if meta.article_body:
        found.append(choose.Candidate(choose.DECLARED, meta.article_body))
    chosen, paras = choose.choose(found)
    if chosen in ("trafilatura", "justext"):
        paras = candidates.linked_gaps(tree, paras)
    cleaned = clean_text("\n".join(paras), title=out.title, rules=rules)
    if choose.near_empty(cleaned.text) and (chosen != "site" or not cleaned.text):
        # a short site reading stands (its fixtures prove the rules); an empty one does not
        chosen, cleaned = _last_resort(page, url, out.title, rules, chosen, cleaned)
    out.text = cleaned.text or None
    if out.text:
        out.sources["text"] = {"site": "site", choose.DECLARED: "metadata"}.get(chosen or "", "generic")
        out.source_credit = cleaned.source_credit
        if out.source_credit:
            out.sources["source_credit"] = "text"
        else:
            out.source_credit = fields.credit(content if chosen == "site" else tree, out.sources)
    out.language = fields.language(meta, rules, out.text or out.title, out.sources)
    return out


def _last_resort(page: str, url: str, title: str | None, rules: SiteRules | None,
                 chosen: str | None, cleaned: CleanedText) -> tuple[str | None, CleanedText]:
    """A near-empty text is never trusted while the page holds more: trafilatura on the whole
    page as fetched (``candidates.whole_page``) replaces it when it yields more words."""
    rescue = candidates.whole_page(page, url)
    if rescue is None:
        return chosen, cleaned
    text = clean_text("\n".join(rescue.paragraphs), title=title, rules=rules)
    if not choose.rescues(cleaned.text, text.text):
        return chosen, cleaned
    logger.debug("near-empty reading (%s) of %s: the whole page's reading kept", chosen, url)
    return rescue.name, text
