"""Layer 1: the site's own rules (``SiteRules``): drop selectors, content, title and date selectors."""

from __future__ import annotations

import logging
from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.etree import XPathError

from csto_crawler.extract.document import text_of
from csto_crawler.extract.rules import SiteRules

__all__ = ["select", "select_one", "drop", "remove", "field_value"]

logger = logging.getLogger(__name__)


@lru_cache(maxsize=256)
def _compiled(selector: str) -> CSSSelector | None:
    try:
        return CSSSelector(selector, translator="html")
    except (XPathError, ValueError, SyntaxError) as err:  # cssselect raises SelectorSyntaxError(SyntaxError)
        logger.warning("invalid CSS selector %r: %s", selector, err)
        return None


def select(tree, selector: str | None) -> list:
    """Elements matching a CSS selector (an invalid selector matches nothing, logged once)."""
    if not selector:
        return []
    compiled = _compiled(selector)
    return compiled(tree) if compiled is not None else []


def select_one(tree, selector: str | None):
    """The first element matching a CSS selector, or None."""
    found = select(tree, selector)
    return found[0] if found else None


def remove(element) -> None:
    """Remove an element, keeping its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def drop(tree, rules: SiteRules | None) -> int:
    """Remove everything the site's ``drop_selectors`` match; the number of elements removed."""
    count = 0
    for selector in rules.drop_selectors if rules else ():
        for element in select(tree, selector):
            remove(element)
            count += 1
    return count


def field_value(tree, selector: str | None) -> str | None:
    """A field's raw value: the ``datetime``/``content`` attribute of the match, else its text."""
    element = select_one(tree, selector)
    if element is None:
        return None
    for attr in ("datetime", "content"):
        if element.get(attr):
            return element.get(attr).strip()
    return text_of(element) or None
