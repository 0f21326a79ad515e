"""Candidate: jusText's paragraph classifier on the pre-cleaned tree.

jusText (a trafilatura dependency) scores every block of the page by length, link density
and the share of the language's stopwords, then revises short blocks by their neighbours.
The stoplist is the one whose words are densest in the page's own text, so no declared or
detected language is needed and any language jusText ships a list for works.

The context revision (short and near-good blocks take the class of their good/bad
neighbours) is jusText's, rewritten to run in linear time: the library's own scans from every
short block to its neighbours, which is quadratic on a page of 100,000 short blocks.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache

from justext.core import MAX_HEADING_DISTANCE_DEFAULT, ParagraphMaker, classify_paragraphs
from justext.utils import get_stoplist, get_stoplists

__all__ = ["justext_paragraphs", "best_stoplist", "revise"]

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)
#: Below this share of stopwords in the page's words no stoplist fits the page's language.
_MIN_DENSITY = 0.08


@lru_cache(maxsize=1)
def _stoplists() -> tuple[list[frozenset[str]], dict[str, tuple[int, ...]]]:
    """Every stoplist jusText ships, and for each stopword the lists that hold it."""
    lists = [frozenset(get_stoplist(name)) for name in sorted(get_stoplists())]
    holders: dict[str, list[int]] = {}
    for index, stoplist in enumerate(lists):
        for word in stoplist:
            holders.setdefault(word, []).append(index)
    return lists, {word: tuple(indexes) for word, indexes in holders.items()}


def best_stoplist(text: str) -> frozenset[str]:
    """The stoplist whose words make up most of ``text``'s words (empty if none fits)."""
    words = [w.casefold() for w in _WORD.findall(text[:50_000])]
    if not words:
        return frozenset()
    lists, holders = _stoplists()
    hits = [0] * len(lists)
    for word, count in Counter(words).items():
        for index in holders.get(word, ()):
            hits[index] += count
    best = max(range(len(lists)), key=hits.__getitem__)
    return lists[best] if hits[best] >= _MIN_DENSITY * len(words) else frozenset()


def justext_paragraphs(tree, text_sample: str) -> tuple[list[str], dict[str, float]]:
    """The blocks jusText classes as good, in page order, and the link density of every block
    (by its whitespace-normalized text); ([], {}) if no stoplist fits or the tree is too deep."""
    stoplist = best_stoplist(text_sample)
    if not stoplist:
        return [], {}
    try:
        paras = ParagraphMaker.make_paragraphs(tree)
    except RecursionError:
        logger.debug("tree too deep for the paragraph classifier")
        return [], {}
    classify_paragraphs(paras, stoplist)
    revise(paras)
    densities = {" ".join(p.text.split()): p.links_density() for p in paras}
    return [p.text for p in paras if p.class_type == "good" and p.text.strip()], densities

_DECIDED = ("good", "bad")
#: jusText's first pass (a short heading before a good block is near-good) reads the classes
#: of the blocks after the heading before it has set them, so in jusText it never fires; the
#: candidate keeps jusText's measured behaviour.
_NEAR_GOOD_HEADINGS = False


def _nearest(classes: list[str], wanted: tuple[str, ...], step: int) -> list[str]:
    """For each index: the nearest class in ``wanted`` before it (step 1) or after it
    (step -1), "bad" at the page's edge (as jusText reads the edges)."""
    out = ["bad"] * len(classes)
    seen = "bad"
    order = range(len(classes)) if step == 1 else range(len(classes) - 1, -1, -1)
    for i in order:
        out[i] = seen
        if classes[i] in wanted:
            seen = classes[i]
    return out


def _headings_near_good(paras, from_class: str, to_class: str, distance_max: int, extra=None) -> None:
    """Headings of ``from_class`` followed by a good block within ``distance_max`` characters
    become ``to_class`` (the walk is bounded by characters and by blocks)."""
    for i, p in enumerate(paras):
        if not (p.heading and p.class_type == from_class and (extra is None or extra(p))):
            continue
        distance = 0
        for q in paras[i + 1:i + 1 + distance_max + 1]:
            if distance > distance_max:
                break
            if q.class_type == "good":
                p.class_type = to_class
                break
            distance += len(q.text)


def revise(paras, max_heading_distance: int = MAX_HEADING_DISTANCE_DEFAULT) -> None:
    """jusText's context-sensitive classification of already classified blocks, linear."""
    for p in paras:
        p.class_type = p.cf_class
    if _NEAR_GOOD_HEADINGS:
        _headings_near_good(paras, "short", "neargood", max_heading_distance)
    classes = [p.class_type for p in paras]
    prev_gb, next_gb = _nearest(classes, _DECIDED, 1), _nearest(classes, _DECIDED, -1)
    prev_any = _nearest(classes, ("good", "bad", "neargood"), 1)
    next_any = _nearest(classes, ("good", "bad", "neargood"), -1)
    for i, p in enumerate(paras):
        if classes[i] != "short":
            continue
        before, after = prev_gb[i], next_gb[i]
        if before == after:
            p.class_type = before
        elif (before == "bad" and prev_any[i] == "neargood") or (after == "bad" and next_any[i] == "neargood"):
            p.class_type = "good"
        else:
            p.class_type = "bad"
    classes = [p.class_type for p in paras]
    next_gb = _nearest(classes, _DECIDED, -1)
    before = "bad"
    for i, p in enumerate(paras):
        if p.class_type == "neargood":
            p.class_type = "bad" if (before, next_gb[i]) == ("bad", "bad") else "good"
        if p.class_type in _DECIDED:
            before = p.class_type
    _headings_near_good(paras, "bad", "good", max_heading_distance, extra=lambda p: p.cf_class != "bad")
