"""Helpers of the extraction tests: token F1, fixture pages, and a generic page mutator.

``mutate_chrome(html)`` re-renders a page's volatile chrome the way a later fetch would
show it (view counts, related lists, the crawl-day header date, relative times, comment
counts), by class/id vocabulary and counter phrases only, never by page-specific paths; it
reports how many changes of each kind it made, so a test can require that it really changed
something.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from helpers import FIXTURES, load_sidecar
from lxml import html as lxml_html

from csto_crawler.extract import extract
from csto_crawler.extract.evaluate import token_f1, tokens
from csto_crawler.sites import rules_for_url

__all__ = ["token_f1", "tokens", "page_of", "fetched_at_of", "extract_fixture", "mutate_chrome",
           "change_one_word", "generic_sidecars", "seed_sidecars", "SEEDS"]

_WORD = re.compile(r"\w+", re.UNICODE)
SEEDS = FIXTURES / "seeds"


def page_of(sidecar: Path) -> Path:
    return sidecar.with_suffix(".html")


def fetched_at_of(data: dict) -> datetime | None:
    date = (data.get("headers") or {}).get("Date")
    return parsedate_to_datetime(date) if date else None


def extract_fixture(sidecar: Path, html: bytes | None = None):
    """Extract a fixture page as the crawl would: site rules only for a site folder."""
    data = load_sidecar(sidecar)
    rules = None if sidecar.parent.name == "generic" else rules_for_url(data["url"])
    body = html if html is not None else page_of(sidecar).read_bytes()
    return extract(body, data["url"], rules, fetched_at=fetched_at_of(data))


def generic_sidecars() -> list[Path]:
    return sorted((FIXTURES / "generic").glob("*.json"))


def seed_sidecars() -> list[Path]:
    """Every fixture page reconstructed from a seed (its sidecar names the seed)."""
    return sorted(p for p in FIXTURES.glob("*/*.json") if "seed" in load_sidecar(p))


# --- the page mutator ----------------------------------------------------------------------
_KINDS = {
    "views": re.compile(r"view|hits|просмотр|counter", re.IGNORECASE),
    "related": re.compile(r"related|other-news|other_news|similar|popular|recent|tinnoibat|section-title", re.IGNORECASE),
    "today": re.compile(r"today|header-date|data_time|current-date|date-now", re.IGNORECASE),
    "comments": re.compile(r"comment", re.IGNORECASE),
}
_COUNTER_TEXT = re.compile(
    r"(?P<n>\d[\d\s]*)(?=\s*(?:просмотр\w*|مشاهدات|bạn đọc|views?|bình luận)\b)|"
    r"(?<=Просмотров: )(?P<m>\d[\d\s]*)",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"(\d+)(\s+(?:час\w*|минут\w*|дн\w*|hours?|giờ)\s+(?:назад|ago|trước))")


def _bump_digits(text: str, by: int) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group()) + by) if len(m.group()) < 5 else m.group(), text)


def _attrs(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _texts(el):
    """(element, attribute) pairs of every text slot under el, for in-place edits."""
    for node in el.iter():
        if isinstance(node.tag, str):
            yield node, "text"
            yield node, "tail"


def mutate_chrome(page: bytes, shift: int = 1) -> tuple[bytes, Counter]:
    """The page re-rendered with other volatile chrome; and how many edits of each kind."""
    tree = lxml_html.document_fromstring(page.decode("utf-8"))
    made: Counter = Counter()
    body = tree.find("body")
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        attrs = _attrs(el)
        if _KINDS["today"].search(attrs) and re.search(r"\d", el.text_content()):
            for node, slot in _texts(el):
                value = getattr(node, slot)
                if value and re.search(r"\d", value):
                    setattr(node, slot, _bump_digits(value, shift))
                    made["today"] += 1
        elif _KINDS["views"].search(attrs) and not len(el) and re.search(r"\d", el.text or ""):
            el.text = _bump_digits(el.text, 137 * shift)
            made["views"] += 1
        elif _KINDS["comments"].search(attrs) and re.search(r"\d", el.text_content()) and len(el.text_content()) < 40:
            for node, slot in _texts(el):
                value = getattr(node, slot)
                if value and re.search(r"\d", value):
                    setattr(node, slot, _bump_digits(value, 3 * shift))
                    made["comments"] += 1
    for el in body.iter():
        if not isinstance(el.tag, str) or not _KINDS["related"].search(_attrs(el)):
            continue
        def items_of(node):
            return [c for c in node if isinstance(c.tag, str) and c.tag in ("li", "div", "article")]

        holder = max(el.iter(), key=lambda node: len(items_of(node)) if isinstance(node.tag, str) else 0)
        items = items_of(holder)
        if len(items) >= 2:
            for child in items:
                holder.remove(child)
            for child in reversed(items[1:]):  # another order, one item gone
                holder.append(child)
            made["related"] += 1
    for node, slot in _texts(body):
        value = getattr(node, slot)
        if not value:
            continue
        new = _COUNTER_TEXT.sub(lambda m: _bump_digits(m.group(), 41 * shift), value)
        new = _RELATIVE.sub(lambda m: f"{int(m.group(1)) + 5 * shift}{m.group(2)}", new)
        if new != value:
            setattr(node, slot, new)
            made["views" if _COUNTER_TEXT.search(value) else "relative"] += 1
    out = lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    return out.encode("utf-8"), made


def change_one_word(page: bytes, text: str) -> tuple[bytes, str]:
    """The page with one word of the article body replaced (a word that occurs once on the page)."""
    source = page.decode("utf-8")
    paragraphs = text.split("\n\n")
    middle = len(paragraphs) // 2
    # the middle paragraph first, then its neighbours outwards (a caption may repeat its words)
    for index in sorted(range(len(paragraphs)), key=lambda i: (abs(i - middle), i)):
        for word in sorted(set(_WORD.findall(paragraphs[index])), key=len, reverse=True):
            if len(word) > 5 and source.count(word) == 1:
                return source.replace(word, word[::-1] + "x", 1).encode("utf-8"), word
    raise AssertionError("no word of the body occurs exactly once on the page")
