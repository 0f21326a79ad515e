"""Stage 2: the candidate readings of one parsed page.

* ``site``: the site module's content selector (``SiteRules.content_selector``), pre-cleaned;
  when it yields an article, nothing else is computed;
* ``trafilatura``: trafilatura in precision mode on the furniture-stripped page
  (``generic.preclean`` then ``generic.main_paragraphs``);
* ``justext``: jusText's block classifier on the same furniture-stripped tree
  (``paragraph_classifier``), a second opinion that costs no second parse.

The tree is parsed once by ``document.parse``; the site's drop selectors have already been
applied by the caller. Candidates are plain tuples of strings, so they pickle.
"""

from __future__ import annotations

import logging

from csto_crawler.extract import generic, site
from csto_crawler.extract.choose import Candidate
from csto_crawler.extract.document import paragraphs
from csto_crawler.extract.paragraph_classifier import justext_paragraphs
from csto_crawler.extract.rules import SiteRules

__all__ = ["build", "site_candidate", "SITE_ENOUGH_WORDS"]

logger = logging.getLogger(__name__)

#: A site candidate this long is the article: the generic candidates are not computed.
SITE_ENOUGH_WORDS = 40


def site_candidate(tree, rules: SiteRules | None) -> tuple[Candidate | None, object]:
    """The site rules' reading (None if the site has no content selector or it matches
    nothing) and the element it read."""
    if not rules or not rules.content_selector:
        return None, None
    content = site.select_one(tree, rules.content_selector)
    if content is None:
        logger.debug("content selector %r matched nothing: generic candidates", rules.content_selector)
        return None, None
    generic.preclean(content)
    return Candidate("site", tuple(paragraphs(content))), content


def build(tree, url: str, rules: SiteRules | None = None) -> tuple[list[Candidate], object]:
    """All candidates worth computing, best-trusted first, and the element the site
    candidate read (None when there is none)."""
    own, content = site_candidate(tree, rules)
    candidates = [own] if own is not None else []
    if own is not None and own.words >= SITE_ENOUGH_WORDS:
        return candidates, content
    generic.preclean(tree)
    main = generic.main_paragraphs(tree, url) or []
    candidates.append(Candidate("trafilatura", tuple(main)))
    body = tree.find("body")
    sample = " ".join(main) or (body if body is not None else tree).text_content()
    candidates.append(Candidate("justext", tuple(justext_paragraphs(tree, sample))))
    return candidates, content
