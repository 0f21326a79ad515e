"""The parsed page: decoding, one lxml parse, and element → paragraphs serialization."""

from __future__ import annotations

import logging
import re

from lxml import etree, html
from w3lib.encoding import html_to_unicode

__all__ = ["decode", "parse", "paragraphs", "text_of", "SKIP_TAGS"]

logger = logging.getLogger(__name__)

#: The page is handed to libxml2 as UTF-8 bytes, never as a ``str``: lxml passes a ``str`` of
#: non-Latin text in its wide internal form, which libxml2 converts first (1.31 against 1.03 ms
#: a page with the encoding included, best of 20, on 120 synthetic and dev-real pages; the same
#: trees). ``encoding`` makes the bytes UTF-8 whatever a ``<meta charset>`` in them says (the
#: page was decoded by ``decode`` already).
_PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False,
                          encoding="utf-8")
# Every element an ``HtmlElement`` (so ``text_content``, ``drop_tree`` … as usual), chosen in C:
# lxml.html's own lookup is a Python method called for each element proxy lxml makes (every
# element an XPath, an iteration or trafilatura touches), to give ``<form>``/``<input>`` their
# form classes, which nothing here uses (21.0 → 19.6 ms a page on real pages, the same output).
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction,
    entity=html.HtmlEntity))
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

#: Elements whose content is never text (``head`` is not here: trafilatura names headings so).
SKIP_TAGS = frozenset(
    "script style noscript template iframe svg button input select textarea option object embed "
    "video audio canvas map title meta link source track picture img graphic".split()
)
# block-level elements (HTML and trafilatura's output vocabulary): each starts a paragraph
_BLOCK_TAGS = frozenset(
    "p div section article header footer main aside nav h1 h2 h3 h4 h5 h6 li ul ol dl dt dd "
    "blockquote figure figcaption pre table thead tbody tfoot tr caption form address center hr "
    "head list item quote row details summary fieldset legend".split()
)
_CELL_TAGS = frozenset({"td", "th", "cell"})
_BREAK_TAGS = frozenset({"br", "lb"})
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?:;։؟…»\"”)]$")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)\b[^>]*>")
_DOCUMENT_TAGS = frozenset("html head body title meta link script style noscript template".split())
#: What a too-deep page keeps: the structure that carries text, then paragraphs and headings only.
_FLATTEN_LEVELS = (
    _DOCUMENT_TAGS | frozenset("article main header footer nav aside p h1 h2 h3 h4 h5 h6 ul ol li table tr td th "
                               "thead tbody blockquote pre figure figcaption time a br".split()),
    _DOCUMENT_TAGS | frozenset("p h1 h2 h3 h4 h5 h6 br".split()),
)


def decode(page: str | bytes, encoding: str | None = None) -> str:
    """The page as text: ``encoding`` when given, else the BOM/``<meta charset>``, else UTF-8.
    NUL characters (never text; lxml would turn them into U+FFFD) are dropped."""
    if isinstance(page, str):
        return page.replace("\x00", "")
    header = f"text/html; charset={encoding}" if encoding else None
    _, text = html_to_unicode(header, page)
    return text.replace("\x00", "")


def _too_deep(parser) -> bool:
    """Whether libxml2 stopped at its nesting limit (it drops everything below it)."""
    return any("Excessive depth" in entry.message for entry in parser.error_log)


def _flatten(page: str, keep: frozenset[str]) -> str:
    """The page with every tag not in ``keep`` removed (a block tag becomes a line break), so
    markup nested thousands deep (wrappers, unclosed inline tags) parses to its text."""
    def replace(match: re.Match) -> str:
        name = match.group(1).lower()
        if name in keep:
            return match.group(0)
        return "<br>" if name in _BLOCK_TAGS else " "
    return _TAG.sub(replace, page)


def parse(page: str) -> html.HtmlElement | None:
    """Parse a page once (comments and processing instructions dropped); None if not HTML.

    A page nested deeper than libxml2's limit is parsed again flattened (first without its
    wrapper and inline tags, then with paragraphs and headings only), so its text survives."""
    page = _XML_DECL.sub("", page, count=1)
    if not page.strip():
        return None
    for keep in (None, *_FLATTEN_LEVELS):
        text = page if keep is None else _flatten(page, keep)
        try:
            # a lone surrogate (only a ``str`` given by a caller can hold one) becomes "?"
            tree = html.document_fromstring(text.encode("utf-8", "replace"), parser=_PARSER)
        except (etree.ParserError, ValueError) as err:
            logger.debug("not parseable as HTML: %s", err)
            return None
        if not _too_deep(_PARSER):
            return tree
        logger.debug("markup deeper than the parser's limit: parsed flattened")
    return tree


def _flush(buffer: list[str], out: list[str]) -> None:
    if not buffer:
        return
    joined = "".join(buffer)
    buffer.clear()
    # single line breaks join a wrapped sentence; a break after a finished sentence, or a double
    # break, separates paragraphs
    current = ""
    for segment in joined.split("\n"):
        segment = " ".join(segment.split())  # as _SPACES.sub(" ", …).strip(): the same whitespace
        if not segment:
            if current:
                out.append(current)
                current = ""
            continue
        if current and not _SENTENCE_END.search(current):
            current = f"{current} {segment}"
        elif current:
            out.append(current)
            current = segment
        else:
            current = segment
    if current:
        out.append(current)


def _walk(element, buffer: list[str], out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else None
    if tag is None or tag in SKIP_TAGS:
        return
    if tag in _BREAK_TAGS:
        buffer.append("\n")
        return
    block = tag in _BLOCK_TAGS
    if block:
        _flush(buffer, out)
    if element.text:
        buffer.append(element.text)
    for child in element:
        _walk(child, buffer, out)
        if child.tail:
            buffer.append(child.tail)
    if tag in _CELL_TAGS:
        buffer.append(" ")
    if block:
        _flush(buffer, out)


def paragraphs(element) -> list[str]:
    """The paragraphs of an element: one per block (``p``, ``li``, ``figcaption``, headings …)."""
    out: list[str] = []
    buffer: list[str] = []
    _walk(element, buffer, out)
    _flush(buffer, out)
    return out


def text_of(element) -> str:
    """The whitespace-normalized text of an element (scripts and styles excluded)."""
    if element is None:
        return ""
    return _SPACES.sub(" ", " ".join(paragraphs(element))).strip()
