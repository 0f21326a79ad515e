"""What two texts are compared on: the normalised words of the cleaned text, as word shingles.

``normalise(text)`` drops what differs between two republications of one statement and says
nothing about its content: the dateline a news agency puts before the first sentence
("АСТАНА, 2 декабря. /Казинформ/ –", "ДУШАНБЕ, 23.08.2021 /НИАТ «Ховар»/."), credit lines
("Источник: …", "Фото: …", "© …"), case, digits, punctuation and ``ё``. ``shingles(text)`` is
the set of 32-bit hashes (CRC-32, stable across processes) of its overlapping word ``k``-grams.

``similar(a, b)`` is the exact check two texts pass before they join one story: Jaccard
similarity of their shingle sets at least ``JACCARD_MIN``, or, for a trimmed republication (a
paragraph dropped), containment of the smaller set in the larger at least ``CONTAINMENT_MIN``
while the smaller still holds ``SIZE_RATIO_MIN`` of the larger (a digest quoting three items
contains each, but is several times longer, so it stays apart). The thresholds were chosen on
the generated pairs of ``bench/story_pairs.py`` (docs/stories.md shows the measurement).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable

import numpy as np

__all__ = ["CONTAINMENT_MIN", "JACCARD_MIN", "MIN_SHINGLES", "SHINGLE_WORDS", "SIZE_RATIO_MIN",
           "normalise", "shingles", "similar", "similarity", "strip_furniture", "words"]

#: Words per shingle.
SHINGLE_WORDS = 3
#: Two texts whose shingle sets have at least this Jaccard similarity tell one story.
JACCARD_MIN = 0.4
#: ... or the smaller set lies at least this much inside the larger one ...
CONTAINMENT_MIN = 0.7
#: ... while being at least this share of its size (a digest is several items long).
SIZE_RATIO_MIN = 0.6
#: A text with fewer shingles is too short to be told apart from another: it stays alone.
MIN_SHINGLES = 8

#: A dateline before the first sentence: a place in capitals, optionally a date, an agency in
#: slashes, brackets or parentheses, then a dash or a full stop.
_CAPS = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎЇЄҐ"
_DATELINE = re.compile(
    rf"""^\s*
    [{_CAPS}]{{2,}}(?:[\s\-][{_CAPS}]{{2,}}){{0,3}}     # the place: АСТАНА, НУР-СУЛТАН, NEW YORK
    (?:\s*,\s*[^/\n(\[]{{1,30}}?)?                    # a date: , 2 декабря. / , 23.08.2021
    \s*(?:/[^/\n]{{1,40}}/|\([^)\n]{{1,40}}\)|\[[^\]\n]{{1,40}}\])?  # an agency: /Казинформ/
    \s*(?:[–—\-]+|\.)\s+(?![/(\[–—\-])               # a dash or a full stop
    (?:[^\W\d_]+\.\s+)?                               # — Sputnik.
    """, re.VERBOSE)
#: A paragraph that only credits a source, a photo or a copyright holder.
_CREDIT = re.compile(
    r"^\s*(?:©|\(c\)\s|(?:источник|фото|фотография|photo|source|credit|по материалам|"
    r"подробнее|читайте также|read more|дереккөз|манбаъ|сурат|суреттер)\b).{0,160}$",
    re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")


def strip_furniture(text: str) -> str:
    """The text without its leading dateline and its credit-only paragraphs."""
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]
    kept = [p for p in paragraphs if not _CREDIT.match(p)]
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    return "\n\n".join(kept)


def words(text: str) -> list[str]:
    """The lower-cased words (letters only: digits and punctuation out, ``ё`` as ``е``)."""
    text = unicodedata.normalize("NFC", text or "").casefold().replace("ё", "е")
    return _WORD.findall(text)


def normalise(text: str) -> list[str]:
    """The words two republications of one text share: furniture stripped, then ``words``."""
    return words(strip_furniture(text))


def shingles(text: str, k: int = SHINGLE_WORDS) -> frozenset[int]:
    """CRC-32 hashes of the word ``k``-grams of the normalised text (a shorter text: its
    whole word sequence as one shingle, none when it has no word)."""
    tokens = normalise(text)
    if len(tokens) < k:
        return frozenset([zlib.crc32(" ".join(tokens).encode())]) if tokens else frozenset()
    encoded = [token.encode() for token in tokens]
    crc32, join = zlib.crc32, b" ".join
    return frozenset(crc32(join(gram)) for gram in zip(*(encoded[j:] for j in range(k)), strict=False))


def _array(hashes: Iterable[int] | np.ndarray) -> np.ndarray:
    if isinstance(hashes, np.ndarray):
        return hashes
    return np.array(sorted(set(hashes)), dtype="<u4")


def similarity(a: Iterable[int] | np.ndarray,
               b: Iterable[int] | np.ndarray) -> tuple[float, float, float]:
    """(Jaccard, containment of the smaller in the larger, size ratio smaller/larger) of two
    shingle sets (sets, or sorted arrays without repeats)."""
    a, b = _array(a), _array(b)
    if not len(a) or not len(b):
        return 0.0, 0.0, 0.0
    common = int(np.intersect1d(a, b, assume_unique=True).size)
    small, large = sorted((len(a), len(b)))
    return common / (len(a) + len(b) - common), common / small, small / large


def similar(a: Iterable[int] | np.ndarray, b: Iterable[int] | np.ndarray) -> float:
    """How strongly two shingle sets tell the same story: their Jaccard similarity, or their
    containment when the trimmed case applies; 0.0 when they fail the exact check."""
    a, b = _array(a), _array(b)
    if min(len(a), len(b)) < MIN_SHINGLES:
        return 0.0
    jaccard, containment, ratio = similarity(a, b)
    if jaccard >= JACCARD_MIN:
        return jaccard
    if containment >= CONTAINMENT_MIN and ratio >= SIZE_RATIO_MIN:
        return containment * ratio ** 0.5  # ranks a trimmed copy below a whole one
    return 0.0
