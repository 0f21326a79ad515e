"""Change a page's furniture (counters, related lists, header dates) and never its article.

Where the furniture is:

* regions a fixture marks as volatile: ``<!--volatile-->…<!--/volatile-->`` (the convention
  of ``tests/fixtures/README.md``: view counts, "other news" lists, the crawl-day header date,
  comment counts);
* elements whose class names a counter or a related list (a class word such as ``views``,
  ``count``, ``counter``, ``related``, ``comments``, ``hits``), when they are small and hold no
  long paragraph, so an article body is never taken for furniture.

What changes inside them: list items rotate (the first moves to the end); numeric dates
(``24.11.2024``, ``2024-11-24``) move one day on; times move seven minutes on; other numbers
change (years stay). Only text between tags changes, never attributes or links, so the crawl
discovers no new URL. The edit works on the page's text, so the rest of the page keeps its
exact bytes.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

__all__ = ["FURNITURE_CLASS_WORDS", "change_furniture", "furniture_spans"]

logger = logging.getLogger(__name__)

#: Class-name words (split on ``-``, ``_`` and camelCase) that mark furniture.
FURNITURE_CLASS_WORDS = frozenset({
    "view", "views", "viewed", "count", "counts", "counter", "related", "comment", "comments",
    "hits", "reads", "visits",
})
#: An element taken by its class must be at most this long (text) …
_MAX_FURNITURE_TEXT = 2000
#: … and hold no paragraph longer than this: article bodies are never furniture.
_MAX_PARAGRAPH = 250
#: Elements never taken as furniture by their class (they hold the whole page or nothing).
_NEVER = frozenset({"html", "head", "body", "main", "article", "script", "style", "form",
                    "input", "img", "meta", "link", "br", "hr", "textarea", "select", "button"})

_VOLATILE = re.compile(r"<!--\s*volatile\s*-->(.*?)<!--\s*/volatile\s*-->", re.S | re.I)
_OPEN_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_CLASS_ATTR = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_TAGS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_NUMBERS = re.compile(
    r"""(?<![#&0-9])(?:
      (?P<dmy>\b(?P<d>[0-9]{1,2})(?P<sep>[./-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})\b)
    | (?P<ymd>\b(?P<y2>[0-9]{4})-(?P<m2>[0-9]{2})-(?P<d2>[0-9]{2})\b)
    | (?P<hm>\b(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})\b)
    | (?P<n>\b[0-9]+\b)
    )""",
    re.X,
)


def _class_words(value: str) -> set[str]:
    words: set[str] = set()
    for token in value.split():
        for part in re.split(r"[-_]+", token):
            words.update(w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", part))
    return words


def _close_of(html: str, tag: str, start: int) -> int | None:
    """Index of the ``</tag>`` that closes the element whose opening tag ends at ``start``."""
    pattern = re.compile(rf"<(/?)({re.escape(tag)})\b[^>]*>", re.I)
    depth = 1
    for match in pattern.finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.start()
    return None


def _plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", _TAGS.sub(" ", fragment)).strip()


def _looks_like_body(fragment: str) -> bool:
    if len(_plain(fragment)) > _MAX_FURNITURE_TEXT:
        return True
    for paragraph in re.findall(r"<p\b[^>]*>(.*?)</p\s*>", fragment, re.S | re.I):
        if len(_plain(paragraph)) > _MAX_PARAGRAPH:
            return True
    return False


def furniture_spans(html: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every furniture region's inner HTML, in order, none overlapping."""
    candidates = [(m.start(1), m.end(1)) for m in _VOLATILE.finditer(html)]
    for match in _OPEN_TAG.finditer(html):
        tag = match.group(1).lower()
        if tag in _NEVER:
            continue
        cls = _CLASS_ATTR.search(match.group(2))
        if not cls or not (_class_words(next(g for g in cls.groups() if g is not None))
                           & FURNITURE_CLASS_WORDS):
            continue
        end = _close_of(html, tag, match.end())
        if end is None or _looks_like_body(html[match.end():end]):
            continue
        candidates.append((match.end(), end))
    spans: list[tuple[int, int]] = []
    for start, end in sorted(candidates, key=lambda s: (s[0], -s[1])):
        if spans and start < spans[-1][1]:
            continue  # inside (or across) a region already taken
        spans.append((start, end))
    return spans


def _top_level(fragment: str, tag: str) -> list[tuple[int, int]]:
    """Outer spans of the ``tag`` elements of a fragment that are not nested in one another."""
    spans = []
    pattern = re.compile(rf"<(/?){tag}\b[^>]*>", re.I)
    depth, start = 0, None
    for match in pattern.finditer(fragment):
        if not match.group(1):
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0 and start is not None:
                spans.append((start, match.end()))
    return spans


def _rotate_list(fragment: str) -> str:
    """Move the first item of the longest run of sibling ``<li>`` to the end of the run."""
    items = _top_level(fragment, "li")
    runs: list[list[tuple[int, int]]] = []
    for span in items:
        if runs and not fragment[runs[-1][-1][1]:span[0]].strip():
            runs[-1].append(span)
        else:
            runs.append([span])
    best = max(runs, key=len, default=[])
    if len(best) < 2:
        return fragment
    pieces = [fragment[s:e] for s, e in best]
    gaps = [fragment[best[i][1]:best[i + 1][0]] for i in range(len(best) - 1)]
    rotated = pieces[1:] + pieces[:1]
    middle = "".join(p + g for p, g in zip(rotated, gaps + [""], strict=True))
    return fragment[: best[0][0]] + middle + fragment[best[-1][1]:]


def _shift(match: re.Match) -> str:
    text = match.group(0)
    try:
        if match.group("dmy"):
            d, m, y = int(match.group("d")), int(match.group("m")), int(match.group("y"))
            new = date(y, m, d) + timedelta(days=1)
            wd, wm, sep = len(match.group("d")), len(match.group("m")), match.group("sep")
            return f"{new.day:0{wd}d}{sep}{new.month:0{wm}d}{sep}{new.year}"
        if match.group("ymd"):
            new = date(int(match.group("y2")), int(match.group("m2")), int(match.group("d2")))
            return (new + timedelta(days=1)).isoformat()
    except ValueError:
        return text  # not a real date: leave it
    if match.group("hm"):
        h, mi = int(match.group("h")), int(match.group("mi"))
        if h > 23 or mi > 59:
            return text
        total = (h * 60 + mi + 7) % (24 * 60)
        return f"{total // 60:0{len(match.group('h'))}d}:{total % 60:02d}"
    n = int(text)
    if len(text) == 4 and 1900 <= n <= 2100:
        return text  # a year
    return str(n % 28 + 1) if n <= 31 else str(n + 17)


def _shake(fragment: str) -> str:
    fragment = _rotate_list(fragment)
    out, in_code = [], False
    for piece in _TAGS.split(fragment):
        if piece.startswith("<"):
            lowered = piece[:8].lower()
            if lowered.startswith(("<script", "<style")):
                in_code = True
            elif lowered.startswith(("</script", "</style")):
                in_code = False
            out.append(piece)
        else:
            out.append(piece if in_code else _NUMBERS.sub(_shift, piece))
    return "".join(out)


def change_furniture(html: str) -> str:
    """The page with its furniture changed; ``ValueError`` when it has none that can change."""
    spans = furniture_spans(html)
    if not spans:
        raise ValueError("the page has no furniture: mark it with <!--volatile-->…<!--/volatile-->")
    out, pos = [], 0
    for start, end in spans:
        out += [html[pos:start], _shake(html[start:end])]
        pos = end
    out.append(html[pos:])
    changed = "".join(out)
    if changed == html:
        raise ValueError("the page's furniture has nothing that can change (no number, date or list)")
    logger.debug("changed %d furniture region(s)", len(spans))
    return changed
