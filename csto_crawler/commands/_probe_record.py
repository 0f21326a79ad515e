"""``csto probe --record DIR``: save what a probe fetched as fixtures (page file + sidecar).

Each response becomes ``DIR/<slug>/<lang>_<kind>_<day>_<segment>.<ext>`` with a sidecar in the
format of ``tests/fixtures/README.md``: ``url``, ``kind``, ``status``, ``content_type``, the
request ``method`` when it was not GET, and ``origin: recorded <date> by csto probe``. Article
pages get their ``expected`` block from the current parser once the crawl is over, and
``relevant: null`` for the reviewer to decide. A JSON body is ``<stem>.body.json``.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from csto_crawler.fixtures import (
    expected_of,
    fixture_name,
    parse_fixture,
    read_sidecar,
    write_sidecar,
)

__all__ = ["finish_articles", "save_response"]

logger = logging.getLogger(__name__)

_EXTENSIONS = {"html": ".html", "xml": ".xml", "rss": ".xml", "atom": ".xml", "json": ".body.json", "plain": ".txt"}
_KEPT_HEADERS = (b"Last-Modified", b"ETag", b"Location", b"Set-Cookie")


def _kind(spider, request, response) -> str:
    meta_kind = request.meta.get("csto_kind")
    if response.url.endswith("/robots.txt"):
        return "robots"
    if meta_kind in ("article", "recheck"):
        return "article"
    head = response.body[:2048]
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head:
        return "feed"
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    if "json" in content_type:
        return "api"
    return "listing" if meta_kind in ("listings", "search") else "other"


def _extension(content_type: str) -> str:
    subtype = content_type.split(";", 1)[0].split("/")[-1].split("+")[-1].strip().lower()
    return _EXTENSIONS.get(subtype, ".html")


def save_response(root: Path, spider, request, response) -> Path | None:
    """Save one response as a fixture; returns its sidecar path (None when nothing to save)."""
    day = date.today().isoformat()
    kind = _kind(spider, request, response)
    content_type = response.headers.get(b"Content-Type", b"text/html; charset=utf-8").decode("latin-1")
    folder = root / spider.name
    folder.mkdir(parents=True, exist_ok=True)
    stem = fixture_name(response.url, kind, spider.language_for(response.url), day)
    if request.method != "GET":
        stem += f"_{request.method.lower()}"
    candidate, n = stem, 1
    while (folder / f"{candidate}.json").exists():
        n += 1
        candidate = f"{stem}-{n}"
    sidecar = {"url": response.url, "kind": kind, "status": response.status, "content_type": content_type,
               "origin": f"recorded {day} by csto probe from {response.url}"}
    if request.method != "GET":
        sidecar["method"] = request.method
    headers = {k.decode("latin-1"): response.headers.get(k).decode("latin-1") for k in _KEPT_HEADERS if response.headers.get(k)}
    if headers:
        sidecar["headers"] = headers
    (folder / f"{candidate}{_extension(content_type)}").write_bytes(response.body)
    path = folder / f"{candidate}.json"
    write_sidecar(path, sidecar)
    return path


def finish_articles(saved: list[tuple[str, Path]], classes: dict[str, type]) -> None:
    """Give every recorded article its ``expected`` block (the current parser's output)."""
    for slug, path in saved:
        sidecar = read_sidecar(path)
        if sidecar.get("kind") != "article" or slug not in classes:
            continue
        sidecar["expected"] = expected_of(parse_fixture(path, classes[slug]()))
        sidecar["relevant"] = None  # the reviewer decides
        write_sidecar(path, sidecar)
