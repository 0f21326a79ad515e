"""Candidate: jusText's paragraph classifier on the pre-cleaned tree.

jusText (a trafilatura dependency) scores every block of the page by length, link density
and the share of the language's stopwords, then revises short blocks by their neighbours.
The stoplist is the one whose words are densest in the page's own text, so no declared or
detected language is needed and any language jusText ships a list for works.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from justext.core import ParagraphMaker, classify_paragraphs, revise_paragraph_classification
from justext.utils import get_stoplist, get_stoplists

__all__ = ["justext_paragraphs", "best_stoplist"]

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)
#: Below this share of stopwords in the page's words no stoplist fits the page's language.
_MIN_DENSITY = 0.08


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    return {name: frozenset(get_stoplist(name)) for name in sorted(get_stoplists())}


def best_stoplist(text: str) -> frozenset[str]:
    """The stoplist whose words make up most of ``text``'s words (empty if none fits)."""
    words = [w.casefold() for w in _WORD.findall(text[:50_000])]
    if not words:
        return frozenset()
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    best, best_hits = frozenset(), 0
    for stoplist in _stoplists().values():
        hits = sum(n for w, n in counts.items() if w in stoplist)
        if hits > best_hits:
            best, best_hits = stoplist, hits
    return best if best_hits >= _MIN_DENSITY * len(words) else frozenset()


def justext_paragraphs(tree, text_sample: str) -> list[str]:
    """The blocks jusText classes as good, in page order ([] if none or the tree is too deep)."""
    stoplist = best_stoplist(text_sample)
    if not stoplist:
        return []
    try:
        paras = ParagraphMaker.make_paragraphs(tree)
    except RecursionError:
        logger.debug("tree too deep for the paragraph classifier")
        return []
    classify_paragraphs(paras, stoplist)
    revise_paragraph_classification(paras)
    return [p.text for p in paras if p.class_type == "good" and p.text.strip()]
