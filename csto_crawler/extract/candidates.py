"""Stage 2: the candidate readings of one parsed page.

* ``site``: the site module's content selector (``SiteRules.content_selector``), pre-cleaned;
  when it yields an article, nothing else is computed;
* ``trafilatura``: trafilatura in precision mode on the furniture-stripped page
  (``generic.preclean`` then ``generic.main_paragraphs``);
* ``justext``: jusText's block classifier on the same furniture-stripped tree
  (``paragraph_classifier``), a second opinion that costs no second parse;
* every generic candidate carries the page's ``headline`` (its ``<h1>``, else its ``<title>``),
  for the choice between readings that share nothing;
* ``trafilatura-page`` (``whole_page``): only when the chosen text is near-empty, trafilatura
  on the page as fetched, nothing stripped (the caller decides);
* ``dense``: on a huge page only (megabytes of text, tens of thousands of elements), instead of
  the two above: the container whose long paragraphs hold the most text, found in one pass.

``linked_gaps`` completes a chosen generic reading afterwards: both readers drop a paragraph
whose words are largely a link ("It also <a>co-ordinates military plans …</a>."), which on
some publishers is an ordinary sentence of the article. Such a ``<p>`` of the stripped tree
that reads as a finished sentence, has text outside its links, and lies in a short gap between
two paragraphs of the reading is put back in its place.

The tree is parsed once by ``document.parse``; the site's drop selectors have already been
applied by the caller. Candidates are plain tuples of strings, so they pickle.
"""

from __future__ import annotations

import logging

from csto_crawler.extract import furniture, generic, site
from csto_crawler.extract.choose import Candidate
from csto_crawler.extract.document import paragraphs, parse
from csto_crawler.extract.rules import SiteRules
from csto_crawler.extract.textclean import looks_like_body

__all__ = ["build", "site_candidate", "headline", "linked_gaps", "whole_page", "SITE_ENOUGH_WORDS", "WHOLE_PAGE"]

logger = logging.getLogger(__name__)

#: A site candidate this long is the article: the generic candidates are not computed.
SITE_ENOUGH_WORDS = 40
#: A furniture-stripped page with more visible characters or elements than this is read by its
#: densest container alone: trafilatura and jusText slow down faster than linearly there (a
#: real news page has under 5,000 elements and 200,000 visible characters).
HUGE_TEXT = 1_000_000
HUGE_ELEMENTS = 30_000
_LONG = 80
#: The name of the last-resort reading (``whole_page``).
WHOLE_PAGE = "trafilatura-page"
#: An ``<h1>`` shorter than this (a logo, a rubric) is not the page's headline.
_MIN_HEADLINE = 10
#: ``linked_gaps``: a gap of at most this many ``<p>`` between two paragraphs of the reading,
#: and the share of a dropped paragraph's characters in links that marks it as dropped for them
#: (below, its readers had another reason), with this many characters outside its links.
_GAP_MAX = 3
_GAP_LINK_SHARE = 0.1
_GAP_OWN_CHARS = 8


def headline(tree) -> str:
    """The page's headline: its first ``<h1>`` of some length, else the first part of its
    ``<title>`` (before a `` | `` separator), "" when it has neither."""
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        if len(text) >= _MIN_HEADLINE:
            return text
    title = tree.find(".//title")
    text = " ".join(title.text_content().split()) if title is not None else ""
    return text.split(" | ")[0]


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
    title = headline(tree)
    generic.preclean(tree)
    body = tree.find("body")
    body = body if body is not None else tree
    visible = body.text_content()
    if len(visible) > HUGE_TEXT or sum(1 for _ in body.iter()) > HUGE_ELEMENTS:
        logger.debug("huge page (%d characters): the densest container only", len(visible))
        candidates.append(Candidate("dense", tuple(paragraphs(_densest(body)))))
        return candidates, content
    main = generic.main_paragraphs(tree, url) or []
    candidates.append(Candidate("trafilatura", tuple(main), headline=title))
    sample = " ".join(main) or visible
    # jusText, like trafilatura (``generic.main_paragraphs``), is imported at its first page
    from csto_crawler.extract.paragraph_classifier import justext_paragraphs

    good, densities = justext_paragraphs(tree, sample)
    candidates.append(Candidate("justext", tuple(good), link_density=densities, headline=title))
    return candidates, content


def linked_gaps(tree, paras: list[str]) -> list[str]:
    """The reading ``paras`` with the link-heavy sentences its readers dropped between two of
    its paragraphs put back (see the module docstring); ``tree`` is the stripped tree."""
    body = tree.find("body")
    dom: list[tuple[str, int]] = []
    for p in (body if body is not None else tree).iter("p"):
        text = " ".join(p.text_content().split())
        if text:
            dom.append((text, sum(len(" ".join(a.text_content().split())) for a in p.iter("a"))))
    where: dict[str, list[int]] = {}
    for index, (text, _) in enumerate(dom):
        where.setdefault(text, []).append(index)
    places, last = [], -1
    for para in paras:
        later = [i for i in where.get(" ".join(para.split()), ()) if i > last]
        places.append(later[0] if later else None)
        if later:
            last = later[0]
    out: list[str] = []
    for k, para in enumerate(paras):
        out.append(para)
        here, following = places[k], places[k + 1] if k + 1 < len(paras) else None
        if here is None or following is None or not 1 < following - here <= _GAP_MAX + 1:
            continue
        for text, linked in dom[here + 1:following]:
            if (_GAP_LINK_SHARE * len(text) <= linked <= len(text) - _GAP_OWN_CHARS and looks_like_body(text)
                    and not furniture.LINE_RE.match(text) and not furniture.RELATED_INLINE_RE.match(text)):
                out.append(text)
    return out


def whole_page(page: str, url: str) -> Candidate | None:
    """The last resort when every reading above came out near-empty: trafilatura in its
    default (balanced) mode on the page as fetched, parsed afresh, with nothing stripped
    first (a furniture rule that took the article cannot take it here). None if it finds
    nothing."""
    tree = parse(page)
    if tree is None:
        return None
    options = {**generic.TRAFILATURA_OPTIONS, "favor_precision": False}
    found = generic.main_paragraphs(tree, url, options)
    return Candidate(WHOLE_PAGE, tuple(found)) if found else None


def _densest(body):
    """The element whose own long paragraphs (``<p>`` of at least ``_LONG`` characters) hold
    the most text: a linear pass, the reading of a page too big for the extractors."""
    weight: dict[int, list] = {}
    for p in body.iter("p"):
        length = len(p.text_content())
        parent = p.getparent()
        if length >= _LONG and parent is not None:
            entry = weight.setdefault(id(parent), [parent, 0])
            entry[1] += length
    if not weight:
        return body
    return max(weight.values(), key=lambda entry: entry[1])[0]
