"""Layer 3: generic main-content extraction (tuned trafilatura) and its DOM-level helpers.

* ``preclean`` removes page furniture from the DOM by tag and by class/id words
  (``csto_crawler.extract.furniture``), guarded so a wrapper holding the article is never
  removed; photo captions and credits go too (they describe a picture the text does not
  show), except on a page told in its captions (a gallery), where they become paragraphs.
* ``main_paragraphs`` runs trafilatura once on the already parsed tree, in precision mode,
  without comments, and serializes its body one paragraph per block. trafilatura is imported
  there, at the first page that needs it: a process whose pages all have site rules that
  read them (a site module's own crawl, its extraction workers) never pays its import
  (0.25 s of CPU, with htmldate, courlan and jusText).
* ``find_title`` and ``find_date`` read the visible headline and the article's own date,
  skipping header/sidebar/related zones (a header's "today" date is never the article's).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from lxml import etree

from csto_crawler.extract import furniture
from csto_crawler.extract.document import paragraphs, text_of
from csto_crawler.extract.layout import unwrap_layout_tables
from csto_crawler.extract.site import remove

__all__ = ["preclean", "main_paragraphs", "find_title", "find_date_texts", "find_credit", "in_furniture", "TRAFILATURA_OPTIONS"]

logger = logging.getLogger(__name__)

#: How trafilatura is tuned for news pages.
TRAFILATURA_OPTIONS = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_formatting": False,
    "include_links": False,
    "with_metadata": False,
    "deduplicate": False,
    "fast": False,
}

_ALWAYS_DROP = ("script", "style", "noscript", "template", "iframe", "svg", "button", "select", "textarea",
                "input", "dialog", "object", "embed")
#: Containers of furniture, except on pages that put the article inside one (an ASP.NET page
#: wraps its whole body in one ``<form>``): such a one becomes a plain ``<div>``.
_FURNITURE_CONTAINERS = ("form", "nav", "aside")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PROTECTED = frozenset({"html", "body", "article", "main"})
_CONTENT_HINT = re.compile(r"(?:^|[-_\s])(?:article|post|entry|story|news|content|text|body|full|detail|single)(?:$|[-_\s])", re.IGNORECASE)
_DATE_CLASS = re.compile(
    r"date|time|publish|posted|dateline|story_date|meta|info|when|data|created|pubdate", re.IGNORECASE
)
_LOGO = re.compile(r"logo|brand|site-?(?:name|title)", re.IGNORECASE)
_HEADER_CLASS = re.compile(r"(?:^|[-_\s])header(?:$|[-_\s\d])", re.IGNORECASE)
_SUFFIX_SEP = re.compile(r"\s+(?:[|–—:»/\\·•]|-|::)\s+")
_KEY = re.compile(r"[\W_]+", re.UNICODE)


def _key(text: str) -> str:
    return _KEY.sub(" ", text.casefold()).strip()


#: Utility classes with a variant prefix or an arbitrary value (Tailwind's ``print:hidden``,
#: ``desktop:[.floated_&]:mt-0``) say how a block is styled, not what it is: a ``print:`` or
#: ``hover:`` variant is no "print version" link.
_UTILITY_CLASS = re.compile(r"[^\s]*[:\[][^\s]*")


def _attrs(element) -> str:
    classes = element.get("class") or ""
    if ":" in classes or "[" in classes:
        classes = _UTILITY_CLASS.sub(" ", classes)
    return f"{classes} {element.get('id') or ''}".strip()


@lru_cache(maxsize=16384)
def _drop_word(attrs: str) -> str | None:
    """The furniture word of a class/id string ("related", "sidebar"…), casefolded; None if
    it has none. Cached: a page repeats a few hundred class strings over thousands of elements."""
    match = furniture.DOM_DROP_RE.search(attrs)
    return match.group(0).strip("-_ ").casefold() if match else None


@lru_cache(maxsize=16384)
def _strong(attrs: str) -> bool:
    """Whether a class/id string names furniture that never holds the article (comments…)."""
    return furniture.DOM_STRONG_RE.search(attrs) is not None


def in_furniture(element) -> bool:
    """Whether an element sits in a header/nav/footer/aside or a furniture-classed container."""
    node = element
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("nav", "footer", "aside", "form"):
            return True
        if tag == "header" and next(node.iter("h1"), None) is None:
            return True  # a page header; an article's own header holds its h1
        attrs = _attrs(node)
        if attrs and (_drop_word(attrs) or _strong(attrs)):
            if _strong(attrs):
                return True
            if not _CONTENT_HINT.search(attrs) and not _article_header(node, attrs):
                return True
        node = node.getparent()
    return False


def _article_header(node, attrs: str) -> bool:
    """A block classed only "header" ("publication-header", "x_header-wrap") that holds the
    headline, no navigation and no logo: the article's own header, like a ``<header>`` with
    its h1, not the page's."""
    if not _HEADER_CLASS.search(attrs) or furniture.DOM_DROP_RE.search(_HEADER_CLASS.sub(" ", attrs)):
        return False
    h1 = next(node.iter("h1"), None)
    if h1 is None or _LOGO.search(_attrs(h1)) or h1.find(".//img") is not None:
        return False
    return next(node.iter("nav", "ul", "menu"), None) is None


def _long_paragraphs(tree) -> dict[int, tuple[object, int]]:
    """id(element) → (element, length) of the paragraphs that carry the article (≥ 120
    characters). The element is kept in the value: lxml frees an unreferenced proxy, and a
    later proxy may reuse its id, so an id is only meaningful while its element is held."""
    found = {}
    for p in tree.iter("p"):
        length = len(p.text_content())
        if length >= 120:
            found[id(p)] = (p, length)
    return found


_CAPTION_CLASS = re.compile(
    r"caption|photo[-_]*(?:text|desc|title|sign|source)|image[-_]*(?:desc|text|source)|"
    r"picture[-_]*(?:text|desc)|img[-_]*(?:desc|text)|podpis|foto[-_]*(?:text|desc)",
    re.IGNORECASE,
)
_CREDIT_QUERY = (
    "following::*[self::p or self::div or self::span or self::em or self::i or self::b or self::strong]"
    "[string-length(normalize-space()) < 100][contains(., ':')]"
)


#: Captions are the article (a gallery told in its captions) when they hold more than this
#: share of the page's paragraph text outside them.
_GALLERY = 1.0


def _caption_paragraph(element) -> None:
    """Make a photo caption a plain paragraph. Its ``caption`` class or id goes too:
    trafilatura, told to leave images out, discards every element whose class or id says
    ``caption``, which would undo the point of keeping them."""
    element.tag = "p"
    for attr in ("class", "id"):
        if "aption" in (element.get(attr) or ""):
            del element.attrib[attr]


def _caption_elements(tree) -> list:
    """``<figcaption>``s and leaf elements whose class says caption or photo text."""
    found = list(tree.iter("figcaption"))
    for element in tree.iter("div", "span", "small", "em", "i"):
        classes = element.get("class")
        if classes and _CAPTION_CLASS.search(classes) and next(element.iterdescendants("p", "div", "img"), None) is None:
            found.append(element)
    return found


def _captions(tree) -> int:
    """Photo captions and credits describe a picture the text does not show: they go, and
    ``<figure>`` becomes a plain block (its other text stays). A page whose captions hold
    more text than its paragraphs outside them tells its story in captions (a gallery):
    there they become paragraphs. The number of captions removed."""
    captions = _caption_elements(tree)
    for element in list(tree.iter("figure")):
        element.tag = "div"
    if not captions:
        return 0
    held = set(captions)  # the elements themselves: their proxies (and ids) stay theirs

    def in_caption(element) -> bool:
        return any(a in held for a in element.iterancestors())

    outer = [caption for caption in captions if not in_caption(caption)]
    caption_chars = sum(len(caption.text_content()) for caption in outer)
    other_chars = sum(len(p.text_content()) for p in tree.iter("p") if p not in held and not in_caption(p))
    if caption_chars > _GALLERY * other_chars:
        for caption in captions:
            _caption_paragraph(caption)
        return 0
    for caption in outer:
        remove(caption)
    removed = len(outer)
    return removed


_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "em")
#: A related-articles heading is shorter than this (characters, whitespace normalized).
_HEADING_MAX = 50


def _short_leaves(tree):
    """Elements of the heading tags with no child element and under ``_HEADING_MAX``
    characters, with their normalized text (a walk in Python: an XPath union of tag tests
    over every node costs ten times more)."""
    for element in tree.iter(_HEADING_TAGS):
        if len(element):
            if next(element.iterchildren(etree.Element), None) is not None:
                continue
            text = element.text_content()
        else:
            text = element.text
        if text and len(text) < 20 * _HEADING_MAX:
            text = " ".join(text.split())
            if len(text) < _HEADING_MAX:
                yield element, text


def _labelled_related_blocks(tree):
    """Blocks opened by a related-articles heading ("Что почитать", "Материалы по теме",
    "Read also"): the heading (climbing single-child wrappers) is the block's first element
    and the block links somewhere. The caller keeps any that hold the article."""
    for heading, text in list(_short_leaves(tree)):
        if not furniture.RELATED_RE.match(text):
            continue
        node = heading
        parent = node.getparent()
        while parent is not None and parent.tag not in _PROTECTED and len(parent) == 1:
            node, parent = parent, parent.getparent()
        if parent is None or parent.tag in _PROTECTED or parent[0] is not node:
            continue
        if parent.find(".//a") is not None:
            yield parent


def _holds_article(element, long_paras: dict, total: int) -> bool:
    """Whether an element holds the article: more than half the characters of the page's long
    paragraphs (``_long_paragraphs``; ``total`` their sum), or an ``<h1>``."""
    inside = sum(long_paras[id(p)][1] for p in element.iter("p") if id(p) in long_paras)
    return inside > 0.5 * total or next(element.iter("h1"), None) is not None


def _furniture_containers(tree) -> int:
    """Remove ``<form>``, ``<nav>`` and ``<aside>`` elements, except one that holds the
    article (most of the page's long paragraphs, or its ``<h1>``), which becomes a ``<div>``
    (trafilatura would drop it whole). The number removed."""
    containers = list(tree.iter(_FURNITURE_CONTAINERS))
    if not containers:
        return 0
    long_paras = _long_paragraphs(tree)
    total = sum(length for _, length in long_paras.values()) or 1
    removed = 0
    for element in containers:
        if _holds_article(element, long_paras, total):
            element.tag = "div"
        elif element.getparent() is not None:
            remove(element)
            removed += 1
    return removed


def preclean(tree) -> int:
    """Remove furniture elements from a tree (in place); the number removed."""
    unwrap_layout_tables(tree)
    removed = _captions(tree)
    doomed = list(tree.iter(_ALWAYS_DROP))
    for element in doomed:
        remove(element)
    removed += len(doomed)
    removed += _furniture_containers(tree)
    headlines = list(tree.iter("h1"))  # held, so their ids stay theirs (see _long_paragraphs)
    h1s = set(map(id, headlines))
    # comment threads and cookie notices go first: their long paragraphs must not count in
    # the article's share that guards the other removals below
    doomed = [element for element in tree.xpath(".//*[@class or @id]")
              if element.tag not in _PROTECTED and _strong(_attrs(element))
              and not any(id(h) in h1s for h in element.iter("h1"))]
    for element in doomed:
        remove(element)
    removed += len(doomed)
    long_paras = _long_paragraphs(tree)
    total = sum(length for _, length in long_paras.values()) or 1

    def holds_article(element) -> bool:
        return _holds_article(element, long_paras, total)

    doomed = []
    for element in tree.iter("header", "footer"):
        if not holds_article(element):
            doomed.append(element)
    for block in _labelled_related_blocks(tree):
        if not holds_article(block):
            doomed.append(block)
    for element in tree.xpath(".//*[@class or @id or @hidden or @style or @aria-hidden]"):
        tag = element.tag
        if tag in _PROTECTED:
            continue
        style = element.get("style")
        hidden = element.get("hidden") is not None or element.get("aria-hidden") == "true" or (style and _HIDDEN.search(style))
        attrs = _attrs(element)
        if hidden:
            if not holds_article(element):
                doomed.append(element)
            continue
        if not attrs:
            continue
        if tag == "blockquote":
            continue  # an embedded post quoted by the article ("telegram-post", "twitter-tweet")
        if _drop_word(attrs) and not holds_article(element):
            doomed.append(element)
    doomed = _spare_article_classes(doomed, long_paras, total)
    for element in doomed:
        remove(element)
    return removed + len(doomed)


def _spare_article_classes(doomed: list, long_paras: dict, total: int) -> list:
    """The doomed elements less those whose furniture class, over all its elements together,
    holds most of the article's long paragraphs: a publisher that marks every body paragraph
    ``paywall`` or ``promo-text`` marks the article, not furniture, whatever the word says."""
    share: dict[str, int] = {}
    for element in doomed:
        word = _drop_word(_attrs(element))
        if word:
            share[word] = share.get(word, 0) + sum(
                long_paras[id(p)][1] for p in element.iter("p") if id(p) in long_paras)
    spared = {word for word, length in share.items() if length > 0.5 * total}
    if not spared:
        return doomed
    logger.debug("furniture classes holding the article kept: %s", sorted(spared))
    return [e for e in doomed if _drop_word(_attrs(e)) not in spared]


_LEAD_QUERY = (
    "following::*[contains(@class,'lead') or contains(@class,'sapo') or contains(@class,'intro') or "
    "contains(@class,'summary') or contains(@class,'anons') or contains(@class,'annotation') or "
    "contains(@class,'excerpt') or contains(@class,'subtitle') or contains(@class,'standfirst') or "
    "contains(@class,'lid') or contains(@class,'preview-text') or contains(@class,'description')]"
)
_LEAD_CLASS = re.compile(
    r"(?:^|[-_\s])(?:lead|sapo|intro|summary|anons|annotation|excerpt|subtitle|standfirst|lid|preview-text|"
    r"description|desc)(?:$|[-_\s])",
    re.IGNORECASE,
)


def _is_teaser(element) -> bool:
    """A teaser's summary in a list of other articles, not the article's lead: it sits in a
    list item, or its class repeats on the page (a lead is printed once)."""
    if next(element.iterancestors("li"), None) is not None:
        return True
    cls = element.get("class")
    return bool(cls) and len(element.getroottree().xpath("//*[@class=$c][position() < 3]", c=cls)) > 1


def _lead(tree, body: list[str]) -> str | None:
    """A lead/summary printed next to the headline but outside the body container
    (``.lead``, ``.sapo``, ``.article__intro`` …) that trafilatura left out."""
    h1 = next((h for h in tree.iter("h1") if not in_furniture(h)), None)
    if h1 is None or not body:
        return None
    joined = _key(" ".join(body))
    for element in h1.xpath(_LEAD_QUERY)[:4]:
        if not _LEAD_CLASS.search(element.get("class") or "") or in_furniture(element):
            continue
        if sum(1 for _ in element.iter("p")) > 1:
            continue  # a container of paragraphs is the body itself, not a lead
        if _is_teaser(element):
            continue
        text = text_of(element)
        key = _key(text)
        if 40 <= len(text) <= 700 and key not in joined and key[:60] not in joined:
            return text
    return None


def main_paragraphs(tree, url: str | None = None, options: dict | None = None) -> list[str] | None:
    """The article body's paragraphs by trafilatura (on a pre-cleaned tree; ``options`` default
    to ``TRAFILATURA_OPTIONS``), with a lead printed outside the body container put back in
    front; None if it found none."""
    from trafilatura import bare_extraction  # imported when first needed (module docstring)

    document = bare_extraction(tree, url=url, output_format="python", **(options or TRAFILATURA_OPTIONS))
    if document is None or document.body is None or not len(document.body):
        logger.debug("trafilatura found no main content in %s", url)
        return None
    body = paragraphs(document.body)
    lead = _lead(tree, body)
    if lead:
        body.insert(0, lead)
    return body


def find_credit(tree) -> str | None:
    """A source credit printed after the headline ("Источник: ТАСС") that the body lost."""
    h1 = next((h for h in tree.iter("h1") if not in_furniture(h)), None)
    if h1 is None:
        return None
    for element in h1.xpath(_CREDIT_QUERY)[:60]:
        match = furniture.SOURCE_CREDIT_RE.match(text_of(element))
        if match and not in_furniture(element):
            return match.group("credit").strip()
    return None


def _strip_site_suffix(title: str, site_name: str | None) -> str:
    parts = _SUFFIX_SEP.split(title)
    if len(parts) < 2:
        return title
    if site_name:
        kept = [p for p in parts if _key(p) != _key(site_name)]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    longest = max(parts, key=len)
    return longest if len(longest) >= 0.5 * len(title) else title


def _site_names(meta) -> set[str]:
    """Keys of the site's name: ``og:site_name`` and the shorter parts of a ``<title>`` that
    has a suffix ("Headline — Site")."""
    names = {_key(meta.site_name)} if meta.site_name else set()
    if meta.html_title:
        parts = _SUFFIX_SEP.split(meta.html_title)
        if len(parts) > 1:
            longest = max(parts, key=len)
            names.update(_key(p) for p in parts if p is not longest)
    names.discard("")
    return names


def find_title(tree, meta) -> tuple[str | None, str | None]:
    """The headline and the layer that gave it (``metadata`` or ``generic``)."""
    candidates = [h for h in tree.iter("h1") if not in_furniture(h)] or list(tree.iter("h1"))
    names = _site_names(meta)
    h1 = None
    for element in candidates:
        text = text_of(element)
        if 5 <= len(text) <= 400 and _key(text) not in names:  # an h1 that is the site's name is its logo
            h1 = text
            break
    declared = meta.headline or meta.og_title or meta.html_title
    if h1 and declared:
        if _key(h1) and (_key(h1) in _key(declared) or _key(declared) in _key(h1)):
            return h1, "metadata"
        return h1, "generic"
    if h1:
        return h1, "generic"
    if meta.headline:
        return meta.headline, "metadata"
    for title in (meta.og_title, meta.html_title):
        if title:
            return _strip_site_suffix(title, meta.site_name), "metadata"
    return None, None


_DATE_ATTR = re.compile(r"date|time|publish|posted|meta|info|Date|byline|author")


def _date_elements(tree, h1) -> tuple[list, list]:
    """The first 10 machine-dated elements (``<time datetime>``, ``itemprop=datePublished``)
    and the first 40 date-ish elements (``<time>``, ``itemprop=dateCreated``, a date-ish class,
    ``date`` in the id) after the headline (not inside it), or anywhere with no headline. One
    walk in document order: XPath's ``following::`` axis with these tests costs far more."""
    machine, dated = [], []
    elements = tree.iter(etree.Element)
    if h1 is not None:
        for element in elements:
            if element is h1:
                break
        inside = sum(1 for _ in h1.iter(etree.Element)) - 1
        for _ in range(inside):
            next(elements, None)
    for element in elements:
        itemprop = element.get("itemprop")
        if (element.tag == "time" and element.get("datetime") is not None) or itemprop == "datePublished":
            if len(machine) < 10:
                machine.append(element)
        if len(dated) < 40 and (element.tag == "time" or itemprop == "dateCreated"
                                or _DATE_ATTR.search(element.get("class") or "")
                                or "date" in (element.get("id") or "")):
            dated.append(element)
        elif len(machine) >= 10 and len(dated) >= 40:
            break
    return machine, dated


def find_date_texts(tree):
    """Visible date candidates of the article, best first: ``(value, layer)`` pairs.

    First machine dates (``<time datetime>``, ``itemprop=datePublished``), then elements with
    a date-ish class/id, that follow the headline and sit outside furniture zones (with no
    headline: anywhere outside furniture). ``layer`` is ``metadata`` for machine dates.
    """
    h1 = next((h for h in tree.iter("h1") if not in_furniture(h)), None)
    machine, dated = _date_elements(tree, h1)
    for element in machine:
        if not in_furniture(element):
            yield (element.get("datetime") or element.get("content") or text_of(element)), "metadata"
    for element in dated:
        if in_furniture(element):
            continue
        value = element.get("datetime") or element.get("content") or text_of(element)
        if value and len(value) <= 120:
            yield value, "generic"
