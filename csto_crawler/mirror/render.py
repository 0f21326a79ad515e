"""Render a new article in a site's own template, and add it to listing pages.

A new article is an existing article page of the same host (the *template*) with its title,
body, date, URL and description swapped; the template's sidecar ``expected`` fields say what
its title, text and date are. The body element is found by the site module's
``content_selector`` when one covers the URL, else as the smallest element holding the
template's whole expected text.

Listing pages get a copy of their first entry, rewritten for the new article and put at the
top; feeds and sitemaps get theirs in ``csto_crawler.mirror.feeds``.

Nothing here names a site: what a page looks like comes from its fixture.
"""

from __future__ import annotations

import copy
import dataclasses
import email.utils
import html
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from csto_crawler.mirror.pages import Page, split_url

__all__ = ["insert_listing_item", "localize", "parse_when", "render_article", "teaser"]

logger = logging.getLogger(__name__)

#: Month names the date swap recognises (nominative and genitive where the language has them).
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь"),
    "ru_gen": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
               "сентября", "октября", "ноября", "декабря"),
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
           "қыркүйек", "қазан", "қараша", "желтоқсан"),
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
           "أكتوبر", "نوفمبر", "ديسمبر"),
    "vi": tuple(f"tháng {n}" for n in range(1, 13)),
}
_NUMERIC_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M", "%d.%m.%Y",
    "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y, %H:%M", "%d-%m-%Y %H:%M", "%d-%m-%Y",
)
_TEXT_ATTRS = ("content", "datetime", "title", "alt", "value")
_BODY_FALLBACKS = ('[itemprop="articleBody"]', "article .content", "article", ".entry-content",
                   ".article-body", ".content")


# -- dates -------------------------------------------------------------------------------------
def parse_when(value: str | datetime, tz: timezone | None = None) -> datetime:
    """A datetime from an ISO 8601 string or a datetime; a naive one gets ``tz`` (else UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz or UTC)
    return moment


def _renderings(moment: datetime) -> list[str]:
    """The ways a page may print ``moment`` (the same order for every moment)."""
    out = [moment.isoformat(), moment.strftime("%Y-%m-%dT%H:%M:%S%z")]
    out += [moment.strftime(fmt) for fmt in _NUMERIC_FORMATS]
    out.append(f"{moment.day}-{moment:%m-%Y, %H:%M}")  # DLE's j-m-Y, H:i
    out.append(email.utils.format_datetime(moment))
    hm = f"{moment:%H:%M}"
    for names in MONTHS.values():
        month = names[moment.month - 1]
        for name in (month, month.capitalize(), month.lower()):
            for day in (str(moment.day), f"{moment.day:02d}"):
                out += [f"{name} {day}, {moment.year} {hm}", f"{name} {day}, {moment.year}",
                        f"{day} {name} {moment.year}"]
    return out


class DateSwap:
    """Replaces every printed form of one moment with the same form of another."""

    def __init__(self, old: datetime | None, new: datetime) -> None:
        self.pairs: dict[str, str] = {}
        if old is not None:
            new_local = new.astimezone(old.tzinfo)
            for before, after in zip(_renderings(old), _renderings(new_local), strict=True):
                if before != after:
                    self.pairs.setdefault(before, after)
        alternatives = sorted(self.pairs, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.pairs[m.group(0)], text)


def _template_date(page: Page) -> datetime | None:
    published = (page.sidecar.get("expected") or {}).get("published_at")
    if not published:
        return None
    try:
        return parse_when(published)
    except ValueError:
        return None


# -- HTML helpers ------------------------------------------------------------------------------
def _parse_html(page: Page) -> etree._Element:
    parser = lxml_html.HTMLParser(encoding=page.charset)
    return etree.fromstring(page.body, parser)


def _serialize_html(root: etree._Element, page: Page) -> bytes:
    tree = root.getroottree()
    return etree.tostring(tree, method="html", encoding=page.charset,
                          doctype=tree.docinfo.doctype or None)


def _map_text(root: etree._Element, func) -> None:
    """Apply ``func`` to every text, tail and text-like attribute under ``root``."""
    for element in root.iter():
        if element.tag in (etree.Comment, etree.ProcessingInstruction):
            element.tail = func(element.tail) if element.tail else element.tail
            continue
        if element.text:
            element.text = func(element.text)
        if element.tail:
            element.tail = func(element.tail)
        for name in _TEXT_ATTRS:
            value = element.get(name)
            if value:
                element.set(name, func(value))


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _body_element(root: etree._Element, template: Page, content_selector: str | None):
    """The element holding the template's article body."""
    if content_selector:
        try:
            found = root.cssselect(content_selector)
        except Exception as exc:  # cssselect's errors: a selector lxml cannot run
            logger.debug("content selector %r unusable here: %s", content_selector, exc)
            found = []
        if found:
            return found[0]
    expected = (template.sidecar.get("expected") or {}).get("text") or ""
    paragraphs = [_normalized(p) for p in expected.split("\n") if p.strip()]
    if paragraphs:
        head, tail = paragraphs[0][:60], paragraphs[-1][-60:]
        best, best_depth = None, -1
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            text = _normalized(element.text_content())
            if head in text and tail in text:
                depth = sum(1 for _ in element.iterancestors())
                if depth > best_depth:
                    best, best_depth = element, depth
        if best is not None and best.tag not in ("html", "body"):
            return best
    # the element whose own paragraphs hold the most text
    scored = [(sum(len(_normalized(p.text_content())) for p in element.iterchildren("p")), i, element)
              for i, element in enumerate(root.iter()) if isinstance(element.tag, str)]
    best_score, _, best_element = max(scored, key=lambda s: (s[0], -s[1]), default=(0, 0, None))
    if best_score > 0 and best_element is not None:
        return best_element
    for selector in _BODY_FALLBACKS:
        found = root.cssselect(selector)
        if found:
            return found[0]
    raise ValueError(f"cannot find the article body in the template {template.source}")


def _plain_text(body_html: str) -> str:
    return _normalized(re.sub(r"<[^>]+>", " ", html.unescape(body_html)))


def teaser(body_html: str, length: int = 160) -> str:
    text = _plain_text(body_html)
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _swap_urls(root: etree._Element, base_url: str, old_url: str, new_url: str) -> None:
    """Point every link to ``old_url`` (absolute or relative) at ``new_url``, in the same style."""
    old_key = split_url(old_url)[1]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("href", "content", "data-url"):
            value = element.get(name)
            if not value or value.startswith(("#", "mailto:", "javascript:")):
                continue
            try:
                target_key = split_url(urljoin(base_url, value.strip()))[1]
            except ValueError:
                continue
            if target_key != old_key:
                continue
            absolute = bool(urlsplit(value.strip()).netloc)
            element.set(name, new_url if absolute else _path_of(new_url))


# -- the article -------------------------------------------------------------------------------
def render_article(template: Page, *, url: str, title: str, body_html: str, when: datetime,
                   lang: str | None, content_selector: str | None = None) -> Page:
    """A new article page: ``template`` with its title, body, date, URL and description swapped."""
    expected = template.sidecar.get("expected") or {}
    root = _parse_html(template)
    old_date = _template_date(template)
    old_title = (expected.get("title") or "").strip()
    body = _body_element(root, template, content_selector)

    # Body: the new paragraphs replace the template's. When the body element also holds the
    # headline or the date (it was found as the smallest element holding the expected text),
    # only the children that carry the expected text go.
    heads = [_normalized(p)[:40] for p in (expected.get("text") or "").split("\n") if p.strip()]
    children = list(body)
    carrying = [c for c in children
                if any(h and h in _normalized(c.text_content()) for h in heads)]
    if not carrying:
        carrying = children
    position = body.index(carrying[0]) if carrying else len(body)
    for child in carrying:
        if child.tail and child.tail.strip():
            child.tail = None
        body.remove(child)
    if carrying is children:
        body.text = None
    fragments = [lxml_html.fromstring(f"<p>{html.escape(f)}</p>") if isinstance(f, str) else f
                 for f in lxml_html.fragments_fromstring(body_html)]
    for offset, fragment in enumerate(fragments):
        body.insert(position + offset, fragment)

    # Title, date, links to itself, description.
    swaps = {"title": 0}

    def swap_title(text: str) -> str:
        if old_title and old_title in text:
            swaps["title"] += 1
            return text.replace(old_title, title)
        return text

    if old_title:
        _map_text(root, swap_title)
    if not swaps["title"]:
        for element in root.iter("h1", "title"):
            element.text = title
    _map_text(root, DateSwap(old_date, when))
    _swap_urls(root, template.url, template.url, url)
    for meta in root.iter("meta"):
        if (meta.get("name") or meta.get("property") or "").lower() in (
                "description", "og:description", "twitter:description"):
            meta.set("content", teaser(body_html))
    if lang and root.tag == "html":
        root.set("lang", lang)
    note = etree.Comment(f" added by the offline mirror (add_article), rendered in the template "
                         f"{template.source}; not a recorded page ")
    note.tail = "\n"
    root.addprevious(note)

    sidecar = {"url": url, "kind": "article", "origin": f"add_article from {template.source}",
               "status": 200, "content_type": template.content_type, "relevant": None,
               "expected": {"title": title, "text": _plain_text(body_html),
                            "published_at": when.isoformat(), "language": lang}}
    return dataclasses.replace(
        template, url=url, kind="article", status=200, body=_serialize_html(root, template),
        source=f"add_article({url})", sidecar=sidecar,
    )


# -- listings ----------------------------------------------------------------------------------
def insert_listing_item(listing: Page, *, url: str, title: str, body_html: str, when: datetime,
                        articles: dict[str, Page]) -> bytes:
    """The listing with a copy of its first article entry, rewritten for ``url``, on top.

    ``articles`` maps page keys to the article pages of the host (to recognise entries).
    """
    root = _parse_html(listing)
    anchor, old = None, None
    for element in root.iter("a"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        key = split_url(urljoin(listing.url, href))[1]
        if key in articles:
            anchor, old = element, articles[key]
            break
    if anchor is None or old is None:
        raise ValueError(f"the listing {listing.url} links to no known article to copy")
    old_key = old.key

    def article_targets(element) -> set[str]:
        keys = set()
        for a in element.iter("a"):
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("#", "mailto:", "javascript:")):
                target = split_url(urljoin(listing.url, href))[1]
                if target in articles:
                    keys.add(target)
        return keys

    entry = anchor
    while True:
        parent = entry.getparent()
        if parent is None or parent.tag in ("body", "html") or article_targets(parent) != {old_key}:
            break
        entry = parent
    clone = copy.deepcopy(entry)
    _swap_urls(clone, listing.url, old.url, url)
    expected = old.sidecar.get("expected") or {}
    old_title = (expected.get("title") or "").strip()
    old_lead = _normalized((expected.get("text") or "").split("\n")[0])[:30]
    replaced = {"title": False}

    def rewrite(text: str) -> str:
        if old_title and old_title in text:
            replaced["title"] = True
            text = text.replace(old_title, title)
        if old_lead and _normalized(text).startswith(old_lead):
            text = teaser(body_html)
        return text

    _map_text(clone, rewrite)
    _map_text(clone, DateSwap(_template_date(old), when))
    if not replaced["title"]:
        links = [a for a in clone.iter("a") if _normalized(a.text_content())]
        if links:
            longest = max(links, key=lambda a: len(_normalized(a.text_content())))
            for child in list(longest):
                longest.remove(child)
            longest.text = title
    tail = entry.tail
    entry.addprevious(clone)
    clone.tail = tail
    return _serialize_html(root, listing)


def localize(moment: datetime, template: Page | None) -> datetime:
    """``moment`` in the time zone the template's dates are printed in (UTC when unknown)."""
    reference = _template_date(template) if template else None
    if reference is None or reference.utcoffset() is None:
        return moment.astimezone(UTC)
    return moment.astimezone(timezone(reference.utcoffset() or timedelta(0)))
