"""Candidate: jusText's paragraph classifier on the pre-cleaned tree.

jusText (a trafilatura dependency) scores every block of the page by length, link density
and the share of the language's stopwords, then revises short blocks by their neighbours.
The stoplist is the one whose words are densest in the page's own text, so no declared or
detected language is needed and any language jusText ships a list for works.

The context revision (short and near-good blocks take the class of their good/bad
neighbours) is jusText's, rewritten to run in linear time: the library's own scans from every
short block to its neighbours, which is quadratic on a page of 100,000 short blocks.

The blocks are made by one iterative walk of the tree (``blocks``) that yields what jusText's
``ParagraphMaker`` yields (the same texts, link characters, DOM paths), without its SAX events
and XPath bookkeeping and with each block's text normalized once instead of on every read:
about a third of the library's time, and no recursion limit on deep trees.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache

from justext import core as _jt
from justext.core import MAX_HEADING_DISTANCE_DEFAULT, PARAGRAPH_TAGS
from justext.utils import get_stoplist, get_stoplists, normalize_whitespace

__all__ = ["justext_paragraphs", "best_stoplist", "blocks", "classify", "revise", "Block"]

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


class Block:
    """One block of text as jusText sees it: its whitespace-normalized text, the characters
    of it inside links, its DOM path and the classes jusText gives it."""

    __slots__ = ("text", "links", "dom_path", "heading", "cf_class", "class_type")

    def __init__(self, text: str, links: int, dom_path: str) -> None:
        self.text = text
        self.links = links
        self.dom_path = dom_path
        self.heading = bool(_HEADING.search(dom_path))
        self.cf_class = ""
        self.class_type = ""

    def links_density(self) -> float:
        return self.links / len(self.text) if self.text else 0


_HEADING = re.compile(r"\bh\d\b")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


class _Maker:
    """jusText's ``ParagraphMaker`` state machine, fed by ``blocks``' walk."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.out: list[Block] = []
        self.nodes: list[str] = []
        self.links = 0
        self.dom_path = ""
        self.link = False
        self.br = False

    def new_block(self) -> None:
        text = normalize_whitespace("".join(self.nodes).strip()) if self.nodes else ""
        if text:  # jusText drops an empty block: its Paragraph is falsy by its length
            self.out.append(Block(text, self.links, self.dom_path))
        self.nodes, self.links, self.dom_path = [], 0, ".".join(self.path)

    def start(self, name: str) -> None:
        self.path.append(name)
        if name in PARAGRAPH_TAGS or (name == "br" and self.br):
            self.new_block()
        else:
            self.br = name == "br"
            if self.br:
                self.nodes.append(" ")
            elif name == "a":
                self.link = True

    def end(self, name: str) -> None:
        self.path.pop()
        if name in PARAGRAPH_TAGS:
            self.new_block()
        if name == "a":
            self.link = False

    def characters(self, content: str | None) -> None:
        if not content or content.isspace():
            return
        text = normalize_whitespace(content)
        self.nodes.append(text)
        if self.link:
            self.links += len(text)
        self.br = False


def blocks(root) -> list[Block]:
    """The blocks of a tree, in document order, as jusText's ``ParagraphMaker`` makes them
    (comments and processing instructions give only their tails)."""
    maker = _Maker()
    maker.new_block()
    stack: list = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):  # the end of an element
            maker.end(item[0])
            maker.characters(item[1].tail)
            continue
        if not isinstance(item.tag, str):
            maker.characters(item.tail)
            continue
        name = _local(item.tag)
        maker.start(name)
        maker.characters(item.text)
        stack.append((name, item))
        stack.extend(reversed(item))
    maker.new_block()
    return maker.out


def classify(paras: list[Block], stoplist: frozenset[str]) -> None:
    """jusText's context-free classification (``classify_paragraphs``, default thresholds)."""
    for p in paras:
        text = p.text
        words = text.split()
        density = sum(w.lower() in stoplist for w in words) / len(words) if words else 0
        length = len(text)
        if p.links_density() > _jt.MAX_LINK_DENSITY_DEFAULT or "\xa9" in text or "&copy" in text:
            p.cf_class = "bad"
        elif "select" in p.dom_path:
            p.cf_class = "bad"
        elif length < _jt.LENGTH_LOW_DEFAULT:
            p.cf_class = "bad" if p.links > 0 else "short"
        elif density >= _jt.STOPWORDS_HIGH_DEFAULT:
            p.cf_class = "good" if length > _jt.LENGTH_HIGH_DEFAULT else "neargood"
        elif density >= _jt.STOPWORDS_LOW_DEFAULT:
            p.cf_class = "neargood"
        else:
            p.cf_class = "bad"


def justext_paragraphs(tree, text_sample: str) -> tuple[list[str], dict[str, float]]:
    """The blocks jusText classes as good, in page order, and the link density of every block
    (by its whitespace-normalized text); ([], {}) if no stoplist fits."""
    stoplist = best_stoplist(text_sample)
    if not stoplist:
        return [], {}
    paras = blocks(tree)
    classify(paras, _lowered(stoplist))
    revise(paras)
    densities = {" ".join(p.text.split()): p.links_density() for p in paras}
    return [p.text for p in paras if p.class_type == "good" and p.text.strip()], densities


@lru_cache(maxsize=8)
def _lowered(stoplist: frozenset[str]) -> frozenset[str]:
    return frozenset(w.lower() for w in stoplist)


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
