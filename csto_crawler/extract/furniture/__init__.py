"""Furniture rules as data: one module of patterns per concern, compiled here once.

Each concern module declares plain data (tuples of regular-expression strings or phrases);
this package compiles them into a few combined patterns that the text cleaner
(``csto_crawler.extract.textclean``) and the DOM pre-cleaner (``csto_crawler.extract.generic``)
use. Adding a phrase in one language is a one-line edit in the module of its concern.

Pattern kinds:

* ``LINES``: a whole text line that is furniture wherever it occurs;
* ``TAIL``: a line (searched, not anchored) that is furniture when it sits in the tail of the
  text, after the last body paragraph (legal footers, copyright, CMS credits);
* ``HEAD``: a whole line that is furniture before the first body paragraph (breadcrumbs,
  rubric labels, byline/meta lines);
* related-block headings: a line that opens a block of links to other articles.
"""

from __future__ import annotations

import re

from csto_crawler.extract.furniture import (
    counters,
    credits,
    headers,
    legal,
    prompts,
    related,
    source,
)
from csto_crawler.extract.literals import Alternatives

__all__ = [
    "LINE_RE",
    "LEGAL",
    "COPYRIGHT",
    "HEAD_RE",
    "RELATED_RE",
    "RELATED_INLINE_RE",
    "TAIL_ONLY_HEADINGS",
    "SOURCE_CREDIT_RE",
    "SITE_SIGNATURE_RE",
    "DOM_DROP_RE",
    "DOM_STRONG_RE",
    "compile_lines",
]

_FLAGS = re.IGNORECASE | re.UNICODE


def _alternation(patterns) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def compile_lines(patterns) -> re.Pattern[str] | None:
    """One anchored, case-insensitive pattern matching a whole line against any of ``patterns``."""
    patterns = tuple(patterns)
    if not patterns:
        return None
    return re.compile(rf"^(?:{_alternation(patterns)})$", _FLAGS)


def _dom_tokens(tokens) -> str:
    """A class/id token pattern: a furniture word delimited by start/end, ``-`` or ``_``."""
    return rf"(?:^|[-_\s])(?:{_alternation(tokens)})(?:$|[-_\s\d])"


def _phrases(phrases) -> str:
    return _alternation(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)


#: Whole lines that are furniture anywhere in the text.
LINE_RE = compile_lines(counters.LINES + prompts.LINES + credits.LINES)
#: Legal/registration footers: furniture in the tail whatever their length (searched;
#: ``LEGAL.found(line)``, each pattern run only when its literals are in the line).
LEGAL = Alternatives(legal.TAIL, _FLAGS)
#: Copyright and credit phrases: furniture in the tail when short or with a © / year (searched).
COPYRIGHT = Alternatives(credits.TAIL, _FLAGS)
#: Whole lines that are furniture in the head.
HEAD_RE = compile_lines(headers.HEAD)

_heading = _phrases(related.HEADINGS)
#: A related-block heading alone on its line (optional trailing colon/arrow/ellipsis).
RELATED_RE = re.compile(rf"^(?:{_heading})\s*[:.…»>→]*$", _FLAGS)
#: A heading followed by one linked title on the same line ("Читайте также: Лавров …").
RELATED_INLINE_RE = re.compile(rf"^(?:{_phrases(related.INLINE_HEADINGS)})\s*[:—–-]\s*\S.*$", _FLAGS)
#: Headings that never open an in-body box: from such a heading to the end is furniture once
#: the article is behind it.
TAIL_ONLY_HEADINGS = re.compile(rf"^(?:{_phrases(related.TAIL_ONLY)})\s*[:.…»>→]*$", _FLAGS)

#: "Источник: X", "Nguồn: vov.vn" …; group ``credit`` is the credited source.
SOURCE_CREDIT_RE = re.compile(
    rf"^(?:{_phrases(source.LABELS)})\s*[:：]\s*(?P<credit>\S.{{0,90}}?)\s*\.?$", _FLAGS
)
#: A bare site signature line at the end of an article ("Akorda.kz").
SITE_SIGNATURE_RE = re.compile(source.SIGNATURE, _FLAGS)

#: class/id tokens of page furniture, for the DOM pre-cleaner.
DOM_DROP_RE = re.compile(
    _dom_tokens(related.DOM_TOKENS + prompts.DOM_TOKENS + counters.DOM_TOKENS + legal.DOM_TOKENS),
    re.IGNORECASE,
)
#: class/id tokens dropped even when the element holds a lot of text (comments, cookie banners).
DOM_STRONG_RE = re.compile(_dom_tokens(prompts.DOM_STRONG_TOKENS), re.IGNORECASE)
