"""The site tree: every page the mirror serves, in memory, and the mutations tests make.

Built from the fixtures at start (``pages.load_fixture_pages``) plus a default ``robots.txt``
for every host that has no robots fixture. Mutations replace pages under a lock, so the
server's threads always see whole pages; ``reset()`` goes back to the fixtures.

Every mutation that changes a page moves its generation on, which moves ``Last-Modified``
forward (``ETag`` is a hash of the body, so it follows by itself).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from csto_crawler.mirror import furniture, render
from csto_crawler.mirror.pages import Page, default_robots, load_fixture_pages, split_url
from csto_crawler.sites import rules_for_url

__all__ = ["SiteTree"]

logger = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"(?:page[=/_-]?|PAGEN_\d+=|p=)(\d+)", re.I)


def _gone_page(url: str, status: int) -> Page:
    reason = "Gone" if status == 410 else "Not Found"
    body = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status} {reason}</title>"
            f"</head><body><h1>{status} {reason}</h1></body></html>\n").encode()
    return Page(url=url, kind="removed", status=status, content_type="text/html; charset=utf-8",
                body=body, source=f"remove(status={status})")


def _common_prefix(a: str, b: str) -> int:
    """How many leading path segments two keys share (host included)."""
    count = 0
    for x, y in zip(a.split("?")[0].split("/"), b.split("?")[0].split("/"), strict=False):
        if x != y:
            break
        count += 1
    return count


def _extra_params(url: str) -> int:
    """Query parameters other than paging (a search page has some; a section listing none)."""
    return sum(1 for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)
               if not _PAGE_NUMBER.match(f"{name}=1"))


def _page_number(url: str) -> int:
    match = _PAGE_NUMBER.search(url)
    return int(match.group(1)) if match else 1


class SiteTree:
    """All pages by ``(scheme, key)``; thread-safe."""

    def __init__(self, fixtures_dir: str | Path) -> None:
        self.fixtures_dir = Path(fixtures_dir)
        self._lock = threading.RLock()
        self._initial = self._build(load_fixture_pages(self.fixtures_dir))
        self._pages = dict(self._initial)
        self._generation = 0

    @staticmethod
    def _build(pages: dict[tuple[str, str], Page]) -> dict[tuple[str, str], Page]:
        by_host: dict[str, list[Page]] = {}
        for page in pages.values():
            by_host.setdefault(page.host, []).append(page)
        for host, host_pages in sorted(by_host.items()):
            if not any(p.key == f"{host}/robots.txt" for p in host_pages):
                robots = default_robots(host, host_pages)
                pages[("https", robots.key)] = robots
        return pages

    # -- reading -------------------------------------------------------------------------------
    def lookup(self, key: str, scheme: str | None = None) -> Page | None:
        """The page at ``key``; the ``scheme``'s own page first (then https, then http)."""
        order = [scheme] if scheme else []
        order += [s for s in ("https", "http") if s not in order]
        with self._lock:
            for candidate in order:
                page = self._pages.get((candidate, key))
                if page is not None:
                    return page
        return None

    def page(self, url: str) -> Page:
        """The page of a real URL; ``KeyError`` when the mirror has none."""
        scheme, key = split_url(url)
        with self._lock:
            page = self._pages.get((scheme, key)) or self.lookup(key, scheme)
        if page is None:
            raise KeyError(f"the mirror has no page for {url}")
        return page

    def pages(self) -> list[Page]:
        """Every page, sorted by key."""
        with self._lock:
            return sorted(self._pages.values(), key=lambda p: (p.key, p.scheme))

    def hosts(self) -> list[str]:
        return sorted({p.host for p in self.pages()})

    # -- mutations -----------------------------------------------------------------------------
    def _put(self, page: Page) -> Page:
        self._pages[(page.scheme, page.key)] = page
        return page

    def _bump(self) -> int:
        self._generation += 1
        return self._generation

    def edit_article(self, url: str, find: str, replace: str) -> Page:
        """Replace every ``find`` in the page's text by ``replace`` (``ValueError`` if absent)."""
        with self._lock:
            page = self.page(url)
            text = page.text()
            if not find or find not in text:
                raise ValueError(f"{find!r} does not occur in {url}")
            changed = page.with_text(text.replace(find, replace), bump=self._bump())
            logger.info("mirror: edited %s (%d occurrence(s))", url, text.count(find))
            return self._put(changed)

    def change_furniture(self, url: str) -> Page:
        """Change only the page's furniture (see ``mirror.furniture``)."""
        with self._lock:
            page = self.page(url)
            changed = page.with_text(furniture.change_furniture(page.text()), bump=self._bump())
            logger.info("mirror: changed the furniture of %s", url)
            return self._put(changed)

    def remove(self, url: str, status: int = 410) -> Page:
        """Serve the page as removed: ``410 Gone`` (default) or ``404 Not Found``."""
        if status not in (404, 410):
            raise ValueError("a removed page answers 404 or 410")
        with self._lock:
            page = self.page(url)
            gone = dataclasses.replace(_gone_page(page.url, status), generation=self._bump())
            logger.info("mirror: removed %s (%d)", url, status)
            return self._put(gone)

    def _host_pages(self, host: str, kind: str) -> list[Page]:
        return [p for p in self._pages.values()
                if p.host == host and p.kind == kind and p.status == 200]

    def _choose(self, host: str, kind: str, url: str, explicit: str | None) -> Page | None:
        if explicit:
            page = self.page(explicit)
            if page.kind != kind:
                logger.warning("mirror: %s is a %s page, not a %s", explicit, page.kind, kind)
            return page
        key = split_url(url)[1]
        candidates = self._host_pages(host, kind)
        if kind == "sitemap":
            candidates = [p for p in candidates if b"<urlset" in p.body[:2048]]
        if not candidates:
            return None
        return min(candidates, key=lambda p: (-_common_prefix(p.key, key), _extra_params(p.url),
                                              _page_number(p.url), len(p.key), p.key))

    def add_article(self, site_host: str, url: str, title: str, body_html: str,
                    date: str | datetime, lang: str | None = None, feed_url: str | None = None,
                    listing_url: str | None = None, content_selector: str | None = None,
                    ) -> dict[str, str]:
        """Add an article rendered in the host's article template, at the top of the host's
        feed, first listing page and sitemap (the closest by path, or the ones named).

        Returns what was written: ``{"article": url, "feed": …, "listing": …, "sitemap": …}``.
        """
        host = site_host.lower()
        scheme, key = split_url(url)
        if key.split("/", 1)[0] != host:
            raise ValueError(f"{url} is not on {site_host}")
        with self._lock:
            if (scheme, key) in self._pages:
                raise ValueError(f"the mirror already has a page at {url}")
            templates = self._host_pages(host, "article")
            if not templates:
                raise ValueError(f"no article page on {host} to use as a template")
            same_lang = [p for p in templates
                         if lang and (p.sidecar.get("expected") or {}).get("language") == lang]
            # the closest page by path, preferring one whose sidecar tells its text
            template = min(same_lang or templates, key=lambda p: (
                -_common_prefix(p.key, key),
                not (p.sidecar.get("expected") or {}).get("text"), p.key))
            when = render.localize(render.parse_when(date), template)
            article = render.render_article(
                template, url=url, title=title, body_html=body_html, when=when, lang=lang,
                content_selector=content_selector or _content_selector(url))
            generation = self._bump()
            written = {"article": url}
            articles = {p.key: p for p in self._host_pages(host, "article")}
            steps = (("feed", feed_url, lambda p: render.insert_feed_entry(
                          p, url=url, title=title, body_html=body_html, when=when)),
                     ("listing", listing_url, lambda p: render.insert_listing_item(
                          p, url=url, title=title, body_html=body_html, when=when,
                          articles=articles)),
                     ("sitemap", None, lambda p: render.insert_sitemap_url(
                          p, url=url, title=title, when=when)))
            updates = []
            for kind, explicit, insert in steps:
                target = self._choose(host, kind, url, explicit)
                if target is None:
                    continue
                updates.append(dataclasses.replace(target, body=insert(target),
                                                   generation=generation))
                written[kind] = target.url
            if len(written) == 1:
                raise ValueError(f"{host} has no feed, listing or sitemap to link the new article from")
            self._put(dataclasses.replace(article, generation=generation))
            for page in updates:
                self._put(page)
        logger.info("mirror: added %s (template %s) to %s", url, template.source,
                    ", ".join(f"{k} {v}" for k, v in written.items() if k != "article"))
        return written

    def reset(self) -> None:
        """Back to the pages of the fixtures (mutations undone)."""
        with self._lock:
            self._pages = dict(self._initial)
        logger.info("mirror: reset to the fixtures")


def _content_selector(url: str) -> str | None:
    """The body selector of the site module that covers ``url``, when there is one."""
    try:
        rules = rules_for_url(url)
    except Exception as exc:  # a broken or missing site module must not stop the mirror
        logger.debug("no site rules for %s: %s", url, exc)
        return None
    return rules.content_selector if rules else None
